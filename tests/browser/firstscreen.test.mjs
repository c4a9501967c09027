// The first screen (issue 15, items 1, 2 and 10): at 1280×800 and
// 1920×1080 the whole stage and both cost meters are on screen without
// scrolling, for every preset; the stage's smallest text renders at ≥ 12
// CSS px there and in the 920-px embed example, ≥ 24 px in projector mode
// at 1920×1080 with the whole stage still on screen, none of it cut, out
// of its panel or overlapping; metric values and legend items never wrap.
// Screenshots of the first screens it checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { suite, newPage, screenshotPath } from './harness.mjs';
import { sleep, setSpeed } from './util.mjs';
import { stageProblems } from './stage-text.mjs';

const env = suite();

/** The presets' ids, as links name them (src/common/presets.rs). */
const PRESET_IDS = [...fs.readFileSync(new URL('../../src/common/presets.rs', import.meta.url), 'utf8')
  .matchAll(/^\s+id: "([a-z0-9-]+)",$/gm)].map((m) => m[1]);

const slug = (title) => title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** The boxes of the stage and the cost meters, in the viewport, with the
 * page scrolled to its top. */
const firstScreen = (page) => page.evaluate(() => {
  window.scrollTo(0, 0);
  const box = (e) => { const r = e.getBoundingClientRect(); return { l: r.left, t: r.top, r: r.right, b: r.bottom }; };
  return {
    vw: document.documentElement.clientWidth, vh: window.innerHeight,
    stage: box(document.querySelector('svg.stage')),
    meters: [...document.querySelectorAll('.meter')].map(box),
  };
});

function assertOnScreen(s, what) {
  const on = (b) => b.l >= -0.5 && b.t >= -0.5 && b.r <= s.vw + 0.5 && b.b <= s.vh + 0.5;
  assert.ok(on(s.stage), `${what}: the stage ${JSON.stringify(s.stage)} is not inside ${s.vw}×${s.vh}`);
  assert.equal(s.meters.length, 2, `${what}: two cost meters`);
  for (const m of s.meters) assert.ok(on(m), `${what}: a cost meter ${JSON.stringify(m)} is not on the first screen`);
}

for (const [width, height, projector] of [[1280, 800, false], [1920, 1080, false], [1920, 1080, true]]) {
  const min = projector ? 24 : 12;
  const mode = `${width}×${height}${projector ? ' projector' : ''}`;
  test(`${mode}: the whole stage and both meters on the first screen, stage text ≥ ${min} px, every preset`, async () => {
    const { page, problems } = await newPage(env.browser, { width, height });
    await page.goto(env.url);
    await page.locator('#sim-clock').waitFor();
    if (projector) {
      await page.keyboard.press('p');
      await page.waitForFunction(() => document.documentElement.dataset.projector === 'on');
    }
    const titles = await page.locator('#preset option').allTextContents();
    assert.ok(titles.length >= 10, `${titles.length} presets`);
    let smallest = Infinity;
    for (const title of titles) {
      await page.selectOption('#preset', { label: title });
      await setSpeed(page, 2);
      await sleep(1200);
      assertOnScreen(await firstScreen(page), `${title} at ${mode}`);
      const r = await stageProblems(page, min);
      assert.ok(!r.narrow, `${title} at ${mode}: the wide stage`);
      assert.ok(r.n >= 8, `${title}: ${r.n} texts`);
      assert.deepEqual(r.out, [], `${title} at ${mode}`);
      smallest = Math.min(smallest, r.min);
      if (['Flash-sale spike', 'Nightly 20-minute batch', 'Patch Tuesday'].includes(title)) {
        await page.screenshot({ path: screenshotPath(`first-${slug(title)}-${width}x${height}${projector ? '-projector' : ''}.png`) });
      }
    }
    console.log(`# ${mode}: smallest stage text ${smallest.toFixed(1)} px`);
    assert.deepEqual(problems, { errors: [], foreign: [] });
    await page.close();
  });
}

// A phone (a touch screen: no keys' list) opened on a preset's link: the
// stage starts in the top third and the first screen holds the whole
// Lambda panel, the EC2 panel's title and fleet line and its first row of
// instances (the menus, restart, new seed and the speed slider are in the
// page's flow around it; the sticky bar keeps play/pause, step, the clock
// and the speed).
for (const [width, height] of [[375, 667], [360, 640]]) {
  test(`a phone at ${width}×${height}: the stage starts in the top third, the Lambda panel, the EC2 panel's head and its first row of instances on the first screen, every preset`, async () => {
    const context = await env.browser.newContext({ viewport: { width, height }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const rows = [];
    for (const id of PRESET_IDS) {
      await page.goto(`${env.url}#preset=${id}`);
      await page.reload();
      await page.locator('#sim-clock').waitFor();
      await sleep(300);
      const s = await page.evaluate(() => {
        window.scrollTo(0, 0);
        const box = (sel) => { const r = document.querySelector(sel)?.getBoundingClientRect(); return r && { t: r.top, b: r.bottom }; };
        return {
          vh: window.innerHeight, stage: box('svg.stage'), lambda: box('svg.stage rect.function-box'),
          ec2: box('[data-testid=ec2-title]'), fleet: box('[data-testid=instance-count]'),
          // The bottom of the fleet's first row of instances.
          instances: Math.min(...[...document.querySelectorAll('svg.stage .instance')].map((e) => e.getBoundingClientRect().bottom)),
          more: box('.toolbar-more'), keys: box('#help-open'),
        };
      });
      if (!s.stage || !s.lambda || !s.more) assert.fail(`${id}: ${JSON.stringify(s)}`);
      rows.push(`${id}: stage from ${Math.round(s.stage.t)} px, Lambda panel to ${Math.round(s.lambda.b)}, ${s.ec2 ? `EC2 title to ${Math.round(s.ec2.b)}, fleet line to ${Math.round(s.fleet.b)}, instances to ${Math.round(s.instances)}` : 'no EC2'}`);
      assert.ok(s.stage.t <= s.vh / 3, `${id} at ${width}: the stage starts at ${s.stage.t} px, below the top third of ${s.vh}`);
      assert.ok(s.lambda.b <= s.vh, `${id} at ${width}: the Lambda panel ends at ${s.lambda.b} px, past ${s.vh}`);
      // (A scenario without a fleet has no EC2 panel.)
      if (s.ec2) {
        assert.ok(s.ec2.b <= s.vh && s.fleet.b <= s.vh, `${id} at ${width}: the EC2 title and fleet end at ${s.ec2.b}/${s.fleet.b} px, past ${s.vh}`);
        assert.ok(s.instances <= s.vh, `${id} at ${width}: the first row of instances ends at ${s.instances} px, past ${s.vh}`);
      }
      assert.ok(s.more.t > s.stage.b, `${id}: restart, new seed and speed follow the stage`);
      assert.equal(s.keys?.b ?? 0, 0, 'no keys list on a touch screen');
      if (id === 'patch-tuesday') await page.screenshot({ path: screenshotPath(`first-phone-${id}-${width}x${height}.png`) });
    }
    console.log(`# phone ${width}×${height}:\n${rows.map((r) => `#   ${r}`).join('\n')}`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('the 920-px embed example: stage text ≥ 12 px in its iframes, every preset', async () => {
  const { page, problems } = await newPage(env.browser, { width: 920, height: 900 });
  await page.goto(`${env.url}embed-example.html`);
  const frame = page.frame({ url: /preset=patch-tuesday/ }) ?? page.frames()[1];
  await frame.locator('#sim-clock').waitFor();
  await sleep(1500);
  const width = await page.locator('#sim-patch').evaluate((e) => e.getBoundingClientRect().width);
  assert.ok(width >= 880 && width <= 900, `the iframe is ${width} px wide`);
  await page.locator('#sim-patch').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('first-embed-example-920.png') });
  let smallest = Infinity;
  for (const id of PRESET_IDS) {
    // The example's first iframe, on each preset in turn (its src as the
    // example writes it, the preset swapped).
    await page.locator('#sim-patch').evaluate((e, id) => { e.src = e.src.replace(/#preset=.*/, `#preset=${id}`); }, id);
    await sleep(200);
    const f = page.frame({ url: new RegExp(`#preset=${id}$`) });
    assert.ok(f, `${id}: the iframe loaded`);
    await f.locator('svg.stage').waitFor();
    await sleep(1200);
    const r = await stageProblems(f, 12);
    assert.ok(!r.narrow, `${id}: the wide stage in the 920-px embed`);
    assert.deepEqual(r.out, [], `${id} in the 920-px embed`);
    smallest = Math.min(smallest, r.min);
  }
  console.log(`# 920-px embed: smallest stage text ${smallest.toFixed(1)} px`);
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

/** Elements of `sel` that run over more than one line: the boxes of
 * their parts (each line box of their text, from a Range, and each child
 * element's box) do not all share one horizontal line. */
const wrapped = (page, sel) => page.evaluate((sel) => [...document.querySelectorAll(sel)].filter((e) => {
  const rects = [];
  const walk = (n) => {
    for (const c of n.childNodes) {
      if (c.nodeType === Node.TEXT_NODE && c.textContent.trim()) {
        const range = document.createRange();
        range.selectNodeContents(c);
        rects.push(...[...range.getClientRects()].filter((r) => r.width > 0));
      } else if (c.nodeType === Node.ELEMENT_NODE) {
        const r = c.getBoundingClientRect();
        if (r.width > 0 && r.height > 0) rects.push(r);
        if (!(c instanceof SVGElement)) walk(c);
      }
    }
  };
  walk(e);
  return rects.length > 0 && Math.max(...rects.map((r) => r.top)) >= Math.min(...rects.map((r) => r.bottom)) - 1;
}).map((e) => e.textContent.trim()), sel);

test('metric values and legend items never wrap, at 1280, 920, 375 and 320 px', async () => {
  for (const [width, height] of [[1280, 800], [920, 800], [375, 667], [320, 568]]) {
    const { page, problems } = await newPage(env.browser, { width, height });
    await page.goto(`${env.url}#preset=stress`);
    await page.locator('#sim-clock').waitFor();
    await setSpeed(page, 3);
    await sleep(2500);
    const values = await page.locator('.side-table td').count();
    assert.ok(values >= 20, `${values} metric values`);
    assert.deepEqual(await wrapped(page, '.side-table td'), [], `metric values wrapped at ${width} px`);
    assert.ok(await page.locator('.legend-item').count() >= 6, 'the stage legend has its items');
    assert.deepEqual(await wrapped(page, '.legend-item, .chart .legend li'), [], `legend items wrapped at ${width} px`);
    assert.deepEqual(await wrapped(page, '.meter-now, .meter-month'), [], `cost meters wrapped at ${width} px`);
    assert.deepEqual(problems, { errors: [], foreign: [] });
    await page.close();
  }
});
