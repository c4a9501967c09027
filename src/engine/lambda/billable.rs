//! What the Lambda side bills: integer totals of requests and rounded
//! durations per group of invocations (on-demand, on-demand while
//! provisioned concurrency is configured, provisioned), provisioned
//! level × time, and the requests to the event sources. The billing module
//! prices them ([`Billable::lambda_usage`], [`Billable::event_source_usage`]).

use super::environments::{Env, Job};
use super::LambdaSide;
use crate::engine::billing::usage::{
    provisioned_billable_seconds, EventSourceUsage, InvocationTotals, LambdaUsage,
};
use crate::engine::billing::Architecture;
use crate::engine::time::{SimDuration, SimTime};
use serde::Serialize;

/// Integer totals of billed Lambda invocations (mirrors the billing
/// module's `InvocationTotals`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BilledTotals {
    /// Billed requests (async payload chunks included) \[requests\].
    pub requests: u64,
    /// Sum of invoke durations, each rounded UP to 1 ms; a timeout counts
    /// the full timeout \[ms\].
    pub billed_ms: u64,
    /// The same with each invocation's INIT added before rounding \[ms\].
    pub billed_ms_with_init: u64,
}

impl BilledTotals {
    fn record(&mut self, requests: u64, handler: SimDuration, init: SimDuration) {
        self.requests = self.requests.saturating_add(requests);
        let billed = handler.as_millis_ceil();
        self.billed_ms = self.billed_ms.saturating_add(billed);
        // Without an INIT (every warm start) both round the same value.
        let with_init = if init.is_zero() {
            billed
        } else {
            (handler + init).as_millis_ceil()
        };
        self.billed_ms_with_init = self.billed_ms_with_init.saturating_add(with_init);
    }

    fn to_usage(self) -> InvocationTotals {
        InvocationTotals {
            requests: self.requests,
            billed_ms: self.billed_ms,
            billed_ms_with_init: self.billed_ms_with_init,
        }
    }
}

/// Billable quantities of the Lambda side, as integer sums.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Billable {
    /// Memory size \[MB\].
    pub memory_mb: u32,
    /// Ephemeral storage \[MB\].
    pub ephemeral_storage_mb: u32,
    /// On-demand invocations while no provisioned concurrency was configured.
    pub on_demand: BilledTotals,
    /// On-demand invocations while provisioned concurrency was configured.
    pub on_demand_while_provisioned: BilledTotals,
    /// Requests served by provisioned environments \[requests\].
    pub provisioned_requests: u64,
    /// Invoke durations served by provisioned environments, each rounded UP
    /// to 1 ms \[ms\].
    pub provisioned_billed_ms: u64,
    /// Provisioned level × time, each constant-level span rounded UP to
    /// 5 minutes [environment-seconds].
    pub provisioned_env_seconds: u64,
    /// Of `provisioned_env_seconds`, the 5-minute rounding of the span still
    /// enabled at the end of the usage [environment-seconds] (for the
    /// projection; not in the report).
    #[serde(skip)]
    pub open_provisioned_rounding_seconds: u64,
    /// Provisioned level × time, unrounded [environment-ms].
    pub provisioned_env_ms: u64,
    /// SQS requests (send, receive, delete; 64 KB chunks) \[requests\].
    pub sqs_requests: u64,
    /// Synchronous API requests that reached API Gateway \[requests\].
    pub api_requests: u64,
    /// ... of which to a REST API (the rest to an HTTP API) \[requests\].
    pub api_rest_requests: u64,
    /// S3 uploads (PUT requests) \[requests\].
    pub s3_put_requests: u64,
}

impl Billable {
    /// On-demand compute, INIT included or not [GB-s].
    pub fn on_demand_gb_s(&self, with_init: bool) -> f64 {
        let ms = if with_init {
            self.on_demand.billed_ms_with_init
                + self.on_demand_while_provisioned.billed_ms_with_init
        } else {
            self.on_demand.billed_ms + self.on_demand_while_provisioned.billed_ms
        };
        ms as f64 / 1e3 * f64::from(self.memory_mb) / 1_024.0
    }

    /// The billing module's usage of this function, for `lambda_bill`.
    pub fn lambda_usage(&self, architecture: Architecture) -> LambdaUsage {
        LambdaUsage {
            on_demand: self.on_demand.to_usage(),
            on_demand_while_provisioned: self.on_demand_while_provisioned.to_usage(),
            provisioned_requests: self.provisioned_requests,
            provisioned_billed_ms: self.provisioned_billed_ms,
            provisioned_env_seconds: self.provisioned_env_seconds,
            open_provisioned_rounding_seconds: self.open_provisioned_rounding_seconds,
            ..LambdaUsage::new(architecture, self.memory_mb, self.ephemeral_storage_mb)
        }
    }

    /// Requests to the event sources (API requests by API type).
    pub fn event_source_usage(&self) -> EventSourceUsage {
        EventSourceUsage {
            api_http_requests: self.api_requests - self.api_rest_requests,
            api_rest_requests: self.api_rest_requests,
            s3_put_requests: self.s3_put_requests,
            sqs_standard_requests: self.sqs_requests,
            ..EventSourceUsage::default()
        }
    }
}

impl LambdaSide {
    /// The provisioned billing as if the level were disabled at `now`
    /// (without changing state).
    pub fn billable_at(&self, now: SimTime) -> Billable {
        let mut billable = self.billable;
        let span = now.since(self.provisioned_since);
        let level = u64::from(self.provisioned_target);
        let rounded = provisioned_billable_seconds(span);
        billable.provisioned_env_seconds += level * rounded;
        billable.open_provisioned_rounding_seconds +=
            level * (rounded - span.as_micros().div_ceil(1_000_000).min(rounded));
        billable.provisioned_env_ms += level * span.as_micros() / 1_000;
        billable
    }

    /// Bills one invocation of `env` that ran its handler for `handler`.
    /// Provisioned environments never bill INIT as duration.
    pub(super) fn bill_invocation(&mut self, env: &Env, handler: SimDuration) {
        let requests = match env.job {
            Job::Async { slot } => self
                .async_events
                .get(slot as usize)
                .map_or(1, |event| self.async_units[event.source as usize]),
            _ => 1,
        };
        if env.provisioned {
            self.billable.provisioned_requests += requests;
            self.billable.provisioned_billed_ms += handler.as_millis_ceil();
        } else if self.provisioned_target > 0 {
            self.billable
                .on_demand_while_provisioned
                .record(requests, handler, env.init);
        } else {
            self.billable.on_demand.record(requests, handler, env.init);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::billing::usage::{
        async_request_units, provisioned_billable_seconds, sqs_request_units,
    };
    use crate::engine::time::SimDuration;

    #[test]
    fn request_units() {
        assert_eq!(async_request_units(1_024), 1);
        assert_eq!(async_request_units(256 * 1_024), 1);
        assert_eq!(async_request_units(256 * 1_024 + 1), 2);
        assert_eq!(async_request_units(10 * 1_024 * 1_024), 13);
        assert_eq!(sqs_request_units(0), 1);
        assert_eq!(sqs_request_units(64 * 1_024 + 1), 2);
        assert_eq!(provisioned_billable_seconds(SimDuration::from_secs(1)), 300);
        assert_eq!(
            provisioned_billable_seconds(SimDuration::from_secs(301)),
            600
        );
        assert_eq!(provisioned_billable_seconds(SimDuration::ZERO), 0);
    }
}
