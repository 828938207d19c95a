/**
 * `podnet import`: bundles of real nodes (src/collect/podnet-collect.sh) ->
 * a twin World plus a report of every assumption the twin had to make.
 *
 * Pure: bundle texts in, World and report out.
 *
 * Naming. One bundle: the node's initial namespace becomes the twin's initial
 * namespace and its `ip netns` namespaces keep their names, so every command
 * prints what it printed on the node. Several bundles: each node's initial
 * namespace becomes a namespace named after the node, and its namespaces keep
 * their names unless two nodes share one (then `NODE-NAME`).
 *
 * Wiring. Veth pairs are rebuilt from `link_index`/`link_netnsid` and each
 * namespace's `ip netns list-id`. Devices the twin has no kind for (NICs,
 * dummy, macvlan, ...) become veths whose other end is in a stand-in
 * namespace: NICs of all nodes that share an IPv4 subnet are joined by one
 * bridge there (the inferred underlay); every such choice is an assumption.
 *
 * Faithful or loud: everything not modelled is an assumption (src/import/
 * netns.ts), and after the build the twin's own listings are compared with
 * the bundle's (src/import/fidelity.ts): any difference is an assumption too.
 */
import { produce, type Draft } from 'immer';
import { formatIp4, maskOf, prefixContains, seededMac, type Ip4 } from '../model/addr.js';
import { ROOT_NS, type Assumption, type BridgeLink, type Netns, type NsName, type VethLink, type World } from '../model/world.js';
import { createWorld, newNamespace } from '../sim/ops/netns.js';
import { settleLinks } from '../sim/ops/mcast.js';
import { iptablesRestore } from '../shell/iptables-restore.js';
import { runScript } from '../shell/interp.js';
import { parseBundle, type Bundle, type BundleNetns } from './bundle.js';
import { buildNetns, type BuiltNs, type Note, type StandIn } from './netns.js';
import { checkFidelity } from './fidelity.js';
import { applyKube, type KubeMapping } from './kube.js';

/** The twin clock of an imported world: ages in the bundles count back from it. */
export const IMPORT_CLOCK_MS = 1_000_000_000;

export interface BundleInput {
  readonly text: string;
  /** Where it came from (a file name), for messages. */
  readonly origin?: string;
  /** Override the node name the bundle carries. */
  readonly name?: string;
}

export interface ImportOptions {
  readonly seed?: number;
  /** `kubectl get nodes,pods,... -A -o yaml` output. */
  readonly kube?: string;
  /** Compare the twin's listings with the bundle's (default true). */
  readonly fidelity?: boolean;
  /**
   * Name every node's initial namespace after the node even for one bundle
   * (the layout of several bundles): a scenario (`spec.import`) keeps the
   * twin's initial namespace as its lab, from which `ip netns exec NODE`
   * reaches the node as it reaches any other machine.
   */
  readonly perNode?: boolean;
}

export interface NsMapping {
  readonly node: string;
  /** The namespace's name on the node ("/" = the initial namespace). */
  readonly nodeNs: string;
  readonly twinNs: NsName;
}

export interface ImportReport {
  readonly nodes: readonly { readonly name: string; readonly origin: string; readonly kernel?: string; readonly namespaces: readonly NsMapping[] }[];
  /** Namespaces the import added (stand-ins for the underlay or uncollected peers). */
  readonly added: readonly { readonly ns: NsName; readonly why: string }[];
  readonly assumptions: readonly Assumption[];
  /** Bundle problems (cut short, unparsable sections). */
  readonly problems: readonly string[];
  readonly kube?: KubeMapping;
}

export interface ImportResult {
  readonly world: World;
  readonly report: ImportReport;
}

const NS_NAME_OK = /^[A-Za-z0-9_.-]{1,64}$/;

export function importBundles(inputs: readonly BundleInput[], opts: ImportOptions = {}): ImportResult {
  const bundles: { b: Bundle; origin: string; node: string }[] = [];
  const problems: string[] = [];
  const usedNodes = new Set<string>();
  inputs.forEach((inp, i) => {
    const b = parseBundle(inp.text);
    const origin = inp.origin ?? `bundle ${i + 1}`;
    for (const p of b.problems) problems.push(`${origin}: ${p}`);
    let node = (inp.name ?? b.node) || `node${i + 1}`;
    if (!NS_NAME_OK.test(node)) node = node.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 64) || `node${i + 1}`;
    for (let k = 2; usedNodes.has(node); k++) node = `${inp.name ?? b.node}-${k}`;
    usedNodes.add(node);
    bundles.push({ b, origin, node });
  });
  const single = bundles.length === 1 && opts.perNode !== true;
  const assumptions: Assumption[] = [];
  const added: { ns: NsName; why: string }[] = [];

  // Twin namespace names.
  const nameCount = new Map<string, number>();
  for (const { b } of bundles) for (const n of b.netns) if (n.name !== ROOT_NS) nameCount.set(n.name, (nameCount.get(n.name) ?? 0) + 1);
  const twinName = (node: string, nodeNs: string): NsName => {
    if (nodeNs === ROOT_NS) return single ? ROOT_NS : node;
    if (single) return nodeNs;
    return (nameCount.get(nodeNs) ?? 0) > 1 || usedNodes.has(nodeNs) ? `${node}-${nodeNs}` : nodeNs;
  };

  let world: World = { ...createWorld({ seed: opts.seed ?? 1 }), clockMs: IMPORT_CLOCK_MS };
  const built = new Map<NsName, { node: string; bundleNs: BundleNetns; built: BuiltNs }>();
  const reportNodes: { name: string; origin: string; kernel?: string; namespaces: NsMapping[] }[] = [];
  for (const { b, origin, node } of bundles) {
    const mapping: NsMapping[] = [];
    const kernel = b.meta['uname -r']?.body.trim();
    if (!b.netns.some((n) => n.name === ROOT_NS)) problems.push(`${origin}: the bundle has no initial namespace ("@@podnet netns /")`);
    for (const bn of b.netns) {
      const tn = twinName(node, bn.name);
      mapping.push({ node, nodeNs: bn.name, twinNs: tn });
      const note = (n: Note): void => void assumptions.push({ ...n, node, ns: tn });
      const r = buildNetns({ world, twinName: tn, clockMs: IMPORT_CLOCK_MS, note }, bn);
      if (/^pid-\d+$/.test(bn.name)) {
        note({ severity: 'info', area: 'link', text: `the namespace of process ${bn.name.slice(4)} (collected with --proc) has no \`ip netns\` name on the node; the twin names it ${tn} (so \`ip link\` shows link-netns ${tn} where the node shows link-netnsid N)` });
      }
      built.set(tn, { node, bundleNs: bn, built: r });
    }
    reportNodes.push({ name: node, origin, ...(kernel ? { kernel } : {}), namespaces: mapping });
  }

  // Install the namespaces (creation order: newest last in nsOrder, as `ip netns list` is newest first).
  world = produce(world, (d) => {
    for (const [tn, x] of built) d.ns[tn] = x.built.ns as Draft<Netns>;
    for (const { b, node } of bundles) {
      const listed = listedNetns(b);
      const order = [...listed].reverse().filter((n) => b.netns.some((x) => x.name === n));
      for (const n of b.netns) if (n.name !== ROOT_NS && !order.includes(n.name)) order.push(n.name);
      for (const n of order) d.nsOrder.push(twinName(node, n));
      if (!single) d.nsOrder.push(node);
    }
  });
  if (!single) {
    // The lab's own initial namespace is not a node: only lo, up.
    world = produce(world, (d) => {
      const root = d.ns[ROOT_NS]!;
      root.links[1]!.adminUp = true;
    });
  }

  // netnsids and veth peers.
  const stubs: { ns: NsName; node: string }[] = [];
  world = produce(world, (d) => {
    const nsidTarget = (tn: NsName, id: number): NsName | undefined => {
      const x = built.get(tn)!;
      if (!x.built.nsids.has(id)) return undefined;
      const name = x.built.nsids.get(id);
      if (name !== undefined) {
        const t = twinName(x.node, name);
        return built.has(t) && built.get(t)!.node === x.node ? t : undefined;
      }
      // An unnamed namespace: the node's initial one, when that is the only unnamed id seen from here.
      if (x.bundleNs.name === ROOT_NS) return undefined;
      const unnamed = [...x.built.nsids.values()].filter((v) => v === undefined).length;
      return unnamed === 1 ? twinName(x.node, ROOT_NS) : undefined;
    };
    for (const [tn, x] of built) {
      const ns = d.ns[tn]!;
      for (const [id] of x.built.nsids) {
        const t = nsidTarget(tn, id);
        if (t !== undefined) ns.peerIds[t] = id;
      }
    }
    for (const [tn, x] of built) {
      const ns = d.ns[tn]!;
      const note = (n: Note): void => void assumptions.push({ ...n, node: x.node, ns: tn });
      for (const p of x.built.pendingPeers) {
        const link = ns.links[p.ifindex] as Draft<VethLink>;
        if (p.peerName !== undefined) {
          const peer = Object.values(ns.links).find((l) => l.name === p.peerName);
          if (peer) {
            link.peer = { ns: tn, ifindex: peer.ifindex };
            continue;
          }
        } else if (p.linkIndex !== undefined && p.linkNetnsid !== undefined) {
          let target = nsidTarget(tn, p.linkNetnsid);
          // No name for that nsid (a namespace without an `ip netns` name, collected some other way):
          // the one namespace of the node holding a veth at that index whose own peer index is ours.
          if (target === undefined) {
            const cands = [...built].filter(([on, ox]) => on !== tn && ox.node === x.node && ox.built.pendingPeers.some((q) => q.ifindex === p.linkIndex && q.linkIndex === p.ifindex));
            if (cands.length === 1) {
              target = cands[0]![0];
              if (ns.peerIds[target] === undefined) ns.peerIds[target] = p.linkNetnsid;
            }
          }
          const peer = target !== undefined ? d.ns[target]?.links[p.linkIndex] : undefined;
          if (target !== undefined && peer && peer.kind === 'veth') {
            link.peer = { ns: target, ifindex: p.linkIndex };
            continue;
          }
        }
        // The other end is somewhere the bundle did not look (a container without an `ip netns` name).
        const stub = stubName(d as unknown as World, x.node, single, p.linkNetnsid, stubs);
        if (d.ns[stub] === undefined) {
          d.ns[stub] = newNamespace(d as unknown as World, stub) as Draft<Netns>;
          d.nsOrder.push(stub);
          stubs.push({ ns: stub, node: x.node });
          added.push({ ns: stub, why: `holds the other end of veth ${link.name} (${tn === ROOT_NS ? 'initial namespace' : tn}), whose namespace (nsid ${p.linkNetnsid ?? '?'}) was not collected` });
        }
        const sns = d.ns[stub]!;
        const idx = p.linkIndex !== undefined && sns.links[p.linkIndex] === undefined ? p.linkIndex : Math.max(...Object.keys(sns.links).map(Number)) + 1;
        sns.nextIfindex = Math.max(sns.nextIfindex, idx + 1);
        const peerLink: VethLink = {
          kind: 'veth',
          ifindex: idx,
          name: `peer${idx}`,
          mtu: link.mtu,
          mac: seededMac(d.seed, d.macCounter++),
          adminUp: link.l2?.ready ?? false,
          txqlen: 1000,
          promisc: false,
          addrs: [],
          conf: { ...ns.links[1]!.conf },
          qdisc: 'noqueue',
          peer: { ns: tn, ifindex: link.ifindex },
        };
        sns.links[idx] = peerLink as Draft<VethLink>;
        link.peer = { ns: stub, ifindex: idx };
        if (p.linkNetnsid !== undefined) ns.peerIds[stub] = p.linkNetnsid;
        sns.peerIds[tn] = 0;
        note({ severity: 'warn', dev: link.name, area: 'link', text: `the other end of this veth (ifindex ${p.linkIndex ?? '?'}, nsid ${p.linkNetnsid ?? '?'}) is in a namespace the bundle does not include: modelled as namespace ${stub} holding only that end (nothing answers there)` });
      }
    }
  });

  world = wireStandIns(world, built, single, assumptions, added);

  // iptables: each namespace's iptables-save, loaded by the twin's iptables-restore.
  for (const [tn, x] of built) {
    const note = (n: Note): void => void assumptions.push({ ...n, node: x.node, ns: tn });
    world = importNetfilter(world, tn, x.bundleNs, note);
  }

  // CNI configuration and state files, where the plugins (and the twin's CNI emulator) look for them:
  // the collector's directories become /etc/cni/net.d and /var/lib/cni; in a multi-node import each
  // node's files live under /nodes/NODE (World.cri's convention for a node's filesystem root).
  world = produce(world, (d) => {
    for (const { b, node } of bundles) {
      const root = single ? '' : `/nodes/${node}`;
      const confDir = (b.meta['cni-conf-dir']?.body.trim() || '/etc/cni/net.d').replace(/\/+$/, '');
      const stateDir = (b.meta['cni-state-dir']?.body.trim() || '/var/lib/cni').replace(/\/+$/, '');
      for (const [path, sec] of Object.entries(b.files)) {
        if (sec.status !== 0) continue;
        let p = path;
        if (path.startsWith(confDir + '/')) p = '/etc/cni/net.d' + path.slice(confDir.length);
        else if (path.startsWith(stateDir + '/')) p = '/var/lib/cni' + path.slice(stateDir.length);
        d.files[root + p] = sec.body;
      }
    }
  });

  // The kernel's asynchronous link effects are long settled on the node; settle the twin once.
  world = settleLinks(world);

  let kube: KubeMapping | undefined;
  if (opts.kube !== undefined) {
    const k = applyKube(world, opts.kube, reportNodes);
    world = k.world;
    kube = k.mapping;
    for (const a of k.assumptions) assumptions.push(a);
  }

  if (opts.fidelity !== false) {
    for (const [tn, x] of built) {
      const standIns = new Set(x.built.standIns.map((s) => s.name));
      const mine = assumptions.filter((a) => a.ns === tn);
      const routes = new Set(mine.filter((a) => a.area === 'route').map((a) => /^route (\{.*\}) not imported: /.exec(a.text)?.[1] ?? ''));
      const tables = new Set(mine.filter((a) => a.area === 'netfilter' && a.table !== undefined).map((a) => a.table!));
      for (const n of checkFidelity(world, tn, x.bundleNs, standIns, { routes, tables })) assumptions.push({ ...n, node: x.node, ns: tn });
    }
  }
  if (opts.fidelity !== false && single) {
    // `ip netns list`: the same names, newest first, with the same ids.
    const b = bundles[0]!;
    const node = b.b.meta['ip -j netns list (after)'] ?? b.b.meta['ip -j netns list'];
    // (Namespaces the import added are assumptions of their own.)
    let twin = runScript('ip -j netns list\n', { world }).output.trim();
    try {
      twin = JSON.stringify((JSON.parse(twin) as { name: string }[]).filter((e) => !added.some((a) => a.ns === e.name)));
    } catch {
      /* compared as printed */
    }
    if (node && node.status === 0 && node.body.trim() !== twin) {
      assumptions.push({ severity: 'warn', node: b.node, ns: ROOT_NS, area: 'fidelity', text: `ip netns list shows ${node.body.trim()} on the node, ${twin} in the twin` });
    }
  }
  world = { ...world, assumptions };
  const report: ImportReport = { nodes: reportNodes, added, assumptions, problems, ...(kube ? { kube } : {}) };
  return { world, report };
}

/** `ip -j netns list` of a bundle: namespace names, newest first. */
function listedNetns(b: Bundle): string[] {
  const s = b.meta['ip -j netns list'];
  if (!s || s.status !== 0) return [];
  try {
    const v = JSON.parse(s.body.trim() || '[]') as unknown;
    return Array.isArray(v) ? v.map((e) => (e as { name?: unknown }).name).filter((n): n is string => typeof n === 'string') : [];
  } catch {
    return [];
  }
}

/** The stand-in namespace for an uncollected veth peer namespace (one per node and nsid). */
function stubName(w: World, node: string, single: boolean, nsid: number | undefined, stubs: readonly { ns: NsName }[]): NsName {
  const base = `${single ? '' : `${node}-`}uncollected${nsid !== undefined ? `-nsid${nsid}` : ''}`;
  let n = base;
  for (let k = 2; w.ns[n] !== undefined && !stubs.some((s) => s.ns === n); k++) n = `${base}-${k}`;
  return n;
}

/**
 * Devices the twin has no kind for become veths to a stand-in namespace:
 * `underlay` holds one bridge per IPv4 subnet the nodes' NICs are on (the
 * inferred L2 segment) and the far ends of the other stand-ins.
 */
function wireStandIns(
  world: World,
  built: ReadonlyMap<NsName, { node: string; bundleNs: BundleNetns; built: BuiltNs }>,
  single: boolean,
  assumptions: Assumption[],
  added: { ns: NsName; why: string }[],
): World {
  const all: { tn: NsName; node: string; s: StandIn }[] = [];
  for (const [tn, x] of built) for (const s of x.built.standIns) all.push({ tn, node: x.node, s });
  if (all.length === 0) return world;
  let ul = 'underlay';
  for (let k = 2; world.ns[ul] !== undefined; k++) ul = `underlay-${k}`;
  const segments: { net: Ip4; len: number; bridge: string }[] = [];
  return produce(world, (d) => {
    const uns = newNamespace(d as unknown as World, ul) as Draft<Netns>;
    d.ns[ul] = uns;
    d.nsOrder.push(ul);
    uns.links[1]!.adminUp = true;
    added.push({ ns: ul, why: 'the stand-in for what lies beyond the nodes\' devices the twin has no kind for (NICs joined by one bridge per IPv4 subnet)' });
    const names = new Set<string>();
    const portName = (node: string, dev: string): string => {
      let base = (single ? dev : `${node}-${dev}`).slice(0, 15);
      for (let k = 2; names.has(base); k++) base = `${base.slice(0, 12)}-${k}`;
      names.add(base);
      return base;
    };
    let next = 2;
    const newLink = (name: string, mtu: number): Draft<VethLink> => {
      const idx = next++;
      return {
        kind: 'veth',
        ifindex: idx,
        name,
        mtu,
        mac: seededMac(d.seed, d.macCounter++),
        adminUp: true,
        txqlen: 1000,
        promisc: false,
        addrs: [],
        conf: { ...uns.links[1]!.conf },
        qdisc: 'noqueue',
        peer: { ns: '', ifindex: -1 },
      } as Draft<VethLink>;
    };
    for (const { tn, node, s } of all) {
      const ns = d.ns[tn]!;
      const link = ns.links[s.ifindex] as Draft<VethLink>;
      const peer = newLink(portName(node, s.name), link.mtu);
      peer.peer = { ns: tn, ifindex: s.ifindex };
      // The far end is up exactly when the node's device had carrier.
      peer.adminUp = s.carrier || !link.adminUp;
      uns.links[peer.ifindex] = peer;
      link.peer = { ns: ul, ifindex: peer.ifindex };
      const used = new Set(Object.values(ns.peerIds));
      let id = 0;
      while (used.has(id)) id++;
      ns.peerIds[ul] = ns.peerIds[ul] ?? id;
      const uused = new Set(Object.values(uns.peerIds));
      let uid = 0;
      while (uused.has(uid)) uid++;
      uns.peerIds[tn] = uns.peerIds[tn] ?? uid;
      const addr = link.addrs.find((a) => a.scope === 'global' || a.scope === 0);
      let where = 'not attached to any segment';
      // A macvlan (or ipvlan) is a port on its parent's Ethernet: siblings of one parent in bridge
      // mode reach each other as NICs on one switch do, so it joins its subnet's segment as a NIC.
      const nicLike = s.what === 'physical' || s.what === 'macvlan' || s.what === 'ipvlan';
      if (nicLike && addr) {
        const net = (addr.local & maskOf(addr.prefixLen)) >>> 0;
        let seg = segments.find((g) => g.len === addr.prefixLen && prefixContains({ addr: g.net, len: g.len }, addr.local));
        if (!seg) {
          seg = { net: net as Ip4, len: addr.prefixLen, bridge: `seg${segments.length}` };
          segments.push(seg);
          const idx = next++;
          const br: BridgeLink = {
            kind: 'bridge',
            ifindex: idx,
            name: seg.bridge,
            mtu: 1500,
            mac: seededMac(d.seed, d.macCounter++),
            adminUp: true,
            txqlen: 1000,
            promisc: false,
            addrs: [],
            conf: { ...uns.links[1]!.conf },
            qdisc: 'noqueue',
            fdb: [],
            ageingTimeCs: 30000,
            stp: false,
            forwardDelayCs: 1500,
            vlanFiltering: false,
            macSet: false,
          };
          uns.links[idx] = br as Draft<BridgeLink>;
        }
        const brIdx = Object.values(uns.links).find((l) => l.name === seg!.bridge)!.ifindex;
        peer.master = brIdx;
        peer.brport = { hairpin: false, learning: true, flood: true, state: 'forwarding', cost: 2, priority: 32 };
        (uns.links[brIdx] as Draft<BridgeLink>).carrierFromPorts = true;
        where = `joined to every NIC on ${formatIp4(seg.net)}/${seg.len} by bridge ${seg.bridge} in namespace ${ul}`;
      }
      assumptions.push({
        severity: 'warn',
        node,
        ns: tn,
        dev: s.name,
        area: 'underlay',
        text:
          s.what === 'physical'
            ? `physical device: modelled as a veth to namespace ${ul} (${where}); the twin shows it as ${s.name}@ifN`
            : `${s.what} device: not modelled, stands in as a veth to namespace ${ul} (${where})`,
      });
    }
    uns.nextIfindex = next;
  });
}

function importNetfilter(world: World, tn: NsName, b: BundleNetns, note: (n: Note) => void): World {
  const nft = b.cmds['iptables-save -c'];
  const legacy = b.cmds['iptables-legacy-save -c'];
  const hasRules = (t: string | undefined): boolean => t !== undefined && /^\*/m.test(t);
  let text = nft && nft.status === 0 ? nft.body : '';
  if (nft && nft.status !== 0) note({ severity: 'warn', area: 'netfilter', text: `iptables-save failed on the node (${nft.stderr.trim() || `status ${nft.status}`}): no rules imported` });
  if (legacy && legacy.status === 0 && hasRules(legacy.body)) {
    if (!hasRules(text)) {
      text = legacy.body;
      note({ severity: 'info', area: 'netfilter', text: 'the node uses iptables-legacy (x_tables): its rules are loaded into the twin, which lists them as iptables-nft does' });
    } else note({ severity: 'warn', area: 'netfilter', text: 'the node has iptables-legacy rules as well as nf_tables ones: only the nf_tables rules are loaded' });
  }
  const ct = b.cmds['conntrack -L'];
  if (ct && ct.status === 0 && !b.cmds['nf_conntrack']) {
    const n = ct.body.split('\n').filter((l) => l.trim() !== '').length;
    if (n > 0) note({ severity: 'info', area: 'netfilter', text: `${n} conntrack entries not imported: flows already established on the node start as NEW in the twin` });
  }
  if (!hasRules(text)) return world;
  const r = iptablesRestore(world, tn, text, {
    counters: true,
    noflush: false,
    onUnsupported: (u) => {
      note({ severity: 'warn', table: u.table, area: 'netfilter', text: `rule not loaded (${u.what} is not modelled): ${u.text}` });
      return 'skip';
    },
  });
  if (r.status !== 0) {
    note({ severity: 'warn', area: 'netfilter', text: `the rules could not be loaded: ${r.out.map((o) => o.text).join('').trim()}` });
    return world;
  }
  // iptables-restore attaches counters to every built-in chain; on the node a built-in chain made by
  // `iptables -A` has none and its policy hits are not counted. A [0:0] policy counter is that case
  // (a counted policy on a live node has seen packets). A DROP policy always has counters (-P set it).
  const uncounted: string[] = [];
  const w = produce(r.world, (d) => {
    for (const t of Object.values(d.ns[tn]!.netfilter.tables)) {
      for (const c of t!.chains) {
        if (c.counters && c.counters.pkts === 0 && c.counters.bytes === 0 && c.policy === 'ACCEPT') {
          delete c.counters;
          uncounted.push(`${t!.name} ${c.name}`);
        }
      }
    }
  });
  if (uncounted.length) {
    note({
      severity: 'info',
      area: 'netfilter',
      text: `policy counters [0:0] of ${uncounted.join(', ')} are taken as not counting (chains made by iptables -A); had -P or iptables-restore set them, the node counts their policy hits and the twin does not`,
    });
  }
  return w;
}
