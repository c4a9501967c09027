//! The pool of execution environments and their life: created by a **cold
//! start** (`LambdaSide::cold_start`: INIT, then the handler), reused by
//! a warm start, idle between invocations, expired at the end of their
//! keep-alive, killed after a timeout.
//!
//! Environments live in a `Vec` with a free list; idle ones sit in
//! `IdleSet`s (module `idle`) so the NEWEST idle environment is
//! taken first (as SimFaaS models it, so older ones expire). Keep-alive
//! expiry keeps at most one pending event per environment and re-arms it
//! lazily.

use super::{LambdaCtx, LambdaEvent, LambdaSide};
use crate::engine::happening::HappeningKind;
use crate::engine::metrics::{G_BUSY, G_IDLE, G_INIT, G_TOTAL};
use crate::engine::slots::store;
use crate::engine::time::{SimDuration, SimTime};
use rand::RngExt;
use serde::Serialize;

/// State of an execution environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvState {
    /// Cold start: INIT running, the invocation waits.
    Initializing,
    /// Running an invocation.
    Busy,
    /// Warm and waiting for a request.
    Idle,
}

/// The work an environment runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Job {
    None,
    /// A synchronous (API) request.
    Sync {
        source: u16,
        arrived: SimTime,
    },
    /// An async event (slot in the async table).
    Async {
        slot: u32,
    },
    /// A batch of SQS messages.
    Sqs {
        source: u16,
        batch: u32,
    },
    /// A synchronous request whose client API Gateway already answered
    /// 504 (module `gateway`): the function runs on, nobody waits.
    Answered {
        source: u16,
    },
}

impl Job {
    /// The source the work came from.
    pub(super) fn source(self, lambda: &LambdaSide) -> Option<u16> {
        match self {
            Job::None => None,
            Job::Sync { source, .. } | Job::Sqs { source, .. } | Job::Answered { source } => {
                Some(source)
            }
            Job::Async { slot } => lambda
                .async_events
                .get(slot as usize)
                .map(|event| event.source),
        }
    }
}

/// How an invocation ends (drawn when it starts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    Success,
    Error,
    Timeout,
}

/// One execution environment (or a free slot): exactly one cache line, so
/// an invocation's end, which finds it cold among thousands, misses once
/// (its creation time, read only at its end and in views, is in
/// `LambdaSide::born` for that reason).
#[derive(Clone, Copy, Debug)]
#[repr(align(64))]
pub(super) struct Env {
    /// Unique id (never reused within a run).
    pub(super) id: u64,
    /// None = free slot.
    pub(super) state: Option<EnvState>,
    pub(super) provisioned: bool,
    pub(super) expiry_pending: bool,
    pub(super) gen: u32,
    /// When its last invocation ended (its keep-alive runs from here).
    pub(super) last_end: SimTime,
    pub(super) job: Job,
    /// When the handler started (after INIT for a cold start).
    pub(super) handler_start: SimTime,
    /// INIT of the current invocation, billed as INIT (zero when warm; the
    /// 10 s limit when INIT was cut off and retried in the invocation).
    pub(super) init: SimDuration,
    /// Time the current invocation will take after INIT (a retried INIT
    /// included; capped at the timeout).
    pub(super) handler: SimDuration,
    pub(super) outcome: Outcome,
}

impl LambdaSide {
    /// Creates an environment in `state` and returns its slot.
    pub(super) fn new_env(&mut self, now: SimTime, provisioned: bool, state: EnvState) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        let env = Env {
            id,
            state: Some(state),
            provisioned,
            expiry_pending: false,
            gen: 0,
            last_end: now,
            job: Job::None,
            handler_start: now,
            init: SimDuration::ZERO,
            handler: SimDuration::ZERO,
            outcome: Outcome::Success,
        };
        self.counters.environments_created += 1;
        self.ints.advance(now);
        self.ints.add(G_TOTAL, 1);
        let slot = store(&mut self.envs, &mut self.free, env, |old, env| Env {
            gen: old.gen,
            ..env
        });
        // `store` reused a slot or added one at the end.
        self.born.resize(self.envs.len(), now);
        self.born[slot as usize] = now;
        if provisioned {
            self.idle_provisioned.created(slot);
        } else {
            self.idle_on_demand.created(slot);
        }
        slot
    }

    /// Draws the handler time and outcome of an invocation starting now;
    /// `before` runs inside the invocation first (a retried INIT) and
    /// counts against the timeout.
    fn plan_invocation(&mut self, slot: u32, cold: bool, before: SimDuration) {
        let sampler = match (cold, self.cold_duration) {
            (true, Some(cold_sampler)) => cold_sampler,
            _ => self.duration,
        };
        let drawn = before + sampler.sample_scaled(&mut self.rng, self.duration_factor);
        let (handler, outcome) = if drawn > self.timeout {
            (self.timeout, Outcome::Timeout)
        } else if self.error_rate > 0.0 && self.rng.random::<f64>() < self.error_rate {
            (drawn, Outcome::Error)
        } else {
            (drawn, Outcome::Success)
        };
        let env = &mut self.envs[slot as usize];
        env.handler = handler;
        env.outcome = outcome;
    }

    // ---------------------------------------------------------- warm start

    /// Runs `job` on the idle environment in `slot`.
    pub(super) fn warm_start<E: From<LambdaEvent>>(
        &mut self,
        slot: u32,
        job: Job,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        let now = ctx.now;
        self.ints.advance(now);
        self.ints.sub(G_IDLE, 1);
        self.ints.add(G_BUSY, 1);
        self.counters.invocations += 1;
        self.counters.warm_starts += 1;
        self.plan_invocation(slot, false, SimDuration::ZERO);
        let env = &mut self.envs[slot as usize];
        if env.provisioned {
            self.counters.provisioned_invocations += 1;
        } else {
            self.on_demand_busy += 1;
        }
        env.state = Some(EnvState::Busy);
        env.job = job;
        env.handler_start = now;
        env.init = SimDuration::ZERO;
        let (id, gen, end, provisioned) = (env.id, env.gen, now + env.handler, env.provisioned);
        if ctx.logging() {
            let kind = if provisioned {
                HappeningKind::RoutedProvisioned
            } else {
                HappeningKind::RoutedWarm
            };
            ctx.log(kind, job.source(self), Some(id));
        }
        ctx.schedule(end, LambdaEvent::End { slot, gen });
        self.watch_gateway(slot, ctx);
    }

    // ---------------------------------------------------------- cold start

    /// Runs `job` on a new on-demand environment: INIT first, then the
    /// handler. An INIT longer than the 10 s limit is cut off there and
    /// retried inside the invocation, under the function timeout (as AWS
    /// documents): the invocation runs the whole INIT again, then the handler.
    pub(super) fn cold_start<E: From<LambdaEvent>>(
        &mut self,
        job: Job,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        let now = ctx.now;
        let slot = self.new_env(now, false, EnvState::Initializing);
        self.ints.add(G_BUSY, 1);
        self.on_demand_busy += 1;
        self.counters.invocations += 1;
        self.counters.cold_starts += 1;
        let init = self.init.sample(&mut self.rng);
        let init_limit = self.init_limit;
        let retried = if init > init_limit {
            self.counters.init_timeouts += 1;
            init
        } else {
            SimDuration::ZERO
        };
        self.plan_invocation(slot, true, retried);
        let env = &mut self.envs[slot as usize];
        env.job = job;
        let (id, gen) = (env.id, env.gen);
        let source = job.source(self);
        ctx.log(HappeningKind::ColdStart, source, Some(id));
        let env = &mut self.envs[slot as usize];
        if init > init_limit {
            env.init = init_limit;
            self.ints.add(G_INIT, 1);
            ctx.schedule(now + init_limit, LambdaEvent::InitDone { slot, gen });
        } else if init.is_zero() {
            env.state = Some(EnvState::Busy);
            env.handler_start = now;
            let end = now + env.handler;
            ctx.schedule(end, LambdaEvent::End { slot, gen });
        } else {
            env.init = init;
            self.ints.add(G_INIT, 1);
            ctx.schedule(now + init, LambdaEvent::InitDone { slot, gen });
        }
        self.watch_gateway(slot, ctx);
    }

    /// Whether `slot` still holds the environment of generation `gen`.
    fn is_live(&self, slot: u32, gen: u32) -> bool {
        self.envs
            .get(slot as usize)
            .is_some_and(|env| env.gen == gen && env.state.is_some())
    }

    /// A cold start's INIT ended (or was cut off at 10 s): the invocation
    /// runs (with the retried INIT first, if it was cut off).
    pub(super) fn on_init_done<E: From<LambdaEvent>>(
        &mut self,
        slot: u32,
        gen: u32,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        if !self.is_live(slot, gen) {
            return;
        }
        if self.envs[slot as usize].job == Job::None {
            // A provisioned environment's INIT (module `provisioned`).
            self.on_provisioned_init_done(slot, ctx);
            return;
        }
        self.ints.advance(ctx.now);
        self.ints.sub(G_INIT, 1);
        let env = &mut self.envs[slot as usize];
        env.state = Some(EnvState::Busy);
        env.handler_start = ctx.now;
        let end = ctx.now + env.handler;
        ctx.schedule(end, LambdaEvent::End { slot, gen });
    }

    // ------------------------------------------------------ invocation end

    /// An invocation ended: bill it, count its outcome, free (or discard)
    /// its environment, then finish its job by invocation type.
    pub(super) fn on_end<E: From<LambdaEvent>>(
        &mut self,
        slot: u32,
        gen: u32,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        if !self.is_live(slot, gen) {
            return;
        }
        let now = ctx.now;
        let env = self.envs[slot as usize];
        let handler = now.since(env.handler_start);
        self.max_handler_us = self.max_handler_us.max(handler.as_micros());
        self.bill_invocation(&env, handler);
        let kind = self.count_outcome(env.outcome);
        // The source only names the happenings (none in a headless run).
        let source = if ctx.logging() {
            env.job.source(self)
        } else {
            None
        };
        ctx.log(kind, source, Some(env.id));
        // Free the environment first, so a retry or the SQS pollers can use it.
        self.release(slot, &env, source, ctx);
        match env.job {
            Job::None | Job::Answered { .. } => {}
            Job::Sync { source, arrived } => self.sync_done(source, arrived, env.outcome, now),
            Job::Async { slot } => self.async_done(slot, env.outcome, ctx),
            Job::Sqs { source, batch } => self.sqs_done(source, batch, env.outcome, ctx),
        }
        // Checked here, so the usual end (no provisioned level to refill,
        // no SQS source) makes no call.
        if self.provisioned_envs < self.provisioned_target {
            self.fill_provisioned(ctx);
        }
        if !self.sqs_sources.is_empty() {
            self.wake_pollers(ctx);
        }
    }

    /// Counts an invocation's errors and timeouts; the happening to log.
    fn count_outcome(&mut self, outcome: Outcome) -> HappeningKind {
        match outcome {
            Outcome::Success => HappeningKind::Succeeded,
            Outcome::Error => {
                self.counters.errors += 1;
                HappeningKind::Errored
            }
            Outcome::Timeout => {
                self.counters.timeouts += 1;
                HappeningKind::TimedOut
            }
        }
    }

    /// The environment in `slot` finished its invocation: discarded after a
    /// timeout or above the provisioned level, else idle.
    fn release<E: From<LambdaEvent>>(
        &mut self,
        slot: u32,
        env: &Env,
        source: Option<u16>,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        let now = ctx.now;
        self.ints.advance(now);
        self.ints.sub(G_BUSY, 1);
        if !env.provisioned {
            self.on_demand_busy -= 1;
        }
        let killed = env.outcome == Outcome::Timeout;
        if killed {
            self.counters.environments_killed += 1;
            ctx.log(HappeningKind::EnvKilled, source, Some(env.id));
            self.destroy(slot, now);
        } else if env.provisioned && self.provisioned_envs > self.provisioned_target {
            self.counters.environments_deprovisioned += 1;
            ctx.log(HappeningKind::EnvDeprovisioned, None, Some(env.id));
            self.destroy(slot, now);
        } else {
            self.make_idle(slot, ctx);
        }
    }

    // ------------------------------------------------------ idle and expiry

    /// The environment in `slot` waits for work; an on-demand one until
    /// its keep-alive runs out.
    fn make_idle<E: From<LambdaEvent>>(&mut self, slot: u32, ctx: &mut LambdaCtx<'_, E>) {
        let now = ctx.now;
        self.ints.add(G_IDLE, 1);
        let keep_alive = self.keep_alive;
        let env = &mut self.envs[slot as usize];
        env.state = Some(EnvState::Idle);
        env.job = Job::None;
        env.last_end = now;
        env.init = SimDuration::ZERO;
        if env.provisioned {
            self.idle_provisioned.insert(slot);
        } else {
            self.idle_on_demand.insert(slot);
            if !env.expiry_pending {
                env.expiry_pending = true;
                let gen = env.gen;
                ctx.schedule(now + keep_alive, LambdaEvent::Expire { slot, gen });
            }
        }
    }

    /// Removes the environment in `slot` (its slot is reused later).
    pub(super) fn destroy(&mut self, slot: u32, now: SimTime) {
        let env = &mut self.envs[slot as usize];
        let was_idle = env.state == Some(EnvState::Idle);
        let provisioned = env.provisioned;
        if was_idle {
            self.ints.sub(G_IDLE, 1);
        }
        if provisioned {
            self.provisioned_envs -= 1;
        }
        self.lifespan_sum_us += u128::from(now.since(self.born[slot as usize]).as_micros());
        self.lifespans += 1;
        env.state = None;
        env.gen = env.gen.wrapping_add(1);
        env.expiry_pending = false;
        if provisioned {
            self.idle_provisioned.destroyed(slot);
        } else {
            self.idle_on_demand.destroyed(slot);
        }
        self.ints.sub(G_TOTAL, 1);
        self.free.push(slot);
    }

    /// An idle environment may have reached the end of its keep-alive:
    /// expire it, or re-arm the check if it worked since.
    pub(super) fn on_expire<E: From<LambdaEvent>>(
        &mut self,
        slot: u32,
        gen: u32,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        if !self.is_live(slot, gen) {
            return;
        }
        let keep_alive = self.keep_alive;
        let env = &mut self.envs[slot as usize];
        env.expiry_pending = false;
        if env.state != Some(EnvState::Idle) || env.provisioned {
            // Busy again: its end re-arms the expiry.
            return;
        }
        let due = env.last_end + keep_alive;
        if ctx.now >= due {
            let id = env.id;
            self.ints.advance(ctx.now);
            self.counters.environments_expired += 1;
            ctx.log(HappeningKind::EnvExpired, None, Some(id));
            self.destroy(slot, ctx.now);
        } else {
            env.expiry_pending = true;
            ctx.schedule(due, LambdaEvent::Expire { slot, gen });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An environment is one cache line, aligned to one: an invocation's
    /// end loads it cold, once.
    #[test]
    fn an_environment_is_one_cache_line() {
        assert_eq!(std::mem::size_of::<Env>(), 64);
        assert_eq!(std::mem::align_of::<Env>(), 64);
    }
}
