//! The EC2 side of an estimate: the expected load of each slice, the
//! fleet's instance-seconds as sized ([`fleet_usage`]: fixed for the peak,
//! following the load, or as configured, then by [`super::operated_fleet`]
//! or [`super::tracked_fleet`]), the queue the fleet reads, and the load
//! balancer's hours.

use super::operated_fleet::operated_fleet;
use super::tracked_fleet::tracked_fleet;
use super::FleetSizing;
use crate::engine::billing::usage::{
    ec2_billable_seconds, sqs_request_units, AlbHour, AlbUsage, Ec2Usage, InstanceUsage,
};
use crate::engine::billing::Catalog;
use crate::engine::dist::Distribution;
use crate::engine::ec2::defaults as ed;
use crate::engine::scenario::ec2::{Ec2Config, ScalingMetric};
use crate::engine::scenario::{Pattern, Scenario, SourceKind};
use crate::engine::time::SimDuration;

/// One slice's EC2 load: (start [s], length [s], busy workers, API
/// arrivals, busy workers serving API requests).
pub(super) type SliceLoad = (f64, f64, f64, f64, f64);

/// The noise of a fleet's measured load: a period's work has variance
/// `variance_per_work_s` × its expected work [s], drawn from `seed`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Noise {
    pub(super) variance_per_work_s: f64,
    pub(super) seed: u64,
}

/// The metric period of Auto Scaling and the alarms [s].
pub(super) const METRIC_PERIOD: f64 = ed::METRIC_PERIOD_S as f64;

/// What every fleet model takes: the fleet, the expected EC2 load of the
/// window's slices and how failed queued work comes back.
#[derive(Clone, Copy, Debug)]
pub(super) struct FleetLoad<'a> {
    pub(super) ec2: &'a Ec2Config,
    /// Per slice: (start [s], length [s], busy workers, API arrivals, busy
    /// workers serving API requests); see `load` in [`estimate`].
    pub(super) load: &'a [SliceLoad],
    /// Length of the window [s].
    pub(super) window: f64,
    /// Worker slots per instance.
    pub(super) slots: f64,
    pub(super) redelivery: Redelivery,
}

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

/// Receives per message of a queue whose processing fails with
/// probability `p`: every failure comes back, up to `max_receive_count`.
fn receives_of(max_receive_count: Option<u32>, p: f64) -> f64 {
    max_receive_count.map_or(1.0 / (1.0 - p).max(1e-6), |r| {
        (0..r).map(|i| p.powi(i as i32)).sum::<f64>()
    })
}

/// How failed queued work comes back: the share of attempts that are
/// redeliveries, and when (the visibility timeout after the receive).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Redelivery {
    /// Redeliveries per served attempt [1].
    share: f64,
    /// Receive to redelivery [s].
    delay_s: f64,
}

/// Queued (non-API) work of a fleet stepped period by period: what waits,
/// and the failed attempts that come back after their visibility timeout
/// [worker-seconds].
pub(super) struct Backlog {
    redelivery: Redelivery,
    waiting: f64,
    /// (when it becomes visible again, work).
    returning: Vec<(f64, f64)>,
}

impl Backlog {
    pub(super) fn new(redelivery: Redelivery) -> Backlog {
        Backlog {
            redelivery,
            waiting: 0.0,
            returning: Vec::new(),
        }
    }

    /// Serves [t, end) with `capacity` worker-seconds: API work first (what
    /// does not fit is refused), then the queue (what does not fit waits).
    /// `queued` counts every attempt, redeliveries included; only the first
    /// attempts arrive now, the rest come back when their earlier attempts
    /// fail. Returns the work served.
    pub(super) fn serve(&mut self, t: f64, end: f64, api: f64, queued: f64, capacity: f64) -> f64 {
        let r = self.redelivery;
        let mut back = 0.0;
        self.returning.retain(|&(at, w)| {
            if at < end {
                back += w;
                false
            } else {
                true
            }
        });
        let api_served = api.min(capacity);
        let offered = self.waiting + queued * (1.0 - r.share) + back;
        let queued_served = offered.min((capacity - api_served).max(0.0));
        self.waiting = offered - queued_served;
        if r.share > 0.0 && queued_served > 0.0 {
            self.returning
                .push(((t + end) / 2.0 + r.delay_s, queued_served * r.share));
        }
        api_served + queued_served
    }
}

/// The load balancer's hours: one entry per started clock hour with its
/// API requests, connections, bytes and rule evaluations.
pub(super) fn alb_usage(
    ec2: &Ec2Config,
    scenario: &Scenario,
    load: &[SliceLoad],
    window: f64,
) -> AlbUsage {
    let hours = SimDuration::from_secs_f64(window)
        .as_micros()
        .div_ceil(3_600_000_000)
        .max(1) as usize;
    let mut req = vec![0.0f64; hours];
    let mut conn_s = vec![0.0f64; hours];
    for &(a, len, _, n, busy) in load {
        // Spread the slice over the clock hours it touches.
        let (mut t, end) = (a, a + len);
        while t < end {
            let h = ((t / 3_600.0) as usize).min(hours - 1);
            let h_end = ((h + 1) as f64 * 3_600.0).min(end);
            let part = (h_end - t) / len;
            req[h] += n * part;
            conn_s[h] += busy * (h_end - t);
            if h_end <= t {
                break;
            }
            t = h_end;
        }
    }
    // Bytes of a request: the API sources' mean payload, plus the response.
    let api: Vec<_> = scenario
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::Api)
        .collect();
    let req_bytes = api
        .iter()
        .map(|s| libm::ceil((s.payload_kb * 1_024.0).max(0.0)))
        .sum::<f64>()
        / api.len().max(1) as f64;
    let resp_bytes = libm::ceil((ec2.load_balancer.response_kb * 1_024.0).max(0.0));
    let rules = f64::from(ec2.load_balancer.rules.saturating_sub(ed::FREE_RULES));
    let round = |v: f64| libm::round(v.max(0.0)) as u64;
    AlbUsage {
        lambda_targets: false,
        hours: req
            .iter()
            .zip(&conn_s)
            .map(|(&n, &c)| AlbHour {
                hours: 1,
                new_connections: round(n),
                active_connection_minutes: round(c / 60.0),
                processed_bytes: round(n * (req_bytes + resp_bytes)),
                rule_evaluations: round(n * rules),
            })
            .collect(),
    }
}

/// The fleet's service model, the same for every slice.
pub(super) struct Ec2Service<'a> {
    /// Worker slots per instance.
    pub(super) slots: f64,
    /// The handler duration model at speed factor 1.
    pub(super) dist: &'a Distribution,
    /// Mean service time of a request [s].
    pub(super) service_s: f64,
    /// Probability a request fails.
    error_rate: f64,
    /// Target utilization of a fleet sized for the load [1].
    pub(super) target_util: f64,
}

impl<'a> Ec2Service<'a> {
    pub(super) fn new(scenario: &'a Scenario, ec2: &'a Ec2Config) -> Ec2Service<'a> {
        let f = &scenario.function;
        let catalog_vcpu = Catalog::us_east_1()
            .ec2
            .instance(&ec2.instance_type)
            .map_or(2, |i| i.vcpu);
        let dist = ec2.duration.as_ref().unwrap_or(&f.duration);
        Ec2Service {
            slots: f64::from(ec2.slots(catalog_vcpu)),
            dist,
            service_s: dist.mean_ms() / 1e3 / ec2.speed_factor.max(1e-9),
            error_rate: ec2.error_rate.unwrap_or(f.error_rate).clamp(0.0, 1.0),
            target_util: ec2
                .auto_scaling
                .as_ref()
                .and_then(|a| a.target_tracking.as_ref())
                .filter(|t| t.metric == ScalingMetric::Cpu)
                .map_or(ed::TARGET_CPU_DEFAULT, |t| t.target)
                .clamp(1.0, 100.0)
                / 100.0,
        }
    }
}

/// What the fleet reads through queues: the queued work [worker-seconds]
/// (all attempts, first attempts, redeliveries weighted by their
/// visibility timeout) and its SQS requests.
#[derive(Default)]
pub(super) struct QueueReads {
    all: f64,
    first: f64,
    redelivery_delay: f64,
    /// Send, receive and delete requests [requests].
    pub(super) sqs_requests: f64,
}

impl QueueReads {
    /// The fleet reads `n` messages of `payload` bytes from a queue: a
    /// failed one comes back after the visibility timeout, up to
    /// `max_receive_count` receives. Counts the queued work and the send,
    /// receive and delete requests (a delete per message that succeeds
    /// before the dead-letter queue); returns the busy worker-seconds.
    pub(super) fn reads(
        &mut self,
        service: &Ec2Service,
        n: f64,
        payload: u64,
        max_receive_count: Option<u32>,
        visibility_s: f64,
    ) -> f64 {
        let err = service.error_rate;
        let receives = n * receives_of(max_receive_count, err);
        let (all, first) = (receives * service.service_s, n * service.service_s);
        self.all += all;
        self.first += first;
        self.redelivery_delay += (all - first) * visibility_s;
        let unit = sqs_request_units(payload) as f64;
        let succeeded = max_receive_count.map_or(1.0, |r| 1.0 - err.powi(r as i32));
        self.sqs_requests += n * unit + receives * unit + n * succeeded;
        all
    }

    /// How the failed work comes back.
    pub(super) fn redelivery(&self) -> Redelivery {
        Redelivery {
            share: if self.all > 0.0 {
                (1.0 - self.first / self.all).clamp(0.0, 1.0)
            } else {
                0.0
            },
            delay_s: if self.all > self.first {
                self.redelivery_delay / (self.all - self.first)
            } else {
                0.0
            },
        }
    }
}

/// The metric's noise: the work of a period is a sum of random service
/// times, Var = E[work] × E[S²] / E[S] for Poisson arrivals (only the
/// service times vary for evenly spaced ones).
pub(super) fn noise(scenario: &Scenario, ec2: &Ec2Config, dist: &Distribution) -> Noise {
    let evenly_spaced = scenario
        .sources
        .iter()
        .all(|s| matches!(s.pattern, Pattern::Constant { .. }));
    let (m1, m2) = (dist.mean_ms(), dist.second_moment_ms2());
    Noise {
        variance_per_work_s: if m1 > 0.0 {
            let m2 = if evenly_spaced {
                (m2 - m1 * m1).max(0.0)
            } else {
                m2
            };
            m2 / m1 / 1e3 / ec2.speed_factor.max(1e-9)
        } else {
            0.0
        },
        seed: scenario.seed,
    }
}
