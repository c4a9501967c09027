//! The self-managed side: an EC2 fleet behind an Application Load Balancer
//! and/or pulling from SQS, with optional Auto Scaling, OS patching,
//! injected failures and an on-call operator.
//!
//! It is a "platform" with the same shape as the Lambda side: built from a
//! scenario, started once ([`Ec2Side::start`]), fed every arrival
//! ([`Ec2Side::on_arrival`]) and its own events ([`Ec2Side::on_event`]).
//! Its events are [`Ec2Event`]s, small and `Copy`, scheduled into the
//! shared event queue through `From<Ec2Event>`.
//!
//! Model in brief:
//! - API sources go through the ALB to an in-service instance (round robin
//!   or least outstanding requests); an instance runs `worker_slots`
//!   requests at once and queues up to `queue_length` more; no target or a
//!   full target is an HTTP 503. A crashed instance keeps receiving traffic
//!   (HTTP 502) until the health checks notice (interval × threshold).
//! - SQS sources (and S3 / scheduled sources, which a self-managed service
//!   reads through an SQS queue) are pulled by idle workers with long
//!   polling: a message is received the moment a worker is free, so c
//!   single-slot workers form an M/M/c queue. A failed message or one
//!   processed past its visibility timeout returns after the timeout;
//!   after `maxReceiveCount` receives it goes to the DLQ.
//! - A fixed fleet does not heal: a failed instance stays billed and
//!   useless until the operator, paged at detection, replaces it by hand
//!   after the response time. Auto Scaling replaces it at detection (after
//!   the health-check grace period) and tracks its target.

pub mod alb;
pub mod autoscaling;
pub mod config;
pub mod defaults;
pub mod fleet;
pub mod ops;
pub mod view;

use self::alb::{AlbMeter, Router};
use self::autoscaling::{Bounds, Tracker};
use self::config::{Ec2Config, Failure, PatchMode, Routing, ScalingMetric, ScheduledAction};
use self::defaults as d;
use self::fleet::{AfterDrain, FleetInts, FleetSeries, Instance, InstanceState, Queued};
use self::ops::{Alarm, OperatorWork, Pager, PatchSchedule};
use super::action::ActionError;
use super::billing::usage::{sqs_request_units, Ec2Usage, EventSourceUsage};
use super::billing::Catalog;
use super::defaults::MAX_WAITING_EVENTS;
use super::dist::{rng_stream, Distribution, Rng, Sampler, STREAM_EC2_SERVICE};
use super::happening::{HappeningKind, Happenings, Side};
use super::lambda::SourceCounters;
use super::metrics::{
    Counters, Integrals, Latency, G_BUSY, G_IDLE, G_INIT, G_PROVISIONED, G_TOTAL, G_WAITING,
};
use super::queue::EventQueue;
use super::scenario::{Function, Source, SourceKind};
use super::slots::store;
use super::sqs::{Msg, SqsQueue};
use super::time::{SimDuration, SimTime};
use rand::RngExt;
use serde::Serialize;
use std::collections::{BTreeSet, VecDeque};

/// Events of the EC2 side. `inst` indexes the instance table and `gen`
/// guards against a slot reused since the event was scheduled; `job`
/// likewise for running work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ec2Event {
    /// A worker finishes a request or message.
    Done { job: u32, gen: u32 },
    /// An instance finished booting.
    Booted { inst: u32, gen: u32 },
    /// A draining instance's deregistration delay ran out.
    DrainDeadline { inst: u32, gen: u32 },
    /// An instance's patch and reboot are done.
    PatchDone { inst: u32, gen: u32 },
    /// The health checks notice a failed instance.
    Detect { inst: u32, gen: u32 },
    /// A message returns to its queue after its visibility timeout.
    Visible { slot: u32 },
    /// A 1-minute metric period ends (Auto Scaling, alarms).
    Tick,
    /// The paged operator acts.
    Operator,
    /// Patch run `run` starts.
    PatchRun { run: u32 },
    /// Injected failure `index` happens.
    Failure { index: u32 },
    /// Availability Zone `zone` recovers.
    ZoneUp { zone: u32 },
    /// Scheduled action `index` applies.
    Scheduled { index: u32 },
}

/// The scheduling context: the shared queue and happening log.
pub struct Ec2Ctx<'a, E> {
    pub now: SimTime,
    pub q: &'a mut EventQueue<E>,
    pub h: &'a mut Happenings,
}

impl<E: From<Ec2Event>> Ec2Ctx<'_, E> {
    /// Schedules at `at`, never before now (so scheduling cannot fail).
    #[inline]
    fn at(&mut self, at: SimTime, e: Ec2Event) {
        let at = at.max(self.now).max(self.q.now());
        let _ = self.q.schedule(at, E::from(e));
    }
    #[inline]
    /// Logs an EC2 happening: the kinds the Lambda side uses too keep
    /// their meaning (`RoutedWarm` a request routed to an instance or a
    /// message received by one, `Throttled` the load balancer's 503), so a
    /// drawing treats "reached a worker" and "refused" alike on both sides.
    fn log(&mut self, what: HappeningKind, source: Option<u16>, instance: Option<u64>) {
        self.h
            .push(self.now, Side::Ec2, what, source.map(u32::from), instance);
    }
}

/// Counters of the fleet itself (beyond the shared [`Counters`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FleetCounters {
    /// Instances launched, initial fleet included [instances].
    pub launched: u64,
    /// Instances terminated [instances].
    pub terminated: u64,
    /// Instances that failed (crash or AZ outage) [instances].
    pub failed: u64,
    /// Failed instances replaced by Auto Scaling [instances].
    pub replaced_automatically: u64,
    /// Launches refused: every zone down or the engine's instance limit [launches].
    pub launches_refused: u64,
    /// Requests answered 503 by the load balancer [requests].
    pub http_503: u64,
    /// ... of which because no target was in service [requests].
    pub http_503_no_target: u64,
    /// Requests answered 502 (dead target, or cut off by a crash or a drain deadline) [requests].
    pub http_502: u64,
    /// Requests answered 504 (past the idle timeout) [requests].
    pub http_504: u64,
    /// Scale-out activities of target tracking [activities].
    pub scale_outs: u64,
    /// Scale-in activities of target tracking [activities].
    pub scale_ins: u64,
    /// Scheduled actions applied [actions].
    pub scheduled_actions: u64,
    /// Most instances out of service for patching at once [instances].
    pub max_patching_out: u64,
    /// Most desired capacity seen [instances].
    pub max_desired: u64,
    /// Highest desired capacity above the group's max ever set: must stay 0 [instances].
    pub desired_over_max: u64,
    /// Work started on an instance that was not in service: must stay 0 [starts].
    pub served_while_not_in_service: u64,
    /// Age of the oldest waiting message, highest seen at a metric tick [µs].
    pub oldest_message_age_max_us: u64,
    /// Empty long-poll receives of idle workers [requests].
    pub empty_receives: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Success,
    Error,
    Timeout,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Work {
    Http {
        source: u16,
        arrived: SimTime,
    },
    Msg {
        source: u16,
        msg: Msg,
        received: SimTime,
    },
}

#[derive(Clone, Copy, Debug)]
struct Job {
    inst: u32,
    gen: u32,
    live: bool,
    work: Work,
    outcome: Outcome,
    started: SimTime,
    service: SimDuration,
}

/// A message waiting out its visibility timeout.
#[derive(Clone, Copy, Debug)]
struct Returning {
    source: u16,
    msg: Msg,
    timed_out: bool,
    live: bool,
}

struct Asg {
    bounds: Bounds,
    tracker: Option<Tracker>,
    warmup: SimDuration,
    cooldown: SimDuration,
    grace: SimDuration,
    scheduled: Vec<ScheduledAction>,
    last_activity: SimTime,
}

/// Per-instance contributions to the gauges, to apply changes as diffs.
#[derive(Clone, Copy, Default)]
struct Contrib {
    alive: u64,
    busy: u64,
    idle: u64,
    booting: u64,
    in_service: u64,
    running_slots: u64,
    pullable: bool,
}

/// The EC2 deployment.
pub struct Ec2Side {
    // configuration
    type_name: String,
    vcpu: u32,
    slots: u32,
    queue_len: usize,
    routing: Routing,
    sampler: Sampler,
    factor: f64,
    error_rate: f64,
    boot: SimDuration,
    request_timeout: SimDuration,
    dereg_delay: SimDuration,
    response_bytes: u64,
    rule_evals: u64,
    detection: SimDuration,
    zones: u32,
    kinds: Vec<SourceKind>,
    payload_bytes: Vec<u64>,
    initial: u32,
    end: SimTime,
    rng: Rng,

    asg: Option<Asg>,
    fixed_target: u32,
    patch: Option<PatchSchedule>,
    patch_queue: VecDeque<u64>,
    patch_active: u64,
    failures: Vec<Failure>,
    zone_down_until: Vec<SimTime>,
    on_call: bool,
    response: SimDuration,
    alarm: Option<Alarm>,
    target_cpu: f64,
    pager: Pager,
    overload_pending: bool,
    last_cpu: Option<f64>,

    // state
    insts: Vec<Instance>,
    inst_free: Vec<u32>,
    next_id: u64,
    targets: Vec<u32>,
    router: Router,
    pullable: BTreeSet<u32>,
    jobs: Vec<Job>,
    job_free: Vec<u32>,
    queues: Vec<Option<SqsQueue>>,
    sqs_sources: Vec<u16>,
    sqs_rr: usize,
    returning: Vec<Returning>,
    returning_free: Vec<u32>,
    scratch: Vec<Msg>,
    alb: Option<AlbMeter>,
    requests_in_period: u64,
    usage: Ec2Usage,

    /// Event counters, with the same meaning as the Lambda side's.
    pub counters: Counters,
    /// Per-source outcomes.
    pub per_source: Vec<SourceCounters>,
    /// Gauges over time: G_TOTAL instances alive, G_BUSY busy worker slots,
    /// G_IDLE free slots in service, G_INIT booting instances, G_WAITING
    /// waiting events, G_PROVISIONED instances in service.
    pub ints: Integrals,
    /// Instances by state over time, and CPU.
    pub fleet: FleetInts,
    /// Instance counts by state and CPU, downsampled.
    pub fleet_series: FleetSeries,
    /// End-to-end latency of finished events.
    pub latency: Latency,
    /// Sum of queueing delays (arrival to start of work, first receive for
    /// messages) [µs].
    pub wait_sum_us: u128,
    /// Queueing delays measured [events].
    pub waits: u64,
    /// Fleet counters.
    pub fc: FleetCounters,
    /// Operator work.
    pub work: OperatorWork,
    /// SQS requests (send, receive, delete; 64 KB chunks), empty polls excluded [requests].
    pub sqs_requests: u64,
    /// S3 PUT requests of S3 sources [requests].
    pub s3_put_requests: u64,
}

/// Payload [KB] to bytes (1 KB = 1,024 bytes).
fn kb_bytes(kb: f64) -> u64 {
    libm::ceil((kb * 1_024.0).max(0.0)) as u64
}

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
        let catalog = Catalog::us_east_1();
        let vcpu = catalog
            .ec2
            .instance(&cfg.instance_type)
            .map_or(2, |t| t.vcpu);
        let dist = cfg
            .duration
            .clone()
            .or_else(|| function.map(|f| f.duration.clone()))
            .unwrap_or_default();
        let error_rate = cfg
            .error_rate
            .or(function.map(|f| f.error_rate))
            .unwrap_or(0.0);
        let kinds: Vec<SourceKind> = sources.iter().map(|s| s.kind).collect();
        let mut queues = Vec::with_capacity(sources.len());
        let mut sqs_sources = Vec::new();
        for (i, s) in sources.iter().enumerate() {
            if s.kind == SourceKind::Api {
                queues.push(None);
            } else {
                // S3 notifications and schedules reach a self-managed
                // service through an SQS queue (`notification_queue`).
                let c = match s.kind {
                    SourceKind::Sqs => s.sqs.clone().unwrap_or_default(),
                    _ => cfg.notification_queue.clone(),
                };
                queues.push(Some(SqsQueue::new(
                    secs(c.retention_s),
                    secs(c.visibility_timeout_s),
                    c.max_receive_count,
                    kb_bytes(s.payload_kb),
                )));
                sqs_sources.push(i as u16);
            }
        }
        let has_api = kinds.contains(&SourceKind::Api);
        let asg = cfg.auto_scaling.as_ref().map(|a| {
            let mut sched = a.scheduled.clone();
            sched.truncate(d::MAX_EC2_ENTRIES);
            Asg {
                bounds: Bounds {
                    min: a.min,
                    max: a.max.max(a.min),
                    desired: cfg.instances.clamp(a.min, a.max.max(a.min)),
                },
                tracker: a.target_tracking.clone().map(Tracker::new),
                warmup: secs(a.warmup_s),
                cooldown: secs(a.scale_in_cooldown_s),
                grace: secs(a.health_check_grace_s),
                scheduled: sched,
                last_activity: SimTime::ZERO,
            }
        });
        let alarm = if asg.is_none() {
            cfg.operator
                .alarm_cpu_percent
                .map(|c| Alarm::new(c, cfg.operator.alarm_datapoints))
        } else {
            None
        };
        let lb = &cfg.load_balancer;
        let mut failures = cfg.failures.clone();
        failures.truncate(d::MAX_EC2_ENTRIES);
        Ec2Side {
            type_name: cfg.instance_type.clone(),
            vcpu,
            slots: cfg.slots(vcpu),
            queue_len: cfg.queue_length.min(d::MAX_LOCAL_QUEUE) as usize,
            routing: lb.routing,
            sampler: dist_sampler(&dist),
            factor: 1.0
                / cfg
                    .speed_factor
                    .clamp(1.0 / d::MAX_SPEED_FACTOR, d::MAX_SPEED_FACTOR),
            error_rate,
            boot: secs(cfg.boot_s),
            request_timeout: secs(lb.request_timeout_s),
            dereg_delay: secs(lb.deregistration_delay_s),
            response_bytes: kb_bytes(lb.response_kb),
            rule_evals: u64::from(lb.rules.saturating_sub(d::FREE_RULES)),
            detection: secs(cfg.health_check.detection_s()),
            zones: cfg.zones.clamp(1, d::ZONES_MAX),
            payload_bytes: sources.iter().map(|s| kb_bytes(s.payload_kb)).collect(),
            kinds,
            initial: cfg.instances.min(d::MAX_INSTANCES),
            end: SimTime::ZERO + secs(duration_s),
            rng: rng_stream(seed, STREAM_EC2_SERVICE, 0),
            fixed_target: cfg.instances.min(d::MAX_INSTANCES),
            asg,
            patch: cfg.patching.as_ref().map(PatchSchedule::new),
            patch_queue: VecDeque::new(),
            patch_active: 0,
            failures,
            zone_down_until: vec![SimTime::ZERO; cfg.zones.clamp(1, d::ZONES_MAX) as usize],
            on_call: cfg.operator.on_call,
            response: secs(cfg.operator.response_s),
            alarm,
            target_cpu: cfg.operator.target_cpu_percent,
            pager: Pager::default(),
            overload_pending: false,
            last_cpu: None,
            insts: Vec::new(),
            inst_free: Vec::new(),
            next_id: 0,
            targets: Vec::new(),
            router: Router::default(),
            pullable: BTreeSet::new(),
            jobs: Vec::new(),
            job_free: Vec::new(),
            queues,
            sqs_sources,
            sqs_rr: 0,
            returning: Vec::new(),
            returning_free: Vec::new(),
            scratch: Vec::with_capacity(1),
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
    pub fn start<E: From<Ec2Event>>(&mut self, q: &mut EventQueue<E>, h: &mut Happenings) {
        let mut ctx = Ec2Ctx { now: q.now(), q, h };
        for _ in 0..self.initial {
            if let Some(slot) = self.launch(&mut ctx) {
                let inst = &mut self.insts[slot as usize];
                inst.initial = true;
                self.enter_service(slot, &mut ctx);
            }
        }
        if let Some(a) = &self.asg {
            self.fc.max_desired = u64::from(a.bounds.desired);
            let sched: Vec<SimTime> = a
                .scheduled
                .iter()
                .map(|s| SimTime::ZERO + SimDuration::from_secs_f64(s.at_s))
                .collect();
            for (i, at) in sched.into_iter().enumerate() {
                ctx.at(at, Ec2Event::Scheduled { index: i as u32 });
            }
        } else {
            self.fc.max_desired = u64::from(self.fixed_target);
        }
        let period = SimDuration::from_secs(d::METRIC_PERIOD_S);
        if period <= self.end.since_start() {
            ctx.at(SimTime::ZERO + period, Ec2Event::Tick);
        }
        if let Some(p) = self.patch {
            if p.run_at(0) < self.end {
                ctx.at(p.run_at(0), Ec2Event::PatchRun { run: 0 });
            }
        }
        for i in 0..self.failures.len() {
            let at = SimTime::ZERO + SimDuration::from_secs_f64(self.failures[i].at_s());
            ctx.at(at, Ec2Event::Failure { index: i as u32 });
        }
    }

    /// Worker slots per instance.
    pub fn slots(&self) -> u32 {
        self.slots
    }

    /// vCPUs per instance.
    pub fn vcpu(&self) -> u32 {
        self.vcpu
    }

    /// Instance type name.
    pub fn instance_type(&self) -> &str {
        &self.type_name
    }

    /// Min, max and desired capacity (a fixed fleet: its size for all three).
    pub fn bounds(&self) -> Bounds {
        match &self.asg {
            Some(a) => a.bounds,
            None => Bounds {
                min: self.fixed_target,
                max: self.fixed_target,
                desired: self.fixed_target,
            },
        }
    }

    /// Whether Auto Scaling manages the fleet.
    pub fn auto_scaling(&self) -> bool {
        self.asg.is_some()
    }

    // ------------------------------------------------------------- gauges

    fn contrib(&self, slot: u32) -> Contrib {
        let i = &self.insts[slot as usize];
        let slots = u64::from(self.slots);
        let busy = u64::from(i.busy);
        match i.state {
            InstanceState::Terminated => Contrib::default(),
            InstanceState::Booting => Contrib {
                alive: 1,
                booting: 1,
                ..Contrib::default()
            },
            InstanceState::InService => Contrib {
                alive: 1,
                busy,
                idle: slots.saturating_sub(busy),
                in_service: 1,
                running_slots: slots,
                pullable: !self.sqs_sources.is_empty() && i.busy < self.slots && i.local.is_empty(),
                ..Contrib::default()
            },
            InstanceState::Draining => Contrib {
                alive: 1,
                busy,
                running_slots: slots,
                ..Contrib::default()
            },
            InstanceState::Patching | InstanceState::Failed => Contrib {
                alive: 1,
                ..Contrib::default()
            },
        }
    }

    /// Changes instance `slot` with `f` and applies the change to every gauge.
    #[inline]
    fn mutate(&mut self, slot: u32, now: SimTime, f: impl FnOnce(&mut Instance)) {
        self.ints.advance(now);
        let before = self.contrib(slot);
        let inst = &mut self.insts[slot as usize];
        inst.integrate(now);
        let from = inst.state;
        f(inst);
        let to = inst.state;
        if from != to {
            // State counts and running slots change only here.
            self.fleet.advance(now);
            self.fleet.moved(Some(from), to);
        }
        let after = self.contrib(slot);
        let apply = |ints: &mut Integrals, g: usize, a: u64, b: u64| {
            if b > a {
                ints.add(g, b - a);
            } else if a > b {
                ints.sub(g, a - b);
            }
        };
        apply(&mut self.ints, G_TOTAL, before.alive, after.alive);
        apply(&mut self.ints, G_BUSY, before.busy, after.busy);
        apply(&mut self.ints, G_IDLE, before.idle, after.idle);
        apply(&mut self.ints, G_INIT, before.booting, after.booting);
        apply(
            &mut self.ints,
            G_PROVISIONED,
            before.in_service,
            after.in_service,
        );
        self.fleet.slots_now = self.fleet.slots_now + after.running_slots - before.running_slots;
        if before.pullable != after.pullable {
            if after.pullable {
                self.pullable.insert(slot);
            } else {
                self.pullable.remove(&slot);
            }
        }
    }

    /// One worker slot of `slot` starts (`up`) or ends work: the per-request
    /// fast path of [`Ec2Side::mutate`].
    #[inline]
    fn busy_step(&mut self, slot: u32, now: SimTime, up: bool) {
        self.ints.advance(now);
        let slots = self.slots;
        let inst = &mut self.insts[slot as usize];
        inst.integrate(now);
        if up {
            inst.busy += 1;
        } else {
            inst.busy -= 1;
        }
        let (state, busy, queue_empty) = (inst.state, inst.busy, inst.local.is_empty());
        match state {
            InstanceState::InService => {
                if up {
                    self.ints.add(G_BUSY, 1);
                    self.ints.sub(G_IDLE, 1);
                } else {
                    self.ints.sub(G_BUSY, 1);
                    self.ints.add(G_IDLE, 1);
                }
                if !self.sqs_sources.is_empty() {
                    if busy < slots && queue_empty {
                        self.pullable.insert(slot);
                    } else {
                        self.pullable.remove(&slot);
                    }
                }
            }
            InstanceState::Draining => {
                if up {
                    self.ints.add(G_BUSY, 1);
                } else {
                    self.ints.sub(G_BUSY, 1);
                }
            }
            _ => {}
        }
    }

    fn set_waiting(&mut self, now: SimTime, n: u64, up: bool) {
        self.ints.advance(now);
        if up {
            self.counters.waiting += n;
            self.ints.add(G_WAITING, n);
        } else {
            self.counters.waiting -= n;
            self.ints.sub(G_WAITING, n);
        }
    }

    fn record_wait(&mut self, d: SimDuration) {
        self.wait_sum_us += u128::from(d.as_micros());
        self.waits += 1;
    }

    // ----------------------------------------------------------- arrivals

    /// A request or message arrives from `source`.
    pub fn on_arrival<E: From<Ec2Event>>(&mut self, source: u16, ctx: &mut Ec2Ctx<E>) {
        let s = source as usize;
        self.counters.arrived += 1;
        self.per_source[s].arrived += 1;
        match self.kinds[s] {
            SourceKind::Api => self.on_request(source, ctx),
            kind => {
                if kind == SourceKind::S3 {
                    self.s3_put_requests += 1;
                }
                if self.counters.waiting >= MAX_WAITING_EVENTS {
                    self.counters.dropped += 1;
                    self.counters.overflow += 1;
                    self.per_source[s].dropped += 1;
                    ctx.log(HappeningKind::Dropped, Some(source), None);
                    return;
                }
                let Some(q) = self.queues[s].as_mut() else {
                    return;
                };
                q.send(ctx.now);
                self.sqs_requests += sqs_request_units(q.payload_bytes);
                self.set_waiting(ctx.now, 1, true);
                self.dispatch_sqs(ctx);
            }
        }
    }

    fn on_request<E: From<Ec2Event>>(&mut self, source: u16, ctx: &mut Ec2Ctx<E>) {
        let now = ctx.now;
        let bytes = self.payload_bytes[source as usize];
        if let Some(alb) = self.alb.as_mut() {
            alb.request(now, bytes, self.rule_evals);
        }
        self.requests_in_period += 1;
        let insts = &self.insts;
        let picked = self.router.pick(self.routing, &self.targets, |slot| {
            insts[slot as usize].outstanding()
        });
        let Some(slot) = picked else {
            self.fc.http_503_no_target += 1;
            self.reject(source, ctx);
            return;
        };
        let inst = &self.insts[slot as usize];
        let id = inst.id;
        if inst.state == InstanceState::Failed {
            // Still registered: the health checks have not noticed yet.
            self.fc.http_502 += 1;
            self.counters.failed += 1;
            self.per_source[source as usize].failed += 1;
            self.latency.record(1);
            self.close_connection(now);
            ctx.log(HappeningKind::BadGateway, Some(source), Some(id));
        } else if inst.busy < self.slots {
            self.counters.in_flight += 1;
            self.record_wait(SimDuration::ZERO);
            self.start_work(
                slot,
                Work::Http {
                    source,
                    arrived: now,
                },
                ctx,
            );
        } else if inst.local.len() < self.queue_len {
            self.set_waiting(now, 1, true);
            self.mutate(slot, now, |i| {
                i.local.push_back(Queued {
                    source,
                    arrived: now,
                })
            });
            ctx.log(HappeningKind::RoutedWarm, Some(source), Some(id));
        } else {
            self.reject(source, ctx);
        }
    }

    fn reject<E: From<Ec2Event>>(&mut self, source: u16, ctx: &mut Ec2Ctx<E>) {
        self.fc.http_503 += 1;
        self.counters.throttles += 1;
        self.counters.dropped += 1;
        self.per_source[source as usize].dropped += 1;
        self.per_source[source as usize].throttles += 1;
        self.close_connection(ctx.now);
        ctx.log(HappeningKind::Throttled, Some(source), None);
    }

    fn close_connection(&mut self, now: SimTime) {
        let bytes = self.response_bytes;
        if let Some(alb) = self.alb.as_mut() {
            alb.close(now, bytes);
        }
    }

    // --------------------------------------------------------------- work

    /// Starts `work` on a free slot of instance `slot` (in flight already counted).
    fn start_work<E: From<Ec2Event>>(&mut self, slot: u32, work: Work, ctx: &mut Ec2Ctx<E>) {
        let now = ctx.now;
        if self.insts[slot as usize].state != InstanceState::InService
            && self.insts[slot as usize].state != InstanceState::Draining
        {
            self.fc.served_while_not_in_service += 1;
        }
        let service = self.sampler.sample_scaled(&mut self.rng, self.factor);
        let limit = match work {
            Work::Http { .. } => self.request_timeout,
            Work::Msg { source, .. } => self.queues[source as usize]
                .as_ref()
                .map_or(SimDuration::MAX, |q| q.visibility),
        };
        let outcome = if service > limit {
            Outcome::Timeout
        } else if self.error_rate > 0.0 && self.rng.random::<f64>() < self.error_rate {
            Outcome::Error
        } else {
            Outcome::Success
        };
        let job = Job {
            inst: slot,
            gen: 0,
            live: true,
            work,
            outcome,
            started: now,
            service,
        };
        let j = store(&mut self.jobs, &mut self.job_free, job, |old, job| Job {
            gen: old.gen,
            ..job
        });
        let gen = self.jobs[j as usize].gen;
        self.busy_step(slot, now, true);
        self.counters.invocations += 1;
        self.counters.warm_starts += 1;
        let (source, id) = (work_source(work), self.insts[slot as usize].id);
        ctx.log(HappeningKind::RoutedWarm, Some(source), Some(id));
        ctx.at(now + service, Ec2Event::Done { job: j, gen });
    }

    fn free_job(&mut self, j: u32) {
        let job = &mut self.jobs[j as usize];
        job.live = false;
        job.gen = job.gen.wrapping_add(1);
        self.job_free.push(j);
    }

    fn on_done<E: From<Ec2Event>>(&mut self, j: u32, gen: u32, ctx: &mut Ec2Ctx<E>) {
        let Some(job) = self.jobs.get(j as usize).copied() else {
            return;
        };
        if !job.live || job.gen != gen {
            return;
        }
        self.free_job(j);
        let now = ctx.now;
        let id = self.insts[job.inst as usize].id;
        self.counters.in_flight -= 1;
        match job.work {
            Work::Http { source, arrived } => {
                self.close_connection(now);
                let seen = job.service.min(self.request_timeout);
                self.latency
                    .record((job.started.since(arrived) + seen).as_micros());
                let ps = &mut self.per_source[source as usize];
                let what = match job.outcome {
                    Outcome::Success => {
                        self.counters.succeeded += 1;
                        ps.succeeded += 1;
                        HappeningKind::Succeeded
                    }
                    Outcome::Error => {
                        self.counters.errors += 1;
                        self.counters.failed += 1;
                        ps.failed += 1;
                        HappeningKind::Errored
                    }
                    Outcome::Timeout => {
                        self.counters.timeouts += 1;
                        self.counters.timed_out += 1;
                        self.fc.http_504 += 1;
                        ps.timed_out += 1;
                        HappeningKind::TimedOut
                    }
                };
                ctx.log(what, Some(source), Some(id));
            }
            Work::Msg {
                source,
                msg,
                received,
            } => match job.outcome {
                Outcome::Success => {
                    // DeleteMessage.
                    self.sqs_requests += 1;
                    self.counters.succeeded += 1;
                    self.per_source[source as usize].succeeded += 1;
                    self.latency.record(now.since(msg.sent).as_micros());
                    ctx.log(HappeningKind::Succeeded, Some(source), Some(id));
                }
                o => {
                    let timed_out = o == Outcome::Timeout;
                    if timed_out {
                        self.counters.timeouts += 1;
                    } else {
                        self.counters.errors += 1;
                    }
                    ctx.log(
                        if timed_out {
                            HappeningKind::TimedOut
                        } else {
                            HappeningKind::Errored
                        },
                        Some(source),
                        Some(id),
                    );
                    self.return_message(source, msg, received, timed_out, ctx);
                }
            },
        }
        self.busy_step(job.inst, now, false);
        self.feed(job.inst, ctx);
    }

    /// A received message was not deleted: it becomes visible again after
    /// its visibility timeout (counted as waiting meanwhile).
    fn return_message<E: From<Ec2Event>>(
        &mut self,
        source: u16,
        msg: Msg,
        received: SimTime,
        timed_out: bool,
        ctx: &mut Ec2Ctx<E>,
    ) {
        let now = ctx.now;
        let Some(q) = self.queues[source as usize].as_mut() else {
            return;
        };
        q.invisible += 1;
        let at = q.visible_again_at(received, now);
        self.set_waiting(now, 1, true);
        let r = Returning {
            source,
            msg,
            timed_out,
            live: true,
        };
        let slot = store(&mut self.returning, &mut self.returning_free, r, |_, r| r);
        ctx.at(at, Ec2Event::Visible { slot });
    }

    fn on_visible<E: From<Ec2Event>>(&mut self, slot: u32, ctx: &mut Ec2Ctx<E>) {
        let Some(r) = self.returning.get(slot as usize).copied() else {
            return;
        };
        if !r.live {
            return;
        }
        self.returning[slot as usize].live = false;
        self.returning_free.push(slot);
        let now = ctx.now;
        let Some(q) = self.queues[r.source as usize].as_mut() else {
            return;
        };
        let dlq = q.make_visible(&[r.msg]);
        if dlq > 0 {
            self.set_waiting(now, 1, false);
            self.counters.to_dlq += 1;
            let ps = &mut self.per_source[r.source as usize];
            if r.timed_out {
                self.counters.timed_out += 1;
                ps.timed_out += 1;
            } else {
                self.counters.failed += 1;
                ps.failed += 1;
            }
            self.latency.record(now.since(r.msg.sent).as_micros());
            ctx.log(HappeningKind::ToDlq, Some(r.source), None);
        }
        self.dispatch_sqs(ctx);
    }

    /// Gives a free slot of `slot` its next work: the local queue first,
    /// then the SQS queues; finishes a drain that ran empty.
    fn feed<E: From<Ec2Event>>(&mut self, slot: u32, ctx: &mut Ec2Ctx<E>) {
        let now = ctx.now;
        loop {
            let inst = &self.insts[slot as usize];
            if !inst.state.runs_work() || inst.busy >= self.slots {
                break;
            }
            let Some(&next) = inst.local.front() else {
                break;
            };
            self.mutate(slot, now, |i| {
                i.local.pop_front();
            });
            self.set_waiting(now, 1, false);
            self.counters.in_flight += 1;
            self.record_wait(now.since(next.arrived));
            self.start_work(
                slot,
                Work::Http {
                    source: next.source,
                    arrived: next.arrived,
                },
                ctx,
            );
        }
        if !self.sqs_sources.is_empty() && self.pullable.contains(&slot) {
            self.dispatch_sqs(ctx);
        }
        let inst = &self.insts[slot as usize];
        if inst.state == InstanceState::Draining && inst.busy == 0 && inst.local.is_empty() {
            self.drained(slot, ctx);
        }
    }

    /// Idle workers receive waiting messages (long polling: at once).
    fn dispatch_sqs<E: From<Ec2Event>>(&mut self, ctx: &mut Ec2Ctx<E>) {
        while let Some(&slot) = self.pullable.first() {
            if !self.pull(slot, ctx) {
                break;
            }
        }
    }

    /// One worker of `slot` receives one message, polling the queues in
    /// turn; false when every queue is empty.
    fn pull<E: From<Ec2Event>>(&mut self, slot: u32, ctx: &mut Ec2Ctx<E>) -> bool {
        let now = ctx.now;
        let n = self.sqs_sources.len();
        // Reused across receives: no allocation per message.
        let mut out = std::mem::take(&mut self.scratch);
        for k in 0..n {
            let idx = (self.sqs_rr + k) % n;
            let source = self.sqs_sources[idx];
            let Some(q) = self.queues[source as usize].as_mut() else {
                continue;
            };
            if q.visible_len() == 0 {
                continue;
            }
            out.clear();
            let expired = q.take(now, 1, &mut out);
            let first = out.first().copied();
            let units = sqs_request_units(q.payload_bytes);
            if expired > 0 {
                self.counters.expired_by_retention += expired;
                self.counters.dropped += expired;
                self.per_source[source as usize].dropped += expired;
                self.set_waiting(now, expired, false);
                ctx.log(HappeningKind::Dropped, Some(source), None);
            }
            let Some(mut msg) = first else {
                continue;
            };
            self.sqs_rr = (idx + 1) % n;
            let redelivered = SqsQueue::commit_receive(std::slice::from_mut(&mut msg));
            self.counters.redeliveries += redelivered;
            if redelivered == 0 {
                self.record_wait(now.since(msg.sent));
            } else {
                self.counters.retries += 1;
            }
            // ReceiveMessage.
            self.sqs_requests += units;
            self.set_waiting(now, 1, false);
            self.counters.in_flight += 1;
            self.start_work(
                slot,
                Work::Msg {
                    source,
                    msg,
                    received: now,
                },
                ctx,
            );
            self.scratch = out;
            return true;
        }
        self.scratch = out;
        false
    }

    // ---------------------------------------------------------- lifecycle

    /// Launches one instance (booting) in the up zone with the fewest
    /// instances; none if every zone is down or the engine limit is reached.
    fn launch<E: From<Ec2Event>>(&mut self, ctx: &mut Ec2Ctx<E>) -> Option<u32> {
        let now = ctx.now;
        if self.fleet.alive() >= u64::from(d::MAX_INSTANCES) {
            self.fc.launches_refused += 1;
            return None;
        }
        let mut per_zone = vec![0u32; self.zones as usize];
        for i in &self.insts {
            if !matches!(i.state, InstanceState::Terminated | InstanceState::Failed) {
                per_zone[i.zone as usize] += 1;
            }
        }
        let zone = (0..self.zones)
            .filter(|&z| self.zone_down_until[z as usize] <= now)
            .min_by_key(|&z| (per_zone[z as usize], z));
        let Some(zone) = zone else {
            self.fc.launches_refused += 1;
            return None;
        };
        let id = self.next_id;
        self.next_id += 1;
        let inst = Instance::new(id, zone, InstanceState::Booting, now);
        let slot = store(&mut self.insts, &mut self.inst_free, inst, |old, inst| {
            Instance {
                gen: old.gen,
                ..inst
            }
        });
        // Enter the books as Terminated → Booting so the gauges see a new instance.
        self.insts[slot as usize].state = InstanceState::Terminated;
        self.fleet.advance(now);
        self.fleet.moved(None, InstanceState::Terminated);
        self.mutate(slot, now, |i| i.state = InstanceState::Booting);
        self.fc.launched += 1;
        ctx.log(HappeningKind::InstanceLaunched, None, Some(id));
        let gen = self.insts[slot as usize].gen;
        ctx.at(now + self.boot, Ec2Event::Booted { inst: slot, gen });
        Some(slot)
    }

    fn live(&self, slot: u32, gen: u32) -> bool {
        self.insts
            .get(slot as usize)
            .is_some_and(|i| i.gen == gen && i.state != InstanceState::Terminated)
    }

    fn register(&mut self, slot: u32) {
        let id = self.insts[slot as usize].id;
        self.insts[slot as usize].registered = true;
        let insts = &self.insts;
        let pos = self.targets.partition_point(|&s| insts[s as usize].id < id);
        if self.targets.get(pos) != Some(&slot) {
            self.targets.insert(pos, slot);
        }
    }

    fn deregister(&mut self, slot: u32) {
        self.insts[slot as usize].registered = false;
        if let Some(pos) = self.targets.iter().position(|&s| s == slot) {
            self.targets.remove(pos);
        }
    }

    fn enter_service<E: From<Ec2Event>>(&mut self, slot: u32, ctx: &mut Ec2Ctx<E>) {
        let now = ctx.now;
        self.mutate(slot, now, |i| {
            i.state = InstanceState::InService;
            i.in_service_since = now;
        });
        let inst = &mut self.insts[slot as usize];
        inst.busy_mark = inst.busy_int;
        if self.alb.is_some() {
            self.register(slot);
        }
        ctx.log(
            HappeningKind::InstanceInService,
            None,
            Some(self.insts[slot as usize].id),
        );
        self.feed(slot, ctx);
    }

    fn on_booted<E: From<Ec2Event>>(&mut self, slot: u32, gen: u32, ctx: &mut Ec2Ctx<E>) {
        if self.live(slot, gen) && self.insts[slot as usize].state == InstanceState::Booting {
            self.enter_service(slot, ctx);
        }
    }

    /// Takes an instance out of service; it finishes its work, then is
    /// terminated or patched.
    fn start_drain<E: From<Ec2Event>>(
        &mut self,
        slot: u32,
        after: AfterDrain,
        ctx: &mut Ec2Ctx<E>,
    ) {
        let now = ctx.now;
        match self.insts[slot as usize].state {
            InstanceState::Booting if after == AfterDrain::Terminate => self.terminate(slot, ctx),
            InstanceState::InService => {
                self.deregister(slot);
                self.mutate(slot, now, |i| {
                    i.state = InstanceState::Draining;
                    i.after_drain = after;
                });
                let (id, gen) = (self.insts[slot as usize].id, self.insts[slot as usize].gen);
                ctx.log(
                    if after == AfterDrain::Patch {
                        HappeningKind::PatchStarted
                    } else {
                        HappeningKind::InstanceDraining
                    },
                    None,
                    Some(id),
                );
                ctx.at(
                    now + self.dereg_delay,
                    Ec2Event::DrainDeadline { inst: slot, gen },
                );
                self.feed(slot, ctx);
            }
            _ => {}
        }
    }

    fn drained<E: From<Ec2Event>>(&mut self, slot: u32, ctx: &mut Ec2Ctx<E>) {
        match self.insts[slot as usize].after_drain {
            AfterDrain::Terminate => self.terminate(slot, ctx),
            AfterDrain::Patch => {
                let now = ctx.now;
                self.mutate(slot, now, |i| i.state = InstanceState::Patching);
                let gen = self.insts[slot as usize].gen;
                let out = self.patch.map_or(SimDuration::ZERO, |p| p.out_of_service);
                ctx.at(now + out, Ec2Event::PatchDone { inst: slot, gen });
            }
        }
    }

    fn on_drain_deadline<E: From<Ec2Event>>(&mut self, slot: u32, gen: u32, ctx: &mut Ec2Ctx<E>) {
        if self.live(slot, gen) && self.insts[slot as usize].state == InstanceState::Draining {
            self.kill_work(slot, ctx);
            self.drained(slot, ctx);
        }
    }

    /// Cuts off everything on an instance: requests get a 502, messages
    /// return to their queue after their visibility timeout.
    fn kill_work<E: From<Ec2Event>>(&mut self, slot: u32, ctx: &mut Ec2Ctx<E>) {
        let now = ctx.now;
        let id = self.insts[slot as usize].id;
        for j in 0..self.jobs.len() as u32 {
            let job = self.jobs[j as usize];
            if !job.live || job.inst != slot {
                continue;
            }
            self.free_job(j);
            self.counters.in_flight -= 1;
            match job.work {
                Work::Http { source, arrived } => {
                    self.cut_off(source, arrived, now);
                    ctx.log(HappeningKind::BadGateway, Some(source), Some(id));
                }
                Work::Msg {
                    source,
                    msg,
                    received,
                } => self.return_message(source, msg, received, false, ctx),
            }
        }
        let local: Vec<Queued> = self.insts[slot as usize].local.iter().copied().collect();
        if !local.is_empty() {
            self.set_waiting(now, local.len() as u64, false);
            for q in &local {
                self.cut_off(q.source, q.arrived, now);
            }
        }
        self.mutate(slot, now, |i| {
            i.busy = 0;
            i.local.clear();
        });
    }

    fn cut_off(&mut self, source: u16, arrived: SimTime, now: SimTime) {
        self.fc.http_502 += 1;
        self.counters.failed += 1;
        self.per_source[source as usize].failed += 1;
        self.latency.record(now.since(arrived).as_micros());
        self.close_connection(now);
    }

    fn terminate<E: From<Ec2Event>>(&mut self, slot: u32, ctx: &mut Ec2Ctx<E>) {
        let now = ctx.now;
        let inst = &self.insts[slot as usize];
        if inst.state == InstanceState::Terminated {
            return;
        }
        if inst.busy > 0 || !inst.local.is_empty() {
            self.kill_work(slot, ctx);
        }
        let (id, launched) = (
            self.insts[slot as usize].id,
            self.insts[slot as usize].launched,
        );
        self.usage
            .record_launch(&self.type_name, now.since(launched));
        self.deregister(slot);
        self.mutate(slot, now, |i| i.state = InstanceState::Terminated);
        let inst = &mut self.insts[slot as usize];
        inst.gen = inst.gen.wrapping_add(1);
        self.inst_free.push(slot);
        self.fc.terminated += 1;
        ctx.log(HappeningKind::InstanceTerminated, None, Some(id));
    }

    /// Instance `slot` crashes: its work is cut off; it stays billed and,
    /// if it was registered, keeps receiving traffic until detected.
    fn fail<E: From<Ec2Event>>(&mut self, slot: u32, ctx: &mut Ec2Ctx<E>) {
        let now = ctx.now;
        let inst = &self.insts[slot as usize];
        let was = inst.state;
        if matches!(was, InstanceState::Failed | InstanceState::Terminated) {
            return;
        }
        let patching = matches!(was, InstanceState::Patching)
            || (was == InstanceState::Draining && inst.after_drain == AfterDrain::Patch);
        self.kill_work(slot, ctx);
        self.mutate(slot, now, |i| {
            i.state = InstanceState::Failed;
            i.failed_at = now;
            i.failure_detected = false;
        });
        self.fc.failed += 1;
        let (id, gen, launched) = (
            self.insts[slot as usize].id,
            self.insts[slot as usize].gen,
            self.insts[slot as usize].launched,
        );
        ctx.log(HappeningKind::InstanceFailed, None, Some(id));
        let mut at = now + self.detection;
        if let Some(a) = &self.asg {
            at = at.max(launched + a.grace);
        }
        ctx.at(at, Ec2Event::Detect { inst: slot, gen });
        if patching {
            self.patch_active = self.patch_active.saturating_sub(1);
            self.patch_next(ctx);
        }
    }

    fn on_detect<E: From<Ec2Event>>(&mut self, slot: u32, gen: u32, ctx: &mut Ec2Ctx<E>) {
        if !self.live(slot, gen) || self.insts[slot as usize].state != InstanceState::Failed {
            return;
        }
        self.insts[slot as usize].failure_detected = true;
        self.deregister(slot);
        let id = self.insts[slot as usize].id;
        if self.asg.is_some() {
            self.terminate(slot, ctx);
            self.fc.replaced_automatically += 1;
            ctx.log(HappeningKind::InstanceReplaced, None, Some(id));
            self.reconcile(ctx);
        } else {
            self.page(ctx);
        }
    }

    fn page<E: From<Ec2Event>>(&mut self, ctx: &mut Ec2Ctx<E>) {
        if !self.on_call {
            return;
        }
        if let Some(at) = self.pager.page(ctx.now, self.response) {
            self.work.pages += 1;
            ctx.log(HappeningKind::Paged, None, None);
            ctx.at(at, Ec2Event::Operator);
        }
    }

    /// The operator acts on the open page: replaces every failed instance
    /// by hand and, after an overload alarm, resizes the fleet.
    fn on_operator<E: From<Ec2Event>>(&mut self, ctx: &mut Ec2Ctx<E>) {
        self.pager.resolved();
        let failed: Vec<u32> = (0..self.insts.len() as u32)
            .filter(|&s| self.insts[s as usize].state == InstanceState::Failed)
            .collect();
        for slot in failed {
            let id = self.insts[slot as usize].id;
            self.terminate(slot, ctx);
            self.work.instances_replaced_by_hand += 1;
            ctx.log(HappeningKind::InstanceReplaced, None, Some(id));
        }
        if std::mem::take(&mut self.overload_pending) && self.asg.is_none() {
            if let Some(cpu) = self.last_cpu {
                let serving = self.fleet.now[InstanceState::InService.index()] as u32;
                let want = autoscaling::needed_capacity(cpu, serving.max(1), self.target_cpu)
                    .min(d::MAX_INSTANCES);
                if want > self.fixed_target {
                    self.fixed_target = want;
                    self.fc.max_desired = self.fc.max_desired.max(u64::from(want));
                    self.work.manual_scaling_changes += 1;
                }
            }
        }
        self.reconcile(ctx);
    }

    /// Instances that count toward the fleet's size: not failed-and-noticed,
    /// not on their way out.
    fn counted_live(&self) -> u32 {
        self.insts
            .iter()
            .filter(|i| match i.state {
                InstanceState::Booting | InstanceState::InService | InstanceState::Patching => true,
                InstanceState::Draining => i.after_drain == AfterDrain::Patch,
                // Auto Scaling counts a failed instance until its health
                // check fails (then terminates it at once); a fixed fleet
                // counts it until the operator terminates it, so nothing
                // replaces it by itself.
                InstanceState::Failed => true,
                InstanceState::Terminated => false,
            })
            .count() as u32
    }

    /// Launches or removes instances to match the desired size.
    fn reconcile<E: From<Ec2Event>>(&mut self, ctx: &mut Ec2Ctx<E>) {
        let desired = match &self.asg {
            Some(a) => a.bounds.desired,
            None => self.fixed_target,
        };
        let live = self.counted_live();
        if live < desired {
            for _ in live..desired {
                if self.launch(ctx).is_none() {
                    break;
                }
            }
        } else if live > desired {
            // Booting instances first, then the newest in service.
            let mut victims: Vec<(u8, std::cmp::Reverse<u64>, u32)> = self
                .insts
                .iter()
                .enumerate()
                .filter_map(|(s, i)| match i.state {
                    InstanceState::Booting => Some((0, std::cmp::Reverse(i.id), s as u32)),
                    InstanceState::InService => Some((1, std::cmp::Reverse(i.id), s as u32)),
                    _ => None,
                })
                .collect();
            crate::engine::order::sort_by_u64(&mut victims, |v| u64::MAX - v.1 .0);
            crate::engine::order::sort_by_u64(&mut victims, |v| u64::from(v.0));
            for &(_, _, slot) in victims.iter().take((live - desired) as usize) {
                self.start_drain(slot, AfterDrain::Terminate, ctx);
            }
        }
    }

    // ------------------------------------------------------------ metrics

    fn on_tick<E: From<Ec2Event>>(&mut self, ctx: &mut Ec2Ctx<E>) {
        let now = ctx.now;
        let period = SimDuration::from_secs(d::METRIC_PERIOD_S);
        let period_start = SimTime::ZERO + now.since_start().saturating_sub(period);
        if let Some(alb) = self.alb.as_mut() {
            alb.advance(now);
        }
        let warmup = self.asg.as_ref().map_or(SimDuration::ZERO, |a| a.warmup);
        let (mut busy, mut counted, mut warming) = (0u128, 0u32, false);
        for i in self.insts.iter_mut() {
            if i.state == InstanceState::Terminated {
                continue;
            }
            let b = i.take_busy_since_mark(now);
            let warm = i.initial || i.in_service_since + warmup <= period_start;
            match i.state {
                InstanceState::InService if warm => {
                    busy += b;
                    counted += 1;
                }
                InstanceState::InService if !i.initial && i.in_service_since + warmup > now => {
                    warming = true
                }
                InstanceState::Booting => warming = true,
                _ => {}
            }
        }
        let cpu = (counted > 0).then(|| {
            busy as f64 / (f64::from(counted) * f64::from(self.slots) * period.as_micros() as f64)
                * 100.0
        });
        self.last_cpu = cpu.or(self.last_cpu);
        let targets = self.targets.len() as u32;
        let rpt = (targets > 0).then(|| self.requests_in_period as f64 / f64::from(targets));
        self.requests_in_period = 0;
        for q in self.queues.iter().flatten() {
            if let Some(sent) = q.oldest_sent() {
                self.fc.oldest_message_age_max_us = self
                    .fc
                    .oldest_message_age_max_us
                    .max(now.since(sent).as_micros());
            }
        }
        let mut changed = false;
        if let Some(a) = self.asg.as_mut() {
            if let Some(t) = a.tracker.as_mut() {
                let datapoint = match t.policy().metric {
                    ScalingMetric::Cpu => cpu.map(|c| (c, counted)),
                    ScalingMetric::RequestsPerTarget => rpt.map(|r| (r, targets)),
                };
                let may_scale_in = !warming && now >= a.last_activity + a.cooldown;
                if let Some(want) = t.observe(datapoint, a.bounds, may_scale_in) {
                    if want > a.bounds.desired {
                        self.fc.scale_outs += 1;
                    } else {
                        self.fc.scale_ins += 1;
                    }
                    a.bounds.desired = want;
                    a.last_activity = now;
                    changed = true;
                }
            }
        } else if self.alarm.as_mut().is_some_and(|a| a.observe(cpu)) && !self.overload_pending {
            self.overload_pending = true;
            self.page(ctx);
            if self.pager.acting_at.is_none() {
                // Nobody on call: the alarm stays unanswered.
                self.overload_pending = false;
            }
        }
        if changed {
            self.note_desired();
            self.reconcile(ctx);
        }
        if now + period <= self.end {
            ctx.at(now + period, Ec2Event::Tick);
        }
    }

    fn note_desired(&mut self) {
        if let Some(a) = &self.asg {
            self.fc.max_desired = self.fc.max_desired.max(u64::from(a.bounds.desired));
            if a.bounds.desired > a.bounds.max {
                self.fc.desired_over_max = self
                    .fc
                    .desired_over_max
                    .max(u64::from(a.bounds.desired - a.bounds.max));
            }
        }
    }

    // --------------------------------------------------------- operations

    fn on_patch_run<E: From<Ec2Event>>(&mut self, run: u32, ctx: &mut Ec2Ctx<E>) {
        let Some(p) = self.patch else { return };
        let next = p.run_at(run.saturating_add(1));
        if next < self.end && next > ctx.now {
            ctx.at(next, Ec2Event::PatchRun { run: run + 1 });
        }
        let mut in_service: Vec<(u64, u32)> = self
            .insts
            .iter()
            .enumerate()
            .filter(|(_, i)| i.state == InstanceState::InService)
            .map(|(s, i)| (i.id, s as u32))
            .collect();
        crate::engine::order::sort_by_u64(&mut in_service, |p| p.0);
        match p.mode {
            PatchMode::AllAtOnce => {
                for (_, slot) in in_service {
                    self.patch_active += 1;
                    self.fc.max_patching_out = self.fc.max_patching_out.max(self.patch_active);
                    self.start_drain(slot, AfterDrain::Patch, ctx);
                }
            }
            PatchMode::Rolling => {
                for (id, _) in in_service {
                    if !self.patch_queue.contains(&id) {
                        self.patch_queue.push_back(id);
                    }
                }
                self.patch_next(ctx);
            }
        }
    }

    /// Rolling: takes the next instance out for patching if none is out.
    fn patch_next<E: From<Ec2Event>>(&mut self, ctx: &mut Ec2Ctx<E>) {
        if self.patch.is_none_or(|p| p.mode != PatchMode::Rolling) || self.patch_active > 0 {
            return;
        }
        while let Some(id) = self.patch_queue.pop_front() {
            let slot = self
                .insts
                .iter()
                .position(|i| i.id == id && i.state == InstanceState::InService);
            if let Some(slot) = slot {
                self.patch_active = 1;
                self.fc.max_patching_out = self.fc.max_patching_out.max(1);
                self.start_drain(slot as u32, AfterDrain::Patch, ctx);
                return;
            }
        }
    }

    fn on_patch_done<E: From<Ec2Event>>(&mut self, slot: u32, gen: u32, ctx: &mut Ec2Ctx<E>) {
        if !self.live(slot, gen) || self.insts[slot as usize].state != InstanceState::Patching {
            return;
        }
        self.work.patches_applied += 1;
        let id = self.insts[slot as usize].id;
        ctx.log(HappeningKind::Patched, None, Some(id));
        // Back in service without a new warm-up: it is the same instance.
        let since = self.insts[slot as usize].in_service_since;
        self.enter_service(slot, ctx);
        self.insts[slot as usize].in_service_since = since;
        self.patch_active = self.patch_active.saturating_sub(1);
        self.patch_next(ctx);
    }

    fn on_failure<E: From<Ec2Event>>(&mut self, index: u32, ctx: &mut Ec2Ctx<E>) {
        let Some(f) = self.failures.get(index as usize).copied() else {
            return;
        };
        match f {
            Failure::InstanceCrash { instance, .. } => {
                let by_id = instance.and_then(|id| self.running_slot(id));
                if let Some(slot) = by_id.or_else(|| self.oldest_in_service()) {
                    self.fail(slot, ctx);
                }
            }
            Failure::AzOutage {
                zone, duration_s, ..
            } => {
                let until = ctx.now + SimDuration::from_secs_f64(duration_s);
                if let Some(z) = self.zone_down_until.get_mut(zone as usize) {
                    *z = (*z).max(until);
                }
                ctx.at(until, Ec2Event::ZoneUp { zone });
                self.fail_zone(zone, ctx);
            }
        }
    }

    /// The slot of instance `id` if it runs (not failed, not terminated).
    fn running_slot(&self, id: u64) -> Option<u32> {
        self.insts
            .iter()
            .position(|i| {
                i.id == id && !matches!(i.state, InstanceState::Failed | InstanceState::Terminated)
            })
            .map(|s| s as u32)
    }

    /// The oldest instance in service.
    fn oldest_in_service(&self) -> Option<u32> {
        self.insts
            .iter()
            .enumerate()
            .filter(|(_, i)| i.state == InstanceState::InService)
            .min_by_key(|(_, i)| i.id)
            .map(|(s, _)| s as u32)
    }

    /// Every running instance of `zone` crashes; returns how many.
    fn fail_zone<E: From<Ec2Event>>(&mut self, zone: u32, ctx: &mut Ec2Ctx<E>) -> u32 {
        let hit: Vec<u32> = (0..self.insts.len() as u32)
            .filter(|&s| {
                let i = &self.insts[s as usize];
                i.zone == zone
                    && !matches!(i.state, InstanceState::Failed | InstanceState::Terminated)
            })
            .collect();
        for &slot in &hit {
            self.fail(slot, ctx);
        }
        hit.len() as u32
    }

    /// Availability Zones the fleet spreads over.
    pub fn zones(&self) -> u32 {
        self.zones
    }

    /// Zones down at `now`, in order.
    pub fn zones_down(&self, now: SimTime) -> Vec<u32> {
        (0..self.zones)
            .filter(|&z| self.zone_down_until[z as usize] > now)
            .collect()
    }

    /// Live operation: instance `id` (none: the oldest in service) crashes
    /// now, exactly as an injected failure; returns its id.
    pub fn fail_instance<E: From<Ec2Event>>(
        &mut self,
        id: Option<u64>,
        ctx: &mut Ec2Ctx<E>,
    ) -> Result<u64, ActionError> {
        let slot = match id {
            Some(id) => self.running_slot(id).ok_or_else(|| {
                let mut running: Vec<u64> = self
                    .insts
                    .iter()
                    .filter(|i| {
                        !matches!(i.state, InstanceState::Failed | InstanceState::Terminated)
                    })
                    .map(|i| i.id)
                    .collect();
                crate::engine::order::sort_by_u64(&mut running, |&id| id);
                let shown: Vec<String> = running.iter().take(12).map(u64::to_string).collect();
                let more = if running.len() > 12 { ", …" } else { "" };
                ActionError::UnknownInstance {
                    id,
                    running: if running.is_empty() {
                        "none".to_owned()
                    } else {
                        format!("{}{more}", shown.join(", "))
                    },
                }
            })?,
            None => self
                .oldest_in_service()
                .ok_or(ActionError::NoInstanceInService)?,
        };
        let id = self.insts[slot as usize].id;
        self.fail(slot, ctx);
        Ok(id)
    }

    fn check_zone(&self, zone: u32) -> Result<(), ActionError> {
        if zone >= self.zones {
            return Err(ActionError::UnknownZone {
                zone,
                max: self.zones - 1,
            });
        }
        Ok(())
    }

    /// Live operation: zone `zone` fails now until [`Ec2Side::zone_up`]:
    /// every instance in it crashes (the health checks take them out of
    /// the load balancer, Auto Scaling launches replacements in the other
    /// zones) and nothing launches there. Returns the instances hit.
    pub fn zone_down<E: From<Ec2Event>>(
        &mut self,
        zone: u32,
        ctx: &mut Ec2Ctx<E>,
    ) -> Result<u32, ActionError> {
        self.check_zone(zone)?;
        if self.zone_down_until[zone as usize] > ctx.now {
            return Err(ActionError::ZoneAlreadyDown { zone });
        }
        self.zone_down_until[zone as usize] = SimTime::MAX;
        ctx.h.push(
            ctx.now,
            Side::Ec2,
            HappeningKind::ZoneDown,
            None,
            Some(u64::from(zone)),
        );
        Ok(self.fail_zone(zone, ctx))
    }

    /// Live operation: zone `zone` recovers now (also ends an injected
    /// outage early); the fleet refills to its desired size. Instances
    /// launched elsewhere meanwhile stay where they are.
    pub fn zone_up<E: From<Ec2Event>>(
        &mut self,
        zone: u32,
        ctx: &mut Ec2Ctx<E>,
    ) -> Result<(), ActionError> {
        self.check_zone(zone)?;
        if self.zone_down_until[zone as usize] <= ctx.now {
            return Err(ActionError::ZoneNotDown { zone });
        }
        self.zone_down_until[zone as usize] = ctx.now;
        ctx.h.push(
            ctx.now,
            Side::Ec2,
            HappeningKind::ZoneUp,
            None,
            Some(u64::from(zone)),
        );
        self.reconcile(ctx);
        Ok(())
    }

    fn on_scheduled<E: From<Ec2Event>>(&mut self, index: u32, ctx: &mut Ec2Ctx<E>) {
        let Some(a) = self.asg.as_mut() else { return };
        let Some(s) = a.scheduled.get(index as usize).copied() else {
            return;
        };
        a.bounds.apply(s.min, s.max, s.desired);
        a.last_activity = ctx.now;
        self.fc.scheduled_actions += 1;
        self.note_desired();
        self.reconcile(ctx);
    }

    // ------------------------------------------------------------- events

    /// Handles one EC2 event.
    pub fn on_event<E: From<Ec2Event>>(&mut self, e: Ec2Event, ctx: &mut Ec2Ctx<E>) {
        match e {
            Ec2Event::Done { job, gen } => self.on_done(job, gen, ctx),
            Ec2Event::Booted { inst, gen } => self.on_booted(inst, gen, ctx),
            Ec2Event::DrainDeadline { inst, gen } => self.on_drain_deadline(inst, gen, ctx),
            Ec2Event::PatchDone { inst, gen } => self.on_patch_done(inst, gen, ctx),
            Ec2Event::Detect { inst, gen } => self.on_detect(inst, gen, ctx),
            Ec2Event::Visible { slot } => self.on_visible(slot, ctx),
            Ec2Event::Tick => self.on_tick(ctx),
            Ec2Event::Operator => self.on_operator(ctx),
            Ec2Event::PatchRun { run } => self.on_patch_run(run, ctx),
            Ec2Event::Failure { index } => self.on_failure(index, ctx),
            Ec2Event::ZoneUp { .. } => self.reconcile(ctx),
            Ec2Event::Scheduled { index } => self.on_scheduled(index, ctx),
        }
    }

    /// Brings every time integral to `t` (call at series boundaries and
    /// before reading means).
    pub fn advance(&mut self, t: SimTime) {
        self.ints.advance(t);
        self.fleet.advance(t);
    }

    /// Closes a bucket of the fleet series at `t` (after [`Ec2Side::advance`]).
    pub fn close_bucket(&mut self, t: SimTime) {
        let desired = self.bounds().desired;
        self.fleet_series
            .close_bucket(t, &self.fleet, u128::from(self.ints.sums[G_BUSY]), desired);
    }

    // ------------------------------------------------------------ billing

    /// The billable usage from time zero to `now`: every launch from launch
    /// to termination (instances still running billed up to `now`), with
    /// billing's 60-second minimum, and the load balancer's hours.
    pub fn usage_at(&self, now: SimTime) -> Ec2Usage {
        let mut u = self.usage.clone();
        for i in &self.insts {
            if i.state != InstanceState::Terminated {
                u.record_launch(&self.type_name, now.since(i.launched));
            }
        }
        u.alb = self.alb.as_ref().map(|a| a.usage_at(now));
        u
    }

    /// Empty long-poll receives of idle workers up to now: each idle worker
    /// slot polls each queue once per 20 s wait [requests].
    pub fn empty_receives(&self) -> u64 {
        if self.sqs_sources.is_empty() {
            return 0;
        }
        let idle_us = self.ints.sums[G_IDLE];
        (idle_us / (d::SQS_LONG_POLL_S * 1_000_000)).saturating_mul(self.sqs_sources.len() as u64)
    }

    /// Requests to the managed event sources in front of the fleet: its
    /// SQS queues (sends, receives, deletes and empty long polls) and S3
    /// uploads. No API Gateway: API traffic reaches the fleet through the ALB.
    pub fn event_source_usage(&self) -> EventSourceUsage {
        EventSourceUsage {
            sqs_standard_requests: self.sqs_requests.saturating_add(self.empty_receives()),
            s3_put_requests: self.s3_put_requests,
            ..EventSourceUsage::default()
        }
    }

    /// Mean queueing delay (arrival to start of work) [ms].
    pub fn mean_wait_ms(&self) -> f64 {
        if self.waits == 0 {
            0.0
        } else {
            self.wait_sum_us as f64 / self.waits as f64 / 1e3
        }
    }

    /// Age of the oldest waiting message now [µs].
    pub fn oldest_message_age_us(&self, now: SimTime) -> u64 {
        self.queues
            .iter()
            .flatten()
            .filter_map(|q| q.oldest_sent())
            .map(|s| now.since(s).as_micros())
            .max()
            .unwrap_or(0)
    }

    /// Instances in `state` now.
    pub fn count(&self, state: InstanceState) -> u64 {
        self.fleet.now[state.index()]
    }
}

fn work_source(w: Work) -> u16 {
    match w {
        Work::Http { source, .. } | Work::Msg { source, .. } => source,
    }
}

fn dist_sampler(d: &Distribution) -> Sampler {
    if d.problems().is_empty() {
        d.sampler()
    } else {
        Distribution::default().sampler()
    }
}

#[cfg(test)]
mod tests;
