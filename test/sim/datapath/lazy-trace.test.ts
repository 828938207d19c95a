/**
 * Lazy trace steps and the per-object memos of the walk's hot path
 * (src/sim/datapath/engine.ts StepRec, route-input.ts conf memos): the text
 * a trace shows does not depend on when it is read, the trace is plain data
 * to its readers, and a sysctl write is seen by the next walk.
 */
import { describe, expect, it } from "vitest";
import { walk } from "../../../src/sim/datapath/engine.js";
import { runScript } from "../../../src/shell/interp.js";
import { formatTrace } from "../../../src/sim/format-trace.js";
import { echoRequest } from "../../../src/sim/packet.js";
import type { Trace } from "../../../src/sim/trace.js";
import { ip, pair, router3 } from "./topo.js";

const ping = (src: string, dst: string) =>
  echoRequest({
    src: ip(src),
    dst: ip(dst),
    id: 7,
    seq: 1,
    payload: 56,
    ttl: 64,
  });

describe("lazy trace steps", () => {
  it("reads as plain data: own enumerable hops and reason, the same on every read, in JSON and spreads", () => {
    const t = router3();
    const r = walk(t.world, {
      kind: "output",
      ns: "a",
      pkt: ping("10.0.1.2", "10.0.2.2"),
    });
    const tr = r.trace;
    expect(Object.keys(tr)).toEqual([
      "title",
      "hops",
      "disposition",
      "endedIn",
      "reason",
    ]);
    expect(tr.hops).toBe(tr.hops); // materialised once
    const steps = tr.hops.flatMap((h) => h.steps);
    expect(steps.length).toBeGreaterThan(5);
    for (const s of steps) expect(typeof s.action).toBe("string");
    expect(
      steps.some(
        (s) =>
          s.kind === "route" &&
          s.action === "10.0.2.2 is not local: forward via direct" &&
          s.entry === "10.0.2.0/24 dev rb proto kernel scope link src 10.0.2.1",
      ),
    ).toBe(true);
    const json = JSON.parse(JSON.stringify(tr)) as typeof tr;
    expect(json.hops.length).toBe(tr.hops.length);
    expect(json.reason).toBe(tr.reason);
    expect({ ...tr }).toEqual(json);
  });

  it("shows the state as it was during the walk, even when read after later walks changed it", () => {
    const t = pair();
    // First walk: ARP needed (the packet is queued, the entry INCOMPLETE then REACHABLE).
    const r1 = walk(t.world, {
      kind: "output",
      ns: "a",
      pkt: ping("10.0.0.1", "10.0.0.2"),
    });
    // Second walk on its world: the entry is now REACHABLE.
    const r2 = walk(
      r1.world,
      { kind: "output", ns: "a", pkt: ping("10.0.0.1", "10.0.0.2") },
      { now: r1.world.clockMs + 10 },
    );
    // A third, 40 s later: REACHABLE has aged to STALE, the walk turns it to DELAY.
    const r3 = walk(
      r2.world,
      { kind: "output", ns: "a", pkt: ping("10.0.0.1", "10.0.0.2") },
      { now: r1.world.clockMs + 40000 },
    );
    const neighSteps = (x: typeof r1) =>
      x.trace.hops
        .flatMap((h) => h.steps)
        .filter((s) => s.kind === "neighbour")
        .map((s) => s.action);
    // Read in reverse order, after every walk is done.
    expect(neighSteps(r3)).toEqual([
      "neighbour 10.0.0.2 dev va was STALE: used, now DELAY",
    ]);
    expect(neighSteps(r2)).toEqual(["neighbour 10.0.0.2 dev va is REACHABLE"]);
    expect(neighSteps(r1)[0]).toBe(
      "neighbour 10.0.0.2 dev va unknown: packet queued, ARP request sent",
    );
    expect(r1.trace.disposition).toBe("delivered");
    expect(r1.trace.reason).toBe(
      "echo request delivered to netns b, which replies",
    );
    expect(formatTrace(r2.trace)).toContain(
      "neighbour 10.0.0.2 dev va is REACHABLE  [10.0.0.2 dev va lladdr",
    );
  });

  it("a discarded walk changes nothing and still has its whole trace", () => {
    const t = pair();
    const r = walk(
      t.world,
      { kind: "output", ns: "a", pkt: ping("10.0.0.1", "10.0.0.2") },
      { discard: true },
    );
    expect(r.world).toBe(t.world);
    expect(t.world.ns["a"]!.neigh.length).toBe(0);
    expect(r.trace.hops.length).toBeGreaterThan(2);
  });
});

// An L2 overlay (as conformance 109-vxlan-l2-pods): on nodes n1/n2 a bridge br0
// holds a pod veth (vh1/vh2) and a VXLAN device vx0 (vni 9, `remote` the other
// node); pods p1 10.9.0.11 and p2 10.9.0.12 share one subnet.
const OVERLAY = `ip netns add n1
ip netns add n2
ip netns add p1
ip netns add p2
ip link add eth0 netns n1 type veth peer name eth0 netns n2
ip -n n1 addr add 192.168.9.1/24 dev eth0
ip -n n2 addr add 192.168.9.2/24 dev eth0
ip -n n1 link set eth0 up
ip -n n2 link set eth0 up
ip -n n1 link add vx0 type vxlan id 9 remote 192.168.9.2 dstport 4789 dev eth0
ip -n n2 link add vx0 type vxlan id 9 remote 192.168.9.1 dstport 4789 dev eth0
ip -n n1 link add br0 type bridge
ip -n n2 link add br0 type bridge
ip -n n1 link add vh1 type veth peer name eth0 netns p1 address 02:00:00:00:09:11
ip -n n2 link add vh2 type veth peer name eth0 netns p2 address 02:00:00:00:09:12
ip -n n1 link set vh1 master br0
ip -n n1 link set vx0 master br0
ip -n n2 link set vh2 master br0
ip -n n2 link set vx0 master br0
ip -n n1 link set vx0 up
ip -n n2 link set vx0 up
ip -n n1 link set vh1 up
ip -n n2 link set vh2 up
ip -n n1 link set br0 up
ip -n n2 link set br0 up
ip -n p1 addr add 10.9.0.11/24 dev eth0
ip -n p2 addr add 10.9.0.12/24 dev eth0
ip -n p1 link set eth0 up
ip -n p2 link set eth0 up
`;

/**
 * Four pings p1 -> p2 across the overlay, each walk on the world the last
 * one left: (1) everything to learn (ARP through both bridges and VXLAN
 * devices), (2) every FDB known, (3) 400 s later, the bridges' entries aged
 * out (ageing 300 s): flooded and learned again, (4) n2's br0 set down: its
 * ports are disabled. `readEach` reads each trace right after its walk;
 * otherwise none is read until all four walks and the `ip link set` ran.
 */
function overlayWalks(readEach: boolean): { traces: Trace[]; texts: string[] } {
  const setup = runScript(OVERLAY);
  expect(setup.unsupported).toEqual([]);
  const go = () =>
    ({ kind: "output", ns: "p1", pkt: ping("10.9.0.11", "10.9.0.12") }) as const;
  const texts: string[] = [];
  const read = (t: Trace) =>
    formatTrace(t) + "\n" + JSON.stringify(t);
  const r1 = walk(setup.world, go());
  if (readEach) texts.push(read(r1.trace));
  const t0 = r1.world.clockMs;
  const r2 = walk(r1.world, go(), { now: t0 + 10 });
  if (readEach) texts.push(read(r2.trace));
  const r3 = walk(r2.world, go(), { now: t0 + 400_000 });
  if (readEach) texts.push(read(r3.trace));
  const down = runScript("ip -n n2 link set br0 down\n", { world: r3.world });
  expect(down.unsupported).toEqual([]);
  const r4 = walk(down.world, go());
  if (readEach) texts.push(read(r4.trace));
  const traces = [r1.trace, r2.trace, r3.trace, r4.trace];
  // Read last to first, after every walk and the state change.
  if (!readEach) texts.push(...traces.slice().reverse().map(read).reverse());
  return { traces, texts };
}

const stepsOf = (t: Trace) =>
  t.hops.flatMap((h) =>
    h.steps.map((s) => (s.entry ? `${s.action}  [${s.entry}]` : s.action)),
  );

describe("lazy device steps (bridge, VXLAN, veth)", () => {
  it("read after later walks changed the FDBs and the bridge's state, a trace shows the state of its own walk", () => {
    const late = overlayWalks(false);
    const early = overlayWalks(true);
    expect(late.texts).toEqual(early.texts);
    const [t1, t2, t3, t4] = late.traces.map(stepsOf) as [
      string[],
      string[],
      string[],
      string[],
    ];
    // Walk 1: entries learned during the walk itself (in its drafts) are
    // quoted as they were when the reply used them.
    expect(t1).toContain("br0: learned 02:00:00:00:09:11 on vh1");
    expect(t1).toContain("vx0: learned 02:00:00:00:09:11 dst 192.168.9.1");
    expect(t1).toContain(
      "br0: 02:00:00:00:09:11 is known on vx0  [02:00:00:00:09:11 dev vx0 master br0]",
    );
    expect(
      t1.some((a) =>
        /^vx0: VXLAN vni 9 to 192\.168\.9\.1:4789 \(udp sport \d+\), 78 bytes outer  \[02:00:00:00:09:11 dst 192\.168\.9\.1 self\]$/.test(
          a,
        ),
      ),
    ).toBe(true);
    expect(
      t1.some((a) =>
        /^vx0: VXLAN vni 9 to 192\.168\.9\.2:4789 \(udp sport \d+\), 78 bytes outer  \[00:00:00:00:00:00 dst 192\.168\.9\.2 via eth0 self permanent\]$/.test(
          a,
        ),
      ),
    ).toBe(true);
    expect(t1).toContain(
      "br0: broadcast flooded to 1 other port(s) and passed up to br0",
    );
    // Walk 2: all known.
    expect(t2).toContain("br0: refreshed 02:00:00:00:09:11 on vh1");
    expect(t2).toContain(
      "br0: 02:00:00:00:09:12 is known on vx0  [02:00:00:00:09:12 dev vx0 master br0]",
    );
    expect(t2).toContain(
      "br0: 02:00:00:00:09:12 is known on vh2  [02:00:00:00:09:12 dev vh2 master br0]",
    );
    expect(t2).toContain("vx0: VXLAN vni 9 from 192.168.9.1: decapsulated");
    expect(t2).toContain(
      "vh2 -> peer eth0 in netns p2 (10.9.0.11 -> 10.9.0.12)",
    );
    expect(late.traces[1]!.disposition).toBe("delivered");
    // Walk 3: the bridges' entries aged out: flooded, learned again.
    expect(t3).toContain("br0: 02:00:00:00:09:12 unknown: flooded to 1 other port(s)");
    expect(t3).toContain("br0: learned 02:00:00:00:09:11 on vx0");
    expect(t3.some((a) => a.includes("is known on"))).toBe(false);
    // Walk 4: n2's bridge is down.
    expect(t4).toContain("br0: port vx0 is disabled: frame dropped");
    expect(late.traces[3]!.disposition).toBe("link_down");
    expect(late.traces[3]!.reason).toBe(
      "bridge port vx0 is not forwarding (is br0 up?)",
    );
  });
});

describe("conf memos of the input route", () => {
  it("sees a later sysctl write (rp_filter) on the next walk", () => {
    const t = router3();
    // A spoofed source from b's subnet arriving on ra: forwarded with rp_filter=0, dropped with strict rp_filter.
    const frame = () => ({
      src: t.link("a", "va").mac,
      dst: t.link("r", "ra").mac,
      type: "ipv4" as const,
      ip: ping("10.0.2.99", "10.0.2.2"),
    });
    // t.world is read at each call: the second walk sees the sysctl change.
    const rx = () =>
      walk(
        t.world,
        { kind: "rx", ns: "r", ifindex: t.link("r", "ra").ifindex, frame: frame() },
        { discard: true },
      );
    const before = rx();
    expect(before.trace.hops[0]!.steps.some((s) => s.kind === "forward")).toBe(
      true,
    );
    t.sysctl("r", "net.ipv4.conf.all.rp_filter", "1");
    const after = rx();
    expect(after.trace.disposition).toBe("rp_filter");
  });
});
