// The engine in Node, without a browser: node tools/web/test/engine.test.mjs build/web/txmath.wasm
import fs from 'node:fs';
import assert from 'node:assert/strict';
import { Engine } from '../engine.js';

const wasm = fs.readFileSync(process.argv[2]);
// The browser test's bar too, so that ctest catches a module grown past it (that test needs
// Chromium and runs in CI's web job).
assert.ok(wasm.length < 1 << 20, `txmath.wasm: ${wasm.length} bytes, over 1 MiB`);
const engine = await Engine.load(wasm);
const t0 = performance.now();
const r = await engine.call({ op: 'report', model: 'llama-3-8b', seq: 4096, batch: 8 });
console.log(`first account: ${(performance.now() - t0).toFixed(1)} ms`);
assert.ok(r.ok, r.error);
assert.equal(r.value.report.params.total, 8030261248);  // Meta's Llama 3 8B: 8,030,261,248
const bad = await engine.call({ op: 'report', config: '{"model_type": "llama",}', config_name: 'bad.json' });
assert.equal(bad.ok, false);
assert.match(bad.error, /^txmath: bad\.json:1:24: /);
const again = await engine.call({ op: 'report', model: 'gpt2' });  // works after a failure
assert.equal(again.value.report.params.total, 124439808);
const e = await engine.call({ op: 'einsum', spec: 'ij,jk,kl->il', sizes: 'i=10 j=20 k=30 l=40', optimize: 'dp' });
assert.ok(e.ok, e.error);
console.log('engine: ok', JSON.stringify(e.value.path), e.value.opt_flops);
