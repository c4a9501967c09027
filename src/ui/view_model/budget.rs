//! The per-frame time budget: the engine advances towards the clock's target
//! in chunks of simulated time and stops when the frame's wall-time budget is
//! spent, so the page never freezes. Generic over the engine and the clock so
//! it tests natively with fakes.

use crate::engine::time::{SimDuration, SimTime};

/// Wall time the engine may use per animation frame \[ms\].
pub const FRAME_BUDGET_MS: f64 = 8.0;
/// Smallest chunk of simulated time [µs].
const MIN_CHUNK_US: u64 = 1_000;

/// Something that advances in simulated time.
pub trait Advance {
    fn now(&self) -> SimTime;
    fn advance_to(&mut self, t: SimTime);
}

impl Advance for crate::engine::sim::Simulation {
    fn now(&self) -> SimTime {
        crate::engine::sim::Simulation::now(self)
    }
    fn advance_to(&mut self, t: SimTime) {
        crate::engine::sim::Simulation::advance_to(self, t)
    }
}

/// Adaptive chunking: the chunk doubles while chunks are cheap and halves
/// when one eats much of the budget. Keep one per run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    chunk_us: u64,
    /// Wall time per frame \[ms\].
    pub budget_ms: f64,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            chunk_us: 10_000,
            budget_ms: FRAME_BUDGET_MS,
        }
    }
}

impl Budget {
    /// Advances `engine` towards `target` until it gets there or the budget
    /// is spent; `clock` returns wall time \[ms\]. Returns whether it got there.
    pub fn advance<E: Advance>(
        &mut self,
        engine: &mut E,
        target: SimTime,
        clock: &mut impl FnMut() -> f64,
    ) -> bool {
        let start = clock();
        loop {
            let now = engine.now();
            if now >= target {
                return true;
            }
            let spent = clock() - start;
            if spent >= self.budget_ms {
                return false;
            }
            let left_us = target.since(now).as_micros();
            let step = self.chunk_us.min(left_us);
            let t0 = clock();
            engine.advance_to(now + SimDuration::from_micros(step));
            let took = clock() - t0;
            let remaining = self.budget_ms - (clock() - start);
            if took > remaining.max(0.0) || took > self.budget_ms / 2.0 {
                self.chunk_us = (self.chunk_us / 2).max(MIN_CHUNK_US);
            } else if took < self.budget_ms / 8.0 && step == self.chunk_us {
                self.chunk_us = self.chunk_us.saturating_mul(2);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// An engine whose work costs `cost_ms_per_s` of fake wall time per
    /// simulated second.
    struct Fake<'a> {
        now: SimTime,
        wall: &'a Cell<f64>,
        cost_ms_per_s: f64,
    }

    impl Advance for Fake<'_> {
        fn now(&self) -> SimTime {
            self.now
        }
        fn advance_to(&mut self, t: SimTime) {
            let dt = t.since(self.now).as_secs_f64();
            self.wall.set(self.wall.get() + dt * self.cost_ms_per_s);
            self.now = t;
        }
    }

    #[test]
    fn cheap_engine_reaches_the_target() {
        let wall = Cell::new(0.0);
        let mut e = Fake {
            now: SimTime::ZERO,
            wall: &wall,
            cost_ms_per_s: 0.001,
        };
        let mut b = Budget::default();
        let target = SimTime::from_micros(1_000_000_000);
        let mut frames = 0;
        while !b.advance(&mut e, target, &mut || wall.get()) {
            frames += 1;
            assert!(frames < 100, "gets there within a few frames");
        }
        assert_eq!(e.now, target);
    }

    #[test]
    fn expensive_engine_stays_within_about_the_budget() {
        let wall = Cell::new(0.0);
        // 10 ms of work per simulated second: 1,000 s would take 10 s.
        let mut e = Fake {
            now: SimTime::ZERO,
            wall: &wall,
            cost_ms_per_s: 10.0,
        };
        let mut b = Budget::default();
        let target = SimTime::from_micros(1_000_000_000);
        for _ in 0..50 {
            let before = wall.get();
            let done = b.advance(&mut e, target, &mut || wall.get());
            assert!(!done);
            let spent = wall.get() - before;
            assert!(
                spent <= 2.5 * FRAME_BUDGET_MS,
                "a frame spent {spent} ms of a {FRAME_BUDGET_MS} ms budget"
            );
        }
        assert!(e.now > SimTime::ZERO && e.now < target);
    }
}
