//! Operations you own on EC2: the patch schedule, the pager and the
//! overload alarm, and the counters of operator work that make "who does
//! the work" visible. On the Lambda side the same counters stay zero,
//! because AWS patches, replaces and scales for you.
//!
//! ```
//! use fanout::engine::ec2::ops::Pager;
//! use fanout::engine::time::{SimDuration, SimTime};
//! let mut p = Pager::default();
//! let t = SimTime::ZERO + SimDuration::from_secs(100);
//! // The first alert pages; the operator acts after the response time.
//! assert_eq!(p.page(t, SimDuration::from_secs(1_800)), Some(SimTime::ZERO + SimDuration::from_secs(1_900)));
//! // A second alert before then is the same incident: no new page.
//! assert_eq!(p.page(t, SimDuration::from_secs(1_800)), None);
//! assert_eq!(p.pages, 1);
//! ```

use super::config::{PatchConfig, PatchMode};
use crate::engine::time::{SimDuration, SimTime};
use serde::Serialize;

/// Work a human did (or was woken up for) during the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OperatorWork {
    /// Instances patched: OS patches applied and rebooted [instances].
    pub patches_applied: u64,
    /// Failed instances terminated and replaced by hand [instances].
    pub instances_replaced_by_hand: u64,
    /// Fleet size changes made by hand [changes].
    pub manual_scaling_changes: u64,
    /// Pages to the on-call operator [pages].
    pub pages: u64,
}

impl OperatorWork {
    /// Whether nobody had to do anything.
    pub fn is_zero(&self) -> bool {
        *self == OperatorWork::default()
    }
}

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
    pub fn new(c: &PatchConfig) -> PatchSchedule {
        PatchSchedule {
            first: SimTime::ZERO + SimDuration::from_secs_f64(c.first_at_s),
            // Never zero, so runs always move forward in time.
            every: SimDuration::from_secs_f64(c.every_days * 86_400.0)
                .max(SimDuration::from_secs(1)),
            out_of_service: SimDuration::from_secs_f64(c.out_of_service_s),
            mode: c.mode,
        }
    }

    /// Start of run `k` (0-based).
    pub fn run_at(&self, k: u32) -> SimTime {
        self.first + self.every.saturating_mul(u64::from(k))
    }
}

/// The on-call pager: one page per incident; the operator acts once, after
/// the response time, on everything wrong by then.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pager {
    /// When the operator will act, if a page is open.
    pub acting_at: Option<SimTime>,
    /// Pages sent [pages].
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
