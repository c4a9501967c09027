//! The `ec2` section of a scenario: the self-managed deployment (instance
//! type, fleet size, load balancer, Auto Scaling, patching, injected
//! failures, the on-call operator) and its validation, which lists every
//! problem with its field path, value and allowed range.
//!
//! ```
//! use fanout::engine::ec2::config::Ec2Config;
//! let c: Ec2Config = serde_json::from_str(r#"{"instance_type": "c7g.large", "instances": 4}"#).unwrap();
//! assert!(c.validate("ec2", true).is_empty());
//! let bad: Ec2Config = serde_json::from_str(r#"{"instances": 0}"#).unwrap();
//! let errs = bad.validate("ec2", true);
//! assert_eq!(errs[0].path, "ec2.instances");
//! ```

use super::defaults as d;
use crate::engine::billing::Catalog;
use crate::engine::defaults as ed;
use crate::engine::defaults::MAX_DURATION_S;
use crate::engine::dist::Distribution;
use crate::engine::scenario::{ScenarioError, SqsConfig};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How the load balancer picks a target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Routing {
    /// In turn, whatever each target is doing (the ALB default).
    #[default]
    RoundRobin,
    /// To the target with the fewest requests in progress.
    LeastOutstandingRequests,
}

/// The Application Load Balancer in front of API sources.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoadBalancerConfig {
    /// Routing algorithm.
    pub routing: Routing,
    /// Idle timeout: a request that takes longer gets HTTP 504 [s] (1–4,000).
    pub request_timeout_s: f64,
    /// How long a deregistered (draining) target may finish its requests [s] (0–3,600).
    pub deregistration_delay_s: f64,
    /// Response body per request, for the processed-bytes LCU dimension [KB].
    pub response_kb: f64,
    /// Listener rules evaluated per request [rules] (1–100; the first 10 are free).
    pub rules: u32,
}

impl Default for LoadBalancerConfig {
    fn default() -> Self {
        LoadBalancerConfig {
            routing: Routing::RoundRobin,
            request_timeout_s: d::ALB_IDLE_TIMEOUT_DEFAULT_S,
            deregistration_delay_s: d::DEREGISTRATION_DELAY_DEFAULT_S,
            response_kb: d::RESPONSE_KB_DEFAULT,
            rules: d::RULES_DEFAULT,
        }
    }
}

/// Health checks (the load balancer's, also used by Auto Scaling).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HealthCheckConfig {
    /// Time between two checks of a target [s] (5–300).
    pub interval_s: f64,
    /// Consecutive failed checks before a target is unhealthy [checks] (2–10).
    pub unhealthy_threshold: u32,
}

impl Default for HealthCheckConfig {
    fn default() -> Self {
        HealthCheckConfig {
            interval_s: d::HEALTH_INTERVAL_DEFAULT_S,
            unhealthy_threshold: d::UNHEALTHY_THRESHOLD_DEFAULT,
        }
    }
}

impl HealthCheckConfig {
    /// Time from a failure to its detection: interval × threshold [s].
    pub fn detection_s(&self) -> f64 {
        self.interval_s * f64::from(self.unhealthy_threshold)
    }
}

/// The metric a target tracking policy holds at its target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScalingMetric {
    /// Average CPU utilisation of the fleet [%].
    #[default]
    Cpu,
    /// ALB requests per target per minute [requests].
    RequestsPerTarget,
}

/// A target tracking scaling policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TargetTracking {
    /// The metric.
    pub metric: ScalingMetric,
    /// Its target: CPU [%] (1–100) or requests per target per minute [requests].
    pub target: f64,
    /// One-minute datapoints above target before scaling out [periods] (1–60).
    pub scale_out_datapoints: u32,
    /// One-minute datapoints below 90 % of target before scaling in [periods] (1–60).
    pub scale_in_datapoints: u32,
}

impl Default for TargetTracking {
    fn default() -> Self {
        TargetTracking {
            metric: ScalingMetric::Cpu,
            target: d::TARGET_CPU_DEFAULT,
            scale_out_datapoints: d::SCALE_OUT_DATAPOINTS_DEFAULT,
            scale_in_datapoints: d::SCALE_IN_DATAPOINTS_DEFAULT,
        }
    }
}

/// A scheduled action: from `at_s` on, the group's bounds and/or desired
/// capacity change.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledAction {
    /// When [s since start].
    pub at_s: f64,
    /// New minimum [instances].
    #[serde(default)]
    pub min: Option<u32>,
    /// New maximum [instances].
    #[serde(default)]
    pub max: Option<u32>,
    /// New desired capacity [instances].
    #[serde(default)]
    pub desired: Option<u32>,
}

/// An EC2 Auto Scaling group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AutoScalingConfig {
    /// Minimum size [instances].
    pub min: u32,
    /// Maximum size [instances] (at most 1,000 in this engine).
    pub max: u32,
    /// Target tracking policy; none = the size changes only by schedule
    /// (health-check replacement still happens).
    pub target_tracking: Option<TargetTracking>,
    /// Instance warm-up: a new instance counts toward the metric (and
    /// scale-in is allowed) this long after it is in service [s] (0–3,600).
    pub warmup_s: f64,
    /// Wait after any scaling activity before a scale-in [s] (0–86,400).
    pub scale_in_cooldown_s: f64,
    /// No health-check replacement this soon after launch [s] (0–7,200).
    pub health_check_grace_s: f64,
    /// Scheduled actions, in time order.
    pub scheduled: Vec<ScheduledAction>,
}

impl Default for AutoScalingConfig {
    fn default() -> Self {
        AutoScalingConfig {
            min: d::ASG_MIN_DEFAULT,
            max: d::ASG_MAX_DEFAULT,
            target_tracking: Some(TargetTracking::default()),
            warmup_s: d::WARMUP_DEFAULT_S,
            scale_in_cooldown_s: d::COOLDOWN_DEFAULT_S,
            health_check_grace_s: d::HEALTH_GRACE_DEFAULT_S,
            scheduled: Vec::new(),
        }
    }
}

/// How a patch run takes instances out of service.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatchMode {
    /// One instance at a time: drain, patch, back in service, next.
    #[default]
    Rolling,
    /// Every instance at once: an outage for the patch window.
    AllAtOnce,
}

/// The OS patch schedule (work you own on EC2; AWS does it for Lambda).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PatchConfig {
    /// Period between patch runs [days] (0.001–366).
    pub every_days: f64,
    /// First patch run [s since start].
    pub first_at_s: f64,
    /// Time one instance is out of service while patched and rebooted [s].
    pub out_of_service_s: f64,
    /// Rolling or all at once.
    pub mode: PatchMode,
}

impl Default for PatchConfig {
    fn default() -> Self {
        PatchConfig {
            every_days: d::PATCH_EVERY_DAYS_DEFAULT,
            first_at_s: 0.0,
            out_of_service_s: d::PATCH_OUT_OF_SERVICE_DEFAULT_S,
            mode: PatchMode::Rolling,
        }
    }
}

/// An injected failure.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Failure {
    /// One instance crashes (stays billed, serves nothing) until terminated.
    InstanceCrash {
        /// When [s since start].
        at_s: f64,
        /// Which instance, by id (launch order from 0); none or gone = the
        /// oldest instance in service.
        #[serde(default)]
        instance: Option<u64>,
    },
    /// An Availability Zone fails: every instance in it crashes, and no
    /// instance can launch there until it recovers.
    AzOutage {
        /// When [s since start].
        at_s: f64,
        /// Which zone [0 .. zones − 1].
        zone: u32,
        /// How long the zone refuses launches [s].
        duration_s: f64,
    },
}

impl Failure {
    /// When it happens [s since start].
    pub fn at_s(&self) -> f64 {
        match *self {
            Failure::InstanceCrash { at_s, .. } | Failure::AzOutage { at_s, .. } => at_s,
        }
    }
}

/// The on-call operator of a fleet without Auto Scaling (and the pages
/// anyone gets). A fixed fleet does not heal itself: capacity lost to a
/// failure stays lost until the operator acts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OperatorConfig {
    /// Whether someone answers pages at all.
    pub on_call: bool,
    /// From page to fix done by hand [s]. ASSUMPTION (default 30 min).
    pub response_s: f64,
    /// Fixed fleet only: page when the average CPU stays above this [%]
    /// (1–100); none = no overload alarm.
    pub alarm_cpu_percent: Option<f64>,
    /// One-minute datapoints above the alarm threshold before it pages [periods] (1–60).
    pub alarm_datapoints: u32,
    /// The CPU the operator resizes a fixed fleet for [%] (1–100).
    pub target_cpu_percent: f64,
}

impl Default for OperatorConfig {
    fn default() -> Self {
        OperatorConfig {
            on_call: true,
            response_s: d::OPERATOR_RESPONSE_DEFAULT_S,
            alarm_cpu_percent: Some(d::ALARM_CPU_DEFAULT),
            alarm_datapoints: d::ALARM_DATAPOINTS_DEFAULT,
            target_cpu_percent: d::OPERATOR_TARGET_CPU_DEFAULT,
        }
    }
}

/// The self-managed EC2 deployment of a scenario: it sees the same
/// arrivals as the Lambda function.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Ec2Config {
    /// Display name.
    pub name: String,
    /// Instance type from the price catalog (t3, m5, m6i, m7g, c5, c6g, c7g).
    pub instance_type: String,
    /// Instances at the start [instances]: the fleet size without Auto
    /// Scaling, the initial desired capacity with it.
    pub instances: u32,
    /// Requests one instance serves at once [requests] (1–1,024); none =
    /// its vCPU count. All slots busy = 100 % CPU.
    pub worker_slots: Option<u32>,
    /// Requests that may wait on one instance when its slots are busy
    /// [requests] (0–10,000); beyond it the load balancer answers 503.
    pub queue_length: u32,
    /// How fast the application runs on the instance relative to the
    /// duration model [×]: service time = drawn duration / speed_factor
    /// (0.01–100).
    pub speed_factor: f64,
    /// Handler duration at speed factor 1; none = the function's `duration`
    /// (as measured at `function.duration_measured_at_mb`).
    pub duration: Option<Distribution>,
    /// Probability a request ends in an application error [0–1]; none = the
    /// function's `error_rate`.
    pub error_rate: Option<f64>,
    /// Launch to in service [s] (0–3,600). ASSUMPTION (default 75 s).
    pub boot_s: f64,
    /// Availability Zones the fleet is spread over [zones] (1–6).
    pub zones: u32,
    /// The load balancer in front of API sources.
    pub load_balancer: LoadBalancerConfig,
    /// Health checks.
    pub health_check: HealthCheckConfig,
    /// EC2 Auto Scaling; none = a fixed fleet.
    pub auto_scaling: Option<AutoScalingConfig>,
    /// OS patching; none = never patched in the run.
    pub patching: Option<PatchConfig>,
    /// Injected failures, in time order.
    pub failures: Vec<Failure>,
    /// The on-call operator.
    pub operator: OperatorConfig,
    /// The SQS queue through which the fleet reads S3 notifications and
    /// scheduled events (SQS sources use their own `sqs` settings). Workers
    /// receive one message at a time, so only `visibility_timeout_s`,
    /// `max_receive_count` and `retention_s` apply; give long jobs a
    /// visibility timeout above their run time.
    pub notification_queue: SqsConfig,
}

impl Default for Ec2Config {
    fn default() -> Self {
        Ec2Config {
            name: String::new(),
            instance_type: d::INSTANCE_TYPE_DEFAULT.to_string(),
            instances: 2,
            worker_slots: None,
            queue_length: d::LOCAL_QUEUE_DEFAULT,
            speed_factor: 1.0,
            duration: None,
            error_rate: None,
            boot_s: d::BOOT_DEFAULT_S,
            zones: d::ZONES_DEFAULT,
            load_balancer: LoadBalancerConfig::default(),
            health_check: HealthCheckConfig::default(),
            auto_scaling: None,
            patching: None,
            failures: Vec::new(),
            operator: OperatorConfig::default(),
            notification_queue: SqsConfig::default(),
        }
    }
}

/// Collects problems under one path prefix.
struct Problems<'a> {
    prefix: &'a str,
    out: Vec<ScenarioError>,
}

impl Problems<'_> {
    fn push(&mut self, field: &str, value: impl fmt::Display, message: impl Into<String>) {
        self.out.push(ScenarioError {
            path: format!("{}.{field}", self.prefix),
            value: Some(value.to_string()),
            message: message.into(),
        });
    }

    /// `v` must be finite and in [lo, hi]; `who` names the authority ("EC2", "engine").
    fn range(&mut self, field: &str, v: f64, lo: f64, hi: f64, who: &str) {
        if !v.is_finite() {
            self.push(field, v, "is not a finite number");
        } else if v < lo {
            self.push(field, v, format!("is below the {who} minimum of {lo}"));
        } else if v > hi {
            self.push(field, v, format!("is above the {who} maximum of {hi}"));
        }
    }

    fn range_u(&mut self, field: &str, v: u32, lo: u32, hi: u32, who: &str) {
        if v < lo {
            self.push(field, v, format!("is below the {who} minimum of {lo}"));
        } else if v > hi {
            self.push(field, v, format!("is above the {who} maximum of {hi}"));
        }
    }

    /// Times in [0, max] and in order.
    fn times(&mut self, field: &str, times: impl Iterator<Item = f64>, max: f64) {
        let mut last = f64::NEG_INFINITY;
        for (i, t) in times.enumerate() {
            let f = format!("{field}[{i}].at_s");
            if !t.is_finite() || t < 0.0 {
                self.push(&f, t, "must be a time at or after 0");
            } else if t > max {
                self.push(&f, t, format!("is after the end of the run ({max} s)"));
            } else if t < last {
                self.push(
                    &f,
                    t,
                    format!("is before the previous entry ({last}); keep them in time order"),
                );
            }
            if t.is_finite() {
                last = last.max(t);
            }
        }
    }
}

impl Ec2Config {
    /// Worker slots per instance, given the type's vCPUs.
    pub fn slots(&self, vcpu: u32) -> u32 {
        self.worker_slots
            .unwrap_or(vcpu)
            .clamp(1, d::MAX_WORKER_SLOTS)
    }

    /// The most instances this fleet can be asked to run [instances].
    pub fn max_instances(&self) -> u32 {
        match &self.auto_scaling {
            Some(a) => a
                .scheduled
                .iter()
                .filter_map(|s| s.max)
                .fold(a.max, u32::max)
                .max(self.instances),
            None => self.instances,
        }
    }

    /// Every problem of this section; field paths start with `prefix`
    /// (e.g. `ec2`). `has_function` tells whether there is a Lambda function
    /// to borrow the duration model and error rate from.
    pub fn validate(&self, prefix: &str, has_function: bool) -> Vec<ScenarioError> {
        let mut p = Problems {
            prefix,
            out: Vec::new(),
        };
        let catalog = Catalog::us_east_1();
        let vcpu = match catalog.ec2.instance(&self.instance_type) {
            Some(t) => t.vcpu,
            None => {
                p.push(
                    "instance_type",
                    format!("\"{}\"", self.instance_type),
                    format!(
                        "is not in the price catalog; known types: {}",
                        catalog.ec2.names().join(", ")
                    ),
                );
                2
            }
        };
        // Like the Lambda side's provisioned schedule, entries may lie past
        // the end of the run (they never happen), so a run can be shortened
        // without editing its schedules.
        let run_end = MAX_DURATION_S;

        if self.instances > d::MAX_INSTANCES {
            p.push(
                "instances",
                self.instances,
                format!("is above the engine maximum of {}", d::MAX_INSTANCES),
            );
        }
        if self.instances == 0 && self.auto_scaling.is_none() {
            p.push(
                "instances",
                0,
                "leaves a fixed fleet with no instance; give at least 1 or add auto_scaling",
            );
        }
        if let Some(s) = self.worker_slots {
            p.range_u("worker_slots", s, 1, d::MAX_WORKER_SLOTS, "engine");
        }
        if self.queue_length > d::MAX_LOCAL_QUEUE {
            p.push(
                "queue_length",
                self.queue_length,
                format!("is above the engine maximum of {}", d::MAX_LOCAL_QUEUE),
            );
        }
        let per_instance =
            u64::from(self.slots(vcpu)) + u64::from(self.queue_length.min(d::MAX_LOCAL_QUEUE));
        let most = u64::from(self.max_instances().min(d::MAX_INSTANCES));
        if most * per_instance > d::MAX_FLEET_REQUESTS {
            p.push(
                "queue_length",
                self.queue_length,
                format!(
                    "gives {most} instances x ({} slots + {} queued) = {} requests held at once, above the engine maximum of {}",
                    self.slots(vcpu),
                    self.queue_length,
                    most * per_instance,
                    d::MAX_FLEET_REQUESTS
                ),
            );
        }
        p.range(
            "speed_factor",
            self.speed_factor,
            1.0 / d::MAX_SPEED_FACTOR,
            d::MAX_SPEED_FACTOR,
            "engine",
        );
        match &self.duration {
            Some(dist) => {
                for (field, v, msg) in dist.problems() {
                    p.push(&format!("duration.{field}"), v, msg);
                }
            }
            None if !has_function => {
                p.out.push(ScenarioError {
                    path: format!("{prefix}.duration"),
                    value: None,
                    message: "is required when the scenario has no Lambda function to take it from"
                        .into(),
                });
            }
            None => {}
        }
        if let Some(e) = self.error_rate {
            p.range("error_rate", e, 0.0, 1.0, "allowed");
        }
        p.range("boot_s", self.boot_s, 0.0, d::MAX_BOOT_S, "engine");
        p.range_u("zones", self.zones, 1, d::ZONES_MAX, "allowed");

        let lb = &self.load_balancer;
        p.range(
            "load_balancer.request_timeout_s",
            lb.request_timeout_s,
            1.0,
            d::ALB_IDLE_TIMEOUT_MAX_S,
            "ALB",
        );
        p.range(
            "load_balancer.deregistration_delay_s",
            lb.deregistration_delay_s,
            0.0,
            d::DEREGISTRATION_DELAY_MAX_S,
            "ALB",
        );
        p.range(
            "load_balancer.response_kb",
            lb.response_kb,
            0.0,
            1_048_576.0,
            "engine",
        );
        p.range_u("load_balancer.rules", lb.rules, 1, d::RULES_MAX, "ALB");

        let hc = &self.health_check;
        p.range(
            "health_check.interval_s",
            hc.interval_s,
            d::HEALTH_INTERVAL_MIN_S,
            d::HEALTH_INTERVAL_MAX_S,
            "ALB",
        );
        p.range_u(
            "health_check.unhealthy_threshold",
            hc.unhealthy_threshold,
            d::UNHEALTHY_THRESHOLD_MIN,
            d::UNHEALTHY_THRESHOLD_MAX,
            "ALB",
        );

        if let Some(a) = &self.auto_scaling {
            self.validate_asg(&mut p, a, run_end);
        }
        if let Some(pc) = &self.patching {
            self.validate_patching(&mut p, pc);
        }
        if self.failures.len() > d::MAX_EC2_ENTRIES {
            p.push(
                "failures",
                self.failures.len(),
                format!(
                    "entries is above the engine maximum of {}",
                    d::MAX_EC2_ENTRIES
                ),
            );
        }
        let failures = &self.failures[..self.failures.len().min(d::MAX_EC2_ENTRIES)];
        p.times("failures", failures.iter().map(Failure::at_s), run_end);
        for (i, f) in failures.iter().enumerate() {
            if let Failure::AzOutage {
                zone, duration_s, ..
            } = *f
            {
                if zone >= self.zones {
                    p.push(
                        &format!("failures[{i}].zone"),
                        zone,
                        format!(
                            "is not a zone of this fleet (0 to {})",
                            self.zones.saturating_sub(1)
                        ),
                    );
                }
                p.range(
                    &format!("failures[{i}].duration_s"),
                    duration_s,
                    0.0,
                    MAX_DURATION_S,
                    "engine",
                );
            }
        }

        let nq = &self.notification_queue;
        p.range(
            "notification_queue.visibility_timeout_s",
            nq.visibility_timeout_s,
            0.0,
            ed::SQS_VISIBILITY_MAX_S,
            "SQS",
        );
        if (0.0..ed::MIN_VISIBILITY_TIMEOUT_S).contains(&nq.visibility_timeout_s) {
            p.push(
                "notification_queue.visibility_timeout_s",
                nq.visibility_timeout_s,
                format!(
                    "is below the engine minimum of {} (a message that fails at once would come back at the same instant)",
                    ed::MIN_VISIBILITY_TIMEOUT_S
                ),
            );
        }
        p.range(
            "notification_queue.retention_s",
            nq.retention_s,
            ed::SQS_RETENTION_MIN_S,
            ed::SQS_RETENTION_MAX_S,
            "SQS",
        );
        if let Some(m) = nq.max_receive_count {
            p.range_u(
                "notification_queue.max_receive_count",
                m,
                1,
                ed::SQS_MAX_RECEIVE_COUNT_MAX,
                "SQS",
            );
        }

        let o = &self.operator;
        p.range(
            "operator.response_s",
            o.response_s,
            0.0,
            d::MAX_OPERATOR_RESPONSE_S,
            "engine",
        );
        if let Some(c) = o.alarm_cpu_percent {
            p.range("operator.alarm_cpu_percent", c, 1.0, 100.0, "allowed");
        }
        p.range_u(
            "operator.alarm_datapoints",
            o.alarm_datapoints,
            1,
            60,
            "allowed",
        );
        p.range(
            "operator.target_cpu_percent",
            o.target_cpu_percent,
            1.0,
            100.0,
            "allowed",
        );
        p.out
    }

    fn validate_asg(&self, p: &mut Problems, a: &AutoScalingConfig, run_end: f64) {
        p.range_u("auto_scaling.max", a.max, 1, d::MAX_INSTANCES, "engine");
        if a.max < a.min {
            p.push(
                "auto_scaling.max",
                a.max,
                format!("is below auto_scaling.min ({})", a.min),
            );
        } else if self.instances < a.min || self.instances > a.max {
            p.push(
                "instances",
                self.instances,
                format!(
                    "must be within auto_scaling.min and max ({} to {})",
                    a.min, a.max
                ),
            );
        }
        p.range("auto_scaling.warmup_s", a.warmup_s, 0.0, 3_600.0, "allowed");
        p.range(
            "auto_scaling.scale_in_cooldown_s",
            a.scale_in_cooldown_s,
            0.0,
            86_400.0,
            "allowed",
        );
        p.range(
            "auto_scaling.health_check_grace_s",
            a.health_check_grace_s,
            0.0,
            7_200.0,
            "allowed",
        );
        if let Some(t) = &a.target_tracking {
            match t.metric {
                ScalingMetric::Cpu => p.range(
                    "auto_scaling.target_tracking.target",
                    t.target,
                    1.0,
                    100.0,
                    "CPU %",
                ),
                ScalingMetric::RequestsPerTarget => p.range(
                    "auto_scaling.target_tracking.target",
                    t.target,
                    1.0,
                    1e9,
                    "requests-per-target",
                ),
            }
            p.range_u(
                "auto_scaling.target_tracking.scale_out_datapoints",
                t.scale_out_datapoints,
                1,
                60,
                "allowed",
            );
            p.range_u(
                "auto_scaling.target_tracking.scale_in_datapoints",
                t.scale_in_datapoints,
                1,
                60,
                "allowed",
            );
        }
        if a.scheduled.len() > d::MAX_EC2_ENTRIES {
            p.push(
                "auto_scaling.scheduled",
                a.scheduled.len(),
                format!(
                    "entries is above the engine maximum of {}",
                    d::MAX_EC2_ENTRIES
                ),
            );
        }
        let sched = &a.scheduled[..a.scheduled.len().min(d::MAX_EC2_ENTRIES)];
        p.times(
            "auto_scaling.scheduled",
            sched.iter().map(|s| s.at_s),
            run_end,
        );
        for (i, s) in sched.iter().enumerate() {
            for (name, v) in [("min", s.min), ("max", s.max), ("desired", s.desired)] {
                if let Some(v) = v {
                    if v > d::MAX_INSTANCES {
                        p.push(
                            &format!("auto_scaling.scheduled[{i}].{name}"),
                            v,
                            format!("is above the engine maximum of {}", d::MAX_INSTANCES),
                        );
                    }
                }
            }
            if let (Some(lo), Some(hi)) = (s.min, s.max) {
                if hi < lo {
                    p.push(
                        &format!("auto_scaling.scheduled[{i}].max"),
                        hi,
                        format!("is below its min ({lo})"),
                    );
                }
            }
        }
    }

    fn validate_patching(&self, p: &mut Problems, pc: &PatchConfig) {
        p.range(
            "patching.every_days",
            pc.every_days,
            0.001,
            366.0,
            "allowed",
        );
        p.range(
            "patching.first_at_s",
            pc.first_at_s,
            0.0,
            MAX_DURATION_S,
            "engine",
        );
        p.range(
            "patching.out_of_service_s",
            pc.out_of_service_s,
            1.0,
            86_400.0,
            "allowed",
        );
        if !(pc.every_days.is_finite() && pc.out_of_service_s.is_finite()) {
            return;
        }
        let period = pc.every_days * 86_400.0;
        let n = self.max_instances().max(1);
        let window = match pc.mode {
            PatchMode::Rolling => pc.out_of_service_s * f64::from(n),
            PatchMode::AllAtOnce => pc.out_of_service_s,
        };
        if window >= period {
            let how = match pc.mode {
                PatchMode::Rolling => format!(" x {n} instances one at a time = {window} s"),
                PatchMode::AllAtOnce => String::new(),
            };
            p.push(
                "patching.out_of_service_s",
                pc.out_of_service_s,
                format!("makes a patch window{how} that is not shorter than its period (every_days {} = {period} s)", pc.every_days),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Ec2Config {
        serde_json::from_str(json).unwrap()
    }

    fn paths(c: &Ec2Config) -> Vec<String> {
        c.validate("ec2", true)
            .into_iter()
            .map(|e| e.path)
            .collect()
    }

    #[test]
    fn defaults_are_valid_and_round_trip() {
        let c = Ec2Config::default();
        assert!(paths(&c).is_empty());
        let back: Ec2Config = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(back, c);
        assert_eq!(c.slots(2), 2);
        assert_eq!(
            Ec2Config {
                worker_slots: Some(8),
                ..c
            }
            .slots(2),
            8
        );
    }

    #[test]
    fn unknown_fields_are_rejected() {
        assert!(serde_json::from_str::<Ec2Config>(r#"{"instancess": 2}"#).is_err());
        assert!(serde_json::from_str::<Ec2Config>(r#"{"auto_scaling": {"mni": 2}}"#).is_err());
        assert!(serde_json::from_str::<Ec2Config>(
            r#"{"failures": [{"type": "meteor", "at_s": 1}]}"#
        )
        .is_err());
    }

    #[test]
    fn every_problem_is_listed_with_path_value_and_range() {
        let c = parse(
            r#"{"instance_type": "m9.huge", "instances": 5, "speed_factor": 0, "boot_s": -1, "zones": 9,
                "health_check": {"interval_s": 1, "unhealthy_threshold": 1},
                "auto_scaling": {"min": 4, "max": 2, "warmup_s": 99999,
                   "scheduled": [{"at_s": 100, "desired": 3}, {"at_s": 50, "min": 5, "max": 1}]},
                "patching": {"every_days": 0.01, "out_of_service_s": 900, "mode": "all_at_once"},
                "failures": [{"type": "az_outage", "at_s": 10, "zone": 12, "duration_s": 60},
                             {"type": "instance_crash", "at_s": -5}],
                "operator": {"response_s": -5, "target_cpu_percent": 0}}"#,
        );
        let errs = c.validate("ec2", true);
        let text: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        let has = |p: &str| errs.iter().any(|e| e.path == p);
        for p in [
            "ec2.instance_type",
            "ec2.speed_factor",
            "ec2.boot_s",
            "ec2.zones",
            "ec2.health_check.interval_s",
            "ec2.health_check.unhealthy_threshold",
            "ec2.auto_scaling.max",
            "ec2.auto_scaling.warmup_s",
            "ec2.auto_scaling.scheduled[1].at_s",
            "ec2.auto_scaling.scheduled[1].max",
            "ec2.patching.out_of_service_s",
            "ec2.failures[0].zone",
            "ec2.failures[1].at_s",
            "ec2.operator.response_s",
            "ec2.operator.target_cpu_percent",
        ] {
            assert!(has(p), "missing {p} in {text:#?}");
        }
        assert!(
            text.iter()
                .any(|t| t == "ec2.auto_scaling.max: 2 is below auto_scaling.min (4)"),
            "{text:#?}"
        );
        assert!(
            text.iter().any(|t| t.starts_with(
                "ec2.instance_type: \"m9.huge\" is not in the price catalog; known types: t3.micro"
            )),
            "{text:#?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("ec2.zones: 9 is above the allowed maximum of 6")),
            "{text:#?}"
        );
    }

    #[test]
    fn zero_instances_needs_auto_scaling() {
        let c = parse(r#"{"instances": 0}"#);
        let e = c.validate("ec2", true);
        assert_eq!(e.len(), 1);
        assert!(
            e[0].to_string()
                .starts_with("ec2.instances: 0 leaves a fixed fleet with no instance"),
            "{}",
            e[0]
        );
        let c = parse(r#"{"instances": 0, "auto_scaling": {"min": 0, "max": 3}}"#);
        assert!(paths(&c).is_empty(), "{:?}", paths(&c));
    }

    #[test]
    fn instances_must_be_within_the_group() {
        let c = parse(r#"{"instances": 12, "auto_scaling": {"min": 1, "max": 10}}"#);
        assert_eq!(paths(&c), vec!["ec2.instances"]);
    }

    #[test]
    fn rolling_patch_window_counts_every_instance() {
        // 10 instances x 600 s = 6,000 s, longer than a 0.05-day (4,320 s) period.
        let c = parse(
            r#"{"instances": 10, "patching": {"every_days": 0.05, "out_of_service_s": 600}}"#,
        );
        let e = c.validate("ec2", true);
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].message.contains("x 10 instances"), "{}", e[0]);
        let ok = parse(
            r#"{"instances": 10, "patching": {"every_days": 0.05, "out_of_service_s": 600, "mode": "all_at_once"}}"#,
        );
        assert!(paths(&ok).is_empty());
    }

    #[test]
    fn duration_is_needed_without_a_function() {
        let c = Ec2Config::default();
        let e = c.validate("ec2", false);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].path, "ec2.duration");
        let c = Ec2Config {
            duration: Some(Distribution::Exponential { mean_ms: -1.0 }),
            ..Ec2Config::default()
        };
        assert_eq!(c.validate("ec2", false)[0].path, "ec2.duration.mean_ms");
    }

    #[test]
    fn fleet_memory_is_bounded() {
        let c = parse(r#"{"instances": 1000, "worker_slots": 1024, "queue_length": 10000}"#);
        assert!(paths(&c).contains(&"ec2.queue_length".to_string()));
    }
}
