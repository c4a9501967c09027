//! The Application Load Balancer in front of the fleet: the side's request
//! path (a request arrives, is routed to a target or answered 503/502, and
//! its connection closes), target registration, and the load balancer's
//! parts: a [`Router`] that picks a target (round robin or least
//! outstanding requests) and meters what the LCU bill needs, hour by clock
//! hour: new connections, active connections, processed bytes and rule
//! evaluations.
//!
//! ```
//! use fanout::engine::ec2::load_balancer::Router;
//! use fanout::engine::scenario::ec2::Routing;
//! let mut r = Router::default();
//! let targets = [10, 11, 12];
//! let picks: Vec<u32> = (0..4).map(|_| r.pick(Routing::RoundRobin, &targets, |_| 0).unwrap()).collect();
//! assert_eq!(picks, vec![10, 11, 12, 10]);
//! ```

use super::fleet::{InstanceState, Queued};
use super::workers::Work;
use super::{Ec2Ctx, Ec2Event, Ec2Side};
use crate::engine::happening::HappeningKind;
use crate::engine::scenario::ec2::Routing;

use crate::engine::billing::usage::{alb_billable_hours, AlbHour, AlbUsage};
use crate::engine::time::SimDuration;
use crate::engine::time::SimTime;

const HOUR_US: u64 = 3_600_000_000;

/// The target picker. Targets are instance table slots, in a stable order.
#[derive(Clone, Debug, Default)]
pub struct Router {
    next: usize,
}

impl Router {
    /// Picks a target among `targets`; `outstanding(slot)` is the number of
    /// requests the target holds. None when there is no target.
    ///
    /// Round robin ignores load. Least outstanding requests scans from the
    /// round-robin position, so ties go round robin; the scan is linear
    /// (fleets are at most 1,000 instances, typically tens).
    #[inline]
    pub fn pick(
        &mut self,
        routing: Routing,
        targets: &[u32],
        outstanding: impl Fn(u32) -> u64,
    ) -> Option<u32> {
        let n = targets.len();
        if n == 0 {
            return None;
        }
        let start = self.next % n;
        let idx = match routing {
            Routing::RoundRobin => start,
            Routing::LeastOutstandingRequests => {
                let mut best = start;
                let mut best_load = outstanding(targets[start]);
                for k in 1..n {
                    if best_load == 0 {
                        break;
                    }
                    let i = (start + k) % n;
                    let load = outstanding(targets[i]);
                    if load < best_load {
                        best = i;
                        best_load = load;
                    }
                }
                best
            }
        };
        self.next = idx + 1;
        Some(targets[idx])
    }
}

/// Hour-by-hour LCU inputs of one load balancer that exists from time zero.
#[derive(Clone, Debug, Default)]
pub struct AlbMeter {
    hour_start_us: u64,
    current: AlbHour,
    /// Active connections integrated over the current hour [connection·µs].
    active_int: u128,
    last_us: u64,
    /// Open connections now \[connections\].
    pub active: u64,
    done: Vec<AlbHour>,
}

impl AlbMeter {
    /// Closes every clock hour that ended by `now` and integrates to `now`.
    #[inline]
    pub fn advance(&mut self, now: SimTime) {
        let now = now.as_micros();
        while now >= self.hour_start_us + HOUR_US {
            let end = self.hour_start_us + HOUR_US;
            self.integrate(end);
            let mut hour = self.current;
            hour.hours = 1;
            hour.active_connection_minutes = minutes(self.active_int);
            self.done.push(hour);
            self.current = AlbHour::default();
            self.active_int = 0;
            self.hour_start_us = end;
        }
        self.integrate(now);
    }

    #[inline]
    fn integrate(&mut self, now_us: u64) {
        if now_us > self.last_us {
            self.active_int += u128::from(self.active) * u128::from(now_us - self.last_us);
            self.last_us = now_us;
        }
    }

    /// A request arrives on a new connection with `bytes` of request body
    /// and `rule_evaluations` billable rule evaluations.
    #[inline]
    pub fn request(&mut self, now: SimTime, bytes: u64, rule_evaluations: u64) {
        self.advance(now);
        self.current.new_connections += 1;
        self.current.processed_bytes = self.current.processed_bytes.saturating_add(bytes);
        self.current.rule_evaluations = self
            .current
            .rule_evaluations
            .saturating_add(rule_evaluations);
        self.active += 1;
    }

    /// A connection closes after `bytes` of response.
    #[inline]
    pub fn close(&mut self, now: SimTime, bytes: u64) {
        self.advance(now);
        self.current.processed_bytes = self.current.processed_bytes.saturating_add(bytes);
        self.active = self.active.saturating_sub(1);
    }

    /// The usage from time zero to `now` (without changing the meter):
    /// one entry per started clock hour.
    pub fn usage_at(&self, now: SimTime) -> AlbUsage {
        let mut meter = self.clone();
        meter.advance(now);
        let mut hours = meter.done;
        let now_us = now.as_micros();
        if now_us > meter.hour_start_us || hours.is_empty() {
            let mut hour = meter.current;
            hour.hours = 1;
            hour.active_connection_minutes = minutes(meter.active_int);
            hours.push(hour);
        }
        debug_assert_eq!(
            hours.len() as u64,
            alb_billable_hours(now.since(SimTime::ZERO)),
            "one entry per started hour"
        );
        AlbUsage {
            lambda_targets: false,
            hours,
        }
    }
}

/// Connection·µs to connection-minutes, rounded to the nearest.
fn minutes(conn_us: u128) -> u64 {
    u64::try_from((conn_us + 30_000_000) / 60_000_000).unwrap_or(u64::MAX)
}

impl Ec2Side {
    /// An API request reaches the load balancer: it goes to a target's free
    /// worker slot or local queue, or is answered 503 (no target, or the
    /// target full) or 502 (a failed target not yet detected).
    pub(super) fn on_request<E: From<Ec2Event>>(&mut self, source: u16, ctx: &mut Ec2Ctx<E>) {
        let now = ctx.now;
        let bytes = self.payload_bytes[source as usize];
        if let Some(alb) = self.alb.as_mut() {
            alb.request(now, bytes, self.billable_rule_evaluations);
        }
        self.requests_in_period += 1;
        let instances = &self.instances;
        let picked = self.router.pick(self.routing, &self.targets, |slot| {
            instances[slot as usize].outstanding()
        });
        let Some(slot) = picked else {
            self.fc.http_503_no_target += 1;
            self.reject(source, ctx);
            return;
        };
        let inst = &self.instances[slot as usize];
        let id = inst.id;
        if inst.state == InstanceState::Failed {
            // Still registered: the health checks have not noticed yet.
            self.fc.http_502 += 1;
            self.counters.failed += 1;
            self.per_source[source as usize].failed += 1;
            self.latency.record(1);
            self.close_connection(now);
            ctx.log(HappeningKind::BadGateway, Some(source), Some(id));
        } else if inst.busy < self.worker_slots {
            self.counters.in_flight += 1;
            self.record_wait(SimDuration::ZERO);
            self.start_work(
                slot,
                Work::Http {
                    source,
                    arrived: now,
                },
                ctx,
            );
        } else if inst.local.len() < self.local_queue_capacity {
            self.set_waiting(now, 1, true);
            self.mutate(slot, now, |i| {
                i.local.push_back(Queued {
                    source,
                    arrived: now,
                })
            });
            ctx.log(HappeningKind::RoutedWarm, Some(source), Some(id));
        } else {
            self.reject(source, ctx);
        }
    }

    /// The load balancer answers 503.
    pub(super) fn reject<E: From<Ec2Event>>(&mut self, source: u16, ctx: &mut Ec2Ctx<E>) {
        self.fc.http_503 += 1;
        self.counters.throttles += 1;
        self.counters.dropped += 1;
        self.per_source[source as usize].dropped += 1;
        self.per_source[source as usize].throttles += 1;
        self.close_connection(ctx.now);
        ctx.log(HappeningKind::Throttled, Some(source), None);
    }

    /// A connection closes after its response.
    pub(super) fn close_connection(&mut self, now: SimTime) {
        let bytes = self.response_bytes;
        if let Some(alb) = self.alb.as_mut() {
            alb.close(now, bytes);
        }
    }

    /// Registers instance `slot` as a target, in order of instance id.
    pub(super) fn register(&mut self, slot: u32) {
        let id = self.instances[slot as usize].id;
        self.instances[slot as usize].registered = true;
        let instances = &self.instances;
        let pos = self
            .targets
            .partition_point(|&s| instances[s as usize].id < id);
        if self.targets.get(pos) != Some(&slot) {
            self.targets.insert(pos, slot);
        }
    }

    /// Removes instance `slot` from the targets.
    pub(super) fn deregister(&mut self, slot: u32) {
        self.instances[slot as usize].registered = false;
        if let Some(pos) = self.targets.iter().position(|&s| s == slot) {
            self.targets.remove(pos);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::time::SimDuration;

    fn at(s: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_secs(s)
    }

    #[test]
    fn round_robin_ignores_load() {
        let mut r = Router::default();
        let t = [0, 1, 2];
        let loads = [5u64, 0, 0];
        let p: Vec<u32> = (0..6)
            .map(|_| {
                r.pick(Routing::RoundRobin, &t, |s| loads[s as usize])
                    .unwrap()
            })
            .collect();
        assert_eq!(p, vec![0, 1, 2, 0, 1, 2]);
        assert_eq!(r.pick(Routing::RoundRobin, &[], |_| 0), None);
    }

    #[test]
    fn least_outstanding_picks_the_lightest_and_rotates_ties() {
        let mut r = Router::default();
        let t = [0, 1, 2, 3];
        let loads = [3u64, 1, 2, 1];
        assert_eq!(
            r.pick(Routing::LeastOutstandingRequests, &t, |s| loads[s as usize]),
            Some(1)
        );
        // Next scan starts after 1: finds 3 (load 1) before wrapping to 1.
        assert_eq!(
            r.pick(Routing::LeastOutstandingRequests, &t, |s| loads[s as usize]),
            Some(3)
        );
        assert_eq!(
            r.pick(Routing::LeastOutstandingRequests, &t, |s| loads[s as usize]),
            Some(1)
        );
    }

    #[test]
    fn meter_splits_clock_hours() {
        let mut m = AlbMeter::default();
        // One connection open for the whole first hour and half the second.
        m.request(at(0), 1_000, 0);
        m.request(at(10), 500, 2);
        m.close(at(10), 4_000);
        m.close(at(5_400), 4_000);
        let u = m.usage_at(at(7_000));
        assert_eq!(u.hours.len(), 2);
        assert_eq!(u.total_hours(), 2);
        assert_eq!(u.hours[0].new_connections, 2);
        assert_eq!(u.hours[0].processed_bytes, 5_500);
        assert_eq!(u.hours[0].rule_evaluations, 2);
        // 60 connection-minutes in hour one (+10 s of the second connection, rounds away).
        assert_eq!(u.hours[0].active_connection_minutes, 60);
        assert_eq!(u.hours[1].active_connection_minutes, 30);
        assert_eq!(u.hours[1].processed_bytes, 4_000);
        // Exactly at the hour: one billed hour, not two.
        let mut m = AlbMeter::default();
        assert_eq!(m.usage_at(at(3_600)).total_hours(), 1);
        m.advance(at(3_600));
        assert_eq!(m.usage_at(at(3_600)).total_hours(), 1);
        assert_eq!(m.usage_at(at(3_601)).total_hours(), 2);
        assert_eq!(AlbMeter::default().usage_at(SimTime::ZERO).total_hours(), 1);
    }
}
