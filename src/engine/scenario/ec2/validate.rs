//! The validation of the `ec2` section: every problem with its field
//! path, value and allowed range, one function per part of the section.

use super::defaults as d;
use super::{
    AutoScalingConfig, Ec2Config, Failure, PatchConfig, PatchMode, ScalingMetric, TargetTracking,
};
use crate::engine::billing::Catalog;
use crate::engine::defaults as ed;
use crate::engine::defaults::MAX_DURATION_S;
use crate::engine::scenario::problems::{Problems, ScenarioError};

impl Ec2Config {
    /// Every problem of this section; field paths start with `prefix`
    /// (e.g. `ec2`). `has_function` tells whether there is a Lambda function
    /// to borrow the duration model and error rate from.
    pub fn validate(&self, prefix: &str, has_function: bool) -> Vec<ScenarioError> {
        let mut p = Problems::under(prefix);
        let vcpu = self.validate_instance_type(&mut p);
        self.validate_fleet(&mut p, vcpu);
        self.validate_workload(&mut p, has_function);
        self.validate_load_balancer(&mut p);
        // Like the Lambda side's provisioned schedule, entries may lie past
        // the end of the run (they never happen), so a run can be shortened
        // without editing its schedules.
        let run_end = MAX_DURATION_S;
        if let Some(a) = &self.auto_scaling {
            self.validate_asg(&mut p, a, run_end);
        }
        if let Some(pc) = &self.patching {
            self.validate_patching(&mut p, pc);
        }
        self.validate_failures(&mut p);
        self.validate_notification_queue(&mut p);
        self.validate_operator(&mut p);
        p.into_vec()
    }

    /// The instance type; returns its vCPUs (2 when it is unknown).
    fn validate_instance_type(&self, p: &mut Problems) -> u32 {
        let catalog = Catalog::us_east_1();
        match catalog.ec2.instance(&self.instance_type) {
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
        }
    }

    /// Fleet size, worker slots and the requests it may hold at once.
    fn validate_fleet(&self, p: &mut Problems, vcpu: u32) {
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
    }

    /// Speed, duration model, error rate, boot time and zones.
    fn validate_workload(&self, p: &mut Problems, has_function: bool) {
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
                    p.push(format!("duration.{field}"), v, msg);
                }
            }
            None if !has_function => p.push_message(
                "duration",
                "is required when the scenario has no Lambda function to take it from",
            ),
            None => {}
        }
        if let Some(e) = self.error_rate {
            p.range("error_rate", e, 0.0, 1.0, "allowed");
        }
        p.range("boot_s", self.boot_s, 0.0, d::MAX_BOOT_S, "engine");
        p.range_u("zones", self.zones, 1, d::ZONES_MAX, "allowed");
    }

    /// The load balancer and its health checks.
    fn validate_load_balancer(&self, p: &mut Problems) {
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
    }

    /// Injected failures: how many, when, which zone, how long.
    fn validate_failures(&self, p: &mut Problems) {
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
        p.times(
            "failures",
            "at_s",
            failures.iter().map(Failure::at_s),
            MAX_DURATION_S,
        );
        for (i, f) in failures.iter().enumerate() {
            if let Failure::AzOutage {
                zone, duration_s, ..
            } = *f
            {
                if zone >= self.zones {
                    p.push(
                        format!("failures[{i}].zone"),
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
    }

    /// The queue through which the fleet reads notifications.
    fn validate_notification_queue(&self, p: &mut Problems) {
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
    }

    /// The on-call operator.
    fn validate_operator(&self, p: &mut Problems) {
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
            validate_target_tracking(p, t);
        }
        validate_scheduled(p, a, run_end);
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

/// The target tracking policy.
fn validate_target_tracking(p: &mut Problems, t: &TargetTracking) {
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

/// Scheduled actions: how many, when, and their sizes.
fn validate_scheduled(p: &mut Problems, a: &AutoScalingConfig, run_end: f64) {
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
        "at_s",
        sched.iter().map(|s| s.at_s),
        run_end,
    );
    for (i, s) in sched.iter().enumerate() {
        for (name, v) in [("min", s.min), ("max", s.max), ("desired", s.desired)] {
            if let Some(v) = v {
                if v > d::MAX_INSTANCES {
                    p.push(
                        format!("auto_scaling.scheduled[{i}].{name}"),
                        v,
                        format!("is above the engine maximum of {}", d::MAX_INSTANCES),
                    );
                }
            }
        }
        if let (Some(lo), Some(hi)) = (s.min, s.max) {
            if hi < lo {
                p.push(
                    format!("auto_scaling.scheduled[{i}].max"),
                    hi,
                    format!("is below its min ({lo})"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::dist::Distribution;

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
