// What the frame-cost work must not lose (see the README's Benchmarks):
// particles still fly (now on a canvas inside the stage), and the charts and
// the meters still follow the run while they redraw a few times a second
// instead of every frame.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, newPage } from './harness.mjs';
import { sleep, setSpeed, until } from './util.mjs';

let server;
let browser;
before(async () => {
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** Painted (non-transparent) pixels of the particle canvas. */
const painted = (page) => page.getByTestId('particles').evaluate((c) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return n;
});

test('particles fly on the stage canvas, above the panels, at the stage\'s resolution', async () => {
  const { page, problems } = await newPage(browser);
  await page.goto(server.url);
  await page.locator('#sim-clock').waitFor();
  await page.selectOption('#preset', { label: 'Steady API' });
  await setSpeed(page, 2);
  const n = await until(
    async () => Number(await page.getByTestId('particles').getAttribute('data-particles')),
    (v) => v > 10, 15000, 'particles in flight');
  assert.ok(n <= 160, `at most 160 particles alive (${n})`);
  assert.ok(await painted(page) > 100, 'the canvas shows them');
  // Its backing store matches the pixels the stage covers (crisp, not stretched).
  const { cw, sw } = await page.evaluate(() => ({
    cw: document.querySelector('[data-testid=particles]').width,
    sw: document.querySelector('svg.stage').clientWidth * devicePixelRatio,
  }));
  assert.ok(Math.abs(cw - sw) <= 2, `canvas ${cw} px wide for a stage of ${sw} px`);
  // No SVG circles any more: the particles are the canvas's.
  assert.equal(await page.locator('svg.stage circle.particle').count(), 0);
  // Paused, the particles that were flying land and the canvas clears.
  await page.click('#play-toggle');
  await until(() => painted(page), (v) => v === 0, 5000, 'an empty canvas after landing');
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('the charts and the meters keep following the run', async () => {
  const { page, problems } = await newPage(browser);
  await page.goto(server.url);
  await page.locator('#sim-clock').waitFor();
  await page.selectOption('#preset', { label: 'Steady API' });
  await setSpeed(page, 2);
  const path = () => page.locator('[data-testid=chart-cost] > svg > path.series.lambda').getAttribute('d');
  const cost = () => page.getByTestId('cost-ec2').textContent();
  await until(path, (d) => (d ?? '').includes('H'), 15000, 'a cost line');
  const [d0, c0] = [await path(), await cost()];
  // The meter shows cents: at 100× (less on a loaded machine) the EC2 side
  // adds one every few seconds of wall time, so wait for it, not a fixed time.
  await until(cost, (c) => c !== c0, 15000, `the EC2 meter ticks past ${c0}`);
  const d1 = await path();
  assert.ok(d1.length > d0.length, `the cost line grows while running (${d0.length} -> ${d1.length} characters)`);
  // Paused: the charts take every sample up to the instant shown.
  await page.click('#play-toggle');
  await sleep(300);
  const d2 = await path();
  await sleep(600);
  assert.equal(await path(), d2, 'paused: the charts stand still');
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});
