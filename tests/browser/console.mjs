// What the load and serve tests check on every page and build: a clean
// console and no unfilled Trunk template.
import fs from 'node:fs';
import path from 'node:path';

/** Console errors and warnings, page errors and failed requests of `page`. */
export function watchConsole(page) {
  const seen = [];
  page.on('console', (m) => { if (['error', 'warning'].includes(m.type())) seen.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => seen.push(`page error: ${e}`));
  page.on('requestfailed', (r) => seen.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  return seen;
}

/** Every file under `dir` holding a Trunk template ({{__TRUNK_…__}} or any {{…}} left by Trunk). */
export function unfilled(dir) {
  const out = [];
  for (const name of fs.readdirSync(dir, { recursive: true })) {
    const file = path.join(dir, name);
    if (!fs.statSync(file).isFile() || !/\.(html|js|css|json)$/.test(name)) continue;
    const m = fs.readFileSync(file, 'utf8').match(/\{\{\s*_*(TRUNK|trunk|NONCE)[^}]*\}\}/);
    if (m) out.push(`${name}: ${m[0]}`);
  }
  return out;
}

