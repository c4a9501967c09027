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
import { sleep, setSpeed, sideways, until, openMenuFor } from './util.mjs';
import { stageProblems, overlap } from './stage-text.mjs';

const env = suite();

/** Smallest text on the stage as rendered [CSS px]. */
const MIN_PX = 11;

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

test('the wide stage keeps its text inside its boxes at 1280 and 1920 px, every preset', async () => {
  for (const [width, height] of [[1280, 800], [1920, 1080]]) {
    const { page, problems } = await newPage(env.browser, { width, height });
    await page.goto(env.url);
    await page.locator('#sim-clock').waitFor();
    for (const title of await page.locator('#preset option').allTextContents()) {
      await page.selectOption('#preset', { label: title });
      await setSpeed(page, 2);
      await sleep(1200);
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
  await openMenuFor(page, '#embed-open');
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
  await openMenuFor(page, '#copy-link');
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

/** Whether the element at the centre of `sel`'s box is `sel` itself (or
 * inside it), i.e. not covered by the sticky toolbar; and the boxes. */
const coverCheck = (page, sel) => page.evaluate((sel) => {
  const el = document.querySelector(sel);
  const b = el.getBoundingClientRect();
  const tb = document.querySelector('.toolbar').getBoundingClientRect();
  const hit = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
  return {
    top: b.top, bottom: b.bottom, toolbar: tb.bottom,
    // Apart from the toolbar (above it is the top of the page).
    apart: b.top >= tb.bottom - 0.5 || b.bottom <= tb.top + 0.5,
    clear: !!hit && (hit === el || el.contains(hit)),
    hit: hit ? `${hit.tagName}#${hit.id}.${hit.className}` : null,
  };
}, sel);

/** The sticky toolbar: its box, its controls' boxes, the page's scroll padding. */
const toolbar = (page) => page.evaluate(() => {
  const t = document.querySelector('.toolbar');
  const b = t.getBoundingClientRect();
  const kids = [...t.querySelectorAll('button, output')].map((e) => {
    const r = e.getBoundingClientRect();
    return { id: e.id, l: r.left, r: r.right, t: r.top, b: r.bottom };
  });
  return {
    h: b.height, l: b.left, r: b.right, t: b.top, b: b.bottom, kids,
    sticky: getComputedStyle(t).position,
    pad: parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop),
  };
});

/** The phone's toolbar is sticky, one row ≤ 70 px of the essentials, each
 * whole inside it and apart, and the page's scroll padding clears it. */
function assertCompact(r, what) {
  assert.equal(r.sticky, 'sticky', `${what}: the toolbar stays on screen`);
  assert.ok(r.h <= 70, `${what}: the sticky toolbar is ${r.h} px high`);
  assert.ok(r.pad >= r.h, `${what}: scroll padding ${r.pad} px under a ${r.h} px toolbar`);
  assert.deepEqual(r.kids.map((k) => k.id).sort(), ['play-toggle', 'sim-clock', 'speed-value', 'step'], `${what}: the essentials`);
  for (const k of r.kids) {
    assert.ok(k.l >= r.l && k.r <= r.r && k.t >= r.t && k.b <= r.b, `${what}: ${k.id} inside the toolbar`);
  }
  for (const [i, a] of r.kids.entries()) {
    for (const c of r.kids.slice(i + 1)) assert.ok(!overlap(a, c), `${what}: ${a.id} overlaps ${c.id}`);
  }
}

for (const [width, height] of [[360, 640], [320, 568]]) {
  test(`the sticky toolbar is one compact row at ${width} px and covers no title or heading`, async () => {
    const { page, problems } = await newPage(env.browser, { width, height });
    await page.goto(env.url);
    await page.locator('#sim-clock').waitFor();
    assertCompact(await toolbar(page), `running, ${width} px`);
    // Every control, those out of the sticky bar too, is reached by Tab
    // with a visible focus, and is not under the toolbar once focused.
    // (From the top of the page; Space on play/pause pauses, so that Step
    // can take the focus. Restart, new seed and the speed follow the stage
    // and its controls.)
    const want = ['play-toggle', 'step', 'restart', 'new-seed', 'speed'];
    const seen = new Set();
    for (let i = 0; i < 100 && seen.size < want.length; i++) {
      await page.keyboard.press('Tab');
      const f = await page.evaluate(() => {
        const e = document.activeElement;
        const s = getComputedStyle(e);
        return { id: e.id, outline: s.outlineStyle, w: parseFloat(s.outlineWidth) };
      });
      if (!want.includes(f.id)) continue;
      seen.add(f.id);
      if (f.id === 'play-toggle') {
        await page.keyboard.press('Space');
        await until(() => page.locator('#play-toggle').getAttribute('aria-pressed'), (v) => v === 'true', 3000, 'paused');
      }
      assert.ok(f.outline !== 'none' && f.w >= 2, `${f.id}: focus is visible (${f.outline} ${f.w})`);
      const c = await coverCheck(page, `#${f.id}`);
      assert.ok(c.clear, `${f.id}, focused, is covered by ${c.hit}`);
    }
    assert.deepEqual([...seen], want, 'reached by Tab, in this order');
    // The tour's title, scrolled to the top, sits below the toolbar, whole.
    await page.click('#tour-start');
    await page.getByTestId('tour').waitFor();
    for (const sel of ['[data-testid=tour]', '#tour-title']) {
      await page.locator(sel).evaluate((e) => e.scrollIntoView({ block: 'start' }));
      await sleep(100);
      const c = await coverCheck(page, '#tour-title');
      assert.ok(c.clear && c.top >= c.toolbar - 0.5,
        `${sel} scrolled to the top: the tour title (${c.top}..${c.bottom}) vs the toolbar (to ${c.toolbar}), ${c.hit} at its centre`);
    }
    await page.screenshot({ path: screenshotPath(`phone-${width}-tour-top.png`) });
    // So does every heading of the page.
    const headings = await page.evaluate(() => {
      const hs = [...document.querySelectorAll('h1, h2, h3, legend, figcaption, .tour-head')]
        .filter((e) => e.getBoundingClientRect().height > 0);
      hs.forEach((e, i) => { e.dataset.headingIx = String(i); });
      return hs.map((e) => e.textContent.trim().slice(0, 40));
    });
    assert.ok(headings.length >= 8, `${headings.length} headings`);
    for (const [i, text] of headings.entries()) {
      const sel = `[data-heading-ix="${i}"]`;
      await page.locator(sel).evaluate((e) => e.scrollIntoView({ block: 'start' }));
      await sleep(50);
      const c = await coverCheck(page, sel);
      assert.ok(c.clear && c.apart, `"${text}" scrolled to the top: ${c.top} vs the toolbar's ${c.toolbar}; ${c.hit} at its centre`);
    }
    assert.deepEqual(problems, { errors: [], foreign: [] });
    await page.close();
    // Past a day of simulated time (the clock's day count) and with the
    // achieved speed shown (its longest text), the bar still fits.
    const day = await newPage(env.browser, { width, height });
    await day.page.goto(`${env.url}#v=1&preset=simfaas&seed=3&t=90000`);
    await day.page.locator('#sim-clock').filter({ hasText: /^1d / }).waitFor({ timeout: 60000 });
    await day.page.evaluate(() => {
      const o = document.querySelector('#speed-value');
      o.textContent = '1,840× of 10,000×';
      o.classList.add('lagging');
    });
    assertCompact(await toolbar(day.page), `a day in, lagging, ${width} px`);
    await day.page.evaluate(() => window.scrollTo(0, 0));
    await day.page.screenshot({ path: screenshotPath(`phone-${width}-toolbar-day.png`), clip: { x: 0, y: 0, width, height: 300 } });
    assert.deepEqual(day.problems, { errors: [], foreign: [] });
    await day.page.close();
  });
}
