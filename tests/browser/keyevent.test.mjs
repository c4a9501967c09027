// Each concept preset, at its default speed, shows its key moment within
// 5 s of playback after it is chosen. Computed, not raced: the timeline
// exposes where the preset started (data-start), its speed (data-speed),
// the slow-motion schedule (data-schedule, "from:to:speed;" in simulated
// seconds) and each moment's simulated time (a marker's data-t; the key's
// comes from the engine's happenings, e.g. the first throttle); the wall
// time of playback is the schedule's integral from the start to the moment.
// A loaded machine only makes the test wait longer, never fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, newPage, screenshotPath } from './harness.mjs';
import { until, sleep, simSeconds } from './util.mjs';

const env = suite();

/** Wall seconds of playback from `from` to `to` under a schedule. */
function wallBetween(schedule, speed, from, to) {
  let wall = 0;
  let t = from;
  for (const seg of schedule.split(';').filter(Boolean)) {
    const [a, b, v] = seg.split(':').map(Number);
    if (b <= t || a >= to) continue;
    const end = Math.min(b, to);
    wall += (end - Math.max(a, t)) / v;
    t = end;
  }
  return wall + Math.max(0, to - t) / speed;
}

test('wallBetween integrates a schedule', () => {
  assert.equal(wallBetween('', 10, 0, 300), 30);
  assert.equal(wallBetween('0:299:10;299:301.5:1;301.5:1800:10;', 10, 275, 300), 2.4 + 1);
});

test('every concept card: its key moment within 5 s of playback', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(env.url);
  await page.locator('#concepts-open').click();
  const cards = await page.locator('.concept').evaluateAll((els) => els.map((e) => e.dataset.preset));
  assert.equal(cards.length, 7, 'seven concepts');
  // A first visit (no link state, nothing stored): the tour leads.
  assert.equal((await page.locator('#tour-start').textContent()).trim(), '▶ Start the tour');
  await page.screenshot({ path: screenshotPath('moments-concepts-1280.png') });
  for (const id of cards) {
    if (!(await page.locator('#concepts-panel[open]').count())) await page.locator('#concepts-open').click();
    await page.locator(`.concept[data-preset="${id}"]`).click();
    assert.equal(await page.locator('#concepts-panel[open]').count(), 0, 'the panel closes on a pick');
    const k = await keyMoment(page, id);
    starts[id] = k.start;
    console.log(`${id}: start ${k.start.toFixed(1)} s, ${k.key} at ${k.t.toFixed(1)} s, ${k.wall.toFixed(2)} s of playback at ${k.speed}×`);
  }
  assert.deepEqual(problems.errors, []);
  await page.close();
});

/** The key moment of the preset `id` now loaded: where the run started,
 * the moment's time, and the wall seconds of playback between (≤ 5). */
async function keyMoment(page, id) {
  const tl = page.getByTestId('timeline');
  const key = await until(() => tl.getAttribute('data-key'), (k) => k, 5000, `${id}: a key kind`);
  // The countdown names the next moment while it comes.
  const mark = tl.locator(`.tl-mark[data-kind="${key}"]`).first();
  await mark.waitFor({ state: 'attached', timeout: 60000 });
  const t = Number(await mark.getAttribute('data-t'));
  const start = Number(await tl.getAttribute('data-start'));
  const speed = Number(await tl.getAttribute('data-speed'));
  const schedule = await tl.getAttribute('data-schedule');
  const wall = wallBetween(schedule, speed, start, t);
  assert.ok(t >= start, `${id}: ${key} at ${t} s, after the start ${start} s`);
  assert.ok(wall <= 5, `${id}: ${key} at ${t} s comes ${wall.toFixed(2)} s after the start (${start} s) at ${speed}×`);
  return { key, t, start, speed, wall };
}

/** Where each concept's pick started [s], from the test above. */
const starts = {};

test("a preset's link without an instant starts where its pick does: the key moment within 5 s", async () => {
  assert.equal(Object.keys(starts).length, 7, 'the picks were measured first');
  const { page, problems } = await newPage(env.browser);
  // How long the seek to the start takes (logged, not asserted): frames
  // counted by requestAnimationFrame while the root says it is seeking.
  // The first link loads the page; the others change only the fragment
  // (back/forward's path), so the counts start again before each.
  await page.addInitScript(() => {
    window.seekSpan = null;
    window.seekFrom = null;
    let frames = 0;
    const tick = () => { frames += 1; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    new MutationObserver(() => {
      const seeking = document.getElementById('app-root')?.dataset.seeking;
      if (seeking === 'true' && !window.seekFrom) {
        const c = document.querySelector('[data-testid=countdown]');
        window.seekFrom = { frames, ms: performance.now(), cue: c && getComputedStyle(c, '::after').content };
      }
      const from = window.seekFrom;
      if (seeking === 'false' && from && !window.seekSpan) {
        window.seekSpan = { frames: frames - from.frames, ms: performance.now() - from.ms };
      }
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-seeking'] });
  });
  for (const [id, start] of Object.entries(starts)) {
    await page.evaluate(() => { window.seekSpan = null; window.seekFrom = null; });
    await page.goto(`${env.url}#preset=${id}`);
    await page.locator('#app-root[data-seeking="false"]').waitFor({ state: 'attached' });
    const k = await keyMoment(page, id);
    assert.ok(Math.abs(k.start - start) < 1e-6, `${id}: the link starts at ${k.start} s, a pick at ${start} s`);
    const span = await page.evaluate(() => window.seekSpan);
    // While it runs, the countdown says the run is skipping ahead.
    const from = await page.evaluate(() => window.seekFrom);
    if (from) assert.equal(from.cue, '" · skipping ahead…"', `${id}: the countdown during the seek`);
    const seek = span ? `, the seek there ${span.frames} frames, ${span.ms.toFixed(0)} ms` : '';
    console.log(`${id} by link: start ${k.start.toFixed(1)} s, ${k.key} ${k.wall.toFixed(2)} s of playback later${seek}`);
  }
  assert.ok(Object.values(starts).some((s) => s > 0), 'some presets start after 0');
  assert.deepEqual(problems.errors, []);
  await page.close();
});

test("an embed waits at its preset's start for play; with autoplay it plays from there", async () => {
  const { page, problems } = await newPage(env.browser, { width: 920, height: 900 });
  const embed = '?embed=1&panels=stage,cost&controls=minimal';
  await page.goto(`${env.url}${embed}#preset=patch-tuesday`);
  const root = page.locator('#app-root');
  await until(() => root.getAttribute('data-seeking'), (v) => v === 'false', 15000, 'the seek to the start');
  const start = Number(await page.getByTestId('timeline').getAttribute('data-start'));
  assert.ok(start > 0, `patch-tuesday starts at ${start} s`);
  await sleep(1000);
  assert.equal(await root.getAttribute('data-running'), 'false', 'paused until play');
  assert.ok(Math.abs((await simSeconds(page)) - start) < 0.002, `at the start: ${await simSeconds(page)} s`);
  await page.screenshot({ path: screenshotPath('embed-at-start-920.png') });
  await page.locator('#play-toggle').click();
  await keyMoment(page, 'patch-tuesday');
  // With autoplay: it plays from the start at once.
  await page.goto(`${env.url}${embed}&autoplay=1#preset=patch-tuesday`);
  const state = () => root.evaluate((e) => `${e.dataset.seeking} ${e.dataset.running}`);
  await until(state, (v) => v === 'false true', 15000, 'the seek to the start, then autoplay');
  const now = await simSeconds(page);
  assert.ok(now >= start, `playing from the start on: ${now} s`);
  assert.deepEqual(problems.errors, []);
  await page.close();
});

test('flash sale: countdown, slow motion, and without them the moment is 30 s away', async () => {
  const { page } = await newPage(env.browser);
  await page.goto(env.url);
  await page.selectOption('#preset', { label: 'Flash-sale spike' });
  const tl = page.getByTestId('timeline');
  // Before the moment: a countdown in playback seconds, read once the skip
  // to the preset's start is over. The skip takes several frames on a
  // loaded machine, and on each the countdown is counted from where the
  // run has got to (e.g. "in 0:06" halfway), so the read and the check
  // happen together in the page.
  const text = await until(
    () => page.evaluate(() => (document.querySelector('.ff-active') ? '' : document.querySelector('[data-testid="countdown"]')?.textContent ?? '')),
    (s) => /^traffic rises/.test(s),
    10000,
    'a countdown after the skip',
  );
  assert.match(text, /^traffic rises to 12,000\/s in 0:0[1-4]$/);
  await until(() => tl.getAttribute('data-slowed'), (v) => v === 'true', 20000, 'slow motion around the moment');
  assert.match(await page.locator('.tl-slow').textContent(), /slow motion 1×/);
  await page.screenshot({ path: screenshotPath('moments-flash-sale-before-1280.png') });
  await tl.locator('.tl-mark[data-kind="throttle"]').waitFor({ state: 'attached', timeout: 30000 });
  await page.locator('#play-toggle').click();
  await sleep(300);
  await page.screenshot({ path: screenshotPath('moments-flash-sale-1280.png') });
  // Slow motion off: no schedule; the key moment from 0 at 10× would be 30 s away.
  await page.locator('.tl-slow').click();
  assert.equal(await page.locator('.tl-slow').getAttribute('aria-pressed'), 'false');
  assert.equal(await tl.getAttribute('data-schedule'), '');
  const t = Number(await tl.locator('.tl-mark[data-kind="throttle"]').getAttribute('data-t'));
  assert.ok(wallBetween('', 10, 0, t) > 29, 'from 0 without slow motion the moment is far');
  await page.close();
});

test('nightly batch: slow motion as the 15-minute wall comes', async () => {
  const { page } = await newPage(env.browser);
  await page.goto(env.url);
  await page.selectOption('#preset', { label: 'Nightly 20-minute batch' });
  const tl = page.getByTestId('timeline');
  await until(() => page.getByTestId('countdown').textContent(), (s) => /15-minute limit in/.test(s), 15000, 'the countdown to the wall');
  await until(() => page.locator('.tl-slow').textContent(), (s) => s === 'slow motion 100×', 15000, '100× near the wall');
  // Pause on "stopped at 15:00" for the screenshot.
  await tl.locator('.tl-mark[data-kind="timeout"]').waitFor({ state: 'attached', timeout: 30000 });
  await page.locator('#play-toggle').click();
  await sleep(300);
  await page.screenshot({ path: screenshotPath('moments-nightly-1280.png') });
  await page.close();
});
