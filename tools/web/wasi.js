// A minimal WASI (preview1) shim: what txmath.wasm imports, and nothing fetched from anywhere.
// The module is a reactor (no main) that only writes to stdout/stderr; every other WASI call
// answers ENOSYS, so a future import cannot break loading.
const ESUCCESS = 0, EBADF = 8, ENOSYS = 52, ESPIPE = 70;

// `memory()` returns the instance's memory (known only after instantiation); `write(fd, text)`
// receives what the module prints on fd 1 and 2.
export function wasiImports(memory, write) {
  const decoder = new TextDecoder();
  const calls = {
    fd_write(fd, iovs, iovsLen, nwrittenPtr) {
      if (fd !== 1 && fd !== 2) return EBADF;
      const view = new DataView(memory().buffer);
      let text = '', total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = view.getUint32(iovs + 8 * i, true), len = view.getUint32(iovs + 8 * i + 4, true);
        text += decoder.decode(new Uint8Array(memory().buffer, ptr, len));
        total += len;
      }
      view.setUint32(nwrittenPtr, total, true);
      write(fd, text);
      return ESUCCESS;
    },
    fd_seek() { return ESPIPE; },
    fd_close() { return ESUCCESS; },
    proc_exit(code) { throw new Error(`txmath.wasm exited with code ${code}`); },
  };
  return new Proxy(calls, { get: (target, name) => target[name] ?? (() => ENOSYS) });
}
