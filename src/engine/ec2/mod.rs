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

//!
//! Where each concern lives (every file adds its part of `impl Ec2Side`):
//!
//! | concern | file |
//! |---|---|
//! | the side's state, its context, its events and their dispatch | `mod.rs` |
//! | building the side from a scenario, starting it | [`build`] |
//! | gauges kept up to date as instances change | [`gauges`] |
//! | the request path through the Application Load Balancer | [`load_balancer`] |
//! | workers: slots, local queues, service, outcomes | [`workers`] |
//! | SQS sources: long polling, visibility timeout, DLQ | [`polling`] |
//! | instance lifecycle: launch, boot, drain, terminate, desired size | [`lifecycle`] |
//! | crashes, detection, Availability Zone outages | [`failures`] |
//! | OS patching | [`patching`] |
//! | the on-call operator: pager, overload alarm, work by hand | [`operator`] |
//! | Auto Scaling: bounds, target tracking, scheduled actions, metric tick | [`autoscaling`] |
//! | snapshot, report and readouts (usage for the bill) | [`view`] |
//! | instances, their states and the fleet's series | [`fleet`] |
//! | input schema and validation; documented defaults | [`crate::engine::scenario::ec2`], [`crate::engine::scenario::ec2::defaults`] |

pub mod autoscaling;
pub mod build;
pub mod failures;
pub mod fleet;
pub mod gauges;
pub mod lifecycle;
pub mod load_balancer;
pub mod operator;
pub mod patching;
pub mod polling;
pub mod view;
pub mod workers;

use self::autoscaling::ScalingGroup;
use self::fleet::{FleetInts, FleetSeries, Instance};
use self::load_balancer::{AlbMeter, Router};
use self::operator::{Operator, OperatorWork};
use self::patching::PatchSchedule;
use self::polling::Returning;
use self::workers::{Job, ServiceModel};
use super::billing::usage::Ec2Usage;
use super::counters::SourceCounters;
use super::happening::{HappeningKind, Happenings, Side};
use super::metrics::{Counters, Integrals, Latency};
use super::queue::EventQueue;
use super::scenario::SourceKind;
use super::sqs::{Msg, SqsQueue};
use super::time::{SimDuration, SimTime};
use crate::engine::scenario::ec2::{Failure, Routing};
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
    pub queue: &'a mut EventQueue<E>,
    pub happenings: &'a mut Happenings,
}

impl<E: From<Ec2Event>> Ec2Ctx<'_, E> {
    /// Schedules at `at`, never before now (so scheduling cannot fail).
    #[inline]
    fn at(&mut self, at: SimTime, event: Ec2Event) {
        let at = at.max(self.now).max(self.queue.now());
        let _ = self.queue.schedule(at, E::from(event));
    }
    #[inline]
    /// Logs an EC2 happening: the kinds the Lambda side uses too keep
    /// their meaning (`RoutedWarm` a request routed to an instance or a
    /// message received by one, `Throttled` the load balancer's 503), so a
    /// drawing treats "reached a worker" and "refused" alike on both sides.
    fn log(&mut self, what: HappeningKind, source: Option<u16>, instance: Option<u64>) {
        self.happenings
            .push(self.now, Side::Ec2, what, source.map(u32::from), instance);
    }
}

/// Counters of the fleet itself (beyond the shared [`Counters`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FleetCounters {
    /// Instances launched, initial fleet included \[instances\].
    pub launched: u64,
    /// Instances terminated \[instances\].
    pub terminated: u64,
    /// Instances that failed (crash or AZ outage) \[instances\].
    pub failed: u64,
    /// Failed instances replaced by Auto Scaling \[instances\].
    pub replaced_automatically: u64,
    /// Launches refused: every zone down or the engine's instance limit \[launches\].
    pub launches_refused: u64,
    /// Requests answered 503 by the load balancer \[requests\].
    pub http_503: u64,
    /// ... of which because no target was in service \[requests\].
    pub http_503_no_target: u64,
    /// Requests answered 502 (dead target, or cut off by a crash or a drain deadline) \[requests\].
    pub http_502: u64,
    /// Requests answered 504 (past the idle timeout) \[requests\].
    pub http_504: u64,
    /// Scale-out activities of target tracking \[activities\].
    pub scale_outs: u64,
    /// Scale-in activities of target tracking \[activities\].
    pub scale_ins: u64,
    /// Scheduled actions applied \[actions\].
    pub scheduled_actions: u64,
    /// Most instances out of service for patching at once \[instances\].
    pub max_patching_out: u64,
    /// Most desired capacity seen \[instances\].
    pub max_desired: u64,
    /// Highest desired capacity above the group's max ever set: must stay 0 \[instances\].
    pub desired_over_max: u64,
    /// Work started on an instance that was not in service: must stay 0 \[starts\].
    pub served_while_not_in_service: u64,
    /// Age of the oldest waiting message, highest seen at a metric tick \[µs\].
    pub oldest_message_age_max_us: u64,
    /// Empty long-poll receives of idle workers \[requests\].
    pub empty_receives: u64,
}

/// The EC2 deployment.
pub struct Ec2Side {
    // configuration
    type_name: String,
    vcpu: u32,
    /// Pieces of work an instance runs at once.
    worker_slots: u32,
    /// Requests an instance queues beyond its worker slots.
    local_queue_capacity: usize,
    routing: Routing,
    service: ServiceModel,
    boot_time: SimDuration,
    request_timeout: SimDuration,
    deregistration_delay: SimDuration,
    response_bytes: u64,
    /// Rule evaluations per request beyond the free ones.
    billable_rule_evaluations: u64,
    /// Time for the health checks to notice a failed instance.
    detection: SimDuration,
    zones: u32,
    /// Whether instances are launched with a public IPv4 address.
    public_ip: bool,
    /// CPU credits an instance earns per µs (0: not burstable), see
    /// [`fleet::Instance::credit_earn`].
    credit_earn: u64,
    source_kinds: Vec<SourceKind>,
    payload_bytes: Vec<u64>,
    initial_instances: u32,
    end: SimTime,

    scaling_group: Option<ScalingGroup>,
    /// Desired size of a fixed fleet (changed only by the operator).
    fixed_target: u32,
    patch_schedule: Option<PatchSchedule>,
    /// Rolling patch: ids of the instances still to patch, in order.
    patch_queue: VecDeque<u64>,
    /// Instances out of service for patching now.
    patch_active: u64,
    failures: Vec<Failure>,
    /// Per zone: down until then (`SimTime::MAX`: until brought up).
    zone_down_until: Vec<SimTime>,
    operator: Operator,
    /// The fleet's last measured CPU, in percent.
    last_cpu: Option<f64>,

    // state
    instances: Vec<Instance>,
    free_instance_slots: Vec<u32>,
    next_id: u64,
    targets: Vec<u32>,
    router: Router,
    pullable: BTreeSet<u32>,
    jobs: Vec<Job>,
    free_job_slots: Vec<u32>,
    queues: Vec<Option<SqsQueue>>,
    sqs_sources: Vec<u16>,
    next_sqs_source: usize,
    returning: Vec<Returning>,
    free_returning_slots: Vec<u32>,
    receive_buffer: Vec<Msg>,
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
    /// messages) \[µs\].
    pub wait_sum_us: u128,
    /// Queueing delays measured \[events\].
    pub waits: u64,
    /// Fleet counters.
    pub fc: FleetCounters,
    /// Operator work.
    pub work: OperatorWork,
    /// SQS requests (send, receive, delete; 64 KB chunks), empty polls excluded \[requests\].
    pub sqs_requests: u64,
    /// S3 PUT requests of S3 sources \[requests\].
    pub s3_put_requests: u64,
}

impl Ec2Side {
    /// A request or message arrives from `source`.
    pub fn on_arrival<E: From<Ec2Event>>(&mut self, source: u16, ctx: &mut Ec2Ctx<E>) {
        let source_index = source as usize;
        self.counters.arrived += 1;
        self.per_source[source_index].arrived += 1;
        match self.source_kinds[source_index] {
            SourceKind::Api => self.on_request(source, ctx),
            kind => self.on_message(source, kind, ctx),
        }
    }

    /// Handles one EC2 event.
    pub fn on_event<E: From<Ec2Event>>(&mut self, event: Ec2Event, ctx: &mut Ec2Ctx<E>) {
        match event {
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
}

#[cfg(test)]
mod tests;
