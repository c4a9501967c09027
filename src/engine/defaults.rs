//! Every AWS default and limit the engine uses, in one table, each with the
//! AWS documentation page it comes from (all of them gathered, with the
//! prices, in `docs/aws-facts.md`).
//!
//! Three kinds of numbers live here:
//! - documented AWS defaults and limits (the source is named);
//! - ASSUMPTIONS: numbers AWS does not document exactly (the keep-alive of an
//!   idle environment, the exact retry delays); they are listed in
//!   [`ASSUMPTIONS`] so the UI can say "these numbers are assumptions";
//! - ENGINE LIMITS: bounds of our own that keep any accepted scenario
//!   finite in time and memory (the app opens scenarios from links anyone
//!   can edit). They are not AWS behaviour.
//!
//! The EC2 side's defaults (boot time, ALB and health-check defaults,
//! target-tracking alarms, the operator's response time ...) live in
//! [`crate::engine::scenario::ec2::defaults`] with their sources; its assumptions are
//! listed in `EC2_ASSUMPTIONS` and added to a report that has an EC2 side.

use serde::Serialize;

// ---------------------------------------------------------------- scaling

/// New execution environments a function may create per scaling window
/// \[environments\]. Source: Lambda docs, "Lambda scaling behavior".
pub const SCALING_ENVS_PER_WINDOW: u64 = 1_000;
/// The scaling window \[s\]: 1,000 environments every 10 s, refilled
/// continuously, unused capacity not banked. Source: "Lambda scaling behavior".
pub const SCALING_WINDOW_S: u64 = 10;
/// Legacy (before Nov 2023) Regional initial burst in us-east-1, us-west-2,
/// eu-west-1 \[environments\]. Source: archived developer guide, "invocation-scaling".
pub const LEGACY_BURST_LARGE: u32 = 3_000;
/// Legacy initial burst in ap-northeast-1, eu-central-1, us-east-2
/// \[environments\]. Source: archived "invocation-scaling".
pub const LEGACY_BURST_MEDIUM: u32 = 1_000;
/// Legacy initial burst in every other Region \[environments\]. Source:
/// archived "invocation-scaling".
pub const LEGACY_BURST_SMALL: u32 = 500;
/// Legacy growth after the initial burst [environments per minute]. Source:
/// archived "invocation-scaling".
pub const LEGACY_ENVS_PER_MINUTE: u64 = 500;

// ------------------------------------------------------------ concurrency

/// Default account concurrency per Region [concurrent executions]. Source:
/// "Lambda quotas".
pub const ACCOUNT_CONCURRENCY_DEFAULT: u32 = 1_000;
/// Invocations per second a function may receive per unit of its
/// concurrency limit [requests/s per concurrent execution]: 10,000 req/s at
/// the default 1,000. Source: "Understanding Lambda function scaling"
/// (lambda-concurrency): "Lambda enforces a requests per second limit
/// that's equal to 10 times your account concurrency". Applying it to a
/// function's reserved concurrency is an ASSUMPTION (see [`ASSUMPTIONS`]).
pub const REQUESTS_PER_S_PER_CONCURRENCY: u64 = 10;
/// Slots of the rolling one-second window of the requests-per-second limit
/// \[slots\]. ASSUMPTION: AWS does not say how the second is windowed.
pub const RATE_SLOTS: u64 = 100;
/// Width of one slot of that window, 10 ms \[µs\].
pub const RATE_SLOT_US: u64 = 10_000;
/// Concurrency that reserved concurrency can never take from the account:
/// a function may reserve at most (account limit − 100). Source:
/// "Configuring reserved concurrency".
pub const UNRESERVED_MINIMUM: u32 = 100;

// ------------------------------------------------- execution environment

/// Lowest function timeout \[s\]. Source: "Lambda quotas".
pub const TIMEOUT_MIN_S: f64 = 1.0;
/// Highest function timeout, 15 minutes \[s\]. Source: "Lambda quotas".
pub const TIMEOUT_MAX_S: f64 = 900.0;
/// Default function timeout \[s\]. Source: "Configuring function timeout".
pub const TIMEOUT_DEFAULT_S: f64 = 3.0;
/// Smallest memory size \[MB\]. Source: Lambda pricing page.
pub const MEMORY_MIN_MB: u32 = 128;
/// Largest memory size \[MB\]. Source: Lambda pricing page.
pub const MEMORY_MAX_MB: u32 = 10_240;
/// Default memory size \[MB\]. Source: "Configuring memory".
pub const MEMORY_DEFAULT_MB: u32 = 128;
/// Memory that buys one full vCPU \[MB\]. Source: "Configuring memory".
pub const MB_PER_VCPU: u32 = 1_769;
/// vCPUs at the largest memory size \[vCPU\] (secondary source).
pub const MAX_VCPU: f64 = 6.0;
/// The INIT phase limit of an on-demand environment \[s\]. Source: "Lambda
/// execution environment" lifecycle, Init phase: "The Init phase is limited
/// to 10 seconds. If all three tasks do not complete within 10 seconds,
/// Lambda retries the Init phase at the time of the first function
/// invocation with the configured function timeout."
pub const INIT_LIMIT_S: f64 = 10.0;
/// How long an idle environment stays warm \[s\]. ASSUMPTION: AWS says only
/// "for a period of time"; 10 minutes is the figure SimFaaS measured.
pub const KEEP_ALIVE_DEFAULT_S: f64 = 600.0;
/// Included ephemeral storage, also the minimum \[MB\]. Source: pricing page.
pub const EPHEMERAL_MIN_MB: u32 = 512;
/// Largest ephemeral storage \[MB\]. Source: pricing page.
pub const EPHEMERAL_MAX_MB: u32 = 10_240;

// --------------------------------------------------------- async invoke

/// Retries after a function error, default and maximum \[retries\]. Source:
/// "Asynchronous invocation".
pub const ASYNC_RETRIES_DEFAULT: u32 = 2;
/// Largest configurable retry count \[retries\]. Source: "Asynchronous invocation".
pub const ASYNC_RETRIES_MAX: u32 = 2;
/// Delay before the first retry after a function error \[s\]. ASSUMPTION:
/// AWS says "about 1 minute".
pub const ASYNC_FIRST_RETRY_S: f64 = 60.0;
/// Delay before the second retry after a function error \[s\]. ASSUMPTION:
/// AWS says "about 2 minutes".
pub const ASYNC_SECOND_RETRY_S: f64 = 120.0;
/// First back-off after a throttle \[s\]; it then doubles. ASSUMPTION on the
/// exact doubling: AWS says "retried with backoff from 1 second up to 5 minutes".
pub const ASYNC_THROTTLE_BACKOFF_MIN_S: f64 = 1.0;
/// Longest back-off after a throttle \[s\]. Source: "Asynchronous invocation".
pub const ASYNC_THROTTLE_BACKOFF_MAX_S: f64 = 300.0;
/// Default and largest maximum event age, 6 hours \[s\]. Source:
/// "Asynchronous invocation".
pub const ASYNC_MAX_EVENT_AGE_DEFAULT_S: f64 = 21_600.0;
/// Smallest configurable maximum event age \[s\]. Source: "Asynchronous invocation".
pub const ASYNC_MAX_EVENT_AGE_MIN_S: f64 = 60.0;
/// Largest async payload \[KB\]. Source: "Lambda quotas" (1 MB since 2025).
pub const ASYNC_PAYLOAD_MAX_KB: u32 = 1_024;
/// Largest synchronous payload, 6 MB \[KB\]. Source: "Lambda quotas".
pub const SYNC_PAYLOAD_MAX_KB: u32 = 6_144;

// ---------------------------------------------------------- API Gateway

/// Longest (and default) integration timeout of an HTTP API, not adjustable
/// \[s\]. Source: API Gateway developer guide, "Quotas for configuring and
/// running an HTTP API" (maximum integration timeout 30 seconds, can be
/// increased: no); the API reference's `TimeoutInMillis` (50–30,000 ms for
/// HTTP APIs, default 30 s).
pub const API_HTTP_TIMEOUT_MAX_S: f64 = 30.0;
/// Default integration timeout of a REST API \[s\]. Source: "Quotas for
/// configuring and running a REST API" (integration timeout 50 ms – 29 s
/// for all integration types, including Lambda and Lambda proxy).
pub const API_REST_TIMEOUT_DEFAULT_S: f64 = 29.0;
/// Longest integration timeout of a REST API \[s\]: above 29 s only for
/// Regional and private REST APIs, by a quota increase that may lower the
/// account's throttle quota. Source: same page ("Yes *": can be raised for
/// Regional and private APIs), What's New June 2024, and the API
/// reference's `timeoutInMillis` (at most 300,000 ms for buffered responses).
pub const API_REST_TIMEOUT_MAX_S: f64 = 300.0;
/// Shortest integration timeout of either type, 50 ms \[s\]. Source: both
/// quota pages.
pub const API_TIMEOUT_MIN_S: f64 = 0.05;

// ------------------------------------------------------------------ SQS

/// Concurrent batches an SQS event source mapping starts with \[batches\].
/// Source: "Scaling for SQS event sources".
pub const SQS_INITIAL_BATCHES: u32 = 5;
/// Concurrent batches added per minute while messages wait [batches/min].
/// Source: "Scaling for SQS event sources".
pub const SQS_BATCHES_PER_MINUTE: u32 = 300;
/// Most concurrent batches of one mapping \[batches\]. Source: "Scaling for
/// SQS event sources".
pub const SQS_MAX_BATCHES: u32 = 1_000;
/// Smallest `MaximumConcurrency` of a mapping \[batches\]. Source: same.
pub const SQS_MAX_CONCURRENCY_MIN: u32 = 2;
/// Default batch size of a standard queue \[messages\]. Source: "Using Lambda
/// with Amazon SQS".
pub const SQS_BATCH_SIZE_DEFAULT: u32 = 10;
/// Largest batch size of a standard queue \[messages\]. Source: same.
pub const SQS_BATCH_SIZE_MAX: u32 = 10_000;
/// Largest batching window \[s\]. Source: same.
pub const SQS_BATCHING_WINDOW_MAX_S: f64 = 300.0;
/// Default visibility timeout \[s\]. Source: SQS developer guide.
pub const SQS_VISIBILITY_DEFAULT_S: f64 = 30.0;
/// Largest visibility timeout, 12 hours \[s\]. Source: SQS developer guide.
pub const SQS_VISIBILITY_MAX_S: f64 = 43_200.0;
/// Default message retention, 4 days \[s\]. Source: SQS developer guide.
pub const SQS_RETENTION_DEFAULT_S: f64 = 345_600.0;
/// Smallest message retention \[s\]. Source: SQS developer guide.
pub const SQS_RETENTION_MIN_S: f64 = 60.0;
/// Largest message retention, 14 days \[s\]. Source: SQS developer guide.
pub const SQS_RETENTION_MAX_S: f64 = 1_209_600.0;
/// Largest `maxReceiveCount` of a redrive policy \[receives\]. Source: SQS
/// developer guide.
pub const SQS_MAX_RECEIVE_COUNT_MAX: u32 = 1_000;
/// Largest SQS message \[KB\] (1 MiB since 2025). Source: SQS quotas.
pub const SQS_PAYLOAD_MAX_KB: u32 = 1_024;
/// Largest batch an event source mapping sends in one invoke \[KB\]: the
/// synchronous payload limit, 6 MB; the batch is cut there whatever the
/// batch size. Source: "Lambda event source mappings" (BatchSize: "up to
/// the payload limit for synchronous invocation (6 MB)").
pub const ESM_BATCH_PAYLOAD_MAX_KB: u32 = SYNC_PAYLOAD_MAX_KB;
/// AWS's advice for a queue read by Lambda: a visibility timeout of at
/// least this many function timeouts \[×\], "to allow Lambda to retry if
/// your function is throttled". Source: "Using Lambda with Amazon SQS"
/// (configuring a queue to use with Lambda).
pub const SQS_ADVISED_VISIBILITY_FACTOR: f64 = 6.0;
/// AWS's advice for the redrive policy of a queue read by Lambda:
/// `maxReceiveCount` at least this \[receives\]. Source: "Using Lambda with
/// Amazon SQS" (configuring a queue to use with Lambda).
pub const SQS_ADVISED_MAX_RECEIVE_COUNT: u32 = 5;
/// Fewest concurrent batches of a mapping, the floor of its back-off
/// \[batches\]. Source for 2: "Scaling for SQS event sources" ("can optimize
/// to as few as 2 concurrent batches"); using it as the back-off floor is
/// an ASSUMPTION.
pub const SQS_BACKOFF_FLOOR_BATCHES: u32 = 2;
/// What a scaling tick with a failing mapping multiplies its concurrent
/// batches by \[×\]. ASSUMPTION: AWS says the mapping "gradually backs off,
/// reducing the amount of concurrency" on function errors and on throttles
/// ("Handling errors for an SQS event source"), not by how much.
pub const SQS_BACKOFF_FACTOR: f64 = 0.5;
/// Largest EventBridge event \[KB\]. Source: EventBridge quotas.
pub const SCHEDULE_PAYLOAD_MAX_KB: u32 = 256;

// --------------------------------------------------------- engine limits

/// ENGINE LIMIT: longest simulated duration, 30 days \[s\].
pub const MAX_DURATION_S: f64 = 2_592_000.0;
/// ENGINE LIMIT: most event sources in one scenario \[sources\].
pub const MAX_SOURCES: usize = 16;
/// ENGINE LIMIT: highest arrival rate of one source [requests/s].
pub const MAX_RATE_PER_S: f64 = 100_000.0;
/// ENGINE LIMIT: largest live traffic scale factor (a source's rates ×
/// this, still within [`MAX_RATE_PER_S`]) [×].
pub const MAX_TRAFFIC_FACTOR: f64 = 100.0;
/// ENGINE LIMIT: most arrivals a scenario may produce (an upper estimate
/// from the patterns), so any accepted scenario finishes in bounded time
/// \[arrivals\].
pub const MAX_TOTAL_ARRIVALS: f64 = 2e9;
/// ENGINE LIMIT: most entries in a step, burst or provisioned schedule \[entries\].
pub const MAX_SCHEDULE_ENTRIES: usize = 1_000;
/// ENGINE LIMIT: largest single burst \[requests\].
pub const MAX_BURST_COUNT: u64 = 1_000_000;
/// ENGINE LIMIT: longest trace (timestamps or per-second counts) \[entries\].
pub const MAX_TRACE_LEN: usize = 1_000_000;
/// ENGINE LIMIT: highest account concurrency limit [concurrent executions].
pub const MAX_ACCOUNT_CONCURRENCY: u32 = 100_000;
/// ENGINE LIMIT: longest mean, median or maximum of a duration distribution,
/// 1 day \[ms\].
pub const MAX_DIST_MS: f64 = 86_400_000.0;
/// ENGINE LIMIT: longest keep-alive \[s\].
pub const MAX_KEEP_ALIVE_S: f64 = 86_400.0;
/// ENGINE LIMIT: most events waiting in the async queue or SQS queues
/// together; beyond it new events are dropped and counted as overflow
/// \[events\]. An async event takes ~56 bytes with its timer, so ~28 MB.
pub const MAX_WAITING_EVENTS: u64 = 500_000;
/// ENGINE LIMIT: shortest SQS visibility timeout of a queue read by the EC2
/// workers \[s\]. SQS allows 0, but a message whose processing fails at once
/// (a 0 ms handler) would then come back at the same instant without end
/// and simulated time would stop (found while hardening, issue 8). 1 s is also the least
/// Lambda's rule allows (visibility timeout ≥ function timeout ≥ 1 s).
pub const MIN_VISIBILITY_TIMEOUT_S: f64 = 1.0;
/// ENGINE LIMIT: most happenings kept between two drains \[happenings\].
pub const MAX_HAPPENINGS: usize = 4_096;
/// ENGINE LIMIT: most points of one time series before pairs merge \[points\].
pub const MAX_SERIES_POINTS: usize = 1_000;
/// Width of a time-series bucket at the start of a run \[s\]; it doubles each
/// time the series fills.
pub const SERIES_FIRST_BUCKET_S: u64 = 1;
/// ENGINE CHOICE: pollers look at the queue this long after a message
/// arrives, so messages sent at the same instant share a batch \[µs\].
pub const SQS_POLL_DELAY_US: u64 = 1;
/// How often the SQS pollers reconsider their concurrency \[s\]: 300 batches a
/// minute is 5 a second.
pub const SQS_SCALE_TICK_S: u64 = 1;
/// How long an SQS poller holding a throttled batch waits before it
/// invokes again \[s\]; the wait doubles after each throttle, and the batch
/// goes back to the queue when its visibility timeout runs out.
/// ASSUMPTION: AWS "gradually backs off retries" until the visibility
/// timeout without saying by how much.
pub const SQS_THROTTLE_BACKOFF_S: u64 = 1;

/// A number the engine uses that AWS does not document exactly.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Assumption {
    /// Short name, as a scenario field where one exists.
    pub name: &'static str,
    /// The value the engine uses.
    pub value: f64,
    /// Unit of `value`.
    pub unit: &'static str,
    /// Why it is an assumption and where the figure comes from.
    pub why: &'static str,
}

/// The numbers to show as "assumptions" next to a run.
pub const ASSUMPTIONS: &[Assumption] = &[
    Assumption {
        name: "function.keep_alive_s",
        value: KEEP_ALIVE_DEFAULT_S,
        unit: "s",
        why: "AWS keeps idle environments 'for a period of time'; 10 min is what SimFaaS measured",
    },
    Assumption {
        name: "async first retry delay",
        value: ASYNC_FIRST_RETRY_S,
        unit: "s",
        why: "AWS: 'about 1 minute' before the first retry after a function error",
    },
    Assumption {
        name: "async second retry delay",
        value: ASYNC_SECOND_RETRY_S,
        unit: "s",
        why: "AWS: 'about 2 minutes' before the second retry",
    },
    Assumption {
        name: "async throttle back-off",
        value: ASYNC_THROTTLE_BACKOFF_MIN_S,
        unit: "s (doubling to 300 s)",
        why: "AWS: 'backoff from 1 second up to 5 minutes'; the doubling is ours",
    },
    Assumption {
        name: "SQS poller back-off after a throttle",
        value: SQS_THROTTLE_BACKOFF_S as f64,
        unit: "s (doubling, until the visibility timeout)",
        why: "AWS retries a throttled batch 'with backoff' until its visibility timeout, without saying how often",
    },
    Assumption {
        name: "SQS mapping back-off factor",
        value: SQS_BACKOFF_FACTOR,
        unit: "× concurrent batches per 1 s tick",
        why: "AWS reduces the mapping's concurrency on errors and throttles, not by how much; ours halves it each 1 s tick in which at least half the batches that ended failed (or at least half the invokes were throttled), and does not scale up while that lasts",
    },
    Assumption {
        name: "SQS mapping back-off floor",
        value: SQS_BACKOFF_FLOOR_BATCHES as f64,
        unit: "concurrent batches",
        why: "AWS's fewest concurrent batches of a mapping (2, documented for low traffic) used as the floor of the back-off",
    },
    Assumption {
        name: "request-rate window",
        value: 1.0,
        unit: "s (rolling, in 10 ms slots)",
        why: "AWS gives the limit per second (10 x concurrency) but not its window; we allow at most the limit in any rolling second",
    },
    Assumption {
        name: "request-rate limit with reserved concurrency",
        value: REQUESTS_PER_S_PER_CONCURRENCY as f64,
        unit: "requests/s per reserved unit",
        why: "AWS documents 10 x the account concurrency; we apply 10 x the function's limit (reserved if set, else account)",
    },
    Assumption {
        name: "INIT past 10 s, billing",
        value: INIT_LIMIT_S,
        unit: "s billed as INIT, then the retried INIT as invoke duration",
        why: "AWS bills INIT since Aug 2025 and retries it inside the invocation; it does not say how the cut-off first INIT is billed",
    },
    Assumption {
        name: "legacy burst refill",
        value: LEGACY_ENVS_PER_MINUTE as f64,
        unit: "environments/min",
        why: "modelled as a token bucket of the initial burst refilled at 500/min",
    },
    Assumption {
        name: "provisioned environment INITs",
        value: 1.0,
        unit: "INIT per provisioned environment (never recycled)",
        why: "AWS allocates provisioned environments asynchronously and recycles them periodically without documenting the period; each new one runs one INIT drawn like a cold start's (no 10 s cut-off) before it serves, and recycling is not modelled",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_consistent() {
        // Checked at compile time.
        const {
            assert!(TIMEOUT_MIN_S < TIMEOUT_DEFAULT_S && TIMEOUT_DEFAULT_S < TIMEOUT_MAX_S);
            assert!(MEMORY_MIN_MB <= MEMORY_DEFAULT_MB && MEMORY_DEFAULT_MB < MEMORY_MAX_MB);
            assert!(UNRESERVED_MINIMUM < ACCOUNT_CONCURRENCY_DEFAULT);
            assert!(SQS_INITIAL_BATCHES < SQS_MAX_BATCHES);
            assert!(ASYNC_MAX_EVENT_AGE_MIN_S < ASYNC_MAX_EVENT_AGE_DEFAULT_S);
        }
        // 1,769 MB is one vCPU, so 10,240 MB is about 5.8: the 6 vCPU cap is
        // never below the proportional share.
        assert!(f64::from(MEMORY_MAX_MB) / f64::from(MB_PER_VCPU) <= MAX_VCPU);
    }

    #[test]
    fn assumptions_are_named_and_explained() {
        assert!(ASSUMPTIONS
            .iter()
            .any(|a| a.name == "function.keep_alive_s"));
        for a in ASSUMPTIONS {
            assert!(!a.why.is_empty() && a.value > 0.0, "{}", a.name);
        }
    }
}
