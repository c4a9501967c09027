// Layout, themes and long computations in the built app: no horizontal
// overflow on a 360 px phone for any preset (the stage included), a
// projector-size and a dark-theme screenshot, visible keyboard focus, the
// break-even chart, and fast-forward in per-frame slices that never freezes
// the page and stops where it got to on Cancel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, newPage, screenshotPath } from './harness.mjs';
import { sleep, until, sideways } from './util.mjs';

const env = suite();

/** Simulated seconds from the clock's `[Nd ]HH:MM:SS.mmm`. */
async function simSeconds(page) {
  const t = (await page.locator('#sim-clock').textContent()).trim();
  const m = t.match(/^(?:(\d+)d )?(\d+):(\d+):(\d+(?:\.\d+)?)$/);
  assert.ok(m, `clock format: ${t}`);
  return Number(m[1] ?? 0) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

/** Animation frames that fire in `ms` of wall time, and the longest gap
 * between two of them [ms]. */
const framesIn = (page, ms) => page.evaluate((ms) => new Promise((resolve) => {
  let n = 0;
  let last = performance.now();
  let gap = 0;
  const end = last + ms;
  const f = (t) => {
    n += 1;
    gap = Math.max(gap, t - last);
    last = t;
    if (t < end) requestAnimationFrame(f); else resolve({ n, gap });
  };
  requestAnimationFrame(f);
}), ms);

test('no horizontal overflow at 360×640 for any preset, the stage included', async () => {
  const { page, problems } = await newPage(env.browser, { width: 360, height: 640 });
  await page.goto(env.url);
  await page.locator('#sim-clock').waitFor();
  const titles = await page.locator('#preset option').allTextContents();
  assert.ok(titles.length >= 10, `${titles.length} presets`);
  for (const title of titles) {
    await page.selectOption('#preset', { label: title });
    await sleep(400);
    const o = await sideways(page);
    assert.ok(o.page <= 0, `${title}: the page scrolls sideways by ${o.page}px`);
    assert.deepEqual(o.wide, [], `${title}: elements wider than the screen`);
    assert.deepEqual(o.scrollers, [], `${title}: boxes that scroll sideways`);
    assert.ok(o.narrow, `${title}: the stage uses its narrow (stacked) layout`);
  }
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('projector (1920×1080) and dark-theme screenshots; focus is visible', async () => {
  const { page, problems } = await newPage(env.browser, { width: 1920, height: 1080 });
  await page.goto(env.url);
  await page.locator('#sim-clock').waitFor();
  await page.selectOption('#preset', { label: 'Patch Tuesday' });
  await sleep(1500);
  const stageWidth = await page.locator('svg.stage').evaluate((e) => e.getBoundingClientRect().width);
  assert.ok(stageWidth > 1200, `the stage fills a projector: ${stageWidth}px`);
  await page.screenshot({ path: screenshotPath('projector-patch-tuesday-1920x1080.png') });

  // Keyboard focus: Tab to the first control and read its outline.
  await page.keyboard.press('Tab');
  const outline = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return { tag: document.activeElement.tagName, style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
  });
  assert.notEqual(outline.tag, 'BODY', 'Tab reaches a control');
  assert.ok(outline.style !== 'none' && outline.width >= 2, `visible focus: ${JSON.stringify(outline)}`);

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 1280, height: 800 });
  await sleep(500);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(17, 21, 26)', 'the dark theme follows prefers-color-scheme');
  await page.screenshot({ path: screenshotPath('dark-patch-tuesday-1280x800.png') });
  await page.setViewportSize({ width: 375, height: 667 });
  await sleep(400);
  await page.screenshot({ path: screenshotPath('dark-patch-tuesday-375x667.png') });
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('the break-even chart: three cost lines on log axes with the crossing marked', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(env.url);
  await page.locator('#sim-clock').waitFor();
  // The first preset's chart may already be on the page: wait for it to
  // give way to the new sweep (its progress bar), then for the new chart.
  const first = await page.$('[data-testid=breakeven-chart]');
  await page.selectOption('#preset', { label: 'Steady API' });
  if (first) await page.waitForFunction((el) => !el.isConnected, first, { timeout: 60000 });
  await page.getByTestId('breakeven-chart').waitFor({ timeout: 60000 });
  const chart = page.getByTestId('breakeven-chart');
  assert.equal(await chart.locator('path.series').count(), 3 + 3, 'three lines and three legend swatches');
  assert.equal(await chart.locator('circle.be-dot').count(), 3 * 25, 'a dot per priced volume and line');
  assert.match(await chart.textContent(), /requests per month \[log scale\]/);
  assert.match(await chart.textContent(), /cost per month \[USD, log scale\]/);
  const marks = await chart.getByTestId('break-even').count();
  const summary = await page.getByTestId('breakeven-summary').textContent();
  assert.ok(marks >= 1, `a crossing is marked: ${summary}`);
  assert.match(summary, /costs the same as Lambda at about [\d.]+[kMB]? requests per month/);
  await chart.scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('breakeven-steady-api-1280x800.png') });
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('fast-forward runs in slices: frames keep firing, Cancel stops where it got to', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(env.url);
  await page.locator('#sim-clock').waitFor();
  // The stress preset: ~2,000 requests a second for 30 minutes, far more
  // than a frame's budget can simulate, so the skip takes many frames.
  await page.selectOption('#preset', { label: 'Stress: 1,000 environments, 50 instances' });
  await sleep(300);
  const start = await simSeconds(page);
  await page.locator('button.ff-skip[data-skip="86400"]').click();
  await page.locator('#ff-progress').waitFor();
  // A frozen page fires no frame until the whole skip is done (seconds
  // here); the bound is loose because the build machine is shared.
  const { n, gap } = await framesIn(page, 1000);
  assert.ok(n >= 5 && gap < 500, `the page keeps drawing while skipping: ${n} frames in 1 s, longest gap ${gap.toFixed(0)} ms`);
  const mid = await simSeconds(page);
  assert.ok(mid > start, `the skip advances the clock: ${start} -> ${mid}`);
  const progress = Number(await page.locator('#ff-progress').getAttribute('value'));
  assert.ok(progress > 0 && progress < 100, `progress ${progress} %`);
  await page.locator('#ff-cancel').click();
  await page.locator('#ff-progress').waitFor({ state: 'detached' });
  const stopped = await simSeconds(page);
  assert.ok(stopped >= mid && stopped < 1800, `stopped where it got to: ${stopped} s of 1800 s`);
  await sleep(600);
  assert.equal(await simSeconds(page), stopped, 'after Cancel the clock stays where it got to');
  await page.screenshot({ path: screenshotPath('fast-forward-cancelled-1280x800.png') });
  // A skip to completion resumes nothing past the end and leaves buttons usable.
  assert.equal(await page.locator('button.ff-skip').count(), 2);
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});
