//! The page's layout mode: whether the screen is phone-narrow, from a CSS
//! media query (kept in step with `static/style.css`), as a Yew hook that
//! follows changes (rotating a phone, resizing a window).

use yew::prelude::*;

/// The media query of the narrow (stacked) layout; the same width as the
/// narrow block of `static/style.css`.
pub const NARROW_QUERY: &str = "(max-width: 560px)";

fn query() -> Option<web_sys::MediaQueryList> {
    web_sys::window()?.match_media(NARROW_QUERY).ok().flatten()
}

/// Whether the narrow layout applies now; re-renders the component when it
/// changes.
#[hook]
pub fn use_narrow() -> bool {
    let narrow = use_state(|| query().is_some_and(|m| m.matches()));
    {
        let narrow = narrow.clone();
        use_effect_with((), move |_| {
            let listener = query().map(|mql| {
                let m = mql.clone();
                gloo::events::EventListener::new(&mql, "change", move |_| narrow.set(m.matches()))
            });
            move || drop(listener)
        });
    }
    *narrow
}

/// The narrow (phone) stage: the sources in rows on top, the Lambda panel
/// and the EC2 panel stacked below, each with its text on lines of its own
/// (headers above the grids, tallies below), so that the text can be drawn
/// at ≥ 30 stage units: ≥ 11 CSS px on a 320 px screen, where the stage is
/// about 300 px wide (0.38 px a unit). The panels keep their wide-stage
/// coordinates; this module says where their parts go. Pure geometry,
/// tested natively; the type sizes are in the narrow block of
/// `static/style.css`.
pub mod narrow {
    /// Width [stage units].
    pub const W: f64 = 790.0;
    /// The panels' x shift (their boxes start at x = 220 on the wide stage).
    pub const DX: f64 = -210.0;
    /// Where particles run down the stage, left of every line of text
    /// (the sources' cards and the panels' text start right of it).
    pub const GUTTER_X: f64 = 24.0;
    /// Where the panels' text starts (in the panels' wide-stage
    /// coordinates: 32 units in from their left edge, clear of the gutter).
    pub const TEXT_X: f64 = 252.0;
    /// How far the EC2 grid and load balancer move right (their label
    /// clear of the gutter).
    pub const EC2_GRID_DX: f64 = 12.0;
    /// Distance between two lines of text.
    pub const LINE: f64 = 36.0;
    /// Most characters on a line of a panel at the narrow type size (the
    /// panel is 770 units wide, a character about 18).
    pub const LINE_CHARS: usize = 40;

    /// The Lambda panel (its own coordinates, box from y = 10): the
    /// baselines of its title and the two lines of counts.
    pub const LAMBDA_TITLE_Y: f64 = 50.0;
    pub const LAMBDA_COUNTS_Y: f64 = 88.0;
    /// How far its grid moves down, below the header.
    pub const LAMBDA_GRID_DY: f64 = 76.0;
    /// Baselines below the grid: concurrency, headroom, the bar's top, the
    /// throttles, timeouts and cold starts (a line each), and the grid's
    /// level of detail.
    pub const LAMBDA_CONCURRENCY_Y: f64 = 372.0;
    pub const LAMBDA_BAR_Y: f64 = 422.0;
    pub const LAMBDA_TALLY_Y: f64 = 470.0;
    pub const LAMBDA_DETAIL_Y: f64 = 578.0;
    /// Height of its box.
    pub const LAMBDA_H: f64 = 582.0;

    /// The EC2 panel (its own coordinates, box from y = 350): title and the
    /// three lines of the fleet's state.
    pub const EC2_TITLE_Y: f64 = 390.0;
    pub const EC2_STATE_Y: f64 = 428.0;
    /// How far its grid and load balancer move down, below the header.
    pub const EC2_GRID_DY: f64 = 122.0;
    /// Baselines of the 503 tally and the CPU and queue line.
    pub const EC2_TALLY_Y: f64 = 716.0;
    /// Height of its box (and of the box without a fleet).
    pub const EC2_H: f64 = 418.0;
    pub const NO_EC2_H: f64 = 100.0;

    // Text never meets a grid or the next line (checked when compiling): a
    // line's ascent is under 30 units, its descent under 10.
    const _: () = {
        assert!(LAMBDA_COUNTS_Y + LINE + 10.0 < 66.0 + LAMBDA_GRID_DY);
        assert!(256.0 + LAMBDA_GRID_DY + 30.0 <= LAMBDA_CONCURRENCY_Y);
        assert!(LAMBDA_CONCURRENCY_Y + LINE + 10.0 < LAMBDA_BAR_Y);
        assert!(LAMBDA_BAR_Y + 8.0 + 30.0 <= LAMBDA_TALLY_Y);
        assert!(LAMBDA_TALLY_Y + 3.0 * LINE <= LAMBDA_DETAIL_Y);
        assert!(LAMBDA_DETAIL_Y + 10.0 < 10.0 + LAMBDA_H);
        assert!(EC2_STATE_Y + 2.0 * LINE + 10.0 < 402.0 + EC2_GRID_DY);
        assert!(554.0 + EC2_GRID_DY + 30.0 <= EC2_TALLY_Y);
        assert!(EC2_TALLY_Y + LINE + 10.0 < 350.0 + EC2_H);
    };

    /// Height of the sources' band for `n` sources (rows of cards,
    /// [`super::sources::narrow`]).
    pub fn sources_h(n: usize) -> f64 {
        let cards = super::sources::narrow(n);
        let cols = if n <= 1 { 1 } else { 2 };
        cards.len().div_ceil(cols).max(1) as f64 * super::sources::CARD_ROW
    }

    /// The Lambda panel's shift for `n` sources.
    pub fn lambda_shift(n: usize) -> (f64, f64) {
        (DX, sources_h(n))
    }

    /// The EC2 panel's shift for `n` sources: below the Lambda panel.
    pub fn ec2_shift(n: usize) -> (f64, f64) {
        (DX, sources_h(n) + 10.0 + LAMBDA_H + 10.0 - 350.0)
    }

    /// The stage's height for `n` sources, with or without a fleet.
    pub fn height(n: usize, fleet: bool) -> f64 {
        let ec2 = if fleet { EC2_H } else { NO_EC2_H };
        ec2_shift(n).1 + 350.0 + ec2 + 10.0
    }

    /// Greedy word wrap: `text`'s words on lines of at most `max` characters
    /// (a longer word gets a line of its own).
    pub fn wrap(text: &str, max: usize) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        let mut cur = String::new();
        for word in text.split_whitespace() {
            if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > max {
                lines.push(std::mem::take(&mut cur));
            }
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(word);
        }
        if !cur.is_empty() {
            lines.push(cur);
        }
        lines
    }

    /// `text` cut to `max` characters with an ellipsis (a user's long name
    /// in a title that must stay on one line).
    pub fn ellipsis(text: &str, max: usize) -> String {
        if text.chars().count() <= max {
            text.to_string()
        } else {
            let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
            s.push('…');
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::narrow::*;

    #[test]
    fn the_panels_stack_without_overlapping() {
        for n in [1, 3, 16] {
            let (lx, ly) = lambda_shift(n);
            let (ex, ey) = ec2_shift(n);
            assert_eq!(lx, ex);
            assert!(
                ly + 10.0 >= sources_h(n),
                "the Lambda box starts below the sources"
            );
            // The Lambda box ends before the EC2 box starts.
            assert!(ly + 10.0 + LAMBDA_H < ey + 350.0);
            assert!(ey + 350.0 + EC2_H < height(n, true));
            // The panels (x 220..990 on the wide stage) fit the width.
            assert!(220.0 + lx >= 0.0 && 990.0 + lx <= W);
        }
    }

    #[test]
    fn wrapping_keeps_every_word_and_the_width() {
        let t = "No instance is running: API requests get a 503; messages wait in the SQS queue (1,234 queued) until a worker starts.";
        let lines = wrap(t, 40);
        assert!(
            lines.len() >= 3 && lines.iter().all(|l| l.chars().count() <= 40),
            "{lines:?}"
        );
        assert_eq!(lines.join(" "), t);
        assert_eq!(wrap("", 10), Vec::<String>::new());
        assert_eq!(
            wrap("averyveryverylongword x", 5),
            ["averyveryverylongword", "x"]
        );
        assert_eq!(ellipsis("checkout", 10), "checkout");
        assert_eq!(ellipsis("a-very-long-function-name", 10), "a-very-lo…");
    }
}

/// The wide stage's particle paths: they keep off every line of text (the
/// panels' headers and tallies, the sources' labels, the load balancer's
/// and the instances' labels), so that the text stays clean under the
/// particles, which are drawn above the panels there. A path runs down the
/// gutter between the sources and the panels, enters the Lambda grid level
/// with it, reaches the load balancer (or the queue) at its left edge and
/// leaves it at its right edge, and feeds an instance from the lane under
/// its row. Pure geometry, tested natively against the text's boxes.
pub mod wide {
    use crate::ui::view_model::particles::ease;

    /// The gutter between the sources (their labels end at x = 175) and
    /// the panels (from x = 220).
    pub const GUTTER_X: f64 = 198.0;
    /// The Lambda grid's band that paths keep to (clear of the header
    /// above and the concurrency line below, a particle's radius apart).
    pub const LAMBDA_Y: (f64, f64) = (78.0, 244.0);
    /// Where a throttled particle ends: left of the 429 tally's text.
    pub const END_429: (f64, f64) = (284.0, 313.0);
    /// Where a refused (503) particle ends: left of the 503 tally's text.
    pub const END_503: (f64, f64) = (284.0, 571.0);

    /// A path: a polyline with rounded corners (a quadratic Bézier at each
    /// corner, between the midpoints of its two sides), so that it stays
    /// inside the triangles of its corners.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Path(pub Vec<(f64, f64)>);

    fn mid(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
        ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0)
    }

    fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
        (a.0 - b.0).hypot(a.1 - b.1)
    }

    fn lerp(a: (f64, f64), b: (f64, f64), t: f64) -> (f64, f64) {
        (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
    }

    impl Path {
        /// Through `points` (repeated points dropped).
        pub fn new(points: &[(f64, f64)]) -> Path {
            let mut v: Vec<(f64, f64)> = Vec::with_capacity(points.len());
            for &p in points {
                if v.last().is_none_or(|&q| dist(p, q) > 0.5) {
                    v.push(p);
                }
            }
            Path(v)
        }

        /// Through `points`, with tight corners: each corner rounded within
        /// `r` units of it (points added `r` before and after it), however
        /// long its sides.
        pub fn tight(points: &[(f64, f64)], r: f64) -> Path {
            let mut v = Vec::with_capacity(points.len() * 3);
            for (i, &p) in points.iter().enumerate() {
                if i == 0 || i + 1 == points.len() {
                    v.push(p);
                    continue;
                }
                let toward = |q: (f64, f64)| {
                    let d = dist(p, q);
                    if d > 2.0 * r {
                        Some(lerp(p, q, r / d))
                    } else {
                        None
                    }
                };
                v.extend(toward(points[i - 1]));
                v.push(p);
                v.extend(toward(points[i + 1]));
            }
            Path::new(&v)
        }

        /// The point at progress `p` (0 to 1, eased: slow start and end),
        /// spread by the pieces' approximate lengths.
        pub fn at(&self, p: f64) -> (f64, f64) {
            let pts = &self.0;
            match pts.len() {
                0 => return (0.0, 0.0),
                1 => return pts[0],
                2 => return lerp(pts[0], pts[1], ease(p)),
                _ => {}
            }
            // Pieces: a straight start, one curve per corner, a straight end.
            let n = pts.len();
            let mids: Vec<(f64, f64)> = pts.windows(2).map(|w| mid(w[0], w[1])).collect();
            let mut pieces: Vec<[(f64, f64); 3]> = Vec::with_capacity(n);
            pieces.push([pts[0], pts[0], mids[0]]);
            for i in 1..n - 1 {
                pieces.push([mids[i - 1], pts[i], mids[i]]);
            }
            pieces.push([mids[n - 2], pts[n - 1], pts[n - 1]]);
            let len = |q: &[(f64, f64); 3]| {
                (dist(q[0], q[1]) + dist(q[1], q[2]) + dist(q[0], q[2])) / 2.0
            };
            let lens: Vec<f64> = pieces.iter().map(len).collect();
            let total: f64 = lens.iter().sum();
            if total <= 0.0 {
                return pts[0];
            }
            let mut along = ease(p) * total;
            for (q, l) in pieces.iter().zip(&lens) {
                if along <= *l || std::ptr::eq(q, pieces.last().unwrap_or(q)) {
                    let t = if *l > 0.0 {
                        (along / l).clamp(0.0, 1.0)
                    } else {
                        1.0
                    };
                    let a = lerp(q[0], q[1], t);
                    let b = lerp(q[1], q[2], t);
                    return lerp(a, b, t);
                }
                along -= l;
            }
            pts[n - 1]
        }
    }

    /// From a source's anchor `a` to the Lambda grid's cell at `b`: along
    /// the gutter to the grid's band, then across the grid, bowed upwards
    /// within the band.
    pub fn to_lambda(a: (f64, f64), b: (f64, f64)) -> Path {
        let (lo, hi) = LAMBDA_Y;
        let ey = a.1.clamp(lo, hi);
        let m = mid((GUTTER_X, ey), b);
        let c = (m.0, (m.1 - 40.0).clamp(lo, hi));
        // Tight corners in the gutter (a source far below the grid's band
        // comes up the gutter to it), a wide bow over the grid.
        let gutter = Path::tight(&[a, (GUTTER_X, a.1), (GUTTER_X, ey), c], 12.0).0;
        Path::new(&[&gutter[..gutter.len() - 1], &[c, b]].concat())
    }

    /// From `a` down (or up) the gutter to the left edge `left` of the load
    /// balancer (or of the queue the workers read).
    pub fn to_fleet_door(a: (f64, f64), left: (f64, f64)) -> Path {
        Path::new(&[a, (GUTTER_X, a.1), (GUTTER_X, left.1), left])
    }

    /// From the right edge `right` of the load balancer to the instance
    /// box centred at `c`, `size` wide, in a grid of `pitch`: along the
    /// lane under its row, up into the box's bottom edge (clear of the
    /// box's labels and of the other boxes').
    pub fn to_instance(right: (f64, f64), c: (f64, f64), size: f64, pitch: f64) -> Path {
        let lane = c.1 + pitch / 2.0;
        let bottom = c.1 + size / 2.0;
        // The lane's first point twice over (14 units apart) keeps the
        // rounded corner tight, clear of the row's first box.
        Path::new(&[
            right,
            (right.0 + 14.0, lane),
            (right.0 + 28.0, lane),
            (c.0, lane),
            (c.0, bottom),
        ])
    }

    /// Throttled: from `a` to the Lambda panel's left edge, then back into
    /// the gutter and along to the 429 tally.
    /// (A source beside the EC2 panel bounces off the Lambda panel's edge
    /// level with its grid.)
    pub fn bounce_429(a: (f64, f64), wall_x: f64) -> (Path, Path) {
        let wy = a.1.clamp(LAMBDA_Y.0, LAMBDA_Y.1);
        let wall = (wall_x, wy);
        (
            Path::new(&[a, (GUTTER_X, a.1), (GUTTER_X, wy), wall]),
            Path::new(&[wall, (GUTTER_X, wy), (GUTTER_X, END_429.1), END_429]),
        )
    }

    /// Refused by the load balancer: to its left edge `left`, then down to
    /// the 503 tally.
    pub fn bounce_503(a: (f64, f64), left: (f64, f64)) -> (Path, Path) {
        (
            to_fleet_door(a, left),
            Path::new(&[left, (left.0 - 10.0, END_503.1 - 30.0), END_503]),
        )
    }
}

/// How wide a line of the stage's text is drawn, estimated without the
/// DOM (so that the stage can fit a text to its box as it renders it, and
/// the fitting is tested natively): the advance widths of DejaVu Sans
/// (Debian's `system-ui`, wider than the system fonts of macOS, Windows,
/// Android and most Linux desktops) and a monospace font's 0.6 em, with a
/// margin.
pub mod text {
    /// A font of the stage.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Font {
        /// The sans-serif, regular (`.small`, `.sublabel`).
        Sans,
        /// The sans-serif, semi-bold (`.label`).
        Bold,
        /// The monospace (`.rate`, `.tally`, `.depth`).
        Mono,
    }

    /// DejaVu Sans advance widths of ' ' to '~' [% of an em], regular.
    const SANS: [u8; 95] = [
        32, 40, 46, 84, 64, 95, 78, 27, 39, 39, 50, 84, 32, 36, 32, 34, 64, 64, 64, 64, 64, 64, 64,
        64, 64, 64, 34, 34, 84, 84, 84, 53, 100, 68, 69, 70, 77, 63, 58, 77, 75, 29, 29, 66, 56,
        86, 75, 79, 60, 79, 69, 63, 61, 73, 68, 99, 69, 61, 69, 39, 34, 39, 84, 50, 50, 61, 63, 55,
        63, 62, 35, 63, 63, 28, 28, 58, 28, 97, 63, 61, 63, 63, 41, 52, 39, 63, 59, 82, 59, 59, 52,
        64, 34, 64, 84,
    ];
    /// The same, bold.
    const BOLD: [u8; 95] = [
        35, 46, 52, 84, 70, 100, 87, 31, 46, 46, 52, 84, 38, 42, 38, 37, 70, 70, 70, 70, 70, 70,
        70, 70, 70, 70, 40, 40, 84, 84, 84, 58, 100, 77, 76, 73, 83, 68, 68, 82, 84, 37, 37, 77,
        64, 100, 84, 85, 73, 85, 77, 72, 68, 81, 77, 110, 77, 72, 73, 46, 37, 46, 84, 50, 50, 67,
        72, 59, 72, 68, 44, 72, 71, 34, 34, 67, 34, 104, 71, 69, 72, 72, 49, 60, 48, 71, 65, 92,
        65, 65, 58, 71, 37, 71, 84,
    ];

    /// Width of one character [em].
    fn char_em(c: char, font: Font) -> f64 {
        if font == Font::Mono {
            return 0.61;
        }
        let table = if font == Font::Bold { &BOLD } else { &SANS };
        let pct = match c {
            ' '..='~' => table[c as usize - 32],
            'λ' | '·' => 64,
            '…' => 100,
            // Others (× ✕, accents, CJK): at most an em.
            _ => 100,
        };
        f64::from(pct) / 100.0
    }

    /// Estimated width of `s` in `font` at `size` [stage units]: 3 % over
    /// DejaVu Sans's (hinting, kerning), never under.
    pub fn width(s: &str, font: Font, size: f64) -> f64 {
        s.chars().map(|c| char_em(c, font)).sum::<f64>() * size * 1.03
    }

    /// `s` cut with an ellipsis to fit `max` units (whole when it fits).
    pub fn ellipsize(s: &str, font: Font, size: f64, max: f64) -> String {
        if width(s, font, size) <= max {
            return s.to_string();
        }
        let budget = max - width("…", font, size);
        let mut out = String::new();
        let mut w = 0.0;
        for c in s.chars() {
            w += char_em(c, font) * size * 1.03;
            if w > budget {
                break;
            }
            out.push(c);
        }
        let mut out = out.trim_end().to_string();
        out.push('…');
        out
    }

    /// The first of `candidates` that fits `max` units (the last one cut
    /// with an ellipsis when none does).
    pub fn first_fit(candidates: &[String], font: Font, size: f64, max: f64) -> String {
        candidates
            .iter()
            .find(|c| width(c, font, size) <= max)
            .cloned()
            .unwrap_or_else(|| ellipsize(candidates.last().map_or("", |c| c), font, size, max))
    }

    /// A title `prefix` + `parts` joined by " · " (a name first, then
    /// settings) fitted to `max` units: whole when it fits; else the
    /// settings are dropped from the end while the name would be cut below
    /// 12 characters; the name is then cut with an ellipsis as needed.
    pub fn fit_title(prefix: &str, parts: &[&str], font: Font, size: f64, max: f64) -> String {
        let Some((name, rest)) = parts.split_first() else {
            return ellipsize(prefix, font, size, max);
        };
        let min_name: String = name.chars().take(12).collect();
        for keep in (0..=rest.len()).rev() {
            let tail: String = rest[..keep].iter().map(|p| format!(" · {p}")).collect();
            let room = max - width(prefix, font, size) - width(&tail, font, size);
            let shortest = if min_name.len() < name.len() {
                width(&min_name, font, size) + width("…", font, size)
            } else {
                width(name, font, size)
            };
            if keep == 0 || shortest <= room {
                let fitted = format!("{prefix}{}{tail}", ellipsize(name, font, size, room));
                return ellipsize(&fitted, font, size, max);
            }
        }
        unreachable!("keep = 0 always returns")
    }
}

#[cfg(test)]
mod text_tests {
    use super::text::*;

    #[test]
    fn widths_follow_the_font() {
        // DejaVu Sans: "m" is about 0.97 em, "i" 0.28 em.
        assert!(width("m", Font::Sans, 100.0) > 3.0 * width("i", Font::Sans, 100.0));
        assert!(width("abc", Font::Bold, 10.0) > width("abc", Font::Sans, 10.0));
        assert!((width("0123456789", Font::Mono, 10.0) - 62.83).abs() < 0.1);
        assert_eq!(width("", Font::Sans, 30.0), 0.0);
    }

    #[test]
    fn ellipsizing_fits_and_keeps_what_fits() {
        let s = "a-rather-long-function-name-for-the-stage";
        assert_eq!(ellipsize(s, Font::Sans, 14.0, 1000.0), s);
        for max in [40.0, 100.0, 200.0] {
            let e = ellipsize(s, Font::Sans, 14.0, max);
            assert!(width(&e, Font::Sans, 14.0) <= max, "{e} in {max}");
            assert!(
                e.ends_with('…') && s.starts_with(e.trim_end_matches('…')),
                "{e}"
            );
        }
    }

    #[test]
    fn titles_drop_settings_before_cutting_the_name_short() {
        let parts = [
            "make-thumbnails",
            "1769 MB arm64",
            "timeout 30 s",
            "keep-alive 600 s",
        ];
        let whole = fit_title("λ Lambda: ", &parts, Font::Bold, 17.0, 2000.0);
        assert_eq!(
            whole,
            "λ Lambda: make-thumbnails · 1769 MB arm64 · timeout 30 s · keep-alive 600 s"
        );
        let w = width(&whole, Font::Bold, 17.0);
        let fit = fit_title("λ Lambda: ", &parts, Font::Bold, 17.0, w - 10.0);
        assert_eq!(
            fit,
            "λ Lambda: make-thumbnails · 1769 MB arm64 · timeout 30 s"
        );
        let long = "x".repeat(200);
        let parts = [long.as_str(), "512 MB x86_64", "timeout 10 s"];
        for max in [300.0, 738.0] {
            let t = fit_title("λ Lambda: ", &parts, Font::Bold, 17.0, max);
            assert!(width(&t, Font::Bold, 17.0) <= max, "{t}");
            assert!(
                t.starts_with("λ Lambda: xxxxxxxxxxxx") && t.contains('…'),
                "{t}"
            );
        }
        assert!(fit_title("λ Lambda: ", &parts, Font::Bold, 17.0, 738.0).contains("timeout 10 s"));
    }
}

/// Where the stage draws its event sources, up to the engine's maximum
/// (`MAX_SOURCES`) without any two meeting. The wide stage stacks them down
/// its left: large (icon, kind, name, rate) while that fits, else in
/// compact rows (a small icon, the name and the rate beside it); the
/// narrow stage lays them out as cards (icon, then kind, name and rate
/// beside it), one or two a row. What does not fit is one more row, "+k
/// more sources", with their summed rate (their particles leave from it).
pub mod sources {
    /// How a place draws its source.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Style {
        /// Wide stage: a large icon, kind and name under it, rate above.
        Full,
        /// Wide stage: a small icon, the name and the rate beside it.
        Compact,
        /// Narrow stage: an icon, kind, name and rate beside it.
        Card,
    }

    /// One source's place (or the place of the sources that did not fit).
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub struct Slot {
        /// The sources shown here: `first..first + count` (more than one:
        /// the "+k more sources" place).
        pub first: usize,
        pub count: usize,
        pub style: Style,
        /// Centre of the icon and its scale.
        pub icon: (f64, f64),
        pub scale: f64,
        /// Where its text starts (centred on it for [`Style::Full`]), the
        /// widest a line may be, the first baseline [stage units].
        pub text_x: f64,
        pub text_w: f64,
        pub y0: f64,
        /// Where its particles leave from.
        pub anchor: (f64, f64),
    }

    /// Pitch of a large source on the wide stage (its rate, icon, kind and
    /// name: 106 units).
    pub const FULL_PITCH: f64 = 112.0;
    /// Pitch of a compact row on the wide stage (two lines of 13 units).
    pub const COMPACT_PITCH: f64 = 36.0;
    /// Height of a row of cards on the narrow stage: a margin, three lines
    /// 36 apart, then the lane its particles leave along.
    pub const CARD_ROW: f64 = 150.0;
    /// Most places on the narrow stage (four rows of two).
    pub const CARDS: usize = 8;

    /// `n` sources in `places` places: which sources each shows (the last
    /// one the rest, when there are more sources than places).
    fn split(n: usize, places: usize) -> Vec<(usize, usize)> {
        let places = places.max(1);
        if n <= places {
            (0..n).map(|i| (i, 1)).collect()
        } else {
            (0..places - 1)
                .map(|i| (i, 1))
                .chain([(places - 1, n - (places - 1))])
                .collect()
        }
    }

    /// The wide stage's places for `n` sources on a stage `height` units
    /// high.
    pub fn wide(n: usize, height: f64) -> Vec<Slot> {
        // One or two sources face the Lambda panel, as they always did;
        // more use the stage's height.
        let (top, bottom) = if n <= 2 {
            (30.0, 310.0)
        } else {
            (20.0, height - 14.0)
        };
        let band = bottom - top;
        if n as f64 * FULL_PITCH <= band {
            let pitch = band / n.max(1) as f64;
            return (0..n)
                .map(|i| {
                    let ay = top + (i as f64 + 0.5) * pitch;
                    Slot {
                        first: i,
                        count: 1,
                        style: Style::Full,
                        icon: (92.0, ay - 10.0),
                        scale: 1.0,
                        text_x: 92.0,
                        text_w: 160.0,
                        y0: ay + 34.0,
                        anchor: (175.0, ay),
                    }
                })
                .collect();
        }
        let rows = ((band / COMPACT_PITCH).floor() as usize).max(1);
        let shown = split(n, rows);
        let pitch = band / shown.len() as f64;
        shown
            .into_iter()
            .enumerate()
            .map(|(k, (first, count))| {
                let y = top + (k as f64 + 0.5) * pitch;
                Slot {
                    first,
                    count,
                    style: Style::Compact,
                    icon: (30.0, y),
                    scale: 0.5,
                    text_x: 58.0,
                    text_w: 110.0,
                    y0: y - 3.0,
                    anchor: (178.0, y),
                }
            })
            .collect()
    }

    /// The narrow stage's places for `n` sources (stage 790 units wide).
    pub fn narrow(n: usize) -> Vec<Slot> {
        let cols = if n <= 1 { 1 } else { 2 };
        let col_w = 770.0 / cols as f64;
        split(n, CARDS)
            .into_iter()
            .enumerate()
            .map(|(k, (first, count))| {
                let (col, row) = ((k % cols) as f64, (k / cols) as f64);
                let (x, top) = (10.0 + col * col_w, row * CARD_ROW);
                Slot {
                    first,
                    count,
                    style: Style::Card,
                    icon: (x + 62.0, top + 70.0),
                    scale: 1.0,
                    text_x: x + 108.0,
                    text_w: col_w - 116.0,
                    y0: top + 42.0,
                    anchor: (x + 62.0, top + 134.0),
                }
            })
            .collect()
    }

    /// The place showing source `i`.
    pub fn slot_of(slots: &[Slot], i: usize) -> Option<&Slot> {
        slots
            .iter()
            .find(|s| i >= s.first && i < s.first + s.count)
            .or(slots.last())
    }
}

#[cfg(test)]
mod sources_tests {
    use super::sources::*;
    use crate::engine::defaults as d;

    /// Every source has a place; places never overlap; they stay on the
    /// stage's left (wide) or in the narrow stage's width.
    #[test]
    fn every_source_has_a_place_and_places_keep_apart() {
        for n in 1..=d::MAX_SOURCES {
            for (slots, narrow) in [
                (wide(n, 600.0), false),
                (wide(n, 420.0), false),
                (narrow(n), true),
            ] {
                let covered: usize = slots.iter().map(|s| s.count).sum();
                assert_eq!(covered, n, "{n} sources");
                for i in 0..n {
                    let s = slot_of(&slots, i).unwrap();
                    assert!(i >= s.first && i < s.first + s.count);
                }
                // Each place's box: icon and text.
                let boxes: Vec<(f64, f64, f64, f64)> = slots
                    .iter()
                    .map(|s| match s.style {
                        Style::Full => (s.text_x - 80.0, s.y0 - 88.0, s.text_x + 83.0, s.y0 + 18.0),
                        Style::Compact => (
                            s.icon.0 - 16.0,
                            s.y0 - 13.0,
                            s.text_x + s.text_w,
                            s.y0 + 20.0,
                        ),
                        Style::Card => (
                            s.icon.0 - 32.0,
                            s.y0 - 28.0,
                            s.text_x + s.text_w,
                            s.y0 + 80.0,
                        ),
                    })
                    .collect();
                for (i, a) in boxes.iter().enumerate() {
                    assert!(a.0 >= 0.0 && a.1 >= 0.0, "{n}: {a:?}");
                    if narrow {
                        assert!(a.2 <= 790.0, "{n}: {a:?}");
                        // Clear of the gutter particles run down.
                        assert!(a.0 >= super::narrow::GUTTER_X + 12.0, "{n}: {a:?}");
                    } else {
                        assert!(a.2 <= 178.0 && a.3 <= 600.0, "{n}: {a:?}");
                    }
                    for b in &boxes[i + 1..] {
                        let apart = a.2 <= b.0 || b.2 <= a.0 || a.3 <= b.1 || b.3 <= a.1;
                        assert!(apart, "{n} sources: {a:?} meets {b:?}");
                    }
                }
            }
        }
        assert_eq!(wide(1, 600.0)[0].style, Style::Full);
        assert_eq!(wide(16, 600.0).len(), 15);
        assert_eq!(narrow(16).len(), CARDS);
        assert_eq!(narrow(16).last().unwrap().count, 16 - (CARDS - 1));
    }
}
