// The built app (dist/) in real headless Chromium: it mounts, the animation
// advances on its own, and pause stops it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, newPage, screenshotPath } from './harness.mjs';

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

const clock = (page) => page.locator('#sim-clock').textContent();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('the app mounts and shows its name and stage', async () => {
  const { page, problems } = await newPage(browser);
  await page.goto(server.url);
  await page.locator('#sim-clock').waitFor();
  assert.equal(await page.locator('h1').textContent(), 'Fanout');
  assert.match(await page.locator('.tagline').textContent(), /Lambda/);
  assert.equal(await page.locator('svg.stage rect.env').count(), 12);
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('the animation advances by itself and pause stops it', async () => {
  const { page, problems } = await newPage(browser);
  await page.goto(server.url);
  await page.locator('#sim-clock').waitFor();
  await page.getByRole('button', { name: '10×' }).click();

  const t0 = await clock(page);
  await sleep(700);
  const t1 = await clock(page);
  assert.notEqual(t1, t0, 'simulated time advances between two reads');
  assert.ok(t1 > t0, `clock moves forward: ${t0} -> ${t1}`);
  const delivered = await page.getByTestId('delivered').textContent();
  assert.match(delivered, /^[1-9]\d* delivered$/, 'particles have landed after 7 simulated seconds');

  await page.click('#play-toggle');
  assert.equal(await page.locator('#play-toggle').getAttribute('aria-pressed'), 'true');
  const p0 = await clock(page);
  await sleep(600);
  const p1 = await clock(page);
  assert.equal(p1, p0, 'paused: the clock stands still');

  await page.click('#play-toggle');
  await sleep(400);
  assert.notEqual(await clock(page), p1, 'resumed: the clock moves again');

  await page.screenshot({ path: screenshotPath('app-1280x800.png') });
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('the page fits a phone-sized screen', async () => {
  const { page, problems } = await newPage(browser, { width: 375, height: 667 });
  await page.goto(server.url);
  await page.locator('#sim-clock').waitFor();
  await page.screenshot({ path: screenshotPath('app-375x667.png'), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling (overflow ${overflow}px)`);
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});
