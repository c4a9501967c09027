// Trunk post_build hook: moves every inline <script> of the staged
// index.html into its own file and references it with src=..., so the page
// runs under `script-src 'self'` (no 'unsafe-inline'). Trunk sets
// TRUNK_STAGING_DIR for hooks. Fails loudly if nothing was found to move
// (a Trunk upgrade that changed the loader must not pass silently), and if
// any staged file still holds a Trunk template ({{__TRUNK_…__}}).
//
// `trunk serve` adds its live-reload client as a second inline script with
// two templates, the address and the WebSocket path, that its server fills
// in only in HTML responses: once the script is a file they would stay
// unfilled (the socket goes to `ws://{{__TRUNK_ADDRESS__}}…`, which the CSP
// refuses, and live reload is dead). So they are filled here: the address
// from the page's own (`window.location.host`, what Trunk itself does when
// a request has no Host header), the path from the public URL. In a release
// build swc writes string literals as template literals and joins the
// constants into one, so the address can sit inside a longer literal:
// there it becomes `${window.location.host}`.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const ADDRESS = '{{__TRUNK_ADDRESS__}}';
const WS_BASE = '{{__TRUNK_WS_BASE__}}';
const TEMPLATE = /\{\{__TRUNK_[A-Z_]*__\}\}/;

/** Fills Trunk's live-reload templates in `js` (see above); throws on a form it does not know. */
export function fillTemplates(js, publicUrl = './') {
  const base = publicUrl.startsWith('/') ? (publicUrl.endsWith('/') ? publicUrl : publicUrl + '/') : '/';
  let out = js.replaceAll(WS_BASE, base);
  // The address as a whole literal, in any quotes (debug: '…'; release: `…`).
  for (const q of ["'", '"', '`']) out = out.replaceAll(q + ADDRESS + q, 'window.location.host');
  // Inside a longer template literal (release).
  let at;
  while ((at = out.indexOf(ADDRESS)) >= 0) {
    const before = out.slice(0, at);
    const quote = Math.max(before.lastIndexOf("'"), before.lastIndexOf('"'), before.lastIndexOf('`'));
    if (quote < 0 || before[quote] !== '`') {
      throw new Error(`csp-loader: ${ADDRESS} in a form this hook does not know: …${out.slice(Math.max(0, at - 60), at + 40)}…`);
    }
    out = before + '${window.location.host}' + out.slice(at + ADDRESS.length);
  }
  return out;
}

/**
 * Chromium ignores `integrity` on a `<link rel=preload as=fetch>` (Trunk's
 * preload of the wasm) and warns about it in the console on every load; the
 * loader's own fetch of the wasm carries none either. So the attribute goes
 * from those links only (the CSS, JS and icon keep theirs).
 */
export function dropPreloadIntegrity(html) {
  return html.replace(/<link\b[^>]*>/g, (tag) =>
    /\srel=["']?preload\b/.test(tag) && /\sas=["']?fetch\b/.test(tag)
      ? tag.replace(/\sintegrity=("[^"]*"|'[^']*'|[^\s>]+)/, '')
      : tag);
}

function main() {
  const dir = process.env.TRUNK_STAGING_DIR;
  if (!dir) {
    console.error('csp-loader: TRUNK_STAGING_DIR is not set (run by Trunk as a post_build hook)');
    process.exit(1);
  }
  const publicUrl = process.env.TRUNK_PUBLIC_URL ?? './';
  const file = path.join(dir, 'index.html');
  let html = fs.readFileSync(file, 'utf8');
  let moved = 0;
  html = html.replace(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/g, (whole, attrs = '', body) => {
    if (/\ssrc\s*=/.test(attrs) || body.trim() === '') return whole;
    body = fillTemplates(body, publicUrl);
    const hash = crypto.createHash('sha256').update(body).digest('hex').slice(0, 16);
    const name = `loader-${hash}.js`;
    fs.writeFileSync(path.join(dir, name), body.trim() + '\n');
    moved += 1;
    const module = /type\s*=\s*["']?module/.test(attrs) ? ' type="module"' : '';
    return `<script${module} src="./${name}"></script>`;
  });
  if (moved === 0) {
    console.error('csp-loader: no inline <script> in index.html; has Trunk changed its loader?');
    process.exit(1);
  }
  html = dropPreloadIntegrity(html);
  fs.writeFileSync(file, html);
  // No artefact may carry an unfilled template (nor a second copy of Trunk's).
  for (const name of fs.readdirSync(dir)) {
    if (!/\.(html|js)$/.test(name)) continue;
    const m = fs.readFileSync(path.join(dir, name), 'utf8').match(TEMPLATE);
    if (m) {
      console.error(`csp-loader: ${name} still holds the Trunk template ${m[0]}`);
      process.exit(1);
    }
  }
  console.log(`csp-loader: moved ${moved} inline script(s) out of index.html`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) main();
