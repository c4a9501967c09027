//! The latency histogram [µs]: HdrHistogram's bucket layout and rules at 3
//! significant digits from 1 µs to about 32 days, recorded with a few
//! instructions.
//!
//! The layout is HdrHistogram's (the `hdrhistogram` crate with bounds
//! `1..=2_800_000_000_000` and 3 significant digits): 2,048 sub-buckets in
//! the first bucket, then 1,024 per power of two, so every value is stored
//! within 1/1,024 (about 0.1 %) of itself, and the summary's percentiles,
//! mean and maximum follow that crate's rules bit for bit: a percentile is
//! the highest value of the bucket where the cumulative count reaches the
//! rank, the mean weighs each bucket's middle value, the maximum is the
//! highest value of the largest value's bucket. So p50 and p99 are within
//! 0.1 % of the exact percentiles of the recorded values (relative error
//! below 2^-10).
//!
//! Why not the crate itself: its `record` checks the index, clamps, keeps
//! the minimum and saturates counts on every call (about 60 instructions,
//! 5 % of an invocation at 1,000 req/s), and the bundle carries its code.
//! Here a record is an index (a leading-zero count, a shift and an add), a
//! `u32` increment and a compare. The tests check the layout, the clamping
//! and every summary against `hdrhistogram` (a dev-dependency).
//!
//! Counts are `u32` (half the cache footprint of `u64`: recording is mostly
//! a cache miss on a count); a count that would pass `u32::MAX` carries
//! into a `u64` table made then, so no count is ever lost or saturated.
//!
//! ```
//! use fanout::engine::latency::Latency;
//! let mut l = Latency::new();
//! for ms in 1..=100u64 {
//!     l.record(ms * 1_000);
//! }
//! let s = l.summary();
//! assert_eq!(s.count, 100);
//! assert_eq!(s.p50_ms, 50.015); // the top of 50 ms's bucket (32 µs wide)
//! ```

use serde::Serialize;

/// End-to-end latency percentiles \[ms\].
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct LatencySummary {
    /// Events measured \[events\].
    pub count: u64,
    /// Mean \[ms\].
    pub mean_ms: f64,
    /// Median \[ms\].
    pub p50_ms: f64,
    /// 90th percentile \[ms\].
    pub p90_ms: f64,
    /// 99th percentile \[ms\].
    pub p99_ms: f64,
    /// Maximum \[ms\].
    pub max_ms: f64,
}

/// The highest value tracked [µs] (about 32 days); above it a value counts
/// as this one.
pub const HIGHEST_US: u64 = 2_800_000_000_000;
/// log2 of the sub-buckets of the first bucket: 2 × 10^3 rounded up to a
/// power of two (3 significant digits).
const SUB_BITS: u32 = 11;
/// Sub-buckets used in every bucket after the first (its upper half).
const HALF_BITS: u32 = SUB_BITS - 1;
const HALF: u64 = 1 << HALF_BITS;
/// Values below this are in the first bucket, at 1 µs resolution.
const SUB_MASK: u64 = (1 << SUB_BITS) - 1;
/// Leading zeros of a value at the top of the first bucket.
const LZ_BASE: u32 = 64 - SUB_BITS;
/// Buckets that cover [`HIGHEST_US`] (HdrHistogram's `buckets_to_cover`).
const BUCKETS: u32 = {
    let mut untrackable = 1u64 << SUB_BITS;
    let mut buckets = 1;
    while untrackable <= HIGHEST_US {
        untrackable <<= 1;
        buckets += 1;
    }
    buckets
};
/// Counts in the table.
const LEN: usize = ((BUCKETS + 1) as usize) << HALF_BITS;

/// The bucket of `value`: how many powers of two it is above the first
/// bucket's range.
#[inline]
fn bucket_of(value: u64) -> u32 {
    LZ_BASE - (value | SUB_MASK).leading_zeros()
}

/// The index of `value`'s count (may be past the table for a huge value).
#[inline]
fn index_of(value: u64) -> usize {
    let bucket = bucket_of(value);
    let sub = value >> bucket;
    ((((bucket + 1) as u64) << HALF_BITS) + sub - HALF) as usize
}

/// The lowest value counted at `index`.
fn value_at(index: usize) -> u64 {
    let bucket = (index >> HALF_BITS) as i64 - 1;
    let sub = (index as u64 & (HALF - 1)) + HALF;
    if bucket < 0 {
        sub - HALF
    } else {
        sub << bucket
    }
}

/// The lowest value of `value`'s bucket.
fn lowest_equivalent(value: u64) -> u64 {
    let bucket = bucket_of(value);
    (value >> bucket) << bucket
}

/// The width of `value`'s bucket.
fn equivalent_range(value: u64) -> u64 {
    1 << bucket_of(value)
}

/// The highest value of `value`'s bucket (`value` is at most
/// [`HIGHEST_US`]: recording clamps to it).
fn highest_equivalent(value: u64) -> u64 {
    lowest_equivalent(value) + equivalent_range(value) - 1
}

/// The middle of `value`'s bucket (rounded up).
fn median_equivalent(value: u64) -> u64 {
    lowest_equivalent(value).saturating_add(equivalent_range(value) >> 1)
}

/// A fixed-size latency histogram (see the module doc). About 132 KB of
/// counts, of which only the pages touched are resident.
pub struct Latency {
    counts: Vec<u32>,
    /// Whole multiples of 2^32 carried out of `counts` (empty until a
    /// count first passes `u32::MAX`).
    carried: Vec<u64>,
    /// Values recorded.
    total: u64,
    /// The largest value recorded (after clamping), 0 if none.
    max: u64,
}

impl Default for Latency {
    fn default() -> Self {
        Self::new()
    }
}

impl Latency {
    pub fn new() -> Latency {
        Latency {
            counts: vec![0; LEN],
            carried: Vec::new(),
            total: 0,
            max: 0,
        }
    }

    /// Records one value [µs]: 0 counts as 1 µs, a value past the table as
    /// [`HIGHEST_US`] (as `hdrhistogram`'s `saturating_record` does).
    #[inline]
    pub fn record(&mut self, us: u64) {
        let mut us = us.max(1);
        let mut index = index_of(us);
        if index >= LEN {
            us = HIGHEST_US;
            index = index_of(us);
        }
        let count = &mut self.counts[index];
        if *count == u32::MAX {
            self.carry(index);
        } else {
            *count += 1;
        }
        self.total += 1;
        self.max = self.max.max(us);
    }

    /// Moves a full `u32` count into `carried` and counts one more.
    #[cold]
    fn carry(&mut self, index: usize) {
        if self.carried.is_empty() {
            self.carried = vec![0; LEN];
        }
        self.carried[index] += u64::from(u32::MAX);
        self.counts[index] = 1;
    }

    /// The count at `index`.
    fn count(&self, index: usize) -> u64 {
        u64::from(self.counts[index]) + self.carried.get(index).copied().unwrap_or(0)
    }

    /// Count, mean, percentiles and maximum, by HdrHistogram's rules, in
    /// one pass over the counts.
    pub fn summary(&self) -> LatencySummary {
        if self.total == 0 {
            return LatencySummary::default();
        }
        let total = self.total as f64;
        // Ranks of the 50th, 90th and 99th percentiles: the first index
        // where the cumulative count reaches ceil(q × total) (at least 1).
        let rank = |q: f64| (libm::ceil(q * total) as u64).max(1);
        let ranks = [rank(0.5), rank(0.9), rank(0.99)];
        let mut at_rank = [0u64; 3];
        let mut found = 0;
        let mut seen = 0u64;
        let mut mean = 0.0f64;
        for index in 0..LEN {
            let count = self.count(index);
            if count == 0 {
                continue;
            }
            let top = highest_equivalent(value_at(index));
            mean += median_equivalent(top) as f64 * count as f64 / total;
            seen += count;
            while found < ranks.len() && seen >= ranks[found] {
                at_rank[found] = top;
                found += 1;
            }
        }
        let ms = |us: u64| us as f64 / 1e3;
        LatencySummary {
            count: self.total,
            mean_ms: mean / 1e3,
            p50_ms: ms(at_rank[0]),
            p90_ms: ms(at_rank[1]),
            p99_ms: ms(at_rank[2]),
            max_ms: ms(highest_equivalent(self.max)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::dist::rng_stream;
    use hdrhistogram::Histogram;
    use rand::RngExt;

    fn reference() -> Histogram<u64> {
        Histogram::new_with_bounds(1, HIGHEST_US, 3).expect("valid bounds")
    }

    /// The summary `hdrhistogram` gives (what the reports printed before
    /// this module replaced it).
    fn summarize(hist: &Histogram<u64>) -> LatencySummary {
        if hist.is_empty() {
            return LatencySummary::default();
        }
        let ms = |us: u64| us as f64 / 1e3;
        LatencySummary {
            count: hist.len(),
            mean_ms: hist.mean() / 1e3,
            p50_ms: ms(hist.value_at_quantile(0.5)),
            p90_ms: ms(hist.value_at_quantile(0.9)),
            p99_ms: ms(hist.value_at_quantile(0.99)),
            max_ms: ms(hist.max()),
        }
    }

    #[test]
    fn the_layout_is_hdrhistograms() {
        let h = reference();
        assert_eq!(h.distinct_values(), LEN);
        let mut rng = rng_stream(5, 1, 0);
        let edges = (0..64).flat_map(|b| {
            let p = 1u64 << b;
            [p - 1, p, p + 1]
        });
        let random = (0..200_000).map(|_| u64::MAX >> rng.random_range(0..64u32));
        for v in edges.chain(random).filter(|&v| v <= HIGHEST_US) {
            assert_eq!(value_at(index_of(v)), h.lowest_equivalent(v), "{v}");
            assert_eq!(lowest_equivalent(v), h.lowest_equivalent(v), "{v}");
            assert_eq!(highest_equivalent(v), h.highest_equivalent(v), "{v}");
            assert_eq!(median_equivalent(v), h.median_equivalent(v), "{v}");
            assert!(index_of(v) < LEN, "{v}");
        }
    }

    #[test]
    fn percentiles() {
        let mut l = Latency::new();
        for ms in 1..=100u64 {
            l.record(ms * 1_000);
        }
        let s = l.summary();
        assert_eq!(s.count, 100);
        assert!((s.p50_ms - 50.0).abs() < 0.1, "{s:?}");
        assert!((s.p99_ms - 99.0).abs() < 0.1, "{s:?}");
        assert!((s.max_ms - 100.0).abs() < 0.1, "{s:?}");
        // Far above the top bound: clamped, not a panic.
        l.record(u64::MAX);
        assert_eq!(l.summary().count, 101);
    }

    /// Every summary equals `hdrhistogram`'s for the same values: 0 and
    /// 1 µs, values far past the top (clamped), one value, equal values,
    /// and random spreads over the whole range.
    #[test]
    fn summaries_equal_hdrhistograms() {
        for case in 0..12u64 {
            let mut rng = rng_stream(3, 7, case);
            let mut l = Latency::new();
            let mut h = reference();
            let n = [1usize, 2, 3, 10, 1_000, 100_000][case as usize % 6];
            for i in 0..n {
                let us = match (case, i % 50) {
                    (0..=5, 0) => 0,
                    (0..=5, 1) => u64::MAX >> rng.random_range(0..30u32),
                    (6, _) => 1_234_567,
                    (0..=5, _) => libm::exp(rng.random_range(0.0..18.0)) as u64,
                    _ => u64::MAX >> rng.random_range(0..64u32),
                };
                l.record(us);
                h.saturating_record(us.max(1));
            }
            assert_eq!(l.summary(), summarize(&h), "case {case}");
        }
        assert_eq!(Latency::new().summary(), LatencySummary::default());
    }

    /// A count past `u32::MAX` carries on in `u64`: nothing lost.
    #[test]
    fn counts_carry_past_u32() {
        let mut l = Latency::new();
        let mut h = reference();
        let i = index_of(2_000_000);
        l.counts[i] = u32::MAX - 2;
        l.total = u64::from(u32::MAX - 2);
        l.max = 2_000_000;
        h.record_n(2_000_000, u64::from(u32::MAX - 2)).unwrap();
        for us in [2_000_000, 2_000_001, 2_000_000, 2_000_000, 5, 2_000_000] {
            l.record(us);
            h.record(us).unwrap();
        }
        assert_eq!(l.count(i), u64::from(u32::MAX) + 3);
        assert_eq!(l.summary(), summarize(&h));
    }
}
