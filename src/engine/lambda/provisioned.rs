//! Provisioned concurrency: environments created ahead of demand at the
//! scenario's levels, counted against the concurrency limit whether busy
//! or not, taken first by invocations, never expired; billed per
//! level × time (each constant-level span rounded up to 5 minutes).

use super::environments::EnvState;
use super::{LambdaCtx, LambdaEvent, LambdaSide};
use crate::engine::happening::HappeningKind;
use crate::engine::metrics::{G_IDLE, G_PROVISIONED};
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
    pub(super) fn fill_provisioned<E: From<LambdaEvent>>(&mut self, ctx: &mut LambdaCtx<'_, E>) {
        while self.provisioned_envs < self.provisioned_target
            && self.on_demand_busy + self.provisioned_envs < self.limit
        {
            let slot = self.new_env(ctx.now, true, EnvState::Idle);
            self.provisioned_envs += 1;
            self.ints.add(G_IDLE, 1);
            let id = self.envs[slot as usize].id;
            self.idle_provisioned.insert(slot);
            ctx.log(HappeningKind::EnvProvisioned, None, Some(id));
        }
    }
}
