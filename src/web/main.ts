/**
 * The podnet page (`podnet serve FILE`): the topology drawn by Graphviz (wasm,
 * in the page), a probe picker and a hop-by-hop stepper, the scenario's YAML
 * with inline validation, its expectations, and a terminal running the twin
 * shell. Everything runs here: the server only hands over the file's text.
 */
import './style.css';
import { devKey, elementId, formatHeader, graphviz, natChanged, nsKey, toDot, type Diagram, type HopView, type ProbeKind } from '../diagram/index.js';
import { linkByName } from '../model/queries.js';
import { formatIssue, type RunReport } from '../scenarios/index.js';
import type { Trace } from '../sim/trace.js';
import { Session, type Source, type Walk } from './session.js';
import { mountTerminal, type ShellTerminal } from './terminal.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page: no #${id}`);
  return el as T;
};

interface View {
  walks: readonly Walk[];
  walk?: Walk;
  diagram?: Diagram;
  hops: HopView[];
  /** Index into `hops` of the hop shown. */
  current: number;
}

let session: Session;
let terminal: ShellTerminal | undefined;
let canSave = false;
const view: View = { walks: [], hops: [], current: 0 };
let zoom = 1;
/** Fit the diagram to the pane after each drawing until the user zooms by hand. */
let autoFit = true;

async function loadSource(): Promise<Source> {
  try {
    const r = await fetch('api/scenario', { cache: 'no-store' });
    if (r.ok) {
      const j = (await r.json()) as Source & { canSave?: boolean };
      canSave = Boolean(j.canSave);
      return { file: j.file, kind: j.kind, text: j.text, files: j.files ?? {} };
    }
  } catch {
    // No server (the page opened from disk): an empty lab.
  }
  return { file: 'lab', kind: 'script', text: '', files: {} };
}

function status(text: string): void {
  $('status').textContent = text;
}

// ---------------------------------------------------------------------------
// The diagram

let renderSeq = 0;

async function renderDiagram(): Promise<void> {
  const seq = ++renderSeq;
  const trace = view.walk?.trace;
  const d = session.diagram(trace);
  view.diagram = d;
  view.hops = trace ? session.hops(trace, d) : [];
  const viz = await graphviz();
  if (seq !== renderSeq) return;
  let svg: SVGSVGElement;
  try {
    svg = viz.renderSVGElement(toDot(d));
  } catch (e) {
    status(`cannot draw: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  const box = $('diagram');
  box.replaceChildren(svg);
  box.dataset.renders = String(Number(box.dataset.renders ?? '0') + 1);
  if (autoFit) fitZoom();
  else applyZoom();
  highlight();
  renderHopList();
}

function applyZoom(): void {
  const svg = $('diagram').querySelector('svg');
  if (!svg) return;
  const w = Number(svg.getAttribute('width')?.replace('pt', '') ?? 0);
  const h = Number(svg.getAttribute('height')?.replace('pt', '') ?? 0);
  if (!svg.dataset.w) {
    svg.dataset.w = String(w);
    svg.dataset.h = String(h);
  }
  svg.style.width = `${Number(svg.dataset.w) * zoom}pt`;
  svg.style.height = `${Number(svg.dataset.h) * zoom}pt`;
}

function fitZoom(): void {
  const svg = $('diagram').querySelector('svg');
  const pane = $('diagram-pane');
  if (!svg) return;
  if (!svg.dataset.w) {
    svg.dataset.w = String(Number(svg.getAttribute('width')?.replace('pt', '') ?? 0));
    svg.dataset.h = String(Number(svg.getAttribute('height')?.replace('pt', '') ?? 0));
  }
  const pt = 96 / 72;
  zoom = Math.min(1.5, (pane.clientWidth - 24) / (Number(svg.dataset.w) * pt), (pane.clientHeight - 48) / (Number(svg.dataset.h) * pt));
  applyZoom();
}

/** Light the hop being looked at: its namespace, devices and the links it used. */
function highlight(): void {
  const svg = $('diagram').querySelector('svg');
  if (!svg) return;
  for (const el of svg.querySelectorAll('.current, .done, .arp-now')) el.classList.remove('current', 'done', 'arp-now');
  const hv = view.hops[view.current];
  if (!hv) {
    svg.classList.remove('stepping');
    return;
  }
  svg.classList.add('stepping');
  const n = hv.n;
  if (n !== undefined) {
    for (let k = 1; k < n; k++) for (const el of svg.querySelectorAll(`.hop-${k}`)) el.classList.add('done');
    for (const el of svg.querySelectorAll(`.hop-${n}`)) el.classList.add('current');
  } else {
    // An ARP side trip: light its namespace and the devices it names.
    const ids = [nsKey(hv.ns), ...[hv.inDev, hv.outDev].flatMap((name) => {
      const ns = session.world.ns[hv.ns];
      const l = name && ns ? linkByName(ns, name) : undefined;
      return l ? [devKey(hv.ns, l.ifindex)] : [];
    })];
    for (const k of ids) document.getElementById(elementId(k))?.classList.add('current');
  }
}

// ---------------------------------------------------------------------------
// Walks and hops

function setWalks(walks: readonly Walk[], outcome: string, ok: boolean): void {
  view.walks = walks;
  const sel = $<HTMLSelectElement>('walk');
  sel.replaceChildren(...walks.map((w, i) => new Option(w.label, String(i))));
  $('walk-box').hidden = walks.length === 0;
  const o = $('outcome');
  o.textContent = outcome;
  o.className = `outcome ${ok ? 'ok' : 'bad'}`;
  selectWalk(0);
}

function selectWalk(i: number): void {
  view.walk = view.walks[i];
  view.current = 0;
  void renderDiagram();
}

function visibleHops(): number[] {
  const arp = $<HTMLInputElement>('show-arp').checked;
  return view.hops.flatMap((h, i) => (arp || h.n !== undefined ? [i] : []));
}

function renderHopList(): void {
  const ol = $('hops');
  const vis = new Set(visibleHops());
  ol.replaceChildren(
    ...view.hops.map((h, i) => {
      const li = document.createElement('li');
      li.dataset.index = String(i);
      if (h.n !== undefined) li.dataset.n = String(h.n);
      li.className = `${h.n === undefined ? 'arp' : 'packet'}${i === view.current ? ' current' : ''}${vis.has(i) ? '' : ' hidden'}`;
      const n = document.createElement('span');
      n.className = 'n';
      n.textContent = h.n !== undefined ? String(h.n) : 'ARP';
      const t = document.createElement('span');
      t.textContent = `${h.place}${h.inDev ? ` (in ${h.inDev}` : ''}${h.outDev ? `${h.inDev ? ', ' : ' ('}out ${h.outDev})` : h.inDev ? ')' : ''}`;
      li.append(n, t);
      li.addEventListener('click', () => go(i));
      return li;
    }),
  );
  renderHopDetail();
}

function go(i: number): void {
  if (i < 0 || i >= view.hops.length) return;
  view.current = i;
  for (const li of $('hops').querySelectorAll('li')) li.classList.toggle('current', Number((li as HTMLElement).dataset.index) === i);
  $('hops').querySelector('li.current')?.scrollIntoView({ block: 'nearest' });
  highlight();
  renderHopDetail();
}

function step(dir: 1 | -1): void {
  const vis = visibleHops();
  const pos = vis.indexOf(view.current);
  const next = pos < 0 ? vis.find((i) => (dir > 0 ? i > view.current : i < view.current)) : vis[pos + dir];
  if (next !== undefined) go(next);
}

function renderHopDetail(): void {
  const box = $('hop-detail');
  const vis = visibleHops();
  $('position').textContent = `hop ${Math.max(0, vis.indexOf(view.current) + 1)} / ${vis.length}`;
  ($('back') as HTMLButtonElement).disabled = vis.indexOf(view.current) <= 0;
  ($('forward') as HTMLButtonElement).disabled = vis.indexOf(view.current) >= vis.length - 1;
  const h = view.hops[view.current];
  if (!h) {
    box.replaceChildren();
    return;
  }
  const h3 = document.createElement('h3');
  h3.textContent = `${h.n !== undefined ? `Hop ${h.n}` : 'ARP side trip'}: ${h.place}`;
  const parts: Node[] = [h3];
  if (h.before || h.after) {
    const g = document.createElement('div');
    g.className = 'headers';
    const nat = natChanged(h.before, h.after);
    const row = (k: string, v: string, cls = ''): void => {
      const a = document.createElement('span');
      a.textContent = k;
      const b = document.createElement('span');
      b.textContent = v;
      if (cls) b.className = cls;
      g.append(a, b);
    };
    if (h.before) row(h.hop.inDev ? 'arrived' : 'sent', formatHeader(h.before));
    if (h.after) row(nat ? 'after NAT' : 'left', formatHeader(h.after), nat ? 'nat' : '');
    parts.push(g);
  }
  const table = document.createElement('table');
  table.className = 'steps';
  for (const s of h.steps) {
    const tr = document.createElement('tr');
    const k = document.createElement('td');
    k.className = 'kind';
    k.textContent = s.kind;
    const a = document.createElement('td');
    a.append(document.createTextNode(s.action));
    if (s.entry) {
      const e = document.createElement('div');
      e.className = 'decides';
      e.append('deciding entry: ');
      const c = document.createElement('code');
      c.textContent = s.entry;
      e.append(c);
      a.append(e);
    }
    if (s.kind === 'nat' && s.before && s.after) {
      const e = document.createElement('div');
      e.className = 'decides';
      e.textContent = `${formatHeader(s.before)}  =>  ${formatHeader(s.after)}`;
      a.append(e);
    }
    tr.append(k, a);
    table.append(tr);
  }
  parts.push(table);
  box.replaceChildren(...parts);
}

// ---------------------------------------------------------------------------
// Probes

function fillPickers(): void {
  const { senders, targets } = session.refs();
  const from = $<HTMLSelectElement>('from');
  const prev = from.value;
  from.replaceChildren(...senders.map((s) => new Option(s, s)));
  if (senders.includes(prev)) from.value = prev;
  $('targets').replaceChildren(...targets.map((t) => new Option(t, t)));
  const to = $<HTMLInputElement>('to');
  if (!to.value && targets.length > 1) to.value = targets.find((t) => t !== from.value) ?? '';
  $('probe-form').hidden = senders.length === 0;
}

function sendProbe(): void {
  const from = $<HTMLSelectElement>('from').value;
  const to = $<HTMLInputElement>('to').value.trim();
  const kind = $<HTMLSelectElement>('kind').value as ProbeKind;
  const port = Number($<HTMLInputElement>('port').value);
  const r = session.probe(from, to, kind, kind === 'tcp' || kind === 'udp' ? port : undefined);
  const err = $('probe-error');
  err.hidden = r.error === undefined;
  err.textContent = r.error ?? '';
  if (!r.step?.probe) {
    setWalks([], '', false);
    return;
  }
  const p = r.step.probe;
  const ok = p.request?.disposition === 'delivered' || p.request?.disposition === 'exits_network';
  setWalks(r.walks, `${p.kind} ${p.from} -> ${p.to} (${p.toAddr}): ${p.outcome}`, ok && !/timeout|no answer|unreachable|refused/.test(p.outcome));
  refreshEdited();
}

// ---------------------------------------------------------------------------
// The scenario text

let validateTimer: ReturnType<typeof setTimeout> | undefined;

function renderGutter(text: string, badLines: ReadonlySet<number>): void {
  const n = text.split('\n').length;
  const g = $('gutter');
  g.replaceChildren(
    ...Array.from({ length: n }, (_, i) => {
      const s = document.createElement('span');
      s.textContent = String(i + 1);
      if (badLines.has(i + 1)) s.className = 'bad';
      return [s, document.createTextNode('\n')];
    }).flat(),
  );
}

async function validateNow(): Promise<void> {
  const text = $<HTMLTextAreaElement>('yaml').value;
  let issues = session.validate(text);
  // A CNI config file the text refers to that the page has not seen: ask the server, then check again.
  const missing = session.missingFiles(issues);
  if (missing.length) {
    let fetched = false;
    for (const p of missing) {
      try {
        const r = await fetch(`api/file?path=${encodeURIComponent(p)}`);
        if (r.ok) {
          session.addFile(p, await r.text());
          fetched = true;
        }
      } catch {
        // stays missing
      }
    }
    if (fetched) issues = session.validate(text);
  }
  const ul = $('issues');
  ul.replaceChildren(
    ...issues.map((i) => {
      const li = document.createElement('li');
      li.textContent = formatIssue(i);
      li.addEventListener('click', () => gotoLine(i.pos.line, i.pos.col));
      return li;
    }),
  );
  renderGutter(text, new Set(issues.map((i) => i.pos.line)));
  ($('apply') as HTMLButtonElement).disabled = issues.length > 0;
  ($('run') as HTMLButtonElement).disabled = issues.length > 0;
  status(issues.length ? `${issues.length} problem${issues.length === 1 ? '' : 's'} in the text` : text === session.source.text ? '' : 'valid (not applied yet)');
}

function gotoLine(line: number, col: number): void {
  const ta = $<HTMLTextAreaElement>('yaml');
  const lines = ta.value.split('\n');
  const offset = lines.slice(0, line - 1).reduce((a, l) => a + l.length + 1, 0) + col - 1;
  ta.focus();
  ta.setSelectionRange(offset, offset);
  ta.scrollTop = Math.max(0, (line - 5) * 18);
}

function applyText(): void {
  const issues = session.setText($<HTMLTextAreaElement>('yaml').value);
  if (issues.length) return;
  fillSteps();
  fillPickers();
  view.walks = [];
  view.walk = undefined;
  $('walk-box').hidden = true;
  refreshEdited();
  void renderDiagram();
  status('applied');
}

function showResults(rep: RunReport): void {
  const box = $('results');
  const checks = rep.steps.flatMap((s) => s.checks);
  const failed = checks.filter((c) => !c.pass).length;
  const head = document.createElement('div');
  head.className = `summary ${rep.passed ? 'ok' : 'bad'}`;
  head.textContent = rep.invalid.length
    ? `invalid: ${rep.invalid.map(formatIssue).join('; ')}`
    : `${rep.passed ? 'PASS' : 'FAIL'}: ${rep.steps.length - 1} steps, ${checks.length} checks${failed ? `, ${failed} failed` : ''}`;
  const parts: Node[] = [head];
  for (const s of rep.steps) {
    const d = document.createElement('div');
    d.className = 'step';
    const t = document.createElement('div');
    t.textContent = `${s.index === 0 ? 'build' : `step ${s.index}`}${s.name ? ` (${s.name})` : ''}: ${s.title}${s.probe ? ` => ${s.probe.outcome}` : ''}`;
    d.append(t);
    if (s.probe && s.probe.traces.length) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = 'show walk';
      b.addEventListener('click', () => {
        session.setAt(s.index);
        $<HTMLSelectElement>('at').value = String(s.index);
        const p = s.probe!;
        selectTab('trace');
        setWalks(
          p.traces.map((tr: Trace, i: number) => ({ label: `${i + 1}. ${session.walkTitle(tr)}`, trace: tr })),
          `step ${s.index}: ${p.kind} ${p.from} -> ${p.to}: ${p.outcome}`,
          s.checks.every((c) => c.pass),
        );
      });
      t.append(' ', b);
    }
    for (const c of s.checks) {
      const cd = document.createElement('div');
      cd.className = `check ${c.pass ? 'pass' : 'fail'}`;
      cd.textContent = `${c.what}: expected ${c.expected}${c.pass ? '' : `, got ${c.actual}`}  (line ${c.pos.line})`;
      d.append(cd);
    }
    parts.push(d);
  }
  box.replaceChildren(...parts);
}

async function save(): Promise<void> {
  const text = $<HTMLTextAreaElement>('yaml').value;
  try {
    const r = await fetch('api/scenario', { method: 'PUT', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: text });
    status(r.ok ? `saved ${session.source.file}` : `not saved: ${await r.text()}`);
  } catch (e) {
    status(`not saved: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// ---------------------------------------------------------------------------
// Steps, tabs, the terminal

function fillSteps(): void {
  const sel = $<HTMLSelectElement>('at');
  const steps = session.steps();
  sel.replaceChildren(...steps.map((s) => new Option(s.label, String(s.index))), new Option('the last step', 'last'));
  sel.value = session.at === Infinity ? 'last' : String(session.at);
  sel.parentElement!.hidden = steps.length === 0;
}

function refreshEdited(): void {
  $('edited').hidden = !session.edited;
}

function selectTab(name: string): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('.tabs button')) b.setAttribute('aria-selected', String(b.dataset.tab === name));
  for (const t of ['trace', 'scenario', 'terminal']) $(`tab-${t}`).hidden = t !== name;
  if (name === 'terminal') {
    terminal ??= mountTerminal($('term'), runLine);
    terminal.fit();
    terminal.term.focus();
  }
}

let shellRender: ReturnType<typeof setTimeout> | undefined;

function runLine(line: string): string {
  const before = session.world;
  const r = session.shell(line);
  if (r.walks.length) {
    const last = r.walks.filter((w) => !/reply|unreachable|exceeded/.test(w.trace.title));
    setWalks(r.walks, `from the terminal: ${line}`, r.status === 0);
    if (last.length) selectWalk(r.walks.indexOf(last[0]!));
  } else if (session.world !== before) {
    // The topology changed: draw it again (once, after a burst of pasted lines).
    clearTimeout(shellRender);
    view.walks = [];
    view.walk = undefined;
    $('walk-box').hidden = true;
    shellRender = setTimeout(() => void renderDiagram(), 30);
  }
  refreshEdited();
  return r.output;
}

async function start(): Promise<void> {
  status('loading...');
  const source = await loadSource();
  session = new Session(source);
  $('file').textContent = source.file;
  document.title = `podnet: ${source.file}`;
  const ta = $<HTMLTextAreaElement>('yaml');
  ta.value = source.text;
  if (source.kind === 'script') {
    ($('tab-scenario').querySelector('.editor') as HTMLElement).title = 'a twin-shell script';
  }
  ($('save') as HTMLButtonElement).disabled = !canSave;
  fillSteps();
  fillPickers();
  renderGutter(source.text, new Set(session.issues.map((i) => i.pos.line)));
  if (session.issues.length) {
    selectTab('scenario');
    void validateNow();
  }

  for (const b of document.querySelectorAll<HTMLButtonElement>('.tabs button')) b.addEventListener('click', () => selectTab(b.dataset.tab!));
  $<HTMLSelectElement>('at').addEventListener('change', (e) => {
    const v = (e.target as HTMLSelectElement).value;
    session.setAt(v === 'last' ? Infinity : Number(v));
    view.walks = [];
    view.walk = undefined;
    $('walk-box').hidden = true;
    refreshEdited();
    void renderDiagram();
  });
  $('rebuild').addEventListener('click', () => {
    session.rebuild();
    refreshEdited();
    void renderDiagram();
    terminal?.notice('# the world was rebuilt from the scenario');
  });
  $('probe-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sendProbe();
  });
  $<HTMLSelectElement>('kind').addEventListener('change', (e) => {
    const k = (e.target as HTMLSelectElement).value;
    $('port-label').hidden = !(k === 'tcp' || k === 'udp');
  });
  $<HTMLSelectElement>('walk').addEventListener('change', (e) => selectWalk(Number((e.target as HTMLSelectElement).value)));
  $('back').addEventListener('click', () => step(-1));
  $('forward').addEventListener('click', () => step(1));
  $('show-arp').addEventListener('change', () => renderHopList());
  document.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement;
    if (t.closest('#term') || t.tagName === 'TEXTAREA' || t.tagName === 'INPUT' || t.tagName === 'SELECT') return;
    if (e.key === 'ArrowRight') step(1);
    else if (e.key === 'ArrowLeft') step(-1);
  });
  ta.addEventListener('input', () => {
    clearTimeout(validateTimer);
    validateTimer = setTimeout(() => void validateNow(), 250);
  });
  ta.addEventListener('scroll', () => {
    $('gutter').scrollTop = ta.scrollTop;
  });
  $('apply').addEventListener('click', applyText);
  $('run').addEventListener('click', () => {
    const issues = session.validate(ta.value);
    if (issues.length) return;
    if (ta.value !== session.source.text) applyText();
    const rep = session.runExpectations();
    if (rep) showResults(rep);
  });
  $('save').addEventListener('click', () => void save());
  $('revert').addEventListener('click', () => {
    ta.value = session.source.text;
    void validateNow();
  });
  $('term-reset').addEventListener('click', () => {
    session.rebuild();
    refreshEdited();
    void renderDiagram();
    terminal?.notice('# back to the scenario world');
  });
  $('term-empty').addEventListener('click', () => {
    session.freshMachine();
    view.walks = [];
    view.walk = undefined;
    $('walk-box').hidden = true;
    refreshEdited();
    void renderDiagram();
    terminal?.notice('# an empty machine: only lo in the initial namespace');
  });
  $('zoom-in').addEventListener('click', () => {
    autoFit = false;
    zoom *= 1.25;
    applyZoom();
  });
  $('zoom-out').addEventListener('click', () => {
    autoFit = false;
    zoom /= 1.25;
    applyZoom();
  });
  $('zoom-fit').addEventListener('click', () => {
    autoFit = true;
    fitZoom();
  });
  window.addEventListener('resize', () => {
    if (autoFit) fitZoom();
  });

  await renderDiagram();
  if (source.kind === 'script') selectTab('terminal');
  status(session.issues.length ? `${session.issues.length} problem(s) in ${source.file}` : '');
  document.body.dataset.ready = 'true';
}

void start();
