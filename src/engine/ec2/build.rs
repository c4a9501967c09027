//! Building the side from a scenario's `ec2` section ([`Ec2Side::new`]) and
//! starting it ([`Ec2Side::start`]): the initial fleet, and the first metric
//! tick, patch run, injected failures and scheduled actions.

use super::autoscaling::ScalingGroup;
use super::fleet::{FleetInts, FleetSeries};
use super::load_balancer::{AlbMeter, Router};
use super::operator::{Operator, OperatorWork};
use super::patching::PatchSchedule;
use super::workers::ServiceModel;
use super::{Ec2Ctx, Ec2Event, Ec2Side, FleetCounters};
use crate::engine::billing::usage::Ec2Usage;
use crate::engine::billing::Catalog;
use crate::engine::counters::SourceCounters;
use crate::engine::happening::Happenings;
use crate::engine::metrics::{Counters, Integrals, Latency};
use crate::engine::queue::EventQueue;
use crate::engine::scenario::ec2::defaults;
use crate::engine::scenario::ec2::Ec2Config;
use crate::engine::scenario::{Function, Source, SourceKind};
use crate::engine::sqs::SqsQueue;
use crate::engine::time::{SimDuration, SimTime};
use std::collections::{BTreeSet, VecDeque};

impl Ec2Side {
    /// Builds the side of a validated scenario: `cfg` is its `ec2` section,
    /// `function` the Lambda function whose duration model and error rate
    /// it borrows when it has none of its own.
    pub fn new(
        cfg: &Ec2Config,
        sources: &[Source],
        function: Option<&Function>,
        seed: u64,
        duration_s: f64,
    ) -> Ec2Side {
        let secs = SimDuration::from_secs_f64;
        let vcpu = Catalog::us_east_1()
            .ec2
            .instance(&cfg.instance_type)
            .map_or(2, |t| t.vcpu);
        let source_kinds: Vec<SourceKind> = sources.iter().map(|s| s.kind).collect();
        let (queues, sqs_sources) = source_queues(cfg, sources);
        let has_api = source_kinds.contains(&SourceKind::Api);
        let scaling_group = cfg
            .auto_scaling
            .as_ref()
            .map(|group| ScalingGroup::new(group, cfg.instances));
        let load_balancer = &cfg.load_balancer;
        let mut failures = cfg.failures.clone();
        failures.truncate(defaults::MAX_EC2_ENTRIES);
        Ec2Side {
            type_name: cfg.instance_type.clone(),
            vcpu,
            worker_slots: cfg.slots(vcpu),
            local_queue_capacity: cfg.queue_length.min(defaults::MAX_LOCAL_QUEUE) as usize,
            routing: load_balancer.routing,
            service: ServiceModel::new(cfg, function, seed),
            boot_time: secs(cfg.boot_s),
            request_timeout: secs(load_balancer.request_timeout_s),
            deregistration_delay: secs(load_balancer.deregistration_delay_s),
            response_bytes: kb_bytes(load_balancer.response_kb),
            billable_rule_evaluations: u64::from(
                load_balancer.rules.saturating_sub(defaults::FREE_RULES),
            ),
            detection: secs(cfg.health_check.detection_s()),
            zones: cfg.zones.clamp(1, defaults::ZONES_MAX),
            public_ip: cfg.public_ip,
            credit_earn: defaults::burst_baseline_bp(&cfg.instance_type)
                .map_or(0, |bp| u64::from(bp) * u64::from(cfg.slots(vcpu))),
            payload_bytes: sources.iter().map(|s| kb_bytes(s.payload_kb)).collect(),
            source_kinds,
            initial_instances: cfg.instances.min(defaults::MAX_INSTANCES),
            end: SimTime::ZERO + secs(duration_s),
            fixed_target: cfg.instances.min(defaults::MAX_INSTANCES),
            scaling_group,
            patch_schedule: cfg.patching.as_ref().map(PatchSchedule::new),
            patch_queue: VecDeque::new(),
            patch_active: 0,
            failures,
            zone_down_until: vec![SimTime::ZERO; cfg.zones.clamp(1, defaults::ZONES_MAX) as usize],
            operator: Operator::new(&cfg.operator, cfg.auto_scaling.is_some()),
            last_cpu: None,
            instances: Vec::new(),
            free_instance_slots: Vec::new(),
            next_id: 0,
            targets: Vec::new(),
            router: Router::default(),
            pullable: BTreeSet::new(),
            jobs: Vec::new(),
            free_job_slots: Vec::new(),
            queues,
            sqs_sources,
            next_sqs_source: 0,
            returning: Vec::new(),
            free_returning_slots: Vec::new(),
            receive_buffer: Vec::with_capacity(1),
            alb: has_api.then(AlbMeter::default),
            requests_in_period: 0,
            usage: Ec2Usage::default(),
            counters: Counters::default(),
            per_source: vec![SourceCounters::default(); sources.len()],
            ints: Integrals::default(),
            fleet: FleetInts::default(),
            fleet_series: FleetSeries::default(),
            latency: Latency::new(),
            wait_sum_us: 0,
            waits: 0,
            fc: FleetCounters::default(),
            work: OperatorWork::default(),
            sqs_requests: 0,
            s3_put_requests: 0,
        }
    }

    /// Launches the initial fleet (in service at time zero, as if started
    /// before the run) and schedules the metric ticks, patch runs,
    /// failures and scheduled actions. Call once.
    pub fn start<E: From<Ec2Event>>(
        &mut self,
        queue: &mut EventQueue<E>,
        happenings: &mut Happenings,
    ) {
        let mut ctx = Ec2Ctx {
            now: queue.now(),
            queue,
            happenings,
        };
        for _ in 0..self.initial_instances {
            if let Some(slot) = self.launch(&mut ctx) {
                let inst = &mut self.instances[slot as usize];
                inst.initial = true;
                self.enter_service(slot, &mut ctx);
            }
        }
        if let Some(group) = &self.scaling_group {
            self.fc.max_desired = u64::from(group.bounds.desired);
            let scheduled: Vec<SimTime> = group
                .scheduled
                .iter()
                .map(|action| SimTime::ZERO + SimDuration::from_secs_f64(action.at_s))
                .collect();
            for (i, at) in scheduled.into_iter().enumerate() {
                ctx.at(at, Ec2Event::Scheduled { index: i as u32 });
            }
        } else {
            self.fc.max_desired = u64::from(self.fixed_target);
        }
        let period = SimDuration::from_secs(defaults::METRIC_PERIOD_S);
        if period <= self.end.since_start() {
            ctx.at(SimTime::ZERO + period, Ec2Event::Tick);
        }
        if let Some(schedule) = self.patch_schedule {
            if schedule.run_at(0) < self.end {
                ctx.at(schedule.run_at(0), Ec2Event::PatchRun { run: 0 });
            }
        }
        for i in 0..self.failures.len() {
            let at = SimTime::ZERO + SimDuration::from_secs_f64(self.failures[i].at_s());
            ctx.at(at, Ec2Event::Failure { index: i as u32 });
        }
    }
}

/// Payload [KB] to bytes (1 KB = 1,024 bytes).
fn kb_bytes(kb: f64) -> u64 {
    libm::ceil((kb * 1_024.0).max(0.0)) as u64
}

/// One queue per source (none for an API source), and the sources that
/// have one, in order. S3 notifications and schedules reach a self-managed
/// service through an SQS queue (`notification_queue`).
fn source_queues(cfg: &Ec2Config, sources: &[Source]) -> (Vec<Option<SqsQueue>>, Vec<u16>) {
    let secs = SimDuration::from_secs_f64;
    let mut queues = Vec::with_capacity(sources.len());
    let mut sqs_sources = Vec::new();
    for (index, source) in sources.iter().enumerate() {
        if source.kind == SourceKind::Api {
            queues.push(None);
        } else {
            let queue = match source.kind {
                SourceKind::Sqs => source.sqs.clone().unwrap_or_default(),
                _ => cfg.notification_queue.clone(),
            };
            queues.push(Some(SqsQueue::new(
                secs(queue.retention_s),
                secs(queue.visibility_timeout_s),
                queue.max_receive_count,
                kb_bytes(source.payload_kb),
            )));
            sqs_sources.push(index as u16);
        }
    }
    (queues, sqs_sources)
}
