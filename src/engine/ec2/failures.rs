//! Failures and Availability Zones: an instance crash (injected, or the
//! live action), its detection by the health checks (then Auto Scaling
//! replaces it, or the operator is paged), and AZ outages (every instance
//! of the zone crashes and nothing launches there until it recovers).

use super::fleet::{AfterDrain, InstanceState};
use super::{Ec2Ctx, Ec2Event, Ec2Side};
use crate::engine::action::ActionError;
use crate::engine::happening::{HappeningKind, Side};
use crate::engine::scenario::ec2::Failure;
use crate::engine::time::{SimDuration, SimTime};

impl Ec2Side {
    /// Instance `slot` crashes: its work is cut off; it stays billed and,
    /// if it was registered, keeps receiving traffic until detected.
    pub(super) fn fail<E: From<Ec2Event>>(&mut self, slot: u32, ctx: &mut Ec2Ctx<E>) {
        let now = ctx.now;
        let inst = &self.instances[slot as usize];
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
            self.instances[slot as usize].id,
            self.instances[slot as usize].gen,
            self.instances[slot as usize].launched,
        );
        ctx.log(HappeningKind::InstanceFailed, None, Some(id));
        let mut at = now + self.detection;
        if let Some(group) = &self.scaling_group {
            at = at.max(launched + group.grace);
        }
        ctx.at(at, Ec2Event::Detect { inst: slot, gen });
        if patching {
            self.patch_active = self.patch_active.saturating_sub(1);
            self.patch_next(ctx);
        }
    }

    /// The health checks notice failed instance `slot`: Auto Scaling
    /// replaces it, a fixed fleet pages the operator.
    pub(super) fn on_detect<E: From<Ec2Event>>(
        &mut self,
        slot: u32,
        gen: u32,
        ctx: &mut Ec2Ctx<E>,
    ) {
        if !self.live(slot, gen) || self.instances[slot as usize].state != InstanceState::Failed {
            return;
        }
        self.instances[slot as usize].failure_detected = true;
        self.deregister(slot);
        let id = self.instances[slot as usize].id;
        if self.scaling_group.is_some() {
            self.terminate(slot, ctx);
            self.fc.replaced_automatically += 1;
            ctx.log(HappeningKind::InstanceReplaced, None, Some(id));
            self.reconcile(ctx);
        } else {
            self.page(ctx);
        }
    }

    /// Injected failure `index` happens: an instance crash or an AZ outage.
    pub(super) fn on_failure<E: From<Ec2Event>>(&mut self, index: u32, ctx: &mut Ec2Ctx<E>) {
        let Some(failure) = self.failures.get(index as usize).copied() else {
            return;
        };
        match failure {
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
                if let Some(down_until) = self.zone_down_until.get_mut(zone as usize) {
                    *down_until = (*down_until).max(until);
                }
                ctx.at(until, Ec2Event::ZoneUp { zone });
                self.fail_zone(zone, ctx);
            }
        }
    }

    /// The slot of instance `id` if it runs (not failed, not terminated).
    pub(super) fn running_slot(&self, id: u64) -> Option<u32> {
        self.instances
            .iter()
            .position(|i| {
                i.id == id && !matches!(i.state, InstanceState::Failed | InstanceState::Terminated)
            })
            .map(|s| s as u32)
    }

    /// The oldest instance in service.
    pub(super) fn oldest_in_service(&self) -> Option<u32> {
        self.instances
            .iter()
            .enumerate()
            .filter(|(_, i)| i.state == InstanceState::InService)
            .min_by_key(|(_, i)| i.id)
            .map(|(s, _)| s as u32)
    }

    /// Every running instance of `zone` crashes; returns how many.
    pub(super) fn fail_zone<E: From<Ec2Event>>(&mut self, zone: u32, ctx: &mut Ec2Ctx<E>) -> u32 {
        let hit: Vec<u32> = (0..self.instances.len() as u32)
            .filter(|&slot| {
                let inst = &self.instances[slot as usize];
                inst.zone == zone
                    && !matches!(
                        inst.state,
                        InstanceState::Failed | InstanceState::Terminated
                    )
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
            .filter(|&zone| self.zone_down_until[zone as usize] > now)
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
                    .instances
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
        let id = self.instances[slot as usize].id;
        self.fail(slot, ctx);
        Ok(id)
    }

    /// An error unless `zone` is one of the fleet's zones.
    pub(super) fn check_zone(&self, zone: u32) -> Result<(), ActionError> {
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
        ctx.happenings.push(
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
        ctx.happenings.push(
            ctx.now,
            Side::Ec2,
            HappeningKind::ZoneUp,
            None,
            Some(u64::from(zone)),
        );
        self.reconcile(ctx);
        Ok(())
    }
}
