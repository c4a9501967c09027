// WCAG contrast of the stage's SVG, which axe does not read: every visible
// text against what it is drawn on, and every state mark (Lambda
// environments, EC2 instances, their crosses) against its panel, in the
// light, dark and projector themes, at instants where the marks exist.
//
// Colours are the computed ones, composited by a canvas (so color-mix(),
// alpha and opacity count as drawn). Text needs 4.5:1 (3:1 when large:
// ≥ 24 CSS px, or ≥ 18.66 px bold, as rendered); a state mark needs 3:1
// (WCAG 1.4.11) from its fill or its outline, whichever is stronger; a
// hatched fill counts its stronger colour. An environment's own fading
// (keep-alive left, density tiles: an inline opacity) is the quantity it
// shows, so the mark is judged at full strength.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, newPage, screenshotPath } from './harness.mjs';
import { paused, until, simSeconds } from './util.mjs';

const env = suite();

/** In the page: every stage text and mark with its contrast ratio. */
const measure = (page) => page.evaluate(() => {
  const svg = document.querySelector('svg.stage');
  const cv = document.createElement('canvas');
  cv.width = cv.height = 1;
  const cx = cv.getContext('2d', { willReadFrequently: true });
  const SENTINEL = '#010203';
  /** Paints opaque `base` then each [colour, alpha] layer; returns rgb. */
  const paint = (layers) => {
    cx.globalAlpha = 1;
    cx.clearRect(0, 0, 1, 1);
    for (const [c, a] of layers) {
      cx.fillStyle = SENTINEL;
      cx.fillStyle = c;
      if (cx.fillStyle === SENTINEL && c !== SENTINEL) throw new Error(`unparsed colour ${c}`);
      cx.globalAlpha = a;
      cx.fillRect(0, 0, 1, 1);
    }
    const d = cx.getImageData(0, 0, 1, 1).data;
    if (d[3] !== 255) throw new Error(`translucent base under ${JSON.stringify(layers)}`);
    return [d[0], d[1], d[2]];
  };
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const hex = ([r, g, b]) => '#' + [r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('');
  /** Opacity of `el` and its ancestors up to the stage; an inline opacity
   * (a fade showing a quantity) only if `inline`. */
  const opacity = (el, inline) => {
    let o = 1;
    for (let e = el; e && e !== svg; e = e.parentElement) {
      // A mark's own fading (its inline opacity, or its timeout group's)
      // is what it shows: judged at full strength.
      const own = e === el || (e === el.parentElement && e.classList.contains('mark-timeout'));
      if (own && !inline && e.style.opacity !== '') continue;
      o *= Number(getComputedStyle(e).opacity);
    }
    return o;
  };
  /** The colours a paint (fill or stroke) shows: a pattern's own. */
  const colours = (paintValue) => {
    const m = paintValue.match(/url\("?#([^")]+)"?\)/);
    if (!m) return paintValue === 'none' ? [] : [[paintValue, 1]];
    const pat = document.getElementById(m[1]);
    return [...pat.querySelectorAll('rect, line, path')].flatMap((p) => {
      const s = getComputedStyle(p);
      const o = Number(s.opacity);
      return p.tagName === 'rect'
        ? [[s.fill, o * Number(s.fillOpacity)]]
        : [[s.stroke, o * Number(s.strokeOpacity)]];
    });
  };
  // The stage's own background: the first opaque one from the SVG up.
  let base = null;
  for (let e = svg; e && !base; e = e.parentElement) {
    const bg = getComputedStyle(e).backgroundColor;
    if (!/rgba\(.*,\s*0\)$|transparent/.test(bg)) base = bg;
  }
  base ??= getComputedStyle(document.documentElement).backgroundColor;
  const visible = (el) => {
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0
      && !el.closest('defs, pattern, [style*="display: none"]');
  };
  const panelOf = (el) => el.closest('g.function, g.fleet')?.querySelector('rect.function-box, rect.fleet-box');
  /** Background variants under an element: the stage, its panel box,
   * then every rect drawn before it that covers its centre (a hatched one
   * gives one variant per colour). */
  const rects = [...svg.querySelectorAll('rect')].filter((r) => !r.closest('defs, pattern') && visible(r))
    .map((r) => ({ r, box: r.getBoundingClientRect() }));
  const backgrounds = (el, underOnly) => {
    let variants = [[[base, 1]]];
    const add = (r, o) => {
      const cs = colours(getComputedStyle(r).fill);
      if (!cs.length) return;
      const pattern = cs.length > 1;
      variants = variants.flatMap((v) => (pattern
        ? [[...v, [cs[0][0], cs[0][1] * o]], ...cs.slice(1).map((c) => [...v, [cs[0][0], cs[0][1] * o], [c[0], c[1] * o]])]
        : [[...v, [cs[0][0], cs[0][1] * o]]]));
    };
    const panel = panelOf(el);
    if (panel) add(panel, opacity(panel, true));
    if (!underOnly) {
      const b = el.getBoundingClientRect();
      const [x, y] = [(b.left + b.right) / 2, (b.top + b.bottom) / 2];
      for (const { r, box } of rects) {
        if (r === panel || r === el) continue;
        if (!(r.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING)) continue;
        if (x < box.left || x > box.right || y < box.top || y > box.bottom) continue;
        if (box.width < 12 || box.height < 12) continue; // a bar beside, not a ground
        add(r, opacity(r, true));
      }
    }
    return variants.map(paint);
  };
  const texts = [...svg.querySelectorAll('text')].filter((t) => visible(t) && t.textContent.trim() !== '').map((t) => {
    const s = getComputedStyle(t);
    const px = parseFloat(s.fontSize) * t.getScreenCTM().a;
    const bold = Number(s.fontWeight) >= 700;
    const large = px >= 24 || (bold && px >= 18.66);
    const bgs = backgrounds(t, false);
    const o = opacity(t, true) * Number(s.fillOpacity);
    const worst = Math.min(...bgs.map((bg) => ratio(paint([[hex(bg), 1], [s.fill, o]]), bg)));
    const shown = [...t.childNodes].filter((c) => c.nodeName !== 'title').map((c) => c.textContent).join('');
    return {
      what: `text "${shown.trim().replace(/\s+/g, ' ').slice(0, 40)}" (.${t.getAttribute('class')})`,
      fill: s.fill, ratio: worst, need: large ? 3 : 4.5, bg: bgs.map(hex).join('/'),
    };
  });
  const marks = [...svg.querySelectorAll('rect.env, rect.inst, path.fail-mark, g.mark-timeout path')].filter(visible).map((m) => {
    const s = getComputedStyle(m);
    const bgs = backgrounds(m, true);
    const o = opacity(m, false);
    const parts = [...colours(s.fill).map(([c, a]) => [c, a * Number(s.fillOpacity)])];
    if (s.stroke !== 'none' && parseFloat(s.strokeWidth) >= 1) parts.push([s.stroke, Number(s.strokeOpacity)]);
    const best = Math.min(...bgs.map((bg) => Math.max(...parts.map(([c, a]) => ratio(paint([[hex(bg), 1], [c, a * o]]), bg)))));
    return {
      // A timeout mark's path has no class of its own: name it by its group.
      what: `mark .${(m.getAttribute('class') ?? `${m.parentNode.getAttribute('class')} ${m.nodeName}`).replace(/ /g, '.')}`,
      fill: `${s.fill} ${s.stroke}`, ratio: best, need: 3, bg: bgs.map(hex).join('/'),
    };
  });
  return [...texts, ...marks];
});

/** Opens `hash` paused in `theme` (and projector mode), stage drawn. */
async function open(hash, theme, projector) {
  const viewport = projector ? { width: 1920, height: 1080 } : { width: 1280, height: 800 };
  const { page, problems } = await newPage(env.browser, viewport);
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto(`${env.url}#v=1&${hash}&theme=${theme}${projector ? '&hc=1' : ''}`);
  await page.locator('#sim-clock').waitFor();
  // A link's instant is reached by a seek in steps: wait for its end.
  await until(() => page.locator('#app-root').getAttribute('data-seeking'), (v) => v === 'false', 30000, 'the seek');
  await paused(page, 'true');
  const t = Number(hash.match(/t=(\d+)/)[1]);
  await until(() => simSeconds(page), (s) => s >= t, 30000, `the clock at ${t} s`);
  await page.waitForFunction(() => document.querySelectorAll('svg.stage text').length > 5);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return { page, problems };
}

// Instants where the marks exist: flash sale (cold starts, busy, idle,
// throttles, 503s), the patch run (patching), the crash (failed), the
// nightly batch (timeouts).
const MOMENTS = [
  ['preset=flash-sale&seed=7&t=301', ['env-init', 'env-busy', 'inst-service']],
  ['preset=flash-sale&seed=7&t=330', []],
  ['preset=steady-api&seed=1&t=1', ['env-idle', 'env-busy']],
  ['preset=patch-tuesday&seed=1&t=1850', ['inst-patching', 'inst-service']],
  ['preset=instance-failure&seed=1&t=930', ['inst-failed', 'fail-mark']],
  ['preset=nightly-batch&seed=5&t=9000', []],
];
const THEMES = [['light', false], ['dark', false], ['dark', true], ['light', true]];

for (const [theme, projector] of THEMES) {
  const name = `${theme}${projector ? ' projector' : ''}`;
  test(`stage contrast, ${name}: text ≥ 4.5:1 (large 3:1), state marks ≥ 3:1`, async () => {
    const bad = [];
    for (const [hash, expect] of MOMENTS) {
      const { page, problems } = await open(hash, theme, projector);
      // The paused instant's frame is drawn once the seek has ended.
      await page.waitForFunction((cls) => cls.every((c) => document.querySelector(`svg.stage .${c}`)), expect, { timeout: 15000 })
        .catch(() => {});
      const found = await measure(page);
      const shown = found.map((f) => f.what).join(' ');
      for (const cls of expect) assert.ok(shown.includes(cls), `${hash}: a ${cls} mark is drawn (${shown.slice(0, 300)})`);
      assert.ok(found.filter((f) => f.what.startsWith('text')).length > 8, `${hash}: texts measured`);
      for (const f of found) {
        if (f.ratio < f.need) bad.push(`${hash}: ${f.what} ${f.fill} on ${f.bg}: ${f.ratio.toFixed(2)}:1 < ${f.need}:1`);
      }
      if (hash.startsWith('preset=patch-tuesday')) {
        await page.locator('svg.stage').screenshot({ path: screenshotPath(`contrast-${theme}${projector ? '-projector' : ''}.png`) });
      }
      assert.deepEqual(problems.errors, []);
      await page.close();
    }
    assert.deepEqual(bad, [], bad.join('\n'));
  });
}

test('patching and initializing are told apart: a pattern and colour of their own, each in the legend', async () => {
  const { page } = await open('preset=patch-tuesday&seed=1&t=1850', 'light', false);
  const marks = await page.evaluate(() => {
    const fill = (sel) => getComputedStyle(document.querySelector(sel)).fill;
    const pattern = (id) => {
      const p = document.getElementById(id);
      return p && [...p.querySelectorAll('*')].map((e) => `${e.tagName}:${getComputedStyle(e).fill}:${getComputedStyle(e).stroke}`).join(' ');
    };
    const patch = fill('rect.inst-patching');
    const id = patch.match(/#([^")]+)/)?.[1];
    const legend = [...document.querySelectorAll('.legend-line .key')].map((k) => k.className);
    return { patch, init: pattern('hatch'), own: pattern(id), id, legend, text: document.querySelector('.legend-line')?.textContent };
  });
  assert.ok(marks.id && marks.id !== 'hatch', `patching has its own pattern: ${marks.patch}`);
  assert.notEqual(marks.own, marks.init, 'drawn differently');
  assert.ok(marks.legend.some((c) => c.includes('key-patching')), `a legend key: ${marks.legend}`);
  assert.match(marks.text, /patching/);
  await page.close();
});

test('a failed instance: its label sits on a solid chip above the cross', async () => {
  const { page } = await open('preset=instance-failure&seed=1&t=930', 'light', false);
  const order = await page.evaluate(() => {
    const g = document.querySelector('g.instance[data-state=failed]');
    return [...g.children].map((c) => c.getAttribute('class'));
  });
  const cross = order.indexOf('fail-mark');
  const chip = order.indexOf('label-chip');
  const label = order.indexOf('inst-id');
  assert.ok(cross >= 0 && chip > cross && label > chip, `cross, chip, label in drawing order: ${order}`);
  await page.close();
});


test('honest words: a job that never finished has no latency; errors say what they count', async () => {
  const { page } = await open('preset=nightly-batch&seed=5&t=10800', 'light', false);
  // Lambda: three attempts killed at 15 min, nothing succeeded; EC2 finished the job.
  assert.equal((await page.getByTestId('m-p50-lambda').textContent()).trim(), '—, none finished');
  assert.equal((await page.getByTestId('m-p99-lambda').textContent()).trim(), '—, none finished');
  assert.match(await page.getByTestId('m-p50-ec2').textContent(), /^\d+(\.\d)? min$/);
  const note = await page.locator('.side-table th[scope=row]', { hasText: 'Errors' }).getAttribute('title');
  assert.match(note ?? '', /error rate/);
  await page.close();
  const { page: failed } = await open('preset=instance-failure&seed=1&t=930', 'light', false);
  await failed.locator('g.instance[data-state=failed]').screenshot({ path: screenshotPath('contrast-failed-instance.png') });
  await failed.close();
});
