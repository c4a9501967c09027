//! The Lambda side: execution environments, the scaling rate, concurrency
//! limits, cold and warm starts, keep-alive, timeouts, provisioned
//! concurrency, and throttling by invocation type (sync 429, the async
//! internal queue with retries, the SQS event source mapping).
//!
//! It is a "platform" with the same shape as the EC2 side: built from a
//! scenario ([`LambdaSide::new`]), started once ([`LambdaSide::start`]),
//! fed every arrival ([`LambdaSide::on_arrival`]) and its own events
//! ([`LambdaSide::on_event`]). Its events are [`LambdaEvent`]s, small and
//! `Copy`, scheduled into the shared event queue through
//! `From<LambdaEvent>` (see [`LambdaCtx`]), so this module does not know
//! the loop's event type.
//!
//! Where to find what:
//! - [`arrivals`]: a request or message enters, by invocation type; the
//!   synchronous (API) path.
//! - [`environments`]: the pool of execution environments: the **cold
//!   start** (INIT), the warm start, the end of an invocation, keep-alive
//!   and expiry.
//! - [`idle`]: the set of idle environments (newest taken first).
//! - [`scaling`]: routing an invocation to an environment, the
//!   scaling-rate token bucket, the concurrency limit and throttling.
//! - [`gateway`]: API Gateway's integration timeout (HTTP 504 while the
//!   function runs on) and the API request's price by type.
//! - [`async_invoke`]: the async internal queue, retries, destinations.
//! - [`sqs_pollers`]: the SQS event source mapping (pollers, batches,
//!   visibility, dead-letter queue).
//! - [`provisioned`]: provisioned concurrency.
//! - [`billable`]: the billed totals of the run.
//! - [`view`]: what the UI draws (environments, queue depths, snapshot).

pub mod arrivals;
pub mod async_invoke;
pub mod billable;
pub mod environments;
pub mod gateway;
pub mod idle;
pub mod provisioned;
pub mod scaling;
pub mod sqs_pollers;
pub mod view;

use self::async_invoke::AsyncEvent;
use self::environments::Env;
use self::gateway::Gateway;
use self::idle::IdleSet;
use self::scaling::{Bucket, RateWindow};
use self::sqs_pollers::{Batch, EventSourceMapping};
use super::billing::usage::async_request_units;
use super::counters::SourceCounters;
use super::defaults::INIT_LIMIT_S;
use super::dist::{rng_stream, Rng, Sampler, STREAM_LAMBDA_SERVICE};
use super::happening::{HappeningKind, Happenings, Side};
use super::metrics::{Counters, Integrals, Latency, G_WAITING};
use super::queue::EventQueue;
use super::scenario::{OnFailure, Scenario, SourceKind};
use super::time::{SimDuration, SimTime};

pub use self::billable::{Billable, BilledTotals};
pub use self::environments::EnvState;
pub use self::view::{EnvView, LambdaSnapshot, QueueDepth};

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
    /// API Gateway's integration timeout runs out for the API request
    /// running in `slot`: the client gets a 504.
    GatewayTimeout { slot: u32, gen: u32 },
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

/// The scheduling context: the shared event queue and happening log. `E`
/// is the loop's event type, built from a [`LambdaEvent`].
pub struct LambdaCtx<'a, E> {
    /// Simulated time now.
    pub now: SimTime,
    /// The shared event queue.
    pub queue: &'a mut EventQueue<E>,
    /// The shared happening log.
    pub happenings: &'a mut Happenings,
}

impl<E: From<LambdaEvent>> LambdaCtx<'_, E> {
    /// Schedules at `at`, never before now (so scheduling cannot fail).
    #[inline]
    fn schedule(&mut self, at: SimTime, event: LambdaEvent) {
        let at = at.max(self.now).max(self.queue.now());
        // Cannot fail: `at` is not before the queue's clock.
        let _ = self.queue.schedule(at, E::from(event));
    }

    /// Logs a Lambda happening.
    /// Whether happenings are recorded (a headless run records none): a
    /// caller can skip working out what it would log.
    #[inline]
    fn logging(&self) -> bool {
        self.happenings.enabled
    }

    #[inline]
    fn log(&mut self, kind: HappeningKind, source: Option<u16>, env: Option<u64>) {
        self.happenings
            .push(self.now, Side::Lambda, kind, source.map(u32::from), env);
    }
}

/// The Lambda deployment.
pub struct LambdaSide {
    // configuration
    /// Kind of each source, by index.
    kinds: Vec<SourceKind>,
    /// The API Gateway API of each source (`api` sources only).
    gateways: Vec<Option<Gateway>>,
    /// Requests billed per async invocation of each source [requests].
    async_units: Vec<u64>,
    timeout: SimDuration,
    keep_alive: SimDuration,
    /// The INIT phase is killed after this long.
    init_limit: SimDuration,
    duration: Sampler,
    /// Handler time of the first invocation of a new environment, if it
    /// differs from the others.
    cold_duration: Option<Sampler>,
    init: Sampler,
    /// Handler time multiplier (memory size, architecture).
    duration_factor: f64,
    error_rate: f64,
    /// Concurrency limit (reserved, else account) [executions].
    limit: u32,
    max_retries: u32,
    max_age: SimDuration,
    /// Whether failed async events go to an on-failure destination.
    to_destination: bool,
    /// The scenario's provisioned levels, in time order.
    provisioned_steps: Vec<(SimTime, u32)>,
    rng: Rng,

    // environments
    envs: Vec<Env>,
    /// When the environment in each slot of `envs` was created.
    born: Vec<SimTime>,
    /// Free slots of `envs`.
    free: Vec<u32>,
    idle_on_demand: IdleSet,
    idle_provisioned: IdleSet,
    next_id: u64,
    /// Busy on-demand environments (initializing included).
    on_demand_busy: u32,
    /// Provisioned environments alive.
    provisioned_envs: u32,
    /// The provisioned level in force.
    provisioned_target: u32,
    /// Start of the span billed at `provisioned_target`.
    provisioned_since: SimTime,
    /// The scaling-rate limiter (none when unlimited).
    bucket: Option<Bucket>,
    /// The requests-per-second limit.
    rate: RateWindow,

    // async and SQS
    async_events: Vec<AsyncEvent>,
    async_free: Vec<u32>,
    /// The event source mapping of each source (SQS sources only).
    mappings: Vec<Option<EventSourceMapping>>,
    /// Indices of the SQS sources.
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
    /// Sum of lifespans of removed environments \[µs\].
    pub lifespan_sum_us: u128,
    /// Removed environments \[environments\].
    pub lifespans: u64,
    /// Longest handler run time seen (for the timeout property) \[µs\].
    pub max_handler_us: u64,
}

impl LambdaSide {
    /// Builds the side of a validated scenario.
    pub fn new(scenario: &Scenario) -> LambdaSide {
        let function = &scenario.function;
        let secs = SimDuration::from_secs_f64;
        let mappings: Vec<Option<EventSourceMapping>> = scenario
            .sources
            .iter()
            .map(EventSourceMapping::for_source)
            .collect();
        let limit = function
            .reserved_concurrency
            .unwrap_or(scenario.account.concurrency_limit);
        let sqs_sources = (0..mappings.len() as u16)
            .filter(|&i| mappings[i as usize].is_some())
            .collect();
        LambdaSide {
            kinds: scenario.sources.iter().map(|source| source.kind).collect(),
            gateways: Gateway::for_sources(scenario),
            async_units: scenario
                .sources
                .iter()
                .map(|source| async_request_units(payload_bytes(source.payload_kb)))
                .collect(),
            timeout: secs(function.timeout_s),
            keep_alive: secs(function.keep_alive_s),
            init_limit: secs(INIT_LIMIT_S),
            duration: function.duration.sampler(),
            cold_duration: function.cold_duration.as_ref().map(|c| c.sampler()),
            init: function.init_duration.sampler(),
            duration_factor: function.duration_factor(),
            error_rate: function.error_rate,
            limit,
            max_retries: function.async_config.max_retries,
            max_age: secs(function.async_config.max_event_age_s),
            to_destination: function.async_config.on_failure == OnFailure::Destination,
            provisioned_steps: provisioned::steps(function),
            rng: rng_stream(scenario.seed, STREAM_LAMBDA_SERVICE, 0),
            envs: Vec::new(),
            born: Vec::new(),
            free: Vec::new(),
            idle_on_demand: IdleSet::default(),
            idle_provisioned: IdleSet::default(),
            next_id: 0,
            on_demand_busy: 0,
            provisioned_envs: 0,
            provisioned_target: 0,
            provisioned_since: SimTime::ZERO,
            bucket: Bucket::for_model(&scenario.account.scaling),
            rate: RateWindow::for_concurrency(limit),
            async_events: Vec::new(),
            async_free: Vec::new(),
            mappings,
            sqs_sources,
            batches: Vec::new(),
            batch_free: Vec::new(),
            counters: Counters::default(),
            per_source: vec![SourceCounters::default(); scenario.sources.len()],
            ints: Integrals::default(),
            latency: Latency::new(),
            billable: Billable {
                memory_mb: function.memory_mb,
                ephemeral_storage_mb: function.ephemeral_storage_mb,
                ..Billable::default()
            },
            lifespan_sum_us: 0,
            lifespans: 0,
            max_handler_us: 0,
        }
    }

    /// Schedules the provisioned-concurrency steps (call once at start).
    pub fn start<E: From<LambdaEvent>>(&mut self, queue: &mut EventQueue<E>) {
        for (i, (at, _)) in self.provisioned_steps.iter().enumerate() {
            let _ = queue.schedule(*at, E::from(LambdaEvent::Provisioned { step: i as u32 }));
        }
    }

    /// Handles one Lambda event.
    pub fn on_event<E: From<LambdaEvent>>(
        &mut self,
        event: LambdaEvent,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        match event {
            LambdaEvent::InitDone { slot, gen } => self.on_init_done(slot, gen, ctx),
            LambdaEvent::End { slot, gen } => self.on_end(slot, gen, ctx),
            LambdaEvent::Expire { slot, gen } => self.on_expire(slot, gen, ctx),
            LambdaEvent::GatewayTimeout { slot, gen } => self.on_gateway_timeout(slot, gen, ctx),
            LambdaEvent::Provisioned { step } => self.on_provisioned_step(step, ctx),
            LambdaEvent::AsyncRetry { slot } => self.on_async_retry(slot, ctx),
            LambdaEvent::SqsVisible { batch } => self.on_sqs_visible(batch, ctx),
            LambdaEvent::SqsPoll { source } => self.on_sqs_poll(source, ctx),
            LambdaEvent::SqsScale { source } => self.on_sqs_scale(source, ctx),
        }
    }

    /// The concurrency limit in force (reserved, else account) \[executions\].
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Concurrency counted against the limit: busy on-demand environments
    /// plus every provisioned environment \[executions\].
    pub fn concurrency_in_use(&self) -> u32 {
        self.on_demand_busy + self.provisioned_envs
    }

    /// `count` more events wait (in the async retry queue or an SQS queue).
    fn add_waiting(&mut self, now: SimTime, count: u64) {
        self.ints.advance(now);
        self.counters.waiting += count;
        self.ints.add(G_WAITING, count);
    }

    /// `count` fewer events wait.
    fn remove_waiting(&mut self, now: SimTime, count: u64) {
        self.ints.advance(now);
        self.counters.waiting -= count;
        self.ints.sub(G_WAITING, count);
    }
}

/// Payload [KB] to bytes (1 KB = 1,024 bytes).
fn payload_bytes(kb: f64) -> u64 {
    libm::ceil((kb * 1_024.0).max(0.0)) as u64
}
