/**
 * Property tests of the runtime + plugins (fast-check, >= 1,000 runs each):
 * random ADD/DEL/CHECK sequences over random bridge/ptp configs (with
 * host-local, optional portmap and loopback in the chain) and random pods.
 *
 *  1. live attachments have unique IPs inside their range, and the host-local
 *     store holds exactly their reservations;
 *  2. DEL is idempotent: a second DEL succeeds and changes nothing;
 *  3. ADD then DEL restores the world except for the real plugins'
 *     documented leaks (diffLeakReport names them);
 *  4. a failed ADD followed by the runtime's DEL (as containerd tears down)
 *     leaves nothing but documented leaks.
 *
 * The seed is printed; rerun one with FC_SEED=<seed>.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freshMachine, netnsAdd } from '../../src/sim/ops/netns.js';
import type { World } from '../../src/model/world.js';
import { formatIp4, parseIp4 } from '../../src/model/addr.js';
import {
  addNetworkList,
  checkNetworkList,
  confListFromBytes,
  delNetworkList,
  diffLeakReport,
  type CniRuntime,
  type NetworkConfigList,
  type RuntimeConf,
} from '../../src/cni-emulator/index.js';

const SEED = Number(process.env['FC_SEED'] ?? 20251125);
const RUNS = Number(process.env['FC_RUNS'] ?? 1000);
const PODS = 3;
const NS = ['node', ...Array.from({ length: PODS }, (_, i) => `p${i}`)];

interface Cfg {
  readonly plugin: 'bridge' | 'ptp';
  readonly version: '0.4.0' | '1.0.0';
  readonly isGateway: boolean;
  readonly ipMasq: boolean;
  readonly hairpin: boolean;
  readonly mtu: number;
  /** Size of the allocatable range (rangeStart..rangeEnd). */
  readonly size: number;
  readonly portmap: boolean;
  readonly loopback: boolean;
  readonly defaultRoute: boolean;
}

const cfgArb: fc.Arbitrary<Cfg> = fc.record({
  plugin: fc.constantFrom('bridge' as const, 'ptp' as const),
  version: fc.constantFrom('0.4.0' as const, '1.0.0' as const),
  isGateway: fc.boolean(),
  ipMasq: fc.boolean(),
  hairpin: fc.boolean(),
  mtu: fc.constantFrom(0, 1400, 1500),
  size: fc.integer({ min: 1, max: 4 }),
  portmap: fc.boolean(),
  loopback: fc.boolean(),
  defaultRoute: fc.boolean(),
});

const RANGE_START = 10;
function listOf(c: Cfg): NetworkConfigList {
  const ipam = {
    type: 'host-local',
    ranges: [[{ subnet: '10.60.0.0/24', rangeStart: `10.60.0.${RANGE_START}`, rangeEnd: `10.60.0.${RANGE_START + c.size - 1}`, gateway: '10.60.0.1' }]],
    ...(c.defaultRoute ? { routes: [{ dst: '0.0.0.0/0' }] } : {}),
  };
  const main =
    c.plugin === 'bridge'
      ? { type: 'bridge', bridge: 'cni0', isGateway: c.isGateway, ipMasq: c.ipMasq, hairpinMode: c.hairpin, ...(c.mtu ? { mtu: c.mtu } : {}), ipam }
      : { type: 'ptp', ipMasq: c.ipMasq, ...(c.mtu ? { mtu: c.mtu } : {}), ipam };
  const plugins: object[] = [main];
  if (c.portmap) plugins.push({ type: 'portmap', capabilities: { portMappings: true } });
  if (c.loopback) plugins.push({ type: 'loopback' });
  return confListFromBytes(JSON.stringify({ cniVersion: c.version, name: 'prop', plugins }));
}

const rt: CniRuntime = { ns: 'node', path: ['/opt/cni/bin'] };
const rcOf = (pod: number): RuntimeConf => ({
  containerID: `c${pod}`,
  netNS: `/var/run/netns/p${pod}`,
  ifName: 'eth0',
  capabilityArgs: { portMappings: [{ hostPort: 8000 + pod, containerPort: 80, protocol: 'tcp' }] },
});

function baseWorld(): World {
  let w = freshMachine(9);
  for (const n of NS) w = (netnsAdd(w, n) as { world: World }).world;
  return w;
}

type Op = { readonly op: 'ADD' | 'DEL' | 'CHECK'; readonly pod: number };
const opArb: fc.Arbitrary<Op> = fc.record({ op: fc.constantFrom('ADD' as const, 'DEL' as const, 'CHECK' as const), pod: fc.integer({ min: 0, max: PODS - 1 }) });

/** The pod's eth0 IPv4 address, if it has one. */
const podIp = (w: World, pod: number): string | undefined => {
  const l = Object.values(w.ns[`p${pod}`]!.links).find((x) => x.name === 'eth0');
  return l && l.addrs[0] ? formatIp4(l.addrs[0].local) : undefined;
};

/** host-local reservations: ip -> container id. */
function reservations(w: World): Map<string, string> {
  const out = new Map<string, string>();
  for (const [p, v] of Object.entries(w.files)) {
    const m = /^\/var\/lib\/cni\/networks\/prop\/(\d+\.\d+\.\d+\.\d+)$/.exec(p);
    if (m) out.set(m[1]!, v.split('\r\n')[0]!);
  }
  return out;
}

const inRange = (ip: string, c: Cfg): boolean => {
  const n = parseIp4(ip)! >>> 0;
  const lo = parseIp4(`10.60.0.${RANGE_START}`)! >>> 0;
  return n >= lo && n < lo + c.size;
};

const noChange = (a: World, b: World): string[] => {
  const r = diffLeakReport(a, b, NS);
  return [...r.documented, ...r.unexpected].map((x) => `${x.where}: ${x.what}`);
};

const unexpected = (a: World, b: World): string[] => diffLeakReport(a, b, NS).unexpected.map((x) => `${x.kind} ${x.where}: ${x.what}`);

const params = (name: string): fc.Parameters<unknown> => {
  // The seed, so that a failure can be replayed with FC_SEED.
  console.log(`[properties] ${name}: seed ${SEED}, ${RUNS} runs`);
  return { numRuns: RUNS, seed: SEED };
};

describe('runtime + plugins properties', () => {
  it('random ADD/DEL/CHECK sequences: unique in-range IPs for live attachments; DEL idempotent', () => {
    fc.assert(
      fc.property(cfgArb, fc.array(opArb, { minLength: 1, maxLength: 6 }), (c, ops) => {
        const list = listOf(c);
        let w = baseWorld();
        const live = new Set<number>();
        for (const { op, pod } of ops) {
          const rc = rcOf(pod);
          if (op === 'ADD') {
            const r = addNetworkList(w, rt, list, rc);
            w = r.world;
            if (r.ok) live.add(pod);
            else if (!live.has(pod)) {
              // libcni does not clean up a failed ADD; the caller's DEL does.
              w = delNetworkList(w, rt, list, rc).world;
            }
          } else if (op === 'DEL') {
            const r1 = delNetworkList(w, rt, list, rc);
            expect(r1.error).toBeUndefined();
            const r2 = delNetworkList(r1.world, rt, list, rc);
            expect(r2.error).toBeUndefined();
            expect(noChange(r1.world, r2.world)).toEqual([]);
            w = r2.world;
            live.delete(pod);
          } else {
            const r = checkNetworkList(w, rt, list, rc);
            // A live attachment passes CHECK unless portmap is in the chain
            // (1.1.1's portmap also checks ip6tables) or a route without a
            // gateway is expected (bridge installs it via the gateway).
            if (live.has(pod) && !c.portmap) expect(r.error).toBeUndefined();
            if (!live.has(pod)) expect(r.ok).toBe(false);
          }
          const ips = [...live].map((p) => podIp(w, p));
          for (const ip of ips) {
            expect(ip).toBeDefined();
            expect(inRange(ip!, c)).toBe(true);
          }
          expect(new Set(ips).size).toBe(ips.length);
          const res = reservations(w);
          expect([...res.entries()].sort()).toEqual([...live].map((p) => [podIp(w, p)!, `c${p}`]).sort());
        }
      }),
      params('sequences'),
    );
  });

  it('ADD then DEL restores the world but for the documented leaks', () => {
    fc.assert(
      fc.property(cfgArb, fc.integer({ min: 0, max: PODS - 1 }), fc.boolean(), (c, pod, other) => {
        const list = listOf(c);
        let w = baseWorld();
        // Sometimes another pod is attached already (shared bridge, chains).
        if (other) w = addNetworkList(w, rt, list, rcOf((pod + 1) % PODS)).world;
        const before = w;
        const add = addNetworkList(before, rt, list, rcOf(pod));
        if (!add.ok) return; // size-1 range already taken
        const del = delNetworkList(add.world, rt, list, rcOf(pod));
        expect(del.error).toBeUndefined();
        expect(unexpected(before, del.world)).toEqual([]);
      }),
      params('add-del'),
    );
  });

  it('a failed ADD, then the runtime DEL, leaves nothing undocumented', () => {
    fc.assert(
      fc.property(cfgArb, (c) => {
        const list = listOf(c);
        let w = baseWorld();
        // Fill the range, then one more pod fails (exhaustion).
        let pod = 0;
        for (; pod < Math.min(c.size, PODS - 1); pod++) {
          const r = addNetworkList(w, rt, list, rcOf(pod));
          expect(r.error).toBeUndefined();
          w = r.world;
        }
        if (pod < c.size) return;
        const before = w;
        const fail = addNetworkList(before, rt, list, rcOf(pod));
        expect(fail.ok).toBe(false);
        expect(fail.error).toContain('no IP addresses available in range set');
        const td = delNetworkList(fail.world, rt, list, rcOf(pod));
        expect(td.error).toBeUndefined();
        expect(unexpected(before, td.world)).toEqual([]);
        expect(noChange(before, td.world).filter((x) => x.startsWith(`p${pod}:`) && !/ lo |lo 127|dev lo$/.test(x))).toEqual([]);
      }),
      params('failed-add'),
    );
  });
});
