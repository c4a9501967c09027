// Polish (issue 15): the Lambda grid stays packed as environments come and
// go, and the over-time charts' time axis grows with the run. Screenshots
// of both (and of a source's burst) land in target/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, newPage, screenshotPath } from './harness.mjs';
import { setSpeed, simSeconds, sleep, until } from './util.mjs';

const env = suite();

/**
 * The environment cells as drawn: whether they fill rows left to right
 * with no hole (every row but the last full, each row's cells in the first
 * row's columns), and how many.
 */
const packing = (page) => page.evaluate(() => {
  const rects = [...document.querySelectorAll('svg.stage g.cell > rect:not(.env-glow):not(.keepalive)')];
  const rows = new Map();
  for (const r of rects) {
    const [x, y] = [Number(r.getAttribute('x')), Number(r.getAttribute('y'))];
    const k = Math.round(y * 10);
    if (!rows.has(k)) rows.set(k, []);
    rows.get(k).push(x);
  }
  const ys = [...rows.keys()].sort((a, b) => a - b);
  const first = (rows.get(ys[0]) ?? []).sort((a, b) => a - b);
  const holes = [];
  ys.forEach((y, i) => {
    const xs = rows.get(y).sort((a, b) => a - b);
    if (i < ys.length - 1 && xs.length !== first.length) holes.push(`row ${i}: ${xs.length} of ${first.length}`);
    xs.forEach((x, j) => { if (Math.abs(x - first[j]) > 0.2) holes.push(`row ${i} cell ${j} at x ${x}, not ${first[j]}`); });
  });
  const marks = document.querySelectorAll('svg.stage .mark-timeout').length;
  return { cells: rects.length, holes, marks };
});

/** Environments alive, from the Lambda panel's count. */
/** Opens a link at instant `t` (it opens paused there) and plays it. */
async function openAt(page, query, t) {
  await page.goto(`${env.url}#v=1&${query}&t=${t}`);
  await until(() => simSeconds(page).catch(() => 0), (x) => x >= t, 60000, `the link's instant ${t} s`);
  const play = page.locator('#play-toggle');
  if ((await play.getAttribute('aria-pressed')) === 'true') await play.click();
}

const envCount = async (page) =>
  Number((await page.getByTestId('env-count').textContent()).replace(/,/g, '').match(/\d+/)?.[0] ?? 0);

test('the Lambda grid stays packed as environments come and expire (flash sale)', async () => {
  const { page, problems } = await newPage(env.browser);
  // Just before the sale opens (12,000 req/s from 5:00 to 15:00), at 10×:
  // the burst leaving the source, then the grid at its densest.
  await openAt(page, 'preset=flash-sale&speed=10', 290);
  await until(() => simSeconds(page), (t) => t >= 301, 60000, 'the sale open');
  await page.locator('svg.stage').screenshot({ path: screenshotPath('polish-burst-flash-sale.png') });
  await until(() => envCount(page), (n) => n > 600, 60000, 'the density view');
  await page.locator('svg.stage').screenshot({ path: screenshotPath('polish-grid-flash-sale-dense.png') });
  // The keep-alive expiries 600 s after the sale's end, at 10×, checking
  // the grid whenever it draws one cell per environment.
  await openAt(page, 'preset=flash-sale&speed=10', 1440);
  let checked = 0;
  const shots = new Set();
  const end = Date.now() + 90000;
  while (Date.now() < end && (await simSeconds(page)) < 1560) {
    const p = await packing(page);
    if (p.cells > 0 && p.marks === 0) {
      assert.deepEqual(p.holes, [], `${p.cells} cells packed at ${await simSeconds(page)} s`);
      checked += 1;
    }
    const n = await envCount(page);
    const shot = n > 120 && n <= 600 ? 'expiring' : n < 60 ? 'few' : null;
    if (shot && !shots.has(shot)) {
      shots.add(shot);
      await page.locator('svg.stage').screenshot({ path: screenshotPath(`polish-grid-flash-sale-${shot}.png`) });
    }
    await sleep(100);
  }
  assert.ok(shots.has('few'), `the environments expired (${[...shots]})`);
  assert.ok(checked > 5, `packing checked ${checked} times`);
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('after a minute of a day-long run the charts\' data spans most of their width', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(`${env.url}#v=1&preset=quiet-night&speed=10`);
  await page.locator('#sim-clock').waitFor();
  const t0 = await simSeconds(page);
  await until(() => simSeconds(page), (t) => t >= t0 + 60, 30000, 'a minute of the run');
  await page.click('#play-toggle');
  await sleep(400);
  const now = await simSeconds(page);
  const chart = page.getByTestId('chart-concurrency');
  await chart.scrollIntoViewIfNeeded();
  // Plot area: x from 56 to 394 in the chart's 420-unit viewBox.
  const xs = (await chart.locator('svg > path.series').first().getAttribute('d'))
    .match(/[MH]-?\d+(\.\d+)?/g).map((s) => Number(s.slice(1)));
  const share = (Math.max(...xs) - 56) / (394 - 56);
  assert.ok(share > 0.6, `the data spans ${(share * 100).toFixed(0)} % of the width`);
  // The axis ends near now, not at the end of the day.
  const ticks = await chart.locator('text.xtick').allTextContents();
  const secs = ticks.map((t) => t.split(':').reduce((a, x) => a * 60 + Number(x), 0));
  assert.ok(Math.max(...secs) <= Math.max(now * 1.5, 30), `ticks ${ticks} at ${now} s`);
  await page.screenshot({ path: screenshotPath('polish-charts-1min-of-1day.png') });
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});
