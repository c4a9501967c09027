//! The wide stage's particle paths: they keep off every line of text (the
//! panels' headers and tallies, the sources' labels, the load balancer's
//! and the instances' labels), so that the text stays clean under the
//! particles, which are drawn above the panels there. A path runs down the
//! gutter between the sources and the panels, enters the Lambda grid level
//! with it, reaches the load balancer (or the queue) at its left edge and
//! leaves it at its right edge, and feeds an instance from the lane under
//! its row. Pure geometry, tested natively against the text's boxes.

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
        let len =
            |q: &[(f64, f64); 3]| (dist(q[0], q[1]) + dist(q[1], q[2]) + dist(q[0], q[2])) / 2.0;
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
