//! The Lambda side: execution environments, the scaling rate, concurrency
//! limits, cold and warm starts, keep-alive, timeouts, provisioned
//! concurrency, and throttling by invocation type (sync 429, the async
//! internal queue with retries, the SQS event source mapping).
//!
//! Environments live in a `Vec` with a free list; idle ones sit in ordered
//! sets keyed by creation id so the NEWEST idle environment is taken first
//! (as SimFaaS models it, so older ones expire). Keep-alive expiry keeps at
//! most one pending event per environment and re-arms it lazily.

use super::billing::usage::{EventSourceUsage, InvocationTotals, LambdaUsage};
use super::billing::Architecture;
use super::defaults as d;
use super::dist::{rng_stream, Rng, Sampler, STREAM_LAMBDA_SERVICE};
use super::happening::{HappeningKind as H, Happenings, Side};
use super::metrics::{
    Counters, Integrals, Latency, G_BUSY, G_IDLE, G_INIT, G_PROVISIONED, G_TOTAL, G_WAITING,
};
use super::queue::EventQueue;
use super::scenario::{OnFailure, Scenario, SourceKind};
use super::sim::Event;
use super::slots::store;
use super::sqs::{Msg, SqsQueue};
use super::time::{SimDuration, SimTime};
use rand::RngExt;
use serde::Serialize;
use std::collections::BinaryHeap;

/// Events of the Lambda side. Slots index internal tables; `gen` guards
/// against a slot reused since the event was scheduled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LambdaEvent {
    /// A cold start's INIT phase ends.
    InitDone { slot: u32, gen: u32 },
    /// An invocation ends (success, error or timeout).
    End { slot: u32, gen: u32 },
    /// An idle environment may have reached the end of its keep-alive.
    Expire { slot: u32, gen: u32 },
    /// The provisioned level changes to the scenario's step `step`.
    Provisioned { step: u32 },
    /// An async event is retried (or dropped if too old).
    AsyncRetry { slot: u32 },
    /// A failed SQS batch becomes visible again.
    SqsVisible { batch: u32 },
    /// An SQS poller looks at its queue again (batching window, back-off).
    SqsPoll { source: u16 },
    /// The SQS pollers reconsider how many concurrent batches they run.
    SqsScale { source: u16 },
}

/// Where the scheduling context comes from: the shared queue and log.
pub struct Ctx<'a> {
    pub now: SimTime,
    pub q: &'a mut EventQueue<Event>,
    pub h: &'a mut Happenings,
}

impl Ctx<'_> {
    /// Schedules at `at`, never before now (so scheduling cannot fail).
    #[inline]
    fn at(&mut self, at: SimTime, e: LambdaEvent) {
        let at = at.max(self.now).max(self.q.now());
        // Cannot fail: `at` is not before the queue's clock.
        let _ = self.q.schedule(at, Event::Lambda(e));
    }
    #[inline]
    fn log(&mut self, kind: H, source: Option<u16>, env: Option<u64>) {
        self.h
            .push(self.now, Side::Lambda, kind, source.map(u32::from), env);
    }
}

/// State of an execution environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvState {
    /// Cold start: INIT running, the invocation waits.
    Initializing,
    /// Running an invocation.
    Busy,
    /// Warm and waiting for a request.
    Idle,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Job {
    None,
    Sync { source: u16, arrived: SimTime },
    Async { slot: u32 },
    Sqs { source: u16, batch: u32 },
}

impl Job {
    fn source(self, lambda: &LambdaSide) -> Option<u16> {
        match self {
            Job::None => None,
            Job::Sync { source, .. } | Job::Sqs { source, .. } => Some(source),
            Job::Async { slot } => lambda.async_events.get(slot as usize).map(|e| e.source),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Success,
    Error,
    Timeout,
    InitTimeout,
}

#[derive(Clone, Copy, Debug)]
struct Env {
    id: u64,
    born: SimTime,
    /// None = free slot.
    state: Option<EnvState>,
    provisioned: bool,
    expiry_pending: bool,
    gen: u32,
    last_end: SimTime,
    job: Job,
    /// When the handler started (after INIT for a cold start).
    handler_start: SimTime,
    /// INIT of the current invocation (zero when warm).
    init: SimDuration,
    /// Handler time the current invocation will take (capped at the timeout).
    handler: SimDuration,
    outcome: Outcome,
}

/// Idle environments, newest (highest id) first: a max-heap with lazy
/// deletion. An environment removed while idle (keep-alive expiry) leaves
/// its entry behind, skipped when it surfaces; the heap is compacted when
/// stale entries outnumber live ones, so it stays bounded. Cheaper than an
/// ordered set on the hot path (one push and one pop per invocation).
#[derive(Debug, Default)]
struct IdleSet {
    /// `id << SLOT_BITS | slot`: one u64 compare orders by id (ids are
    /// unique, so the slot bits never decide).
    heap: BinaryHeap<u64>,
    live: u32,
}

/// Bits of an idle-set key that hold the slot. Slots stay far below 2^24
/// (environments are bounded by the concurrency limit plus provisioned),
/// ids below 2^40 (bounded by the arrivals a scenario may produce).
const SLOT_BITS: u32 = 24;

impl IdleSet {
    #[inline]
    fn split(key: u64) -> (u64, u32) {
        (key >> SLOT_BITS, (key & ((1 << SLOT_BITS) - 1)) as u32)
    }
    fn valid(envs: &[Env], key: u64) -> bool {
        let (id, slot) = IdleSet::split(key);
        envs.get(slot as usize)
            .is_some_and(|e| e.id == id && e.state == Some(EnvState::Idle))
    }
    #[inline]
    fn push(&mut self, id: u64, slot: u32) {
        self.heap.push((id << SLOT_BITS) | u64::from(slot));
        self.live += 1;
    }
    #[inline]
    fn pop(&mut self, envs: &[Env]) -> Option<u32> {
        while let Some(key) = self.heap.pop() {
            if IdleSet::valid(envs, key) {
                self.live -= 1;
                return Some(IdleSet::split(key).1);
            }
        }
        None
    }
    /// An idle environment was destroyed (its state already cleared).
    fn removed(&mut self, envs: &[Env]) {
        self.live = self.live.saturating_sub(1);
        if self.heap.len() > 2 * self.live as usize + 64 {
            self.heap.retain(|&key| IdleSet::valid(envs, key));
        }
    }
}

/// Integer totals of billed Lambda invocations (mirrors the billing
/// module's `InvocationTotals`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BilledTotals {
    /// Billed requests (async payload chunks included) [requests].
    pub requests: u64,
    /// Sum of invoke durations, each rounded UP to 1 ms; a timeout counts
    /// the full timeout [ms].
    pub billed_ms: u64,
    /// The same with each invocation's INIT added before rounding [ms].
    pub billed_ms_with_init: u64,
}

impl BilledTotals {
    fn record(&mut self, requests: u64, handler: SimDuration, init: SimDuration) {
        self.requests = self.requests.saturating_add(requests);
        self.billed_ms = self.billed_ms.saturating_add(handler.as_millis_ceil());
        self.billed_ms_with_init = self
            .billed_ms_with_init
            .saturating_add((handler + init).as_millis_ceil());
    }
}

/// Billable quantities of the Lambda side, as integer sums.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Billable {
    /// Memory size [MB].
    pub memory_mb: u32,
    /// Ephemeral storage [MB].
    pub ephemeral_storage_mb: u32,
    /// On-demand invocations while no provisioned concurrency was configured.
    pub on_demand: BilledTotals,
    /// On-demand invocations while provisioned concurrency was configured.
    pub on_demand_while_provisioned: BilledTotals,
    /// Requests served by provisioned environments [requests].
    pub provisioned_requests: u64,
    /// Invoke durations served by provisioned environments, each rounded UP
    /// to 1 ms [ms].
    pub provisioned_billed_ms: u64,
    /// Provisioned level × time, each constant-level span rounded UP to
    /// 5 minutes [environment-seconds].
    pub provisioned_env_seconds: u64,
    /// Provisioned level × time, unrounded [environment-ms].
    pub provisioned_env_ms: u64,
    /// SQS requests (send, receive, delete; 64 KB chunks) [requests].
    pub sqs_requests: u64,
    /// Synchronous API requests that reached API Gateway [requests].
    pub api_requests: u64,
    /// S3 uploads (PUT requests) [requests].
    pub s3_put_requests: u64,
}

impl Billable {
    /// On-demand compute, INIT included or not [GB-s].
    pub fn on_demand_gb_s(&self, with_init: bool) -> f64 {
        let ms = if with_init {
            self.on_demand.billed_ms_with_init
                + self.on_demand_while_provisioned.billed_ms_with_init
        } else {
            self.on_demand.billed_ms + self.on_demand_while_provisioned.billed_ms
        };
        ms as f64 / 1e3 * f64::from(self.memory_mb) / 1_024.0
    }
}

impl BilledTotals {
    fn to_usage(self) -> InvocationTotals {
        InvocationTotals {
            requests: self.requests,
            billed_ms: self.billed_ms,
            billed_ms_with_init: self.billed_ms_with_init,
        }
    }
}

impl Billable {
    /// The billing module's usage of this function, for `lambda_bill`.
    pub fn lambda_usage(&self, architecture: Architecture) -> LambdaUsage {
        LambdaUsage {
            on_demand: self.on_demand.to_usage(),
            on_demand_while_provisioned: self.on_demand_while_provisioned.to_usage(),
            provisioned_requests: self.provisioned_requests,
            provisioned_billed_ms: self.provisioned_billed_ms,
            provisioned_env_seconds: self.provisioned_env_seconds,
            ..LambdaUsage::new(architecture, self.memory_mb, self.ephemeral_storage_mb)
        }
    }

    /// Requests to the event sources (API requests counted as HTTP API).
    pub fn event_source_usage(&self) -> EventSourceUsage {
        EventSourceUsage {
            api_http_requests: self.api_requests,
            s3_put_requests: self.s3_put_requests,
            sqs_standard_requests: self.sqs_requests,
            ..EventSourceUsage::default()
        }
    }
}

use super::billing::usage::provisioned_billable_seconds;

/// Scaling-rate limiter: a token bucket kept as a time value, so it is
/// exact in integers: `units` grow 1 per µs up to `cap`; a new environment
/// costs `per_token` units.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    per_token: u64,
    cap: u64,
    units: u64,
    last: SimTime,
}

impl Bucket {
    fn new(tokens: u64, per_token: SimDuration) -> Bucket {
        let per_token = per_token.as_micros().max(1);
        let cap = tokens * per_token;
        Bucket {
            per_token,
            cap,
            units: cap,
            last: SimTime::ZERO,
        }
    }
    fn refill(&mut self, now: SimTime) {
        self.units = (self.units + now.since(self.last).as_micros()).min(self.cap);
        self.last = self.last.max(now);
    }
    fn take(&mut self, now: SimTime) -> bool {
        self.refill(now);
        if self.units >= self.per_token {
            self.units -= self.per_token;
            true
        } else {
            false
        }
    }
    fn tokens(&self, now: SimTime) -> f64 {
        let units = (self.units + now.since(self.last).as_micros()).min(self.cap);
        units as f64 / self.per_token as f64
    }
}

#[derive(Clone, Copy, Debug)]
enum Last {
    Throttled,
    Error,
    Timeout,
}

#[derive(Clone, Copy, Debug)]
struct AsyncEvent {
    arrived: SimTime,
    source: u16,
    retries_used: u32,
    backoff: SimDuration,
    last: Last,
    live: bool,
}

#[derive(Debug)]
struct Batch {
    source: u16,
    received: SimTime,
    msgs: Vec<Msg>,
    last_timeout: bool,
}

#[derive(Debug)]
struct Esm {
    queue: SqsQueue,
    batch_size: usize,
    window: SimDuration,
    limit: u32,
    max_limit: u32,
    in_flight_batches: u32,
    window_start: Option<SimTime>,
    poll_at: Option<SimTime>,
    scale_pending: bool,
}

/// Per-source outcomes [events].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SourceCounters {
    pub arrived: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub dropped: u64,
    pub timed_out: u64,
    pub throttles: u64,
}

/// A view of one environment for the UI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct EnvView {
    /// Unique id (never reused within a run).
    pub id: u64,
    pub state: EnvState,
    /// A provisioned environment.
    pub provisioned: bool,
    /// Time since it was created [µs].
    pub age_us: u64,
    /// Source of the request it is serving, if busy.
    pub source: Option<u32>,
    /// When it last became idle (its last request ended, or its INIT for a
    /// provisioned one), if idle now: its keep-alive runs from here.
    pub idle_since: Option<SimTime>,
}

/// Depth of one SQS queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct QueueDepth {
    pub source: u32,
    /// Visible messages [messages].
    pub visible: u64,
    /// Messages invisible after a failed batch [messages].
    pub invisible: u64,
    /// Messages being processed [messages].
    pub in_flight: u64,
    /// Concurrent batches the pollers may run now [batches].
    pub poller_limit: u32,
}

/// The Lambda deployment.
pub struct LambdaSide {
    // configuration
    kinds: Vec<SourceKind>,
    async_units: Vec<u64>,
    timeout: SimDuration,
    keep_alive: SimDuration,
    init_limit: SimDuration,
    duration: Sampler,
    cold_duration: Option<Sampler>,
    init: Sampler,
    factor: f64,
    error_rate: f64,
    limit: u32,
    max_retries: u32,
    max_age: SimDuration,
    to_destination: bool,
    provisioned_steps: Vec<(SimTime, u32)>,
    rng: Rng,

    envs: Vec<Env>,
    free: Vec<u32>,
    idle_od: IdleSet,
    idle_prov: IdleSet,
    next_id: u64,
    od_busy: u32,
    prov_envs: u32,
    prov_target: u32,
    prov_since: SimTime,
    bucket: Option<Bucket>,

    async_events: Vec<AsyncEvent>,
    async_free: Vec<u32>,
    esm: Vec<Option<Esm>>,
    sqs_sources: Vec<u16>,
    batches: Vec<Batch>,
    batch_free: Vec<u32>,

    /// Event and attempt counters.
    pub counters: Counters,
    /// Per-source outcomes.
    pub per_source: Vec<SourceCounters>,
    /// Gauges integrated over time.
    pub ints: Integrals,
    /// End-to-end latency of finished events.
    pub latency: Latency,
    /// Billable quantities.
    pub billable: Billable,
    /// Sum of lifespans of removed environments [µs].
    pub lifespan_sum_us: u128,
    /// Removed environments [environments].
    pub lifespans: u64,
    /// Longest handler run time seen (for the timeout property) [µs].
    pub max_handler_us: u64,
}

impl LambdaSide {
    /// Builds the side of a validated scenario.
    pub fn new(s: &Scenario) -> LambdaSide {
        let f = &s.function;
        let secs = SimDuration::from_secs_f64;
        let bucket = match s.account.scaling {
            super::scenario::ScalingModel::Current => Some(Bucket::new(
                d::SCALING_ENVS_PER_WINDOW,
                SimDuration::from_micros(
                    d::SCALING_WINDOW_S * 1_000_000 / d::SCALING_ENVS_PER_WINDOW,
                ),
            )),
            super::scenario::ScalingModel::Legacy { initial_burst } => Some(Bucket::new(
                u64::from(initial_burst),
                SimDuration::from_micros(60_000_000 / d::LEGACY_ENVS_PER_MINUTE),
            )),
            super::scenario::ScalingModel::Unlimited => None,
        };
        let mut esm = Vec::new();
        let mut sqs_sources = Vec::new();
        for (i, src) in s.sources.iter().enumerate() {
            if src.kind == SourceKind::Sqs {
                let c = src.sqs.clone().unwrap_or_default();
                let max_limit = c
                    .maximum_concurrency
                    .unwrap_or(d::SQS_MAX_BATCHES)
                    .min(d::SQS_MAX_BATCHES);
                esm.push(Some(Esm {
                    queue: SqsQueue::new(
                        secs(c.retention_s),
                        secs(c.visibility_timeout_s),
                        c.max_receive_count,
                        payload_bytes(src.payload_kb),
                    ),
                    batch_size: c.batch_size.max(1) as usize,
                    window: secs(c.batching_window_s),
                    limit: d::SQS_INITIAL_BATCHES.min(max_limit),
                    max_limit,
                    in_flight_batches: 0,
                    window_start: None,
                    poll_at: None,
                    scale_pending: false,
                }));
                sqs_sources.push(i as u16);
            } else {
                esm.push(None);
            }
        }
        let mut steps: Vec<(SimTime, u32)> = f
            .provisioned
            .iter()
            .map(|p| (SimTime::ZERO + secs(p.at_s), p.level))
            .collect();
        crate::engine::order::sort_by_u64(&mut steps, |p| p.0.as_micros());
        LambdaSide {
            kinds: s.sources.iter().map(|s| s.kind).collect(),
            async_units: s
                .sources
                .iter()
                .map(|s| async_request_units(payload_bytes(s.payload_kb)))
                .collect(),
            timeout: secs(f.timeout_s),
            keep_alive: secs(f.keep_alive_s),
            init_limit: secs(d::INIT_LIMIT_S),
            duration: f.duration.sampler(),
            cold_duration: f.cold_duration.as_ref().map(|c| c.sampler()),
            init: f.init_duration.sampler(),
            factor: f.duration_factor(),
            error_rate: f.error_rate,
            limit: f
                .reserved_concurrency
                .unwrap_or(s.account.concurrency_limit),
            max_retries: f.async_config.max_retries,
            max_age: secs(f.async_config.max_event_age_s),
            to_destination: f.async_config.on_failure == OnFailure::Destination,
            provisioned_steps: steps,
            rng: rng_stream(s.seed, STREAM_LAMBDA_SERVICE, 0),
            envs: Vec::new(),
            free: Vec::new(),
            idle_od: IdleSet::default(),
            idle_prov: IdleSet::default(),
            next_id: 0,
            od_busy: 0,
            prov_envs: 0,
            prov_target: 0,
            prov_since: SimTime::ZERO,
            bucket,
            async_events: Vec::new(),
            async_free: Vec::new(),
            esm,
            sqs_sources,
            batches: Vec::new(),
            batch_free: Vec::new(),
            counters: Counters::default(),
            per_source: vec![SourceCounters::default(); s.sources.len()],
            ints: Integrals::default(),
            latency: Latency::new(),
            billable: Billable {
                memory_mb: f.memory_mb,
                ephemeral_storage_mb: f.ephemeral_storage_mb,
                ..Billable::default()
            },
            lifespan_sum_us: 0,
            lifespans: 0,
            max_handler_us: 0,
        }
    }

    /// Schedules the provisioned-concurrency steps (call once at start).
    pub fn start(&mut self, q: &mut EventQueue<Event>) {
        for (i, (at, _)) in self.provisioned_steps.iter().enumerate() {
            let _ = q.schedule(
                *at,
                Event::Lambda(LambdaEvent::Provisioned { step: i as u32 }),
            );
        }
    }

    /// The concurrency limit in force (reserved, else account) [executions].
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Scaling tokens available now (none when unlimited).
    pub fn scaling_tokens(&self, now: SimTime) -> Option<f64> {
        self.bucket.map(|b| b.tokens(now))
    }

    /// Concurrency counted against the limit: busy on-demand environments
    /// plus every provisioned environment [executions].
    pub fn concurrency_in_use(&self) -> u32 {
        self.od_busy + self.prov_envs
    }

    // ------------------------------------------------------------ arrivals

    /// A request or message arrives from `source`.
    pub fn on_arrival(&mut self, source: u16, ctx: &mut Ctx) {
        self.counters.arrived += 1;
        self.per_source[source as usize].arrived += 1;
        match self.kinds[source as usize] {
            SourceKind::Api => {
                self.billable.api_requests += 1;
                let job = Job::Sync {
                    source,
                    arrived: ctx.now,
                };
                self.counters.in_flight += 1;
                if let Err(()) = self.route(job, ctx) {
                    self.counters.in_flight -= 1;
                    self.counters.dropped += 1;
                    self.per_source[source as usize].dropped += 1;
                }
            }
            SourceKind::S3 | SourceKind::Schedule => {
                if self.kinds[source as usize] == SourceKind::S3 {
                    self.billable.s3_put_requests += 1;
                }
                if self.counters.waiting >= d::MAX_WAITING_EVENTS {
                    self.drop_overflow(source, ctx);
                    return;
                }
                let ev = AsyncEvent {
                    arrived: ctx.now,
                    source,
                    retries_used: 0,
                    backoff: SimDuration::from_secs_f64(d::ASYNC_THROTTLE_BACKOFF_MIN_S),
                    last: Last::Throttled,
                    live: true,
                };
                let slot = store(&mut self.async_events, &mut self.async_free, ev, |_, ev| ev);
                self.async_attempt(slot, ctx);
            }
            SourceKind::Sqs => {
                if self.counters.waiting >= d::MAX_WAITING_EVENTS {
                    self.drop_overflow(source, ctx);
                    return;
                }
                self.set_waiting(ctx.now, 1, true);
                let Some(esm) = self.esm[source as usize].as_mut() else {
                    return;
                };
                esm.queue.send(ctx.now);
                self.billable.sqs_requests += sqs_request_units(esm.queue.payload_bytes);
                // Poll a moment later, so messages sent at the same instant
                // share a batch.
                let at = ctx.now + SimDuration::from_micros(d::SQS_POLL_DELAY_US);
                if esm.poll_at.is_none_or(|t| t > at) {
                    esm.poll_at = Some(at);
                    ctx.at(at, LambdaEvent::SqsPoll { source });
                }
            }
        }
    }

    fn drop_overflow(&mut self, source: u16, ctx: &mut Ctx) {
        self.counters.dropped += 1;
        self.counters.overflow += 1;
        self.per_source[source as usize].dropped += 1;
        ctx.log(H::Dropped, Some(source), None);
    }

    fn set_waiting(&mut self, now: SimTime, n: u64, up: bool) {
        self.ints.advance(now);
        if up {
            self.counters.waiting += n;
            self.ints.add(G_WAITING, n);
        } else {
            self.counters.waiting -= n;
            self.ints.sub(G_WAITING, n);
        }
    }

    // ------------------------------------------------------------- routing

    /// Finds an environment for `job` and starts it; `Err` = throttled
    /// (counted here).
    fn route(&mut self, job: Job, ctx: &mut Ctx) -> Result<(), ()> {
        let src = job.source(self);
        if let Some(slot) = self.idle_prov.pop(&self.envs) {
            self.start_warm(slot, job, ctx);
            return Ok(());
        }
        if self.od_busy + self.prov_envs >= self.limit {
            self.throttle(src, true, ctx);
            return Err(());
        }
        if let Some(slot) = self.idle_od.pop(&self.envs) {
            self.start_warm(slot, job, ctx);
            return Ok(());
        }
        let allowed = match &mut self.bucket {
            Some(b) => b.take(ctx.now),
            None => true,
        };
        if !allowed {
            self.throttle(src, false, ctx);
            return Err(());
        }
        self.start_cold(job, ctx);
        Ok(())
    }

    fn throttle(&mut self, src: Option<u16>, concurrency: bool, ctx: &mut Ctx) {
        self.counters.throttles += 1;
        if concurrency {
            self.counters.throttles_concurrency += 1;
        } else {
            self.counters.throttles_scaling += 1;
        }
        if let Some(s) = src {
            self.per_source[s as usize].throttles += 1;
        }
        ctx.log(H::Throttled, src, None);
    }

    fn new_env(&mut self, now: SimTime, provisioned: bool, state: EnvState) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        let env = Env {
            id,
            born: now,
            state: Some(state),
            provisioned,
            expiry_pending: false,
            gen: 0,
            last_end: now,
            job: Job::None,
            handler_start: now,
            init: SimDuration::ZERO,
            handler: SimDuration::ZERO,
            outcome: Outcome::Success,
        };
        self.counters.environments_created += 1;
        self.ints.advance(now);
        self.ints.add(G_TOTAL, 1);
        store(&mut self.envs, &mut self.free, env, |old, env| Env {
            gen: old.gen,
            ..env
        })
    }

    /// Draws the handler time and outcome of an invocation starting now.
    fn plan(&mut self, slot: u32, cold: bool) {
        let sampler = match (cold, self.cold_duration) {
            (true, Some(c)) => c,
            _ => self.duration,
        };
        let h = sampler.sample_scaled(&mut self.rng, self.factor);
        let (handler, outcome) = if h > self.timeout {
            (self.timeout, Outcome::Timeout)
        } else if self.error_rate > 0.0 && self.rng.random::<f64>() < self.error_rate {
            (h, Outcome::Error)
        } else {
            (h, Outcome::Success)
        };
        let env = &mut self.envs[slot as usize];
        env.handler = handler;
        env.outcome = outcome;
    }

    fn start_warm(&mut self, slot: u32, job: Job, ctx: &mut Ctx) {
        let now = ctx.now;
        self.ints.advance(now);
        self.ints.sub(G_IDLE, 1);
        self.ints.add(G_BUSY, 1);
        self.counters.invocations += 1;
        self.counters.warm_starts += 1;
        self.plan(slot, false);
        let env = &mut self.envs[slot as usize];
        if env.provisioned {
            self.counters.provisioned_invocations += 1;
        } else {
            self.od_busy += 1;
        }
        env.state = Some(EnvState::Busy);
        env.job = job;
        env.handler_start = now;
        env.init = SimDuration::ZERO;
        let (id, gen, end, prov) = (env.id, env.gen, now + env.handler, env.provisioned);
        let src = job.source(self);
        ctx.log(
            if prov {
                H::RoutedProvisioned
            } else {
                H::RoutedWarm
            },
            src,
            Some(id),
        );
        ctx.at(end, LambdaEvent::End { slot, gen });
    }

    fn start_cold(&mut self, job: Job, ctx: &mut Ctx) {
        let now = ctx.now;
        let slot = self.new_env(now, false, EnvState::Initializing);
        self.ints.add(G_BUSY, 1);
        self.od_busy += 1;
        self.counters.invocations += 1;
        self.counters.cold_starts += 1;
        let init = self.init.sample(&mut self.rng);
        self.plan(slot, true);
        let init_limit = self.init_limit;
        let env = &mut self.envs[slot as usize];
        env.job = job;
        let (id, gen) = (env.id, env.gen);
        let src = job.source(self);
        ctx.log(H::ColdStart, src, Some(id));
        let env = &mut self.envs[slot as usize];
        if init > init_limit {
            env.init = init_limit;
            env.outcome = Outcome::InitTimeout;
            env.handler = SimDuration::ZERO;
            self.ints.add(G_INIT, 1);
            ctx.at(now + init_limit, LambdaEvent::InitDone { slot, gen });
        } else if init.is_zero() {
            env.state = Some(EnvState::Busy);
            env.handler_start = now;
            let end = now + env.handler;
            ctx.at(end, LambdaEvent::End { slot, gen });
        } else {
            env.init = init;
            self.ints.add(G_INIT, 1);
            ctx.at(now + init, LambdaEvent::InitDone { slot, gen });
        }
    }

    // -------------------------------------------------------------- events

    /// Handles one Lambda event.
    pub fn on_event(&mut self, e: LambdaEvent, ctx: &mut Ctx) {
        match e {
            LambdaEvent::InitDone { slot, gen } => self.on_init_done(slot, gen, ctx),
            LambdaEvent::End { slot, gen } => self.on_end(slot, gen, ctx),
            LambdaEvent::Expire { slot, gen } => self.on_expire(slot, gen, ctx),
            LambdaEvent::Provisioned { step } => {
                let level = self.provisioned_steps.get(step as usize).map_or(0, |s| s.1);
                self.set_provisioned(level, ctx);
            }
            LambdaEvent::AsyncRetry { slot } => self.on_async_retry(slot, ctx),
            LambdaEvent::SqsVisible { batch } => self.on_sqs_visible(batch, ctx),
            LambdaEvent::SqsPoll { source } => {
                if let Some(Some(esm)) = self.esm.get_mut(source as usize) {
                    if esm.poll_at.is_some_and(|t| t <= ctx.now) {
                        esm.poll_at = None;
                    }
                }
                self.sqs_dispatch(source, ctx);
            }
            LambdaEvent::SqsScale { source } => self.on_sqs_scale(source, ctx),
        }
    }

    fn live(&self, slot: u32, gen: u32) -> bool {
        self.envs
            .get(slot as usize)
            .is_some_and(|e| e.gen == gen && e.state.is_some())
    }

    fn on_init_done(&mut self, slot: u32, gen: u32, ctx: &mut Ctx) {
        if !self.live(slot, gen) {
            return;
        }
        self.ints.advance(ctx.now);
        self.ints.sub(G_INIT, 1);
        let env = &mut self.envs[slot as usize];
        if env.outcome == Outcome::InitTimeout {
            env.handler_start = ctx.now;
            self.on_end(slot, gen, ctx);
            return;
        }
        env.state = Some(EnvState::Busy);
        env.handler_start = ctx.now;
        let end = ctx.now + env.handler;
        ctx.at(end, LambdaEvent::End { slot, gen });
    }

    fn on_end(&mut self, slot: u32, gen: u32, ctx: &mut Ctx) {
        if !self.live(slot, gen) {
            return;
        }
        let now = ctx.now;
        let env = self.envs[slot as usize];
        let handler = now.since(env.handler_start);
        self.max_handler_us = self.max_handler_us.max(handler.as_micros());
        let units = match env.job {
            Job::Async { slot } => self
                .async_events
                .get(slot as usize)
                .map_or(1, |e| self.async_units[e.source as usize]),
            _ => 1,
        };
        // Billing: provisioned environments never bill INIT as duration.
        if env.provisioned {
            self.billable.provisioned_requests += units;
            self.billable.provisioned_billed_ms += handler.as_millis_ceil();
        } else if self.prov_target > 0 {
            self.billable
                .on_demand_while_provisioned
                .record(units, handler, env.init);
        } else {
            self.billable.on_demand.record(units, handler, env.init);
        }
        let src = env.job.source(self);
        let kind = match env.outcome {
            Outcome::Success => H::Succeeded,
            Outcome::Error => {
                self.counters.errors += 1;
                H::Errored
            }
            Outcome::Timeout | Outcome::InitTimeout => {
                self.counters.timeouts += 1;
                if env.outcome == Outcome::InitTimeout {
                    self.counters.init_timeouts += 1;
                }
                H::TimedOut
            }
        };
        ctx.log(kind, src, Some(env.id));

        // Free the environment first, so a retry or the SQS pollers can use it.
        self.ints.advance(now);
        self.ints.sub(G_BUSY, 1);
        if !env.provisioned {
            self.od_busy -= 1;
        }
        let killed = matches!(env.outcome, Outcome::Timeout | Outcome::InitTimeout);
        if killed {
            self.counters.environments_killed += 1;
            ctx.log(H::EnvKilled, src, Some(env.id));
            self.destroy(slot, now);
        } else if env.provisioned && self.prov_envs > self.prov_target {
            self.counters.environments_deprovisioned += 1;
            ctx.log(H::EnvDeprovisioned, None, Some(env.id));
            self.destroy(slot, now);
        } else {
            self.make_idle(slot, ctx);
        }

        match env.job {
            Job::None => {}
            Job::Sync { source, arrived } => {
                self.counters.in_flight -= 1;
                self.latency.record(now.since(arrived).as_micros());
                let ps = &mut self.per_source[source as usize];
                match env.outcome {
                    Outcome::Success => {
                        self.counters.succeeded += 1;
                        ps.succeeded += 1;
                    }
                    Outcome::Error => {
                        self.counters.failed += 1;
                        ps.failed += 1;
                    }
                    _ => {
                        self.counters.timed_out += 1;
                        ps.timed_out += 1;
                    }
                }
            }
            Job::Async { slot: a } => self.async_done(a, env.outcome, ctx),
            Job::Sqs { source, batch } => self.sqs_done(source, batch, env.outcome, ctx),
        }
        self.fill_provisioned(ctx);
        self.wake_pollers(ctx);
    }

    fn make_idle(&mut self, slot: u32, ctx: &mut Ctx) {
        let now = ctx.now;
        self.ints.add(G_IDLE, 1);
        let keep_alive = self.keep_alive;
        let env = &mut self.envs[slot as usize];
        env.state = Some(EnvState::Idle);
        env.job = Job::None;
        env.last_end = now;
        env.init = SimDuration::ZERO;
        if env.provisioned {
            self.idle_prov.push(env.id, slot);
        } else {
            self.idle_od.push(env.id, slot);
            if !env.expiry_pending {
                env.expiry_pending = true;
                let gen = env.gen;
                ctx.at(now + keep_alive, LambdaEvent::Expire { slot, gen });
            }
        }
    }

    fn destroy(&mut self, slot: u32, now: SimTime) {
        let env = &mut self.envs[slot as usize];
        let was_idle = env.state == Some(EnvState::Idle);
        let provisioned = env.provisioned;
        if was_idle {
            self.ints.sub(G_IDLE, 1);
        }
        if provisioned {
            self.prov_envs -= 1;
        }
        self.lifespan_sum_us += u128::from(now.since(env.born).as_micros());
        self.lifespans += 1;
        env.state = None;
        env.gen = env.gen.wrapping_add(1);
        env.expiry_pending = false;
        if was_idle {
            if provisioned {
                self.idle_prov.removed(&self.envs);
            } else {
                self.idle_od.removed(&self.envs);
            }
        }
        self.ints.sub(G_TOTAL, 1);
        self.free.push(slot);
    }

    fn on_expire(&mut self, slot: u32, gen: u32, ctx: &mut Ctx) {
        if !self.live(slot, gen) {
            return;
        }
        let keep_alive = self.keep_alive;
        let env = &mut self.envs[slot as usize];
        env.expiry_pending = false;
        if env.state != Some(EnvState::Idle) || env.provisioned {
            // Busy again: its end re-arms the expiry.
            return;
        }
        let due = env.last_end + keep_alive;
        if ctx.now >= due {
            let id = env.id;
            self.ints.advance(ctx.now);
            self.counters.environments_expired += 1;
            ctx.log(H::EnvExpired, None, Some(id));
            self.destroy(slot, ctx.now);
        } else {
            env.expiry_pending = true;
            ctx.at(due, LambdaEvent::Expire { slot, gen });
        }
    }

    // --------------------------------------------------------- provisioned

    fn set_provisioned(&mut self, level: u32, ctx: &mut Ctx) {
        let now = ctx.now;
        self.close_provisioned_span(now);
        self.ints.advance(now);
        self.ints.sub(G_PROVISIONED, u64::from(self.prov_target));
        self.ints.add(G_PROVISIONED, u64::from(level));
        self.prov_target = level;
        // Remove idle provisioned environments above the new level, oldest
        // first; busy ones go when they finish.
        while self.prov_envs > self.prov_target {
            // The oldest idle provisioned environment (a rare event: a scan is fine).
            let oldest = self
                .envs
                .iter()
                .enumerate()
                .filter(|(_, e)| e.provisioned && e.state == Some(EnvState::Idle))
                .min_by_key(|(_, e)| e.id)
                .map(|(i, e)| (e.id, i as u32));
            let Some((id, slot)) = oldest else { break };
            self.counters.environments_deprovisioned += 1;
            ctx.log(H::EnvDeprovisioned, None, Some(id));
            self.destroy(slot, now);
        }
        self.fill_provisioned(ctx);
    }

    /// Bills the span at the current level that ends now.
    fn close_provisioned_span(&mut self, now: SimTime) {
        let span = now.since(self.prov_since);
        let level = u64::from(self.prov_target);
        self.billable.provisioned_env_seconds += level * provisioned_billable_seconds(span);
        self.billable.provisioned_env_ms += level * span.as_micros() / 1_000;
        self.prov_since = now;
    }

    /// The provisioned billing as if the level were disabled at `now`
    /// (without changing state).
    pub fn billable_at(&self, now: SimTime) -> Billable {
        let mut b = self.billable;
        let span = now.since(self.prov_since);
        let level = u64::from(self.prov_target);
        b.provisioned_env_seconds += level * provisioned_billable_seconds(span);
        b.provisioned_env_ms += level * span.as_micros() / 1_000;
        b
    }

    /// Creates provisioned environments up to the level, as far as the
    /// concurrency limit allows (the rest once on-demand work finishes).
    fn fill_provisioned(&mut self, ctx: &mut Ctx) {
        while self.prov_envs < self.prov_target && self.od_busy + self.prov_envs < self.limit {
            let slot = self.new_env(ctx.now, true, EnvState::Idle);
            self.prov_envs += 1;
            self.ints.add(G_IDLE, 1);
            let id = self.envs[slot as usize].id;
            self.idle_prov.push(id, slot);
            ctx.log(H::EnvProvisioned, None, Some(id));
        }
    }

    // --------------------------------------------------------------- async

    fn async_attempt(&mut self, slot: u32, ctx: &mut Ctx) {
        self.counters.in_flight += 1;
        match self.route(Job::Async { slot }, ctx) {
            Ok(()) => {}
            Err(()) => {
                self.counters.in_flight -= 1;
                let now = ctx.now;
                let e = &mut self.async_events[slot as usize];
                e.last = Last::Throttled;
                let deadline = e.arrived + self.max_age;
                let at = (now + e.backoff).min(deadline);
                e.backoff = (e.backoff.saturating_mul(2))
                    .min(SimDuration::from_secs_f64(d::ASYNC_THROTTLE_BACKOFF_MAX_S));
                let src = e.source;
                self.set_waiting(now, 1, true);
                ctx.log(H::RetryScheduled, Some(src), None);
                ctx.at(at, LambdaEvent::AsyncRetry { slot });
            }
        }
    }

    fn on_async_retry(&mut self, slot: u32, ctx: &mut Ctx) {
        let Some(e) = self.async_events.get(slot as usize).copied() else {
            return;
        };
        if !e.live {
            return;
        }
        self.set_waiting(ctx.now, 1, false);
        if ctx.now >= e.arrived + self.max_age {
            if matches!(e.last, Last::Throttled) {
                self.counters.expired_by_age += 1;
            }
            self.async_final(slot, e.last, ctx);
            return;
        }
        self.counters.retries += 1;
        self.async_attempt(slot, ctx);
    }

    fn async_done(&mut self, slot: u32, outcome: Outcome, ctx: &mut Ctx) {
        self.counters.in_flight -= 1;
        let now = ctx.now;
        let Some(e) = self.async_events.get(slot as usize).copied() else {
            return;
        };
        match outcome {
            Outcome::Success => {
                self.counters.succeeded += 1;
                self.per_source[e.source as usize].succeeded += 1;
                self.latency.record(now.since(e.arrived).as_micros());
                self.free_async(slot);
            }
            _ => {
                let last = if outcome == Outcome::Error {
                    Last::Error
                } else {
                    Last::Timeout
                };
                let deadline = e.arrived + self.max_age;
                if e.retries_used < self.max_retries && now < deadline {
                    let delay = if e.retries_used == 0 {
                        d::ASYNC_FIRST_RETRY_S
                    } else {
                        d::ASYNC_SECOND_RETRY_S
                    };
                    let at = (now + SimDuration::from_secs_f64(delay)).min(deadline);
                    let ev = &mut self.async_events[slot as usize];
                    ev.retries_used += 1;
                    ev.last = last;
                    self.set_waiting(now, 1, true);
                    ctx.log(H::RetryScheduled, Some(e.source), None);
                    ctx.at(at, LambdaEvent::AsyncRetry { slot });
                } else {
                    self.async_final(slot, last, ctx);
                }
            }
        }
    }

    /// An async event's last attempt failed: count it and discard it or
    /// send it to the destination.
    fn async_final(&mut self, slot: u32, last: Last, ctx: &mut Ctx) {
        let e = self.async_events[slot as usize];
        let ps = &mut self.per_source[e.source as usize];
        match last {
            Last::Throttled => {
                self.counters.dropped += 1;
                ps.dropped += 1;
                ctx.log(H::Dropped, Some(e.source), None);
            }
            Last::Error => {
                self.counters.failed += 1;
                ps.failed += 1;
                self.latency.record(ctx.now.since(e.arrived).as_micros());
            }
            Last::Timeout => {
                self.counters.timed_out += 1;
                ps.timed_out += 1;
                self.latency.record(ctx.now.since(e.arrived).as_micros());
            }
        }
        if self.to_destination {
            self.counters.to_destination += 1;
        }
        self.free_async(slot);
    }

    fn free_async(&mut self, slot: u32) {
        self.async_events[slot as usize].live = false;
        self.async_free.push(slot);
    }

    // ----------------------------------------------------------------- SQS

    /// Lets every SQS mapping with waiting messages try again (concurrency
    /// was freed).
    fn wake_pollers(&mut self, ctx: &mut Ctx) {
        for i in 0..self.sqs_sources.len() {
            let s = self.sqs_sources[i];
            let has_backlog = self.esm[s as usize]
                .as_ref()
                .is_some_and(|e| e.queue.visible_len() > 0);
            if has_backlog {
                self.sqs_dispatch(s, ctx);
            }
        }
    }

    fn sqs_dispatch(&mut self, source: u16, ctx: &mut Ctx) {
        let now = ctx.now;
        loop {
            let Some(esm) = self.esm[source as usize].as_mut() else {
                return;
            };
            if esm.queue.visible_len() == 0 {
                esm.window_start = None;
                return;
            }
            if esm.in_flight_batches >= esm.limit {
                self.ensure_scale_tick(source, ctx);
                return;
            }
            if !esm.window.is_zero() && (esm.queue.visible_len() as usize) < esm.batch_size {
                let start = *esm.window_start.get_or_insert(now);
                let due = start + esm.window;
                if now < due {
                    if esm.poll_at.is_none_or(|t| t > due) {
                        esm.poll_at = Some(due);
                        ctx.at(due, LambdaEvent::SqsPoll { source });
                    }
                    return;
                }
            }
            // Take a batch, then try to invoke; a throttle puts it back.
            let batch = match self.batch_free.pop() {
                Some(b) => b,
                None => {
                    self.batches.push(Batch {
                        source,
                        received: now,
                        msgs: Vec::new(),
                        last_timeout: false,
                    });
                    (self.batches.len() - 1) as u32
                }
            };
            let esm = self.esm[source as usize].as_mut().expect("checked above");
            let b = &mut self.batches[batch as usize];
            b.msgs.clear();
            b.source = source;
            b.received = now;
            let expired = esm.queue.take(now, esm.batch_size, &mut b.msgs);
            let n = b.msgs.len() as u64;
            if expired > 0 {
                self.counters.expired_by_retention += expired;
                self.counters.dropped += expired;
                self.per_source[source as usize].dropped += expired;
                self.set_waiting(now, expired, false);
                ctx.log(H::Dropped, Some(source), None);
            }
            if n == 0 {
                self.batch_free.push(batch);
                continue;
            }
            match self.route(Job::Sqs { source, batch }, ctx) {
                Ok(()) => {
                    let b = &mut self.batches[batch as usize];
                    let redelivered = SqsQueue::commit_receive(&mut b.msgs);
                    self.counters.redeliveries += redelivered;
                    self.set_waiting(now, n, false);
                    self.counters.in_flight += n;
                    let esm = self.esm[source as usize].as_mut().expect("checked above");
                    esm.in_flight_batches += 1;
                    self.billable.sqs_requests +=
                        sqs_request_units(esm.queue.payload_bytes.saturating_mul(n));
                    esm.window_start = if esm.queue.visible_len() > 0 {
                        Some(now)
                    } else {
                        None
                    };
                }
                Err(()) => {
                    self.counters.esm_throttled_polls += 1;
                    let esm = self.esm[source as usize].as_mut().expect("checked above");
                    esm.queue.untake(&self.batches[batch as usize].msgs);
                    self.batch_free.push(batch);
                    let retry = now + SimDuration::from_secs(d::SQS_THROTTLE_BACKOFF_S);
                    if esm.poll_at.is_none_or(|t| t > retry) {
                        esm.poll_at = Some(retry);
                        ctx.at(retry, LambdaEvent::SqsPoll { source });
                    }
                    return;
                }
            }
        }
    }

    fn ensure_scale_tick(&mut self, source: u16, ctx: &mut Ctx) {
        if let Some(esm) = self.esm[source as usize].as_mut() {
            if !esm.scale_pending && esm.limit < esm.max_limit {
                esm.scale_pending = true;
                ctx.at(
                    ctx.now + SimDuration::from_secs(d::SQS_SCALE_TICK_S),
                    LambdaEvent::SqsScale { source },
                );
            }
        }
    }

    fn on_sqs_scale(&mut self, source: u16, ctx: &mut Ctx) {
        let Some(esm) = self.esm[source as usize].as_mut() else {
            return;
        };
        esm.scale_pending = false;
        let step = d::SQS_BATCHES_PER_MINUTE / 60 * d::SQS_SCALE_TICK_S as u32;
        let initial = d::SQS_INITIAL_BATCHES.min(esm.max_limit);
        if esm.queue.visible_len() > 0 {
            if esm.in_flight_batches >= esm.limit {
                esm.limit = (esm.limit + step).min(esm.max_limit);
            }
        } else {
            // No backlog: shrink back towards what is running.
            esm.limit = esm
                .limit
                .saturating_sub(step)
                .max(esm.in_flight_batches)
                .max(initial);
        }
        let again = esm.queue.visible_len() > 0 || esm.limit > initial;
        if again && esm.limit <= esm.max_limit {
            esm.scale_pending = true;
            ctx.at(
                ctx.now + SimDuration::from_secs(d::SQS_SCALE_TICK_S),
                LambdaEvent::SqsScale { source },
            );
        }
        self.sqs_dispatch(source, ctx);
    }

    fn sqs_done(&mut self, source: u16, batch: u32, outcome: Outcome, ctx: &mut Ctx) {
        let now = ctx.now;
        let n = self.batches[batch as usize].msgs.len() as u64;
        self.counters.in_flight -= n;
        let Some(esm) = self.esm[source as usize].as_mut() else {
            return;
        };
        esm.in_flight_batches -= 1;
        if outcome == Outcome::Success {
            // DeleteMessageBatch.
            self.billable.sqs_requests += 1;
            self.counters.succeeded += n;
            self.per_source[source as usize].succeeded += n;
            for m in &self.batches[batch as usize].msgs {
                self.latency.record(now.since(m.sent).as_micros());
            }
            self.batch_free.push(batch);
        } else {
            let b = &mut self.batches[batch as usize];
            b.last_timeout = outcome != Outcome::Error;
            let at = esm.queue.visible_again_at(b.received, now);
            esm.queue.invisible += n;
            self.set_waiting(now, n, true);
            ctx.at(at, LambdaEvent::SqsVisible { batch });
        }
        self.sqs_dispatch(source, ctx);
    }

    fn on_sqs_visible(&mut self, batch: u32, ctx: &mut Ctx) {
        let now = ctx.now;
        let Some(b) = self.batches.get(batch as usize) else {
            return;
        };
        let source = b.source;
        let last_timeout = b.last_timeout;
        let Some(esm) = self.esm[source as usize].as_mut() else {
            return;
        };
        let dlq = esm.queue.make_visible(&self.batches[batch as usize].msgs);
        if esm.queue.visible_len() > 0 && esm.window_start.is_none() {
            esm.window_start = Some(now);
        }
        let max = esm.queue.max_receive_count.unwrap_or(u32::MAX);
        // Messages back in the queue stay "waiting"; those sent to the DLQ
        // are finished.
        if dlq > 0 {
            self.set_waiting(now, dlq, false);
            self.counters.to_dlq += dlq;
            let ps = &mut self.per_source[source as usize];
            if last_timeout {
                self.counters.timed_out += dlq;
                ps.timed_out += dlq;
            } else {
                self.counters.failed += dlq;
                ps.failed += dlq;
            }
            for m in &self.batches[batch as usize].msgs {
                if m.receives >= max {
                    self.latency.record(now.since(m.sent).as_micros());
                }
            }
            ctx.log(H::ToDlq, Some(source), None);
        }
        self.batch_free.push(batch);
        self.sqs_dispatch(source, ctx);
    }

    // ----------------------------------------------------------- snapshot

    /// Current environments, newest first by id order.
    pub fn env_views(&self, now: SimTime) -> Vec<EnvView> {
        let mut out: Vec<EnvView> = self
            .envs
            .iter()
            .filter_map(|e| {
                let state = e.state?;
                Some(EnvView {
                    id: e.id,
                    state,
                    provisioned: e.provisioned,
                    age_us: now.since(e.born).as_micros(),
                    source: e.job.source(self).map(u32::from),
                    idle_since: (state == EnvState::Idle).then_some(e.last_end),
                })
            })
            .collect();
        crate::engine::order::sort_by_u64(&mut out, |v| v.id);
        out
    }

    /// Depths of the SQS queues.
    pub fn queue_depths(&self) -> Vec<QueueDepth> {
        self.esm
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let e = e.as_ref()?;
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
                    visible: e.queue.visible_len(),
                    invisible: e.queue.invisible,
                    in_flight,
                    poller_limit: e.limit,
                })
            })
            .collect()
    }

    /// Events waiting in the async retry queue [events].
    pub fn async_waiting(&self) -> u64 {
        let sqs: u64 = self
            .esm
            .iter()
            .flatten()
            .map(|e| e.queue.visible_len() + e.queue.invisible)
            .sum();
        self.counters.waiting - sqs
    }

    /// Environments now: (total, busy, idle, initializing).
    pub fn env_counts(&self) -> (u64, u64, u64, u64) {
        let n = &self.ints.now;
        (n[G_TOTAL], n[G_BUSY], n[G_IDLE], n[G_INIT])
    }
}

/// Payload [KB] to bytes (1 KB = 1,024 bytes).
fn payload_bytes(kb: f64) -> u64 {
    libm::ceil((kb * 1_024.0).max(0.0)) as u64
}

/// Requests one async invocation is billed for: 1 for the first 256 KB
/// plus 1 per further 64 KB (Lambda pricing page).
pub fn async_request_units(payload_bytes: u64) -> u64 {
    const FIRST: u64 = 256 * 1_024;
    const CHUNK: u64 = 64 * 1_024;
    1 + payload_bytes
        .min(1_024 * 1_024)
        .saturating_sub(FIRST)
        .div_ceil(CHUNK)
}

/// SQS requests for a payload: one per 64 KB chunk, at least one (SQS pricing).
pub fn sqs_request_units(payload_bytes: u64) -> u64 {
    payload_bytes.div_ceil(64 * 1_024).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_refills_continuously_and_never_banks() {
        let mut b = Bucket::new(1_000, SimDuration::from_micros(10_000));
        let t0 = SimTime::ZERO;
        assert_eq!((0..2_000).filter(|_| b.take(t0)).count(), 1_000);
        // 100 per second.
        let t1 = t0 + SimDuration::from_secs(1);
        assert_eq!((0..2_000).filter(|_| b.take(t1)).count(), 100);
        // An hour idle banks no more than 1,000.
        let t2 = t1 + SimDuration::from_hours(1);
        assert_eq!((0..5_000).filter(|_| b.take(t2)).count(), 1_000);
        assert!(b.tokens(t2) < 1.0);
    }

    #[test]
    fn request_units() {
        assert_eq!(async_request_units(1_024), 1);
        assert_eq!(async_request_units(256 * 1_024), 1);
        assert_eq!(async_request_units(256 * 1_024 + 1), 2);
        assert_eq!(async_request_units(10 * 1_024 * 1_024), 13);
        assert_eq!(sqs_request_units(0), 1);
        assert_eq!(sqs_request_units(64 * 1_024 + 1), 2);
        assert_eq!(provisioned_billable_seconds(SimDuration::from_secs(1)), 300);
        assert_eq!(
            provisioned_billable_seconds(SimDuration::from_secs(301)),
            600
        );
        assert_eq!(provisioned_billable_seconds(SimDuration::ZERO), 0);
    }
}
