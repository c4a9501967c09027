//! Instance lifecycle: launch (in the up zone with the fewest instances),
//! boot, in service, draining (deregistration delay), terminated; and
//! reconciling the fleet to its desired size.

use super::fleet::{AfterDrain, Instance, InstanceState};
use super::{Ec2Ctx, Ec2Event, Ec2Side};
use crate::engine::happening::HappeningKind;
use crate::engine::scenario::ec2::defaults;
use crate::engine::slots::store;
use crate::engine::time::SimDuration;

impl Ec2Side {
    /// Launches one instance (booting) in the up zone with the fewest
    /// instances; none if every zone is down or the engine limit is reached.
    pub(super) fn launch<E: From<Ec2Event>>(&mut self, ctx: &mut Ec2Ctx<E>) -> Option<u32> {
        let now = ctx.now;
        if self.fleet.alive() >= u64::from(defaults::MAX_INSTANCES) {
            self.fc.launches_refused += 1;
            return None;
        }
        let mut per_zone = vec![0u32; self.zones as usize];
        for inst in &self.instances {
            if !matches!(
                inst.state,
                InstanceState::Terminated | InstanceState::Failed
            ) {
                per_zone[inst.zone as usize] += 1;
            }
        }
        let zone = (0..self.zones)
            .filter(|&zone| self.zone_down_until[zone as usize] <= now)
            .min_by_key(|&zone| (per_zone[zone as usize], zone));
        let Some(zone) = zone else {
            self.fc.launches_refused += 1;
            return None;
        };
        let id = self.next_id;
        self.next_id += 1;
        let mut inst = Instance::new(id, zone, InstanceState::Booting, now);
        inst.credit_earn = self.credit_earn;
        let slot = store(
            &mut self.instances,
            &mut self.free_instance_slots,
            inst,
            |old, inst| Instance {
                gen: old.gen,
                ..inst
            },
        );
        // Enter the books as Terminated → Booting so the gauges see a new instance.
        self.instances[slot as usize].state = InstanceState::Terminated;
        self.fleet.advance(now);
        self.fleet.moved(None, InstanceState::Terminated);
        self.mutate(slot, now, |inst| inst.state = InstanceState::Booting);
        self.fc.launched += 1;
        ctx.log(HappeningKind::InstanceLaunched, None, Some(id));
        let gen = self.instances[slot as usize].gen;
        ctx.at(now + self.boot_time, Ec2Event::Booted { inst: slot, gen });
        Some(slot)
    }

    /// Whether `slot` still holds the instance of generation `gen`.
    pub(super) fn live(&self, slot: u32, gen: u32) -> bool {
        self.instances
            .get(slot as usize)
            .is_some_and(|i| i.gen == gen && i.state != InstanceState::Terminated)
    }

    /// Instance `slot` enters service: registered with the load balancer
    /// and given work.
    pub(super) fn enter_service<E: From<Ec2Event>>(&mut self, slot: u32, ctx: &mut Ec2Ctx<E>) {
        let now = ctx.now;
        self.mutate(slot, now, |i| {
            i.state = InstanceState::InService;
            i.in_service_since = now;
        });
        let inst = &mut self.instances[slot as usize];
        inst.busy_mark = inst.busy_int;
        if self.alb.is_some() {
            self.register(slot);
        }
        ctx.log(
            HappeningKind::InstanceInService,
            None,
            Some(self.instances[slot as usize].id),
        );
        self.feed(slot, ctx);
    }

    /// Instance `slot` finished booting.
    pub(super) fn on_booted<E: From<Ec2Event>>(
        &mut self,
        slot: u32,
        gen: u32,
        ctx: &mut Ec2Ctx<E>,
    ) {
        if self.live(slot, gen) && self.instances[slot as usize].state == InstanceState::Booting {
            self.enter_service(slot, ctx);
        }
    }

    /// Takes an instance out of service; it finishes its work, then is
    /// terminated or patched.
    pub(super) fn start_drain<E: From<Ec2Event>>(
        &mut self,
        slot: u32,
        after: AfterDrain,
        ctx: &mut Ec2Ctx<E>,
    ) {
        let now = ctx.now;
        match self.instances[slot as usize].state {
            InstanceState::Booting if after == AfterDrain::Terminate => self.terminate(slot, ctx),
            InstanceState::InService => {
                self.deregister(slot);
                self.mutate(slot, now, |i| {
                    i.state = InstanceState::Draining;
                    i.after_drain = after;
                });
                let (id, gen) = (
                    self.instances[slot as usize].id,
                    self.instances[slot as usize].gen,
                );
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
                    now + self.deregistration_delay,
                    Ec2Event::DrainDeadline { inst: slot, gen },
                );
                self.feed(slot, ctx);
            }
            _ => {}
        }
    }

    /// A drained instance is terminated or patched.
    pub(super) fn drained<E: From<Ec2Event>>(&mut self, slot: u32, ctx: &mut Ec2Ctx<E>) {
        match self.instances[slot as usize].after_drain {
            AfterDrain::Terminate => self.terminate(slot, ctx),
            AfterDrain::Patch => {
                let now = ctx.now;
                self.mutate(slot, now, |i| i.state = InstanceState::Patching);
                let gen = self.instances[slot as usize].gen;
                let out = self
                    .patch_schedule
                    .map_or(SimDuration::ZERO, |schedule| schedule.out_of_service);
                ctx.at(now + out, Ec2Event::PatchDone { inst: slot, gen });
            }
        }
    }

    /// The deregistration delay ran out: what is left is cut off.
    pub(super) fn on_drain_deadline<E: From<Ec2Event>>(
        &mut self,
        slot: u32,
        gen: u32,
        ctx: &mut Ec2Ctx<E>,
    ) {
        if self.live(slot, gen) && self.instances[slot as usize].state == InstanceState::Draining {
            self.kill_work(slot, ctx);
            self.drained(slot, ctx);
        }
    }

    /// Terminates instance `slot` (cutting off its work) and bills its run.
    pub(super) fn terminate<E: From<Ec2Event>>(&mut self, slot: u32, ctx: &mut Ec2Ctx<E>) {
        let now = ctx.now;
        let inst = &self.instances[slot as usize];
        if inst.state == InstanceState::Terminated {
            return;
        }
        if inst.busy > 0 || !inst.local.is_empty() {
            self.kill_work(slot, ctx);
        }
        let (id, launched) = (
            self.instances[slot as usize].id,
            self.instances[slot as usize].launched,
        );
        self.usage
            .record_launch(&self.type_name, now.since(launched));
        if self.public_ip {
            self.usage.record_public_ipv4(1, now.since(launched));
        }
        let surplus = self.surplus_vcpu_seconds(self.instances[slot as usize].credits_at(now));
        self.usage.surplus_vcpu_seconds = self.usage.surplus_vcpu_seconds.saturating_add(surplus);
        self.deregister(slot);
        self.mutate(slot, now, |i| i.state = InstanceState::Terminated);
        let inst = &mut self.instances[slot as usize];
        inst.gen = inst.gen.wrapping_add(1);
        self.free_instance_slots.push(slot);
        self.fc.terminated += 1;
        ctx.log(HappeningKind::InstanceTerminated, None, Some(id));
    }

    /// Instances that count toward the fleet's size: not failed-and-noticed,
    /// not on their way out.
    pub(super) fn counted_live(&self) -> u32 {
        self.instances
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
    pub(super) fn reconcile<E: From<Ec2Event>>(&mut self, ctx: &mut Ec2Ctx<E>) {
        let desired = match &self.scaling_group {
            Some(group) => group.bounds.desired,
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
                .instances
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
}
