// Trunk post_build hook: moves every inline <script> of the staged
// index.html into its own file and references it with src=..., so the page
// runs under `script-src 'self'` (no 'unsafe-inline'). Trunk sets
// TRUNK_STAGING_DIR for hooks. Fails loudly if nothing was found to move
// (a Trunk upgrade that changed the loader must not pass silently).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('csp-loader: TRUNK_STAGING_DIR is not set (run by Trunk as a post_build hook)');
  process.exit(1);
}
const file = path.join(dir, 'index.html');
let html = fs.readFileSync(file, 'utf8');
let moved = 0;
html = html.replace(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/g, (whole, attrs = '', body) => {
  if (/\ssrc\s*=/.test(attrs) || body.trim() === '') return whole;
  // `trunk serve` fills these placeholders of its live-reload script only
  // inside index.html; in a file they are read from the page's address.
  body = body
    .replaceAll("'{{__TRUNK_ADDRESS__}}'", 'window.location.host')
    .replaceAll("'{{__TRUNK_WS_BASE__}}'", "'/'");
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
fs.writeFileSync(file, html);
console.log(`csp-loader: moved ${moved} inline script(s) out of index.html`);
