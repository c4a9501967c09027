//! A progress check for runs driven step by step: simulated time must keep
//! moving. A bug that makes the engine loop at one instant (as a message
//! failing in 0 ms with a 0 s visibility timeout once did: it came back at
//! the same instant forever) hangs a run without breaking any other
//! invariant, and a harness that stops every input after N events would
//! hide it. [`InstantWatch`] counts the steps taken at each instant and
//! fails as soon as they exceed what can legitimately happen there.
//!
//! # The bound
//!
//! Every step at instant `t` is an arrival at `t` or a queued event due at
//! `t`. A queued event due at `t` was either pending when `t` began or was
//! scheduled during `t` with no delay, as a consequence of something at
//! `t`. What can cause work at `t` is finite and known when `t` begins,
//! except for the arrivals and launches at `t`, which are counted as they
//! happen:
//!
//! - `P`: events pending in the queue when `t` began (each is handled at
//!   most once; stale ones are skipped);
//! - `A`: arrivals at `t` (the generators are finite; validation bounds
//!   them);
//! - `W`: work waiting when `t` began: SQS messages (visible or not), async
//!   events awaiting a retry, requests in the instances' local queues;
//! - `F`: EC2 instances alive when `t` began plus those launched at `t`.
//!
//! Each of these causes at most a few steps at one instant. A request: its
//! arrival, a 0 ms `End`/`Done`, the `Expire` of a 0 s keep-alive on each
//! side (≤ 4). A waiting message or a batch of them: a dispatch that ends
//! at once (`End`/`Done`), its environment's `Expire`, one `SqsVisible` /
//! `Visible` if its visibility ran out exactly now, one redelivery ending
//! at once and its `Expire` (≤ 6: a failed receive now makes it invisible
//! for at least 1 s, the engine minimum, so it cannot come back again at
//! `t`). A pending event: itself plus an `End` at once after a 0 ms INIT
//! or a dispatch, and an `Expire` (≤ 3). An instance: `Booted` after a
//! 0 s boot, `DrainDeadline` after a 0 s deregistration delay, `PatchDone`
//! after a 0 s patch, `Detect` after a 0 s detection (≤ 4). Every other
//! delay the engine schedules is positive (SQS poll delay, batching
//! window, throttle back-offs, scaling ticks, async retries of at least
//! 60 s, metric periods). Hence, with `K` = [`K`] (the largest of these,
//! 6, with a margin) and a constant `C` = [`C`] for the few per-source
//! wake-ups (16 sources at most):
//!
//! ```text
//! steps at t  ≤  K · (P + A + W + F) + C
//! ```
//!
//! Launches at `t` enter `F`, so they are bounded on their own: each
//! reconcile launches at most the engine's instance limit, and reconciles
//! at `t` come from events of `P` (ticks, scheduled actions, failures,
//! detections, the operator), so `launches at t ≤ MAX_INSTANCES · (P + 1)`.
//!
//! The bound is fixed when `t` begins (only `A` and the launches grow it),
//! so a loop that schedules event after event at `t` breaks it after a
//! finite number of steps however it grows the queue. It costs a few field
//! reads per step and allocates nothing. Used by the fuzz targets
//! (`fuzz/src/lib.rs`) and `tests/invariants.rs`; a unit test below
//! re-creates the 0 s visibility loop and sees it fire.
//!
//! ```
//! use fanout::engine::InstantWatch;
//! use fanout::engine::scenario::Scenario;
//! use fanout::engine::Simulation;
//! let sc = Scenario::from_json(r#"{"version": 1, "duration_s": 5,
//!   "sources": [{"kind": "api", "pattern": {"type": "bursts", "bursts": [{"at_s": 1, "count": 1000}]}}],
//!   "function": {"timeout_s": 3, "duration": {"type": "fixed", "ms": 0}}}"#).unwrap();
//! let mut sim = Simulation::new(&sc).unwrap();
//! let mut watch = InstantWatch::new();
//! while let Some(_t) = watch.step(&mut sim).expect("time moves on") {}
//! assert_eq!(sim.counters().arrived, 1000);
//! ```

use super::Simulation;
use crate::engine::scenario::ec2::defaults::MAX_INSTANCES;
use crate::engine::time::SimTime;

/// Steps allowed per unit of work present at an instant (see the module).
pub const K: u64 = 8;
/// Steps allowed at any instant regardless of work (see the module).
pub const C: u64 = 64;

/// The state counted when an instant begins.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Start {
    pending: u64,
    waiting: u64,
    instances: u64,
    arrivals: u64,
    launched: u64,
}

impl Start {
    fn of(sim: &Simulation) -> Start {
        let lambda = sim.counters();
        let (ec2_waiting, instances, ec2_arrived, launched) =
            sim.ec2().map_or((0, 0, 0, 0), |ec2| {
                (
                    ec2.counters.waiting,
                    ec2.fleet.alive(),
                    ec2.counters.arrived,
                    ec2.fc.launched,
                )
            });
        Start {
            pending: sim.pending_events() as u64,
            waiting: lambda.waiting.saturating_add(ec2_waiting),
            instances,
            // Each side counts every arrival it is fed; a side not deployed counts none.
            arrivals: lambda.arrived.max(ec2_arrived),
            launched,
        }
    }
}

/// Simulated time stopped: more steps at one instant than its bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stalled {
    /// The instant.
    pub at: SimTime,
    /// Steps taken at it so far.
    pub steps: u64,
    /// Their bound, `K · (P + A + W + F) + C`.
    pub bound: u64,
    /// `P`: events pending when the instant began.
    pub pending: u64,
    /// `A`: arrivals at the instant.
    pub arrivals: u64,
    /// `W`: work waiting when the instant began.
    pub waiting: u64,
    /// `F`: instances alive when it began plus those launched at it.
    pub instances: u64,
    /// Instances launched at the instant.
    pub launched: u64,
}

impl std::fmt::Display for Stalled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "simulated time stopped at {}: {} steps at this instant, above the bound {} = {K} × (pending {} + arrivals {} + waiting {} + instances {}) + {C}; {} launches",
            self.at, self.steps, self.bound, self.pending, self.arrivals, self.waiting, self.instances, self.launched
        )
    }
}

impl std::error::Error for Stalled {}

/// Steps a [`Simulation`] and checks that each instant ends within its
/// bound (see the module). Start it on a fresh simulation, or at least
/// between two instants.
#[derive(Clone, Debug, Default)]
pub struct InstantWatch {
    /// The instant being watched (none before the first step).
    at: Option<SimTime>,
    /// Steps at it so far.
    steps: u64,
    /// The state when it began.
    start: Start,
    /// The state before the latest step (the start of the next instant if
    /// that step begins one).
    before: Start,
    /// The most steps seen at one instant.
    max_steps: u64,
}

impl InstantWatch {
    /// A watch that has seen nothing yet.
    pub fn new() -> InstantWatch {
        InstantWatch::default()
    }

    /// The most steps taken at one instant so far.
    pub fn max_steps_per_instant(&self) -> u64 {
        self.max_steps
    }

    /// [`Simulation::step`], then the check: the time of the step taken
    /// (`None` once nothing is left) or why time stopped.
    pub fn step(&mut self, sim: &mut Simulation) -> Result<Option<SimTime>, Stalled> {
        self.before = Start::of(sim);
        let Some(t) = sim.step() else {
            return Ok(None);
        };
        self.observe(t, sim)?;
        Ok(Some(t))
    }

    /// Counts a step at `t` (taken just now on `sim`) and checks the bound.
    fn observe(&mut self, t: SimTime, sim: &Simulation) -> Result<(), Stalled> {
        if self.at != Some(t) {
            self.at = Some(t);
            self.start = self.before;
            self.steps = 0;
        }
        self.steps += 1;
        self.max_steps = self.max_steps.max(self.steps);
        let now = Start::of(sim);
        let arrivals = now.arrivals.saturating_sub(self.start.arrivals);
        let launched = now.launched.saturating_sub(self.start.launched);
        let start = &self.start;
        let instances = start.instances.saturating_add(launched);
        let bound = K
            .saturating_mul(
                start
                    .pending
                    .saturating_add(arrivals)
                    .saturating_add(start.waiting)
                    .saturating_add(instances),
            )
            .saturating_add(C);
        let launch_bound = u64::from(MAX_INSTANCES).saturating_mul(start.pending.saturating_add(1));
        if self.steps > bound || launched > launch_bound {
            return Err(Stalled {
                at: t,
                steps: self.steps,
                bound,
                pending: start.pending,
                arrivals,
                waiting: start.waiting,
                instances,
                launched,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scenario::Scenario;

    /// Runs under the watch until the end of the scenario (or `max` steps).
    fn run(sim: &mut Simulation, max: u64) -> Result<InstantWatch, Stalled> {
        let mut watch = InstantWatch::new();
        let end = sim.end();
        let mut steps = 0;
        while watch.step(sim)?.is_some_and(|t| t <= end) {
            steps += 1;
            assert!(steps < max, "no verdict after {max} steps");
        }
        Ok(watch)
    }

    /// The loop found while hardening: EC2 workers read an SQS queue with a
    /// 0 s visibility timeout and the handler fails in 0 ms, so the message
    /// comes back at the same instant forever. Validation refuses it now;
    /// here it is built without validation to show the watch stops it.
    fn zero_visibility(vis: f64) -> Scenario {
        let mut sc = Scenario::from_json(
            r#"{"version": 1, "duration_s": 10, "lambda": false,
                "sources": [{"kind": "sqs", "pattern": {"type": "constant", "rate_per_s": 1}, "sqs": {"visibility_timeout_s": 1}}],
                "function": {"timeout_s": 3, "duration": {"type": "fixed", "ms": 0}, "error_rate": 1},
                "ec2": {"instance_type": "t3.micro", "instances": 1, "worker_slots": 1, "queue_length": 0}}"#,
        )
        .expect("valid at 1 s");
        sc.sources[0]
            .sqs
            .as_mut()
            .expect("an SQS source")
            .visibility_timeout_s = vis;
        sc
    }

    #[test]
    fn a_zero_time_loop_is_caught() {
        assert!(
            zero_visibility(0.0).validate().is_err(),
            "refused by validation"
        );
        let mut sim = Simulation::new_unvalidated(&zero_visibility(0.0));
        let stalled = run(&mut sim, 10_000_000).expect_err("the loop is caught");
        eprintln!("{stalled}");
        // One message, nothing else: the bound is small and the loop breaks it.
        assert_eq!(stalled.steps, stalled.bound + 1, "{stalled}");
        assert!(stalled.bound < 200, "{stalled}");
        assert!(
            stalled.to_string().contains("simulated time stopped at"),
            "{stalled}"
        );
        // The same run with the engine's minimum of 1 s finishes.
        let mut sim = Simulation::new(&zero_visibility(1.0)).expect("valid");
        let watch = run(&mut sim, 10_000_000).expect("time moves on");
        assert!(watch.max_steps_per_instant() >= 2);
    }

    #[test]
    fn a_synthetic_stall_is_caught() {
        // The same instant observed again and again with nothing arriving
        // or launched: the bound fixed at its start holds, one more fails.
        let sim = Simulation::new(&zero_visibility(1.0)).expect("valid");
        let mut watch = InstantWatch::new();
        watch.before = Start::of(&sim);
        let start = watch.before;
        assert!(start.pending >= 1 && start.instances == 1, "{start:?}");
        let bound = K * (start.pending + start.waiting + start.instances) + C;
        let t = SimTime::from_micros(5);
        for _ in 0..bound {
            watch.observe(t, &sim).expect("within the bound");
        }
        let stalled = watch.observe(t, &sim).expect_err("one step more");
        assert_eq!((stalled.steps, stalled.bound), (bound + 1, bound));
        // A new instant starts a new count.
        watch
            .observe(SimTime::from_micros(6), &sim)
            .expect("a new instant");
        assert_eq!(watch.max_steps_per_instant(), bound + 1);
    }

    fn json_burst(kind: &str, extra: &str) -> String {
        format!(
            r#"{{"version": 1, "duration_s": 3,
                "sources": [{{"kind": "{kind}", "pattern": {{"type": "bursts", "bursts": [{{"at_s": 1, "count": 20000}}, {{"at_s": 1, "count": 20000}}]}}{extra}}}],
                "function": {{"timeout_s": 3, "duration": {{"type": "fixed", "ms": 0}}, "init_duration": {{"type": "fixed", "ms": 0}}, "keep_alive_s": 0}},
                "ec2": {{"instance_type": "t3.micro", "instances": 20, "worker_slots": 8, "queue_length": 10000, "boot_s": 0}}}}"#
        )
    }

    /// Legitimate heavy instants pass: 40,000 requests at one instant
    /// (two bursts) with 0 ms handlers, 0 ms INIT and a 0 s keep-alive on
    /// both sides; the same as SQS messages, drained at once; as S3 events
    /// (async on Lambda, the notification queue on EC2).
    #[test]
    fn heavy_legitimate_instants_pass() {
        for (kind, extra) in [
            ("api", ""),
            ("sqs", r#", "sqs": {"visibility_timeout_s": 3}"#),
            ("s3", ""),
        ] {
            let sc = Scenario::from_json(&json_burst(kind, extra))
                .unwrap_or_else(|e| panic!("{kind}: {e:?}"));
            let mut sim = Simulation::new(&sc).expect("valid");
            let watch = run(&mut sim, 50_000_000).unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert!(
                watch.max_steps_per_instant() >= 40_000,
                "{kind}: {}",
                watch.max_steps_per_instant()
            );
        }
    }
}
