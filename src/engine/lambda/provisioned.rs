//! Provisioned concurrency: environments created ahead of demand at the
//! scenario's levels, counted against the concurrency limit whether busy
//! or not, taken first by invocations, never expired; billed per
//! level × time (each constant-level span rounded up to 5 minutes).
//!
//! Allocation is asynchronous, as AWS documents: a new provisioned
//! environment starts Initializing, runs an INIT drawn from the function's
//! INIT distribution (not billed as on-demand INIT), and only then is idle
//! and routable; requests meanwhile go on demand. Periodic recycling is
//! not modelled (AWS documents no period; see `defaults::ASSUMPTIONS`).

use super::environments::EnvState;
use super::{LambdaCtx, LambdaEvent, LambdaSide};
use crate::engine::happening::HappeningKind;
use crate::engine::metrics::{G_IDLE, G_INIT, G_PROVISIONED};
use crate::engine::order::sort_by_u64;
use crate::engine::scenario::Function;
use crate::engine::time::{SimDuration, SimTime};

/// The provisioned levels of `function` and when they apply, in time order.
pub(super) fn steps(function: &Function) -> Vec<(SimTime, u32)> {
    let mut steps: Vec<(SimTime, u32)> = function
        .provisioned
        .iter()
        .map(|step| {
            (
                SimTime::ZERO + SimDuration::from_secs_f64(step.at_s),
                step.level,
            )
        })
        .collect();
    sort_by_u64(&mut steps, |step| step.0.as_micros());
    steps
}

impl LambdaSide {
    /// The scenario's provisioned step `step` applies now.
    pub(super) fn on_provisioned_step<E: From<LambdaEvent>>(
        &mut self,
        step: u32,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        let level = self
            .provisioned_steps
            .get(step as usize)
            .map_or(0, |step| step.1);
        self.set_provisioned(level, ctx);
    }

    /// Sets the provisioned level: removes idle provisioned environments
    /// above it (busy ones go when they finish) and creates the missing.
    fn set_provisioned<E: From<LambdaEvent>>(&mut self, level: u32, ctx: &mut LambdaCtx<'_, E>) {
        let now = ctx.now;
        self.close_provisioned_span(now);
        self.ints.advance(now);
        self.ints
            .sub(G_PROVISIONED, u64::from(self.provisioned_target));
        self.ints.add(G_PROVISIONED, u64::from(level));
        self.provisioned_target = level;
        // Remove idle provisioned environments above the new level, oldest
        // first; busy ones go when they finish.
        while self.provisioned_envs > self.provisioned_target {
            // The oldest idle provisioned environment (a rare event: a scan is fine).
            let oldest = self
                .envs
                .iter()
                .enumerate()
                .filter(|(_, env)| env.provisioned && env.state == Some(EnvState::Idle))
                .min_by_key(|(_, env)| env.id)
                .map(|(slot, env)| (env.id, slot as u32));
            let Some((id, slot)) = oldest else { break };
            self.counters.environments_deprovisioned += 1;
            ctx.log(HappeningKind::EnvDeprovisioned, None, Some(id));
            self.destroy(slot, now);
        }
        self.fill_provisioned(ctx);
    }

    /// Bills the span at the current level that ends now.
    fn close_provisioned_span(&mut self, now: SimTime) {
        self.billable = self.billable_at(now);
        self.provisioned_since = now;
    }

    /// Creates provisioned environments up to the level, as far as the
    /// concurrency limit allows (the rest once on-demand work finishes).
    /// Each starts Initializing and becomes idle when its INIT ends.
    pub(super) fn fill_provisioned<E: From<LambdaEvent>>(&mut self, ctx: &mut LambdaCtx<'_, E>) {
        while self.provisioned_envs < self.provisioned_target
            && self.on_demand_busy + self.provisioned_envs < self.limit
        {
            let slot = self.new_env(ctx.now, true, EnvState::Initializing);
            self.provisioned_envs += 1;
            let (id, gen) = (self.envs[slot as usize].id, self.envs[slot as usize].gen);
            ctx.log(HappeningKind::EnvProvisioned, None, Some(id));
            let init = self.init.sample(&mut self.rng);
            if init.is_zero() {
                self.provisioned_ready(slot, ctx);
            } else {
                self.envs[slot as usize].init = init;
                self.ints.add(G_INIT, 1);
                ctx.schedule(ctx.now + init, LambdaEvent::InitDone { slot, gen });
            }
        }
    }

    /// The INIT of the provisioned environment in `slot` ended: it is idle
    /// and routable, or removed if the level fell meanwhile.
    pub(super) fn on_provisioned_init_done<E: From<LambdaEvent>>(
        &mut self,
        slot: u32,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        self.ints.advance(ctx.now);
        self.ints.sub(G_INIT, 1);
        self.envs[slot as usize].init = SimDuration::ZERO;
        if self.provisioned_envs > self.provisioned_target {
            let id = self.envs[slot as usize].id;
            self.counters.environments_deprovisioned += 1;
            ctx.log(HappeningKind::EnvDeprovisioned, None, Some(id));
            self.destroy(slot, ctx.now);
            return;
        }
        self.provisioned_ready(slot, ctx);
    }

    /// The provisioned environment in `slot` is ready: idle and routable.
    fn provisioned_ready<E: From<LambdaEvent>>(&mut self, slot: u32, ctx: &mut LambdaCtx<'_, E>) {
        self.ints.advance(ctx.now);
        self.ints.add(G_IDLE, 1);
        let env = &mut self.envs[slot as usize];
        env.state = Some(EnvState::Idle);
        env.last_end = ctx.now;
        self.idle_provisioned.insert(slot);
    }
}
