//! What the EC2 side shows: a snapshot for drawing a frame (instance boxes,
//! queues) and the report of a run, with the same names as the Lambda
//! side's where the meaning is the same.

use super::autoscaling::Bounds;
use super::fleet::{self, FleetPoint, InstanceState};
use super::operator::OperatorWork;
use super::{Ec2Side, FleetCounters};
use crate::engine::billing::usage::{Ec2Usage, EventSourceUsage};
use crate::engine::counters::SourceCounters;
use crate::engine::happening::Side;
use crate::engine::metrics::{
    Counters, LatencySummary, Series, SeriesPoint, G_BUSY, G_IDLE, G_INIT, G_PROVISIONED, G_TOTAL,
    G_WAITING,
};
use crate::engine::scenario::ec2::defaults;
use crate::engine::time::SimTime;
use serde::Serialize;

/// Who patches, replaces and scales on the EC2 side.
pub const EC2_OPERATOR_WORK_BY: &str =
    "you: on EC2 you patch the OS, replace failed instances (unless Auto Scaling does) and resize the fleet, and you get paged";

/// One instance box.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct InstanceView {
    /// Unique id, in launch order.
    pub id: u64,
    /// Availability Zone index.
    pub zone: u32,
    pub state: InstanceState,
    /// Busy worker slots / slots, now [%].
    pub cpu_percent: f64,
    /// Requests or messages running \[requests\].
    pub in_flight: u32,
    /// Requests waiting in its local queue \[requests\].
    pub queue_length: u64,
    /// Time since launch \[µs\].
    pub age_us: u64,
    /// CPU credit balance of a burstable (T3) instance, none for other
    /// types \[credits = vCPU-minutes\]; negative: surplus credits spent in
    /// unlimited mode, billed unless paid back by later earnings.
    pub cpu_credits: Option<f64>,
}

/// Instances per state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct StateCounts<T> {
    pub booting: T,
    pub in_service: T,
    pub draining: T,
    pub patching: T,
    pub failed: T,
}

impl<T: Copy> StateCounts<T> {
    fn from_fn(f: impl Fn(InstanceState) -> T) -> StateCounts<T> {
        StateCounts {
            booting: f(InstanceState::Booting),
            in_service: f(InstanceState::InService),
            draining: f(InstanceState::Draining),
            patching: f(InstanceState::Patching),
            failed: f(InstanceState::Failed),
        }
    }
}

/// Depth of one queue the workers read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Ec2QueueView {
    /// Source index.
    pub source: u32,
    /// Visible messages \[messages\].
    pub visible: u64,
    /// Messages waiting out a visibility timeout \[messages\].
    pub invisible: u64,
    /// Age of the oldest visible message \[µs\].
    pub oldest_age_us: u64,
}

/// A picture of the EC2 side at one instant.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ec2Snapshot {
    /// Every instance that exists (not terminated), by id.
    pub instances: Vec<InstanceView>,
    /// Instances per state now.
    pub by_state: StateCounts<u64>,
    /// Min, max and desired capacity.
    pub bounds: Bounds,
    /// Whether Auto Scaling manages the fleet.
    pub auto_scaling: bool,
    /// Busy slots / slots of running instances now [%].
    pub cpu_percent: f64,
    /// Queues read by the workers.
    pub queues: Vec<Ec2QueueView>,
    /// Counters so far.
    pub counters: Counters,
    /// Fleet counters so far.
    pub fleet: FleetCounters,
    /// Operator work so far.
    pub operator_work: OperatorWork,
    /// Availability Zones the fleet spreads over \[zones\].
    pub zones: u32,
    /// Zones down now (an outage), in order.
    pub zones_down: Vec<u32>,
}

/// Everything measured on the EC2 side.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ec2Report {
    pub side: Side,
    /// Deployment name.
    pub name: String,
    /// Instance type.
    pub instance_type: String,
    /// vCPUs per instance \[vCPU\].
    pub vcpu: u32,
    /// Worker slots per instance \[requests\].
    pub worker_slots: u32,
    /// Whether Auto Scaling managed the fleet.
    pub auto_scaling: bool,
    /// Event and attempt counters (throttles = HTTP 503s).
    pub counters: Counters,
    /// Whether arrived = succeeded + failed + dropped + timed out + in flight + waiting.
    pub accounting_balances: bool,
    /// 503s per request attempt, as the Lambda side's throttles.
    pub rejection_probability: f64,
    /// Events finished successfully per simulated second [events/s].
    pub throughput_per_s: f64,
    /// End-to-end latency of finished events (queueing included).
    pub latency: LatencySummary,
    /// Mean time from arrival to start of work (first receive for messages) \[ms\].
    pub mean_queue_wait_ms: f64,
    /// Time-average events waiting (local queues and SQS) \[events\].
    pub mean_waiting: f64,
    /// Most events waiting at once \[events\].
    pub max_waiting: u64,
    /// Time-average busy worker slots (concurrent executions) \[slots\].
    pub mean_busy: f64,
    /// Most busy worker slots at once \[slots\].
    pub max_busy: u64,
    /// Age of the oldest waiting message, highest seen at a 1-minute tick \[s\].
    pub oldest_message_age_max_s: f64,
    /// Time-average instances that exist (booting to failed) \[instances\].
    pub mean_instances: f64,
    /// Time-average instances per state \[instances\].
    pub mean_by_state: StateCounts<f64>,
    /// Most instances per state at once \[instances\].
    pub max_by_state: StateCounts<u64>,
    /// Time-average CPU utilisation of running instances [%].
    pub mean_cpu_percent: f64,
    /// Fleet counters.
    pub fleet: FleetCounters,
    /// Work a human did: patches, replacements and resizes by hand, pages.
    pub operator_work: OperatorWork,
    /// Who does the operator work on this side.
    pub operator_work_by: &'static str,
    /// Billable EC2 usage (instances launch to termination, ALB hours and LCU inputs).
    pub usage: Ec2Usage,
    /// Billable instance-seconds, all types [instance-seconds].
    pub instance_seconds: u64,
    /// SQS requests: sends, receives, deletes and empty long polls \[requests\].
    pub sqs_requests: u64,
    /// S3 PUT requests of S3 sources \[requests\].
    pub s3_put_requests: u64,
    /// Per-source outcomes, by source index.
    pub per_source: Vec<SourceCounters>,
    /// Downsampled time series with the Lambda side's names (environments =
    /// instances, busy = busy slots, idle = free slots in service).
    pub series: Vec<SeriesPoint>,
    /// Downsampled instances per state and CPU.
    pub fleet_series: Vec<FleetPoint>,
}

impl Ec2Side {
    /// The state now, for drawing a frame.
    pub fn snapshot(&self, now: SimTime) -> Ec2Snapshot {
        let slots = f64::from(self.worker_slots);
        let mut instances: Vec<InstanceView> = self
            .instances
            .iter()
            .filter(|i| i.state != InstanceState::Terminated)
            .map(|i| InstanceView {
                id: i.id,
                zone: i.zone,
                state: i.state,
                cpu_percent: f64::from(i.busy) / slots * 100.0,
                in_flight: i.busy,
                queue_length: i.local.len() as u64,
                age_us: now.since(i.launched).as_micros(),
                cpu_credits: (self.credit_earn > 0)
                    .then(|| self.credits_in_vcpu_minutes(i.credits_at(now))),
            })
            .collect();
        crate::engine::order::sort_by_u64(&mut instances, |v| v.id);
        let queues = self
            .queues
            .iter()
            .enumerate()
            .filter_map(|(source, queue)| {
                let queue = queue.as_ref()?;
                Some(Ec2QueueView {
                    source: source as u32,
                    visible: queue.visible_len(),
                    invisible: queue.invisible,
                    oldest_age_us: queue.oldest_sent().map_or(0, |t| now.since(t).as_micros()),
                })
            })
            .collect();
        Ec2Snapshot {
            instances,
            by_state: StateCounts::from_fn(|state| self.count(state)),
            bounds: self.bounds(),
            auto_scaling: self.auto_scaling(),
            cpu_percent: if self.fleet.slots_now == 0 {
                0.0
            } else {
                self.ints.now[G_BUSY] as f64 / self.fleet.slots_now as f64 * 100.0
            },
            queues,
            counters: self.counters,
            fleet: self.fc,
            operator_work: self.work,
            zones: self.zones(),
            zones_down: self.zones_down(now),
        }
    }

    /// The report at `now` (integrals advanced to `now`); `series` is the
    /// EC2 side's main series.
    pub fn report(&self, name: &str, now: SimTime, series: &Series) -> Ec2Report {
        let counters = self.counters;
        let attempts = counters.invocations + counters.throttles;
        let secs = now.as_secs_f64();
        let usage = self.usage_at(now);
        let instance_seconds = usage
            .instances
            .values()
            .map(|usage_of_type| usage_of_type.billable_seconds)
            .sum();
        let empty = self.empty_receives();
        let mut fleet_counters = self.fc;
        fleet_counters.empty_receives = empty;
        Ec2Report {
            side: Side::Ec2,
            name: name.to_string(),
            instance_type: self.type_name.clone(),
            vcpu: self.vcpu,
            worker_slots: self.worker_slots,
            auto_scaling: self.auto_scaling(),
            counters,
            accounting_balances: counters.balances(),
            rejection_probability: if attempts == 0 {
                0.0
            } else {
                counters.throttles as f64 / attempts as f64
            },
            throughput_per_s: if secs > 0.0 {
                counters.succeeded as f64 / secs
            } else {
                0.0
            },
            latency: self.latency.summary(),
            mean_queue_wait_ms: self.mean_wait_ms(),
            mean_waiting: self.ints.mean(G_WAITING),
            max_waiting: self.ints.max[G_WAITING],
            mean_busy: self.ints.mean(G_BUSY),
            max_busy: self.ints.max[G_BUSY],
            oldest_message_age_max_s: self
                .fc
                .oldest_message_age_max_us
                .max(self.oldest_message_age_us(now)) as f64
                / 1e6,
            mean_instances: self.ints.mean(G_TOTAL),
            mean_by_state: StateCounts::from_fn(|s| self.fleet.mean(s)),
            max_by_state: StateCounts::from_fn(|s| self.fleet.max[s.index()]),
            mean_cpu_percent: self.fleet.mean_cpu(u128::from(self.ints.sum(G_BUSY))) * 100.0,
            fleet: fleet_counters,
            operator_work: self.work,
            operator_work_by: EC2_OPERATOR_WORK_BY,
            usage,
            instance_seconds,
            sqs_requests: self.sqs_requests + empty,
            s3_put_requests: self.s3_put_requests,
            per_source: self.per_source.clone(),
            series: series.points().to_vec(),
            fleet_series: self.fleet_series.points().to_vec(),
        }
    }

    /// Time averages used by the report, for tests: (instances in service,
    /// booting, free slots in service).
    pub fn mean_gauges(&self) -> (f64, f64, f64) {
        (
            self.ints.mean(G_PROVISIONED),
            self.ints.mean(G_INIT),
            self.ints.mean(G_IDLE),
        )
    }
}

impl Ec2Side {
    /// Worker slots per instance.
    pub fn slots(&self) -> u32 {
        self.worker_slots
    }

    /// vCPUs per instance.
    pub fn vcpu(&self) -> u32 {
        self.vcpu
    }

    /// Instance type name.
    pub fn instance_type(&self) -> &str {
        &self.type_name
    }

    /// The billable usage from time zero to `now`: every launch from launch
    /// to termination (instances still running billed up to `now`, marked
    /// open for projections), with billing's 60-second minimum, the load
    /// balancer's hours, and the public IPv4 addresses: the load
    /// balancer's, one per enabled zone (at least two) from time zero, and
    /// one per instance launched with a public IP.
    pub fn usage_at(&self, now: SimTime) -> Ec2Usage {
        let mut usage = self.usage.clone();
        for inst in &self.instances {
            if inst.state != InstanceState::Terminated {
                let span = now.since(inst.launched);
                usage.record_running(&self.type_name, span);
                if self.public_ip {
                    usage.record_public_ipv4(1, span);
                }
                usage.surplus_vcpu_seconds = usage
                    .surplus_vcpu_seconds
                    .saturating_add(self.surplus_vcpu_seconds(inst.credits_at(now)));
            }
        }
        usage.alb = self.alb.as_ref().map(|meter| meter.usage_at(now));
        if usage.alb.is_some() {
            usage.record_public_ipv4(self.alb_public_ipv4(), now.since(SimTime::ZERO));
        }
        usage
    }

    /// A credit balance in CPU credits (vCPU-minutes; negative: surplus
    /// credits spent in unlimited mode).
    pub fn credits_in_vcpu_minutes(&self, units: i128) -> f64 {
        let per_slot_us = units as f64 / fleet::CREDIT_SCALE as f64;
        per_slot_us * f64::from(self.vcpu) / f64::from(self.worker_slots.max(1)) / 60e6
    }

    /// The surplus (negative part) of a credit balance, in vCPU-seconds,
    /// rounded half up.
    pub fn surplus_vcpu_seconds(&self, units: i128) -> u64 {
        if units >= 0 {
            return 0;
        }
        let den =
            i128::from(fleet::CREDIT_SCALE) * i128::from(self.worker_slots.max(1)) * 1_000_000;
        let num = -units * i128::from(self.vcpu);
        u64::try_from((num + den / 2) / den).unwrap_or(u64::MAX)
    }

    /// Public IPv4 addresses of the internet-facing load balancer: one per
    /// enabled zone, and an ALB enables at least two \[addresses\].
    pub fn alb_public_ipv4(&self) -> u64 {
        u64::from(self.zones.max(defaults::ALB_MIN_ZONES)) * defaults::ALB_PUBLIC_IPV4_PER_ZONE
    }

    /// Empty long-poll receives of idle workers up to now: each idle worker
    /// slot polls each queue once per 20 s wait \[requests\].
    pub fn empty_receives(&self) -> u64 {
        if self.sqs_sources.is_empty() {
            return 0;
        }
        let idle_us = self.ints.sum(G_IDLE);
        (idle_us / (defaults::SQS_LONG_POLL_S * 1_000_000))
            .saturating_mul(self.sqs_sources.len() as u64)
    }

    /// Requests to the managed event sources in front of the fleet: its
    /// SQS queues (sends, receives, deletes and empty long polls) and S3
    /// uploads. No API Gateway: API traffic reaches the fleet through the ALB.
    pub fn event_source_usage(&self) -> EventSourceUsage {
        EventSourceUsage {
            sqs_standard_requests: self.sqs_requests.saturating_add(self.empty_receives()),
            s3_put_requests: self.s3_put_requests,
            ..EventSourceUsage::default()
        }
    }

    /// Mean queueing delay (arrival to start of work) \[ms\].
    pub fn mean_wait_ms(&self) -> f64 {
        if self.waits == 0 {
            0.0
        } else {
            self.wait_sum_us as f64 / self.waits as f64 / 1e3
        }
    }

    /// Age of the oldest waiting message now \[µs\].
    pub fn oldest_message_age_us(&self, now: SimTime) -> u64 {
        self.queues
            .iter()
            .flatten()
            .filter_map(|queue| queue.oldest_sent())
            .map(|sent| now.since(sent).as_micros())
            .max()
            .unwrap_or(0)
    }

    /// Instances in `state` now.
    pub fn count(&self, state: InstanceState) -> u64 {
        self.fleet.now[state.index()]
    }
}
