// Shared set-up for the browser tests: a static server for dist/ on
// 127.0.0.1 and Debian's headless Chromium driven by playwright-core.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = path.join(ROOT, 'dist');
export const SHOTS = path.join(ROOT, 'target', 'screenshots');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml',
  '.json': 'application/json', '.png': 'image/png', '.woff2': 'font/woff2', '.csv': 'text/csv',
};

/**
 * Serves `dir` on 127.0.0.1 at a free port; resolves to { url, close }.
 * `extra` maps more paths to file bodies (e.g. `{ '/tours/mine.json':
 * '{…}' }`), served before `dir`'s files, for what a test needs on the
 * site but the build does not ship.
 */
export function serve(dir = DIST, extra = {}) {
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    throw new Error(`${dir}/index.html is missing: run \`trunk build --release\` first`);
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (Object.hasOwn(extra, url.pathname)) {
      const type = TYPES[path.extname(url.pathname)] ?? 'application/octet-stream';
      res.writeHead(200, { 'content-type': type }).end(extra[url.pathname]);
      return;
    }
    let file = path.normalize(path.join(dir, decodeURIComponent(url.pathname)));
    if (!file.startsWith(dir)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, body) => {
      if (err) { res.writeHead(404).end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      // Open connections (a keep-alive the browser left) end with it.
      const close = () => new Promise((r) => { server.close(r); server.closeAllConnections(); });
      resolve({ url: `http://127.0.0.1:${port}/`, close });
    });
  });
}

/** How long a page's or the browser's close is waited for [ms]. */
const CLOSE_WAIT_MS = 10_000;

/**
 * `closing`, or after `CLOSE_WAIT_MS` a note that it did not finish: when a
 * close races a navigation's commit, Chromium can acknowledge it and never
 * close (crbug.com/536385539; playwright issues 41900 and 42366), and
 * `page.close()`, which has no timeout, then waits for ever. A test is not
 * about its clean-up: it goes on, and the browser's close (or, failing
 * that, the test process's exit) takes what is left.
 */
async function bounded(closing, what) {
  let timer;
  const late = new Promise((resolve) => { timer = setTimeout(resolve, CLOSE_WAIT_MS, 'late'); });
  const how = await Promise.race([closing.then(() => 'closed'), late]);
  clearTimeout(timer);
  if (how === 'late') console.log(`# ${what} did not finish in ${CLOSE_WAIT_MS / 1000} s; going on`);
}

/** `page`, its `close` bounded (see `bounded`). */
function boundedClose(page) {
  const close = page.close.bind(page);
  page.close = (options) => bounded(close(options), 'page.close()');
  return page;
}

/**
 * Debian's Chromium, headless, with the flags this offline machine needs;
 * every page it opens (`newPage`, a context's `newPage`) and the browser
 * itself close within a bounded wait (see `bounded`).
 */
export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (options) => boundedClose(await newPage(options));
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    const contextPage = context.newPage.bind(context);
    context.newPage = async () => boundedClose(await contextPage());
    return context;
  };
  const close = browser.close.bind(browser);
  browser.close = (options) => bounded(close(options), 'browser.close()');
  return browser;
}

/**
 * A new page that records console errors, page errors and every request
 * that is not to 127.0.0.1, for the test to assert on.
 */
export async function newPage(browser, viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport });
  const problems = { errors: [], foreign: [] };
  page.on('console', (m) => { if (m.type() === 'error') problems.errors.push(m.text()); });
  page.on('pageerror', (e) => problems.errors.push(String(e)));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (!['127.0.0.1', ''].includes(u.hostname) && !['data:', 'blob:'].includes(u.protocol)) {
      problems.foreign.push(r.url());
    }
  });
  return { page, problems };
}

/** The README's screenshot, which `app.test.mjs` keeps fresh. */
export const README_SHOT = path.join(ROOT, 'docs', 'img', 'fanout-1280x800.png');

export function screenshotPath(name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  return path.join(SHOTS, name);
}

/**
 * The set-up every test file shares: before its tests, serve dist/ (and
 * `extra`, see `serve`) and launch Chromium; after them, close both.
 * Returns an object whose `url` (the site's address, ending in "/") and
 * `browser` are set once the tests run.
 */
export function suite({ extra = {} } = {}) {
  const env = { url: undefined, browser: undefined };
  let server;
  before(async () => {
    server = await serve(DIST, extra);
    env.url = server.url;
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await server?.close();
  });
  return env;
}
