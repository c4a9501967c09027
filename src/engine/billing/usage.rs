//! Billable usage: the integer totals a simulation (or the `fanout bill`
//! calculator) hands to the bills.
//!
//! Every quantity is an integer so that the bills are exact and two windows
//! merge without drift: a cost time series adds one window's usage into a
//! running total with [`LambdaUsage::merge`], [`Ec2Usage::merge`] and
//! [`EventSourceUsage::merge`], and prices the total.
//!
//! Who applies which rounding:
//! - The PRODUCER (the simulator) rounds each Lambda invocation's duration UP
//!   to the next 1 ms before summing (AWS rounds per invocation, so the sum of
//!   raw microseconds would under-bill), counts an invocation that timed out
//!   as lasting its full timeout, and counts asynchronous payload chunks with
//!   [`async_request_units`] and SQS message chunks with [`sqs_request_units`].
//! - The PRODUCER rounds each provisioned-concurrency span (enable to
//!   disable) UP to 5 minutes with [`provisioned_billable_seconds`], each EC2
//!   launch (launch to termination) with [`ec2_billable_seconds`] (60 s
//!   minimum, then per second), and each load-balancer lifetime to started
//!   hours with [`alb_billable_hours`]. The rules live here, beside the
//!   prices, so that only billing knows them.
//! - The BILL applies tiers, the free tier, the INIT-billing switch, the
//!   maximum LCU dimension of each hour and the discount.

use super::Architecture;
use crate::engine::time::SimDuration;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// Seconds in the 30-day month that projections and GB-month prices use \[s\].
pub const MONTH_SECONDS: u64 = 30 * 24 * 3_600;

/// Provisioned concurrency is billed per enable-to-disable span, rounded up
/// to this many seconds (Lambda pricing page: "rounded up to the nearest five
/// minutes") \[s\].
pub const PROVISIONED_ROUNDING_SECONDS: u64 = 300;

/// Each EC2 launch is billed for at least this long (EC2 per-second billing)
/// \[s\].
pub const EC2_MINIMUM_SECONDS: u64 = 60;

/// Billable seconds of one provisioned-concurrency span: the span rounded UP
/// to the next 5 minutes. A zero-length span bills nothing.
pub fn provisioned_billable_seconds(span: SimDuration) -> u64 {
    let secs = span.as_micros().div_ceil(1_000_000);
    secs.div_ceil(PROVISIONED_ROUNDING_SECONDS) * PROVISIONED_ROUNDING_SECONDS
}

/// Billable seconds of one EC2 launch (launch to termination, booting and
/// idle time included): per second, rounded UP to the whole second, with a
/// 60-second minimum per launch.
pub fn ec2_billable_seconds(span: SimDuration) -> u64 {
    span.as_micros()
        .div_ceil(1_000_000)
        .max(EC2_MINIMUM_SECONDS)
}

/// Billable hours of a load balancer that existed for `span`: every started
/// hour is a full hour ("a partial hour is a full hour"); a load balancer
/// that exists at all bills at least one hour.
pub fn alb_billable_hours(span: SimDuration) -> u64 {
    span.as_micros().div_ceil(3_600_000_000).max(1)
}

/// Requests one asynchronous invocation is billed for: 1 for the first
/// 256 KB of payload plus 1 for every further 64 KB (or part), up to the
/// 1 MB async payload limit (so at most 13) \[requests\]. Payload in bytes;
/// KB = 1,024 bytes.
pub fn async_request_units(payload_bytes: u64) -> u64 {
    const FIRST: u64 = 256 * 1_024;
    const CHUNK: u64 = 64 * 1_024;
    const LIMIT: u64 = 1_024 * 1_024;
    let payload = payload_bytes.min(LIMIT);
    1 + payload.saturating_sub(FIRST).div_ceil(CHUNK)
}

/// Requests one SQS API action is billed for: every 64 KB chunk (or part) of
/// its payload is one request; an empty payload is still one request
/// \[requests\]. Payload in bytes; KB = 1,024 bytes.
pub fn sqs_request_units(payload_bytes: u64) -> u64 {
    payload_bytes.div_ceil(64 * 1_024).max(1)
}

/// Billed totals of one group of Lambda invocations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InvocationTotals {
    /// Billed requests, async payload chunks included \[requests\].
    pub requests: u64,
    /// Sum over invocations of the invoke duration, each rounded UP to
    /// 1 ms; a timed-out invocation counts its full timeout \[ms\].
    pub billed_ms: u64,
    /// The same sum with each invocation's INIT phase added BEFORE its 1 ms
    /// rounding (the rule since 1 Aug 2025); equal to `billed_ms` when no
    /// invocation had a cold start \[ms\].
    pub billed_ms_with_init: u64,
}

impl InvocationTotals {
    /// Adds one invocation: `duration` is the invoke phase (the timeout if it
    /// timed out), `init` its INIT phase (zero when warm), `requests` its
    /// billed requests (1, or [`async_request_units`]).
    pub fn record(&mut self, requests: u64, duration: SimDuration, init: SimDuration) {
        self.requests = self.requests.saturating_add(requests);
        self.billed_ms = self.billed_ms.saturating_add(duration.as_millis_ceil());
        self.billed_ms_with_init = self
            .billed_ms_with_init
            .saturating_add((duration + init).as_millis_ceil());
    }

    /// Adds another window's totals.
    pub fn merge(&mut self, other: &InvocationTotals) {
        self.requests = self.requests.saturating_add(other.requests);
        self.billed_ms = self.billed_ms.saturating_add(other.billed_ms);
        self.billed_ms_with_init = self
            .billed_ms_with_init
            .saturating_add(other.billed_ms_with_init);
    }

    /// Billed milliseconds under the chosen INIT rule \[ms\].
    pub fn billed_ms_for(&self, init_billed: bool) -> u64 {
        if init_billed {
            self.billed_ms_with_init.max(self.billed_ms)
        } else {
            self.billed_ms
        }
    }

    fn scaled(&self, num: u64, den: u64) -> InvocationTotals {
        InvocationTotals {
            requests: scale(self.requests, num, den),
            billed_ms: scale(self.billed_ms, num, den),
            billed_ms_with_init: scale(self.billed_ms_with_init, num, den),
        }
    }
}

/// Billable usage of ONE Lambda function over a window (or a month).
///
/// Free tier and duration tiers are per account and architecture; a bill
/// prices one function, so a scenario with several functions merges them
/// only when they share memory, storage and architecture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LambdaUsage {
    /// Instruction set; it selects the duration prices.
    pub architecture: Architecture,
    /// Configured memory \[MB\] (128–10,240); GB = MB / 1,024.
    pub memory_mb: u32,
    /// Configured ephemeral storage \[MB\] (512–10,240; 512 included).
    pub ephemeral_storage_mb: u32,
    /// On-demand invocations while NO provisioned concurrency was enabled:
    /// eligible for the free tier.
    pub on_demand: InvocationTotals,
    /// On-demand invocations that spilled over the provisioned level while
    /// provisioned concurrency WAS enabled: on-demand rates, no free tier
    /// (AWS's reading, see `docs/aws-facts.md`).
    pub on_demand_while_provisioned: InvocationTotals,
    /// Requests served by provisioned environments \[requests\].
    pub provisioned_requests: u64,
    /// Sum of the invoke durations served by provisioned environments, each
    /// rounded UP to 1 ms (their INIT is never billed as duration) \[ms\].
    pub provisioned_billed_ms: u64,
    /// Provisioned concurrency configured: level × enabled time, each
    /// enable-to-disable span already rounded with
    /// [`provisioned_billable_seconds`] [environment-seconds].
    pub provisioned_env_seconds: u64,
    /// Of `provisioned_env_seconds`, the 5-minute rounding of the span still
    /// enabled at the window's end [environment-seconds]: a span that stays
    /// enabled never pays it, so a projection leaves it out.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub open_provisioned_rounding_seconds: u64,
}

impl LambdaUsage {
    /// No usage yet, for a function of this configuration.
    pub fn new(architecture: Architecture, memory_mb: u32, ephemeral_storage_mb: u32) -> Self {
        LambdaUsage {
            architecture,
            memory_mb,
            ephemeral_storage_mb,
            on_demand: InvocationTotals::default(),
            on_demand_while_provisioned: InvocationTotals::default(),
            provisioned_requests: 0,
            provisioned_billed_ms: 0,
            provisioned_env_seconds: 0,
            open_provisioned_rounding_seconds: 0,
        }
    }

    /// Whether provisioned concurrency was enabled at any time (its usage
    /// then gets no free tier).
    pub fn provisioned_enabled(&self) -> bool {
        self.provisioned_env_seconds > 0
    }

    /// Adds one provisioned-concurrency span at `level` environments.
    pub fn record_provisioned_span(&mut self, level: u32, span: SimDuration) {
        self.provisioned_env_seconds = self
            .provisioned_env_seconds
            .saturating_add(u64::from(level).saturating_mul(provisioned_billable_seconds(span)));
    }

    /// Adds one invocation served by a provisioned environment.
    pub fn record_provisioned_invocation(&mut self, requests: u64, duration: SimDuration) {
        self.provisioned_requests = self.provisioned_requests.saturating_add(requests);
        self.provisioned_billed_ms = self
            .provisioned_billed_ms
            .saturating_add(duration.as_millis_ceil());
    }

    /// Adds another window of the same function.
    pub fn merge(&mut self, other: &LambdaUsage) -> Result<(), UsageError> {
        if (self.architecture, self.memory_mb, self.ephemeral_storage_mb)
            != (
                other.architecture,
                other.memory_mb,
                other.ephemeral_storage_mb,
            )
        {
            return Err(UsageError::ConfigMismatch);
        }
        self.on_demand.merge(&other.on_demand);
        self.on_demand_while_provisioned
            .merge(&other.on_demand_while_provisioned);
        self.provisioned_requests = self
            .provisioned_requests
            .saturating_add(other.provisioned_requests);
        self.provisioned_billed_ms = self
            .provisioned_billed_ms
            .saturating_add(other.provisioned_billed_ms);
        self.provisioned_env_seconds = self
            .provisioned_env_seconds
            .saturating_add(other.provisioned_env_seconds);
        self.open_provisioned_rounding_seconds = self
            .open_provisioned_rounding_seconds
            .saturating_add(other.open_provisioned_rounding_seconds);
        Ok(())
    }

    /// Every counter multiplied by `num / den`, rounded half up (see
    /// [`super::projection`]).
    pub fn scaled(&self, num: u64, den: u64) -> LambdaUsage {
        LambdaUsage {
            on_demand: self.on_demand.scaled(num, den),
            on_demand_while_provisioned: self.on_demand_while_provisioned.scaled(num, den),
            provisioned_requests: scale(self.provisioned_requests, num, den),
            provisioned_billed_ms: scale(self.provisioned_billed_ms, num, den),
            provisioned_env_seconds: scale(self.provisioned_env_seconds, num, den),
            open_provisioned_rounding_seconds: scale(
                self.open_provisioned_rounding_seconds,
                num,
                den,
            ),
            ..*self
        }
    }
}

/// Running time of one EC2 instance type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InstanceUsage {
    /// Launches (each billed for at least 60 s) \[launches\].
    pub launches: u64,
    /// Sum over launches of [`ec2_billable_seconds`] [instance-seconds].
    pub billable_seconds: u64,
    /// Of `launches`, those still running at the window's end \[launches\]:
    /// a projection counts them once instead of scaling them.
    #[serde(skip_serializing_if = "is_zero")]
    pub open_launches: u64,
    /// Of `billable_seconds`, the 60-second minimum's top-up of launches
    /// still running at the window's end [instance-seconds]: a launch that
    /// keeps running never pays it, so a projection leaves it out.
    #[serde(skip_serializing_if = "is_zero")]
    pub open_minimum_seconds: u64,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

/// Traffic through the load balancer during ONE billed hour (or, with
/// `hours` > 1, during each of that many identical hours). The bill takes
/// the largest of the four LCU dimensions of each hour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlbHour {
    /// How many billed hours had exactly this traffic \[hours\].
    pub hours: u64,
    /// New connections opened during the hour \[connections\].
    pub new_connections: u64,
    /// Active connections, summed over the hour's 60 minutes (the
    /// per-minute average × 60) [connection-minutes].
    pub active_connection_minutes: u64,
    /// Bytes processed during the hour \[bytes\]; 1 GB = 10^9 bytes.
    pub processed_bytes: u64,
    /// Rule evaluations during the hour (beyond the 10 free rules)
    /// \[evaluations\].
    pub rule_evaluations: u64,
}

/// Usage of the load balancer in front of the fleet.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlbUsage {
    /// Whether its targets are Lambda functions (1 LCU = 0.4 GB/h
    /// processed) rather than EC2 instances (1 GB/h).
    pub lambda_targets: bool,
    /// The billed hours with their traffic; the number of ALB-hours is the
    /// sum of their `hours` (start a new entry at each clock hour; a partial
    /// hour is a full hour).
    pub hours: Vec<AlbHour>,
}

impl AlbUsage {
    /// Billed ALB-hours \[hours\].
    pub fn total_hours(&self) -> u64 {
        self.hours.iter().map(|h| h.hours).sum()
    }
}

/// Billable usage of a self-managed EC2 deployment over a window.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Ec2Usage {
    /// Running time per instance type name (e.g. "m5.large"); a BTreeMap so
    /// that bills list types in a stable order.
    pub instances: BTreeMap<String, InstanceUsage>,
    /// The Application Load Balancer, if there is one.
    pub alb: Option<AlbUsage>,
    /// EBS gp3 storage: volume size × time provisioned [GB-seconds].
    pub ebs_gb_seconds: u64,
    /// Public IPv4 addresses × the time each existed, per second with no
    /// minimum (an assumption: AWS prices them per IP-hour): the load
    /// balancer's one per enabled Availability Zone for its whole life, and
    /// one per instance launched with a public IP [address-seconds].
    #[serde(skip_serializing_if = "is_zero")]
    pub public_ipv4_seconds: u64,
    /// Surplus CPU credits of burstable (T3) instances in unlimited mode:
    /// CPU spent above the credits earned at the baseline, not paid back
    /// by later earnings [vCPU-seconds] (60 = one CPU credit).
    #[serde(skip_serializing_if = "is_zero")]
    pub surplus_vcpu_seconds: u64,
}

impl Ec2Usage {
    /// Adds one launch of `instance_type` that ran for `span`.
    pub fn record_launch(&mut self, instance_type: &str, span: SimDuration) {
        let entry = self.instances.entry(instance_type.to_owned()).or_default();
        entry.launches = entry.launches.saturating_add(1);
        entry.billable_seconds = entry
            .billable_seconds
            .saturating_add(ec2_billable_seconds(span));
    }

    /// Adds one launch still running at the window's end, `span` after it
    /// was launched: billed like [`Ec2Usage::record_launch`] (the 60 s
    /// minimum included), with that minimum's top-up and the launch marked
    /// open for projections.
    pub fn record_running(&mut self, instance_type: &str, span: SimDuration) {
        let entry = self.instances.entry(instance_type.to_owned()).or_default();
        let billable = ec2_billable_seconds(span);
        let topup = billable - span.as_micros().div_ceil(1_000_000).min(billable);
        entry.launches = entry.launches.saturating_add(1);
        entry.open_launches = entry.open_launches.saturating_add(1);
        entry.billable_seconds = entry.billable_seconds.saturating_add(billable);
        entry.open_minimum_seconds = entry.open_minimum_seconds.saturating_add(topup);
    }

    /// Adds `addresses` public IPv4 addresses that existed for `span`.
    pub fn record_public_ipv4(&mut self, addresses: u64, span: SimDuration) {
        let secs = span.as_micros().div_ceil(1_000_000);
        self.public_ipv4_seconds = self
            .public_ipv4_seconds
            .saturating_add(addresses.saturating_mul(secs));
    }

    /// Adds another window's usage. ALB hours are appended, so a window must
    /// end on a clock hour for its hours not to be counted twice.
    pub fn merge(&mut self, other: &Ec2Usage) {
        for (name, u) in &other.instances {
            let entry = self.instances.entry(name.clone()).or_default();
            entry.launches = entry.launches.saturating_add(u.launches);
            entry.billable_seconds = entry.billable_seconds.saturating_add(u.billable_seconds);
            entry.open_launches = entry.open_launches.saturating_add(u.open_launches);
            entry.open_minimum_seconds = entry
                .open_minimum_seconds
                .saturating_add(u.open_minimum_seconds);
        }
        match (&mut self.alb, &other.alb) {
            (Some(mine), Some(theirs)) => mine.hours.extend_from_slice(&theirs.hours),
            (None, Some(theirs)) => self.alb = Some(theirs.clone()),
            _ => {}
        }
        self.ebs_gb_seconds = self.ebs_gb_seconds.saturating_add(other.ebs_gb_seconds);
        self.public_ipv4_seconds = self
            .public_ipv4_seconds
            .saturating_add(other.public_ipv4_seconds);
        self.surplus_vcpu_seconds = self
            .surplus_vcpu_seconds
            .saturating_add(other.surplus_vcpu_seconds);
    }
}

/// Requests to the managed event sources in front of either deployment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EventSourceUsage {
    /// API Gateway HTTP API requests \[requests\].
    pub api_http_requests: u64,
    /// API Gateway REST API requests \[requests\].
    pub api_rest_requests: u64,
    /// S3 PUT/COPY/POST/LIST requests \[requests\].
    pub s3_put_requests: u64,
    /// S3 GET requests \[requests\].
    pub s3_get_requests: u64,
    /// SQS standard-queue requests, 64 KB chunks counted with
    /// [`sqs_request_units`] \[requests\].
    pub sqs_standard_requests: u64,
    /// SQS FIFO-queue requests, counted likewise \[requests\].
    pub sqs_fifo_requests: u64,
}

impl EventSourceUsage {
    /// Adds another window's requests.
    pub fn merge(&mut self, o: &EventSourceUsage) {
        self.api_http_requests = self.api_http_requests.saturating_add(o.api_http_requests);
        self.api_rest_requests = self.api_rest_requests.saturating_add(o.api_rest_requests);
        self.s3_put_requests = self.s3_put_requests.saturating_add(o.s3_put_requests);
        self.s3_get_requests = self.s3_get_requests.saturating_add(o.s3_get_requests);
        self.sqs_standard_requests = self
            .sqs_standard_requests
            .saturating_add(o.sqs_standard_requests);
        self.sqs_fifo_requests = self.sqs_fifo_requests.saturating_add(o.sqs_fifo_requests);
    }

    /// Every counter multiplied by `num / den`, rounded half up.
    pub fn scaled(&self, num: u64, den: u64) -> EventSourceUsage {
        EventSourceUsage {
            api_http_requests: scale(self.api_http_requests, num, den),
            api_rest_requests: scale(self.api_rest_requests, num, den),
            s3_put_requests: scale(self.s3_put_requests, num, den),
            s3_get_requests: scale(self.s3_get_requests, num, den),
            sqs_standard_requests: scale(self.sqs_standard_requests, num, den),
            sqs_fifo_requests: scale(self.sqs_fifo_requests, num, den),
        }
    }
}

/// Why two usages cannot be combined.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum UsageError {
    /// Lambda usages of different memory, storage or architecture cannot be
    /// summed into one function's usage.
    #[error("cannot merge Lambda usage of different architecture, memory or ephemeral storage")]
    ConfigMismatch,
}

/// `value × num / den`, rounded half up, saturating at `u64::MAX`; zero
/// when `den` is zero.
pub(crate) fn scale(value: u64, num: u64, den: u64) -> u64 {
    if den == 0 {
        return 0;
    }
    let wide = (u128::from(value) * u128::from(num) + u128::from(den) / 2) / u128::from(den);
    u64::try_from(wide).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provisioned_spans_round_up_to_five_minutes() {
        assert_eq!(provisioned_billable_seconds(SimDuration::ZERO), 0);
        assert_eq!(
            provisioned_billable_seconds(SimDuration::from_micros(1)),
            300
        );
        assert_eq!(
            provisioned_billable_seconds(SimDuration::from_secs(300)),
            300
        );
        assert_eq!(
            provisioned_billable_seconds(SimDuration::from_secs(301)),
            600
        );
        assert_eq!(
            provisioned_billable_seconds(SimDuration::from_mins(62)),
            3_900
        );
    }

    #[test]
    fn ec2_launches_bill_a_minute_then_per_second() {
        assert_eq!(ec2_billable_seconds(SimDuration::ZERO), 60);
        assert_eq!(ec2_billable_seconds(SimDuration::from_secs(59)), 60);
        assert_eq!(ec2_billable_seconds(SimDuration::from_secs(60)), 60);
        assert_eq!(ec2_billable_seconds(SimDuration::from_secs(61)), 61);
        // A started second is a billed second.
        assert_eq!(
            ec2_billable_seconds(SimDuration::from_micros(61_000_001)),
            62
        );
    }

    #[test]
    fn alb_partial_hours_are_full_hours() {
        assert_eq!(alb_billable_hours(SimDuration::from_secs(1)), 1);
        assert_eq!(alb_billable_hours(SimDuration::from_hours(1)), 1);
        assert_eq!(alb_billable_hours(SimDuration::from_secs(3_601)), 2);
        assert_eq!(alb_billable_hours(SimDuration::ZERO), 1);
    }

    #[test]
    fn async_payload_chunks() {
        const KB: u64 = 1_024;
        assert_eq!(async_request_units(0), 1);
        assert_eq!(async_request_units(256 * KB), 1);
        assert_eq!(async_request_units(256 * KB + 1), 2);
        assert_eq!(async_request_units(320 * KB), 2);
        assert_eq!(async_request_units(321 * KB), 3);
        // 256 KB + 12 × 64 KB = 1 MB: 13 requests, and no more above it.
        assert_eq!(async_request_units(1_024 * KB), 13);
        assert_eq!(async_request_units(5_000 * KB), 13);
    }

    #[test]
    fn sqs_64_kb_chunks() {
        assert_eq!(sqs_request_units(0), 1);
        assert_eq!(sqs_request_units(1), 1);
        assert_eq!(sqs_request_units(64 * 1_024), 1);
        assert_eq!(sqs_request_units(64 * 1_024 + 1), 2);
        // The 256 KB SQS maximum message is 4 requests.
        assert_eq!(sqs_request_units(256 * 1_024), 4);
    }

    #[test]
    fn invocation_rounds_each_invocation_up_to_a_millisecond() {
        let mut t = InvocationTotals::default();
        // Three invocations of 100.2 ms: 3 × 101 ms, not ceil(300.6) = 301.
        for _ in 0..3 {
            t.record(1, SimDuration::from_micros(100_200), SimDuration::ZERO);
        }
        assert_eq!(t.billed_ms, 303);
        // A cold start: INIT is added before the rounding (0.5 + 0.6 → 2 ms,
        // not 1 + 1 + ...).
        let mut c = InvocationTotals::default();
        c.record(
            1,
            SimDuration::from_micros(500),
            SimDuration::from_micros(600),
        );
        assert_eq!((c.billed_ms, c.billed_ms_with_init), (1, 2));
        assert_eq!(c.billed_ms_for(false), 1);
        assert_eq!(c.billed_ms_for(true), 2);
    }

    #[test]
    fn merge_refuses_a_different_function() {
        let mut a = LambdaUsage::new(Architecture::X86_64, 512, 512);
        let b = LambdaUsage::new(Architecture::Arm64, 512, 512);
        assert_eq!(a.merge(&b), Err(UsageError::ConfigMismatch));
        let mut c = LambdaUsage::new(Architecture::X86_64, 512, 512);
        c.on_demand.requests = 5;
        a.merge(&c).unwrap();
        a.merge(&c).unwrap();
        assert_eq!(a.on_demand.requests, 10);
    }

    #[test]
    fn ec2_merge_adds_per_type() {
        let mut a = Ec2Usage::default();
        a.record_launch("m5.large", SimDuration::from_secs(10));
        let mut b = Ec2Usage::default();
        b.record_launch("m5.large", SimDuration::from_secs(100));
        b.record_launch("t3.micro", SimDuration::from_secs(100));
        a.merge(&b);
        assert_eq!(
            a.instances["m5.large"],
            InstanceUsage {
                launches: 2,
                billable_seconds: 160,
                ..InstanceUsage::default()
            }
        );
        assert_eq!(a.instances["t3.micro"].billable_seconds, 100);
    }

    #[test]
    fn scale_rounds_half_up() {
        assert_eq!(scale(10, 1, 4), 3); // 2.5 → 3
        assert_eq!(scale(9, 1, 4), 2); // 2.25 → 2
        assert_eq!(scale(u64::MAX, 2, 1), u64::MAX);
        assert_eq!(scale(5, 1, 0), 0);
    }
}
