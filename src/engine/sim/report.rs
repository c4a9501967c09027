//! The report of a run: every number, serializable, per side. Built by
//! [`Simulation::report`](super::Simulation::report).
//!
//! The Lambda side's outputs include the SimFaaS ones (cold-start
//! probability, rejection probability, mean instance counts, mean lifespan)
//! so the two can be compared directly.

use crate::engine::billing::accrual::CostReport;
use crate::engine::counters::SourceCounters;
use crate::engine::defaults::{Assumption, ASSUMPTIONS};
use crate::engine::ec2::operator::OperatorWork;
use crate::engine::ec2::view::Ec2Report;
use crate::engine::happening::Side;
use crate::engine::lambda::{Billable, LambdaSide};
use crate::engine::metrics::{
    Counters, LatencySummary, Series, SeriesPoint, G_BUSY, G_IDLE, G_INIT, G_PROVISIONED, G_TOTAL,
    G_WAITING,
};
use crate::engine::scenario::{pretty_json, Scenario, SourceKind};
use crate::engine::time::SimTime;
use serde::Serialize;

/// Outcomes of one source.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourceReport {
    pub name: String,
    pub kind: SourceKind,
    /// Its counters \[events\].
    pub counters: SourceCounters,
}

/// Everything measured on one deployment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SideReport {
    pub side: Side,
    /// Event and attempt counters.
    pub counters: Counters,
    /// Whether arrived = succeeded + failed + dropped + timed out + in flight + waiting.
    pub accounting_balances: bool,
    /// Cold starts per invocation attempt (throttled attempts included), as SimFaaS.
    pub cold_start_probability: f64,
    /// Throttled attempts per attempt, as SimFaaS's rejection probability.
    pub rejection_probability: f64,
    /// Time-average environments \[environments\].
    pub mean_environments: f64,
    /// Time-average busy environments (concurrent executions) \[environments\].
    pub mean_busy: f64,
    /// Time-average idle environments \[environments\].
    pub mean_idle: f64,
    /// Time-average environments in INIT \[environments\].
    pub mean_initializing: f64,
    /// Time-average events waiting in queues \[events\].
    pub mean_waiting: f64,
    /// Time-average provisioned level \[environments\].
    pub mean_provisioned: f64,
    /// Most environments at once \[environments\].
    pub max_environments: u64,
    /// Most busy environments at once \[environments\].
    pub max_busy: u64,
    /// Mean lifespan of environments that were removed (creation to removal) \[s\].
    pub mean_lifespan_s: f64,
    /// End-to-end latency of finished events (queueing, INIT and retries included).
    pub latency: LatencySummary,
    /// Billable quantities (integer sums).
    pub billable: Billable,
    /// On-demand compute with INIT billed (the rule since Aug 2025) [GB-s].
    pub on_demand_gb_s: f64,
    /// On-demand compute without INIT (the earlier rule) [GB-s].
    pub on_demand_gb_s_without_init: f64,
    /// Compute served by provisioned environments [GB-s].
    pub provisioned_gb_s: f64,
    /// Work a human did: patches, replacements and resizes by hand, pages.
    /// Always zero here: AWS does this work for Lambda (the EC2 side counts
    /// the same things for you).
    pub operator_work: OperatorWork,
    /// Who does the operator work on this side.
    pub operator_work_by: &'static str,
    /// Events finished successfully per simulated second [events/s].
    pub throughput_per_s: f64,
    /// Downsampled time series (at most ~1,000 points).
    pub series: Vec<SeriesPoint>,
}

/// Who patches, replaces and scales on the Lambda side.
pub const LAMBDA_OPERATOR_WORK_BY: &str =
    "AWS: Lambda patches the runtime and OS, replaces failed environments and scales without you";

/// The report of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Scenario name.
    pub name: String,
    /// Seed.
    pub seed: u64,
    /// Simulated time covered \[s\].
    pub simulated_s: f64,
    /// When the sources stopped sending \[s\].
    pub sources_until_s: f64,
    /// Engine events processed \[events\].
    pub events_processed: u64,
    /// Whether the Lambda function was deployed (fed the arrivals); when
    /// not, `lambda` is all zeros.
    pub lambda_deployed: bool,
    /// The Lambda side.
    pub lambda: SideReport,
    /// The EC2 side, if the scenario has one: the same names as `lambda`
    /// where the meaning is the same.
    pub ec2: Option<Ec2Report>,
    /// Per-source outcomes on the Lambda side.
    pub sources: Vec<SourceReport>,
    /// Numbers used that AWS does not document exactly.
    pub assumptions: Vec<Assumption>,
    /// What each side cost: so far (itemized), a labelled monthly
    /// projection, and the cumulative cost series. Set by the simulation.
    pub cost: Option<CostReport>,
}

impl Report {
    /// The report of a run of `scenario` at `now`, the Lambda side's part
    /// (the simulation adds the cost and the EC2 side).
    pub(crate) fn build(
        scenario: &Scenario,
        now: SimTime,
        events_processed: u64,
        lambda: &LambdaSide,
        series: &Series,
    ) -> Report {
        Report {
            name: scenario.name.clone(),
            seed: scenario.seed,
            simulated_s: now.as_secs_f64(),
            sources_until_s: scenario.duration_s,
            events_processed,
            lambda_deployed: scenario.lambda,
            ec2: None,
            lambda: SideReport::of_lambda(lambda, now, series),
            sources: scenario
                .sources
                .iter()
                .zip(&lambda.per_source)
                .enumerate()
                .map(|(i, (source, counters))| SourceReport {
                    name: if source.name.is_empty() {
                        format!("source {i}")
                    } else {
                        source.name.clone()
                    },
                    kind: source.kind,
                    counters: *counters,
                })
                .collect(),
            assumptions: ASSUMPTIONS.to_vec(),
            cost: None,
        }
    }

    /// The report as pretty JSON.
    ///
    /// Written compact, then re-indented ([`pretty_json`]): byte for byte
    /// `serde_json::to_string_pretty`, with one serializer in the wasm.
    pub fn to_json(&self) -> String {
        pretty_json(&serde_json::to_string(self).unwrap_or_default())
    }
}

impl SideReport {
    /// Everything measured on the Lambda side at `now`.
    fn of_lambda(lambda: &LambdaSide, now: SimTime, series: &Series) -> SideReport {
        let counters = lambda.counters;
        let attempts = counters.invocations + counters.throttles;
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let billable = lambda.billable_at(now);
        let gb_s = |ms: u64| ms as f64 / 1e3 * f64::from(billable.memory_mb) / 1_024.0;
        let gauges = &lambda.ints;
        SideReport {
            side: Side::Lambda,
            counters,
            accounting_balances: counters.balances(),
            cold_start_probability: ratio(counters.cold_starts, attempts),
            rejection_probability: ratio(counters.throttles, attempts),
            mean_environments: gauges.mean(G_TOTAL),
            mean_busy: gauges.mean(G_BUSY),
            mean_idle: gauges.mean(G_IDLE),
            mean_initializing: gauges.mean(G_INIT),
            mean_waiting: gauges.mean(G_WAITING),
            mean_provisioned: gauges.mean(G_PROVISIONED),
            max_environments: gauges.max[G_TOTAL],
            max_busy: gauges.max[G_BUSY],
            mean_lifespan_s: if lambda.lifespans == 0 {
                0.0
            } else {
                lambda.lifespan_sum_us as f64 / lambda.lifespans as f64 / 1e6
            },
            latency: lambda.latency.summary(),
            on_demand_gb_s: billable.on_demand_gb_s(true),
            on_demand_gb_s_without_init: billable.on_demand_gb_s(false),
            provisioned_gb_s: gb_s(billable.provisioned_billed_ms),
            billable,
            operator_work: OperatorWork::default(),
            operator_work_by: LAMBDA_OPERATOR_WORK_BY,
            throughput_per_s: if now.as_secs_f64() > 0.0 {
                counters.succeeded as f64 / now.as_secs_f64()
            } else {
                0.0
            },
            series: series.points().to_vec(),
        }
    }
}
