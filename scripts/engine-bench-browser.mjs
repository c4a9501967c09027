// The engine benchmark in headless Chromium (see scripts/engine-bench-browser.sh):
// invocations simulated per wall-clock second by the built wasm, timed
// around the `fanout_bench` export (scenario parse, set-up and the run to
// the end; no happenings recorded, nothing drawn). Best of BENCH_ROUNDS,
// with the machine's load average, since the machine may be shared.
// BENCH_CASES=0,1 runs only those workloads (0: SimFaaS at 0.9 req/s,
// 1: at 1,000 req/s, 2: the day), e.g. to compare two builds quickly.
import os from 'node:os';
import { serve, launch } from '../tests/browser/harness.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** The SimFaaS model (static/scenarios/simfaas.json) at `rate` req/s. */
const simfaas = (rate, seconds) => JSON.stringify({
  version: 1, name: 'simfaas', seed: 1, duration_s: seconds,
  sources: [{ kind: 'api', pattern: { type: 'poisson', rate_per_s: rate } }],
  function: {
    timeout_s: 900,
    duration: { type: 'exponential', mean_ms: 1991 },
    cold_duration: { type: 'exponential', mean_ms: 2244 },
    init_duration: { type: 'fixed', ms: 0 }, keep_alive_s: 600,
  },
  account: { concurrency_limit: 100000, scaling: { model: 'unlimited' } },
});

/** The native bench's workload (b) for a simulated day: 1,000 req/s, 100 ms. */
const day = JSON.stringify({
  version: 1, name: 'day', seed: 1, duration_s: 86400,
  sources: [{ kind: 'api', pattern: { type: 'poisson', rate_per_s: 1000 } }],
  function: { timeout_s: 10, duration: { type: 'fixed', ms: 100 }, init_duration: { type: 'fixed', ms: 300 } },
});

const ALL_CASES = [
  ['SimFaaS, 0.9 req/s, ~10^6 invocations', simfaas(0.9, 1111111)],
  ['SimFaaS, 1,000 req/s, ~10^6 invocations', simfaas(1000, 1000)],
  ['a simulated day at 1,000 req/s (100 ms)', day],
];
const CASES = process.env.BENCH_CASES
  ? process.env.BENCH_CASES.split(',').map((i) => ALL_CASES[Number(i)]).filter(Boolean)
  : ALL_CASES;

const server = await serve(process.env.BENCH_DIST);
const browser = await launch();
const page = await browser.newPage();
await page.goto(server.url);
await page.waitForFunction(() => typeof window.wasmBindings?.fanout_bench === 'function', null, { timeout: 60000 });
console.log(`${await browser.version()}, ${os.cpus().length} cores`);
const best = CASES.map(() => Infinity);
let invocations = CASES.map(() => 0);
for (let r = 1; r <= ROUNDS; r++) {
  for (const [i, [label, json]] of CASES.entries()) {
    const load = os.loadavg()[0];
    const { n, ms } = await page.evaluate((json) => {
      const t0 = performance.now();
      const n = window.wasmBindings.fanout_bench(json);
      return { n, ms: performance.now() - t0 };
    }, json);
    if (n < 0) throw new Error(`${label}: the scenario did not load`);
    best[i] = Math.min(best[i], ms);
    invocations[i] = n;
    console.log(`round ${r}: ${label}: ${n} invocations in ${(ms / 1e3).toFixed(3)} s = ${(n / ms / 1e3).toFixed(2)} M invocations/s (load average ${load.toFixed(2)})`);
  }
}
console.log(`best of ${ROUNDS}:`);
for (const [i, [label]] of CASES.entries()) {
  console.log(`  ${label}: ${(best[i] / 1e3).toFixed(3)} s, ${(invocations[i] / best[i] / 1e3).toFixed(2)} M invocations/s`);
}
await browser.close();
await server.close();
