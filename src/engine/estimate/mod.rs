//! Estimates, above the simulator: the fast aggregate mode (the EXPECTED
//! billable usage of a scenario's traffic, computed from the pattern and
//! the distributions without simulating a single invocation, then priced
//! by the ordinary bills) and the sweep over traffic volumes built on it.
//!
//! Files: `arrivals` (patterns as pieces of constant rate),
//! `lambda_side` (billed duration, provisioned share, cold starts, SQS
//! batches), `fleet` (the EC2 service model, the queue, the load
//! balancer), `sizing` (how the fleet is sized), `operated_fleet` (a fixed fleet with failures and the
//! operator), `tracked_fleet` (Auto Scaling stepped minute by minute),
//! `window` (one window's expected usage, [`estimate`]), `month` (a
//! month priced, [`month()`]) and [`sweep`] (Lambda against EC2 over
//! volumes).
//!
//! Method (each step an expectation, so cost is linear in the slices, not
//! in the requests):
//! 1. Arrivals: each source's pattern becomes pieces of constant rate, by
//!    exact integration (a daily cycle's sinusoid in 96 slices per period,
//!    traces in 60 s bins, schedules and bursts by count). All sources
//!    share one set of slice boundaries, provisioned-concurrency changes
//!    included.
//! 2. Billed duration per invocation: E[min(X·f, timeout)] in closed form
//!    for each distribution (f = the memory's CPU factor), plus 0.5 ms for
//!    AWS's per-invocation rounding UP to 1 ms of a continuous duration
//!    (exact ceil for a fixed one); a timed-out invocation bills the timeout.
//! 3. Attempts: async events retry a failed or timed-out attempt (up to the
//!    configured retries); SQS messages come back until `max_receive_count`;
//!    SQS batches hold max(1, λ·S·receives / concurrent batches) messages
//!    (the pollers' throughput must match the arrivals once saturated).
//! 4. Provisioned concurrency: busy environments are Poisson(a) (M/G/∞,
//!    a = λ·S), so provisioned ones serve E[min(N, level)]; the configured
//!    spans are priced exactly (5-minute rounding).
//! 5. Cold starts: the environment pool follows a + 3√a + 1 (growth is cold
//!    starts; it shrinks after the keep-alive), plus sparse traffic
//!    (an arrival finds no warm environment with probability e^(−λ·keep-alive))
//!    plus one per timed-out invocation (its environment is destroyed).
//! 6. EC2: instance-seconds of the fleet as configured. A fixed fleet is
//!    stepped minute by minute as the engine operates it: an injected crash
//!    (or zone outage) leaves the instance billed, the health checks notice
//!    it, the on-call operator is paged and after the response time
//!    replaces it by hand and, if the overload alarm fired on the expected
//!    CPU, resizes the fleet. Auto Scaling with target tracking is stepped
//!    minute by minute with the engine's own tracker (boot time, warm-up,
//!    cooldown, gradual scale-in; capacity from the moment a boot ends;
//!    queued work carried over, failed messages back after their visibility
//!    timeout), on 16 seeded paths of the metric's noise (a period's work
//!    is a sum of random service times), averaged; scheduled actions apply
//!    at their times. The sweep sizes the fleet itself (fixed for the peak,
//!    or following the load without lag). ALB hours per clock hour with
//!    their LCU dimensions; SQS requests of the workers (empty long polls
//!    included).
//!
//! Not modelled: throttling by Lambda's scaling rate, an INIT past 10 s
//! retried inside the invocation (billed as INIT up to 10 s only), patching's capacity
//! loss (it bills the same), noise on the fixed fleet's overload alarm.
//! Accuracy against the simulation, per example, is in
//! `tests/billing_aggregate.rs` (within 1 % on every example).

mod arrivals;
mod fleet;
mod lambda_side;
mod month;
mod operated_fleet;
mod sizing;
pub mod sweep;
#[cfg(test)]
mod tests;
mod tracked_fleet;
mod window;

pub use month::{arrivals_per_month, fleet_config, month};
pub use window::estimate;

use crate::engine::billing::usage::{Ec2Usage, EventSourceUsage, LambdaUsage};
use crate::engine::billing::Bill;
use serde::Serialize;

/// How the EC2 fleet is sized.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FleetSizing {
    /// As the scenario's `ec2` section says (fixed fleet, or Auto Scaling).
    AsConfigured,
    /// A fixed fleet big enough for the peak slice at the target utilization.
    FixedForPeak,
    /// Auto Scaling that follows the load at the target utilization, no
    /// upper bound.
    AutoScaling,
}

/// Options of an estimate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AggregateOptions {
    /// Every rate (and burst, schedule and trace count) multiplied by this [×].
    pub rate_scale: f64,
    /// How the fleet is sized.
    pub sizing: FleetSizing,
}

impl Default for AggregateOptions {
    fn default() -> Self {
        AggregateOptions {
            rate_scale: 1.0,
            sizing: FleetSizing::AsConfigured,
        }
    }
}

/// The expected billable usage of a scenario's window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// Length of the window \[s\].
    pub window_s: f64,
    /// Expected arrivals of every source \[events\].
    pub arrivals: f64,
    /// Expected Lambda invocations \[invocations\].
    pub invocations: f64,
    /// Expected cold starts \[invocations\].
    pub cold_starts: f64,
    /// The Lambda function's usage.
    pub lambda: LambdaUsage,
    /// Its event sources' requests.
    pub lambda_sources: EventSourceUsage,
    /// The EC2 fleet's usage.
    pub ec2: Ec2Usage,
    /// The fleet's event-source requests (S3 uploads, SQS).
    pub ec2_sources: EventSourceUsage,
    /// Largest fleet in any slice \[instances\].
    pub peak_instances: u32,
}

/// A month priced in aggregate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MonthEstimate {
    /// Says this is an estimate and how it was made.
    pub method: String,
    /// Expected arrivals in the month \[events\].
    pub requests_per_month: u64,
    /// The Lambda deployment's monthly bill.
    pub lambda: Bill,
    /// The EC2 deployment's monthly bill (none if its type has no price).
    pub ec2: Option<Bill>,
}

/// The label of an aggregate month.
pub const METHOD: &str = "ESTIMATE, not a bill: expected usage of the scenario's traffic pattern computed in aggregate (arrivals by integration, billed duration from the distribution's mean with 1 ms rounding, cold starts and provisioned share from queueing formulas), its window repeated to fill a 30-day month, then priced with the month's tiers and free tier.";

/// `v` rounded to the nearest whole count (0 when negative).
fn round(v: f64) -> u64 {
    libm::round(v.max(0.0)) as u64
}
