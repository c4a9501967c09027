//! Per-source outcome counters, kept by both sides (the side-wide event
//! and attempt counters are `metrics::Counters`).

use serde::Serialize;

/// Per-source outcomes \[events\].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SourceCounters {
    pub arrived: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub dropped: u64,
    pub timed_out: u64,
    pub throttles: u64,
    /// API requests answered 504 by API Gateway (also in `timed_out`).
    pub gateway_timeouts: u64,
}
