// Small helpers shared by the browser tests.
export const clock = (page) => page.locator('#sim-clock').textContent();
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The first number in a text, thousands separators removed. */
export function num(text) {
  const m = String(text).replace(/,/g, '').match(/-?\d+(\.\d+)?/);
  return m ? Number(m[0]) : NaN;
}

/** Sets the speed slider to 10^`log10` × through its input event. */
export async function setSpeed(page, log10) {
  await page.locator('#speed').evaluate((el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, log10);
}

/** Waits until `read()` satisfies `ok`, polling; returns the last value. */
export async function until(read, ok, timeoutMs = 15000, what = 'condition') {
  const end = Date.now() + timeoutMs;
  let v;
  while (Date.now() < end) {
    v = await read();
    if (ok(v)) return v;
    await sleep(150);
  }
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(v)}`);
}

/** Simulated seconds from the clock's `[Nd ]HH:MM:SS.mmm`. */
export async function simSeconds(page) {
  const t = (await page.locator('#sim-clock').textContent()).trim();
  const m = t.match(/^(?:(\d+)d )?(\d+):(\d+):(\d+(?:\.\d+)?)$/);
  if (!m) throw new Error(`clock format: ${t}`);
  return Number(m[1] ?? 0) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}
