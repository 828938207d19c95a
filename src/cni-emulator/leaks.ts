/**
 * Leak reports: what CNI left behind.
 *
 *  - liveLeakReport(world): on every registered node, the CNI state that no
 *    sandbox the runtime knows about owns any more: host-local reservations,
 *    result-cache entries, masquerade and hostport chains (found by the
 *    container id in their rule comments), `cni-*` namespaces, host veths
 *    into namespaces no sandbox has. After a missed DEL (a reboot that lost
 *    the runtime's records, a DEL that failed) this is what stays forever.
 *
 *  - diffLeakReport(before, after): everything an ADD followed by a DEL
 *    changed, split into the leaks the real 1.1.1 plugins are known to leave
 *    (documented, with the reason) and anything else (unexpected: a bug of
 *    the twin's plugins or runtime, or an undocumented leak).
 */
import type { NsName, World } from '../model/world.js';
import { formatIp4 } from '../model/addr.js';
import { execArgv } from '../shell/interp.js';
import { sysctlValue } from '../sim/ops/sysctl.js';
import { listSandboxes } from './cri.js';

export type LeakKind = 'ipam' | 'cache' | 'iptables' | 'netns' | 'link' | 'address' | 'route' | 'sysctl' | 'file';

export interface LeakItem {
  readonly kind: LeakKind;
  /** Where: a node name, a namespace or a file path. */
  readonly where: string;
  /** What is left, in the words of the tool that shows it (a file, an iptables-save line, an `ip` object). */
  readonly what: string;
  /** The container id the leftover belongs to, when known. */
  readonly containerID?: string;
  /** For documented leaks: which real plugin leaves it, and why. */
  readonly reason?: string;
}

const iptablesSave = (w: World, ns: NsName): string[] => {
  if (w.ns[ns] === undefined) return [];
  const r = execArgv(w, ns, ['iptables-save'], { env: {}, stdin: undefined, line: 0, background: false });
  return r.out
    .map((c) => c.text)
    .join('')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'));
};

/** The container id in a CNI rule comment: `name: "N" id: "ID"` or `dnat name: "N" id: "ID"`. */
function commentId(line: string): string | undefined {
  const m = /id: \\"([^"\\]*)\\"/.exec(line);
  return m ? m[1] : undefined;
}

/**
 * CNI state on the registered nodes that no known sandbox owns. Options:
 * extra container ids to treat as live (attachments made outside the CRI
 * records, e.g. by cnitool in a script).
 */
export function liveLeakReport(world: World, opts: { readonly liveContainerIDs?: readonly string[] } = {}): LeakItem[] {
  const out: LeakItem[] = [];
  const nodes = Object.values(world.cri?.nodes ?? {});
  const sandboxes = listSandboxes(world);
  const live = new Set<string>([...sandboxes.map((s) => s.id), ...(opts.liveContainerIDs ?? [])]);
  const liveNs = new Set(sandboxes.map((s) => s.netns).filter((n): n is string => n !== undefined));
  for (const node of nodes) {
    const root = node.root.replace(/\/+$/, '');
    const netDir = `${root}/var/lib/cni/networks/`;
    for (const [path, content] of Object.entries(world.files)) {
      if (path.startsWith(netDir)) {
        const rest = path.slice(netDir.length).split('/');
        if (rest.length !== 2) continue;
        const [net, file] = rest as [string, string];
        if (file === 'lock' || file.startsWith('last_reserved_ip.')) continue;
        const id = content.split('\r\n')[0]!.trim();
        if (!live.has(id)) {
          out.push({ kind: 'ipam', where: node.name, what: `${path.slice(root.length)}: ${file} reserved in network ${net}`, containerID: id });
        }
      }
      for (const dir of new Set([node.cacheDir, '/var/lib/cni'])) {
        const resDir = `${root}${dir.replace(/\/+$/, '')}/results/`;
        if (path.startsWith(resDir) && !path.slice(resDir.length).includes('/')) {
          let id: string | undefined;
          try {
            id = (JSON.parse(content) as { containerId?: string }).containerId;
          } catch {
            id = undefined;
          }
          if (id === undefined || !live.has(id)) {
            out.push({ kind: 'cache', where: node.name, what: path.slice(root.length), ...(id !== undefined ? { containerID: id } : {}) });
          }
        }
      }
    }
    const lines = iptablesSave(world, node.ns);
    for (const l of lines) {
      if (!l.startsWith('-A ')) continue;
      const id = commentId(l);
      if (id !== undefined && !live.has(id)) out.push({ kind: 'iptables', where: node.name, what: l, containerID: id });
    }
    // Per-container chains nothing jumps to any more (e.g. left after their jump rule went).
    const chains = lines.filter((l) => /^:CNI-(DN-)?[0-9a-f]{21,24} /.test(l)).map((l) => l.slice(1, l.indexOf(' ')));
    for (const c of chains) {
      if (!lines.some((l) => l.startsWith('-A ') && l.endsWith(`-j ${c}`))) {
        out.push({ kind: 'iptables', where: node.name, what: `chain ${c} (no rule jumps to it)` });
      }
    }
    for (const l of Object.values(world.ns[node.ns]?.links ?? {})) {
      if (l.kind !== 'veth') continue;
      if (!l.peer.ns.startsWith('cni-')) continue;
      if (!liveNs.has(l.peer.ns)) out.push({ kind: 'link', where: node.name, what: `${l.name} (peer in ${l.peer.ns})` });
    }
  }
  const owned = new Set(sandboxes.map((s) => s.netns).filter(Boolean));
  for (const ns of Object.keys(world.ns)) {
    if (ns.startsWith('cni-') && !owned.has(ns)) out.push({ kind: 'netns', where: ns, what: `/var/run/netns/${ns}` });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Before/after differences.

interface Snapshot {
  readonly files: ReadonlyMap<string, string>;
  /** Per namespace: "link NAME kind", "addr NAME a/len", "route ...", "sysctl k=v", iptables-save lines. */
  readonly ns: ReadonlyMap<NsName, ReadonlySet<string>>;
}

function snapshot(w: World, namespaces: readonly NsName[]): Snapshot {
  const files = new Map(Object.entries(w.files));
  const ns = new Map<NsName, Set<string>>();
  for (const n of namespaces) {
    const s = new Set<string>();
    const nsr = w.ns[n];
    if (nsr) {
      s.add('exists');
      for (const l of Object.values(nsr.links)) {
        s.add(`link ${l.name} ${l.kind}${l.adminUp ? ' up' : ''}`);
        for (const a of l.addrs) s.add(`addr ${l.name} ${formatIp4(a.local)}/${a.prefixLen}`);
      }
      for (const r of nsr.routes) {
        const dev = r.dev !== undefined ? nsr.links[r.dev]?.name ?? `if${r.dev}` : '';
        s.add(`route table ${r.table} ${r.type} ${formatIp4(r.dst.addr)}/${r.dst.len}${r.gateway !== undefined ? ` via ${formatIp4(r.gateway)}` : ''} dev ${dev}`);
      }
      for (const [k, v] of Object.entries(nsr.sysctl)) s.add(`sysctl ${k}=${v}`);
      for (const l of Object.values(nsr.links)) for (const [k, v] of Object.entries(l.conf)) s.add(`sysctl net.ipv4.conf.${l.name}.${k}=${v}`);
      for (const l of iptablesSave(w, n)) s.add(`iptables ${l}`);
    }
    ns.set(n, s);
  }
  return { files, ns };
}

/** The changes from `before` to `after`, each as a LeakItem without classification. */
function changes(before: World, after: World, namespaces: readonly NsName[]): LeakItem[] {
  const a = snapshot(before, namespaces);
  const b = snapshot(after, namespaces);
  const out: LeakItem[] = [];
  for (const [p, v] of b.files) if (a.files.get(p) !== v) out.push({ kind: 'file', where: p, what: a.files.has(p) ? 'changed' : 'created' });
  for (const [p] of a.files) if (!b.files.has(p)) out.push({ kind: 'file', where: p, what: 'removed' });
  for (const n of namespaces) {
    const x = a.ns.get(n)!;
    const y = b.ns.get(n)!;
    for (const e of y) if (!x.has(e)) out.push({ kind: kindOf(e), where: n, what: `+ ${e}` });
    for (const e of x) if (!y.has(e)) out.push({ kind: kindOf(e), where: n, what: `- ${e}` });
  }
  return out;
}

function kindOf(e: string): LeakKind {
  if (e.startsWith('link ')) return 'link';
  if (e.startsWith('addr ')) return 'address';
  if (e.startsWith('route ')) return 'route';
  if (e.startsWith('sysctl ')) return 'sysctl';
  if (e.startsWith('iptables ')) return 'iptables';
  return 'netns';
}

/** What the before/after worlds say about the changes a plugin is known to cause. */
interface DiffContext {
  /** Names of bridges that did not exist before (created by the bridge plugin). */
  readonly bridges: ReadonlySet<string>;
  /**
   * Namespaces where net.ipv4.ip_forward went from 0 to 1 (bridge with
   * isGateway, ptp). Only there are the kernel's side effects of that write
   * (inet_forward_change()) documented: conf.all/default and every device's
   * forwarding to 1, and conf.all.accept_redirects to 0.
   */
  readonly forwardOn: ReadonlySet<NsName>;
  /** Of those, the namespaces where conf.all.accept_redirects is 0 afterwards (as that write leaves it). */
  readonly redirectsOff: ReadonlySet<NsName>;
}

/**
 * The known leftovers of the real plugins after ADD + DEL (the reason, or
 * undefined for an unexpected change).
 */
function documentedReason(item: LeakItem, ctx: DiffContext): string | undefined {
  const { bridges } = ctx;
  const w = item.what;
  if (item.kind === 'file') {
    if (/\/var\/lib\/cni\/networks\/[^/]+\/(lock|last_reserved_ip\.\d+)$/.test(item.where)) {
      return 'host-local keeps its store directory, lock file and round-robin cursor (last_reserved_ip.N)';
    }
    return undefined;
  }
  const brName = /^\+ (?:link|addr) (\S+)/.exec(w)?.[1] ?? /dev (\S+)$/.exec(w)?.[1] ?? /^\+ sysctl net\.ipv4\.conf\.([^.]+)\./.exec(w)?.[1];
  if (brName !== undefined && bridges.has(brName)) return 'the bridge plugin never deletes its bridge (nor its gateway address, routes and settings)';
  if (/^[+-] link \S+ bridge( up)?$/.test(w)) return 'the bridge plugin never deletes its bridge';
  // `sysctl -w net.ipv4.ip_forward=1` when it was 0: devinet_sysctl_forward() ->
  // inet_forward_change() sets conf.all.forwarding (the same variable),
  // conf.default.forwarding and every device's forwarding to 1, and
  // conf.all.accept_redirects to 0 (= !forwarding); per-device accept_redirects
  // stay as they are. Writing 1 when it is 1 already changes nothing, so these
  // are documented only where ip_forward itself went 0 -> 1.
  const fwd = ctx.forwardOn.has(item.where);
  if (fwd && /^(\+ sysctl net\.ipv4\.(ip_forward|conf\.all\.forwarding)=1|- sysctl net\.ipv4\.(ip_forward|conf\.all\.forwarding)=0)$/.test(w)) {
    return 'bridge (isGateway) and ptp set net.ipv4.ip_forward=1 and never reset it';
  }
  if (ctx.redirectsOff.has(item.where) && /^[+-] sysctl net\.ipv4\.conf\.all\.accept_redirects=/.test(w) && (w.startsWith('- ') || w.endsWith('=0'))) {
    return 'setting net.ipv4.ip_forward=1 (bridge isGateway, ptp) also sets net.ipv4.conf.all.accept_redirects=0 (kernel inet_forward_change()); never reset';
  }
  if (/^[+-] sysctl net\.ipv4\.conf\.[^.]+\.route_localnet=/.test(w)) return 'portmap sets route_localnet=1 on the device routing to the pod and never resets it';
  if (/^\+ iptables (:CNI-HOSTPORT-(DNAT|SETMARK|MASQ) |-A (PREROUTING|OUTPUT|POSTROUTING) .*-j CNI-HOSTPORT-(DNAT|MASQ)$|-A CNI-HOSTPORT-(SETMARK|MASQ) )/.test(w)) {
    return "portmap's shared chains (CNI-HOSTPORT-DNAT/SETMARK/MASQ) and their jumps are never removed";
  }
  if (/^\+ iptables (\*nat|COMMIT|:(PREROUTING|INPUT|OUTPUT|POSTROUTING) ACCEPT)/.test(w)) return 'the nat table exists once any rule was added';
  if (fwd && /^(\+ sysctl net\.ipv4\.conf\.[^.]+\.forwarding=1|- sysctl net\.ipv4\.conf\.[^.]+\.forwarding=0)$/.test(w)) {
    return 'every interface\'s forwarding follows ip_forward (set by bridge/ptp, never reset)';
  }
  if (/^[+-] (link lo loopback( up)?|addr lo 127\.0\.0\.1\/8|route table 255 (local|broadcast) 127\.)/.test(w)) {
    return 'the loopback plugin only sets lo down on DEL: 127.0.0.1/8 stays';
  }
  return undefined;
}

/**
 * What ADD + DEL (before -> after) changed in these namespaces and in the
 * files, split into the real plugins' documented leaks and unexpected changes.
 */
export function diffLeakReport(before: World, after: World, namespaces: readonly NsName[]): { documented: LeakItem[]; unexpected: LeakItem[] } {
  const bridges = new Set<string>();
  for (const n of namespaces) {
    for (const l of Object.values(after.ns[n]?.links ?? {})) {
      const existed = Object.values(before.ns[n]?.links ?? {}).some((x) => x.name === l.name && x.kind === 'bridge');
      if (l.kind === 'bridge' && !existed) bridges.add(l.name);
    }
  }
  const forwardOn = new Set<NsName>(
    namespaces.filter((n) => sysctlValue(before, n, 'net.ipv4.ip_forward') === '0' && sysctlValue(after, n, 'net.ipv4.ip_forward') === '1'),
  );
  const redirectsOff = new Set<NsName>([...forwardOn].filter((n) => sysctlValue(after, n, 'net.ipv4.conf.all.accept_redirects') === '0'));
  const ctx: DiffContext = { bridges, forwardOn, redirectsOff };
  const documented: LeakItem[] = [];
  const unexpected: LeakItem[] = [];
  for (const c of changes(before, after, namespaces)) {
    const reason = documentedReason(c, ctx);
    if (reason) documented.push({ ...c, reason });
    else unexpected.push(c);
  }
  return { documented, unexpected };
}
