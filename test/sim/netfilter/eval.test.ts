/**
 * nfHook: rule evaluation, counters, conntrack and NAT, driven by hand along
 * the hooks the kernel runs (the datapath engineer's walk, reduced to the
 * netfilter calls). Expected texts come from the kernel recording of
 * conformance/scripts/154-nat-counters.sh.
 */
import { produce } from 'immer';
import { describe, expect, it } from 'vitest';
import { parseIp4, type Ip4 } from '../../../src/model/addr.js';
import type { Hook } from '../../../src/model/netfilter.js';
import type { World } from '../../../src/model/world.js';
import { runScript } from '../../../src/shell/interp.js';
import { nfHook, type NfDevs, type NfResult } from '../../../src/sim/netfilter/index.js';
import type { Ipv4Packet } from '../../../src/sim/packet.js';
import type { Step } from '../../../src/sim/trace.js';

const ip = (s: string): Ip4 => parseIp4(s)!;

function echo(src: string, dst: string, id: number, seq: number, type = 8): Ipv4Packet {
  return { src: ip(src), dst: ip(dst), proto: 1, ttl: 64, len: 84, df: true, tos: 0, id: seq, icmp: { type, code: 0, id, seq }, mark: 0 };
}

/** Run one hook of `ns` on `pkt`, returning the new world and the result. */
function hook(world: World, ns: string, h: Hook, pkt: Ipv4Packet, devs: NfDevs, steps?: Step[], nextHop?: string): [World, NfResult] {
  let res: NfResult | undefined;
  const w = produce(world, (d) => {
    res = nfHook(d.ns[ns]!, h, pkt, devs, { now: world.clockMs, step: (s) => steps?.push(s), ...(nextHop ? { nextHop: ip(nextHop) } : {}) });
  });
  return [w, res!];
}

/** The packet as it enters another namespace: conntrack attachment and mark are scrubbed. */
function scrub(p: Ipv4Packet): Ipv4Packet {
  const { ct: _ct, ...rest } = p;
  void _ct;
  return { ...rest, mark: 0 };
}

const SETUP = `ip netns add n154c
ip netns add n154r
ip netns add n154s
ip link add v154c netns n154c type veth peer name v154rc netns n154r
ip link add v154s netns n154s type veth peer name v154rs netns n154r
ip -n n154c link set v154c up
ip -n n154r link set v154rc up
ip -n n154r link set v154rs up
ip -n n154s link set v154s up
ip -n n154c addr add 10.154.1.2/24 dev v154c
ip -n n154r addr add 10.154.1.1/24 dev v154rc
ip -n n154r addr add 10.154.2.1/24 dev v154rs
ip -n n154s addr add 10.154.2.2/24 dev v154s
ip netns exec n154r iptables -t nat -A POSTROUTING -o v154rs -j MASQUERADE
ip netns exec n154r iptables -t nat -P PREROUTING ACCEPT
ip netns exec n154r iptables -A FORWARD -p icmp -j ACCEPT
ip netns exec n154r iptables -P OUTPUT ACCEPT
ip netns exec n154r iptables -t mangle -A FORWARD -i v154rc -j MARK --set-mark 0x154
ip netns exec n154r iptables -t mangle -A FORWARD -m mark --mark 0x154
ip netns exec n154s iptables -A INPUT -s 10.154.2.1 -p icmp
`;

/**
 * One echo request from c to s through r and its reply, hook by hook.
 * Returns the world and what c finally receives.
 */
function pingOnce(world: World, id: number, seq: number, steps?: Step[]): [World, Ipv4Packet | NfResult] {
  let w = world;
  let r: NfResult;
  // c: locally generated
  [w, r] = hook(w, 'n154c', 'OUTPUT', echo('10.154.1.2', '10.154.2.2', id, seq), { out: 'v154c' }, steps);
  [w, r] = hook(w, 'n154c', 'POSTROUTING', r.pkt, { out: 'v154c' }, steps);
  // r: forwarded
  let p = scrub(r.pkt);
  [w, r] = hook(w, 'n154r', 'PREROUTING', p, { in: 'v154rc' }, steps);
  [w, r] = hook(w, 'n154r', 'FORWARD', r.pkt, { in: 'v154rc', out: 'v154rs' }, steps);
  [w, r] = hook(w, 'n154r', 'POSTROUTING', r.pkt, { out: 'v154rs' }, steps, '10.154.2.2');
  // s: delivered, answered
  p = scrub(r.pkt);
  [w, r] = hook(w, 'n154s', 'PREROUTING', p, { in: 'v154s' }, steps);
  [w, r] = hook(w, 'n154s', 'INPUT', r.pkt, { in: 'v154s' }, steps);
  if (r.verdict !== 'accept') return [w, r];
  const req = r.pkt;
  const reply: Ipv4Packet = { ...echo('10.154.2.2', '10.154.2.1', req.icmp!.id!, seq, 0), src: req.dst, dst: req.src };
  [w, r] = hook(w, 'n154s', 'OUTPUT', reply, { out: 'v154s' }, steps);
  [w, r] = hook(w, 'n154s', 'POSTROUTING', r.pkt, { out: 'v154s' }, steps);
  // r: the reply, un-NATed from conntrack
  p = scrub(r.pkt);
  [w, r] = hook(w, 'n154r', 'PREROUTING', p, { in: 'v154rs' }, steps);
  [w, r] = hook(w, 'n154r', 'FORWARD', r.pkt, { in: 'v154rs', out: 'v154rc' }, steps);
  [w, r] = hook(w, 'n154r', 'POSTROUTING', r.pkt, { out: 'v154rc' }, steps, '10.154.1.2');
  // c: delivered
  p = scrub(r.pkt);
  [w, r] = hook(w, 'n154c', 'PREROUTING', p, { in: 'v154c' }, steps);
  [w, r] = hook(w, 'n154c', 'INPUT', r.pkt, { in: 'v154c' }, steps);
  return [w, r.pkt];
}

function sh(world: World, cmd: string): string {
  return runScript(cmd, { world }).output;
}

describe('nfHook through a MASQUERADE router (kernel: 154-nat-counters)', () => {
  const base = runScript(SETUP).world;

  it('translates the request and un-translates the reply', () => {
    const [w, got] = pingOnce(base, 25, 1);
    const reply = got as Ipv4Packet;
    expect(reply.src).toBe(ip('10.154.2.2'));
    expect(reply.dst).toBe(ip('10.154.1.2'));
    expect(reply.icmp?.type).toBe(0);
    expect(reply.icmp?.id).toBe(25);
    // s saw the router's address as the source (its INPUT rule on 10.154.2.1 counted it).
    expect(sh(w, 'ip netns exec n154s iptables -L INPUT -n -v -x')).toContain('       1       84            1    --  *      *       10.154.2.1');
  });

  it('ping -c 3 = one flow: MASQUERADE and the nat policy count 1, FORWARD counts 6', () => {
    let w = base;
    for (let seq = 1; seq <= 3; seq++) [w] = pingOnce(w, 25, seq);
    expect(sh(w, 'ip netns exec n154r iptables -t nat -L -n -v -x')).toBe(
      `Chain PREROUTING (policy ACCEPT 1 packets, 84 bytes)
    pkts      bytes target     prot opt in     out     source               destination         

Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
    pkts      bytes target     prot opt in     out     source               destination         

Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)
    pkts      bytes target     prot opt in     out     source               destination         

Chain POSTROUTING (policy ACCEPT 0 packets, 0 bytes)
    pkts      bytes target     prot opt in     out     source               destination         
       1       84 MASQUERADE  0    --  *      v154rs  0.0.0.0/0            0.0.0.0/0           
`,
    );
    expect(sh(w, 'ip netns exec n154r iptables -L -n -v -x')).toBe(
      `Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
    pkts      bytes target     prot opt in     out     source               destination         

Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)
    pkts      bytes target     prot opt in     out     source               destination         
       6      504 ACCEPT     1    --  *      *       0.0.0.0/0            0.0.0.0/0           

Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)
    pkts      bytes target     prot opt in     out     source               destination         
`,
    );
    expect(sh(w, 'ip netns exec n154r iptables -t mangle -L FORWARD -n -v -x')).toBe(
      `Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)
    pkts      bytes target     prot opt in     out     source               destination         
       3      252 MARK       0    --  v154rc *       0.0.0.0/0            0.0.0.0/0            MARK set 0x154
       3      252            0    --  *      *       0.0.0.0/0            0.0.0.0/0            mark match 0x154
`,
    );
    // A second flow (a new ping, new id) traverses nat again.
    for (let seq = 1; seq <= 2; seq++) [w] = pingOnce(w, 26, seq);
    const save = sh(w, 'ip netns exec n154r iptables-save -c');
    expect(save).toContain(':PREROUTING ACCEPT [2:168]\n');
    expect(save).toContain('[2:168] -A POSTROUTING -o v154rs -j MASQUERADE\n');
    expect(save).toContain('[10:840] -A FORWARD -p icmp -j ACCEPT\n');
    expect(save).toContain('[5:420] -A FORWARD -i v154rc -j MARK --set-xmark 0x154/0xffffffff\n');
  });

  it('conntrack: the request is NEW until the reply, the reply ESTABLISHED', () => {
    const w = runScript('ip netns exec n154r iptables -I FORWARD -m conntrack --ctstate NEW\nip netns exec n154r iptables -I FORWARD -m conntrack --ctstate ESTABLISHED', {
      world: base,
    }).world;
    let w2 = w;
    for (let seq = 1; seq <= 3; seq++) [w2] = pingOnce(w2, 7, seq);
    const out = sh(w2, 'ip netns exec n154r iptables -S FORWARD -v');
    // First request NEW; the 3 replies and the 2 later requests ESTABLISHED.
    expect(out).toBe(
      '-P FORWARD ACCEPT -c 0 0\n-A FORWARD -m conntrack --ctstate ESTABLISHED -c 5 420\n-A FORWARD -m conntrack --ctstate NEW -c 1 84\n-A FORWARD -p icmp -c 6 504 -j ACCEPT\n',
    );
  });

  it('an ICMP error from the server about the NATed flow is RELATED and reaches the client translated', () => {
    const w0 = runScript('ip netns exec n154s iptables -A INPUT -p icmp --icmp-type echo-request -j REJECT --reject-with icmp-host-prohibited', {
      world: base,
    }).world;
    const [w, res] = pingOnce(w0, 30, 1);
    const rej = res as NfResult;
    expect(rej.verdict).toBe('reject');
    if (rej.verdict !== 'reject') return;
    expect(rej.with).toBe('icmp-host-prohibited');
    expect(rej.rule).toBe('-A INPUT -p icmp -m icmp --icmp-type 8 -j REJECT --reject-with icmp-host-prohibited');
    // s sends the error (OUTPUT of s), quoting the request as it arrived (from the router's address).
    const quoted = rej.pkt;
    const err: Ipv4Packet = {
      src: ip('10.154.2.2'),
      dst: quoted.src,
      proto: 1,
      ttl: 64,
      len: 112,
      df: false,
      tos: 0,
      id: 9,
      icmp: { type: 3, code: 10, quoted },
      mark: 0,
    };
    let w2 = w;
    let r: NfResult;
    [w2, r] = hook(w2, 'n154s', 'OUTPUT', err, { out: 'v154s' });
    [w2, r] = hook(w2, 'n154s', 'POSTROUTING', r.pkt, { out: 'v154s' });
    expect(r.pkt.ct?.state).toBe('RELATED');
    const steps: Step[] = [];
    [w2, r] = hook(w2, 'n154r', 'PREROUTING', scrub(r.pkt), { in: 'v154rs' }, steps);
    expect(r.pkt.ct?.state).toBe('RELATED');
    [w2, r] = hook(w2, 'n154r', 'FORWARD', r.pkt, { in: 'v154rs', out: 'v154rc' }, steps);
    [w2, r] = hook(w2, 'n154r', 'POSTROUTING', r.pkt, { out: 'v154rc' }, steps);
    expect(r.verdict).toBe('accept');
    expect(r.pkt.dst).toBe(ip('10.154.1.2'));
    expect(r.pkt.icmp?.quoted?.src).toBe(ip('10.154.1.2'));
    expect(r.pkt.icmp?.quoted?.dst).toBe(ip('10.154.2.2'));
    expect(steps.some((s) => s.kind === 'nat' && s.action.includes('ICMP error'))).toBe(true);
    // FORWARD counted request + error: 84 + 112 bytes (kernel: 10:840 -> 12:1036 after two more packets).
    expect(sh(w2, 'ip netns exec n154r iptables -S FORWARD -v')).toContain('-A FORWARD -p icmp -c 2 196 -j ACCEPT');
  });

  it('a filter chain created by -A never counts its policy; one set by -P does', () => {
    const w0 = runScript('ip netns exec n154s iptables -P OUTPUT ACCEPT', { world: base }).world;
    const [w] = pingOnce(w0, 40, 1);
    const save = sh(w, 'ip netns exec n154s iptables-save -c');
    expect(save).toContain(':INPUT ACCEPT [0:0]\n'); // created by -A INPUT: no stats
    expect(save).toContain(':OUTPUT ACCEPT [1:84]\n');
  });
});

describe('nfHook: rule semantics', () => {
  const base = runScript('ip netns add t\nip -n t link add d0 type veth peer name d1\n').world;
  const run = (rules: string, pkt: Ipv4Packet, h: Hook = 'INPUT', devs: NfDevs = { in: 'd0' }): [World, NfResult] => {
    const w = runScript(rules.split('\n').map((l) => `ip netns exec t iptables ${l}`).join('\n'), { world: base }).world;
    return hook(w, 't', h, pkt, devs);
  };
  const p = echo('10.0.0.1', '10.0.0.2', 1, 1);

  it('drop names the deciding rule in -S form; policy drop names -P', () => {
    const [, r] = run('-A INPUT -s 10.0.0.0/8 -j DROP', p);
    expect(r).toMatchObject({ verdict: 'drop', table: 'filter', chain: 'INPUT', rule: '-A INPUT -s 10.0.0.0/8 -j DROP' });
    const [, r2] = run('-P INPUT DROP', p);
    expect(r2).toMatchObject({ verdict: 'drop', rule: '-P INPUT DROP' });
  });

  it('jump, RETURN and goto behave like ipt_do_table', () => {
    // -g: when the goto'ed chain returns, the calling chain is not resumed.
    const [, r] = run('-N A\n-N B\n-A A -j RETURN\n-A B -g A\n-A INPUT -j B\n-A INPUT -j DROP', p);
    expect(r).toMatchObject({ verdict: 'drop', rule: '-A INPUT -j DROP' });
    const [, r2] = run('-N A\n-A A -j DROP\n-A INPUT -j A\n-A INPUT -j ACCEPT', p);
    expect(r2).toMatchObject({ verdict: 'drop', chain: 'A', rule: '-A A -j DROP' });
  });

  it('interface wildcards and inversion', () => {
    expect(run('-A INPUT -i d+ -j DROP', p)[1].verdict).toBe('drop');
    expect(run('-A INPUT ! -i d+ -j DROP', p)[1].verdict).toBe('accept');
    expect(run('-A INPUT -i d1 -j DROP', p)[1].verdict).toBe('accept');
  });

  it('tcp ports, multiport, icmp types, marks', () => {
    const tcp: Ipv4Packet = { ...p, proto: 6, icmp: undefined, ports: { sport: 40000, dport: 443, flags: 'SYN' } };
    expect(run('-A INPUT -p tcp --dport 400:500 -j DROP', tcp)[1].verdict).toBe('drop');
    expect(run('-A INPUT -p tcp ! --dport 443 -j DROP', tcp)[1].verdict).toBe('accept');
    expect(run('-A INPUT -p tcp -m multiport --dports 80,443 -j DROP', tcp)[1].verdict).toBe('drop');
    expect(run('-A INPUT -p tcp --syn -j DROP', tcp)[1].verdict).toBe('drop');
    expect(run('-A INPUT -p tcp --syn -j DROP', { ...tcp, ports: { ...tcp.ports!, flags: 'ACK' } })[1].verdict).toBe('accept');
    expect(run('-A INPUT -p icmp --icmp-type echo-reply -j DROP', p)[1].verdict).toBe('accept');
    expect(run('-A INPUT -p icmp --icmp-type echo-request -j DROP', p)[1].verdict).toBe('drop');
    expect(run('-A INPUT -m mark --mark 0x4/0x4 -j DROP', { ...p, mark: 0x6 })[1].verdict).toBe('drop');
  });

  it('MARK sets the mark for later rules and later tables', () => {
    const w = runScript('ip netns exec t iptables -t mangle -A INPUT -j MARK --set-xmark 0x1/0x3\nip netns exec t iptables -A INPUT -m mark --mark 0x1 -j DROP', {
      world: base,
    }).world;
    const [, r] = hook(w, 't', 'INPUT', { ...p, mark: 0x2 }, { in: 'd0' });
    expect(r.verdict).toBe('drop');
    expect(r.pkt.mark).toBe(0x1);
  });

  it('REJECT returns the reject type for the datapath to answer', () => {
    const [, r] = run('-A INPUT -j REJECT', p);
    expect(r).toMatchObject({ verdict: 'reject', with: 'icmp-port-unreachable', rule: '-A INPUT -j REJECT --reject-with icmp-port-unreachable' });
  });

  it('an echo reply without a flow is INVALID', () => {
    const [, r] = run('-A INPUT -m conntrack --ctstate INVALID -j DROP', echo('10.0.0.1', '10.0.0.2', 1, 1, 0), 'PREROUTING', { in: 'd0' });
    expect(r.verdict).toBe('accept'); // PREROUTING has no filter table: INPUT decides
    const w = runScript('ip netns exec t iptables -A INPUT -m conntrack --ctstate INVALID -j DROP', { world: base }).world;
    let r2: NfResult;
    let w2: World;
    [w2, r2] = hook(w, 't', 'PREROUTING', echo('10.0.0.1', '10.0.0.2', 1, 1, 0), { in: 'd0' });
    [w2, r2] = hook(w2, 't', 'INPUT', r2.pkt, { in: 'd0' });
    expect(r2.verdict).toBe('drop');
  });
});

describe('nfHook: DNAT', () => {
  it('rewrites the destination (and port) of a NEW flow at PREROUTING and the source of replies at POSTROUTING', () => {
    let w = runScript(
      'ip netns add d\nip -n d link add a type veth peer name b\nip netns exec d iptables -t nat -A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.9:80',
    ).world;
    const syn: Ipv4Packet = {
      src: ip('1.1.1.1'),
      dst: ip('2.2.2.2'),
      proto: 6,
      ttl: 64,
      len: 60,
      df: true,
      tos: 0,
      id: 1,
      ports: { sport: 5555, dport: 8080, flags: 'SYN' },
      mark: 0,
    };
    let r: NfResult;
    [w, r] = hook(w, 'd', 'PREROUTING', syn, { in: 'a' });
    expect(r.pkt.dst).toBe(ip('10.0.0.9'));
    expect(r.pkt.ports?.dport).toBe(80);
    [w, r] = hook(w, 'd', 'FORWARD', r.pkt, { in: 'a', out: 'b' });
    [w, r] = hook(w, 'd', 'POSTROUTING', r.pkt, { out: 'b' });
    const synack: Ipv4Packet = { ...syn, src: ip('10.0.0.9'), dst: ip('1.1.1.1'), ports: { sport: 80, dport: 5555, flags: 'SYNACK' } };
    [w, r] = hook(w, 'd', 'PREROUTING', synack, { in: 'b' });
    [w, r] = hook(w, 'd', 'FORWARD', r.pkt, { in: 'b', out: 'a' });
    expect(r.pkt.ct?.state).toBe('ESTABLISHED');
    [w, r] = hook(w, 'd', 'POSTROUTING', r.pkt, { out: 'a' });
    expect(r.pkt.src).toBe(ip('2.2.2.2'));
    expect(r.pkt.ports?.sport).toBe(8080);
    expect(runScript('ip netns exec d iptables -t nat -S PREROUTING -v', { world: w }).output).toBe(
      '-P PREROUTING ACCEPT -c 0 0\n-A PREROUTING -p tcp -m tcp --dport 8080 -c 1 60 -j DNAT --to-destination 10.0.0.9:80\n',
    );
  });
});

describe('nfHook: built-in chain policy counters (nft base-chain stats)', () => {
  // Kernel: `-A INPUT -s 9.9.9.9; -Z; ping -c 2` gives ":INPUT ACCEPT [2:168]"; without -Z, [0:0].
  const setup = 'ip netns add z\nip -n z link add d0 type veth peer name d1\nip netns exec z iptables -A INPUT -s 9.9.9.9\n';
  const deliver = (w: World): World => {
    let r: NfResult;
    [w, r] = hook(w, 'z', 'PREROUTING', echo('10.0.0.1', '10.0.0.2', 3, 1), { in: 'd0' });
    [w] = hook(w, 'z', 'INPUT', r.pkt, { in: 'd0' });
    return w;
  };
  it('a chain created by -A does not count its policy', () => {
    const w = deliver(runScript(setup).world);
    expect(runScript('ip netns exec z iptables-save -c -t filter', { world: w }).output).toContain(':INPUT ACCEPT [0:0]\n');
  });
  it('-Z attaches counters to it', () => {
    const w = deliver(runScript(setup + 'ip netns exec z iptables -Z\n').world);
    expect(runScript('ip netns exec z iptables-save -c -t filter', { world: w }).output).toContain(':INPUT ACCEPT [1:84]\n');
  });
});
