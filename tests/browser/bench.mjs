// A browser benchmark (not a test): frame-time percentiles of the built app
// in headless Chromium. Run: node tests/browser/bench.mjs
//   (a) a preset at 100×; (b) the flash sale at 10,000× (over 1,000 live
//   environments during the spike, the engine at its per-frame budget).
import { serve, launch, newPage } from './harness.mjs';
import { setSpeed, sleep, num } from './util.mjs';

const server = await serve();
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

async function run(label, preset, log10, warmMs) {
  const { page } = await newPage(browser);
  await page.goto(server.url);
  await page.locator('#sim-clock').waitFor();
  await page.selectOption('#preset', { label: preset });
  await setSpeed(page, log10);
  await sleep(warmMs);
  const dts = (await frames(page, 5000)).slice(1);
  const envs = num(await page.getByTestId('env-count').textContent());
  const inst = await page.locator('[data-testid=ec2-panel] .instance').count();
  const speed = await page.locator('#speed-value').textContent();
  console.log(`${label}: ${dts.length} frames, frame time p50 ${pct(dts, 50).toFixed(1)} ms, p95 ${pct(dts, 95).toFixed(1)} ms, p99 ${pct(dts, 99).toFixed(1)} ms; ${envs} environments, ${inst} instances, speed ${speed}`);
  await page.close();
}

await run('(a) Steady API at 100×', 'Steady API', 2, 1500);
await run('(b) Flash sale at 10,000× (spike)', 'Flash-sale spike', 4, 9000);
await browser.close();
await server.close();
