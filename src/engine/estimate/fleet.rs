//! The EC2 side of an estimate: the fleet's service model, what every fleet
//! model takes ([`FleetLoad`]), queued work and its redelivery, the queue
//! the fleet reads, the metric's noise and the load balancer's hours. How
//! the fleet is sized is in [`super::sizing`].

use super::arrivals::SliceLoad;
use crate::engine::billing::usage::{sqs_request_units, AlbHour, AlbUsage, Ec2Usage};
use crate::engine::billing::Catalog;
use crate::engine::dist::Distribution;
use crate::engine::scenario::ec2::defaults as ed;
use crate::engine::scenario::ec2::{Ec2Config, ScalingMetric};
use crate::engine::scenario::{Pattern, Scenario, SourceKind};
use crate::engine::time::SimDuration;

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

/// Surplus CPU credits of a burstable (T3) fleet in unlimited mode
/// [vCPU-seconds], for the fleet as a whole: the vCPU-seconds its busy
/// workers use (busy slots / slots × vCPUs) beyond the baseline earned over
/// its billed instance time. The simulation counts each instance's own
/// balance; a fleet whose instances sit on both sides of the baseline pays
/// more there than here.
pub(super) fn surplus_vcpu_seconds(f: &FleetLoad, u: &Ec2Usage) -> u64 {
    let Some(bp) = ed::burst_baseline_bp(&f.ec2.instance_type) else {
        return 0;
    };
    let vcpu = Catalog::us_east_1()
        .ec2
        .instance(&f.ec2.instance_type)
        .map_or(2, |i| i.vcpu);
    let busy_slot_s: f64 = f.load.iter().map(|l| l.1 * l.2).sum();
    let used = busy_slot_s / f.slots.max(1.0) * f64::from(vcpu);
    let instance_s: u64 = u.instances.values().map(|i| i.billable_seconds).sum();
    let earned = instance_s as f64 * f64::from(vcpu) * f64::from(bp) / 10_000.0;
    (used - earned).max(0.0).round() as u64
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
