// The stage's text as rendered, for the tests that check it is legible,
// inside its boxes and apart (phone.test.mjs, stage.test.mjs).

/**
 * Every visible text of the stage: its rendered font size (computed size ×
 * the SVG's scale), its box, the box of the stage's viewport and of the
 * panel box it belongs to, and the stage's scale [CSS px a unit].
 */
export const stageTexts = (page) => page.evaluate(() => {
  const svg = document.querySelector('svg.stage');
  const cs = getComputedStyle(svg);
  const b = svg.getBoundingClientRect();
  const view = {
    l: b.left + parseFloat(cs.borderLeftWidth), t: b.top + parseFloat(cs.borderTopWidth),
    r: b.right - parseFloat(cs.borderRightWidth), b: b.bottom - parseFloat(cs.borderBottomWidth),
  };
  const rect = (r) => ({ l: r.left, t: r.top, r: r.right, b: r.bottom });
  const texts = [...svg.querySelectorAll('text')]
    .filter((t) => {
      const s = getComputedStyle(t);
      return s.display !== 'none' && s.visibility !== 'hidden' && t.textContent.trim() !== ''
        && t.getBoundingClientRect().width > 0;
    })
    .map((t) => {
      const panel = t.closest('g.function, g.fleet')?.querySelector('rect.function-box, rect.fleet-box');
      // What is drawn: the text without its tooltip (<title>).
      const shown = [...t.childNodes].filter((c) => c.nodeName !== 'title').map((c) => c.textContent).join('');
      return {
        text: shown.trim().replace(/\s+/g, ' ').slice(0, 60),
        px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
        box: rect(t.getBoundingClientRect()),
        panel: panel ? rect(panel.getBoundingClientRect()) : null,
        source: !!t.closest('g.sources'),
      };
    });
  return { view, texts, narrow: svg.classList.contains('narrow'), scale: svg.getScreenCTM().a };
});

export const inside = (a, o, tol = 0.5) => a.l >= o.l - tol && a.t >= o.t - tol && a.r <= o.r + tol && a.b <= o.b + tol;
/** Two boxes overlap by more than 2 px both ways (font boxes include the
 * line's leading, so neighbouring lines may touch). */
export const overlap = (a, c) => Math.min(a.r, c.r) - Math.max(a.l, c.l) > 2 && Math.min(a.b, c.b) - Math.max(a.t, c.t) > 2;

/** `box` shrunk by `d` on every side. */
const inset = (box, d) => ({ l: box.l + d, t: box.t, r: box.r - d, b: box.b });

/**
 * Problems of the stage's text: smaller than `minPx` (0: no minimum), cut
 * by the stage, out of its panel box or closer than 4 stage units to its
 * left or right edge, overlapping another text.
 */
export async function stageProblems(page, minPx) {
  const { view, texts, narrow, scale } = await stageTexts(page);
  const out = [];
  for (const t of texts) {
    if (minPx && t.px < minPx - 0.01) out.push(`"${t.text}" renders at ${t.px.toFixed(1)} px`);
    if (!inside(t.box, view)) out.push(`"${t.text}" is cut by the stage`);
    if (t.panel && !inside(t.box, inset(t.panel, 4 * scale))) out.push(`"${t.text}" runs to (or out of) its panel's edge`);
  }
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      if (overlap(texts[i].box, texts[j].box)) out.push(`"${texts[i].text}" overlaps "${texts[j].text}"`);
    }
  }
  return { out, n: texts.length, min: Math.min(...texts.map((t) => t.px)), narrow, texts };
}
