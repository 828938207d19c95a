import { describe, expect, it } from 'vitest';
import { runScript } from '../../../src/shell/interp.js';

const pre = 'ip netns add n\nip -n n link add name a type veth peer name b\nip -n n link set dev a up\nip -n n link set dev b up\nip -n n addr add 10.19.0.1/24 dev a\n';
const out = (s: string): string => runScript(pre + s).output;

describe('ip neigh', () => {
  it('static entries in text and JSON; noarp hidden by default', () => {
    const o = out(
      'ip -n n neigh add 10.19.0.2 lladdr 02:00:00:00:19:02 dev a\nip -n n neigh add 10.19.0.3 lladdr 02:00:00:00:19:03 dev a nud noarp\n' +
        'ip -n n neigh show 10.19.0.2\nip -n n neigh show 10.19.0.3\nip -n n -j neigh show 10.19.0.2\nip -n n neigh show dev a nud stale\n',
    );
    expect(o).toBe(
      '10.19.0.2 dev a lladdr 02:00:00:00:19:02 PERMANENT \n' +
        '[{"dst":"10.19.0.2","dev":"a","lladdr":"02:00:00:00:19:02","state":["PERMANENT"]}]\n',
    );
  });
  it('errors and replace', () => {
    const o = out(
      'ip -n n neigh add 10.19.0.2 lladdr 02:00:00:00:19:02 dev a\nip -n n neigh add 10.19.0.2 lladdr 02:00:00:00:19:22 dev a\necho rc=$?\n' +
        'ip -n n neigh replace 10.19.0.2 lladdr 02:00:00:00:19:22 dev a\nip -n n neigh show dev a\nip -n n neigh del 10.19.0.9 dev a\necho rc=$?\n',
    );
    expect(o).toBe(
      'RTNETLINK answers: File exists\nrc=2\n10.19.0.2 lladdr 02:00:00:00:19:22 PERMANENT \nRTNETLINK answers: No such file or directory\nrc=2\n',
    );
  });
  it('proxy entries print in pneigh hash order', () => {
    const o = out('ip -n n neigh add proxy 10.104.1.2 dev a\nip -n n neigh add proxy 10.104.1.17 dev a\nip -n n neigh add proxy 10.104.1.1 dev a\nip -n n neigh show proxy\nip -n n -j neigh show proxy 10.104.1.1\n');
    expect(o).toBe(
      '10.104.1.1 dev a proxy \n10.104.1.17 dev a proxy \n10.104.1.2 dev a proxy \n[{"dst":"10.104.1.1","dev":"a","proxy":null}]\n',
    );
  });
  it('flush keeps permanent entries; link down drops them all', () => {
    const o = out(
      'ip -n n neigh add 10.19.0.4 lladdr 02:00:00:00:19:04 dev a nud stale\nip -n n neigh add 10.19.0.5 lladdr 02:00:00:00:19:05 dev a\n' +
        'ip -n n neigh flush dev a\nip -n n neigh show\nip -n n link set dev a down\nip -n n neigh show\n',
    );
    expect(o).toBe('10.19.0.5 dev a lladdr 02:00:00:00:19:05 PERMANENT \n');
  });
  it('a valid state (noarp included) without lladdr is refused; incomplete/none/failed are not', () => {
    // kernel: `ip neigh add 10.130.9.99 dev v130u nud noarp` -> "Error: No link layer address given." rc 2
    const o = out('ip -n n neigh add 10.19.0.9 dev a nud noarp\necho rc=$?\nip -n n neigh add 10.19.0.8 dev a\necho rc=$?\nip -n n neigh add 10.19.0.7 dev a nud incomplete\necho rc=$?\n');
    expect(o).toBe('Error: No link layer address given.\nrc=2\nError: No link layer address given.\nrc=2\nrc=0\n');
  });
});
