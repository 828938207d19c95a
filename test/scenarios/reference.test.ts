import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario } from '../../src/scenarios/index.js';
import { jsonSchema, markdownReference } from '../../src/scenarios/reference.js';

const doc = readFileSync('docs/scenarios.md', 'utf8');

describe('docs/scenarios.md', () => {
  it('embeds the reference generated from the schema (regenerate with `podnet schema`)', () => {
    const m = /<!-- BEGIN GENERATED REFERENCE -->\n([\s\S]*)<!-- END GENERATED REFERENCE -->/.exec(doc);
    expect(m?.[1]).toBe(markdownReference());
  });
  it('its example scenario is valid and passes', () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    const r = loadScenario(yaml, { file: 'docs/scenarios.md' });
    expect(r.ok).toBe(true);
    if (r.ok) expect(runScenario(r.scenario).passed).toBe(true);
  });
});

describe('the generated reference', () => {
  it('documents every key of every object, with its type and default', () => {
    const md = markdownReference();
    expect(md).toContain('| `podCIDR` | CIDR |  |  | The node\'s pod subnet (spec.podCIDR), e.g. 10.244.1.0/24; {{podCIDR}} in CNI configs. |');
    expect(md).toContain('| `network` | one of `cni`, `none`, `host` |  | `"cni"` |');
    expect(md).toContain('| `count` | integer (1..10) |  | `1` | Echo requests to send (expectations look at the last one). |');
    expect(md).toContain('| `counters` | list of [CounterExpect](#counterexpect) |');
    for (const k of ['sh', 'cni', 'sandbox', 'container', 'node', 'agent', 'fault', 'ping', 'tcp', 'udp', 'traceroute']) expect(md).toContain(`### step: ${k}\n`);
  });
  it('has a JSON Schema whose steps are the union of the step kinds', () => {
    const s = jsonSchema() as { properties: { spec: { properties: { steps: { items: { anyOf: unknown[] } } } } } };
    expect(s.properties.spec.properties.steps.items.anyOf).toHaveLength(11);
  });
});
