// The controls: step, speed (with the achieved speed when the engine cannot
// keep up), restart and new seed, a refused out-of-range value, and
// keyboard-only operation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, newPage } from './harness.mjs';
import { clock, sleep, num, setSpeed, until, paused } from './util.mjs';

const env = suite();

test('single step processes one event at a time while paused', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(env.url);
  await page.selectOption('#preset', { label: 'Nightly 20-minute batch' });
  await page.click('#play-toggle');
  await paused(page, 'true');
  await page.click('#restart');
  assert.equal(await clock(page), '00:00:00.000');
  // Each step jumps to the next event (the engine's, whatever it is) and
  // no further: the 02:00 schedule is reached by steps, never skipped.
  let last = '00:00:00.000';
  for (let i = 0; i < 400 && last < '02:00:00.000'; i++) {
    await page.click('#step');
    const t = await clock(page);
    assert.ok(t >= last, `time never goes back: ${last} -> ${t}`);
    last = t;
  }
  assert.equal(last, '02:00:00.000', 'a step stops at the nightly rule');
  const t2 = last;
  await sleep(400);
  assert.equal(await clock(page), t2, 'still paused after stepping');
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('speed changes how fast simulated time runs, and lag is reported', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(env.url);
  await page.selectOption('#preset', { label: 'Steady API' });
  await setSpeed(page, 0);
  // The app re-renders after the input event: wait for it (a read right
  // after the event saw the old value once under load).
  await until(() => page.locator('#speed-value').textContent(), (t) => t === '1×', 5000, 'speed 1×');
  await sleep(300);
  const secs = (t) => { const [h, m, s] = t.split(':').map(Number); return h * 3600 + m * 60 + s; };
  let a = secs(await clock(page));
  await sleep(1000);
  const slow = secs(await clock(page)) - a;
  assert.ok(slow > 0.5 && slow < 2, `1×: about a second per second (${slow})`);
  await setSpeed(page, 2);
  await until(() => page.locator('#speed-value').textContent(), (t) => t === '100×', 5000, 'speed 100×');
  a = secs(await clock(page));
  await sleep(1000);
  const fast = secs(await clock(page)) - a;
  const shown100 = await page.locator('#speed-value').textContent();
  // A loaded machine may not reach 100× (CI once ran it at about 15×): then
  // the app must say so instead of pretending.
  assert.ok(fast > 5 * slow, `100× runs much faster: ${fast} vs ${slow}`);
  if (fast < 50 * slow) {
    assert.match(shown100, / of 100×$/, `achieved ${fast / slow}× is reported`);
  }

  // The flash sale at 10,000× outruns any browser: the achieved speed shows.
  await page.selectOption('#preset', { label: 'Flash-sale spike' });
  await setSpeed(page, 4);
  const shown = await until(() => page.locator('#speed-value').textContent(), (t) => / of 10,000×$/.test(t), 30000, 'an achieved speed');
  assert.ok(num(shown) < 10000, shown);
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('restart keeps the seed; new seed changes it', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(env.url);
  const seed0 = await page.locator('#seed').textContent();
  await sleep(300);
  await page.click('#restart');
  assert.equal(await page.locator('#seed').textContent(), seed0);
  await page.click('#new-seed');
  await until(() => page.locator('#seed').textContent(), (v) => v !== seed0, 3000, 'a new seed');
  assert.match(await page.getByTestId('param-note').textContent(), /New seed/);
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('an out-of-range value is refused at its control and the run goes on', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(env.url);
  await setSpeed(page, 2);
  await page.fill('#p-memory', '20000');
  await page.locator('#p-memory').press('Enter');
  const err = page.locator('#p-memory-error');
  await err.waitFor();
  assert.match(await err.textContent(), /memory_mb: 20000 is above the Lambda maximum of 10240/);
  assert.equal(await page.locator('#p-memory').getAttribute('aria-invalid'), 'true');
  const t0 = await clock(page);
  await sleep(500);
  assert.ok((await clock(page)) > t0, 'the simulation keeps running with the last good settings');
  assert.match(await page.getByTestId('lambda-panel').textContent(), /1769 MB/);

  // A good value restarts the run with it.
  await page.fill('#p-memory', '512');
  await page.locator('#p-memory').press('Enter');
  await until(() => page.locator('#p-memory-error').count(), (n) => n === 0, 3000, 'the error to clear');
  assert.match(await page.getByTestId('param-note').textContent(), /memory = 512 MB/);
  assert.match(await page.getByTestId('lambda-panel').textContent(), /512 MB/);
  assert.equal(await page.locator('#preset').inputValue(), '', 'the picker says the scenario is edited');
  // Text that is not a number is refused too.
  await page.fill('#p-timeout', '');
  await page.locator('#p-timeout').pressSequentially('abc');
  await page.locator('#p-timeout').press('Enter');
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('the main controls work from the keyboard alone', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(env.url);
  await page.locator('#sim-clock').waitFor();
  // Tab from the top of the page reaches play/pause right after the title
  // bar's few controls (preset, concepts, tour, share, export, keys).
  let stops = 0;
  do {
    await page.keyboard.press('Tab');
    stops += 1;
  } while (stops < 8 && (await page.evaluate(() => document.activeElement.id)) !== 'play-toggle');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'play-toggle', `after ${stops} tab stops`);
  const visible = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(visible, 'none', 'focus is visible');
  // The app re-renders after the key event is handled: read until it has
  // (a fixed read right after the key press failed once in CI, under load).
  await page.keyboard.press('Space');
  await paused(page, 'true');
  // Step is next and enabled while paused.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'step');
  const before = await clock(page);
  await page.keyboard.press('Enter');
  await until(() => clock(page), (t) => t !== before, 3000, 'a step');
  // On to the speed slider: End = 10,000×, Home = 1×.
  for (let i = 0; i < 6 && (await page.evaluate(() => document.activeElement.id)) !== 'speed'; i++) {
    await page.keyboard.press('Tab');
  }
  assert.equal(await page.evaluate(() => document.activeElement.id), 'speed');
  await page.keyboard.press('End');
  await until(() => page.locator('#speed-value').textContent(), (v) => v === '10,000×', 3000, '10,000×');
  await page.keyboard.press('Home');
  await until(() => page.locator('#speed-value').textContent(), (v) => v === '1×', 3000, '1×');
  // The preset picker.
  await page.focus('#preset');
  await page.keyboard.press('ArrowDown');
  await until(() => page.locator('#preset').inputValue(), (v) => v === '1', 3000, 'the next preset');
  assert.match(await page.getByTestId('takeaway').textContent(), /warm environment/);
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});
