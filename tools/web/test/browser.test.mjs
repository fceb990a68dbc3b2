// The page in a real browser: headless Chromium (Debian's /usr/bin/chromium) driven by
// playwright-core, against a local static server. The page's figures must equal the CLI's
// (`txmath report --json` and its tables) for the same inputs.
//   node tools/web/test/browser.test.mjs --page build/web --cli build/tools/txmath \
//        --screenshot build/web/screenshot.png
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { parseExact } from '../engine.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const pageDir = path.resolve(arg('page', path.join(root, 'build/web')));
const cli = path.resolve(arg('cli', path.join(root, 'build/tools/txmath')));
const screenshot = path.resolve(arg('screenshot', path.join(pageDir, 'screenshot.png')));
const browserPath = arg('browser', '/usr/bin/chromium');

let failures = 0;
async function check(name, f) {
  try {
    await f();
    console.log(`ok    ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL  ${name}\n      ${String(e.stack || e).split('\n').slice(0, 6).join('\n      ')}`);
  }
}

const runCli = (...args) => execFileSync(cli, args, { encoding: 'utf8' });
const cliJson = (...args) => parseExact(runCli(...args, '--json'));

// python3 -m http.server on a free port of 127.0.0.1; resolves to its base URL.
function serve(dir) {
  const server = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', dir],
                       { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    server.stdout.on('data', (d) => {
      const m = /port (\d+)/.exec(String(d));
      if (m) resolve({ server, base: `http://127.0.0.1:${m[1]}/` });
    });
    server.on('exit', (code) => reject(new Error(`http.server exited with ${code}`)));
    setTimeout(() => reject(new Error('http.server did not start in 20 s')), 20000);
  });
}

// The page has finished an account (or shown an error).
async function settled(page) {
  await page.waitForFunction(() => ['ready', 'error'].includes(window.txmathPage?.state), null, { timeout: 30000 });
  return page.evaluate(() => window.txmathPage.state);
}
async function pageReport(page) {
  assert.equal(await settled(page), 'ready', await page.locator('#error').textContent());
  return parseExact(await page.evaluate(() => window.txmathPage.answerText)).report;
}
// The page's tables as {title: rows of cells}.
const pageTables = (page) => page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#tables table')].map(
  (t) => [t.dataset.title, [...t.querySelectorAll('tbody tr')].map((r) => [...r.children].map((c) => c.textContent))])));

// Every page row appears in the CLI's table of the same title: the line that starts with its
// label holds every cell, in order.
function assertSameTables(tables, cliText) {
  const lines = cliText.split('\n');
  let rows = 0;
  for (const [title, body] of Object.entries(tables)) {
    const start = lines.findIndex((l) => l.startsWith(title));
    assert.ok(start >= 0, `the CLI has no table '${title}'`);
    const end = lines.findIndex((l, i) => i > start && l.trim() === '');
    const section = lines.slice(start + 1, end < 0 ? lines.length : end);
    for (const cells of body) {
      const line = section.find((l) => l.startsWith(`  ${cells[0]} `));
      assert.ok(line, `the CLI has no row '${cells[0]}' (${title})`);
      let at = 0;
      for (const c of cells.slice(1).filter((c) => c !== '')) {
        const k = line.indexOf(c, at);
        assert.ok(k >= 0, `row '${cells[0]}': the page shows '${c}', the CLI line is '${line}'`);
        at = k + c.length;
      }
      rows++;
    }
  }
  assert.ok(rows >= 15, `only ${rows} rows compared`);
}
// Equal except the keys listed (by path).
function assertEqualExcept(a, b, except, where = '') {
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const p = where ? `${where}.${k}` : k;
    if (except.includes(p)) continue;
    if (typeof a[k] === 'object' && a[k] !== null && !Array.isArray(a[k])) assertEqualExcept(a[k], b[k], except, p);
    else assert.deepEqual(a[k], b[k], p);
  }
}

const wasmBytes = fs.statSync(path.join(pageDir, 'txmath.wasm')).size;
console.log(`txmath.wasm: ${wasmBytes} bytes`);
const { server, base } = await serve(pageDir);
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'txmath-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: browserPath,
  headless: true,
  viewport: { width: 1400, height: 1000 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run'],
});
// Nothing but the local server: the page must not reach the network.
const outside = [];
await context.route('**/*', (route) => {
  const url = route.request().url();
  if (url.startsWith(base)) return route.continue();
  outside.push(url);
  return route.abort();
});
const page = await context.newPage();
const consoleErrors = [];
page.on('pageerror', (e) => consoleErrors.push(String(e)));

try {
  await check('the wasm module is under 1 MB', () => assert.ok(wasmBytes < 1 << 20, `${wasmBytes} bytes`));

  await check('choose Llama-3-8B: 8,030,261,248 parameters and the CLI\'s figures', async () => {
    await page.goto(base);
    await settled(page);
    // The goal is a first account under 100 ms: logged, not asserted (CI machines vary).
    const first = await page.locator('#timing').textContent();
    const sinceNavigation = await page.evaluate(() => performance.now());
    console.log(`      first account: ${first}; page ready ${sinceNavigation.toFixed(0)} ms after navigation`);
    await page.selectOption('#model', 'gpt2');
    await settled(page);
    await page.fill('#seq', '4096');
    await page.fill('#batch', '8');
    await page.selectOption('#model', 'llama-3-8b');
    const report = await pageReport(page);
    const totalRow = page.locator('table[data-title="Parameters"] tr.total td').first();
    assert.equal(await totalRow.textContent(), '8,030,261,248');
    assert.equal(report.params.total, 8030261248);
    // The whole account, exactly: parameters, FLOPs, memory, time and cost, model, settings.
    assert.deepEqual(report, cliJson('report', 'llama-3-8b', '--seq', '4096', '--batch', '8'));
    assertSameTables(await pageTables(page), runCli('report', 'llama-3-8b', '--seq', '4096', '--batch', '8'));
    const timing = await page.locator('#timing').textContent();
    console.log(`      ${timing}`);
    await page.evaluate(() => document.activeElement?.blur());
    await page.screenshot({ path: screenshot, fullPage: true });
  });

  await check('dtype, GPU, GPUs, MFU, price and tokens: still the CLI\'s figures', async () => {
    await page.selectOption('#dtype', 'fp8');
    await page.selectOption('#gpu', 'h200');
    await page.fill('#gpus', '512');
    await page.fill('#mfu', '0.35');
    await page.fill('#price', '3.5');
    await page.fill('#tokens', '15T');
    await page.locator('#tokens').dispatchEvent('change');
    const report = await pageReport(page);
    const args = ['report', 'llama-3-8b', '--seq', '4096', '--batch', '8', '--dtype', 'fp8', '--gpu', 'h200',
                  '--gpus', '512', '--mfu', '0.35', '--price', '3.5', '--tokens', '15T'];
    assert.deepEqual(report, cliJson(...args));
    assertSameTables(await pageTables(page), runCli(...args));
  });

  await check('the URL round trip: a link renders the same account', async () => {
    const url = page.url();
    assert.match(url, /model=llama-3-8b/);
    assert.match(url, /gpus=512/);
    const before = await page.evaluate(() => window.txmathPage.answerText);
    const other = await context.newPage();
    await other.goto(url);
    assert.equal(await settled(other), 'ready');
    assert.equal(await other.evaluate(() => window.txmathPage.answerText), before);
    // The example link renders that account directly.
    await other.goto(`${base}?model=llama-3-8b&seq=4096&batch=8`);
    assert.deepEqual(await pageReport(other), cliJson('report', 'llama-3-8b', '--seq', '4096', '--batch', '8'));
    await other.close();
  });

  await check('upload a config.json: the CLI\'s figures for that file', async () => {
    const file = path.join(root, 'examples/configs/qwen3-30b-a3b.json');
    await page.goto(`${base}?seq=4096&batch=8`);
    await settled(page);
    await page.setInputFiles('#file', file);
    await page.waitForFunction(() => document.querySelector('#config-name').textContent.includes('qwen3-30b-a3b'));
    const report = await pageReport(page);
    assertEqualExcept(report, cliJson('report', file, '--seq', '4096', '--batch', '8'), ['model.source']);
    assert.equal(report.model.source, 'qwen3-30b-a3b.json');
  });

  await check('drop a config.json, and paste one: the CLI\'s figures for those files', async () => {
    const gpt2 = path.join(root, 'examples/configs/gpt2.json');
    const text = fs.readFileSync(gpt2, 'utf8');
    await page.evaluate(async ({ text }) => {  // a drop event as a file manager sends it
      const data = new DataTransfer();
      data.items.add(new File([text], 'gpt2.json', { type: 'application/json' }));
      document.querySelector('#drop').dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true }));
    }, { text });
    await page.waitForFunction(() => document.querySelector('#config-name').textContent.includes('gpt2.json'));
    const want = cliJson('report', gpt2, '--seq', '4096', '--batch', '8');
    assertEqualExcept(await pageReport(page), want, ['model.source']);
    assert.equal(want.params.total, 124439808);  // GPT-2 small, as Hugging Face counts it
    await page.click('#paste-toggle');
    const mixtral = path.join(root, 'examples/configs/mixtral-8x7b.json');
    await page.fill('#paste-text', fs.readFileSync(mixtral, 'utf8'));
    await page.click('#paste-use');
    await page.waitForFunction(() => document.querySelector('#config-name').textContent.includes('pasted'));
    assertEqualExcept(await pageReport(page), cliJson('report', mixtral, '--seq', '4096', '--batch', '8'),
                      ['model.source', 'model.name']);
  });

  await check('a malformed config.json shows the txmath: message, and the page keeps working', async () => {
    await page.setInputFiles('#file', { name: 'broken.json', mimeType: 'application/json',
                                        buffer: Buffer.from('{"model_type": "llama", "hidden_size": 4096,,}') });
    assert.equal(await settled(page), 'error');
    const message = await page.locator('#error').textContent();
    assert.ok(await page.locator('#error').isVisible());
    assert.match(message, /^txmath: broken\.json:1:45: /);
    // A config.json with a wrong field: the loader's message names it.
    await page.setInputFiles('#file', { name: 'nokv.json', mimeType: 'application/json',
      buffer: Buffer.from('{"model_type": "llama", "vocab_size": 32000, "hidden_size": 4096, "num_hidden_layers": 2, ' +
                          '"num_attention_heads": 32, "num_key_value_heads": 5, "intermediate_size": 11008}') });
    assert.equal(await settled(page), 'error');
    assert.match(await page.locator('#error').textContent(), /^txmath: nokv\.json:.*num_key_value_heads: 5 does not divide/);
    await page.selectOption('#model', 'gpt2');
    const report = await pageReport(page);
    assert.ok(!(await page.locator('#error').isVisible()));
    assert.equal(report.params.total, 124439808);  // GPT-2 small, as Hugging Face counts it
  });

  await check('a bad setting shows the module\'s message', async () => {
    await page.fill('#mfu', '1.5');
    await page.locator('#mfu').dispatchEvent('change');
    assert.equal(await settled(page), 'error');
    assert.match(await page.locator('#error').textContent(), /^txmath: mfu: must be in \(0, 1\]/);
    await page.fill('#mfu', '0.4');
    await page.locator('#mfu').dispatchEvent('change');
    assert.equal(await settled(page), 'ready');
  });

  await check('the einsum box: the CLI\'s contraction path and FLOPs', async () => {
    await page.fill('#einsum-spec', 'ij,jk,kl->il');
    await page.fill('#einsum-sizes', 'i=10 j=20 k=30 l=40');
    await page.selectOption('#einsum-optimize', 'dp');
    await page.click('#einsum-form button');
    await page.waitForFunction(() => document.querySelector('#einsum-out table caption')?.textContent === 'ij,jk,kl->il');
    const cells = await page.locator('#einsum-out table').first().locator('td').allTextContents();
    const want = cliJson('path', 'ij,jk,kl->il', 'i=10', 'j=20', 'k=30', 'l=40', '--optimize', 'dp');
    assert.equal(cells[0], BigInt(want.opt_flops).toLocaleString('en-US'));
    assert.equal(cells[1], BigInt(want.naive_flops).toLocaleString('en-US'));
    assert.equal(cells[6], JSON.stringify(want.path));
    await page.fill('#einsum-spec', 'ij,jk->ii');
    await page.click('#einsum-form button');
    await page.waitForFunction(() => !document.querySelector('#einsum-error').hidden);
    assert.match(await page.locator('#einsum-error').textContent(), /^txmath: .*index 'i' is repeated in the output/);
  });

  await check('the context chart is drawn', async () => {
    assert.equal(await page.locator('#chart svg polyline').count(), 4);
  });

  await check('no request left 127.0.0.1, no script error', () => {
    assert.deepEqual(outside, []);
    assert.deepEqual(consoleErrors, []);
  });
} finally {
  await context.close();
  server.kill();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
console.log(failures === 0 ? `txmath web: all checks passed (screenshot: ${screenshot})` : `txmath web: ${failures} FAILED`);
process.exit(failures === 0 ? 0 : 1);
