// The built app (dist/) in real headless Chromium: it mounts with the
// engine-driven stage, the animation advances on its own, pause stops it,
// the page fits a phone, and the README's screenshot is taken.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { suite, newPage, screenshotPath, README_SHOT } from './harness.mjs';
import { clock, sleep, num, setSpeed, paused } from './util.mjs';

const env = suite();

test('the app mounts and shows its name, stage, metrics and charts', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(env.url);
  await page.locator('#sim-clock').waitFor();
  assert.equal(await page.locator('h1').textContent(), 'Fanout');
  assert.match(await page.locator('.tagline').textContent(), /Lambda/);
  assert.equal(await page.locator('svg.stage').count(), 1);
  assert.equal(await page.getByTestId('lambda-panel').count(), 1);
  assert.equal(await page.getByTestId('ec2-panel').count(), 1);
  assert.equal(await page.getByTestId('source').count(), 1, 'the thumbnails preset has one source');
  assert.equal(await page.locator('[data-testid=source] .icon-s3').count(), 1, 'drawn as an S3 bucket');
  for (const id of ['chart-concurrency', 'chart-latency', 'chart-failures', 'chart-cost']) {
    assert.equal(await page.getByTestId(id).count(), 1, id);
  }
  assert.match(await page.getByTestId('takeaway').textContent(), /\.$/);
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('the engine drives the stage; pause stops it and play resumes', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(env.url);
  await page.locator('#sim-clock').waitFor();
  await setSpeed(page, 3); // 1,000×

  const t0 = await clock(page);
  await sleep(1500);
  const t1 = await clock(page);
  assert.ok(t1 > t0, `clock moves forward: ${t0} -> ${t1}`);
  // Environments appear: cells are drawn from the engine's snapshot.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=lambda-panel] rect.env').length > 0);
  const envText = await page.getByTestId('env-count').textContent();
  assert.ok(num(envText) > 0, envText);
  assert.ok(num(await page.getByTestId('cold-starts').textContent()) > 0, 'the first requests cold-start');
  assert.notEqual(await page.getByTestId('cost-lambda').textContent(), '$0.00', 'the meter ticks');

  await page.click('#play-toggle');
  await paused(page, 'true');
  const p0 = await clock(page);
  await sleep(600);
  const p1 = await clock(page);
  assert.equal(p1, p0, 'paused: the clock stands still');

  await page.click('#play-toggle');
  await paused(page, 'false');
  await sleep(400);
  assert.notEqual(await clock(page), p1, 'resumed: the clock moves again');

  await page.screenshot({ path: screenshotPath('app-1280x800.png') });
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

// The README's screenshot (docs/img/fanout-1280x800.png), taken on every
// run so that it shows the app as it is: a preset opened paused at a fixed
// simulated instant by its link, so the picture changes only when the app
// does.
const README_LINK = '#v=1&preset=flash-sale&seed=7&t=330';

test('the README screenshot: both sides drawn at 1280×800', async () => {
  const { page, problems } = await newPage(env.browser, { width: 1280, height: 800 });
  await page.goto(env.url + README_LINK);
  await page.locator('#sim-clock').waitFor();
  await paused(page, 'true');
  await page.locator('#app-root[data-seeking="false"]').waitFor({ state: 'attached' });
  // The simulator itself: the preset's row just under the sticky toolbar
  // (the page's scroll-padding-top), both panels whole.
  await page.locator('#preset').evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await page.waitForFunction(() =>
    document.querySelectorAll('[data-testid=lambda-panel] .grid rect').length > 0
    && document.querySelectorAll('[data-testid=ec2-panel] g.instance').length > 0);
  await sleep(500);
  fs.mkdirSync(path.dirname(README_SHOT), { recursive: true });
  await page.screenshot({ path: README_SHOT });
  assert.ok(fs.statSync(README_SHOT).size > 10_000, 'a picture, not a blank page');
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('the page fits a phone-sized screen', async () => {
  const { page, problems } = await newPage(env.browser, { width: 375, height: 667 });
  await page.goto(env.url);
  await page.locator('#sim-clock').waitFor();
  await sleep(500);
  await page.screenshot({ path: screenshotPath('app-375x667.png'), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling (overflow ${overflow}px)`);
  assert.ok(await page.locator('#sim-clock').isVisible());
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('reduced motion: no particles, states still drawn', async () => {
  const context = await env.browser.newContext({ reducedMotion: 'reduce', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(env.url);
  await page.locator('#sim-clock').waitFor();
  await setSpeed(page, 3);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=lambda-panel] rect.env').length > 0);
  // Particles are drawn on a canvas (particle_canvas.rs), which says how many.
  await sleep(500);
  assert.equal(await page.getByTestId('particles').getAttribute('data-particles'), '0');
  assert.deepEqual(errors, []);
  await context.close();
});
