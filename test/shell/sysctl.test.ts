import { describe, expect, it } from 'vitest';
import { produce } from 'immer';
import { runScript } from '../../src/shell/interp.js';
import { freshMachine } from '../../src/sim/ops/netns.js';
import { confFor } from '../../src/sim/ops/netns.js';
import { ROOT_NS, type VethLink, type World } from '../../src/model/world.js';
import type { Mac } from '../../src/model/addr.js';

/** A machine with a veth pair v1/v2 (as `ip link add v1 type veth peer name v2`). */
function withVeth(): World {
  const w = freshMachine(1);
  return produce(w, (d) => {
    const ns = d.ns[ROOT_NS]!;
    const mk = (ifindex: number, name: string, peer: number): VethLink => ({
      kind: 'veth',
      ifindex,
      name,
      mtu: 1500,
      mac: `02:00:00:00:00:0${ifindex}` as Mac,
      adminUp: false,
      txqlen: 1000,
      promisc: false,
      addrs: [],
      conf: confFor(w, w.ns[ROOT_NS], 'new'),
      peer: { ns: ROOT_NS, ifindex: peer },
    });
    ns.links[2] = mk(2, 'v1', 3) as never;
    ns.links[3] = mk(3, 'v2', 2) as never;
    ns.nextIfindex = 4;
  });
}

const run = (script: string, world?: World) => runScript(script, world ? { world } : {}).output;

describe('sysctl (outputs recorded from procps-ng 4.0.2 on Linux 6.18)', () => {
  it('reads and writes ip_forward, with and without -w, -q and -n', () => {
    expect(
      run(
        'sysctl net.ipv4.ip_forward\nsysctl -w net.ipv4.ip_forward=1\nsysctl net.ipv4.ip_forward=0\necho rc=$?\n' +
          'sysctl -q -w net.ipv4.ip_forward=1\nsysctl -q net.ipv4.ip_forward\nsysctl -n net.ipv4.ip_forward\n' +
          'sysctl net/ipv4/ip_forward\nsysctl -w net/ipv4/ip_forward=0\nsysctl -wq net.ipv4.ip_forward=1\nsysctl --values net.ipv4.ip_forward\n',
      ),
    ).toBe(
      'net.ipv4.ip_forward = 0\nnet.ipv4.ip_forward = 1\nnet.ipv4.ip_forward = 0\nrc=0\n' +
        'net.ipv4.ip_forward = 1\n1\nnet.ipv4.ip_forward = 1\nnet.ipv4.ip_forward = 0\n1\n',
    );
  });

  it('ip_forward switches conf.all, conf.default and every device (inet_forward_change)', () => {
    const out = run(
      'sysctl -w net.ipv4.ip_forward=5\nsysctl net.ipv4.conf.all.forwarding net.ipv4.conf.default.forwarding net.ipv4.conf.v1.forwarding\n' +
        'sysctl -w net.ipv4.conf.default.forwarding=0\nsysctl net.ipv4.conf.v1.forwarding net.ipv4.ip_forward\n' +
        'sysctl -w net.ipv4.conf.all.forwarding=0\nsysctl net.ipv4.conf.v1.forwarding net.ipv4.conf.v2.forwarding net.ipv4.ip_forward net.ipv4.conf.default.forwarding\n',
      withVeth(),
    );
    expect(out).toBe(
      'net.ipv4.ip_forward = 5\nnet.ipv4.conf.all.forwarding = 5\nnet.ipv4.conf.default.forwarding = 5\nnet.ipv4.conf.v1.forwarding = 5\n' +
        'net.ipv4.conf.default.forwarding = 0\nnet.ipv4.conf.v1.forwarding = 5\nnet.ipv4.ip_forward = 5\n' +
        'net.ipv4.conf.all.forwarding = 0\nnet.ipv4.conf.v1.forwarding = 0\nnet.ipv4.conf.v2.forwarding = 0\nnet.ipv4.ip_forward = 0\nnet.ipv4.conf.default.forwarding = 0\n',
    );
  });

  it('conf.default reaches devices that did not set the key, never lo', () => {
    const out = run(
      'sysctl -w net.ipv4.conf.v1.rp_filter=2\nsysctl -w net.ipv4.conf.default.rp_filter=1\n' +
        'sysctl net.ipv4.conf.v1.rp_filter net.ipv4.conf.v2.rp_filter net.ipv4.conf.lo.rp_filter net.ipv4.conf.all.rp_filter\n',
      withVeth(),
    );
    expect(out).toBe(
      'net.ipv4.conf.v1.rp_filter = 2\nnet.ipv4.conf.default.rp_filter = 1\n' +
        'net.ipv4.conf.v1.rp_filter = 2\nnet.ipv4.conf.v2.rp_filter = 1\nnet.ipv4.conf.lo.rp_filter = 0\nnet.ipv4.conf.all.rp_filter = 0\n',
    );
  });

  it('lo follows conf.default only until it first comes up (ipv4_devconf_setall)', () => {
    const out = run(
      'ip netns add n\nip netns exec n sysctl -q -w net.ipv4.conf.default.rp_filter=1\n' +
        'ip netns exec n sysctl net.ipv4.conf.lo.rp_filter\n' +
        'ip -n n link set lo up\nip netns exec n sysctl -q -w net.ipv4.conf.default.rp_filter=2\n' +
        'ip netns exec n sysctl net.ipv4.conf.lo.rp_filter\n',
    );
    expect(out).toBe('net.ipv4.conf.lo.rp_filter = 1\nnet.ipv4.conf.lo.rp_filter = 1\n');
  });

  it('reports unknown keys, bad values and bad syntax like procps', () => {
    const out = run(
      'sysctl net.ipv4.nope\necho rc=$?\nsysctl -w net.ipv4.nope=1\necho rc=$?\nsysctl -e net.ipv4.nope\necho rc=$?\n' +
        'sysctl -w net.ipv4.ip_forward\necho rc=$?\nsysctl -w net.ipv4.ip_forward=\necho rc=$?\nsysctl -w net.ipv4.ip_forward=abc\necho rc=$?\n' +
        'sysctl -w net.ipv4.ip_default_ttl=256\necho rc=$?\nsysctl net.ipv4.conf.eth9.forwarding\necho rc=$?\n' +
        'sysctl net.ipv4.ip_forward.x\necho rc=$?\nsysctl net.ipv4.ip_forward net.ipv4.nope net.ipv4.ip_default_ttl\necho rc=$?\n' +
        'sysctl -w\necho rc=$?\n',
    );
    expect(out).toBe(
      'sysctl: cannot stat /proc/sys/net/ipv4/nope: No such file or directory\nrc=1\n' +
        'sysctl: cannot stat /proc/sys/net/ipv4/nope: No such file or directory\nrc=1\nrc=0\n' +
        'sysctl: command line(0): invalid syntax, continuing...\nrc=1\n' +
        'sysctl: setting key "net.ipv4.ip_forward": Invalid argument\nrc=1\n' +
        'sysctl: setting key "net.ipv4.ip_forward": Invalid argument\nrc=1\n' +
        'sysctl: setting key "net.ipv4.ip_default_ttl": Invalid argument\nrc=1\n' +
        'sysctl: cannot stat /proc/sys/net/ipv4/conf/eth9/forwarding: No such file or directory\nrc=1\n' +
        'sysctl: cannot stat /proc/sys/net/ipv4/ip_forward/x: Not a directory\nrc=1\n' +
        'net.ipv4.ip_forward = 0\nsysctl: cannot stat /proc/sys/net/ipv4/nope: No such file or directory\nnet.ipv4.ip_default_ttl = 64\nrc=1\n' +
        "sysctl: no variables specified\nTry `sysctl --help' for more information.\nrc=1\n",
    );
  });

  it('parses integers like proc_dointvec and keeps vectors tab-separated', () => {
    const out = run(
      'sysctl -w net.ipv4.ip_forward=010\nsysctl net.ipv4.ip_forward\nsysctl -w net.ipv4.ip_forward=1abc\necho rc=$?\n' +
        'sysctl -w "net.ipv4.ip_local_port_range= 2000 3000 "\nsysctl net.ipv4.ip_local_port_range\n' +
        'sysctl -w net.ipv4.ip_local_port_range="5000 4000"\necho rc=$?\nsysctl -w net.ipv4.ip_local_port_range=2500\nsysctl net.ipv4.ip_local_port_range\n' +
        'sysctl -w net.ipv4.ip_forward=99999999999\necho rc=$?\n',
    );
    expect(out).toBe(
      'net.ipv4.ip_forward = 010\nnet.ipv4.ip_forward = 8\nsysctl: setting key "net.ipv4.ip_forward": Invalid argument\nrc=1\n' +
        'net.ipv4.ip_local_port_range = 2000 3000\nnet.ipv4.ip_local_port_range = 2000\t3000\n' +
        'sysctl: setting key "net.ipv4.ip_local_port_range": Invalid argument\nrc=1\nnet.ipv4.ip_local_port_range = 2500\nnet.ipv4.ip_local_port_range = 2500\t3000\n' +
        'sysctl: setting key "net.ipv4.ip_forward": Invalid argument\nrc=1\n',
    );
  });

  it('clamps bridge-nf-call-* to 1 and lists a directory in name order', () => {
    const out = run('sysctl -w net.bridge.bridge-nf-call-iptables=2\nsysctl -w net.bridge.bridge-nf-call-ip6tables=0\nsysctl net.bridge\n');
    expect(out).toBe(
      'net.bridge.bridge-nf-call-iptables = 2\nnet.bridge.bridge-nf-call-ip6tables = 0\n' +
        'net.bridge.bridge-nf-call-arptables = 1\nnet.bridge.bridge-nf-call-ip6tables = 0\nnet.bridge.bridge-nf-call-iptables = 1\n' +
        'net.bridge.bridge-nf-filter-pppoe-tagged = 0\nnet.bridge.bridge-nf-filter-vlan-tagged = 0\nnet.bridge.bridge-nf-pass-vlan-input-dev = 0\n',
    );
  });

  it('lists a device directory with lo specifics', () => {
    const out = run('sysctl net.ipv4.conf.lo\n');
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(33);
    expect(lines[0]).toBe('net.ipv4.conf.lo.accept_local = 0');
    expect(lines).toContain('net.ipv4.conf.lo.disable_policy = 1');
    expect(lines[32]).toBe('net.ipv4.conf.lo.tag = 0');
  });

  it('net.ipv6.conf.all.disable_ipv6 reaches default and every device', () => {
    const out = run(
      'sysctl -w net.ipv6.conf.all.disable_ipv6=1\nsysctl net.ipv6.conf.v1.disable_ipv6 net.ipv6.conf.default.disable_ipv6 net.ipv6.conf.lo.mtu\n',
      withVeth(),
    );
    expect(out).toBe(
      'net.ipv6.conf.all.disable_ipv6 = 1\nnet.ipv6.conf.v1.disable_ipv6 = 1\nnet.ipv6.conf.default.disable_ipv6 = 1\nnet.ipv6.conf.lo.mtu = 65536\n',
    );
  });

  it('writing a directory prints EINVAL but exits 0 (procps quirk)', () => {
    expect(run('sysctl -w net.ipv4.conf.lo=1\necho rc=$?\n')).toBe('sysctl: setting key "net.ipv4.conf.lo": Invalid argument\nrc=0\n');
  });
});

describe('sysctl net.ipv4.neigh.DEV.* (recorded on Linux 6.18, CONFIG_HZ=250)', () => {
  it('writes per-device keys, converting through jiffies as the kernel does', () => {
    const out = run(
      'sysctl -w net.ipv4.neigh.v1.proxy_delay=0 net.ipv4.neigh.v2.proxy_delay=7\n' +
        'sysctl net.ipv4.neigh.v1.proxy_delay net.ipv4.neigh.v2.proxy_delay\n' +
        'sysctl -w net.ipv4.neigh.v1.base_reachable_time_ms=5\nsysctl net.ipv4.neigh.v1.base_reachable_time_ms\n' +
        'sysctl -w net.ipv4.neigh.v1.retrans_time=33\nsysctl net.ipv4.neigh.v1.retrans_time_ms net.ipv4.neigh.v1.retrans_time\n' +
        'sysctl -w net.ipv4.neigh.v1.proxy_delay=-5\nsysctl net.ipv4.neigh.v1.proxy_delay\n' +
        'sysctl -w net.ipv4.neigh.v1.unres_qlen=5\nsysctl net.ipv4.neigh.v1.unres_qlen_bytes\n' +
        'sysctl -w net.ipv4.neigh.v1.ucast_solicit=-1\necho rc=$?\n' +
        'sysctl -w net.ipv4.neigh.v1.gc_stale_time=2147483647\necho rc=$?\n' +
        'sysctl net.ipv4.neigh.v2.proxy_qlen net.ipv6.neigh.v2.locktime\n',
      withVeth(),
    );
    expect(out).toBe(
      'net.ipv4.neigh.v1.proxy_delay = 0\nnet.ipv4.neigh.v2.proxy_delay = 7\n' +
        'net.ipv4.neigh.v1.proxy_delay = 0\nnet.ipv4.neigh.v2.proxy_delay = 6\n' +
        'net.ipv4.neigh.v1.base_reachable_time_ms = 5\nnet.ipv4.neigh.v1.base_reachable_time_ms = 8\n' +
        'net.ipv4.neigh.v1.retrans_time = 33\nnet.ipv4.neigh.v1.retrans_time_ms = 328\nnet.ipv4.neigh.v1.retrans_time = 32\n' +
        'net.ipv4.neigh.v1.proxy_delay = -5\nnet.ipv4.neigh.v1.proxy_delay = -0\n' +
        'net.ipv4.neigh.v1.unres_qlen = 5\nnet.ipv4.neigh.v1.unres_qlen_bytes = 10450\n' +
        'sysctl: setting key "net.ipv4.neigh.v1.ucast_solicit": Invalid argument\nrc=1\n' +
        'sysctl: setting key "net.ipv4.neigh.v1.gc_stale_time": Invalid argument\nrc=1\n' +
        'net.ipv4.neigh.v2.proxy_qlen = 64\nnet.ipv6.neigh.v2.locktime = 0\n',
    );
  });

  it('has no neigh.default in a namespace, and the deprecated keys exist but are not listed', () => {
    const out = run('sysctl net.ipv4.neigh.default.proxy_delay\necho rc=$?\nsysctl net.ipv4.neigh.v1\n', withVeth());
    expect(out).toMatch(/^sysctl: cannot stat \/proc\/sys\/net\/ipv4\/neigh\/default\/proxy_delay: No such file or directory\nrc=1\n/);
    expect(out).toContain('net.ipv4.neigh.v1.retrans_time_ms = 1000\n');
    expect(out).not.toContain('net.ipv4.neigh.v1.retrans_time = ');
    expect(out.split('\n').length).toBe(2 + 15 + 1);
  });
});

describe('sysctl ip_forward side effects', () => {
  it('a change flips conf.all.accept_redirects; writing the same value leaves the devices alone', () => {
    const out = run(
      'sysctl -w net.ipv4.ip_forward=1\nsysctl net.ipv4.conf.all.accept_redirects\n' +
        'sysctl -w net.ipv4.conf.v1.forwarding=0\nsysctl -w net.ipv4.ip_forward=1\nsysctl net.ipv4.conf.v1.forwarding\n' +
        'sysctl -w net.ipv4.conf.all.forwarding=0\nsysctl net.ipv4.conf.all.accept_redirects net.ipv4.conf.v2.forwarding\n',
      withVeth(),
    );
    expect(out).toBe(
      'net.ipv4.ip_forward = 1\nnet.ipv4.conf.all.accept_redirects = 0\n' +
        'net.ipv4.conf.v1.forwarding = 0\nnet.ipv4.ip_forward = 1\nnet.ipv4.conf.v1.forwarding = 0\n' +
        'net.ipv4.conf.all.forwarding = 0\nnet.ipv4.conf.all.accept_redirects = 1\nnet.ipv4.conf.v2.forwarding = 0\n',
    );
  });
});
