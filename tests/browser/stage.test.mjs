// The stage's layout at every width: particles are seen on their whole
// path (above the panels, off their text, on the narrow stage too) and
// take no clicks; up to the engine's maximum of event sources (an imported
// scenario) the sources' labels, icons and rates never meet; long names
// are shortened to fit their panel, the whole title in its tooltip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { suite, newPage, screenshotPath } from './harness.mjs';
import { sleep, setSpeed, until, evaluateWithBlobs } from './util.mjs';
import { stageProblems } from './stage-text.mjs';

const env = suite();

/** The engine's most sources in a scenario (src/engine/defaults.rs). */
const MAX_SOURCES = Number(fs.readFileSync(new URL('../../src/engine/defaults.rs', import.meta.url), 'utf8')
  .match(/pub const MAX_SOURCES: usize = (\d+);/)[1]);
const BASE = JSON.parse(fs.readFileSync(new URL('../../static/scenarios/steady-api.json', import.meta.url)));
const KINDS = ['api', 's3', 'sqs', 'schedule'];
const LONG = 'a-rather-long-name-that-a-scenario-file-may-well-give-its-parts';

/** Steady API with `n` sources of every kind in turn; names long or short;
 * with or without its EC2 fleet. */
function scenario(n, { long = false, fleet = true } = {}) {
  const s = structuredClone(BASE);
  s.sources = Array.from({ length: n }, (_, i) => ({
    name: long ? `${LONG}-${i}` : `src ${i}`,
    kind: KINDS[i % 4],
    pattern: { type: 'constant', rate_per_s: 2 + i },
  }));
  if (long) {
    s.function.name = `${LONG}-function-${'x'.repeat(60)}`;
    s.ec2.name = `${LONG}-fleet`;
  }
  if (!fleet) delete s.ec2;
  return s;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fanout-stage-'));

/** Opens the app at `width`×`height` with scenario `s` imported. */
async function open(width, height, s, name) {
  const { page, problems } = await newPage(env.browser, { width, height });
  await page.goto(`${env.url}#preset=steady-api`);
  await page.locator('#sim-clock').waitFor();
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(s));
  await page.setInputFiles('#import-file', file);
  await until(() => page.getByTestId('param-note').textContent().catch(() => ''), (t) => /Imported/.test(t), 10000, 'the import');
  return { page, problems };
}

/** The sources' places: each one's text boxes and icon box, and how many
 * sources it shows. */
const sourceBoxes = (page) => page.evaluate(() => {
  const rect = (r) => ({ l: r.left, t: r.top, r: r.right, b: r.bottom });
  return [...document.querySelectorAll('svg.stage g.sources > g')].map((g) => ({
    count: Number(g.dataset.count),
    title: g.querySelector('title')?.textContent ?? '',
    icon: rect(g.querySelector('.icon').getBoundingClientRect()),
    texts: [...g.querySelectorAll('text')].map((t) => ({
      text: t.textContent.trim(), depth: t.dataset.testid === 'queue-depth', box: rect(t.getBoundingClientRect()),
    })),
  }));
});

/** Whether two boxes intersect (by more than half a pixel both ways). */
const meet = (a, c) => Math.min(a.r, c.r) - Math.max(a.l, c.l) > 0.5 && Math.min(a.b, c.b) - Math.max(a.t, c.t) > 0.5;

const SIZES = [[1280, 800], [1920, 1080], [375, 667], [320, 568]];

for (const [width, height] of SIZES) {
  test(`up to ${MAX_SOURCES} sources at ${width} px: labels, icons and rates never meet`, async () => {
    const cases = [[4, { long: true }], [7, {}], [MAX_SOURCES, { long: true }], [MAX_SOURCES, { fleet: false }]];
    for (const [n, opts] of cases) {
      const what = `${n} sources${opts.long ? ', long names' : ''}${opts.fleet === false ? ', no fleet' : ''} at ${width} px`;
      const { page, problems } = await open(width, height, scenario(n, opts), `sources-${n}-${width}`);
      await setSpeed(page, 1);
      await sleep(1200);
      const places = await sourceBoxes(page);
      assert.equal(places.reduce((k, p) => k + p.count, 0), n, `${what}: every source has a place`);
      const more = places.find((p) => p.count > 1);
      if (more) {
        assert.match(more.texts.map((t) => t.text).join(' '), new RegExp(`\\+${more.count} more`), `${what}: the rest are counted`);
        assert.equal((more.title.match(/\(/g) ?? []).length, more.count, `${what}: the tooltip names each of them`);
      }
      const texts = places.flatMap((p, i) => p.texts.map((t) => ({ ...t, place: i })));
      for (const [i, a] of texts.entries()) {
        for (const c of texts.slice(i + 1)) {
          assert.ok(!meet(a.box, c.box), `${what}: "${a.text}" meets "${c.text}"`);
        }
        for (const [j, p] of places.entries()) {
          // A queue's depth is drawn on its own icon.
          if (j === a.place && (a.depth || !meet(a.box, p.icon))) continue;
          assert.ok(!meet(a.box, p.icon), `${what}: "${a.text}" meets the icon of place ${j}`);
        }
      }
      const r = await stageProblems(page, r0(width));
      assert.deepEqual(r.out, [], what);
      if (n === MAX_SOURCES && opts.long) {
        await page.locator('svg.stage').screenshot({ path: screenshotPath(`stage-${n}-sources-long-names-${width}x${height}.png`) });
      }
      assert.deepEqual(problems, { errors: [], foreign: [] });
      await page.close();
    }
  });
}

/** The smallest stage text allowed at `width` [CSS px]: 11 on a phone. */
function r0(width) {
  return width <= 560 ? 11 : 0;
}

test('long names are shortened to fit their panels at every width; the whole title is the tooltip', async () => {
  for (const [width, height] of SIZES) {
    const s = scenario(1, { long: true });
    const { page, problems } = await open(width, height, s, `long-${width}`);
    await setSpeed(page, 2);
    await sleep(1000);
    const r = await stageProblems(page, r0(width));
    assert.deepEqual(r.out, [], `at ${width} px`);
    for (const [id, name] of [['lambda-title', s.function.name], ['ec2-title', s.ec2.name]]) {
      const t = page.getByTestId(id);
      assert.ok((await t.locator('title').textContent()).includes(name), `${id}: the tooltip holds the whole name`);
      const shown = await t.evaluate((e) => [...e.childNodes].filter((c) => c.nodeName !== 'title').map((c) => c.textContent).join(''));
      assert.ok(shown.includes('…') && !shown.includes(name), `${id} at ${width} px: shortened: ${shown}`);
    }
    await page.locator('svg.stage').screenshot({ path: screenshotPath(`stage-long-names-${width}x${height}.png`) });
    assert.deepEqual(problems, { errors: [], foreign: [] });
    await page.close();
  }
});

/** Decodes a PNG screenshot (8-bit RGB or RGBA, not interlaced) into
 * { width, height, px(x, y) → [r, g, b] }. */
function decodePng(buf) {
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 4;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('ascii', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert.equal(data[8], 8, 'an 8-bit PNG');
      channels = { 2: 3, 6: 4 }[data[9]];
      assert.ok(channels && data[12] === 0, 'RGB(A), not interlaced');
    } else if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? out[y * stride + x - channels] : 0;
      const b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels] : 0;
      const p = a + b - c;
      const pred = [0, a, b, Math.floor((a + b) / 2),
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : (Math.abs(p - b) <= Math.abs(p - c) ? b : c)][f];
      out[y * stride + x] = (v + pred) & 255;
    }
  }
  return { width, height, px: (x, y) => [...out.subarray(y * stride + x * channels, y * stride + x * channels + 3)] };
}

/** Holds the app's animation frames (the particles stop where they are)
 * or lets them run again. */
const hold = (page, on) => page.evaluate((on) => {
  if (!window.__held) {
    const raf = window.requestAnimationFrame.bind(window);
    window.__held = [];
    window.requestAnimationFrame = (cb) => (window.__hold ? (window.__held.push(cb), 0) : raf(cb));
  }
  window.__hold = on;
  if (!on) window.__held.splice(0).forEach((cb) => requestAnimationFrame(cb));
}, on);

/** The particles on the held canvas: the centre of each round blob [CSS px
 * in the page] with the canvas's colour there; and the particle pixels on
 * each line of the stage's text. */
const particlesNow = (page) => evaluateWithBlobs(page, (blobs) => {
  const stageAt = () => { const r = document.querySelector('svg.stage').getBoundingClientRect(); return `${r.left + scrollX},${r.top + scrollY},${r.width}`; };
  const c = document.querySelector('[data-testid=particles]');
  const cb = c.getBoundingClientRect();
  const per = c.width / cb.width;
  const { width: w, height: h } = c;
  const d = c.getContext('2d').getImageData(0, 0, w, h).data;
  // One particle across [canvas px]: its disc, its edge and a pixel of
  // anti-aliasing either side.
  const widest = (2 * Number(c.dataset.radiusPx) + 4) * per;
  const dots = [];
  for (const { x0, x1, y0, y1 } of blobs(d, w, h, 255)) {
    // A single particle: round, no wider than one (two overlapping
    // diagonally also make a square blob, whose centre is an edge), its
    // centre opaque.
    if (Math.abs((x1 - x0) - (y1 - y0)) > 1 || x1 - x0 < 3 || x1 - x0 + 1 > widest) continue;
    const [cx, cy] = [Math.round((x0 + x1) / 2), Math.round((y0 + y1) / 2)];
    const k = (cy * w + cx) * 4;
    if (d[k + 3] !== 255) continue;
    dots.push({ x: cb.left + (cx + 0.5) / per, y: cb.top + (cy + 0.5) / per, rgb: [d[k], d[k + 1], d[k + 2]] });
  }
  const onText = {};
  for (const t of document.querySelectorAll('svg.stage text')) {
    const s = getComputedStyle(t);
    if (s.display === 'none' || s.visibility === 'hidden' || !t.textContent.trim()) continue;
    const r = t.getBoundingClientRect();
    let n = 0;
    for (let y = Math.max(0, Math.floor((r.top - cb.top) * per)); y < Math.min(h, Math.ceil((r.bottom - cb.top) * per)); y++) {
      for (let x = Math.max(0, Math.floor((r.left - cb.left) * per)); x < Math.min(w, Math.ceil((r.right - cb.left) * per)); x++) {
        if (d[(y * w + x) * 4 + 3] >= 64) n++;
      }
    }
    if (n > 0) onText[t.textContent.trim().slice(0, 40)] = n;
  }
  // A digest of the canvas, to tell whether it changed.
  let sum = 0;
  for (let i = 0; i < d.length; i += 7) sum = (sum * 31 + d[i]) % 1000000007;
  return { dots, onText, at: `${stageAt()} ${sum}` };
});

// Tall enough for the whole stage to be on screen (the layout follows the
// width), the screenshot being of the viewport.
for (const [width, height] of [[360, 1300], [320, 1300], [1280, 1000]]) {
  test(`particles are seen on their whole path at ${width} px: above the panels, off the text, no clicks taken`, async () => {
    const { page, problems } = await newPage(env.browser, { width, height });
    await page.goto(env.url);
    await page.locator('#sim-clock').waitFor();
    // Captions float over the stage by design (narration.test.mjs checks
    // them); this test is about the panels and their text: captions off.
    await page.keyboard.press('c');
    await until(() => page.locator('.captions-toggle button').textContent(), (t) => t.includes('off'), 3000, 'captions off');
    // Drawn after the panels: nothing of theirs covers a particle.
    const order = await page.evaluate(() => {
      const fo = document.querySelector('svg.stage foreignObject.particles');
      const panels = document.querySelector('svg.stage g.panels');
      return !!(panels.compareDocumentPosition(fo) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    assert.ok(order, 'the particles are drawn above the panels');
    let checked = 0;
    let skipped = 0;
    for (const title of ['Steady API', 'SQS-buffered workers', 'Flash-sale spike', 'Instance failure, fixed fleet']) {
      await page.selectOption('#preset', { label: title });
      await setSpeed(page, title === 'Flash-sale spike' ? 2.5 : 1.5);
      await until(async () => Number(await page.getByTestId('particles').getAttribute('data-particles')),
        (v) => v >= 3, 20000, `${title}: particles in flight`);
      // A click on the stage reaches the panel under a particle, not the canvas.
      const hit = await page.evaluate(() => {
        const r = document.querySelector('svg.stage rect.function-box').getBoundingClientRect();
        return document.elementFromPoint(r.left + 30, r.top + r.height / 2)?.tagName;
      });
      assert.notEqual(hit?.toLowerCase(), 'canvas', `${title}: the canvas takes no pointer events`);
      for (let k = 0; k < 6; k++) {
        await page.evaluate(() => window.scrollTo(0, 0));
        await hold(page, true);
        await sleep(120);
        const now = await particlesNow(page);
        const png = await page.screenshot();
        const shot = decodePng(png);
        // The page's layout may change under a held frame (a note above
        // the stage comes or goes), or the canvas be redrawn: then the
        // screenshot is not this frame's.
        const still = (await particlesNow(page)).at;
        await hold(page, false);
        if (still !== now.at) { skipped++; continue; }
        assert.deepEqual(now.onText, {}, `${title} at ${width} px: particle pixels on text`);
        // The stage's own HTML controls (traffic at the sources, the AZ
        // outage, the 15-minute wall) sit over it by design.
        const covered = await page.evaluate((pts) => pts.map(([x, y]) => !!document.elementFromPoint(x, y)?.closest('.stage-ops, .wall, .caption')),
          now.dots.map((d) => [d.x, d.y]));
        for (const [i, d] of now.dots.entries()) {
          const [x, y] = [Math.round(d.x - 0.5), Math.round(d.y - 0.5)];
          if (x < 0 || y < 0 || x >= shot.width || y >= shot.height || covered[i]) continue;
          const seen = shot.px(x, y);
          const diff = Math.max(...seen.map((v, i) => Math.abs(v - d.rgb[i])));
          if (diff > 48) fs.writeFileSync(screenshotPath(`stage-hidden-particle-${width}.png`), png);
          assert.ok(diff <= 48, `${title} at ${width} px: a particle at (${x}, ${y}) is hidden: drawn ${d.rgb}, seen ${seen}`);
          checked++;
        }
        await sleep(150);
      }
    }
    console.log(`# ${width} px: ${checked} particles seen where the canvas draws them (${skipped} held frames skipped)`);
    assert.ok(checked >= 20, `${checked} particles checked`);
    assert.deepEqual(problems, { errors: [], foreign: [] });
    await page.close();
  });
}

test('reduced motion on a phone: no particles, the narrow stage still drawn', async () => {
  const context = await env.browser.newContext({ reducedMotion: 'reduce', viewport: { width: 360, height: 640 } });
  const page = await context.newPage();
  await page.goto(env.url);
  await page.locator('#sim-clock').waitFor();
  await setSpeed(page, 2);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=lambda-panel] rect.env').length > 0);
  await sleep(500);
  assert.ok(await page.locator('svg.stage.narrow').count() === 1, 'the narrow stage');
  assert.equal(await page.getByTestId('particles').getAttribute('data-particles'), '0');
  assert.equal(await page.locator('svg.stage foreignObject.particles').evaluate((e) => getComputedStyle(e).display), 'none');
  await context.close();
});
