//! The side's gauges kept up to date as instances change: instances alive,
//! busy and idle worker slots, booting instances, waiting events, the
//! fleet's counts by state, and the set of instances that can pull a
//! message. Every change to an instance goes through `Ec2Side::mutate`
//! (or its per-request fast path `busy_step`), which applies it as a diff.

use super::fleet::{Instance, InstanceState};
use super::Ec2Side;
use crate::engine::metrics::{
    Integrals, G_BUSY, G_IDLE, G_INIT, G_PROVISIONED, G_TOTAL, G_WAITING,
};
use crate::engine::time::{SimDuration, SimTime};

/// Per-instance contributions to the gauges, to apply changes as diffs.
#[derive(Clone, Copy, Default)]
struct GaugeContribution {
    alive: u64,
    busy: u64,
    idle: u64,
    booting: u64,
    in_service: u64,
    running_slots: u64,
    pullable: bool,
}

impl Ec2Side {
    /// What instance `slot` adds to each gauge in its current state.
    fn contribution(&self, slot: u32) -> GaugeContribution {
        let inst = &self.instances[slot as usize];
        let slots = u64::from(self.worker_slots);
        let busy = u64::from(inst.busy);
        match inst.state {
            InstanceState::Terminated => GaugeContribution::default(),
            InstanceState::Booting => GaugeContribution {
                alive: 1,
                booting: 1,
                ..GaugeContribution::default()
            },
            InstanceState::InService => GaugeContribution {
                alive: 1,
                busy,
                idle: slots.saturating_sub(busy),
                in_service: 1,
                running_slots: slots,
                pullable: !self.sqs_sources.is_empty()
                    && inst.busy < self.worker_slots
                    && inst.local.is_empty(),
                ..GaugeContribution::default()
            },
            InstanceState::Draining => GaugeContribution {
                alive: 1,
                busy,
                running_slots: slots,
                ..GaugeContribution::default()
            },
            InstanceState::Patching | InstanceState::Failed => GaugeContribution {
                alive: 1,
                ..GaugeContribution::default()
            },
        }
    }

    /// Changes instance `slot` with `f` and applies the change to every gauge.
    #[inline]
    pub(super) fn mutate(&mut self, slot: u32, now: SimTime, change: impl FnOnce(&mut Instance)) {
        self.ints.advance(now);
        let before = self.contribution(slot);
        let inst = &mut self.instances[slot as usize];
        inst.integrate(now);
        let from = inst.state;
        change(inst);
        let to = inst.state;
        if from != to {
            // State counts and running slots change only here.
            self.fleet.advance(now);
            self.fleet.moved(Some(from), to);
        }
        let after = self.contribution(slot);
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
    pub(super) fn busy_step(&mut self, slot: u32, now: SimTime, up: bool) {
        self.ints.advance(now);
        let slots = self.worker_slots;
        let inst = &mut self.instances[slot as usize];
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

    /// `count` events start (`up`) or stop waiting.
    pub(super) fn set_waiting(&mut self, now: SimTime, count: u64, up: bool) {
        self.ints.advance(now);
        if up {
            self.counters.waiting += count;
            self.ints.add(G_WAITING, count);
        } else {
            self.counters.waiting -= count;
            self.ints.sub(G_WAITING, count);
        }
    }

    /// Records one queueing delay.
    pub(super) fn record_wait(&mut self, delay: SimDuration) {
        self.wait_sum_us += u128::from(delay.as_micros());
        self.waits += 1;
    }

    /// Brings every time integral to `t` (call at series boundaries and
    /// before reading means).
    pub fn advance(&mut self, now: SimTime) {
        self.ints.advance(now);
        self.fleet.advance(now);
    }

    /// Closes a bucket of the fleet series at `t` (after [`Ec2Side::advance`]).
    pub fn close_bucket(&mut self, now: SimTime) {
        let desired = self.bounds().desired;
        self.fleet_series.close_bucket(
            now,
            &self.fleet,
            u128::from(self.ints.sum(G_BUSY)),
            desired,
        );
    }
}
