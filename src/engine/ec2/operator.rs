//! The on-call operator, the human you are on EC2: the pager, the overload
//! alarm of a fixed fleet, the operator's response (replacing failed
//! instances by hand, resizing after an overload), and the counters of operator work that make "who does
//! the work" visible. On the Lambda side the same counters stay zero,
//! because AWS patches, replaces and scales for you.
//!
//! ```
//! use fanout::engine::ec2::operator::Pager;
//! use fanout::engine::{SimDuration, SimTime};
//! let mut p = Pager::default();
//! let t = SimTime::ZERO + SimDuration::from_secs(100);
//! // The first alert pages; the operator acts after the response time.
//! assert_eq!(p.page(t, SimDuration::from_secs(1_800)), Some(SimTime::ZERO + SimDuration::from_secs(1_900)));
//! // A second alert before then is the same incident: no new page.
//! assert_eq!(p.page(t, SimDuration::from_secs(1_800)), None);
//! assert_eq!(p.pages, 1);
//! ```

use super::autoscaling;
use super::fleet::InstanceState;
use super::{Ec2Ctx, Ec2Event, Ec2Side};
use crate::engine::happening::HappeningKind;
use crate::engine::scenario::ec2::defaults;
use crate::engine::scenario::ec2::OperatorConfig;
use crate::engine::time::{SimDuration, SimTime};
use serde::Serialize;

/// Work a human did (or was woken up for) during the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OperatorWork {
    /// Instances patched: OS patches applied and rebooted \[instances\].
    pub patches_applied: u64,
    /// Failed instances terminated and replaced by hand \[instances\].
    pub instances_replaced_by_hand: u64,
    /// Fleet size changes made by hand \[changes\].
    pub manual_scaling_changes: u64,
    /// Pages to the on-call operator \[pages\].
    pub pages: u64,
}

impl OperatorWork {
    /// Whether nobody had to do anything.
    pub fn is_zero(&self) -> bool {
        *self == OperatorWork::default()
    }
}

/// The on-call pager: one page per incident; the operator acts once, after
/// the response time, on everything wrong by then.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pager {
    /// When the operator will act, if a page is open.
    pub acting_at: Option<SimTime>,
    /// Pages sent \[pages\].
    pub pages: u64,
}

impl Pager {
    /// Raises an alert at `now`; returns when the operator will act if this
    /// sent a new page (none if one is already open).
    pub fn page(&mut self, now: SimTime, response: SimDuration) -> Option<SimTime> {
        if self.acting_at.is_some() {
            return None;
        }
        self.pages += 1;
        let at = now + response;
        self.acting_at = Some(at);
        Some(at)
    }

    /// The operator acted; the next alert pages again.
    pub fn resolved(&mut self) {
        self.acting_at = None;
    }
}

/// A CloudWatch-style alarm: goes to ALARM after `datapoints` consecutive
/// values above `threshold`, back to OK at the first value that is not;
/// it notifies only on the change to ALARM.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Alarm {
    pub threshold: f64,
    pub datapoints: u32,
    above: u32,
    firing: bool,
}

impl Alarm {
    /// An alarm on `threshold` over `datapoints` consecutive values (at least 1).
    pub fn new(threshold: f64, datapoints: u32) -> Alarm {
        Alarm {
            threshold,
            datapoints: datapoints.max(1),
            above: 0,
            firing: false,
        }
    }

    /// Takes a datapoint; true when the alarm has just gone to ALARM.
    pub fn observe(&mut self, value: Option<f64>) -> bool {
        match value {
            Some(v) if v > self.threshold => self.above += 1,
            _ => self.above = 0,
        }
        let was = self.firing;
        self.firing = self.above >= self.datapoints;
        self.firing && !was
    }
}

/// The on-call operator's settings and state.
pub(super) struct Operator {
    /// Whether anyone is on call (if not, pages go unanswered).
    pub(super) on_call: bool,
    /// Time from a page to the operator's action.
    pub(super) response: SimDuration,
    /// The CPU alarm of a fixed fleet.
    pub(super) alarm: Option<Alarm>,
    /// The CPU the operator sizes a fleet for, in percent.
    pub(super) target_cpu: f64,
    pub(super) pager: Pager,
    /// An overload alarm waits for the operator.
    pub(super) overload_pending: bool,
}

impl Operator {
    /// The operator of a validated config; a fleet under Auto Scaling has
    /// no overload alarm (it reacts by itself).
    pub(super) fn new(cfg: &OperatorConfig, auto_scaling: bool) -> Operator {
        let alarm = if auto_scaling {
            None
        } else {
            cfg.alarm_cpu_percent
                .map(|cpu| Alarm::new(cpu, cfg.alarm_datapoints))
        };
        Operator {
            on_call: cfg.on_call,
            response: SimDuration::from_secs_f64(cfg.response_s),
            alarm,
            target_cpu: cfg.target_cpu_percent,
            pager: Pager::default(),
            overload_pending: false,
        }
    }
}

impl Ec2Side {
    /// An alert: pages the operator on call, unless a page is already open.
    pub(super) fn page<E: From<Ec2Event>>(&mut self, ctx: &mut Ec2Ctx<E>) {
        if !self.operator.on_call {
            return;
        }
        if let Some(at) = self.operator.pager.page(ctx.now, self.operator.response) {
            self.work.pages += 1;
            ctx.log(HappeningKind::Paged, None, None);
            ctx.at(at, Ec2Event::Operator);
        }
    }

    /// A fixed fleet's overload alarm takes the period's CPU; going to
    /// ALARM pages the operator, who will resize the fleet.
    pub(super) fn check_overload_alarm<E: From<Ec2Event>>(
        &mut self,
        cpu: Option<f64>,
        ctx: &mut Ec2Ctx<E>,
    ) {
        if self
            .operator
            .alarm
            .as_mut()
            .is_some_and(|alarm| alarm.observe(cpu))
            && !self.operator.overload_pending
        {
            self.operator.overload_pending = true;
            self.page(ctx);
            if self.operator.pager.acting_at.is_none() {
                // Nobody on call: the alarm stays unanswered.
                self.operator.overload_pending = false;
            }
        }
    }

    /// The operator acts on the open page: replaces every failed instance
    /// by hand and, after an overload alarm, resizes the fleet.
    pub(super) fn on_operator<E: From<Ec2Event>>(&mut self, ctx: &mut Ec2Ctx<E>) {
        self.operator.pager.resolved();
        let failed: Vec<u32> = (0..self.instances.len() as u32)
            .filter(|&slot| self.instances[slot as usize].state == InstanceState::Failed)
            .collect();
        for slot in failed {
            let id = self.instances[slot as usize].id;
            self.terminate(slot, ctx);
            self.work.instances_replaced_by_hand += 1;
            ctx.log(HappeningKind::InstanceReplaced, None, Some(id));
        }
        if std::mem::take(&mut self.operator.overload_pending) && self.scaling_group.is_none() {
            if let Some(cpu) = self.last_cpu {
                let serving = self.fleet.now[InstanceState::InService.index()] as u32;
                let want =
                    autoscaling::needed_capacity(cpu, serving.max(1), self.operator.target_cpu)
                        .min(defaults::MAX_INSTANCES);
                if want > self.fixed_target {
                    self.fixed_target = want;
                    self.fc.max_desired = self.fc.max_desired.max(u64::from(want));
                    self.work.manual_scaling_changes += 1;
                }
            }
        }
        self.reconcile(ctx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_pages_once_per_incident() {
        let mut p = Pager::default();
        let t = SimTime::ZERO;
        assert!(p.page(t, SimDuration::from_secs(60)).is_some());
        assert!(p.page(t, SimDuration::from_secs(60)).is_none());
        p.resolved();
        assert!(p.page(t, SimDuration::from_secs(60)).is_some());
        assert_eq!(p.pages, 2);
    }

    #[test]
    fn alarm_needs_consecutive_datapoints() {
        let mut a = Alarm::new(90.0, 3);
        assert!(!a.observe(Some(95.0)));
        assert!(!a.observe(Some(95.0)));
        assert!(!a.observe(None));
        assert!(!a.observe(Some(95.0)));
        assert!(!a.observe(Some(95.0)));
        assert!(a.observe(Some(95.0)));
        assert!(
            !a.observe(Some(99.0)),
            "still in ALARM: no new notification"
        );
        assert!(!a.observe(Some(90.0)));
        for _ in 0..2 {
            assert!(!a.observe(Some(95.0)));
        }
        assert!(a.observe(Some(95.0)), "back to ALARM after OK");
    }

    #[test]
    fn work_counts() {
        let mut w = OperatorWork::default();
        assert!(w.is_zero());
        w.pages += 1;
        assert!(!w.is_zero());
    }
}
