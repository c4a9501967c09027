//! Simulation time: integer microseconds since the start of a run.
//!
//! Integer time keeps runs bit-identical on every target and makes the
//! ordering of events exact. A `u64` of microseconds spans about 584,000
//! years, far beyond any simulated window.
//!
//! ```
//! use fanout::engine::{SimDuration, SimTime};
//! let t = SimTime::ZERO + SimDuration::from_millis(1_500);
//! assert_eq!(t.as_micros(), 1_500_000);
//! assert_eq!(t.to_string(), "00:00:01.500");
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// A span of simulated time \[µs\].
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct SimDuration(u64);

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);
    pub const MAX: SimDuration = SimDuration(u64::MAX);

    pub const fn from_micros(us: u64) -> Self {
        SimDuration(us)
    }
    pub const fn from_millis(ms: u64) -> Self {
        SimDuration(ms.saturating_mul(1_000))
    }
    pub const fn from_secs(s: u64) -> Self {
        SimDuration(s.saturating_mul(1_000_000))
    }
    pub const fn from_mins(m: u64) -> Self {
        SimDuration::from_secs(m.saturating_mul(60))
    }
    pub const fn from_hours(h: u64) -> Self {
        SimDuration::from_secs(h.saturating_mul(3_600))
    }
    /// From fractional seconds, rounded to the nearest microsecond; negative
    /// and NaN become zero, overflow saturates.
    #[inline]
    pub fn from_secs_f64(s: f64) -> Self {
        if s.is_nan() || s <= 0.0 {
            return SimDuration::ZERO;
        }
        let us = s * 1e6;
        if us >= u64::MAX as f64 {
            SimDuration::MAX
        } else {
            SimDuration(round_half_away(us))
        }
    }

    /// From fractional microseconds: exactly `from_secs_f64(us / 1e6)` (the
    /// same rounding, bit for bit), without the division and the
    /// multiplication back on the usual path. Only a value within a hair
    /// of a half microsecond, where that round trip could move it across
    /// the half, or a huge one, takes the long way.
    #[inline]
    pub fn from_micros_f64(us: f64) -> Self {
        // Below 2^50 µs (~36 years) the fraction is exact; the round trip
        // through seconds moves a value by at most two ulps, < us · 2^-51.
        if us > 0.0 && us < (1u64 << 50) as f64 {
            // Signed conversions: in this range they are the same values
            // as unsigned ones, and one instruction each way on x86-64
            // (an unsigned one takes several).
            let whole = us as i64;
            let frac = us - whole as f64;
            if (frac - 0.5).abs() > us * (1.0 / (1u64 << 49) as f64) {
                // `us` is more than us · 2^-49 from a half, and `us + 0.5`
                // is off by at most 2^-52 · us (or 2^-54 below 0.5 µs,
                // where the margin is wider), so it truncates to the same
                // whole number as `whole + (frac > 0.5)`: the check runs
                // beside the value instead of in front of it, which is
                // two conversions shorter on the way to the event queue.
                return SimDuration((us + 0.5) as i64 as u64);
            }
        }
        SimDuration::from_secs_f64(us / 1e6)
    }
    pub const fn as_micros(self) -> u64 {
        self.0
    }
    /// Whole milliseconds, rounded up (how Lambda bills duration).
    pub const fn as_millis_ceil(self) -> u64 {
        self.0.div_ceil(1_000)
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }
    pub const fn saturating_mul(self, k: u64) -> Self {
        SimDuration(self.0.saturating_mul(k))
    }
    pub const fn saturating_sub(self, other: SimDuration) -> Self {
        SimDuration(self.0.saturating_sub(other.0))
    }
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, rhs: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(rhs.0))
    }
}

impl fmt::Display for SimDuration {
    /// `250 ms`, `1.5 s`, `12 min 3 s`, `2 h 0 min`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        if us < 1_000 {
            write!(f, "{us} µs")
        } else if us < 1_000_000 {
            write!(f, "{} ms", trim(us as f64 / 1e3))
        } else if us < 60_000_000 {
            write!(f, "{} s", trim(us as f64 / 1e6))
        } else if us < 3_600_000_000 {
            write!(f, "{} min {} s", us / 60_000_000, (us / 1_000_000) % 60)
        } else {
            write!(f, "{} h {} min", us / 3_600_000_000, (us / 60_000_000) % 60)
        }
    }
}

/// `x` rounded to the nearest integer, halves away from zero, for `x` in
/// [0, 2^64): libm's `round` in two exact IEEE operations (a truncation and
/// a subtraction, exact below 2^52; above, `x` is already whole), so the
/// same on every target and without a call.
#[inline]
fn round_half_away(x: f64) -> u64 {
    let whole = x as u64;
    let frac = x - whole as f64;
    whole + u64::from(frac >= 0.5)
}

fn trim(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// An instant of simulated time [µs since the start of the run].
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct SimTime(u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);

    pub const fn from_micros(us: u64) -> Self {
        SimTime(us)
    }
    pub const fn as_micros(self) -> u64 {
        self.0
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }
    /// Time elapsed since `earlier`, or zero if `earlier` is later.
    pub const fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
    pub const fn since_start(self) -> SimDuration {
        SimDuration(self.0)
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, rhs: SimDuration) {
        *self = *self + rhs;
    }
}

impl Sub for SimTime {
    type Output = SimDuration;
    /// Saturating: an earlier minus a later instant is zero.
    fn sub(self, rhs: SimTime) -> SimDuration {
        self.since(rhs)
    }
}

impl fmt::Display for SimTime {
    /// `HH:MM:SS.mmm`, with a day count in front past 24 hours (`2d 03:00:00.000`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms_total = self.0 / 1_000;
        let ms = ms_total % 1_000;
        let s = (ms_total / 1_000) % 60;
        let m = (ms_total / 60_000) % 60;
        let h = (ms_total / 3_600_000) % 24;
        let d = ms_total / 86_400_000;
        if d > 0 {
            write!(f, "{d}d ")?;
        }
        write!(f, "{h:02}:{m:02}:{s:02}.{ms:03}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_agree() {
        assert_eq!(SimDuration::from_secs(2), SimDuration::from_millis(2_000));
        assert_eq!(SimDuration::from_mins(1), SimDuration::from_secs(60));
        assert_eq!(SimDuration::from_hours(1).as_micros(), 3_600_000_000);
        assert_eq!(SimDuration::from_secs_f64(0.0015).as_micros(), 1_500);
        assert_eq!(SimDuration::from_secs_f64(-3.0), SimDuration::ZERO);
        assert_eq!(SimDuration::from_secs_f64(f64::NAN), SimDuration::ZERO);
        assert_eq!(SimDuration::from_secs_f64(1e300), SimDuration::MAX);
    }

    /// Today's conversion as it was written before issue 17 (libm's round).
    fn from_secs_f64_libm(s: f64) -> SimDuration {
        if s.is_nan() || s <= 0.0 {
            return SimDuration::ZERO;
        }
        let us = s * 1e6;
        if us >= u64::MAX as f64 {
            SimDuration::MAX
        } else {
            SimDuration(libm::round(us) as u64)
        }
    }

    /// Values where rounding is decided: halves and their neighbours a few
    /// ulps away, at every scale, plus the edges.
    fn hard_values() -> Vec<f64> {
        let mut v = vec![
            0.0,
            -0.0,
            -1.0,
            0.5,
            1.5,
            2.5,
            f64::NAN,
            f64::INFINITY,
            1e300,
        ];
        v.extend([f64::MIN_POSITIVE, 5e-324, 0.49999999999999994]);
        for e in 0..64 {
            let base = (1u64 << e) as f64;
            for k in [0.0, 0.5, 1.0, 1.5, 2.5, 1e6 + 0.5, 123_456.5] {
                let mut x = base + k;
                for _ in 0..4 {
                    x = f64::from_bits(x.to_bits() - 1);
                }
                for _ in 0..9 {
                    v.push(x);
                    x = f64::from_bits(x.to_bits() + 1);
                }
            }
        }
        v
    }

    #[test]
    fn fast_rounding_is_libm_round_bit_for_bit() {
        for x in hard_values() {
            for s in [x, x / 1e6] {
                assert_eq!(
                    SimDuration::from_secs_f64(s),
                    from_secs_f64_libm(s),
                    "{s:e}"
                );
            }
            assert_eq!(
                SimDuration::from_micros_f64(x),
                from_secs_f64_libm(x / 1e6),
                "{x:e}"
            );
        }
    }

    #[test]
    fn millis_round_up_like_lambda_billing() {
        assert_eq!(SimDuration::from_micros(0).as_millis_ceil(), 0);
        assert_eq!(SimDuration::from_micros(1).as_millis_ceil(), 1);
        assert_eq!(SimDuration::from_micros(1_000).as_millis_ceil(), 1);
        assert_eq!(SimDuration::from_micros(1_001).as_millis_ceil(), 2);
    }

    #[test]
    fn arithmetic_saturates() {
        assert_eq!(SimTime::MAX + SimDuration::from_secs(1), SimTime::MAX);
        let a = SimTime::from_micros(5);
        let b = SimTime::from_micros(9);
        assert_eq!(b - a, SimDuration::from_micros(4));
        assert_eq!(a - b, SimDuration::ZERO);
        let mut t = SimTime::ZERO;
        t += SimDuration::from_millis(3);
        assert_eq!(t.as_micros(), 3_000);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        /// Any draw as the engine makes it (a positive f64 of µs, or any
        /// bit pattern at all): the direct conversion equals the old one.
        #[test]
        fn micros_f64_equals_the_old_round_trip(
            us in 0.0f64..1e12,
            bits in proptest::num::u64::ANY,
            k in 0u64..1_000_000_000,
            ulps in -3i64..=3,
            j in 1i32..=60,
            up in proptest::bool::ANY,
        ) {
            let half = f64::from_bits(((k as f64) + 0.5).to_bits().wrapping_add_signed(ulps));
            // At every distance from a half, on either side: where the fast
            // path's margin ends and a rounding offset would show.
            let step = libm::ldexp(1.0, -j);
            let near = (k as f64) + 0.5 + if up { step } else { -step };
            for x in [us, f64::from_bits(bits), half, near, near * 1e-6, us * 1e-6] {
                proptest::prop_assert_eq!(
                    SimDuration::from_micros_f64(x),
                    from_secs_f64_libm(x / 1e6),
                    "{:e}", x
                );
                proptest::prop_assert_eq!(
                    SimDuration::from_secs_f64(x),
                    from_secs_f64_libm(x),
                    "{:e}", x
                );
            }
        }
    }

    #[test]
    fn display() {
        assert_eq!(
            SimTime::from_micros(3_723_004_000).to_string(),
            "01:02:03.004"
        );
        assert_eq!(
            (SimTime::ZERO + SimDuration::from_hours(51)).to_string(),
            "2d 03:00:00.000"
        );
        assert_eq!(SimDuration::from_micros(12).to_string(), "12 µs");
        assert_eq!(SimDuration::from_millis(250).to_string(), "250 ms");
        assert_eq!(SimDuration::from_millis(1_500).to_string(), "1.5 s");
        assert_eq!(SimDuration::from_secs(723).to_string(), "12 min 3 s");
        assert_eq!(SimDuration::from_mins(120).to_string(), "2 h 0 min");
    }
}
