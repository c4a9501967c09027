// The serve path (issue 15, item 11): `trunk serve --release`, as
// scripts/serve.sh runs it, here offline on a free port with its own dist
// and watch directories: the page loads with a clean console under the CSP,
// Trunk's live-reload socket connects, and a change reloads the page; no
// file it builds, nor a debug `trunk build`, carries an unfilled Trunk
// template. Slow on a loaded machine (a release rebuild runs wasm-opt), so
// its time-outs are generous; it fails, never skips, when Trunk is missing.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, screenshotPath } from './harness.mjs';
import { watchConsole, unfilled } from './console.mjs';
import { until } from './util.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const START_MS = 15 * 60_000;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fanout-serve-'));
const children = [];
let browser;

after(async () => {
  await browser?.close();
  for (const c of children) if (c.exitCode === null) { try { process.kill(-c.pid, 'SIGTERM'); } catch { /* gone */ } }
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A free TCP port on 127.0.0.1. */
const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

/** Runs Trunk (in its own process group); its output is kept for the failure message. */
function trunk(args) {
  const version = spawnSync('trunk', ['--version'], { encoding: 'utf8' });
  assert.equal(version.status, 0, 'trunk is not on PATH: run `. scripts/setup.sh` (this test does not skip)');
  const child = spawn('trunk', args, {
    cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' },
  });
  child.log = '';
  child.stdout.on('data', (d) => { child.log += d; });
  child.stderr.on('data', (d) => { child.log += d; });
  children.push(child);
  return child;
}

const tail = (child) => child.log.split('\n').slice(-25).join('\n');

test('a debug `trunk build` carries no unfilled Trunk template either', async () => {
  const dist = path.join(tmp, 'debug-dist');
  const child = trunk(['build', '--dist', dist]);
  const code = await new Promise((r) => child.on('exit', r));
  assert.equal(code, 0, `trunk build failed:\n${tail(child)}`);
  assert.match(child.log, /csp-loader: moved 1 inline script/);
  assert.deepEqual(unfilled(dist), []);
});

test('`trunk serve`: a clean console under the CSP, and live reload works', { timeout: 2 * START_MS }, async () => {
  const port = await freePort();
  const dist = path.join(tmp, 'serve-dist');
  const watched = path.join(tmp, 'watched');
  fs.mkdirSync(watched);
  fs.writeFileSync(path.join(watched, 'touch.txt'), '0');
  const child = trunk(['serve', '--release', '--port', String(port), '--dist', dist, '--watch', watched, '--offline']);
  const url = `http://127.0.0.1:${port}/`;
  const builds = () => (child.log.match(/success/g) ?? []).length;
  await until(async () => {
    assert.equal(child.exitCode, null, `trunk serve stopped:\n${tail(child)}`);
    return builds() >= 1 && (await fetch(url).then((r) => r.ok, () => false));
  }, (ok) => ok, START_MS, `trunk serve on ${url}`);
  assert.match(child.log, /csp-loader: moved 2 inline script/, 'the loader and the live-reload client moved out');
  assert.deepEqual(unfilled(dist), [], 'no unfilled template in what trunk serve wrote');

  browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const seen = watchConsole(page);
  const sockets = [];
  page.on('websocket', (ws) => {
    const s = { url: ws.url(), closed: false, received: 0 };
    ws.on('close', () => { s.closed = true; });
    ws.on('framereceived', () => { s.received += 1; });
    sockets.push(s);
  });
  await page.goto(url + '#preset=flash-sale');
  await page.locator('#sim-clock').waitFor();
  await until(() => sockets.length, (n) => n >= 1, 10_000, 'the live-reload socket');
  assert.equal(sockets[0].url, `ws://127.0.0.1:${port}/.well-known/trunk/ws`);
  await page.waitForTimeout(2000);
  assert.equal(sockets[0].closed, false, 'the socket stays open');
  assert.deepEqual(seen, [], 'a clean console on a served page');
  await page.evaluate(() => { window.fanoutBeforeReload = true; });

  // A change in a watched directory: Trunk rebuilds and tells the page to reload.
  const before = builds();
  fs.writeFileSync(path.join(watched, 'touch.txt'), '1');
  await until(() => builds(), (n) => n > before, START_MS, `the rebuild:\n${tail(child)}`);
  await until(() => page.evaluate(() => window.fanoutBeforeReload === true).catch(() => true), (v) => v === false, 60_000, 'the page to reload');
  await page.locator('#sim-clock').waitFor();
  await page.waitForTimeout(1000);
  await page.screenshot({ path: screenshotPath('serve-after-reload.png') });
  assert.deepEqual(seen, [], 'a clean console after the reload');
  assert.deepEqual(unfilled(dist), []);
  await page.close();
});
