/**
 * The reference of the scenario format, generated from the zod schemas
 * (src/scenarios/schema.ts): one table per object, with each key's type,
 * default and description. docs/scenarios.md embeds this output
 * (`podnet schema`), and a test keeps the two in step. Also a JSON Schema for
 * editors (`podnet schema --json`, e.g. for yaml-language-server).
 */
import { z } from 'zod';
import * as S from './schema.js';

type Def = { type: string; [k: string]: unknown };
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;
const descOf = (s: unknown): string | undefined => (z.globalRegistry.get(s as z.ZodType) as { description?: string } | undefined)?.description;

/** The objects that get their own section, in order, with their titles. */
function sections(): { title: string; anchor: string; schema: z.ZodType }[] {
  const list: [string, z.ZodType][] = [
    ['Scenario (the document)', S.Document],
    ['metadata', S.Metadata],
    ['spec', S.Spec],
    ['Network', S.Network],
    ['Machine', S.Machine],
    ['Node', S.Node],
    ['Interface', S.Interface],
    ['CniConfig', S.CniConfig],
    ['Pod', S.Pod],
    ['Container', S.Container],
    ['ContainerPort', S.ContainerPort],
    ['ScriptPlugin', S.ScriptPlugin],
    ['Cluster', S.Cluster],
    ['ClusterNode', S.ClusterNode],
    ['DesignOptions', S.DesignOptions],
    ['Import', S.Import],
  ];
  for (const k of S.STEP_KIND_NAMES) list.push([`step: ${k}`, S.STEP_KINDS[k].action]);
  list.push(['ShExpect', S.ShExpect], ['AgentExpect', S.AgentExpect], ['LifecycleExpect', S.LifecycleExpect], ['ProbeExpect', S.ProbeExpect], ['CounterExpect', S.CounterExpect], ['TracerouteExpect', S.TracerouteExpect]);
  return list.map(([title, schema]) => ({ title, anchor: title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''), schema }));
}

function typeText(s: unknown, names: Map<unknown, { title: string; anchor: string }>): { type: string; required: boolean; def?: string } {
  let required = true;
  let dflt: string | undefined;
  let cur = s;
  for (let i = 0; i < 10; i++) {
    const d = defOf(cur);
    if (d.type === 'optional') {
      required = false;
      cur = d.innerType;
    } else if (d.type === 'default') {
      required = false;
      const v = typeof d.defaultValue === 'function' ? (d.defaultValue as () => unknown)() : d.defaultValue;
      dflt = JSON.stringify(v);
      cur = d.innerType;
    } else break;
  }
  return { type: bare(cur, names), required, ...(dflt !== undefined ? { def: dflt } : {}) };
}

function bare(s: unknown, names: Map<unknown, { title: string; anchor: string }>): string {
  const d = defOf(s);
  // .meta() clones a schema; the clone keeps the shape object, so match on that too.
  const named = names.get(s) ?? (d.type === 'object' ? names.get(d.shape) : undefined);
  if (named) return `[${named.title}](#${named.anchor})`;
  switch (d.type) {
    case 'string': {
      const checks = (d.checks as { _zod: { def: { check: string; pattern?: RegExp; minimum?: number } } }[] | undefined) ?? [];
      if (s === S.Name || checks.some((c) => c._zod.def.pattern?.source.startsWith('^[a-z0-9]'))) return 'name';
      if (checks.some((c) => c._zod.def.pattern?.source.startsWith('^(25'))) return 'CIDR';
      if (checks.some((c) => c._zod.def.pattern?.source.startsWith('^[A-Za-z0-9_.-]{1,15}'))) return 'interface name';
      return 'string';
    }
    case 'number': {
      const checks = (d.checks as { _zod: { def: { check: string; value?: number; inclusive?: boolean; format?: string } } }[] | undefined) ?? [];
      const int = checks.some((c) => c._zod.def.check === 'number_format' && c._zod.def.format === 'safeint');
      const min = checks.find((c) => c._zod.def.check === 'greater_than')?._zod.def.value;
      const max = checks.find((c) => c._zod.def.check === 'less_than')?._zod.def.value;
      return `${int ? 'integer' : 'number'}${min !== undefined || max !== undefined ? ` (${min ?? ''}..${max ?? ''})` : ''}`;
    }
    case 'boolean':
      return 'boolean';
    case 'enum':
      return `one of ${Object.values(d.entries as Record<string, string>).map((v) => `\`${v}\``).join(', ')}`;
    case 'literal':
      return (d.values as unknown[]).map((v) => `\`${String(v)}\``).join(' or ');
    case 'array':
      return `list of ${bare(d.element, names)}`;
    case 'record':
      return `map of ${bare(d.keyType, names)} to ${bare(d.valueType, names)}`;
    case 'union':
      return (d.options as unknown[]).map((o) => bare(o, names)).join(' or ');
    case 'unknown':
      return 'any';
    case 'object':
      return 'mapping';
    default:
      return d.type;
  }
}

export function markdownReference(): string {
  const secs = sections();
  const names = new Map<unknown, { title: string; anchor: string }>();
  for (const s of secs) {
    names.set(s.schema, s);
    names.set(defOf(s.schema).shape, s);
  }
  const out: string[] = [
    '<!-- Generated from src/scenarios/schema.ts by `podnet schema`; do not edit by hand. -->',
    '',
    `Every object is strict: a key not listed here is an error. References name things: ` +
      '`pod/NAME`, `pod/NAME/CONTAINER`, `node/NAME`, `machine/NAME`, `network/NAME`, optionally `:IFNAME` (`node/node-a:eth0`).',
    '',
    `A step is a mapping with \`name\` (optional), exactly one action key (${S.STEP_KIND_NAMES.map((k) => `\`${k}\``).join(', ')}) and \`expect\` (optional; what it accepts depends on the action: ` +
      'sh takes [ShExpect](#shexpect); node, agent and fault take [AgentExpect](#agentexpect); cni, sandbox and container take [LifecycleExpect](#lifecycleexpect); ping, tcp and udp take [ProbeExpect](#probeexpect); traceroute takes [TracerouteExpect](#tracerouteexpect)).',
    '',
  ];
  for (const sec of secs) {
    out.push(`### ${sec.title}`, '');
    const d = descOf(sec.schema);
    if (d) out.push(d, '');
    const shape = defOf(sec.schema).shape as Record<string, unknown>;
    out.push('| key | type | required | default | description |', '|---|---|---|---|---|');
    for (const [k, v] of Object.entries(shape)) {
      const t = typeText(v, names);
      let desc = descOf(v);
      // The description may sit on the inner schema (optional/default wrap it).
      for (let cur = v, i = 0; desc === undefined && i < 5; i++) {
        const dd = defOf(cur);
        if (dd.type !== 'optional' && dd.type !== 'default') break;
        cur = dd.innerType;
        desc = descOf(cur);
      }
      if (sec.schema === S.Spec && k === 'steps') t.type = 'list of steps (see above)';
      out.push(`| \`${k}\` | ${t.type} | ${t.required ? 'yes' : ''} | ${t.def !== undefined && t.def !== '[]' && t.def !== '{}' ? `\`${t.def}\`` : ''} | ${(desc ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** A JSON Schema of the document (steps as a union of the step schemas). */
export function jsonSchema(): unknown {
  const step = z.union(S.STEP_KIND_NAMES.map((k) => S.stepSchema(k)) as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  const doc = S.Document.extend({ spec: S.Spec.extend({ steps: z.array(step).default([]) }) });
  return z.toJSONSchema(doc, { io: 'input', unrepresentable: 'any' });
}
