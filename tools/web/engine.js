// txmath.wasm behind one call: a JSON request in, a JSON answer or a "txmath: ..." message out.
// Used by the page (app.js) and by Node (test/engine.test.mjs).
import { wasiImports } from './wasi.js';

// Integers of 16 digits and more become strings, so that JSON.parse keeps them exact
// (a double holds integers exactly only up to 2^53); our JSON has no such digits elsewhere.
export function parseExact(text) {
  return JSON.parse(text.replace(/([:\[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"$2"'));
}

export class Engine {
  static async load(bytes) {
    const engine = new Engine();
    engine.module = await WebAssembly.compile(bytes);
    await engine.instantiate();
    return engine;
  }

  // A fresh instance: after a failure the old one trapped mid-call and is not reused.
  async instantiate() {
    this.stderr = '';
    this.message = null;
    const memory = () => this.instance.exports.memory;
    const imports = {
      wasi_snapshot_preview1: wasiImports(memory, (fd, text) => { if (fd === 2) this.stderr += text; }),
      txmath: {
        error: (kind, ptr, len) => {
          this.message = new TextDecoder().decode(new Uint8Array(memory().buffer, ptr, len));
        },
      },
    };
    this.instance = await WebAssembly.instantiate(this.module, imports);
    this.instance.exports._initialize();
  }

  // {ok: true, text, value} or {ok: false, error: "txmath: ..."}.
  async call(request) {
    const bytes = new TextEncoder().encode(JSON.stringify(request));
    const ex = this.instance.exports;
    try {
      const input = ex.txmath_input(bytes.length);
      new Uint8Array(ex.memory.buffer, input, bytes.length).set(bytes);
      const out = ex.txmath_call();
      const text = new TextDecoder().decode(new Uint8Array(ex.memory.buffer, out, ex.txmath_output_size()));
      return { ok: true, text, value: parseExact(text) };
    } catch (e) {
      const error = this.message ?? (this.stderr.trim() || `txmath: the module failed: ${e.message}`);
      await this.instantiate();
      return { ok: false, error };
    }
  }
}
