//! The `ec2` section of a scenario: the self-managed deployment (instance
//! type, fleet size, load balancer, Auto Scaling, patching, injected
//! failures, the on-call operator), its defaults and limits ([`defaults`])
//! and its validation ([`Ec2Config::validate`], which lists every problem
//! with its field path, value and allowed range).
//!
//! ```
//! use fanout::engine::scenario::ec2::Ec2Config;
//! let c: Ec2Config = serde_json::from_str(r#"{"instance_type": "c7g.large", "instances": 4}"#).unwrap();
//! assert!(c.validate("ec2", true).is_empty());
//! let bad: Ec2Config = serde_json::from_str(r#"{"instances": 0}"#).unwrap();
//! let errs = bad.validate("ec2", true);
//! assert_eq!(errs[0].path, "ec2.instances");
//! ```

pub mod defaults;
mod validate;

use self::defaults as d;
use crate::engine::dist::Distribution;
use crate::engine::scenario::SqsConfig;
use serde::{Deserialize, Serialize};

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
    /// Idle timeout: a request that takes longer gets HTTP 504 \[s\] (1–4,000).
    pub request_timeout_s: f64,
    /// How long a deregistered (draining) target may finish its requests \[s\] (0–3,600).
    pub deregistration_delay_s: f64,
    /// Response body per request, for the processed-bytes LCU dimension \[KB\].
    pub response_kb: f64,
    /// Listener rules evaluated per request \[rules\] (1–100; the first 10 are free).
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
    /// Time between two checks of a target \[s\] (5–300).
    pub interval_s: f64,
    /// Consecutive failed checks before a target is unhealthy \[checks\] (2–10).
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
    /// Time from a failure to its detection: interval × threshold \[s\].
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
    /// ALB requests per target per minute \[requests\].
    RequestsPerTarget,
}

/// A target tracking scaling policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TargetTracking {
    /// The metric.
    pub metric: ScalingMetric,
    /// Its target: CPU [%] (1–100) or requests per target per minute \[requests\].
    pub target: f64,
    /// One-minute datapoints above target before scaling out \[periods\] (1–60).
    pub scale_out_datapoints: u32,
    /// One-minute datapoints below 90 % of target before scaling in \[periods\] (1–60).
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
    /// New minimum \[instances\].
    #[serde(default)]
    pub min: Option<u32>,
    /// New maximum \[instances\].
    #[serde(default)]
    pub max: Option<u32>,
    /// New desired capacity \[instances\].
    #[serde(default)]
    pub desired: Option<u32>,
}

/// An EC2 Auto Scaling group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AutoScalingConfig {
    /// Minimum size \[instances\].
    pub min: u32,
    /// Maximum size \[instances\] (at most 1,000 in this engine).
    pub max: u32,
    /// Target tracking policy; none = the size changes only by schedule
    /// (health-check replacement still happens).
    pub target_tracking: Option<TargetTracking>,
    /// Instance warm-up: a new instance counts toward the metric (and
    /// scale-in is allowed) this long after launch (the group's InService)
    /// \[s\] (0–3,600).
    pub warmup_s: f64,
    /// Extra wait after any scaling activity before a scale-in \[s\]
    /// (0–86,400), default 0: target tracking waits for warm-up only.
    pub scale_in_cooldown_s: f64,
    /// No health-check replacement this soon after launch \[s\] (0–7,200).
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
    /// Period between patch runs \[days\] (0.001–366).
    pub every_days: f64,
    /// First patch run [s since start].
    pub first_at_s: f64,
    /// Time one instance is out of service while patched and rebooted \[s\].
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
        /// How long the zone refuses launches \[s\].
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
    /// From page to fix done by hand \[s\]. ASSUMPTION (default 30 min).
    pub response_s: f64,
    /// Fixed fleet only: page when the average CPU stays above this [%]
    /// (1–100); none = no overload alarm.
    pub alarm_cpu_percent: Option<f64>,
    /// One-minute datapoints above the alarm threshold before it pages \[periods\] (1–60).
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
    /// Instances at the start \[instances\]: the fleet size without Auto
    /// Scaling, the initial desired capacity with it.
    pub instances: u32,
    /// Requests one instance serves at once \[requests\] (1–1,024); none =
    /// its vCPU count. All slots busy = 100 % CPU.
    pub worker_slots: Option<u32>,
    /// Requests that may wait on one instance when its slots are busy
    /// \[requests\] (0–10,000); beyond it the load balancer answers 503.
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
    /// Launch to in service \[s\] (0–3,600). ASSUMPTION (default 75 s).
    pub boot_s: f64,
    /// Availability Zones the fleet is spread over \[zones\] (1–6).
    pub zones: u32,
    /// Whether each instance is launched with a public IPv4 address,
    /// billed per IP-hour while it exists. Default false: instances behind
    /// the load balancer sit in private subnets (the load balancer's own
    /// addresses, one per zone, are billed either way).
    pub public_ip: bool,
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
            public_ip: d::PUBLIC_IP_DEFAULT,
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

impl Ec2Config {
    /// Worker slots per instance, given the type's vCPUs.
    pub fn slots(&self, vcpu: u32) -> u32 {
        self.worker_slots
            .unwrap_or(vcpu)
            .clamp(1, d::MAX_WORKER_SLOTS)
    }

    /// The most instances this fleet can be asked to run \[instances\].
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
}
