// Load and serve (issue 15, item 11), on the release build in dist/:
// index.html paints a placeholder (the title and a still outline of the
// stage) with no script, the app replaces it when it mounts; the console
// stays clean (no error, no warning) on every kind of load; no file of the
// build carries an unfilled Trunk template. `trunk serve` has its own test
// (serve.test.mjs).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { suite, screenshotPath, DIST } from './harness.mjs';
import { watchConsole, unfilled } from './console.mjs';

const env = suite();

/** What the placeholder shows: its box, the title and the outline's drawn size. */
const placeholder = (page) => page.evaluate(() => {
  const boot = document.getElementById('boot');
  if (!boot) return null;
  const svg = boot.querySelector('svg').getBoundingClientRect();
  return {
    title: boot.querySelector('h1')?.textContent,
    visible: boot.checkVisibility(),
    svg: { w: Math.round(svg.width), h: Math.round(svg.height), top: Math.round(svg.top) },
    shapes: boot.querySelectorAll('svg rect, svg path').length,
  };
});

test('with no script at all, index.html paints the title and an outline of the stage', async () => {
  const context = await env.browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(env.url);
  const p = await placeholder(page);
  assert.ok(p?.visible, 'the placeholder shows');
  assert.equal(p.title, 'Fanout');
  assert.ok(p.svg.w >= 800 && p.svg.h >= 300 && p.svg.top < 300, `the stage outline fills the first screen: ${JSON.stringify(p.svg)}`);
  assert.ok(p.shapes >= 8, 'sources, Lambda and EC2 drawn');
  assert.match(await page.locator('#boot noscript').textContent(), /needs JavaScript/);
  await page.screenshot({ path: screenshotPath('placeholder-no-script-1280x800.png') });
  await context.close();
});

test('the placeholder shows while the wasm loads, and is gone once the app mounts', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1280, height: 800 } });
  const seen = watchConsole(page);
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route('**/*.wasm', async (route) => { await held; await route.continue(); });
  await page.goto(env.url + '#preset=flash-sale', { waitUntil: 'domcontentloaded' });
  const p = await placeholder(page);
  assert.ok(p?.visible, 'the placeholder shows before the app');
  assert.equal(await page.locator('#app-root').count(), 0, 'the app is not there yet');
  await page.screenshot({ path: screenshotPath('placeholder-loading-1280x800.png') });
  release();
  await page.locator('#sim-clock').waitFor();
  assert.equal(await page.locator('#boot').count(), 0, 'the placeholder is gone after mount');
  assert.deepEqual(seen, []);
  await page.close();
});

test('the release build: a clean console on every kind of load', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1280, height: 800 } });
  const seen = watchConsole(page);
  for (const address of [
    '', '#preset=flash-sale&seed=7&t=30', '?embed=1&panels=stage,cost&controls=minimal&autoplay=1#preset=patch-tuesday',
    '?embed=1&panels=stage,cost,charts,params&controls=full', 'embed-example.html', '#theme=dark&hc=1',
  ]) {
    await page.goto(env.url + address);
    const root = address.startsWith('embed-example') ? page.frameLocator('#sim-patch') : page;
    await root.locator('#sim-clock').waitFor();
    await page.waitForTimeout(1500);
    await page.reload();
    await root.locator('#sim-clock').waitFor();
    await page.waitForTimeout(500);
    assert.deepEqual(seen, [], `the console of ${address || '/'}`);
  }
  await page.close();
});

test('no file of the release build carries an unfilled Trunk template', () => {
  assert.ok(fs.existsSync(path.join(DIST, 'index.html')));
  assert.deepEqual(unfilled(DIST), []);
  const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/, 'no inline script');
  assert.doesNotMatch(html, /trunk\/ws|__trunk/i, 'no live-reload client in a build');
});
