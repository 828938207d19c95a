/**
 * settleLinks() visits only the namespaces whose link state can have changed
 * (issue #7). Its soundness is checked against settling every namespace, on
 * every conformance script and on the cases the marker must not miss: a veth
 * peer's state in another namespace, timers firing on a sleep.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runScript } from '../../../src/shell/interp.js';
import { settleCheck } from '../../../src/sim/ops/mcast.js';
import { addPod, buildCluster, calico, cilium, deletePod, flannelHostGw, flannelVxlan, kubenet, weave } from '../../../src/cluster/index.js';

beforeEach(() => {
  settleCheck.enabled = true;
  settleCheck.mismatches = 0;
  settleCheck.visited = 0;
});
afterEach(() => {
  settleCheck.enabled = false;
});

describe('settleLinks visits only what can have changed', () => {
  it('gives the world settling every namespace gives, after every command of every conformance script', () => {
    const dir = join(import.meta.dirname, '..', '..', '..', 'conformance', 'scripts');
    const scripts = readdirSync(dir)
      .filter((f) => f.endsWith('.sh'))
      .sort();
    expect(scripts.length).toBeGreaterThan(100);
    const bad: string[] = [];
    for (const f of scripts) {
      settleCheck.mismatches = 0;
      runScript(readFileSync(join(dir, f), 'utf8'));
      if (settleCheck.mismatches > 0) bad.push(f);
    }
    expect(bad).toEqual([]);
  }, 600_000);

  it('gives the same world as settling every namespace while a cluster is built through the emulated CNI and churned', () => {
    for (const design of [flannelHostGw(), flannelVxlan(), kubenet(), calico(), weave(), cilium()]) {
      let c = buildCluster({ nodes: ['n0', 'n1'], design });
      for (let i = 0; i < 3; i++) for (const node of ['n0', 'n1']) c = addPod(c, { name: `p-${node}-${i}`, node });
      c = deletePod(c, 'p-n0-1');
      c = addPod(c, { name: 'p-late', node: 'n0' });
    }
    expect(settleCheck.visited).toBeGreaterThan(0);
    expect(settleCheck.mismatches).toBe(0);
  });

  it("follows a veth peer's admin state in another namespace (carrier, link-local, the bridge's port state)", () => {
    const out = runScript(
      'ip netns add a\nip netns add b\n' +
        'ip -n a link add br0 type bridge\nip -n a link set br0 up\n' +
        'ip -n a link add va address 02:00:00:00:07:0a type veth peer name vb netns b address 02:00:00:00:07:0b\n' +
        'ip -n a link set va master br0\nip -n a link set va up\n' +
        'bridge -n a fdb show dev va\necho --\n' +
        // Only namespace b changes: a's veth gets its carrier, its link-local and a forwarding port.
        'ip -n b link set vb up\nbridge -n a fdb show dev va\nbridge -n a link show\necho --\n' +
        'sleep 1\nbridge -n a fdb show br br0\n',
    );
    expect(settleCheck.mismatches).toBe(0);
    // As Linux 6.18 printed it (the bridge's random MAC aside).
    const block = (from: string, to: string) => out.output.slice(out.output.indexOf(from), out.output.indexOf(to, out.output.indexOf(from) + 1));
    expect(block('--\n', '3: va')).toBe('--\n02:00:00:00:07:0a master br0 permanent\n33:33:00:00:00:01 self permanent\n01:00:5e:00:00:01 self permanent\n33:33:ff:00:07:0a self permanent\n');
    expect(out.output).toContain('3: va@br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state forwarding priority 32 cost 2 \n');
    // vb's link-local chatter one second later: the bridge learned its MAC on va.
    expect(out.output).toContain('02:00:00:00:07:0b dev va master br0');
  });

  it('fires timers on a command that touches nothing (FDB ageing after a sleep)', () => {
    // A learned entry ages out at the ageing time (br_fdb_cleanup); the sleeps change no
    // namespace, so only the marker's timer sends the settle back to namespace a.
    const out = runScript(
      'ip netns add a\nip netns add b\n' +
        'ip -n a link add br0 type bridge\nip -n a link set br0 up\n' +
        'ip -n a link add va type veth peer name vb netns b address 02:00:00:00:07:0b\n' +
        'ip -n a link set va master br0\nip -n a link set va up\nip -n b link set vb up\n' +
        'sleep 2\nbridge -n a fdb show br br0 dev va\necho --\nsleep 400\nbridge -n a fdb show br br0 dev va\n',
    );
    expect(settleCheck.mismatches).toBe(0);
    const [before, after] = out.output.split('--\n');
    expect(before).toContain('02:00:00:00:07:0b master br0 \n');
    expect(after).not.toContain('07:0b');
  });

  it("moves a port's local FDB entry when only the port's MAC changed (the bridge's MAC was set)", () => {
    // Output as Linux 6.18 printed it (br_fdb_changeaddr).
    const out = runScript(
      'ip netns add a\nip -n a link add br0 address 02:00:00:00:08:01 type bridge\n' +
        'ip -n a link add p0 address 02:00:00:00:08:10 type veth peer name q0\nip -n a link set p0 master br0\n' +
        'ip -n a link set p0 address 02:00:00:00:08:20\nbridge -n a fdb show br br0\n',
    );
    expect(settleCheck.mismatches).toBe(0);
    expect(out.output).toBe(
      '33:33:00:00:00:01 dev br0 self permanent\n02:00:00:00:08:01 dev br0 master br0 permanent\n' + '02:00:00:00:08:20 dev p0 master br0 permanent\n33:33:00:00:00:01 dev p0 self permanent\n',
    );
  });

  it('visits only the namespaces a command changed (and their veth peers)', () => {
    let script = '';
    for (let i = 0; i < 30; i++) script += `ip netns add p${i}\nip link add h${i} type veth peer name e${i} netns p${i}\nip link set h${i} up\n`;
    runScript(script);
    settleCheck.enabled = false;
    settleCheck.visited = 0;
    runScript(script + 'ip -n p7 link set e7 up\n');
    const all = settleCheck.visited;
    settleCheck.visited = 0;
    runScript(script);
    // The extra command settles p7 and the root namespace (h7's carrier), nothing else.
    expect(all - settleCheck.visited).toBe(2);
  });
});
