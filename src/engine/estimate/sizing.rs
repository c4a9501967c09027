//! How the fleet is sized ([`fleet_usage`]): fixed for the peak, following
//! the load, or as configured: a fixed fleet as operated
//! ([`super::operated_fleet`]), Auto Scaling with target tracking
//! ([`super::tracked_fleet`]), or scheduled actions alone.

use super::fleet::{FleetLoad, Noise};
use super::operated_fleet::operated_fleet;
use super::tracked_fleet::tracked_fleet;
use super::FleetSizing;
use crate::engine::billing::usage::{ec2_billable_seconds, Ec2Usage, InstanceUsage};
use crate::engine::scenario::ec2::ScalingMetric;
use crate::engine::time::SimDuration;

/// Instance-seconds of the fleet, its peak size and the idle worker-slot
/// seconds; `util` is the target utilization of a fleet sized for the
/// load.
pub(super) fn fleet_usage(
    f: &FleetLoad,
    sizing: FleetSizing,
    util: f64,
    noise: Noise,
) -> (Ec2Usage, u32, f64) {
    let (ec2, load, window, slots) = (f.ec2, f.load, f.window, f.slots);
    let per_instance = (slots * util).max(1e-9);
    let needed = |busy: f64| libm::ceil(busy / per_instance - 1e-9).max(0.0) as u32;
    let zones = ec2.zones.max(1);
    let peak_need = load.iter().map(|l| needed(l.2)).max().unwrap_or(0);
    let asg = ec2.auto_scaling.as_ref();
    // Instances in each slice.
    let sizes: Vec<u32> = match sizing {
        FleetSizing::FixedForPeak => vec![peak_need.max(zones); load.len()],
        FleetSizing::AutoScaling => {
            let min = asg.map_or(1, |a| a.min).max(1);
            load.iter().map(|l| needed(l.2).max(min)).collect()
        }
        FleetSizing::AsConfigured => match asg {
            None => return operated_fleet(f),
            Some(a) if a.target_tracking.is_some() => return tracked_fleet(f, a, noise),
            Some(a) => {
                // Scheduled actions change the bounds and the desired size
                // from their time on (slice edges include their times).
                let (mut min, mut max, mut desired) = (a.min, a.max, ec2.instances);
                let mut next = 0;
                load.iter()
                    .map(|l| {
                        while next < a.scheduled.len() && a.scheduled[next].at_s <= l.0 + 1e-9 {
                            let s = &a.scheduled[next];
                            min = s.min.unwrap_or(min);
                            max = s.max.unwrap_or(max);
                            desired = s.desired.unwrap_or(desired);
                            next += 1;
                        }
                        let want = match &a.target_tracking {
                            None => desired,
                            Some(t) if t.metric == ScalingMetric::RequestsPerTarget => {
                                libm::ceil(l.3 / l.1 * 60.0 / t.target.max(1e-9) - 1e-9) as u32
                            }
                            Some(_) => needed(l.2),
                        };
                        want.clamp(min, max.max(min))
                    })
                    .collect()
            }
        },
    };
    let mut u = Ec2Usage::default();
    let mut inst = InstanceUsage::default();
    let mut secs = 0.0;
    let mut idle = 0.0;
    let mut prev = 0u32;
    for (l, &n) in load.iter().zip(&sizes) {
        secs += f64::from(n) * l.1;
        idle += (f64::from(n) * slots - l.2).max(0.0) * l.1;
        inst.launches += u64::from(n.saturating_sub(prev));
        prev = n;
    }
    if load.is_empty() {
        // No slices: the configured fleet runs the whole (empty) window.
        inst.launches = u64::from(ec2.instances);
        secs = f64::from(ec2.instances) * window;
    }
    // Each launch bills at least a minute.
    let min_secs = inst.launches as f64 * ec2_billable_seconds(SimDuration::ZERO) as f64;
    inst.billable_seconds = libm::round(secs.max(min_secs)) as u64;
    u.instances.insert(ec2.instance_type.clone(), inst);
    let peak = sizes.iter().copied().max().unwrap_or(ec2.instances);
    (u, peak, idle)
}
