// The page: inputs -> a request to txmath.wasm (engine.js) -> the tables of `txmath report`,
// the context chart and the einsum box. The URL holds the inputs, so a link renders the same
// account (?model=llama-3-8b&seq=4096&batch=8).
import { Engine } from './engine.js';

const $ = (id) => document.getElementById(id);
const fields = ['seq', 'batch', 'tokens', 'dtype', 'gpu', 'gpus', 'mfu', 'price'];
const numeric = { seq: true, batch: true, gpus: true, mfu: true, price: true };
let engine = null;
let config = null;  // {name, text} of a dropped or pasted config.json; null: the preset

// For the browser test: the module's last answer to a report request, as it wrote it.
window.txmathPage = { answerText: null, state: 'loading' };
function setState(state) {
  window.txmathPage.state = state;
  document.body.dataset.state = state;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

// ---- inputs and the URL -------------------------------------------------------------------

function request() {
  const r = { op: 'report' };
  if (config) Object.assign(r, { config: config.text, config_name: config.name });
  else r.model = $('model').value;
  for (const f of fields) {
    const v = $(f).value.trim();
    if (v === '') continue;
    if (!numeric[f]) r[f] = v;
    else if (/^[0-9]*\.?[0-9]+(e[+-]?[0-9]+)?$/i.test(v)) r[f] = Number(v);
    else r[f] = v;  // not a number: the module names the field in its error
  }
  return r;
}

function syncUrl() {
  const p = new URLSearchParams();
  if (!config) p.set('model', $('model').value);
  for (const f of fields) if ($(f).value.trim() !== '') p.set(f, $(f).value.trim());
  const url = `${location.pathname}?${p}`;
  history.replaceState(null, '', url);
  $('share').href = url;
  $('share').textContent = config ? 'Link to these settings (the config file is not in the link)' : 'Link to this account';
}

function readUrl() {
  const p = new URLSearchParams(location.search);
  const model = p.get('model');
  if (model !== null) {
    // An unknown name is kept, so that the module's message names it and lists the presets.
    if (![...$('model').options].some((o) => o.value === model)) $('model').append(el('option', { value: model }, model));
    $('model').value = model;
  }
  for (const f of fields) if (p.has(f)) $(f).value = p.get(f);
}

// ---- rendering -----------------------------------------------------------------------------

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = false;
}

function renderTable(t) {
  const table = el('table', { 'data-title': t.title });
  table.append(el('caption', {}, t.title));
  const head = el('tr');
  for (const c of t.columns) head.append(el('th', {}, c));
  table.append(el('thead', {}, head));
  const body = el('tbody');
  for (const row of t.rows) {
    const tr = el('tr', row[0] === 'total' ? { class: 'total' } : {});
    row.forEach((cell, i) => tr.append(el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : {}, cell)));
    body.append(tr);
  }
  table.append(body);
  const box = el('div', { class: 'table' }, table);
  for (const n of t.notes) box.append(el('p', { class: 'note' }, n));
  return box;
}

function renderAccount(answer, ms) {
  $('summary').textContent = answer.summary;
  $('tables').replaceChildren(...answer.tables.map(renderTable));
  $('notes').replaceChildren(...answer.report.notes.map((n) => el('li', {}, n)));
  $('timing').textContent = `computed in ${ms.toFixed(1)} ms by txmath.wasm`;
  renderChart(answer.context, Number(answer.report.settings.seq));
}

const series = [
  ['attention_core', 'attention QK^T, AV', '#d1495b'],
  ['attention_projections', 'attention projections', '#edae49'],
  ['ffn', 'FFN and experts', '#00798c'],
  ['head', 'LM head', '#30638e'],
];

function renderChart(rows, seq) {
  const W = 640, H = 280, L = 48, R = 170, T = 12, B = 40;
  const lx = (s) => Math.log2(s);
  const x0 = lx(rows[0].seq), x1 = lx(rows[rows.length - 1].seq);
  const X = (s) => L + ((lx(s) - x0) / (x1 - x0)) * (W - L - R);
  const Y = (v) => T + (1 - v) * (H - T - B);
  let svg = `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="shares of forward FLOPs against context length">`;
  for (let v = 0; v <= 1.0001; v += 0.25)
    svg += `<line x1="${L}" x2="${W - R}" y1="${Y(v)}" y2="${Y(v)}" class="grid"/><text x="${L - 6}" y="${Y(v) + 4}" class="axis" text-anchor="end">${Math.round(v * 100)}%</text>`;
  for (const r of rows)
    if (Math.log2(r.seq) % 2 === 0 || r === rows[rows.length - 1])
      svg += `<text x="${X(r.seq)}" y="${H - B + 16}" class="axis" text-anchor="middle">${r.seq >= 1024 ? r.seq / 1024 + 'k' : r.seq}</text>`;
  svg += `<text x="${(L + W - R) / 2}" y="${H - 6}" class="axis" text-anchor="middle">context length (tokens, log scale)</text>`;
  if (seq >= rows[0].seq && seq <= rows[rows.length - 1].seq)
    svg += `<line x1="${X(seq)}" x2="${X(seq)}" y1="${T}" y2="${H - B}" class="marker"/>`;
  series.forEach(([key, name, color], k) => {
    const pts = rows.map((r) => `${X(r.seq).toFixed(1)},${Y(r[key]).toFixed(1)}`).join(' ');
    svg += `<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2.5"/>`;
    for (const r of rows) svg += `<circle cx="${X(r.seq).toFixed(1)}" cy="${Y(r[key]).toFixed(1)}" r="3" fill="${color}"/>`;
    svg += `<rect x="${W - R + 14}" y="${T + 10 + k * 22}" width="12" height="12" fill="${color}"/><text x="${W - R + 32}" y="${T + 20 + k * 22}" class="legend">${name}</text>`;
  });
  $('chart').innerHTML = svg + '</svg>';
}

// ---- actions -------------------------------------------------------------------------------

async function compute() {
  syncUrl();
  setState('busy');
  const t0 = performance.now();
  const r = await engine.call(request());
  const ms = performance.now() - t0;
  if (!r.ok) {
    showError(r.error);
    setState('error');
    return;
  }
  $('error').hidden = true;
  window.txmathPage.answerText = r.text;
  renderAccount(r.value, ms);
  setState('ready');
}

async function costEinsum(event) {
  event?.preventDefault();
  const r = await engine.call({
    op: 'einsum', spec: $('einsum-spec').value, sizes: $('einsum-sizes').value, optimize: $('einsum-optimize').value,
  });
  $('einsum-error').hidden = r.ok;
  if (!r.ok) {
    $('einsum-error').textContent = r.error;
    $('einsum-out').replaceChildren();
    return;
  }
  const e = r.value, big = (v) => BigInt(v).toLocaleString('en-US');
  const summary = {
    title: e.spec, columns: ['', ''], notes: [],
    rows: [
      ['FLOPs along the path', big(e.opt_flops)], ['FLOPs in one step (naive)', big(e.naive_flops)],
      ['speedup', `${Number(e.speedup).toPrecision(4)}x`], ['largest intermediate', `${big(e.largest_intermediate)} elements`],
      ['bytes moved (bf16, inputs and output)', big(e.bytes)], ['intensity', `${Number(e.intensity).toPrecision(4)} FLOP/byte`],
      ['path', JSON.stringify(e.path)],
    ],
  };
  const steps = { title: 'Contraction steps', columns: ['step', 'contraction', 'FLOPs'], notes: [],
    rows: e.steps.map((s, i) => [String(i), s.spec, big(s.flops)]) };
  $('einsum-out').replaceChildren(renderTable(summary), renderTable(steps));
}

const maxConfigBytes = 16 << 20;  // a config.json is a few KB; refuse to hand a huge file to the module

function useConfig(name, text) {
  if (text.length > maxConfigBytes) {
    showError(`txmath: ${name}: ${text.length} bytes is too large for a config.json (at most ${maxConfigBytes} here)`);
    setState('error');
    return;
  }
  config = { name, text };
  $('config-name').textContent = `using ${name}`;
  $('drop').classList.add('loaded');
  compute();
}

function usePreset() {
  config = null;
  $('config-name').textContent = '';
  $('drop').classList.remove('loaded');
  $('file').value = '';
  compute();
}

function wire() {
  $('model').addEventListener('change', usePreset);
  for (const f of fields) $(f).addEventListener('change', compute);
  $('file').addEventListener('change', async () => {
    const f = $('file').files[0];
    if (f) useConfig(f.name, await f.text());
  });
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', async (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer.files[0];
    if (f) useConfig(f.name, await f.text());
  });
  $('paste-toggle').addEventListener('click', () => { $('paste').hidden = !$('paste').hidden; });
  $('paste-use').addEventListener('click', () => useConfig('pasted config.json', $('paste-text').value));
  $('copy').addEventListener('click', () => navigator.clipboard?.writeText($('share').href));
  $('einsum-form').addEventListener('submit', costEinsum);
}

async function main() {
  const bytes = await (await fetch('txmath.wasm')).arrayBuffer();
  engine = await Engine.load(bytes);
  const lists = (await engine.call({ op: 'lists' })).value;
  $('model').replaceChildren(...lists.presets.map((p) => el('option', { value: p }, p)));
  $('model').value = 'llama-3-8b';
  $('dtype').replaceChildren(...lists.dtypes.map((d) => el('option', { value: d }, d)));
  $('dtype').value = 'bf16';
  $('gpu').replaceChildren(...lists.gpus.map((g) => el('option', { value: g.key }, g.name)));
  $('gpu').value = 'h100';
  wire();
  readUrl();
  await compute();
  await costEinsum();
}

main().catch((e) => { showError(`txmath: the page failed to start: ${e.message}`); setState('error'); });
