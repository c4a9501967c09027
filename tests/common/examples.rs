//! The example scenarios whose month the aggregate mode prices against the
//! simulation (`tests/engine/billing/aggregate.rs`) and in its benchmark
//! (`benches/billing.rs`, which takes this file alone: the benchmarks are a
//! package of their own, without the `fanout` binary the rest of
//! `tests/common` runs).

/// Their names in static/scenarios/.
pub const AGGREGATE_EXAMPLES: [&str; 6] = [
    "steady-api",
    "flash-sale",
    "thumbnails",
    "sqs-worker",
    "nightly-batch",
    "simfaas",
];
