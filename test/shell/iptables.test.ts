/**
 * `iptables` / `iptables-save`: parse -> model -> print round trips. Every
 * expected string was printed by iptables v1.8.9 (nf_tables) on the kernel.
 */
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/shell/interp.js';

/** [rule as typed after `-A CHAIN`, the -S line iptables prints back]. */
const FORMS: readonly (readonly [string, string])[] = [
  ['INPUT -s 10.0.0.1/24 -j ACCEPT', '-A INPUT -s 10.0.0.0/24 -j ACCEPT'],
  ['INPUT -s 10.0.0.1 -d 192.168.1.0/255.255.255.0 -j DROP', '-A INPUT -s 10.0.0.1/32 -d 192.168.1.0/24 -j DROP'],
  ['INPUT ! -s 10.0.0.0/8 -i eth0 -j DROP', '-A INPUT ! -s 10.0.0.0/8 -i eth0 -j DROP'],
  ['FORWARD -i veth+ ! -o br0 -j ACCEPT', '-A FORWARD -i veth+ ! -o br0 -j ACCEPT'],
  ['OUTPUT -p tcp -d 1.1.1.1 --dport 80', '-A OUTPUT -d 1.1.1.1/32 -p tcp -m tcp --dport 80'],
  ['INPUT -p tcp -m tcp --sport 1000:2000 --dport 22 -j ACCEPT', '-A INPUT -p tcp -m tcp --sport 1000:2000 --dport 22 -j ACCEPT'],
  ['INPUT -p tcp --sport :1023 --dport 1024:', '-A INPUT -p tcp -m tcp --sport 0:1023 --dport 1024:65535'],
  ['INPUT -p udp ! --dport 53', '-A INPUT -p udp -m udp ! --dport 53'],
  ['INPUT -p tcp --dport http', '-A INPUT -p tcp -m tcp --dport 80'],
  ['INPUT -p icmp --icmp-type echo-request -j ACCEPT', '-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT'],
  ['INPUT -p icmp --icmp-type 3/3 -j ACCEPT', '-A INPUT -p icmp -m icmp --icmp-type 3/3 -j ACCEPT'],
  ['INPUT -p icmp -m icmp --icmp-type any', '-A INPUT -p icmp -m icmp --icmp-type any'],
  ['INPUT -p icmp ! --icmp-type echo-reply', '-A INPUT -p icmp -m icmp ! --icmp-type 0'],
  ['INPUT -p all -j ACCEPT', '-A INPUT -j ACCEPT'],
  ['INPUT -p 47 -j ACCEPT', '-A INPUT -p gre -j ACCEPT'],
  ['INPUT -p 200', '-A INPUT -p 200'],
  ['INPUT ! -p tcp -j ACCEPT', '-A INPUT ! -p tcp -j ACCEPT'],
  ['INPUT -m comment --comment "hello world" -j ACCEPT', '-A INPUT -m comment --comment "hello world" -j ACCEPT'],
  [`INPUT -s 1.2.3.4 -m comment --comment 'a "q" b' -p tcp --dport 1 -j ACCEPT`, '-A INPUT -s 1.2.3.4/32 -p tcp -m comment --comment "a \\"q\\" b" -m tcp --dport 1 -j ACCEPT'],
  ['INPUT -p udp -m udp --dport 80:90 -m comment --comment after -m mark --mark 3 -s 5.5.5.5', '-A INPUT -s 5.5.5.5/32 -p udp -m udp --dport 80:90 -m comment --comment after -m mark --mark 0x3'],
  ['INPUT -m addrtype ! --src-type LOCAL ! --dst-type BROADCAST,MULTICAST', '-A INPUT -m addrtype ! --src-type LOCAL ! --dst-type BROADCAST,MULTICAST'],
  ['INPUT -m addrtype --dst-type LOCAL --limit-iface-in', '-A INPUT -m addrtype --dst-type LOCAL --limit-iface-in'],
  ['INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'],
  ['INPUT -m state ! --state ESTABLISHED,NEW,UNTRACKED', '-A INPUT -m state ! --state NEW,ESTABLISHED,UNTRACKED'],
  ['INPUT -p tcp -m multiport ! --dports 22,80', '-A INPUT -p tcp -m multiport ! --dports 22,80'],
  ['INPUT -p tcp ! --syn', '-A INPUT -p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN'],
  ['INPUT -p tcp --tcp-flags ALL ALL', '-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG FIN,SYN,RST,PSH,ACK,URG'],
  ['INPUT -m mark ! --mark 5 -j ACCEPT', '-A INPUT -m mark ! --mark 0x5 -j ACCEPT'],
  ['INPUT -m mark --mark 0/0xff', '-A INPUT -m mark --mark 0x0/0xff'],
  ['INPUT -m physdev ! --physdev-is-bridged ! --physdev-is-in --physdev-is-out', '-A INPUT -m physdev ! --physdev-is-in --physdev-is-out ! --physdev-is-bridged'],
  ['INPUT -j REJECT', '-A INPUT -j REJECT --reject-with icmp-port-unreachable'],
  ['INPUT -j LOG --log-level debug --log-prefix x', '-A INPUT -j LOG --log-prefix x --log-level 7'],
  ['INPUT -j LOG --log-level 4', '-A INPUT -j LOG'],
  ['INPUT -j LOG --log-prefix "IN: "', '-A INPUT -j LOG --log-prefix "IN: "'],
  ['INPUT -j MARK --set-mark 16', '-A INPUT -j MARK --set-xmark 0x10/0xffffffff'],
  ['INPUT -j MARK --set-mark 0x4000/0x4000', '-A INPUT -j MARK --set-xmark 0x4000/0x4000'],
  ['INPUT -j MARK --and-mark 0xf', '-A INPUT -j MARK --set-xmark 0x0/0xfffffff0'],
  ['INPUT -j MARK --or-mark 0x10', '-A INPUT -j MARK --set-xmark 0x10/0x10'],
  ['INPUT -j MARK --xor-mark 0x20', '-A INPUT -j MARK --set-xmark 0x20/0x0'],
  ['INPUT -d 0.0.0.0/0', '-A INPUT'],
  ['INPUT -s 10.0.0.0/255.0.255.0', '-A INPUT -s 10.0.0.0/255.0.255.0'],
];

describe('iptables -A then -S prints what iptables-nft prints', () => {
  for (const [typed, printed] of FORMS) {
    it(typed, () => {
      const chain = typed.split(' ')[0]!;
      const r = runScript(`iptables -A ${typed}\niptables -S ${chain}\n`);
      expect(r.output).toBe(`-P ${chain} ACCEPT\n${printed}\n`);
      // Round trip: the printed form deletes the rule it came from.
      const r2 = runScript(`iptables ${printed.replace(/^-A/, '-D')}\necho rc=$?\niptables -S ${chain}\n`, { world: r.world });
      expect(r2.output).toBe(`rc=0\n-P ${chain} ACCEPT\n`);
    });
  }
});

describe('iptables -L', () => {
  it('names services, hosts and networks unless -n', () => {
    const w = runScript(
      'iptables -A INPUT -s 127.0.0.0/8 -d 169.254.0.0/16\niptables -A INPUT -s 127.0.0.1 -p tcp --sport 1:2 --dport 2000\niptables -A INPUT -p icmp --icmp-type 11/1',
    ).world;
    expect(runScript('iptables -L INPUT', { world: w }).output).toBe(
      `Chain INPUT (policy ACCEPT)
target     prot opt source               destination         
           all  --  loopback/8           link-local/16       
           tcp  --  localhost            anywhere             tcp spts:tcpmux:2 dpt:cisco-sccp
           icmp --  anywhere             anywhere             icmp ttl-zero-during-reassembly
`,
    );
    expect(runScript('iptables -L INPUT -n -v --line-numbers', { world: w }).output).toBe(
      `Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
num   pkts bytes target     prot opt in     out     source               destination         
1        0     0            0    --  *      *       127.0.0.0/8          169.254.0.0/16      
2        0     0            6    --  *      *       127.0.0.1            0.0.0.0/0            tcp spts:1:2 dpt:2000
3        0     0            1    --  *      *       0.0.0.0/0            0.0.0.0/0            icmptype 11 code 1
`,
    );
  });

  it('goto rules, MASQUERADE column overflow and the nat target texts', () => {
    const w = runScript(
      'iptables -N AA\niptables -A INPUT -p tcp --dport 80 -g AA\niptables -t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports 1000 --random\niptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4-1.2.3.5:80-90 --random --persistent',
    ).world;
    expect(runScript('iptables -L INPUT -n', { world: w }).output).toBe(
      'Chain INPUT (policy ACCEPT)\ntarget     prot opt source               destination         \nAA         6    --  0.0.0.0/0            0.0.0.0/0           [goto]  tcp dpt:80\n',
    );
    expect(runScript('iptables -t nat -L POSTROUTING 1 -n', { world: w }).output).toBe(
      'MASQUERADE  17   --  0.0.0.0/0            0.0.0.0/0            masq ports: 1000 random\n',
    );
    expect(runScript('iptables -t nat -L PREROUTING 1', { world: w }).output).toBe(
      'DNAT       tcp  --  anywhere             anywhere             to:1.2.3.4-1.2.3.5:80-90 random persistent\n',
    );
  });
});

describe('iptables errors', () => {
  const cases: readonly (readonly [string, string, number])[] = [
    ['iptables -A FOO -j ACCEPT', 'iptables: No chain/target/match by that name.\n', 1],
    ['iptables -A INPUT -j FOO', "iptables v1.8.9 (nf_tables): Chain 'FOO' does not exist\nTry `iptables -h' or 'iptables --help' for more information.\n", 2],
    ['iptables -D INPUT 1', 'iptables: No chain/target/match by that name.\n', 1],
    // A missing chain is a missing rule for -C and -D rule-spec (kernel, iptables-nft 1.8.9).
    ['iptables -C NOPE -j ACCEPT', 'iptables: Bad rule (does a matching rule exist in that chain?).\n', 1],
    ['iptables -t nat -D NOPE -j ACCEPT', 'iptables: Bad rule (does a matching rule exist in that chain?).\n', 1],
    ['iptables -D NOPE 1', 'iptables: No chain/target/match by that name.\n', 1],
    ['iptables -L NOPE', "iptables v1.8.9 (nf_tables): chain `NOPE' in table `filter' is incompatible, use 'nft' tool.\n", 1],
    [
      'iptables -t nat -A PREROUTING -j DROP',
      'iptables v1.8.9 (nf_tables): \nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n\nTry `iptables -h\' or \'iptables --help\' for more information.\n',
      2,
    ],
    ['iptables -A INPUT -j MASQUERADE', 'iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain INPUT\n', 4],
    ['iptables -A INPUT -o eth0', "iptables v1.8.9 (nf_tables): Can't use -o with INPUT\n\nTry `iptables -h' or 'iptables --help' for more information.\n", 2],
    ['iptables -L -n -t filter INPUT', "Bad argument `INPUT'\nTry `iptables -h' or 'iptables --help' for more information.\n", 2],
    ['iptables -t foo -L', "iptables v1.8.9 (nf_tables): table 'foo' does not exist\nPerhaps iptables or your kernel needs to be upgraded.\n", 3],
    ['iptables -A INPUT -m comment', 'iptables v1.8.9 (nf_tables): comment: option "--comment" must be specified\n\nTry `iptables -h\' or \'iptables --help\' for more information.\n', 2],
  ];
  for (const [cmd, err, rc] of cases) {
    it(cmd, () => {
      const r = runScript(`${cmd}\necho rc=$?\n`);
      expect(r.output).toBe(`${err}rc=${rc}\n`);
    });
  }

  it('-X refuses a referenced chain and leaves everything in place (one transaction)', () => {
    const r = runScript('iptables -N A\niptables -N B\niptables -A INPUT -j B\niptables -X\necho rc=$?\niptables -S\n');
    expect(r.output).toBe(
      'iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain B\nrc=4\n-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n-N A\n-N B\n-A INPUT -j B\n',
    );
  });

  it('a jump loop reachable from a base chain is refused with "Too many links"', () => {
    const r = runScript('iptables -N U\niptables -A U -j U\niptables -A INPUT -j U\necho rc=$?\n');
    expect(r.output).toBe('iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Too many links): rule in chain INPUT\nrc=4\n');
  });
});

describe('iptables-save', () => {
  it('prints nothing until a table is changed; listing does not create one', () => {
    expect(runScript('iptables -L -n >/dev/null\niptables -t nat -S >/dev/null\niptables -F\niptables-save\n').output).toBe('');
  });

  it('prints tables in the order mangle, raw, filter, nat with policy counters', () => {
    const r = runScript('iptables -t nat -N N\niptables -P FORWARD DROP\niptables -t raw -A OUTPUT -j ACCEPT\niptables -t mangle -N M\niptables-save -c\n');
    expect(r.output.replace(/ on .*$/gm, ' on DATE').replace(/^# Completed on .*$/gm, '# Completed on DATE')).toBe(
      `# Generated by iptables-save v1.8.9 (nf_tables) on DATE
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:M - [0:0]
COMMIT
# Completed on DATE
# Generated by iptables-save v1.8.9 (nf_tables) on DATE
*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
[0:0] -A OUTPUT -j ACCEPT
COMMIT
# Completed on DATE
# Generated by iptables-save v1.8.9 (nf_tables) on DATE
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
COMMIT
# Completed on DATE
# Generated by iptables-save v1.8.9 (nf_tables) on DATE
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:N - [0:0]
COMMIT
# Completed on DATE
`,
    );
  });

  it('-t names a table even before it exists; an unknown table fails', () => {
    expect(runScript('iptables-save -t nat\n').output).toContain('*nat\n:PREROUTING ACCEPT [0:0]\n');
    expect(runScript("iptables-save -t foo\necho rc=$?\n").output).toBe("Table `foo' does not exist\nrc=1\n");
  });
});
