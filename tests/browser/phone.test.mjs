// Phones: the stage's text is legible (≥ 11 CSS px as rendered, the SVG's
// scale included) at 360 and 320 px for every preset, none of it is cut by
// the stage or its panel box or overlaps other text; and no page state
// scrolls sideways on a 320 px phone (the parameters with a refused value,
// a tour, the embed and keys dialogs, a refused import, a copied link).
// Screenshots of every preset at 375×667 and 360×640, two at 320×568 and
// two at 1280×800.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite, newPage, screenshotPath } from './harness.mjs';
import { sleep, setSpeed, sideways } from './util.mjs';

const env = suite();

/** Smallest text on the stage as rendered [CSS px]. */
const MIN_PX = 11;

/**
 * Every visible text of the stage: its rendered font size (computed size ×
 * the SVG's scale), its box, the box of the stage's viewport and of the
 * panel box it belongs to.
 */
const stageTexts = (page) => page.evaluate(() => {
  const svg = document.querySelector('svg.stage');
  const cs = getComputedStyle(svg);
  const b = svg.getBoundingClientRect();
  const view = {
    l: b.left + parseFloat(cs.borderLeftWidth), t: b.top + parseFloat(cs.borderTopWidth),
    r: b.right - parseFloat(cs.borderRightWidth), b: b.bottom - parseFloat(cs.borderBottomWidth),
  };
  const rect = (r) => ({ l: r.left, t: r.top, r: r.right, b: r.bottom });
  const texts = [...svg.querySelectorAll('text')]
    .filter((t) => {
      const s = getComputedStyle(t);
      return s.display !== 'none' && s.visibility !== 'hidden' && t.textContent.trim() !== ''
        && t.getBoundingClientRect().width > 0;
    })
    .map((t) => {
      const panel = t.closest('g.function, g.fleet')?.querySelector('rect.function-box, rect.fleet-box');
      return {
        text: t.textContent.trim().replace(/\s+/g, ' ').slice(0, 60),
        px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
        box: rect(t.getBoundingClientRect()),
        panel: panel ? rect(panel.getBoundingClientRect()) : null,
      };
    });
  return { view, texts, narrow: svg.classList.contains('narrow') };
});

const inside = (a, o, tol = 0.5) => a.l >= o.l - tol && a.t >= o.t - tol && a.r <= o.r + tol && a.b <= o.b + tol;
/** Two boxes overlap by more than 2 px both ways (font boxes include the
 * line's leading, so neighbouring lines may touch). */
const overlap = (a, c) => Math.min(a.r, c.r) - Math.max(a.l, c.l) > 2 && Math.min(a.b, c.b) - Math.max(a.t, c.t) > 2;

/** Problems of the stage's text: too small, cut, overlapping. */
async function stageProblems(page, minPx) {
  const { view, texts, narrow } = await stageTexts(page);
  const out = [];
  for (const t of texts) {
    if (minPx && t.px < minPx - 0.01) out.push(`"${t.text}" renders at ${t.px.toFixed(1)} px`);
    if (!inside(t.box, view)) out.push(`"${t.text}" is cut by the stage`);
    if (t.panel && !inside(t.box, t.panel)) out.push(`"${t.text}" sticks out of its panel box`);
  }
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      if (overlap(texts[i].box, texts[j].box)) out.push(`"${texts[i].text}" overlaps "${texts[j].text}"`);
    }
  }
  return { out, n: texts.length, min: Math.min(...texts.map((t) => t.px)), narrow };
}

async function assertNoSideways(page, what) {
  const o = await sideways(page);
  assert.ok(o.page <= 0, `${what}: the page scrolls sideways by ${o.page}px`);
  assert.deepEqual(o.wide, [], `${what}: elements wider than the screen`);
  assert.deepEqual(o.scrollers, [], `${what}: boxes that scroll sideways`);
}

const slug = (title) => title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

for (const [width, height] of [[360, 640], [320, 568]]) {
  test(`the stage's text is ≥ ${MIN_PX} px, inside its boxes and apart at ${width} px, every preset`, async () => {
    const { page, problems } = await newPage(env.browser, { width, height });
    await page.goto(env.url);
    await page.locator('#sim-clock').waitFor();
    const titles = await page.locator('#preset option').allTextContents();
    assert.ok(titles.length >= 10, `${titles.length} presets`);
    let smallest = Infinity;
    for (const title of titles) {
      await page.selectOption('#preset', { label: title });
      // Fast, so that the stage fills up (the stress preset reaches its
      // density view, instance counts grow to several digits).
      await setSpeed(page, 2);
      await sleep(1500);
      const r = await stageProblems(page, MIN_PX);
      assert.ok(r.narrow, `${title}: the narrow stage`);
      assert.ok(r.n >= 8, `${title}: ${r.n} texts on the stage`);
      assert.deepEqual(r.out, [], `${title} at ${width} px`);
      smallest = Math.min(smallest, r.min);
    }
    console.log(`# phone ${width} px: smallest stage text ${smallest.toFixed(1)} px`);
    // The stress preset shows its density note, whole, on its own line.
    await page.selectOption('#preset', { label: 'Stress: 1,000 environments, 50 instances' });
    await setSpeed(page, 2);
    await page.getByTestId('grid-detail').filter({ hasText: 'density view' }).waitFor({ timeout: 30000 });
    assert.deepEqual((await stageProblems(page, MIN_PX)).out, [], `stress, density view, at ${width} px`);
    assert.match(await page.getByTestId('instance-count').textContent(), /fixed fleet of 50 /);
    assert.deepEqual(problems, { errors: [], foreign: [] });
    await page.close();
  });
}

test('the wide stage keeps its text inside its boxes at 1280 and 1920 px', async () => {
  for (const [width, height] of [[1280, 800], [1920, 1080]]) {
    const { page, problems } = await newPage(env.browser, { width, height });
    await page.goto(env.url);
    await page.locator('#sim-clock').waitFor();
    for (const title of ['Patch Tuesday', 'Flash-sale spike', 'SQS-buffered workers']) {
      await page.selectOption('#preset', { label: title });
      await sleep(800);
      const r = await stageProblems(page, 0);
      assert.ok(!r.narrow, 'the wide stage');
      assert.deepEqual(r.out, [], `${title} at ${width} px`);
    }
    assert.deepEqual(problems, { errors: [], foreign: [] });
    await page.close();
  }
});

test('nothing scrolls sideways at 320 px: presets, parameters, tour, dialogs, import, link', async () => {
  const { page, problems } = await newPage(env.browser, { width: 320, height: 568 });
  await page.goto(env.url);
  await page.locator('#sim-clock').waitFor();
  const titles = await page.locator('#preset option').allTextContents();
  for (const title of titles) {
    await page.selectOption('#preset', { label: title });
    await sleep(300);
    await assertNoSideways(page, title);
  }
  // The parameters, with a refused value and its message.
  await page.fill('#p-memory', '99999');
  await page.locator('#p-memory').press('Enter');
  await page.locator('#p-memory-error').waitFor();
  await page.locator('#p-memory').scrollIntoViewIfNeeded();
  await assertNoSideways(page, 'a refused parameter');
  await page.screenshot({ path: screenshotPath('phone-320-param-error.png') });
  // A guided tour.
  await page.click('#tour-start');
  await page.getByTestId('tour').waitFor();
  await assertNoSideways(page, 'the tour');
  await page.getByTestId('tour').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('phone-320-tour.png') });
  // The embed dialog, then the keys overlay.
  await page.click('#embed-open');
  await sleep(300);
  await assertNoSideways(page, 'the embed dialog');
  await page.screenshot({ path: screenshotPath('phone-320-embed.png') });
  await page.keyboard.press('Escape');
  await page.click('#help-open');
  await sleep(300);
  await assertNoSideways(page, 'the keys overlay');
  await page.keyboard.press('Escape');
  // A refused import lists its problems.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fanout-'));
  const bad = path.join(dir, 'a-file-with-a-rather-long-name-for-a-small-screen.json');
  fs.writeFileSync(bad, JSON.stringify({ version: 1, duration_s: -5, sources: [], function: { memory_mb: 64 } }));
  await page.setInputFiles('#import-file', bad);
  await page.getByTestId('import-errors').waitFor();
  await assertNoSideways(page, 'a refused import');
  await page.getByTestId('import-errors').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('phone-320-import-refused.png') });
  // A copied link, shown for copying by hand.
  await page.click('#copy-link');
  await page.locator('#share-link').waitFor();
  await assertNoSideways(page, 'the copied link');
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('phone screenshots: every preset at 375×667 and 360×640, two at 320×568, two at 1280×800', async () => {
  const shots = [[375, 667, null], [360, 640, null], [320, 568, ['Flash-sale spike', 'Stress: 1,000 environments, 50 instances']],
    [1280, 800, ['Patch Tuesday', 'SQS-buffered workers']]];
  for (const [width, height, only] of shots) {
    const { page, problems } = await newPage(env.browser, { width, height });
    await page.goto(env.url);
    await page.locator('#sim-clock').waitFor();
    const titles = only ?? await page.locator('#preset option').allTextContents();
    for (const title of titles) {
      await page.selectOption('#preset', { label: title });
      await setSpeed(page, 1.5);
      await sleep(1500);
      // The page as it opens, and the whole stage (from a full-page
      // capture, where the sticky toolbar stays at the top).
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: screenshotPath(`page-${slug(title)}-${width}x${height}.png`) });
      const r = await page.locator('svg.stage').evaluate((e) => {
        const b = e.getBoundingClientRect();
        return { x: b.left + scrollX, y: b.top + scrollY, w: b.width, h: b.height };
      });
      await page.screenshot({
        path: screenshotPath(`stage-${slug(title)}-${width}x${height}.png`),
        fullPage: true,
        clip: { x: 0, y: Math.max(0, r.y - 8), width, height: r.h + 16 },
      });
    }
    assert.deepEqual(problems, { errors: [], foreign: [] });
    await page.close();
  }
});
