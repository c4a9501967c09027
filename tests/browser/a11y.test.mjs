// axe-core (pinned in package.json) on the built app, in every state a
// learner, a presenter or a course page sees it: light, dark, projector,
// phone, the help overlay, a running tour and the embeds. No serious or
// critical violation may remain. axe does not read SVG text: the stage's
// contrast has its own test (contrast.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { suite, newPage, screenshotPath } from './harness.mjs';
import { paused, until } from './util.mjs';

const env = suite();
const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Moderate and minor rules held too: one main landmark, no empty
 * table header. */
const ALSO = ['landmark-one-main', 'empty-table-header'];

/**
 * Runs axe in `frame` (a page or a frame): the source is evaluated through
 * the DevTools protocol, which the app's CSP (no inline script) does not
 * govern, so the page under test keeps its real policy. Returns the
 * serious and critical violations as readable lines.
 */
async function serious(frame) {
  await frame.evaluate(AXE);
  const found = await frame.evaluate(async (ALSO) => {
    // Each frame is checked on its own (below), not through axe's
    // frame messaging.
    const r = await window.axe.run(document, { iframes: false, resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical' || ALSO.includes(v.id))
      .map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 6)
        .map((n) => `${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 160)}`)
        .join('\n  ')}`);
  }, ALSO);
  return found;
}

/** Opens `hash` on the app, paused, the stage drawn. */
async function open(viewport, hash, { colorScheme = 'light' } = {}) {
  const { page, problems } = await newPage(env.browser, viewport);
  await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
  await page.goto(env.url + hash);
  await page.locator('#sim-clock').waitFor();
  if (hash.includes('t=')) {
    await until(() => page.locator('#app-root').getAttribute('data-seeking'), (v) => v === 'false', 30000, 'the seek');
    await paused(page, 'true');
  }
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=lambda-panel] .grid rect').length > 0);
  return { page, problems };
}

const AT = '#v=1&preset=flash-sale&seed=7&t=330';
const DESK = { width: 1280, height: 800 };

async function check(name, page) {
  const v = await serious(page);
  await page.screenshot({ path: screenshotPath(`a11y-${name}.png`) });
  assert.deepEqual(v, [], `${name}: ${v.join('\n')}`);
}

test('axe: light and dark themes at 1280×800', async () => {
  for (const theme of ['light', 'dark']) {
    const { page, problems } = await open(DESK, `${AT}&theme=${theme}`);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), theme);
    await check(theme, page);
    assert.deepEqual(problems.errors, []);
    await page.close();
  }
  // The theme that follows the system, on a dark system.
  const { page } = await open(DESK, AT, { colorScheme: 'dark' });
  await check('auto-dark', page);
  await page.close();
});

test('axe: projector mode (key P) at 1920×1080, dark and light', async () => {
  for (const theme of ['dark', 'light']) {
    const { page } = await open({ width: 1920, height: 1080 }, `${AT}&theme=${theme}`);
    await page.keyboard.press('p');
    await until(() => page.evaluate(() => document.documentElement.dataset.projector), (v) => v === 'on', 3000, 'projector mode');
    await check(`projector-${theme}`, page);
    await page.close();
  }
});

test('axe: a phone at 375×667, light and dark', async () => {
  for (const theme of ['light', 'dark']) {
    const { page } = await open({ width: 375, height: 667 }, `${AT}&theme=${theme}`);
    await check(`phone-${theme}`, page);
    await page.close();
  }
});

test('axe: the help overlay (?) and a running tour', async () => {
  const { page } = await open(DESK, `${AT}&theme=dark`);
  await page.keyboard.press('?');
  await page.locator('.overlay[role=dialog]').waitFor();
  await check('help', page);
  await page.keyboard.press('Escape');
  await page.locator('.overlay[role=dialog]').waitFor({ state: 'detached' });
  await page.click('#tour-start');
  await page.getByTestId('tour').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=lambda-panel] .grid rect').length > 0);
  await check('tour', page);
  await page.close();
});

test('axe: the embed, alone and in the example course page', async () => {
  const { page } = await open({ width: 920, height: 800 }, `?embed=1&panels=stage,cost&controls=minimal#v=1&preset=flash-sale&seed=7&t=330`);
  await check('embed', page);
  await page.close();
  const { page: course } = await newPage(env.browser, { width: 1100, height: 900 });
  await course.goto(env.url + 'embed-example.html');
  const top = course.frameLocator('#sim-patch');
  await top.locator('#sim-clock').waitFor();
  await course.frameLocator('#sim-spike').locator('#app-root').waitFor({ state: 'attached' });
  await check('embed-example', course);
  const frames = course.frames().filter((f) => f !== course.mainFrame());
  assert.equal(frames.length, 2, 'two simulators');
  for (const [i, f] of frames.entries()) {
    const v = await serious(f);
    assert.deepEqual(v, [], `embed-example iframe ${i}: ${v.join('\n')}`);
  }
  await course.close();
});
