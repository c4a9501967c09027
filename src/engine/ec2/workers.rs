//! Workers: each instance runs `worker_slots` pieces of work at once and
//! queues up to `queue_length` more requests locally. Work starts on a free
//! slot, takes a sampled service time, and ends as a success, an error or a
//! timeout; a freed slot takes the next request from the local queue or the
//! next message (see `polling`). A crash or a drain deadline cuts off what
//! an instance holds.

use super::fleet::{InstanceState, Queued};
use super::{Ec2Ctx, Ec2Event, Ec2Side};
use crate::engine::dist::{rng_stream, Distribution, Rng, Sampler, STREAM_EC2_SERVICE};
use crate::engine::happening::HappeningKind;
use crate::engine::scenario::ec2::defaults;
use crate::engine::scenario::ec2::Ec2Config;
use crate::engine::scenario::Function;
use crate::engine::slots::store;
use crate::engine::sqs::Msg;
use crate::engine::time::{SimDuration, SimTime};
use rand::RngExt;

/// How long work takes and whether it fails: the duration model (the
/// fleet's own, or the Lambda function's) scaled by the instance's speed,
/// and the error rate.
pub(super) struct ServiceModel {
    sampler: Sampler,
    /// Service-time multiplier: 1 / the instance's speed factor.
    time_factor: f64,
    error_rate: f64,
    rng: Rng,
}

impl ServiceModel {
    /// The model of a validated `ec2` section; `function` lends its
    /// duration model and error rate where the section has none.
    pub(super) fn new(cfg: &Ec2Config, function: Option<&Function>, seed: u64) -> ServiceModel {
        let duration = cfg
            .duration
            .clone()
            .or_else(|| function.map(|f| f.duration.clone()))
            .unwrap_or_default();
        let error_rate = cfg
            .error_rate
            .or(function.map(|f| f.error_rate))
            .unwrap_or(0.0);
        ServiceModel {
            sampler: dist_sampler(&duration),
            time_factor: 1.0
                / cfg
                    .speed_factor
                    .clamp(1.0 / defaults::MAX_SPEED_FACTOR, defaults::MAX_SPEED_FACTOR),
            error_rate,
            rng: rng_stream(seed, STREAM_EC2_SERVICE, 0),
        }
    }

    /// A service time.
    fn sample(&mut self) -> SimDuration {
        self.sampler.sample_scaled(&mut self.rng, self.time_factor)
    }

    /// Whether a piece of work (not timed out) ends in an error.
    fn fails(&mut self) -> bool {
        self.error_rate > 0.0 && self.rng.random::<f64>() < self.error_rate
    }
}

/// The service-time sampler of `duration` (the default model if invalid).
fn dist_sampler(duration: &Distribution) -> Sampler {
    if duration.problems().is_empty() {
        duration.sampler()
    } else {
        Distribution::default().sampler()
    }
}

/// How a piece of work ends, decided when it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    Success,
    Error,
    Timeout,
}

/// A piece of work: an HTTP request through the load balancer, or a
/// message received from a queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Work {
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

/// Work running on a worker slot (an entry of the job table).
#[derive(Clone, Copy, Debug)]
pub(super) struct Job {
    /// The instance's slot in the instance table.
    pub(super) inst: u32,
    /// Bumped when the entry is freed, so a stale `Done` is ignored.
    pub(super) gen: u32,
    pub(super) live: bool,
    pub(super) work: Work,
    pub(super) outcome: Outcome,
    pub(super) started: SimTime,
    /// Sampled service time.
    pub(super) service: SimDuration,
}

impl Ec2Side {
    /// Starts `work` on a free slot of instance `slot` (in flight already counted).
    pub(super) fn start_work<E: From<Ec2Event>>(
        &mut self,
        slot: u32,
        work: Work,
        ctx: &mut Ec2Ctx<E>,
    ) {
        let now = ctx.now;
        if self.instances[slot as usize].state != InstanceState::InService
            && self.instances[slot as usize].state != InstanceState::Draining
        {
            self.fc.served_while_not_in_service += 1;
        }
        let service = self.service.sample();
        let limit = match work {
            Work::Http { .. } => self.request_timeout,
            Work::Msg { source, .. } => self.queues[source as usize]
                .as_ref()
                .map_or(SimDuration::MAX, |queue| queue.visibility),
        };
        let outcome = if service > limit {
            Outcome::Timeout
        } else if self.service.fails() {
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
        let job_slot = store(&mut self.jobs, &mut self.free_job_slots, job, |old, job| {
            Job {
                gen: old.gen,
                ..job
            }
        });
        let gen = self.jobs[job_slot as usize].gen;
        self.busy_step(slot, now, true);
        self.counters.invocations += 1;
        self.counters.warm_starts += 1;
        let (source, id) = (work_source(work), self.instances[slot as usize].id);
        ctx.log(HappeningKind::RoutedWarm, Some(source), Some(id));
        ctx.at(now + service, Ec2Event::Done { job: job_slot, gen });
    }

    /// Frees job slot `job_slot` (its pending `Done` event goes stale).
    pub(super) fn free_job(&mut self, job_slot: u32) {
        let job = &mut self.jobs[job_slot as usize];
        job.live = false;
        job.gen = job.gen.wrapping_add(1);
        self.free_job_slots.push(job_slot);
    }

    /// A worker finishes job `job_slot` (unless it was cut off since) and
    /// takes its next work.
    pub(super) fn on_done<E: From<Ec2Event>>(
        &mut self,
        job_slot: u32,
        gen: u32,
        ctx: &mut Ec2Ctx<E>,
    ) {
        let Some(job) = self.jobs.get(job_slot as usize).copied() else {
            return;
        };
        if !job.live || job.gen != gen {
            return;
        }
        self.free_job(job_slot);
        let now = ctx.now;
        let id = self.instances[job.inst as usize].id;
        self.counters.in_flight -= 1;
        match job.work {
            Work::Http { source, arrived } => self.finish_request(&job, source, arrived, id, ctx),
            Work::Msg {
                source,
                msg,
                received,
            } => self.finish_message(job.outcome, source, msg, received, id, ctx),
        }
        self.busy_step(job.inst, now, false);
        self.feed(job.inst, ctx);
    }

    /// A request's response goes back through the load balancer: a
    /// success, an error, or a 504 past the request timeout.
    fn finish_request<E: From<Ec2Event>>(
        &mut self,
        job: &Job,
        source: u16,
        arrived: SimTime,
        id: u64,
        ctx: &mut Ec2Ctx<E>,
    ) {
        self.close_connection(ctx.now);
        let seen = job.service.min(self.request_timeout);
        self.latency
            .record((job.started.since(arrived) + seen).as_micros());
        let outcomes = &mut self.per_source[source as usize];
        let what = match job.outcome {
            Outcome::Success => {
                self.counters.succeeded += 1;
                outcomes.succeeded += 1;
                HappeningKind::Succeeded
            }
            Outcome::Error => {
                self.counters.errors += 1;
                self.counters.failed += 1;
                outcomes.failed += 1;
                HappeningKind::Errored
            }
            Outcome::Timeout => {
                self.counters.timeouts += 1;
                self.counters.timed_out += 1;
                self.fc.http_504 += 1;
                outcomes.timed_out += 1;
                HappeningKind::TimedOut
            }
        };
        ctx.log(what, Some(source), Some(id));
    }

    /// Gives a free slot of `slot` its next work: the local queue first,
    /// then the SQS queues; finishes a drain that ran empty.
    pub(super) fn feed<E: From<Ec2Event>>(&mut self, slot: u32, ctx: &mut Ec2Ctx<E>) {
        let now = ctx.now;
        loop {
            let inst = &self.instances[slot as usize];
            if !inst.state.runs_work() || inst.busy >= self.worker_slots {
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
        let inst = &self.instances[slot as usize];
        if inst.state == InstanceState::Draining && inst.busy == 0 && inst.local.is_empty() {
            self.drained(slot, ctx);
        }
    }

    /// Cuts off everything on an instance: requests get a 502, messages
    /// return to their queue after their visibility timeout.
    pub(super) fn kill_work<E: From<Ec2Event>>(&mut self, slot: u32, ctx: &mut Ec2Ctx<E>) {
        let now = ctx.now;
        let id = self.instances[slot as usize].id;
        for job_slot in 0..self.jobs.len() as u32 {
            let job = self.jobs[job_slot as usize];
            if !job.live || job.inst != slot {
                continue;
            }
            self.free_job(job_slot);
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
        let local: Vec<Queued> = self.instances[slot as usize]
            .local
            .iter()
            .copied()
            .collect();
        if !local.is_empty() {
            self.set_waiting(now, local.len() as u64, false);
            for queued in &local {
                self.cut_off(queued.source, queued.arrived, now);
            }
        }
        self.mutate(slot, now, |i| {
            i.busy = 0;
            i.local.clear();
        });
    }

    /// A request cut off by a crash or a drain deadline: a 502.
    pub(super) fn cut_off(&mut self, source: u16, arrived: SimTime, now: SimTime) {
        self.fc.http_502 += 1;
        self.counters.failed += 1;
        self.per_source[source as usize].failed += 1;
        self.latency.record(now.since(arrived).as_micros());
        self.close_connection(now);
    }
}

/// The source `work` came from.
fn work_source(work: Work) -> u16 {
    match work {
        Work::Http { source, .. } | Work::Msg { source, .. } => source,
    }
}
