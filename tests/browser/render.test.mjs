// What the frame-cost work must not lose (see docs/performance.md):
// particles still fly (now on a canvas inside the stage), and the charts and
// the meters still follow the run while they redraw a few times a second
// instead of every frame.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, newPage } from './harness.mjs';
import { sleep, setSpeed, until, evaluateWithBlobs } from './util.mjs';

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

/**
 * The particles on the canvas as drawn: each separate blob of painted
 * pixels (alpha ≥ 128), its bounding box in CSS px. Overlapping particles
 * make one larger blob; the median blob is one particle.
 */
const particleBlobs = (page) => evaluateWithBlobs(page, (blobs) => {
  const c = document.querySelector('[data-testid=particles]');
  const { width: w, height: h } = c;
  const d = c.getContext('2d').getImageData(0, 0, w, h).data;
  const per = w / c.getBoundingClientRect().width; // device px per CSS px
  return blobs(d, w, h, 128).map((b) => ({ w: (b.x1 - b.x0 + 1) / per, h: (b.y1 - b.y0 + 1) / per }));
});

for (const [width, height] of [[320, 568], [360, 640], [1280, 800]]) {
  test(`particles are at least 3 CSS px in radius on screen at ${width} px`, async () => {
    const { page, problems } = await newPage(browser, { width, height });
    await page.goto(server.url);
    await page.locator('#sim-clock').waitFor();
    await page.selectOption('#preset', { label: 'Steady API' });
    await setSpeed(page, 1);
    await until(async () => Number(await page.getByTestId('particles').getAttribute('data-particles')),
      (v) => v >= 3, 15000, 'particles in flight');
    const r = Number(await page.getByTestId('particles').getAttribute('data-radius-px'));
    assert.ok(r >= 3, `radius ${r} CSS px`);
    // Measured from the canvas's pixels: the typical particle (the median
    // round blob) is at least 6 CSS px across.
    const sizes = [];
    for (let i = 0; i < 20 && sizes.length < 15; i++) {
      const b = await particleBlobs(page);
      sizes.push(...b.filter((x) => Math.abs(x.w - x.h) <= 1.5).map((x) => Math.min(x.w, x.h)));
      await sleep(60);
    }
    assert.ok(sizes.length >= 5, `${sizes.length} particles measured`);
    sizes.sort((a, b) => a - b);
    const median = sizes[Math.floor(sizes.length / 2)];
    console.log(`# particles at ${width} px: radius ${r} CSS px, median blob ${median.toFixed(1)} CSS px across`);
    assert.ok(median >= 5.9, `a particle is ${median.toFixed(1)} CSS px across at ${width} px`);
    assert.deepEqual(problems, { errors: [], foreign: [] });
    await page.close();
  });
}

/** Resolves after `n` animation frames. */
const frames = (page, n) => page.evaluate((n) => new Promise((r) => {
  const step = (k) => (k === 0 ? r() : requestAnimationFrame(() => step(k - 1)));
  step(n);
}), n);

/** The panel colour edging the particles, from `data-palette`, as #rrggbb
 * (the release CSS is minified, so #ffffff may come as #fff). */
const edge = (palette) => {
  const c = (palette ?? '').split(',')[0].split(' ')[1] ?? '';
  return /^#[0-9a-f]{3}$/i.test(c) ? `#${[...c.slice(1)].map((x) => x + x).join('')}`.toLowerCase() : c.toLowerCase();
};

test('the canvas follows a theme switch and a resize within two frames', async () => {
  const { page, problems } = await newPage(browser, { width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(server.url);
  await page.locator('#sim-clock').waitFor();
  await page.selectOption('#preset', { label: 'Steady API' });
  await setSpeed(page, 2);
  const canvas = page.getByTestId('particles');
  await until(() => canvas.getAttribute('data-palette'), (v) => edge(v) === '#ffffff', 5000, 'the light palette');
  // The panel colour edges the particles: light #ffffff, dark #1a2027.
  for (const [scheme, panel] of [['dark', '#1a2027'], ['light', '#ffffff'], ['dark', '#1a2027'], ['light', '#ffffff']]) {
    await sleep(120); // away from the half-second re-read
    await page.emulateMedia({ colorScheme: scheme });
    await frames(page, 2);
    const p = await canvas.getAttribute('data-palette');
    assert.equal(edge(p), panel, `${scheme}: palette ${p}`);
  }
  // The page's own theme switch (the T key: auto → dark) too.
  await sleep(120);
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press('t');
  await until(() => page.evaluate(() => document.documentElement.dataset.theme), (v) => v === 'dark', 3000, 'the dark theme');
  await frames(page, 2);
  const p = await canvas.getAttribute('data-palette');
  assert.equal(edge(p), '#1a2027', `the T key's dark theme: palette ${p}`);
  // A resize: the backing store matches the stage's new width at once.
  for (const w of [1000, 1400, 1280]) {
    await sleep(120);
    await page.setViewportSize({ width: w, height: 800 });
    await frames(page, 2);
    const { cw, sw } = await page.evaluate(() => ({
      cw: document.querySelector('[data-testid=particles]').width,
      sw: document.querySelector('svg.stage').clientWidth * devicePixelRatio,
    }));
    assert.ok(Math.abs(cw - sw) <= 2, `at ${w} px: canvas ${cw} px wide for a stage of ${sw} px`);
  }
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

/** Painted particle pixels (alpha ≥ 64) inside the box of each visible
 * text of the stage, by text. */
const onText = (page) => page.evaluate(() => {
  const c = document.querySelector('[data-testid=particles]');
  const cb = c.getBoundingClientRect();
  const per = c.width / cb.width;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const out = {};
  for (const t of document.querySelectorAll('svg.stage text')) {
    const s = getComputedStyle(t);
    if (s.display === 'none' || s.visibility === 'hidden' || !t.textContent.trim()) continue;
    const r = t.getBoundingClientRect();
    const [x0, x1] = [Math.floor((r.left - cb.left) * per), Math.ceil((r.right - cb.left) * per)];
    const [y0, y1] = [Math.floor((r.top - cb.top) * per), Math.ceil((r.bottom - cb.top) * per)];
    let n = 0;
    for (let y = Math.max(0, y0); y < Math.min(c.height, y1); y++) {
      for (let x = Math.max(0, x0); x < Math.min(c.width, x1); x++) if (d[(y * c.width + x) * 4 + 3] >= 64) n++;
    }
    if (n > 0) out[t.textContent.trim().slice(0, 40)] = n;
  }
  return out;
});

test('on the wide stage particles keep off the text (headers, tallies, labels)', async () => {
  for (const [width, height] of [[1280, 800], [1920, 1080]]) {
    const { page, problems } = await newPage(browser, { width, height });
    await page.goto(server.url);
    await page.locator('#sim-clock').waitFor();
    for (const title of ['Patch Tuesday', 'SQS-buffered workers', 'Flash-sale spike', 'Instance failure, fixed fleet', 'Thumbnails on S3 upload']) {
      await page.selectOption('#preset', { label: title });
      await setSpeed(page, 2);
      await until(async () => Number(await page.getByTestId('particles').getAttribute('data-particles')),
        (v) => v >= 5, 15000, `${title}: particles in flight`);
      let frames = 0;
      let painted = 0;
      const hits = {};
      for (let i = 0; i < 25; i++) {
        for (const [k, v] of Object.entries(await onText(page))) hits[k] = Math.max(hits[k] ?? 0, v);
        painted += Number(await page.getByTestId('particles').getAttribute('data-particles'));
        frames++;
        await sleep(40);
      }
      assert.ok(painted > frames * 3, `${title}: particles flew (${painted} in ${frames} reads)`);
      assert.deepEqual(hits, {}, `${title} at ${width} px: particle pixels on text`);
    }
    assert.deepEqual(problems, { errors: [], foreign: [] });
    await page.close();
  }
});
