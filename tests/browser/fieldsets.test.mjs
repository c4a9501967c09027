// No fieldset overflows its box: for every preset at widths from a small
// phone to a projector, every visible descendant of every fieldset lies
// inside the fieldset's border box (folded sections opened first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { suite, newPage, screenshotPath } from './harness.mjs';

const env = suite();

const WIDTHS = [320, 360, 375, 768, 920, 1024, 1280, 1440, 1920];
const PRESETS = fs.readdirSync(path.resolve('static/scenarios'))
  .filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();

/** Every descendant sticking out of its fieldset by more than half a pixel. */
const overflows = () => {
  for (const d of document.querySelectorAll('details')) d.open = true;
  const out = [];
  let fieldsets = 0;
  for (const f of document.querySelectorAll('fieldset')) {
    const b = f.getBoundingClientRect();
    if (b.width === 0 || b.height === 0) continue;
    fieldsets += 1;
    for (const el of f.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const by = Math.max(b.left - r.left, r.right - b.right, b.top - r.top, r.bottom - b.bottom);
      if (by > 0.5) {
        const name = el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}.${el.className?.baseVal ?? el.className}`;
        out.push(`${f.querySelector('legend')?.textContent ?? 'fieldset'}: ${name} by ${by.toFixed(1)} px`);
      }
    }
  }
  return { fieldsets, out };
};

test('no fieldset overflows at any width from 320 to 1920 px, for every preset', async () => {
  assert.ok(PRESETS.length >= 10, `presets found: ${PRESETS}`);
  const { page, problems } = await newPage(env.browser, { width: 1280, height: 800 });
  const bad = [];
  for (const id of PRESETS) {
    await page.goto(`${env.url}#v=1&preset=${id}`);
    await page.locator('#p-rate, fieldset').first().waitFor();
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const { fieldsets, out } = await page.evaluate(overflows);
      assert.ok(fieldsets > 0, `${id} at ${width}: fieldsets are shown`);
      bad.push(...out.map((o) => `${id} at ${width} px: ${o}`));
      if (id === 'flash-sale' && (width === 1280 || width === 320)) {
        await page.locator('#p-instance-type').scrollIntoViewIfNeeded();
        await page.screenshot({ path: screenshotPath(`fieldsets-${id}-${width}.png`) });
      }
    }
  }
  assert.deepEqual(bad, [], 'fieldsets overflow');
  assert.deepEqual(problems.errors, []);
});
