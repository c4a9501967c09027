// A long run: the busy "Steady API" preset (200 requests/s on both sides,
// an Auto Scaling fleet) stretched to 25 simulated hours and run at the
// maximum speed, 10,000×. No console or page error may appear, and after a
// warm-up (the first 2 simulated hours) the memory stays flat: the wasm
// linear memory (read through the app's `fanout_wasm_memory_bytes` export)
// and the JS heap (CDP `Performance.getMetrics` after a forced GC).
//
// FANOUT_LONGRUN_HOURS sets the simulated hours (default 24, the issue's
// figure); the figures are printed as `# longrun:` lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, newPage, screenshotPath } from './harness.mjs';
import { setSpeed, sleep } from './util.mjs';

const HOURS = Number(process.env.FANOUT_LONGRUN_HOURS ?? 24);
const WARMUP_S = Math.min(2 * 3600, (HOURS * 3600) / 4);
const MB = 1024 * 1024;

/** `HH:MM:SS.mmm` or `Nd HH:MM:SS.mmm` (the app's clock) in seconds. */
function clockSeconds(text) {
  const m = String(text).match(/^(?:(\d+)d )?(\d+):(\d+):(\d+)\.(\d+)$/);
  if (!m) throw new Error(`not a clock: ${text}`);
  return (Number(m[1] ?? 0) * 86400) + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]) + Number(m[5]) / 1000;
}

const env = suite();

test(`a busy scenario runs ${HOURS} simulated hours at 10,000× with flat memory`, { timeout: 3600000 }, async () => {
  const { page, problems } = await newPage(env.browser);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(env.url);
  await page.locator('#sim-clock').waitFor();
  await page.waitForFunction(() => typeof window.wasmBindings?.fanout_wasm_memory_bytes === 'function');
  await page.selectOption('#preset', { label: 'Steady API' });
  const runS = Math.ceil(HOURS * 3600 + 3600);
  await page.fill('#p-duration', String(runS));
  await page.locator('#p-duration').press('Enter');
  await page.waitForFunction(() => !document.querySelector('#p-duration-error'));
  await setSpeed(page, 4);

  const sample = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const heap = metrics.find((m) => m.name === 'JSHeapUsedSize').value;
    const wasm = await page.evaluate(() => window.wasmBindings.fanout_wasm_memory_bytes());
    const simS = clockSeconds(await page.locator('#sim-clock').textContent());
    return { simS, heap, wasm, wallS: (Date.now() - t0) / 1000 };
  };
  const t0 = Date.now();
  const samples = [];
  let warm;
  for (;;) {
    const s = await sample();
    samples.push(s);
    if (!warm && s.simS >= WARMUP_S) warm = s;
    if (s.simS >= HOURS * 3600) break;
    if (s.wallS > 3300) assert.fail(`too slow: ${s.simS} s simulated after ${s.wallS} s`);
    if (samples.length > 3 && samples.at(-1).simS === samples.at(-4).simS) {
      assert.fail(`the clock stopped at ${s.simS} s`);
    }
    await sleep(2000);
  }
  const end = samples.at(-1);
  const after = samples.filter((s) => s.simS >= warm.simS);
  const maxHeap = Math.max(...after.map((s) => s.heap));
  const maxWasm = Math.max(...after.map((s) => s.wasm));
  await page.screenshot({ path: screenshotPath('longrun-end.png') });
  const fmt = (b) => `${(b / MB).toFixed(2)} MB`;
  console.log(`# longrun: ${(end.simS / 3600).toFixed(2)} simulated hours in ${end.wallS.toFixed(0)} s wall ` +
    `(${(end.simS / end.wallS).toFixed(0)}× achieved), ${samples.length} samples`);
  console.log(`# longrun: wasm memory ${fmt(samples[0].wasm)} at start, ${fmt(warm.wasm)} after warm-up ` +
    `(${(warm.simS / 3600).toFixed(2)} h), max ${fmt(maxWasm)} after it, ${fmt(end.wasm)} at the end`);
  console.log(`# longrun: JS heap (after GC) ${fmt(samples[0].heap)} at start, ${fmt(warm.heap)} after warm-up, ` +
    `max ${fmt(maxHeap)} after it, ${fmt(end.heap)} at the end`);

  assert.deepEqual(problems, { errors: [], foreign: [] });
  // Flat: wasm memory never shrinks, so any growth after warm-up is a leak
  // unless tiny (allocator fragmentation): at most 10 % or 1 MB.
  assert.ok(maxWasm <= Math.max(warm.wasm * 1.10, warm.wasm + MB),
    `wasm memory grew after warm-up: ${fmt(warm.wasm)} -> ${fmt(maxWasm)}`);
  // The JS heap after a GC: at most 25 % plus 2 MB above its warm-up level.
  assert.ok(maxHeap <= warm.heap * 1.25 + 2 * MB,
    `JS heap grew after warm-up: ${fmt(warm.heap)} -> ${fmt(maxHeap)}`);
  await page.close();
});
