// A panic in the app (a bug) shows an error panel with a Restart button
// instead of a frozen page, and logs the error to the console. The test
// triggers a deliberate panic through the test-only `?debug-panic=1` route;
// the release build aborts after the hook (panic = "abort"), so this also
// proves the hook runs before the abort.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, newPage, screenshotPath } from './harness.mjs';

const env = suite();

test('a panic shows the error panel, logs to the console, and Restart reloads', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(`${env.url}?debug-panic=1`);
  await page.locator('#sim-clock').waitFor();
  const panel = page.locator('#panic-panel');
  await panel.waitFor({ timeout: 10000 });
  assert.equal(await panel.getAttribute('role'), 'alert');
  assert.match(await panel.textContent(), /Fanout stopped because of a bug/);
  assert.match(await panel.locator('pre').textContent(), /deliberate panic from \?debug-panic=1/);
  assert.ok(await page.locator('#panic-restart').isVisible(), 'the Restart button is visible');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'panic-restart', 'Restart has the focus');
  await page.screenshot({ path: screenshotPath('panic-panel.png') });
  assert.ok(
    problems.errors.some((e) => /deliberate panic/.test(e)),
    `the panic is logged to the console: ${JSON.stringify(problems.errors)}`,
  );
  assert.deepEqual(problems.foreign, []);

  // Restart reloads the page (here without the debug route, to see a working app).
  await page.evaluate(() => history.replaceState(null, '', location.pathname));
  await Promise.all([page.waitForEvent('load'), page.click('#panic-restart')]);
  await page.locator('#sim-clock').waitFor();
  assert.equal(await page.locator('#panic-panel').count(), 0, 'a fresh page has no panel');
  await page.close();
});

test('without the debug route no panel appears', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(`${env.url}?debug-panic=0`);
  await page.locator('#sim-clock').waitFor();
  await page.waitForTimeout(1200);
  assert.equal(await page.locator('#panic-panel').count(), 0);
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});
