//! The AWS defaults, assumptions and engine limits of the EC2 side, each
//! with where it comes from (see `docs/aws-facts.md`).
//!
//! Kept beside the EC2 code rather than in the engine-wide table because
//! only the fleet uses them; the assumptions among them are also listed in
//! [`EC2_ASSUMPTIONS`] so the report and the UI can show them next to the
//! Lambda side's.

use crate::engine::defaults::Assumption;

// ------------------------------------------------------------- instances

/// Launch to in service: boot, application start and first health checks
/// \[s\]. ASSUMPTION: AWS does not document it; third parties measure ~5 s
/// pending→running and 25–30 s to SSH, plus the application's own start,
/// so `docs/aws-facts.md` asks for 60–90 s. We take the middle.
pub const BOOT_DEFAULT_S: f64 = 75.0;
/// Instance type of a fleet that names none. Source: price catalog (a
/// general-purpose type every account can launch).
pub const INSTANCE_TYPE_DEFAULT: &str = "m5.large";
/// Requests that may wait on one instance beyond its busy worker slots (the
/// server's accept backlog) \[requests\]. ASSUMPTION: an application setting,
/// not AWS behaviour.
pub const LOCAL_QUEUE_DEFAULT: u32 = 100;
/// Availability Zones a fleet spreads over \[zones\]. ASSUMPTION: a common
/// multi-AZ layout; an AZ outage then takes about a third of the fleet.
pub const ZONES_DEFAULT: u32 = 3;
/// Most Availability Zones of one fleet \[zones\] (us-east-1 has six).
/// Source: EC2 "Regions and Zones".
pub const ZONES_MAX: u32 = 6;

// ---------------------------------------------------- load balancer (ALB)

/// ALB idle timeout: a request that takes longer gets HTTP 504 \[s\].
/// Source: ELB docs, "Application Load Balancer attributes" (default 60 s,
/// 1–4,000 s).
pub const ALB_IDLE_TIMEOUT_DEFAULT_S: f64 = 60.0;
/// Largest ALB idle timeout \[s\]. Source: same.
pub const ALB_IDLE_TIMEOUT_MAX_S: f64 = 4_000.0;
/// Deregistration delay: how long a draining target may finish its
/// requests \[s\]. Source: ELB docs, "Target groups" (default 300 s, 0–3,600 s).
pub const DEREGISTRATION_DELAY_DEFAULT_S: f64 = 300.0;
/// Largest deregistration delay \[s\]. Source: same.
pub const DEREGISTRATION_DELAY_MAX_S: f64 = 3_600.0;
/// Health check interval \[s\]. Source: ELB docs, "Health checks for your
/// target groups" (default 30 s, 5–300 s).
pub const HEALTH_INTERVAL_DEFAULT_S: f64 = 30.0;
/// Smallest health check interval \[s\]. Source: same.
pub const HEALTH_INTERVAL_MIN_S: f64 = 5.0;
/// Largest health check interval \[s\]. Source: same.
pub const HEALTH_INTERVAL_MAX_S: f64 = 300.0;
/// Failed checks before a target is unhealthy \[checks\]. Source: same
/// (default 2, 2–10).
pub const UNHEALTHY_THRESHOLD_DEFAULT: u32 = 2;
/// Smallest unhealthy threshold \[checks\]. Source: same.
pub const UNHEALTHY_THRESHOLD_MIN: u32 = 2;
/// Largest unhealthy threshold \[checks\]. Source: same.
pub const UNHEALTHY_THRESHOLD_MAX: u32 = 10;
/// Response body per request, for the processed-bytes LCU dimension \[KB\].
/// ASSUMPTION: a small JSON response.
pub const RESPONSE_KB_DEFAULT: f64 = 4.0;
/// Listener rules evaluated per request \[rules\]; the first 10 are free.
/// Source: ELB pricing ("rule evaluations ... first 10 rules free").
pub const RULES_DEFAULT: u32 = 1;
/// Rules evaluated without charge \[rules\]. Source: ELB pricing.
pub const FREE_RULES: u32 = 10;
/// Most rules of one listener \[rules\]. Source: ELB quotas (100 per ALB listener).
pub const RULES_MAX: u32 = 100;

/// Availability Zones an Application Load Balancer enables at least
/// \[zones\]: a fleet in one zone still has a load balancer in two.
/// Source: ELB docs, "Availability Zones and load balancer nodes" ("you
/// must enable at least two or more Availability Zones").
pub const ALB_MIN_ZONES: u32 = 2;
/// Public IPv4 addresses of an internet-facing load balancer per enabled
/// zone \[addresses\]: one per load balancer node (ELB docs: "the nodes of
/// an internet-facing load balancer have public IP addresses", one node per
/// enabled zone). ASSUMPTION for a load balancer that scaled its nodes up
/// (AWS adds addresses then; not modelled).
pub const ALB_PUBLIC_IPV4_PER_ZONE: u64 = 1;

/// Burstable instance types of the catalog and their baseline CPU
/// utilization PER vCPU \[basis points, 1/100 %\], with the CPU credits
/// each earns per hour: baseline × vCPUs × 60 (one credit = one vCPU at
/// 100 % for one minute). Source: EC2 User Guide, "Burstable performance
/// instances", Key concepts, table "CPU credits earned per hour / Baseline
/// utilization per vCPU": t3.micro 12 credits/h, 10 %; t3.small 24, 20 %;
/// t3.medium 24, 20 % (all 2 vCPUs). T3 instances launch in UNLIMITED mode
/// by default (RunInstances CreditSpecification: "Default: standard (T2
/// instances) or unlimited (T3/T3a/T4g instances)") and an unlimited T3
/// gets NO launch credits (only T2 standard instances do): the balance
/// starts at 0.
pub const BURSTABLE: &[(&str, u32)] = &[
    ("t3.micro", 1_000),
    ("t3.small", 2_000),
    ("t3.medium", 2_000),
];

/// The baseline per vCPU of `instance_type` \[basis points\], if burstable.
pub fn burst_baseline_bp(instance_type: &str) -> Option<u32> {
    BURSTABLE
        .iter()
        .find(|(name, _)| *name == instance_type)
        .map(|&(_, bp)| bp)
}

/// Hours of earned credits an instance can accrue \[h\]: "the maximum
/// number of earned credits that an instance can accrue is equal to the
/// number of credits that it can earn in a 24-hour period" (EC2 User
/// Guide, Burstable performance instances, Key concepts).
pub const CREDIT_ACCRUAL_HOURS: u64 = 24;
/// Whether the fleet's instances get a public IPv4 address by default.
/// A teaching default: instances behind an ALB sit in private subnets
/// (the load balancer in public ones), as AWS's reference architectures
/// put them, and need no public address; a worker fleet reaching SQS from
/// a private subnet needs a NAT gateway or a VPC endpoint (not modelled).
pub const PUBLIC_IP_DEFAULT: bool = false;

// ----------------------------------------------------------- Auto Scaling

/// Period of the metric target tracking reads \[s\]: 1-minute metrics.
/// Source: `docs/aws-facts.md`, "EC2 Auto Scaling target tracking".
pub const METRIC_PERIOD_S: u64 = 60;
/// Datapoints above target before a scale-out \[periods\]: the high alarm of
/// a target tracking policy is 3 of 3 one-minute datapoints. Source:
/// EC2 Auto Scaling docs, "Target tracking scaling policies" (secondary:
/// the alarm settings as AWS creates them).
pub const SCALE_OUT_DATAPOINTS_DEFAULT: u32 = 3;
/// Datapoints below target before a scale-in \[periods\]: the low alarm is
/// 15 of 15, so it scales out faster than in. Source: same (secondary).
pub const SCALE_IN_DATAPOINTS_DEFAULT: u32 = 15;
/// The low alarm fires below this share of the target \[1\]. Source: same
/// (secondary: the low alarm sits at 90 % of the target).
pub const SCALE_IN_THRESHOLD_SHARE: f64 = 0.9;
/// Largest share of the fleet one scale-in removes \[1\]. ASSUMPTION: AWS says
/// target tracking scales in "gradually" without a figure.
pub const SCALE_IN_MAX_STEP_SHARE: f64 = 0.1;
/// Instance warm-up: a new instance counts toward the metric, and scale-in
/// may happen, only this long after it enters the group's InService state
/// \[s\], which is at launch here (the boot, the application starting, runs
/// inside the warm-up). Source: EC2 Auto Scaling User Guide, "Set the
/// default instance warmup" ("how long after an instance reaches the
/// InService state it waits before contributing usage data");
/// `EstimatedInstanceWarmup` falls back to the 300 s default cooldown.
pub const WARMUP_DEFAULT_S: f64 = 300.0;
/// Extra wait after a scaling activity before a scale-in \[s\]: 0, as
/// target tracking uses warm-up, not the cooldown (EC2 Auto Scaling docs:
/// the default cooldown, 300 s, applies to simple scaling policies only).
/// A user value still delays scale-in (a teaching knob, not an AWS setting
/// of target tracking).
pub const COOLDOWN_DEFAULT_S: f64 = 0.0;
/// Health check grace period: no health-check replacement this soon after
/// launch \[s\]. Source: `docs/aws-facts.md` (300 s).
pub const HEALTH_GRACE_DEFAULT_S: f64 = 300.0;
/// Smallest and largest Auto Scaling minimum default \[instances\].
pub const ASG_MIN_DEFAULT: u32 = 1;
/// Default Auto Scaling maximum \[instances\]. ASSUMPTION: a teaching default.
pub const ASG_MAX_DEFAULT: u32 = 10;
/// Default target of a CPU policy [%]. ASSUMPTION: a common choice.
pub const TARGET_CPU_DEFAULT: f64 = 50.0;

// -------------------------------------------------------------------- SQS

/// Long-poll wait of an idle worker's ReceiveMessage \[s\]: an empty poll is
/// one billed request per this long. Source: SQS docs, "long polling"
/// (`WaitTimeSeconds` at most 20 s).
pub const SQS_LONG_POLL_S: u64 = 20;

// ------------------------------------------------------------- operations

/// Time from a page to the operator's fix (acknowledge, investigate,
/// replace or resize by hand) \[s\]. ASSUMPTION: 30 minutes, a typical
/// on-call response; a parameter (`ec2.operator.response_s`).
pub const OPERATOR_RESPONSE_DEFAULT_S: f64 = 1_800.0;
/// Average CPU above which the overload alarm counts a datapoint [%].
/// ASSUMPTION: a common alarm threshold.
pub const ALARM_CPU_DEFAULT: f64 = 90.0;
/// Datapoints above the threshold before the alarm pages \[periods\].
/// ASSUMPTION.
pub const ALARM_DATAPOINTS_DEFAULT: u32 = 3;
/// CPU the operator sizes a fixed fleet for when resizing by hand [%].
/// ASSUMPTION.
pub const OPERATOR_TARGET_CPU_DEFAULT: f64 = 60.0;
/// OS patch period \[days\]. ASSUMPTION: monthly ("Patch Tuesday").
pub const PATCH_EVERY_DAYS_DEFAULT: f64 = 30.0;
/// Time one instance is out of service while patched and rebooted \[s\].
/// ASSUMPTION.
pub const PATCH_OUT_OF_SERVICE_DEFAULT_S: f64 = 600.0;

// ----------------------------------------------------------- engine limits

/// ENGINE LIMIT: most instances of one fleet at once (launching, in service,
/// draining, failed) \[instances\].
pub const MAX_INSTANCES: u32 = 1_000;
/// ENGINE LIMIT: most worker slots of one instance \[requests\].
pub const MAX_WORKER_SLOTS: u32 = 1_024;
/// ENGINE LIMIT: longest local queue of one instance \[requests\].
pub const MAX_LOCAL_QUEUE: u32 = 10_000;
/// ENGINE LIMIT: most requests the largest fleet can hold at once
/// (max instances × (worker slots + local queue)) \[requests\]; ~32 bytes
/// each, so at most ~64 MB.
pub const MAX_FLEET_REQUESTS: u64 = 2_000_000;
/// ENGINE LIMIT: longest boot time \[s\].
pub const MAX_BOOT_S: f64 = 3_600.0;
/// ENGINE LIMIT: largest speed factor (and 1 / the smallest) [×].
pub const MAX_SPEED_FACTOR: f64 = 100.0;
/// ENGINE LIMIT: most failure injections or scheduled actions \[entries\].
pub const MAX_EC2_ENTRIES: usize = 1_000;
/// ENGINE LIMIT: longest operator response \[s\] (7 days).
pub const MAX_OPERATOR_RESPONSE_S: f64 = 604_800.0;

/// The EC2 side's assumptions, to show beside the Lambda side's.
pub const EC2_ASSUMPTIONS: &[Assumption] = &[
    Assumption {
        name: "ec2.boot_s",
        value: BOOT_DEFAULT_S,
        unit: "s",
        why: "launch to in service is not documented; ~30 s to SSH (third parties) plus the application's start: 60-90 s",
    },
    Assumption {
        name: "ec2.operator.response_s",
        value: OPERATOR_RESPONSE_DEFAULT_S,
        unit: "s",
        why: "time from a page to a fix made by hand; a typical on-call response, not an AWS figure",
    },
    Assumption {
        name: "ec2.queue_length",
        value: LOCAL_QUEUE_DEFAULT as f64,
        unit: "requests per instance",
        why: "the application server's accept backlog; an application setting",
    },
    Assumption {
        name: "target tracking scale-in step",
        value: SCALE_IN_MAX_STEP_SHARE * 100.0,
        unit: "% of the fleet per scale-in",
        why: "AWS says target tracking scales in 'gradually' without a figure",
    },
    Assumption {
        name: "target tracking alarms",
        value: SCALE_OUT_DATAPOINTS_DEFAULT as f64,
        unit: "datapoints out (15 in, low alarm at 90 % of target)",
        why: "the alarms AWS creates for a target tracking policy (secondary sources)",
    },
    Assumption {
        name: "ec2.patching.out_of_service_s",
        value: PATCH_OUT_OF_SERVICE_DEFAULT_S,
        unit: "s per instance",
        why: "time to patch and reboot one instance; depends on the OS and the patches",
    },
    Assumption {
        name: "AZ outage (live operation or ec2.failures)",
        value: HEALTH_INTERVAL_DEFAULT_S * UNHEALTHY_THRESHOLD_DEFAULT as f64,
        unit: "s until the load balancer stops routing to the zone (default health checks)",
        why: "the zone's instances fail at once; the ALB notices them by its health checks (interval × unhealthy threshold) and Auto Scaling relaunches in the other zones (EC2 Auto Scaling docs); the rebalancing AWS does when the zone returns is not modelled",
    },
    Assumption {
        name: "public IPv4 addresses of the load balancer",
        value: ALB_PUBLIC_IPV4_PER_ZONE as f64,
        unit: "per enabled zone (at least 2 zones), billed per second",
        why: "one per load balancer node; AWS adds nodes (and addresses) as a load balancer scales, not modelled; AWS prices addresses per IP-hour without saying how a partial hour is counted, so they are counted per second",
    },
    Assumption {
        name: "T3 surplus CPU credits billed at the window's end",
        value: 1.0,
        unit: "charge per instance, at termination or at the end of the window",
        why: "AWS charges surplus credits when the instance terminates or stops, or when they exceed what it can earn in 24 hours; Fanout bills each instance's surplus not yet paid back at termination or at the window's end (an instance still running could pay it back later); instances in service at time zero start with 0 credits like a new launch; CPU is the instance's busy worker slots over its slots",
    },
    Assumption {
        name: "ec2.load_balancer.response_kb",
        value: RESPONSE_KB_DEFAULT,
        unit: "KB",
        why: "response size for the ALB processed-bytes dimension; one new connection per request",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_consistent() {
        assert!((60.0..=90.0).contains(&BOOT_DEFAULT_S));
        const {
            assert!(
                SCALE_OUT_DATAPOINTS_DEFAULT < SCALE_IN_DATAPOINTS_DEFAULT,
                "scale out faster than in"
            )
        };
        assert!(
            (HEALTH_INTERVAL_MIN_S..=HEALTH_INTERVAL_MAX_S).contains(&HEALTH_INTERVAL_DEFAULT_S)
        );
        assert!((UNHEALTHY_THRESHOLD_MIN..=UNHEALTHY_THRESHOLD_MAX)
            .contains(&UNHEALTHY_THRESHOLD_DEFAULT));
        const { assert!(ASG_MIN_DEFAULT <= ASG_MAX_DEFAULT && ASG_MAX_DEFAULT <= MAX_INSTANCES) };
        const { assert!(MAX_INSTANCES as u64 * (LOCAL_QUEUE_DEFAULT as u64 + 2) <= MAX_FLEET_REQUESTS) };
        for a in EC2_ASSUMPTIONS {
            assert!(!a.why.is_empty() && a.value > 0.0, "{}", a.name);
        }
    }
}
