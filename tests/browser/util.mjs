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

/**
 * Waits (up to 3 s) for play/pause to show `pressed` ('true' = paused): the
 * app re-renders after the event is handled, so a read right after a click
 * or key press can see the old state on a loaded machine.
 */
export const paused = (page, pressed) =>
  until(() => page.locator('#play-toggle').getAttribute('aria-pressed'), (v) => v === pressed, 3000, `aria-pressed=${pressed}`);

/** Simulated seconds from the clock's `[Nd ]HH:MM:SS.mmm`. */
export async function simSeconds(page) {
  const t = (await page.locator('#sim-clock').textContent()).trim();
  const m = t.match(/^(?:(\d+)d )?(\d+):(\d+):(\d+(?:\.\d+)?)$/);
  if (!m) throw new Error(`clock format: ${t}`);
  return Number(m[1] ?? 0) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

/**
 * What makes the page scroll sideways: the page's own overflow [px],
 * elements (outside the stage's SVG) reaching past the viewport, and boxes
 * that scroll sideways themselves (a text field scrolling its own long
 * value, the copied link, is by design and not counted); plus whether the
 * stage uses its narrow (stacked) layout.
 */
export const sideways = (page) => page.evaluate(() => {
  const vw = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter((e) => !e.closest('svg') || e.tagName === 'svg')
    .map((e) => ({ e, r: e.getBoundingClientRect() }))
    .filter(({ r }) => r.width > 0 && (r.right > vw + 0.5 || r.left < -0.5))
    .map(({ e, r }) => `${e.tagName.toLowerCase()}.${e.className.baseVal ?? e.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
  const scrollers = [...document.querySelectorAll('body *:not(input[type=text])')]
    .filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
    .map((e) => e.tagName.toLowerCase() + '.' + e.className);
  const stage = document.querySelector('svg.stage');
  return {
    page: document.documentElement.scrollWidth - window.innerWidth,
    wide,
    scrollers,
    narrow: !!stage && stage.classList.contains('narrow'),
  };
});

/**
 * The separate blobs of painted pixels in the RGBA data `d` of a `w` × `h`
 * canvas: pixels whose alpha is at least `minAlpha`, joined through their
 * four neighbours (a flood fill). Returns each blob's bounding box in
 * device pixels, `{ x0, x1, y0, y1 }` (inclusive). Pure and self-contained,
 * so that it runs in the page: see `evaluateWithBlobs`.
 */
export function blobs(d, w, h, minAlpha) {
  const seen = new Uint8Array(w * h);
  const out = [];
  for (let start = 0; start < w * h; start++) {
    if (seen[start] || d[start * 4 + 3] < minAlpha) continue;
    let [x0, x1, y0, y1] = [w, -1, h, -1];
    const stack = [start];
    seen[start] = 1;
    while (stack.length) {
      const i = stack.pop();
      const x = i % w;
      const y = (i - x) / w;
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      for (const j of [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, i - w, i + w]) {
        if (j >= 0 && j < w * h && !seen[j] && d[j * 4 + 3] >= minAlpha) { seen[j] = 1; stack.push(j); }
      }
    }
    out.push({ x0, x1, y0, y1 });
  }
  return out;
}

/**
 * `page.evaluate(fn)`, with `fn` called in the page on `blobs` (above): a
 * page cannot import this module, so the helper's source goes along.
 */
export const evaluateWithBlobs = (page, fn) => page.evaluate(`(${fn})(${blobs})`);

/**
 * Opens the menu (a `<details>` pop-over of the title bar: Share, Export)
 * that holds `sel`, by a click on its summary, so that `sel` can be
 * clicked; nothing when `sel` is not in a menu or it is open.
 */
export async function openMenuFor(page, sel) {
  const id = await page.locator(sel).evaluate((e) => {
    const d = e.closest('details.menu');
    return d && !d.open ? d.id : null;
  });
  if (id) await page.click(`#${id} > summary`);
}
