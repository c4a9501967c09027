//! Particles: a few drawn invocations sampled from the engine's happenings.
//!
//! A particle flies for a fixed WALL time whatever the simulation speed, so
//! it stays visible at 10,000×. When more happen than can be drawn, an even
//! sample is kept and the source is labelled with its true rate. Pure, so it
//! tests natively.

/// How long a particle flies [ms of wall time].
pub const FLIGHT_MS: f64 = 650.0;
/// Most particles started in one frame.
pub const MAX_NEW_PER_FRAME: usize = 12;
/// Most particles alive at once.
pub const MAX_ALIVE: usize = 160;

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
    /// Flight progress at `now_ms`, 0 at birth to 1 on arrival.
    pub fn progress(&self, now_ms: f64) -> f64 {
        ((now_ms - self.born_ms) / FLIGHT_MS).clamp(0.0, 1.0)
    }
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

/// The live particles.
#[derive(Clone, Debug, Default)]
pub struct Particles {
    alive: Vec<Particle>,
}

impl Particles {
    /// Drops landed particles and adds `new` ones (already sampled), keeping
    /// at most [`MAX_ALIVE`] (the oldest go first).
    pub fn update(&mut self, now_ms: f64, new: impl IntoIterator<Item = Particle>) {
        self.alive.retain(|p| now_ms - p.born_ms < FLIGHT_MS);
        self.alive.extend(new);
        if self.alive.len() > MAX_ALIVE {
            let extra = self.alive.len() - MAX_ALIVE;
            self.alive.drain(..extra);
        }
    }

    /// Removes every particle (restart, new scenario).
    pub fn clear(&mut self) {
        self.alive.clear();
    }

    pub fn alive(&self) -> &[Particle] {
        &self.alive
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
        ps.update(0.0, (0..10).map(|_| p(0.0)));
        assert_eq!(ps.alive().len(), 10);
        assert_eq!(ps.alive()[0].progress(FLIGHT_MS / 2.0), 0.5);
        ps.update(FLIGHT_MS + 1.0, (0..MAX_ALIVE + 5).map(|_| p(FLIGHT_MS)));
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
}
