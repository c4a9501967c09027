// Narration, the 15-minute wall and cause next to effect in the built app:
// captions next to where things happen (the flash sale's throttles at the
// Lambda panel, a crash at its instance), switched off and on; an instance
// failed by a click or Enter on it; the tour floating without moving the
// stage, its panel in view; the nightly batch's invocation against 15:00
// and stopped there. Screenshots land in target/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, newPage, screenshotPath } from './harness.mjs';
import { until, sleep } from './util.mjs';

const env = suite();

/** Opens a link and waits until its instant is reached. */
async function open(hash, reducedMotion = 'no-preference', viewport = undefined) {
  const { page, problems } = await newPage(env.browser, viewport);
  await page.emulateMedia({ reducedMotion });
  await page.goto(env.url + hash);
  await page.locator('#sim-clock').waitFor();
  await until(() => page.locator('#app-root').getAttribute('data-seeking'), (v) => v === 'false', 30000, 'the instant');
  return { page, problems };
}

const play = async (page) => {
  if ((await page.locator('#app-root').getAttribute('data-running')) !== 'true') await page.click('#play-toggle');
};

const box = (page, sel) => page.locator(sel).first().evaluate((e) => {
  const r = e.getBoundingClientRect();
  return { l: r.left, t: r.top, r: r.right, b: r.bottom };
});

/** The first caption whose text matches `re`, with its box. */
const caption = (page, re) => page.evaluate((src) => {
  const re = new RegExp(src);
  const c = [...document.querySelectorAll('.caption')].find((e) => re.test(e.textContent));
  if (!c) return null;
  const r = c.getBoundingClientRect();
  return { text: c.textContent, l: r.left, t: r.top, r: r.right, b: r.bottom };
}, re.source);

const inside = (c, p, m = 0) => c.l >= p.l - m && c.r <= p.r + m && c.t >= p.t - m && c.b <= p.b + m;

test('a caption names the throttle at the Lambda panel; C and the switch turn them off and on', async () => {
  const { page, problems } = await open('#preset=flash-sale&t=296');
  await play(page);
  const c = await until(() => caption(page, /^throttled: /), (v) => v, 20000, 'a throttle caption');
  assert.match(c.text, /^throttled: (scaling rate reached \(1,000 new environments per 10 s\)|concurrency limit \([\d,]+\)|requests-per-second limit)/);
  assert.ok(c.text.split(/\s+/).length <= 10, c.text);
  const lambda = await box(page, '[data-testid=lambda-panel]');
  assert.ok(inside(c, lambda, 4), `the caption ${JSON.stringify(c)} lies on the Lambda panel ${JSON.stringify(lambda)}`);
  assert.ok((await page.locator('.caption').count()) <= 2, 'two captions at most');
  await page.screenshot({ path: screenshotPath('narration-flash-sale.png') });
  // Off by the key: no caption even as throttles go on; on again by the switch.
  await page.locator('h1').click();
  await page.keyboard.press('c');
  await until(() => page.locator('.caption').count(), (n) => n === 0, 3000, 'captions off');
  assert.equal(await page.locator('.captions-toggle button').getAttribute('aria-pressed'), 'false');
  await sleep(1500);
  assert.equal(await page.locator('.caption').count(), 0, 'none while off');
  await page.click('.captions-toggle button');
  assert.equal(await page.locator('.captions-toggle button').getAttribute('aria-pressed'), 'true');
  assert.match(await page.locator('#help-open').getAttribute('title'), /\?/);
  await page.keyboard.press('?');
  assert.match(await page.locator('#help').textContent(), /C.*captions on the stage/);
  assert.match(await page.locator('#help').textContent(), /G.*guided tour/);
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

for (const [width, height] of [[1280, 800], [1920, 1080]]) test(`a crash is captioned at its instance, not over it, with the health check's delay, at ${width}×${height}`, async () => {
  // With reduced motion: shown all the same, without fade or slide.
  const { page, problems } = await open('#preset=instance-failure&t=897&speed=3', 'reduce', { width, height });
  await play(page);
  const c = await until(() => caption(page, /^instance #\d+ failed/), (v) => v, 20000, 'a failure caption');
  assert.match(c.text, /^instance #(\d+) failed; the health check notices in \d+ s$/);
  const id = c.text.match(/#(\d+)/)[1];
  const inst = await box(page, `.instance[data-id="${id}"]`);
  assert.equal(await page.locator(`.instance[data-id="${id}"]`).getAttribute('data-state'), 'failed');
  const dx = Math.max(inst.l - c.r, c.l - inst.r, 0);
  const dy = Math.max(inst.t - c.b, c.t - inst.b, 0);
  assert.ok(dx < 40 && dy < 40, `the caption ${JSON.stringify(c)} is next to instance #${id} ${JSON.stringify(inst)}`);
  // Beside it, not over its label and state (at 1920 px an instance's box
  // is over 120 px high, and was once taken for a panel).
  assert.ok(dx > 0 || dy > 0, `the caption ${JSON.stringify(c)} covers instance #${id} ${JSON.stringify(inst)}`);
  const look = await page.locator('.caption').first().evaluate((e) => {
    const s = getComputedStyle(e);
    return { anim: s.animationName, opacity: s.opacity };
  });
  assert.deepEqual(look, { anim: 'none', opacity: '1' }, 'reduced motion: no slide, no fade');
  await page.screenshot({ path: screenshotPath(`narration-instance-failure-${width}.png`) });
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('an instance fails by a click on it, or Enter while it has the focus', async () => {
  const { page, problems } = await open('#preset=steady-api&t=60');
  const sel = (id) => `.instance[data-id="${id}"]`;
  const ids = await page.locator('.instance[data-state="in service"]').evaluateAll((es) => es.map((e) => e.dataset.id));
  assert.ok(ids.length >= 2, `instances in service: ${ids}`);
  await page.click(sel(ids[0]));
  await until(() => page.locator(sel(ids[0])).getAttribute('data-state'), (s) => s === 'failed', 3000, 'the clicked instance to fail');
  assert.equal(await page.locator(sel(ids[1])).getAttribute('data-state'), 'in service', 'only that one');
  assert.match(await page.getByTestId('op-log').textContent(), new RegExp(`instance #${ids[0]} failed`));
  const running = await page.locator('#app-root').getAttribute('data-running');
  await page.locator(sel(ids[1])).focus();
  await page.keyboard.press('Enter');
  await until(() => page.locator(sel(ids[1])).getAttribute('data-state'), (s) => s === 'failed', 3000, 'Enter to fail it');
  await page.locator(sel(ids[2] ?? ids[1])).focus();
  await page.keyboard.press(' ');
  await sleep(300);
  assert.equal(await page.locator('#app-root').getAttribute('data-running'), running, 'Space on an instance fails it, not play/pause');
  // The traffic buttons at the sources act live.
  await page.click('[data-act="10"]');
  await until(() => page.getByTestId('op-log').textContent(), (t) => /traffic × 10/.test(t), 3000, 'traffic ×10 logged');
  assert.equal(await page.locator('[data-act="10"]').getAttribute('aria-pressed'), 'true');
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('the tour floats: the stage stays put and the panel it names is in view, highlighted', async () => {
  const { page, problems } = await open('#preset=patch-tuesday');
  const top = () => page.getByTestId('stage').evaluate((e) => e.getBoundingClientRect().top + scrollY);
  const before = await top();
  await page.locator('h1').click();
  await page.keyboard.press('ArrowRight');
  await page.getByTestId('tour').waitFor();
  assert.match(await page.locator('#tour-title').textContent(), /Managed vs\. unmanaged/);
  await sleep(400);
  assert.equal(await top(), before, 'the stage\'s top is the same with the tour');
  const ec2 = await box(page, '[data-testid=ec2-panel]');
  const bar = await box(page, '[data-testid=tour]');
  assert.ok(ec2.t >= 0 && ec2.b <= bar.t + 1, `the EC2 panel ${JSON.stringify(ec2)} is in view above the tour ${JSON.stringify(bar)}`);
  assert.equal(await page.locator('[data-testid=ec2-panel].tour-focus').count(), 1, 'and highlighted');
  await page.screenshot({ path: screenshotPath('narration-tour-step1.png') });
  await page.click('#tour-close');
  await page.keyboard.press('g');
  await page.getByTestId('tour').waitFor();
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('the nightly batch: the invocation runs against 15:00 and is stopped there', async () => {
  const { page, problems } = await open('#preset=nightly-batch&t=7980&speed=20');
  const wall = page.getByTestId('wall');
  await until(() => wall.count(), (n) => n === 1, 5000, 'the wall');
  assert.match(await wall.textContent(), /^longest invocation 1[2-4]:\d\d of 15:00 max/);
  const lambda = await box(page, '[data-testid=lambda-panel]');
  assert.ok(inside(await box(page, '[data-testid=wall]'), lambda, 2), 'the wall sits on the Lambda panel');
  await play(page);
  await until(() => wall.textContent(), (t) => /invocation 14:[3-5]\d/.test(t), 20000, 'near 15:00');
  await page.screenshot({ path: screenshotPath('narration-nightly-1430.png') });
  assert.match(await wall.textContent(), /EC2 runs on/, 'the EC2 instance carries on');
  const stopped = await until(() => wall.evaluate((e) => e.className + ' ' + e.textContent).catch(() => ''),
    (t) => /stopped/.test(t), 20000, 'stopped at 15:00');
  assert.match(stopped, /stopped at 15:00, Lambda's maximum/);
  assert.ok(await caption(page, /^stopped at 15:00/), 'and captioned');
  await page.screenshot({ path: screenshotPath('narration-nightly-stopped.png') });
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});
