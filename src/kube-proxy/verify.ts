/**
 * Service reachability on a cluster: connect to a Service (ClusterIP or
 * NodePort) from a pod, a node or `outside`, through the kube-proxy rules the
 * nodes have, and check every backend ("any backend": the twin takes each
 * branch of the KUBE-SVC chain in turn, NfRandomDraw `pick`), that the
 * request was DNATed to that backend and delivered in its pod, and that the
 * answer came back un-NATed (from the address and port the client dialled).
 *
 *   serviceReachability(c, 'client', 'default/web')   // one check per service port and backend
 *   traceService(c, 'client', 'default/web')           // one connection, the backend the flow hash picks
 */
import type { Cluster } from '../cluster/types.js';
import { resolve } from '../cluster/check.js';
import { ClusterError } from '../cluster/exec.js';
import { formatIp4, parseIp4 } from '../model/addr.js';
import type { NfRandomDraw } from '../model/netfilter.js';
import type { World } from '../model/world.js';
import { k8sState } from '../k8s/on-cluster.js';
import { probe, type ProbeResult } from '../sim/send.js';
import type { Trace } from '../sim/trace.js';
import { kubeProxySync } from './agent.js';
import type { CompiledServicePort } from './compile.js';

export interface BackendCheck {
  readonly service: string;
  readonly servicePort: string;
  readonly protocol: 'tcp' | 'udp';
  /** The address and port dialled (ClusterIP:port or node:nodePort). */
  readonly dialled: string;
  /** The backend this check forced (index in the KUBE-SVC chain) and its endpoint. */
  readonly backend: number;
  readonly endpoint: string;
  readonly ok: boolean;
  /** Where the request was DNATed to (from the trace). */
  readonly dnatTo?: string;
  /** Where the request ended and how. */
  readonly endedIn: string;
  readonly disposition: string;
  /** The source address of the answer the client got (un-NAT makes it the dialled address). */
  readonly answerFrom?: string;
  readonly reason: string;
  readonly traces: readonly Trace[];
}

function withDraw(w: World, draw: NfRandomDraw | undefined): World {
  const ns = { ...w.ns };
  for (const [name, n] of Object.entries(ns)) {
    const { random: _r, ...rest } = n.netfilter;
    ns[name] = { ...n, netfilter: draw ? { ...rest, random: draw } : rest };
  }
  return { ...w, ns };
}

/** The DNAT destination shown in a trace (`DNAT --to-destination ip:port` rule). */
export function dnatTarget(t: Trace): string | undefined {
  for (const h of t.hops) for (const s of h.steps) if (s.kind === 'netfilter' && s.action.endsWith(': DNAT') && s.entry) return /--to-destination (\S+)/.exec(s.entry)?.[1];
  return undefined;
}

function servicePortsOf(c: Cluster, fromNode: string, service: string): CompiledServicePort[] {
  const sync = kubeProxySync(c, fromNode);
  if (!sync) throw new ClusterError('kube-proxy does not run in this cluster');
  const ports = sync.servicePorts.filter((p) => p.service === service);
  if (ports.length === 0) throw new ClusterError(`no service ${service} (services: ${[...new Set(sync.servicePorts.map((p) => p.service))].join(', ') || 'none'})`);
  return ports;
}

/**
 * The backends a node's kube-proxy has programmed for a service port: the
 * KUBE-SEP chains its KUBE-SVC chain jumps to, in order, and each one's DNAT
 * destination (what the node does, which lags the API when kube-proxy does).
 */
export function programmedEndpoints(w: World, node: string, svcChainName: string): { readonly chain: string; readonly endpoint: string }[] {
  const nat = w.ns[node]?.netfilter.tables.nat;
  const svc = nat?.chains.find((ch) => ch.name === svcChainName);
  if (!nat || !svc) return [];
  const out: { chain: string; endpoint: string }[] = [];
  for (const r of svc.rules) {
    const t = r.spec.target;
    if (t?.kind !== 'jump' || !t.chain.startsWith('KUBE-SEP-')) continue;
    const sep = nat.chains.find((ch) => ch.name === t.chain);
    const dnat = sep?.rules.map((x) => x.spec.target).find((x) => x?.kind === 'DNAT');
    if (dnat?.kind === 'DNAT' && dnat.range.minIp !== undefined) out.push({ chain: t.chain, endpoint: `${formatIp4(dnat.range.minIp)}:${dnat.range.minPort ?? '?'}` });
  }
  return out;
}

function nodeOf(c: Cluster, from: string): string {
  const p = c.pods[from];
  if (p) return p.node;
  if (c.nodes[from]) return from;
  return c.nodeOrder[0]!;
}

function judge(r: ProbeResult, dst: { ip: string; port: number }, endpoint: string | undefined, targetNs: string | undefined): { ok: boolean; reason: string; answerFrom?: string } {
  const req = r.traces[0];
  if (!req) return { ok: false, reason: 'nothing was sent' };
  const dnat = dnatTarget(req);
  if (endpoint && dnat !== endpoint) return { ok: false, reason: dnat ? `DNATed to ${dnat}, not ${endpoint}` : `not DNATed: ${req.disposition} in ${req.endedIn}: ${req.reason}` };
  const reached = req.disposition === 'delivered' || req.disposition === 'port_unreachable';
  if (!reached || (targetNs && req.endedIn !== targetNs)) return { ok: false, reason: `the request ended ${req.disposition} in ${req.endedIn}: ${req.reason}` };
  const o = r.outcome;
  if (o.kind !== 'reply' && o.kind !== 'reset') return { ok: false, reason: `the backend was reached but the client got no answer (${o.kind})` };
  const from = `${formatIp4(o.pkt.src)}:${o.pkt.ports?.sport ?? '?'}`;
  if (from !== `${dst.ip}:${dst.port}`) return { ok: false, answerFrom: from, reason: `the answer came from ${from}, not from ${dst.ip}:${dst.port} (not un-NATed)` };
  return { ok: true, answerFrom: from, reason: `DNAT to ${dnat}, answered from ${from}` };
}

/**
 * Check every backend of `service` (`ns/name`) from `from` (a pod, node or
 * `outside`), on its ClusterIP, or with `nodePort: node` on that node's
 * address and the NodePort.
 */
export function serviceReachability(c: Cluster, from: string, service: string, o: { readonly nodePort?: string } = {}): BackendCheck[] {
  const src = resolve(c, from);
  if (!src.ns) throw new ClusterError(`cannot send from ${from}`);
  const ports = servicePortsOf(c, nodeOf(c, from), service);
  const s = k8sState(c);
  const out: BackendCheck[] = [];
  for (const sp of ports) {
    let dst: { ip: string; port: number };
    if (o.nodePort !== undefined) {
      if (sp.nodePort === undefined) continue;
      const n = c.nodes[o.nodePort];
      if (!n) throw new ClusterError(`no node ${o.nodePort}`);
      dst = { ip: n.ip, port: sp.nodePort };
    } else dst = { ip: sp.clusterIP, port: sp.port };
    const dialled = `${dst.ip}:${dst.port}`;
    // What the node that translates the request (the sender's node; for NodePorts the node dialled) has programmed.
    const translating = o.nodePort ?? nodeOf(c, from);
    const programmed = programmedEndpoints(c.world, translating, sp.svcChain);
    if (programmed.length === 0) {
      const r = probe(c.world, { from: src.ns, to: parseIp4(dst.ip)!, proto: sp.protocol, dport: dst.port });
      const t = r.traces[0];
      out.push({ service, servicePort: sp.servicePortName, protocol: sp.protocol, dialled, backend: -1, endpoint: '', ok: false, endedIn: t?.endedIn ?? '', disposition: t?.disposition ?? 'none', reason: `no endpoints: ${t ? `${t.disposition}: ${t.reason}` : 'nothing sent'}`, traces: r.traces });
      continue;
    }
    programmed.forEach((ep, k) => {
      const w = withDraw(c.world, { kind: 'pick', pick: k });
      const r = probe(w, { from: src.ns!, to: parseIp4(dst.ip)!, proto: sp.protocol, dport: dst.port });
      const apiEp = sp.endpoints.find((e) => e.endpoint === ep.endpoint);
      const targetNs = apiEp?.pod ? s.sandbox[apiEp.pod] : undefined;
      const j = apiEp ? judge(r, dst, ep.endpoint, targetNs) : { ...judge(r, dst, ep.endpoint, undefined), ok: false, reason: `${ep.endpoint} is programmed on ${translating} but is no endpoint of the service any more (kube-proxy there has not synced)` };
      const t = r.traces[0];
      const dnat = t ? dnatTarget(t) : undefined;
      out.push({
        service,
        servicePort: sp.servicePortName,
        protocol: sp.protocol,
        dialled,
        backend: k,
        endpoint: ep.endpoint,
        ok: j.ok,
        ...(dnat ? { dnatTo: dnat } : {}),
        endedIn: t?.endedIn ?? '',
        disposition: t?.disposition ?? 'none',
        ...(j.answerFrom ? { answerFrom: j.answerFrom } : {}),
        reason: j.reason,
        traces: r.traces,
      });
    });
  }
  return out;
}

/** One connection to the service's first port, as the twin's flow hash picks the backend (the trace states it). */
export function traceService(c: Cluster, from: string, service: string, o: { readonly port?: string; readonly nodePort?: string } = {}): ProbeResult & { readonly dialled: string } {
  const src = resolve(c, from);
  if (!src.ns) throw new ClusterError(`cannot send from ${from}`);
  const ports = servicePortsOf(c, nodeOf(c, from), service);
  const sp = o.port !== undefined ? ports.find((p) => p.portName === o.port) : ports[0];
  if (!sp) throw new ClusterError(`service ${service} has no port ${o.port}`);
  let dst = { ip: sp.clusterIP, port: sp.port };
  if (o.nodePort !== undefined) {
    const n = c.nodes[o.nodePort];
    if (!n || sp.nodePort === undefined) throw new ClusterError(`no NodePort ${service} on ${o.nodePort}`);
    dst = { ip: n.ip, port: sp.nodePort };
  }
  const r = probe(withDraw(c.world, undefined), { from: src.ns, to: parseIp4(dst.ip)!, proto: sp.protocol, dport: dst.port });
  return { ...r, dialled: `${dst.ip}:${dst.port}` };
}
