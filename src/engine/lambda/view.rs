//! What the UI draws of the Lambda side: each environment
//! ([`EnvView`]), each SQS queue ([`QueueDepth`]) and the side at one
//! instant ([`LambdaSnapshot`]).

use super::environments::{EnvState, Job};
use super::LambdaSide;
use crate::engine::metrics::{Counters, G_BUSY, G_IDLE, G_INIT, G_TOTAL};
use crate::engine::order::sort_by_u64;
use crate::engine::time::SimTime;
use serde::Serialize;

/// A view of one environment for the UI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct EnvView {
    /// Unique id (never reused within a run).
    pub id: u64,
    pub state: EnvState,
    /// A provisioned environment.
    pub provisioned: bool,
    /// Time since it was created \[µs\].
    pub age_us: u64,
    /// Source of the request it is serving, if busy.
    pub source: Option<u32>,
    /// When it last became idle (its last request ended, or its INIT for a
    /// provisioned one), if idle now: its keep-alive runs from here.
    pub idle_since: Option<SimTime>,
    /// When its handler started, if busy: its current invocation has run
    /// since (the 15-minute maximum counts from here).
    pub busy_since: Option<SimTime>,
    /// INIT of its current invocation (zero when it started warm) \[µs\].
    pub init_us: u64,
}

/// Depth of one SQS queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct QueueDepth {
    pub source: u32,
    /// Visible messages \[messages\].
    pub visible: u64,
    /// Messages received and not being processed: after a failed batch,
    /// or held in a throttled batch \[messages\].
    pub invisible: u64,
    /// ... of `invisible`, messages in batches the pollers received but
    /// could not invoke (throttled), retried until their visibility
    /// timeout \[messages\].
    pub held: u64,
    /// Batches held after a throttled invoke \[batches\].
    pub held_batches: u32,
    /// Messages being processed \[messages\].
    pub in_flight: u64,
    /// Concurrent batches the pollers may run now \[batches\].
    pub poller_limit: u32,
}

/// A picture of the Lambda side at one instant (for drawing).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LambdaSnapshot {
    /// Every environment, in id order.
    pub environments: Vec<EnvView>,
    /// Environments \[environments\].
    pub total: u64,
    /// Busy environments, cold starts in INIT included (provisioned
    /// environments in their INIT are only in `initializing`) \[environments\].
    pub busy: u64,
    /// Idle warm environments \[environments\].
    pub idle: u64,
    /// Environments in INIT \[environments\].
    pub initializing: u64,
    /// Concurrency counted against the limit (busy on-demand + provisioned) \[executions\].
    pub concurrency_in_use: u32,
    /// Concurrency limit (reserved, else account) \[executions\].
    pub concurrency_limit: u32,
    /// Scaling-rate tokens left (none when unlimited) \[environments\].
    pub scaling_tokens: Option<f64>,
    /// Invocations admitted in the rolling second ending now \[invocations\].
    pub requests_last_second: u64,
    /// The requests-per-second limit: 10 × the concurrency limit
    /// \[invocations/s\].
    pub request_rate_limit: u64,
    /// SQS queues.
    pub queues: Vec<QueueDepth>,
    /// Async events waiting for a retry \[events\].
    pub async_waiting: u64,
    /// Counters so far.
    pub counters: Counters,
}

impl LambdaSide {
    /// The side at `now`, for drawing a frame.
    pub fn snapshot(&self, now: SimTime) -> LambdaSnapshot {
        let (total, busy, idle, initializing) = self.env_counts();
        let (requests_last_second, request_rate_limit) = self.request_rate(now);
        LambdaSnapshot {
            environments: self.env_views(now),
            total,
            busy,
            idle,
            initializing,
            concurrency_in_use: self.concurrency_in_use(),
            concurrency_limit: self.limit(),
            scaling_tokens: self.scaling_tokens(now),
            requests_last_second,
            request_rate_limit,
            queues: self.queue_depths(),
            async_waiting: self.async_waiting(),
            counters: self.counters,
        }
    }

    /// Current environments, newest first by id order.
    pub fn env_views(&self, now: SimTime) -> Vec<EnvView> {
        let mut out: Vec<EnvView> = self
            .envs
            .iter()
            .zip(&self.born)
            .filter_map(|(env, &born)| {
                let state = env.state?;
                Some(EnvView {
                    id: env.id,
                    state,
                    provisioned: env.provisioned,
                    age_us: now.since(born).as_micros(),
                    source: env.job.source(self).map(u32::from),
                    idle_since: (state == EnvState::Idle).then_some(env.last_end),
                    busy_since: (state == EnvState::Busy).then_some(env.handler_start),
                    init_us: env.init.as_micros(),
                })
            })
            .collect();
        sort_by_u64(&mut out, |view| view.id);
        out
    }

    /// Depths of the SQS queues.
    pub fn queue_depths(&self) -> Vec<QueueDepth> {
        self.mappings
            .iter()
            .enumerate()
            .filter_map(|(i, mapping)| {
                let mapping = mapping.as_ref()?;
                let in_flight = self
                    .envs
                    .iter()
                    .filter(|env| env.state.is_some())
                    .filter_map(|env| match env.job {
                        Job::Sqs { source, batch } if source as usize == i => {
                            Some(self.batches[batch as usize].msgs.len() as u64)
                        }
                        _ => None,
                    })
                    .sum();
                Some(QueueDepth {
                    source: i as u32,
                    visible: mapping.queue.visible_len(),
                    invisible: mapping.queue.invisible,
                    held: mapping.held_msgs,
                    held_batches: mapping.held_batches,
                    in_flight,
                    poller_limit: mapping.limit,
                })
            })
            .collect()
    }

    /// Events waiting in the async retry queue \[events\].
    pub fn async_waiting(&self) -> u64 {
        let sqs: u64 = self
            .mappings
            .iter()
            .flatten()
            .map(|mapping| mapping.queue.visible_len() + mapping.queue.invisible)
            .sum();
        self.counters.waiting - sqs
    }

    /// Environments now: (total, busy, idle, initializing).
    pub fn env_counts(&self) -> (u64, u64, u64, u64) {
        let now = &self.ints.now;
        (now[G_TOTAL], now[G_BUSY], now[G_IDLE], now[G_INIT])
    }
}
