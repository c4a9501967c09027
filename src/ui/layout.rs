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
    /// Height of a row of sources.
    pub const SOURCE_ROW: f64 = 150.0;
    /// Sources side by side in a row.
    pub const SOURCES_PER_ROW: usize = 2;
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
    /// throttles, timeouts and cold starts, and the grid's level of detail.
    pub const LAMBDA_CONCURRENCY_Y: f64 = 372.0;
    pub const LAMBDA_BAR_Y: f64 = 422.0;
    pub const LAMBDA_TALLY_Y: f64 = 470.0;
    pub const LAMBDA_DETAIL_Y: f64 = 542.0;
    /// Height of its box.
    pub const LAMBDA_H: f64 = 546.0;

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
        assert!(LAMBDA_TALLY_Y + 2.0 * LINE <= LAMBDA_DETAIL_Y);
        assert!(LAMBDA_DETAIL_Y + 10.0 < 10.0 + LAMBDA_H);
        assert!(EC2_STATE_Y + 2.0 * LINE + 10.0 < 402.0 + EC2_GRID_DY);
        assert!(554.0 + EC2_GRID_DY + 30.0 <= EC2_TALLY_Y);
        assert!(EC2_TALLY_Y + LINE + 10.0 < 350.0 + EC2_H);
    };

    /// Rows of sources for `n` sources.
    pub fn source_rows(n: usize) -> usize {
        n.max(1).div_ceil(SOURCES_PER_ROW)
    }

    /// Height of the sources' band for `n` sources.
    pub fn sources_h(n: usize) -> f64 {
        source_rows(n) as f64 * SOURCE_ROW
    }

    /// Where source `i` of `n` is: (where its particles leave from, the
    /// centre of its icon). Particles leave from under its labels.
    pub fn source(i: usize, n: usize) -> ((f64, f64), (f64, f64)) {
        let per_row = n.clamp(1, SOURCES_PER_ROW);
        let w = (W - 20.0) / per_row as f64;
        let (col, row) = (i % SOURCES_PER_ROW, i / SOURCES_PER_ROW);
        let cx = 10.0 + (col as f64 + 0.5) * w;
        let cy = 40.0 + row as f64 * SOURCE_ROW;
        ((cx, cy + 110.0), (cx, cy))
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
    fn sources_sit_in_rows_inside_the_width() {
        for n in 1..=5 {
            for i in 0..n {
                let (a, c) = source(i, n);
                assert!(c.0 - 32.0 >= 0.0 && c.0 + 32.0 <= W, "{i} of {n}: {c:?}");
                assert_eq!(a.0, c.0, "particles leave from under the icon");
                assert!(a.1 <= sources_h(n), "{i} of {n}: leaves from its band");
            }
        }
        assert_eq!(source_rows(1), 1);
        assert_eq!(source_rows(3), 2);
        assert!(source(2, 3).1 .1 > source(0, 3).1 .1);
    }

    #[test]
    fn the_panels_stack_without_overlapping() {
        for n in [1, 3] {
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
    use crate::ui::particles::ease;

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
            let mut d = ease(p) * total;
            for (q, l) in pieces.iter().zip(&lens) {
                if d <= *l || std::ptr::eq(q, pieces.last().unwrap_or(q)) {
                    let t = if *l > 0.0 {
                        (d / l).clamp(0.0, 1.0)
                    } else {
                        1.0
                    };
                    let a = lerp(q[0], q[1], t);
                    let b = lerp(q[1], q[2], t);
                    return lerp(a, b, t);
                }
                d -= l;
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
        Path::new(&[a, (GUTTER_X, a.1), (GUTTER_X, ey), c, b])
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
    pub fn bounce_429(a: (f64, f64), wall_x: f64) -> (Path, Path) {
        let wall = (wall_x, a.1);
        (
            Path::new(&[a, wall]),
            Path::new(&[wall, (GUTTER_X, a.1), (GUTTER_X, END_429.1), END_429]),
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
