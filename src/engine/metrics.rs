//! Metrics with bounded memory: integer counters, time integrals of gauges,
//! a fixed-size latency histogram and downsampled time series.
//!
//! Finished invocations are folded in here and forgotten, so memory does not
//! grow with the simulated length.

use super::defaults::MAX_SERIES_POINTS;
pub use super::latency::{Latency, LatencySummary};
use super::time::SimTime;
use serde::Serialize;

/// Event-level and attempt-level counters of one deployment ("side").
///
/// The accounting identity, per event (request or message), holds at every
/// instant: `arrived = succeeded + failed + dropped + timed_out + in_flight + waiting`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// Events (requests or messages) that arrived \[events\].
    pub arrived: u64,
    /// Events whose (last) invocation succeeded \[events\].
    pub succeeded: u64,
    /// Events that finally failed with a function error (sync: error returned;
    /// async: after retries; SQS: moved to the DLQ after an error) \[events\].
    pub failed: u64,
    /// Events throttled and dropped, or dropped by age, retention or the
    /// engine's queue limit \[events\].
    pub dropped: u64,
    /// Events whose last invocation timed out (an API request: or whose
    /// client got API Gateway's 504) \[events\].
    pub timed_out: u64,
    /// Events being processed right now \[events\].
    pub in_flight: u64,
    /// Events waiting in a queue (async retry queue, SQS visible or
    /// invisible after a failure) \[events\].
    pub waiting: u64,

    /// Invocations that reached an environment (a batch is one) \[invocations\].
    pub invocations: u64,
    /// Invocations that started with a cold start \[invocations\].
    pub cold_starts: u64,
    /// Invocations served by an already warm environment \[invocations\].
    pub warm_starts: u64,
    /// Invocations served by a provisioned environment \[invocations\].
    pub provisioned_invocations: u64,
    /// Invocation attempts throttled, for any reason \[attempts\].
    pub throttles: u64,
    /// ... of which over the requests-per-second limit (10 × the
    /// concurrency limit in any rolling second) \[attempts\].
    pub throttles_rate: u64,
    /// ... of which over the concurrency limit (account or reserved) \[attempts\].
    pub throttles_concurrency: u64,
    /// ... of which over the scaling rate (or legacy burst) \[attempts\].
    pub throttles_scaling: u64,
    /// Attempts that were retries of an earlier attempt \[attempts\].
    pub retries: u64,
    /// Invocations that returned a function error \[invocations\].
    pub errors: u64,
    /// Invocations killed at the timeout \[invocations\].
    pub timeouts: u64,
    /// Cold starts whose INIT ran past the 10 s limit and was retried
    /// inside the invocation, under the timeout \[invocations\].
    pub init_timeouts: u64,
    /// Async events sent to the on-failure destination \[events\].
    pub to_destination: u64,
    /// SQS messages moved to a dead-letter queue \[messages\].
    pub to_dlq: u64,
    /// Async events dropped for exceeding the maximum event age \[events\].
    pub expired_by_age: u64,
    /// SQS messages deleted by the retention period \[messages\].
    pub expired_by_retention: u64,
    /// Events dropped because the engine's waiting-event limit was reached \[events\].
    pub overflow: u64,
    /// SQS messages received again after a failure \[messages\].
    pub redeliveries: u64,
    /// Invokes of a received SQS batch that were throttled (a held batch
    /// is retried with back-off until its visibility timeout) \[attempts\].
    pub esm_throttled_polls: u64,
    /// API requests answered HTTP 504 by API Gateway at its integration
    /// timeout while the function ran on (counted in `timed_out`) \[requests\].
    pub gateway_timeouts: u64,
    /// SQS receives of messages by the Lambda pollers, redeliveries
    /// included (each counts towards `maxReceiveCount`) \[receives\].
    pub sqs_receives: u64,
    /// SQS messages a throttled batch returned to the queue (or the DLQ)
    /// at its visibility timeout without being invoked \[messages\].
    pub sqs_returned_throttled: u64,
    /// ... of `redeliveries`, those whose previous receive ended throttled
    /// (the rest follow an error or a timeout) \[messages\].
    pub redeliveries_throttled: u64,
    /// ... of `to_dlq`, those whose last receive ended throttled, never
    /// invoked; counted as `dropped` (the rest as `failed` or `timed_out`)
    /// \[messages\].
    pub to_dlq_throttled: u64,
    /// SQS batches cut at the 6 MB invoke payload before the batch size
    /// \[batches\].
    pub esm_batches_payload_capped: u64,
    /// Scaling ticks in which the SQS mapping backed off because its
    /// batches mostly failed (errors or timeouts) \[ticks\].
    pub esm_backoffs_errors: u64,
    /// Scaling ticks in which the SQS mapping backed off because its
    /// invokes were mostly throttled \[ticks\].
    pub esm_backoffs_throttles: u64,

    /// Execution environments created (cold starts, provisioned and replacements) \[environments\].
    pub environments_created: u64,
    /// Environments removed after their keep-alive \[environments\].
    pub environments_expired: u64,
    /// Environments discarded after a timeout or a failed INIT \[environments\].
    pub environments_killed: u64,
    /// Provisioned environments removed when the level dropped \[environments\].
    pub environments_deprovisioned: u64,
}

impl Counters {
    /// Whether the accounting identity holds.
    pub fn balances(&self) -> bool {
        self.arrived
            == self.succeeded
                + self.failed
                + self.dropped
                + self.timed_out
                + self.in_flight
                + self.waiting
    }
}

/// Gauges integrated over time for time averages (exact, in count × µs).
///
/// Each gauge is integrated only when it changes (or is read): its sum up
/// to its last change plus its value times the time since. The same
/// numbers as integrating every gauge at every step, saturation included
/// (a saturating sum of parts saturates exactly when the whole does), for
/// fewer operations: an invocation changes two gauges twice.
#[derive(Clone, Debug, Default)]
pub struct Integrals {
    /// The clock: the latest time passed to [`Integrals::advance`] \[µs\].
    last: u64,
    /// Per gauge: sum of gauge × dt up to `since[g]` \[count·µs\]. A u64
    /// suffices: gauges stay below ~10^6 and runs below 2.6 × 10^12 µs.
    sums: [u64; GAUGES],
    /// Per gauge: when its sum was last brought up to date \[µs\].
    since: [u64; GAUGES],
    /// Current value of each gauge.
    pub now: [u64; GAUGES],
    /// Highest value each gauge reached.
    pub max: [u64; GAUGES],
}

/// Number of integrated gauges.
pub const GAUGES: usize = 6;
/// Gauge: all environments.
pub const G_TOTAL: usize = 0;
/// Gauge: environments running an invocation (initializing included).
pub const G_BUSY: usize = 1;
/// Gauge: idle warm environments.
pub const G_IDLE: usize = 2;
/// Gauge: environments in their INIT phase.
pub const G_INIT: usize = 3;
/// Gauge: events waiting in queues.
pub const G_WAITING: usize = 4;
/// Gauge: provisioned level configured.
pub const G_PROVISIONED: usize = 5;

impl Integrals {
    /// Moves the clock to `t` (never back): call before changing a gauge.
    #[inline]
    pub fn advance(&mut self, t: SimTime) {
        self.last = self.last.max(t.as_micros());
    }

    /// Brings the sum of gauge `g` up to the clock (before it changes).
    #[inline]
    fn settle(&mut self, g: usize) {
        self.sums[g] = self.sum(g);
        self.since[g] = self.last;
    }

    #[inline]
    pub fn add(&mut self, g: usize, n: u64) {
        self.settle(g);
        self.now[g] += n;
        if self.now[g] > self.max[g] {
            self.max[g] = self.now[g];
        }
    }

    #[inline]
    pub fn sub(&mut self, g: usize, n: u64) {
        self.settle(g);
        self.now[g] = self.now[g].saturating_sub(n);
    }

    /// Sum of gauge `g` × dt over [0, clock] \[count·µs\].
    #[inline]
    pub fn sum(&self, g: usize) -> u64 {
        let dt = self.last - self.since[g];
        self.sums[g].saturating_add(self.now[g].saturating_mul(dt))
    }

    /// Every gauge's sum over [0, clock] \[count·µs\].
    pub fn sums(&self) -> [u64; GAUGES] {
        std::array::from_fn(|g| self.sum(g))
    }

    /// Time average of gauge `g` over [0, clock].
    pub fn mean(&self, g: usize) -> f64 {
        if self.last == 0 {
            0.0
        } else {
            self.sum(g) as f64 / self.last as f64
        }
    }
}

/// One bucket of the time series: time averages of gauges and counts of
/// what happened during the bucket.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct SeriesPoint {
    /// Bucket start [s since start].
    pub t_s: f64,
    /// Bucket width [s].
    pub width_s: f64,
    /// Mean environments [environments].
    pub environments: f64,
    /// Mean busy environments (concurrent executions) [executions].
    pub busy: f64,
    /// Mean idle environments [environments].
    pub idle: f64,
    /// Mean waiting events [events].
    pub waiting: f64,
    /// Arrivals during the bucket [events].
    pub arrivals: u64,
    /// Throttled attempts during the bucket [attempts].
    pub throttles: u64,
    /// Cold starts during the bucket [invocations].
    pub cold_starts: u64,
    /// Invocations started during the bucket [invocations].
    pub invocations: u64,
}

/// Mean of two neighbouring buckets' values, weighted by their widths
/// [same unit as the values]; zero when both widths are zero.
pub fn width_weighted(x: f64, x_width: f64, y: f64, y_width: f64) -> f64 {
    let w = x_width + y_width;
    if w > 0.0 {
        (x * x_width + y * y_width) / w
    } else {
        0.0
    }
}

/// Halves a bounded series once it holds [`MAX_SERIES_POINTS`] points by
/// merging neighbouring pairs (an odd last point stays as it is). Returns
/// whether it halved, so the caller can double its bucket width.
pub fn halve_when_full<P: Copy>(points: &mut Vec<P>, merge: impl Fn(&P, &P) -> P) -> bool {
    if points.len() < MAX_SERIES_POINTS {
        return false;
    }
    *points = points
        .chunks(2)
        .map(|p| {
            if p.len() == 2 {
                merge(&p[0], &p[1])
            } else {
                p[0]
            }
        })
        .collect();
    true
}

impl SeriesPoint {
    fn merge(a: &SeriesPoint, b: &SeriesPoint) -> SeriesPoint {
        let avg = |x: f64, y: f64| width_weighted(x, a.width_s, y, b.width_s);
        SeriesPoint {
            t_s: a.t_s,
            width_s: a.width_s + b.width_s,
            environments: avg(a.environments, b.environments),
            busy: avg(a.busy, b.busy),
            idle: avg(a.idle, b.idle),
            waiting: avg(a.waiting, b.waiting),
            arrivals: a.arrivals + b.arrivals,
            throttles: a.throttles + b.throttles,
            cold_starts: a.cold_starts + b.cold_starts,
            invocations: a.invocations + b.invocations,
        }
    }
}

/// A bounded time series: buckets of equal width; when full, neighbouring
/// pairs merge and the width doubles.
#[derive(Clone, Debug)]
pub struct Series {
    points: Vec<SeriesPoint>,
    /// Current bucket width [µs].
    pub bucket_us: u64,
    start_us: u64,
    start_sums: [u64; GAUGES],
    start_counts: [u64; 4],
}

impl Series {
    pub fn new(first_bucket_us: u64) -> Series {
        Series {
            points: Vec::new(),
            bucket_us: first_bucket_us.max(1),
            start_us: 0,
            start_sums: [0; GAUGES],
            start_counts: [0; 4],
        }
    }

    /// When the current bucket ends.
    pub fn next_boundary(&self) -> SimTime {
        SimTime::from_micros(self.start_us.saturating_add(self.bucket_us))
    }

    /// Closes the bucket ending at `t` (integrals already advanced to `t`).
    pub fn close_bucket(&mut self, t: SimTime, ints: &Integrals, c: &Counters) {
        let t = t.as_micros();
        let width = t.saturating_sub(self.start_us);
        let mean = |g: usize| {
            if width == 0 {
                0.0
            } else {
                (ints.sum(g) - self.start_sums[g]) as f64 / width as f64
            }
        };
        let counts = [c.arrived, c.throttles, c.cold_starts, c.invocations];
        self.points.push(SeriesPoint {
            t_s: self.start_us as f64 / 1e6,
            width_s: width as f64 / 1e6,
            environments: mean(G_TOTAL),
            busy: mean(G_BUSY),
            idle: mean(G_IDLE),
            waiting: mean(G_WAITING),
            arrivals: counts[0] - self.start_counts[0],
            throttles: counts[1] - self.start_counts[1],
            cold_starts: counts[2] - self.start_counts[2],
            invocations: counts[3] - self.start_counts[3],
        });
        self.start_us = t;
        self.start_sums = ints.sums();
        self.start_counts = counts;
        if halve_when_full(&mut self.points, SeriesPoint::merge) {
            self.bucket_us = self.bucket_us.saturating_mul(2);
        }
    }

    pub fn points(&self) -> &[SeriesPoint] {
        &self.points
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gauges integrated the way they were before (every gauge at every
    /// step): the model the per-gauge sums are checked against.
    #[derive(Default)]
    struct Eager {
        last: u64,
        sums: [u64; GAUGES],
        now: [u64; GAUGES],
    }

    impl Eager {
        fn advance(&mut self, t: u64) {
            let dt = t.saturating_sub(self.last);
            if dt > 0 {
                for g in 0..GAUGES {
                    self.sums[g] = self.sums[g].saturating_add(self.now[g].saturating_mul(dt));
                }
                self.last = t;
            }
        }
    }

    #[test]
    fn per_gauge_sums_equal_integrating_every_gauge_every_step() {
        use crate::engine::dist::rng_stream;
        use rand::RngExt;
        let mut rng = rng_stream(11, 3, 0);
        for case in 0..200 {
            let mut ints = Integrals::default();
            let mut eager = Eager::default();
            let mut t = 0u64;
            // Some cases run into saturation: huge gauges over long times.
            let huge = case % 10 == 0;
            for _ in 0..2_000 {
                match rng.random_range(0..5u32) {
                    0 => {
                        // Time goes on (sometimes not at all, sometimes back).
                        t = match rng.random_range(0..4u32) {
                            0 => t,
                            1 => t.saturating_sub(rng.random_range(0..1_000)),
                            2 if huge => t.saturating_add(rng.random_range(0..u64::MAX / 4)),
                            _ => t.saturating_add(rng.random_range(0..5_000_000)),
                        };
                        ints.advance(SimTime::from_micros(t));
                        eager.advance(t);
                    }
                    1 | 2 => {
                        let g = rng.random_range(0..GAUGES);
                        let n = if huge {
                            rng.random_range(0..u64::MAX / 8)
                        } else {
                            rng.random_range(0..50)
                        };
                        if eager.now[g].checked_add(n).is_some() {
                            ints.add(g, n);
                            eager.now[g] += n;
                        }
                    }
                    3 => {
                        let g = rng.random_range(0..GAUGES);
                        let n = rng.random_range(0..60);
                        ints.sub(g, n);
                        eager.now[g] = eager.now[g].saturating_sub(n);
                    }
                    _ => {
                        assert_eq!(ints.sums(), eager.sums, "case {case}");
                        for g in 0..GAUGES {
                            assert_eq!(ints.sum(g), eager.sums[g]);
                            assert_eq!(ints.now[g], eager.now[g]);
                        }
                    }
                }
            }
            assert_eq!(ints.sums(), eager.sums, "case {case}");
        }
    }

    #[test]
    fn integrals_give_time_averages() {
        let mut i = Integrals::default();
        i.add(G_TOTAL, 2);
        i.advance(SimTime::from_micros(10));
        i.add(G_TOTAL, 2);
        i.advance(SimTime::from_micros(20));
        assert_eq!(i.mean(G_TOTAL), 3.0);
        assert_eq!(i.max[G_TOTAL], 4);
        i.sub(G_TOTAL, 10);
        assert_eq!(i.now[G_TOTAL], 0);
    }

    #[test]
    fn series_stays_bounded_and_keeps_totals() {
        let mut s = Series::new(1_000_000);
        let mut ints = Integrals::default();
        let mut c = Counters::default();
        ints.add(G_BUSY, 1);
        for _ in 0..10_000 {
            let b = s.next_boundary();
            c.arrived += 3;
            ints.advance(b);
            s.close_bucket(b, &ints, &c);
        }
        assert!(s.points().len() < MAX_SERIES_POINTS);
        let total: u64 = s.points().iter().map(|p| p.arrivals).sum();
        assert_eq!(total, 30_000);
        assert!(s.points().iter().all(|p| (p.busy - 1.0).abs() < 1e-9));
        let width: f64 = s.points().iter().map(|p| p.width_s).sum();
        let covered = (s.next_boundary().as_micros() - s.bucket_us) as f64 / 1e6;
        assert!((width - covered).abs() < 1e-6, "{width} vs {covered}");
    }

    #[test]
    fn identity() {
        let c = Counters {
            arrived: 5,
            succeeded: 1,
            failed: 1,
            dropped: 1,
            timed_out: 1,
            in_flight: 1,
            ..Counters::default()
        };
        assert!(c.balances());
    }
}
