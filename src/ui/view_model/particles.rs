//! Particles: a few drawn invocations sampled from the engine's happenings.
//!
//! A particle flies for a fixed WALL time whatever the simulation speed, so
//! it stays visible at 10,000×. When more happen than can be drawn, an even
//! sample is kept and the source is labelled with its true rate. Pure, so it
//! tests natively.
//!
//! Leaving a source: particles depart one at a time, at least
//! [`DEPART_GAP_MS`] apart per source (a burst waits its turn for up to
//! [`MAX_WAIT_MS`]; what cannot depart by then is left out of the sample),
//! and they leave briskly and slow down on arrival ([`Particle::progress`]),
//! so a burst reads as a stream leaving the source rather than a pile of
//! overlapping rings on it.

/// How long a particle flies [ms of wall time].
pub const FLIGHT_MS: f64 = 650.0;
/// Most particles started in one frame.
pub const MAX_NEW_PER_FRAME: usize = 12;
/// Most particles alive at once.
pub const MAX_ALIVE: usize = 160;
/// Shortest time between two departures from one source [ms of wall time].
pub const DEPART_GAP_MS: f64 = 40.0;
/// Longest a particle waits for its turn to depart [ms of wall time].
pub const MAX_WAIT_MS: f64 = 120.0;

/// Where a particle goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// To a Lambda execution environment (by id).
    Env(u64),
    /// Throttled: towards the function, then bounced to the 429 tally.
    Bounce,
    /// To an EC2 instance (by id).
    Instance(u64),
    /// Rejected by the load balancer: bounced to the 503 tally.
    Reject,
}

/// One drawn invocation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Particle {
    /// Started at [ms, wall clock].
    pub born_ms: f64,
    /// Index of the event source it left.
    pub source: u32,
    pub target: Target,
    /// Cold start: drawn differently.
    pub cold: bool,
}

impl Particle {
    /// Flight progress at `now_ms`, 0 at departure to 1 on arrival, as
    /// the paths take it (they ease it with [`ease`]): timed so that the
    /// share of the path covered is `1 − (1 − t)²` of the flight's time
    /// share `t`: a brisk start (clear of the source at once) and a soft
    /// landing.
    pub fn progress(&self, now_ms: f64) -> f64 {
        let t = ((now_ms - self.born_ms) / FLIGHT_MS).clamp(0.0, 1.0);
        unease(1.0 - (1.0 - t) * (1.0 - t))
    }

    /// Whether it has departed by `now_ms`.
    pub fn departed(&self, now_ms: f64) -> bool {
        self.born_ms <= now_ms
    }
}

/// The inverse of [`ease`] on 0–1 (by bisection: no trigonometry in the
/// bundle for it).
pub fn unease(y: f64) -> f64 {
    let (mut lo, mut hi) = (0.0, 1.0);
    for _ in 0..24 {
        let mid = (lo + hi) / 2.0;
        if ease(mid) < y {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

/// Indices of an even sample of `k` out of `n` items (all of them if `n ≤ k`).
pub fn sample_indices(n: usize, k: usize) -> Vec<usize> {
    if n <= k {
        return (0..n).collect();
    }
    if k == 0 {
        return Vec::new();
    }
    // The middle of each of k equal strata: spread over the whole batch.
    (0..k).map(|i| (2 * i + 1) * n / (2 * k)).collect()
}

/// Smoothstep easing: slow start and end.
pub fn ease(p: f64) -> f64 {
    let p = p.clamp(0.0, 1.0);
    p * p * (3.0 - 2.0 * p)
}

/// A point on a quadratic Bézier from `a` to `b`, bowed by `bow` (negative
/// = up) at progress `p` (eased).
pub fn arc(a: (f64, f64), b: (f64, f64), bow: f64, p: f64) -> (f64, f64) {
    let s = ease(p);
    let c = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0 + bow);
    let x = (1.0 - s) * (1.0 - s) * a.0 + 2.0 * (1.0 - s) * s * c.0 + s * s * b.0;
    let y = (1.0 - s) * (1.0 - s) * a.1 + 2.0 * (1.0 - s) * s * c.1 + s * s * b.1;
    (x, y)
}

/// The live particles (some perhaps waiting for their turn to depart).
#[derive(Clone, Debug, Default)]
pub struct Particles {
    alive: Vec<Particle>,
    /// Per source: when its next particle may depart [ms of wall time].
    next_ms: Vec<f64>,
}

impl Particles {
    /// Drops landed particles and adds `new` ones (already sampled, born
    /// at `now_ms`): each source's depart [`DEPART_GAP_MS`] apart, and
    /// those that could not depart within [`MAX_WAIT_MS`] are left out.
    /// Keeps at most [`MAX_ALIVE`] (the oldest go first). Returns whether
    /// any was left out.
    pub fn update(&mut self, now_ms: f64, new: impl IntoIterator<Item = Particle>) -> bool {
        self.alive.retain(|p| now_ms - p.born_ms < FLIGHT_MS);
        let mut left_out = false;
        for p in new {
            let i = p.source as usize;
            if self.next_ms.len() <= i {
                self.next_ms.resize(i + 1, f64::NEG_INFINITY);
            }
            let born_ms = self.next_ms[i].max(now_ms);
            if born_ms - now_ms > MAX_WAIT_MS {
                left_out = true;
                continue;
            }
            self.next_ms[i] = born_ms + DEPART_GAP_MS;
            self.alive.push(Particle { born_ms, ..p });
        }
        if self.alive.len() > MAX_ALIVE {
            let extra = self.alive.len() - MAX_ALIVE;
            self.alive.drain(..extra);
        }
        left_out
    }

    /// Removes every particle (restart, new scenario).
    pub fn clear(&mut self) {
        self.alive.clear();
        self.next_ms.clear();
    }

    /// Every particle kept, departed or waiting.
    pub fn alive(&self) -> &[Particle] {
        &self.alive
    }

    /// The particles in flight at `now_ms`.
    pub fn flying(&self, now_ms: f64) -> Vec<Particle> {
        self.alive
            .iter()
            .filter(|p| p.departed(now_ms))
            .copied()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampling_is_even_and_bounded() {
        assert_eq!(sample_indices(3, 12), vec![0, 1, 2]);
        assert_eq!(sample_indices(100, 0), Vec::<usize>::new());
        let s = sample_indices(4_096, 12);
        assert_eq!(s.len(), 12);
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        assert!(*s.last().unwrap() < 4_096);
        assert!(s[0] < 4_096 / 12 && *s.last().unwrap() > 4_096 * 11 / 12);
    }

    #[test]
    fn particles_land_and_are_bounded() {
        let mut ps = Particles::default();
        let p = |born_ms| Particle {
            born_ms,
            source: 0,
            target: Target::Bounce,
            cold: false,
        };
        let q = |born_ms, source| Particle {
            source,
            ..p(born_ms)
        };
        // One source's burst: as many as can depart within the wait.
        let room = (MAX_WAIT_MS / DEPART_GAP_MS) as usize + 1;
        assert_eq!(room, 4);
        assert!(ps.update(0.0, (0..10).map(|_| p(0.0))));
        assert_eq!(ps.alive().len(), room);
        assert_eq!(ps.flying(0.0).len(), 1);
        assert_eq!(ps.flying(DEPART_GAP_MS).len(), 2);
        // The path's share covered: 1 − (1 − t)² of the time share t.
        let along = ease(ps.alive()[0].progress(FLIGHT_MS / 2.0));
        assert!((along - 0.75).abs() < 1e-6, "{along}");
        assert_eq!(ps.alive()[0].progress(0.0), unease(0.0));
        assert!(unease(0.0) < 1e-6 && unease(1.0) > 1.0 - 1e-6);
        // Many sources: bounded in all.
        let many = (0..MAX_ALIVE as u32 + 5).map(|s| q(FLIGHT_MS * 3.0, s));
        assert!(!ps.update(FLIGHT_MS * 3.0, many));
        assert_eq!(ps.alive().len(), MAX_ALIVE);
        ps.clear();
        assert!(ps.alive().is_empty());
    }

    #[test]
    fn arcs_start_and_end_at_their_points() {
        let (a, b) = ((0.0, 0.0), (100.0, 50.0));
        assert_eq!(arc(a, b, -30.0, 0.0), a);
        let end = arc(a, b, -30.0, 1.0);
        assert!((end.0 - 100.0).abs() < 1e-9 && (end.1 - 50.0).abs() < 1e-9);
        assert_eq!(ease(0.5), 0.5);
    }

    /// A burst of 24 from one source at one instant (and more in the next
    /// frames). To one cell (one path: the worst pile-up): through the
    /// first half of every flight no two drawn dots come closer than 8
    /// units (a dot is 10 across: they overlap by at most a fifth). To
    /// cells across the grid (paths of different lengths, so one dot may
    /// pass another where they part): at most three dots within 30 units
    /// of the source, two within 20 and one on it.
    #[test]
    fn a_burst_leaves_its_source_as_a_stream() {
        use crate::ui::view_model::layout::{sources, wide};
        for spread in [false, true] {
            let a = sources::wide(1, 420.0, 1.0)[0].anchor;
            let cell = |id: u64| {
                if spread {
                    (
                        300.0 + 60.0 * (id % 8) as f64,
                        100.0 + 50.0 * (id / 8 % 3) as f64,
                    )
                } else {
                    (600.0, 150.0)
                }
            };
            let p = |id, born_ms| Particle {
                born_ms,
                source: 0,
                target: Target::Env(id),
                cold: false,
            };
            let mut ps = Particles::default();
            ps.update(0.0, (0..24).map(|i| p(i, 0.0)));
            for frame in 1..60 {
                let now = frame as f64 * 16.0;
                let more = if frame < 10 { 12 } else { 0 };
                ps.update(now, (0..more).map(|i| p(i + frame * 7, now)));
                let dots: Vec<(f64, f64)> = ps
                    .flying(now)
                    .iter()
                    .filter(|q| now - q.born_ms < FLIGHT_MS / 2.0)
                    .map(|q| {
                        let Target::Env(id) = q.target else {
                            unreachable!()
                        };
                        wide::to_lambda(a, cell(id)).at(q.progress(now))
                    })
                    .collect();
                if !spread {
                    for (i, d) in dots.iter().enumerate() {
                        for e in &dots[i + 1..] {
                            let gap = (d.0 - e.0).hypot(d.1 - e.1);
                            assert!(gap >= 8.0, "frame {frame}: {d:?} {e:?}");
                        }
                    }
                }
                let near = |r: f64| {
                    dots.iter()
                        .filter(|d| (d.0 - a.0).hypot(d.1 - a.1) < r)
                        .count()
                };
                assert!(
                    near(30.0) <= 3,
                    "spread {spread}, frame {frame}: {}",
                    near(30.0)
                );
                assert!(
                    near(20.0) <= 2,
                    "spread {spread}, frame {frame}: {}",
                    near(20.0)
                );
                assert!(near(10.0) <= 1, "spread {spread}, frame {frame}");
            }
        }
    }
}
