import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIp4 } from '../../src/model/addr.js';
import { IMPORT_CLOCK_MS, importBundles } from '../../src/import/build.js';
import { formatBundle, parseBundle } from '../../src/import/bundle.js';

const base = parseBundle(readFileSync(join(import.meta.dirname, '..', '..', 'conformance', 'import', '106-two-bridges-router.bundle'), 'utf8'));

// /proc/net/nf_conntrack lines as the kernel printed them (conntrack of a sandbox namespace).
const lines = [
  'ipv4     2 icmp     1 26 src=10.106.1.11 dst=10.106.2.13 type=8 code=0 id=11 src=10.106.2.13 dst=10.106.1.11 type=0 code=0 id=11 mark=0 zone=0 use=2',
  'ipv4     2 udp      17 27 src=10.106.1.11 dst=10.106.2.13 sport=51576 dport=53 [UNREPLIED] src=10.106.2.13 dst=10.106.1.11 sport=53 dport=51576 mark=0 zone=0 use=2',
  'ipv4     2 tcp      6 116 TIME_WAIT src=10.106.1.11 dst=10.106.2.13 sport=41736 dport=80 src=10.106.2.13 dst=10.106.1.11 sport=80 dport=41736 [ASSURED] mark=0 zone=0 use=2',
  'ipv4     2 tcp      6 431999 ESTABLISHED src=10.106.1.11 dst=10.106.2.13 sport=41737 dport=80 src=10.106.2.13 dst=10.106.1.11 sport=80 dport=41737 [ASSURED] mark=5 zone=0 use=2',
  'ipv4     2 sctp     132 10 CLOSED src=10.106.1.11 dst=10.106.2.13 sport=1 dport=2 src=10.106.2.13 dst=10.106.1.11 sport=2 dport=1 mark=0 zone=0 use=2',
];

describe('conntrack entries (/proc/net/nf_conntrack)', () => {
  const b = {
    ...base,
    netns: base.netns.map((n) => (n.name !== 'n106r' ? n : { ...n, cmds: { ...n.cmds, nf_conntrack: { label: 'nf_conntrack', body: lines.join('\n') + '\n', status: 0, stderr: '', line: 0 } } })),
  };
  const { world, report } = importBundles([{ text: formatBundle(b) }]);
  const ct = world.ns['n106r']!.conntrack;
  const ip = (s: string): number => parseIp4(s)!;
  it('imports TCP, UDP and ICMP entries with their state and time left', () => {
    expect(ct).toHaveLength(4);
    expect(ct[0]).toEqual({
      orig: { proto: 1, src: ip('10.106.1.11'), dst: ip('10.106.2.13'), sport: 11, dport: 8 },
      reply: { proto: 1, src: ip('10.106.2.13'), dst: ip('10.106.1.11'), sport: 11, dport: 0 },
      state: 'ESTABLISHED',
      seenReply: true,
      confirmed: true,
      natDoneDst: true,
      natDoneSrc: true,
      expiresMs: IMPORT_CLOCK_MS + 26_000,
    });
    expect(ct[1]).toMatchObject({ state: 'NEW', seenReply: false, orig: { proto: 17, sport: 51576, dport: 53 } });
    expect(ct[2]).toMatchObject({ tcpState: 'CLOSE', expiresMs: IMPORT_CLOCK_MS + 116_000 });
    expect(ct[3]).toMatchObject({ tcpState: 'ESTABLISHED' });
  });
  it('says what it could not keep: a mark, an SCTP entry', () => {
    const texts = report.assumptions.filter((a) => a.ns === 'n106r' && a.area === 'netfilter').map((a) => a.text);
    expect(texts).toEqual([
      expect.stringMatching(/^conntrack entry mark=5 not modelled \(imported without it\): ipv4 +2 tcp/),
      expect.stringMatching(/^1 conntrack entry not modelled \(not TCP\/UDP\/ICMP over IPv4\), e\.g\. ipv4 +2 sctp/),
    ]);
  });
});
