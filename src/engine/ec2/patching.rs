//! OS patching: a schedule of patch runs; each run takes instances out of
//! service (all at once, or rolling one at a time), drains them, patches
//! and reboots them, and puts them back in service without a new warm-up.

use super::fleet::{AfterDrain, InstanceState};
use super::{Ec2Ctx, Ec2Event, Ec2Side};
use crate::engine::happening::HappeningKind;
use crate::engine::scenario::ec2::{PatchConfig, PatchMode};
use crate::engine::time::{SimDuration, SimTime};

/// When patch runs happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PatchSchedule {
    /// First run.
    pub first: SimTime,
    /// Period between runs.
    pub every: SimDuration,
    /// Time each instance is out of service.
    pub out_of_service: SimDuration,
    pub mode: PatchMode,
}

impl PatchSchedule {
    /// From a validated config.
    pub fn new(config: &PatchConfig) -> PatchSchedule {
        PatchSchedule {
            first: SimTime::ZERO + SimDuration::from_secs_f64(config.first_at_s),
            // Never zero, so runs always move forward in time.
            every: SimDuration::from_secs_f64(config.every_days * 86_400.0)
                .max(SimDuration::from_secs(1)),
            out_of_service: SimDuration::from_secs_f64(config.out_of_service_s),
            mode: config.mode,
        }
    }

    /// Start of run `k` (0-based).
    pub fn run_at(&self, run: u32) -> SimTime {
        self.first + self.every.saturating_mul(u64::from(run))
    }
}

impl Ec2Side {
    /// Patch run `run` starts: takes the instances in service out for
    /// patching (all at once, or queued for a rolling patch) and schedules
    /// the next run.
    pub(super) fn on_patch_run<E: From<Ec2Event>>(&mut self, run: u32, ctx: &mut Ec2Ctx<E>) {
        let Some(schedule) = self.patch_schedule else {
            return;
        };
        let next = schedule.run_at(run.saturating_add(1));
        if next < self.end && next > ctx.now {
            ctx.at(next, Ec2Event::PatchRun { run: run + 1 });
        }
        let mut in_service: Vec<(u64, u32)> = self
            .instances
            .iter()
            .enumerate()
            .filter(|(_, i)| i.state == InstanceState::InService)
            .map(|(s, i)| (i.id, s as u32))
            .collect();
        crate::engine::order::sort_by_u64(&mut in_service, |schedule| schedule.0);
        match schedule.mode {
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
    pub(super) fn patch_next<E: From<Ec2Event>>(&mut self, ctx: &mut Ec2Ctx<E>) {
        if self
            .patch_schedule
            .is_none_or(|schedule| schedule.mode != PatchMode::Rolling)
            || self.patch_active > 0
        {
            return;
        }
        while let Some(id) = self.patch_queue.pop_front() {
            let slot = self
                .instances
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

    /// Instance `slot` is patched and rebooted: back in service.
    pub(super) fn on_patch_done<E: From<Ec2Event>>(
        &mut self,
        slot: u32,
        gen: u32,
        ctx: &mut Ec2Ctx<E>,
    ) {
        if !self.live(slot, gen) || self.instances[slot as usize].state != InstanceState::Patching {
            return;
        }
        self.work.patches_applied += 1;
        let id = self.instances[slot as usize].id;
        ctx.log(HappeningKind::Patched, None, Some(id));
        // Back in service without a new warm-up: it is the same instance.
        let since = self.instances[slot as usize].in_service_since;
        self.enter_service(slot, ctx);
        self.instances[slot as usize].in_service_since = since;
        self.patch_active = self.patch_active.saturating_sub(1);
        self.patch_next(ctx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_times() {
        let s = PatchSchedule::new(&PatchConfig {
            every_days: 1.0,
            first_at_s: 3_600.0,
            out_of_service_s: 600.0,
            mode: PatchMode::Rolling,
        });
        assert_eq!(s.run_at(0), SimTime::ZERO + SimDuration::from_secs(3_600));
        assert_eq!(
            s.run_at(2),
            SimTime::ZERO + SimDuration::from_secs(3_600 + 2 * 86_400)
        );
        assert_eq!(s.out_of_service, SimDuration::from_secs(600));
    }
}
