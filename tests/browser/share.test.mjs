// Sharing, embedding, presenting, importing (issue 7), in real headless
// Chromium: a copied link reproduces the run's numbers; a corrupted link
// opens with a message; the embed example shows two simulators and pauses
// the one out of view; every presenter key acts; a refused import lists all
// its problems and keeps the state; the CSP blocks inline scripts; no
// request leaves 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite, newPage, screenshotPath } from './harness.mjs';
import { clock, sleep, until, openMenuFor, simSeconds } from './util.mjs';

const env = suite();

/** The numbers that depend only on simulated time (not on wall time). */
async function numbers(page) {
  const ids = ['cost-lambda', 'cost-lambda-month', 'cost-ec2'];
  const out = {};
  for (const id of ids) out[id] = await page.getByTestId(id).textContent();
  for (const cell of await page.locator('[data-testid^="m-"]').all()) {
    const id = await cell.getAttribute('data-testid');
    if (!/req|rate/.test(id)) out[id] = await cell.textContent();
  }
  out.clock = await clock(page);
  out.seed = await page.locator('#seed').textContent();
  return out;
}

/** Waits (briefly) until `read()` equals `want`: the page renders after the event. */
async function soon(read, want, what = 'value') {
  const got = await until(read, (v) => v === want, 3000, `${what} = ${JSON.stringify(want)}`).catch((e) => e);
  if (got instanceof Error) assert.equal(await read(), want, what);
}

const running = (page) => page.locator('#app-root').getAttribute('data-running');

test('a copied link reproduces the same numbers at the same simulated time', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(env.url + '#preset=steady-api&speed=32');
  await page.locator('#sim-clock').waitFor();
  await page.fill('#p-memory', '700');
  await page.locator('#p-memory').press('Enter');
  await until(() => page.getByTestId('lambda-panel').textContent(), (t) => /700 MB/.test(t), 5000, 'the edit');
  await page.click('#new-seed');
  await until(() => clock(page), (t) => t > '00:00:20', 30000, '20 simulated seconds');
  await page.locator('body').press('Space');
  assert.equal(await running(page), 'false');
  await sleep(400);
  const a = await numbers(page);
  await openMenuFor(page, '#copy-link');
  await page.click('#copy-link');
  const link = await page.locator('#share-link').inputValue();
  assert.match(link, /#v=1&preset=steady-api&seed=\d+&speed=32&s=[\w-]+&t=[\d.]+$/);
  assert.ok(link.length < 300, `a small change makes a short link (${link.length})`);

  const { page: b, problems: pb } = await newPage(env.browser);
  await b.goto(link);
  await until(() => b.locator('#app-root').getAttribute('data-seeking'), (v) => v === 'false', 30000, 'the link to reach its instant');
  await sleep(400);
  const bn = await numbers(b);
  assert.deepEqual(bn, a, 'same scenario, seed and instant: same numbers');
  assert.equal(await b.locator('#p-memory').inputValue(), '700');
  assert.equal(await running(b), 'false', 'a link to an instant opens paused there');
  assert.equal(await b.getByTestId('link-problems').count(), 0);
  assert.deepEqual(problems, { errors: [], foreign: [] });
  assert.deepEqual(pb, { errors: [], foreign: [] });
  await page.close();
  await b.close();
});

test('back and forward move between states', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(env.url);
  await page.locator('#sim-clock').waitFor();
  await page.selectOption('#preset', { label: 'Flash-sale spike' });
  await until(() => page.evaluate(() => location.hash), (h) => h.includes('preset=flash-sale'), 5000, 'the fragment');
  await page.selectOption('#preset', { label: 'Quiet night' });
  await until(() => page.evaluate(() => location.hash), (h) => h.includes('preset=quiet-night'), 5000, 'the fragment');
  const takeaway = () => page.getByTestId('takeaway').textContent();
  await page.goBack();
  await until(takeaway, (t) => /600× spike/.test(t), 5000, 'back to the flash sale');
  assert.match(await page.getByTestId('lambda-panel').textContent(), /flash|sale|checkout/i);
  await page.goForward();
  await until(takeaway, (t) => /Idle EC2 instances/.test(t), 5000, 'forward to the quiet night');
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('a corrupted link opens the closest valid state with a dismissible message', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(env.url + '#v=1&preset=flash-sale&seed=banana&s=eJzLSM3JyQcABiwCFQ&speed=99999');
  const box = page.getByTestId('link-problems');
  await box.waitFor();
  const text = await box.textContent();
  assert.match(text, /seed: “banana”/);
  assert.match(text, /speed: “99999”/);
  assert.match(text, /s \(the changed scenario\)/);
  assert.equal(await page.locator('#preset option:checked').textContent(), 'Flash-sale spike', 'the preset still opens');
  const t0 = await clock(page);
  await sleep(500);
  assert.notEqual(await clock(page), t0, 'and runs');
  await page.screenshot({ path: screenshotPath('share-corrupted-link.png') });
  await page.click('#dismiss-problems');
  assert.equal(await box.count(), 0);
  // HTML in a link is shown as text, never inserted.
  await page.goto(env.url + '#preset=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E');
  await page.getByTestId('link-problems').waitFor();
  assert.equal(await page.locator('.notice img').count(), 0);
  assert.match(await page.getByTestId('link-problems').textContent(), /<img src=x/);
  assert.deepEqual(problems.foreign, []);
  await page.close();
});

test('the embed example page shows two simulators; the one out of view is paused', async () => {
  const { page, problems } = await newPage(env.browser, { width: 1100, height: 900 });
  await page.goto(env.url + 'embed-example.html');
  const top = page.frameLocator('#sim-patch');
  const bottom = page.frameLocator('#sim-spike');
  await top.locator('#sim-clock').waitFor();
  await bottom.locator('#app-root').waitFor({ state: 'attached' });
  const t0 = await top.locator('#sim-clock').textContent();
  await sleep(800);
  assert.notEqual(await top.locator('#sim-clock').textContent(), t0, 'the visible one runs');
  assert.equal(await bottom.locator('#app-root').getAttribute('data-auto-paused'), 'true', 'the off-screen one is paused');
  // Paused where a pick of its preset starts, a few seconds before the first throttle.
  await until(() => bottom.locator('#app-root').getAttribute('data-seeking'), (v) => v === 'false', 10000, 'the second at its start');
  const b0 = await bottom.locator('#sim-clock').textContent();
  assert.equal(await simSeconds(bottom), Number(await bottom.getByTestId('timeline').getAttribute('data-start')));
  assert.equal(b0, '00:04:34.000');
  assert.equal(await top.locator('h1').count(), 0, 'embedded: no masthead');
  assert.equal(await top.locator('.charts').count(), 0, 'only the chosen panels');
  assert.equal(await top.getByTestId('cost-lambda').count(), 1);
  await page.screenshot({ path: screenshotPath('share-embed-example.png') });
  // Scroll to the second: it resumes; the first, now out of view, pauses.
  await page.locator('#sim-spike').scrollIntoViewIfNeeded();
  await until(() => bottom.locator('#sim-clock').textContent(), (t) => t !== b0, 10000, 'the second to run');
  await until(() => top.locator('#app-root').getAttribute('data-auto-paused'), (v) => v === 'true', 5000, 'the first to pause');
  assert.deepEqual(problems, { errors: [], foreign: [] });
  // Narrow and wide iframes fit without horizontal scrolling.
  for (const width of [320, 1920]) {
    const { page: p } = await newPage(env.browser, { width, height: 800 });
    await p.goto(env.url + '?embed=1&panels=stage,cost&controls=minimal#preset=flash-sale');
    await p.locator('#sim-clock').waitFor();
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no horizontal scroll at ${width} px (${overflow})`);
    await p.screenshot({ path: screenshotPath(`share-embed-${width}.png`) });
    await p.close();
  }
  await page.close();
});

test('the embed dialog writes a titled iframe snippet for the current state', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(env.url + '#preset=sqs-worker');
  await openMenuFor(page, '#embed-open');
  await page.click('#embed-open');
  const snippet = await page.locator('#embed-snippet').inputValue();
  assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/\?embed=1&amp;panels=stage,cost&amp;controls=minimal&amp;autoplay=1#v=1&amp;preset=sqs-worker/);
  assert.match(snippet, /title="Fanout simulator: SQS worker"/);
  await page.screenshot({ path: screenshotPath('share-embed-dialog.png') });
  await page.keyboard.press('Escape');
  await until(() => page.locator('#embed-dialog').count(), (n) => n === 0, 3000, 'Esc closes the embed dialog');
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('every presenter key does what it says, and none fires while typing', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(env.url + '#preset=steady-api');
  await page.locator('#sim-clock').waitFor();
  const key = (k) => page.keyboard.press(k);
  await page.locator('h1').click();
  await soon(() => running(page), 'true');
  await key('Space');
  await soon(() => running(page), 'false', 'Space pauses');
  await key('Space');
  await soon(() => running(page), 'true', 'Space plays');
  await soon(() => page.locator('#speed-value').textContent(), '10×');
  await key('+');
  await soon(() => page.locator('#speed-value').textContent(), '32×', '+ is faster');
  await key('-');
  await key('-');
  await soon(() => page.locator('#speed-value').textContent(), '3.2×', '− is slower');
  await sleep(300);
  await key('r');
  await until(() => clock(page), (t) => t < '00:00:01', 3000, 'R to restart');
  const seed = await page.locator('#seed').textContent();
  await key('n');
  await until(() => page.locator('#seed').textContent(), (t) => t !== seed, 3000, 'N to change the seed');
  await key('t');
  await soon(() => page.evaluate(() => document.documentElement.dataset.theme), 'dark', 'T: dark');
  await key('t');
  await soon(() => page.evaluate(() => document.documentElement.dataset.theme), 'light', 'T: light');
  await key('p');
  await soon(() => page.evaluate(() => document.documentElement.dataset.projector), 'on', 'P: projector mode');
  await page.screenshot({ path: screenshotPath('share-projector-light.png') });
  await key('t');
  await page.screenshot({ path: screenshotPath('share-projector.png') });
  await key('?');
  await page.locator('#help').waitFor();
  assert.match(await page.locator('#help').textContent(), /Space.*play \/ pause/);
  await page.screenshot({ path: screenshotPath('share-help.png') });
  await key('Escape');
  await soon(() => page.locator('#help').count(), 0, 'Esc closes the help');
  await key('p');
  await key('f');
  await until(() => page.evaluate(() => !!document.fullscreenElement), (v) => v, 3000, 'full screen');
  await key('Space');
  await soon(() => running(page), 'false', 'keys work in full screen');
  await key('f');
  await until(() => page.evaluate(() => !!document.fullscreenElement), (v) => !v, 3000, 'full screen to end');
  // The tour: → and ← move between steps, each a preset at its speed.
  await page.click('#tour-start');
  await page.getByTestId('tour').waitFor();
  assert.match(await page.locator('#tour-title').textContent(), /Managed vs\. unmanaged/);
  await key('ArrowRight');
  await until(() => page.locator('#tour-title').textContent(), (t) => /Serverless/.test(t), 3000, '→ to the next step');
  await soon(() => page.locator('#preset option:checked').textContent(), 'Steady API');
  await key('ArrowRight');
  await key('ArrowLeft');
  await until(() => page.locator('#tour-title').textContent(), (t) => /Serverless/.test(t), 3000, '← to go back');
  await until(() => page.evaluate(() => location.hash), (h) => /tour=intro&step=2/.test(h), 3000, 'the step in the link');
  // Typing in a field never triggers a shortcut.
  const before = await running(page);
  await page.locator('#p-memory').click();
  await page.keyboard.type(' rnt');
  await soon(() => running(page), before, 'typing a space does not pause');
  await soon(() => page.evaluate(() => document.documentElement.dataset.theme ?? 'auto'), 'auto', 'typing t does not change the theme');
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('a tour step opened by link always plays out the same way', async () => {
  const read = async () => {
    const { page } = await newPage(env.browser);
    await page.goto(env.url + '#tour=intro&step=4&t=30');
    // The tour is fetched: its step opens (and seeks to the link's instant)
    // when it arrives.
    await page.locator('#tour-title').waitFor();
    await until(() => page.locator('#app-root').getAttribute('data-seeking'), (v) => v === 'false', 30000, 'the instant');
    await sleep(300);
    const n = await numbers(page);
    assert.match(await page.locator('#tour-title').textContent(), /Automatic scaling/);
    await page.close();
    return n;
  };
  assert.deepEqual(await read(), await read());
});

test('an invalid import lists all its problems and keeps the current state', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(env.url + '#preset=flash-sale');
  await page.locator('#sim-clock').waitFor();
  const good = JSON.parse(fs.readFileSync(new URL('../../static/scenarios/steady-api.json', import.meta.url)));
  const bad = structuredClone(good);
  bad.function.timeout_s = 1200;
  bad.function.memory_mb = 64;
  bad.duration_s = -5;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fanout-'));
  const badFile = path.join(dir, 'bad.json');
  fs.writeFileSync(badFile, JSON.stringify(bad));
  const seed = await page.locator('#seed').textContent();
  const hash = await page.evaluate(() => location.hash);
  await page.setInputFiles('#import-file', badFile);
  const box = page.getByTestId('import-errors');
  await box.waitFor();
  assert.equal(await box.locator('li').count(), 3);
  const text = await box.textContent();
  assert.match(text, /function\.timeout_s: 1200 is above the Lambda maximum of 900/);
  assert.match(text, /function\.memory_mb: 64/);
  assert.match(text, /duration_s: -5/);
  assert.equal(await page.locator('#preset option:checked').textContent(), 'Flash-sale spike', 'state kept');
  assert.equal(await page.locator('#seed').textContent(), seed);
  assert.equal(await page.evaluate(() => location.hash), hash);
  await page.screenshot({ path: screenshotPath('share-import-refused.png') });
  // A good file by drag and drop replaces the scenario.
  good.name = 'Dropped API';
  const json = JSON.stringify(good);
  const dt = await page.evaluateHandle((text) => {
    const d = new DataTransfer();
    d.items.add(new File([text], 'good.json', { type: 'application/json' }));
    return d;
  }, json);
  await page.dispatchEvent('body', 'drop', { dataTransfer: dt });
  await until(() => page.getByTestId('param-note').textContent().catch(() => ''), (t) => /Imported good\.json/.test(t), 5000, 'the import');
  assert.equal(await box.count(), 0);
  assert.match(await page.evaluate(() => location.hash), /j=/);
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('exports download the scenario, metrics, bill and chart', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(env.url + '#preset=flash-sale&speed=100');
  await until(() => clock(page), (t) => t > '00:00:10', 20000, '10 s');
  const get = async (id) => {
    await openMenuFor(page, id);
    const [d] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
    return { name: d.suggestedFilename(), text: fs.readFileSync(await d.path(), 'utf8') };
  };
  const j = await get('#export-json');
  assert.equal(j.name, 'flash-sale.json');
  assert.equal(JSON.parse(j.text).name, 'Flash sale');
  const m = await get('#export-metrics');
  assert.match(m.text, /^t_s,lambda_busy/);
  assert.ok(m.text.trim().split('\n').length > 3);
  const b = await get('#export-bill');
  assert.match(b.text, /^bill,item,quantity,unit,rate,amount_usd\nAWS Lambda/);
  const c = await get('#export-chart');
  assert.match(c.text, /<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  const [pd] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
  const png = fs.readFileSync(await pd.path());
  assert.equal(pd.suggestedFilename(), 'flash-sale-chart.png');
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG file');
  assert.ok(png.length > 2000, `a drawn chart, not an empty canvas (${png.length} bytes)`);
  assert.deepEqual(problems, { errors: [], foreign: [] });
  await page.close();
});

test('the CSP is in force: an injected inline script does not run', async () => {
  const { page, problems } = await newPage(env.browser);
  await page.goto(env.url);
  await page.locator('#sim-clock').waitFor();
  const html = fs.readFileSync(new URL('../../dist/index.html', import.meta.url), 'utf8');
  assert.match(html, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script in the built page');
  const result = await page.evaluate(() => new Promise((resolve) => {
    window.__ran = false;
    document.addEventListener('securitypolicyviolation', (e) => resolve({ blocked: e.violatedDirective, ran: window.__ran }), { once: true });
    const s = document.createElement('script');
    s.textContent = 'window.__ran = true;';
    document.body.appendChild(s);
    setTimeout(() => resolve({ blocked: null, ran: window.__ran }), 1000);
  }));
  assert.equal(result.ran, false);
  assert.match(result.blocked, /script-src/);
  // And a request to another origin is refused by connect-src.
  const fetched = await page.evaluate(() => fetch('http://192.0.2.1/x').then(() => 'ok', () => 'refused'));
  assert.equal(fetched, 'refused');
  assert.deepEqual(problems.foreign, [], 'nothing left 127.0.0.1');
  await page.close();
});
