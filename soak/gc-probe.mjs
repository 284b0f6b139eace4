// Preloaded into the exporter by the soak (`node --expose-gc --import <this> dist/cli.js ...`).
// On SIGUSR2 it runs a full garbage collection and writes the heap in use afterwards to stderr
// as one `SOAK_HEAP {...}` line, so the soak can measure the heap after GC without changing the
// exporter. It adds no timer and no open handle.
import { performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

process.on('SIGUSR2', () => {
  const started = performance.now();
  if (typeof globalThis.gc === 'function') globalThis.gc();
  const gcMs = performance.now() - started;
  const m = process.memoryUsage();
  // Used bytes per V8 heap space: tells JIT code (code_space) from retained data (old_space).
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size]));
  process.stderr.write(`SOAK_HEAP ${JSON.stringify({ heapUsed: m.heapUsed, rss: m.rss, external: m.external, gcMs, spaces, atMs: Date.now() })}\n`);
});
