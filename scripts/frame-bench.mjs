// A browser benchmark (not a test): frame-time percentiles of the built app
// in headless Chromium. Run after `trunk build --release`:
//   node scripts/frame-bench.mjs           (3 rounds; BENCH_ROUNDS=n for more)
//   (a) the Steady API preset at 100×;
//   (b) the stress preset at 100×: ~1,000 live Lambda environments (density
//       view) beside 50 EC2 instances, 2,000 requests a second.
// Frame time = the interval between requestAnimationFrame callbacks over
// 5 s of wall time, after a warm-up. The machine's load average is printed
// with each round: on a shared machine the spread between rounds is the
// honest error bar. The work per frame is CPU time (Chromium's counters in
// thread time), which other processes disturb far less than frame times:
// the main thread's by kind (script, style, layout, all its tasks) and the
// whole renderer's (main thread, compositor and raster threads).
// BENCH_DIST=dir measures another build (e.g. an older one, for a before/after).
import os from 'node:os';
import { serve, launch, newPage } from '../tests/browser/harness.mjs';
import { setSpeed, sleep, num } from '../tests/browser/util.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const server = await serve(process.env.BENCH_DIST);
const browser = await launch();

async function frames(page, ms) {
  return page.evaluate((ms) => new Promise((resolve) => {
    const dts = [];
    let last = performance.now();
    const end = last + ms;
    function f(t) {
      dts.push(t - last);
      last = t;
      if (t < end) requestAnimationFrame(f); else resolve(dts);
    }
    requestAnimationFrame(f);
  }), ms);
}

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))]; };

const METRICS = ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration', 'ProcessTime'];
async function metrics(cdp) {
  const { metrics: m } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(m.filter((x) => METRICS.includes(x.name)).map((x) => [x.name, x.value]));
}

async function run(label, preset, log10, warmMs) {
  const { page } = await newPage(browser);
  const cdp = await page.context().newCDPSession(page);
  // Durations in thread CPU time, not wall time.
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  await page.goto(server.url);
  await page.locator('#sim-clock').waitFor();
  await page.selectOption('#preset', { label: preset });
  await setSpeed(page, log10);
  await sleep(warmMs);
  const load = os.loadavg()[0];
  const m0 = await metrics(cdp);
  const dts = (await frames(page, 5000)).slice(1);
  const m1 = await metrics(cdp);
  const envs = num(await page.getByTestId('env-count').textContent());
  const inst = await page.locator('[data-testid=ec2-panel] .instance').count();
  const nodes = await page.evaluate(() => document.querySelectorAll('svg.stage *').length);
  const speed = (await page.locator('#speed-value').textContent()).trim();
  const f = (x) => x.toFixed(1);
  // CPU time per frame by kind [ms], from Chromium's counters.
  const per = (k) => f(((m1[k] ?? 0) - (m0[k] ?? 0)) * 1000 / Math.max(1, dts.length));
  console.log(`${label}: ${dts.length} frames, frame time p50 ${f(pct(dts, 50))} ms, p95 ${f(pct(dts, 95))} ms, p99 ${f(pct(dts, 99))} ms, max ${f(Math.max(...dts))} ms; CPU per frame: main thread script ${per('ScriptDuration')} ms, style ${per('RecalcStyleDuration')} ms, layout ${per('LayoutDuration')} ms, all tasks ${per('TaskDuration')} ms, whole renderer ${per('ProcessTime')} ms; ${envs} environments, ${inst} instances, ${nodes} stage SVG nodes, speed ${speed}; load average ${load.toFixed(2)} (${os.cpus().length} cores)`);
  await page.close();
  return pct(dts, 95);
}

for (let r = 1; r <= ROUNDS; r++) {
  console.log(`round ${r} of ${ROUNDS}`);
  await run('(a) Steady API at 100×', 'Steady API', 2, 1500);
  await run('(b) Stress at 100× (1,000 environments, 50 instances)', 'Stress: 1,000 environments, 50 instances', 2, 6000);
}
await browser.close();
await server.close();
