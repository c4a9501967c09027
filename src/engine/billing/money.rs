//! Money and prices as integers, so that sums never drift.
//!
//! - [`Money`] is an amount in integer micro-dollars (µ$, 10⁻⁶ USD). Sums are
//!   exact; [`fmt::Display`] rounds to cents for display only (`$1,234.57`).
//! - [`PicoUsd`] is a unit price in integer pico-dollars (10⁻¹² USD): every
//!   AWS price has at most 10 decimal places ($0.0000166667 per GB-s,
//!   $0.0000000309 per GB-s), so each is held exactly.
//!
//! Rounding rule: a bill line's amount is `quantity × rate` computed exactly
//! in 128-bit integers and rounded ONCE, half up, to the micro-dollar (AWS
//! likewise rounds per line item). A bill's total is the exact sum of its
//! lines. Only display rounds to cents.
//!
//! Why not `rust_decimal`: every quantity here is an integer count over a
//! fixed unit (MB-ms, seconds, requests), so integer arithmetic is exact,
//! dependency-free and identical on wasm32; a decimal type would add a
//! dependency without removing any rounding step.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub};
use std::str::FromStr;
use thiserror::Error;

/// An amount of money [µ$, micro-USD].
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_micros(micro_usd: i64) -> Self {
        Money(micro_usd)
    }
    /// Whole cents, for tests and presets.
    pub const fn from_cents(cents: i64) -> Self {
        Money(cents.saturating_mul(10_000))
    }
    pub const fn as_micros(self) -> i64 {
        self.0
    }
    /// The amount in dollars as a float, for charts only (never sum these).
    pub fn as_usd_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }
    /// The amount rounded half away from zero to whole cents.
    pub fn round_to_cents(self) -> i64 {
        let sign = if self.0 < 0 { -1 } else { 1 };
        sign * ((self.0.unsigned_abs() + 5_000) / 10_000) as i64
    }
    /// Exact, with all six decimals: `"18.333370"`.
    pub fn to_exact_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:06}", abs / 1_000_000, abs % 1_000_000)
    }
}

impl fmt::Display for Money {
    /// Rounded to cents with thousands separators: `$1,234.57`, `-$0.40`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cents = self.round_to_cents();
        let sign = if cents < 0 { "-" } else { "" };
        let abs = cents.unsigned_abs();
        let s = format!(
            "{sign}${}.{:02}",
            group_thousands(&(abs / 100).to_string()),
            abs % 100
        );
        f.pad(&s)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        *self = *self + rhs;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0.saturating_sub(rhs.0))
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(self.0.saturating_neg())
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

/// `base / scale` units of something at `price` per `per` units, rounded
/// half up to the micro-dollar; saturates instead of overflowing.
pub fn amount(base: u128, scale: u128, price: PicoUsd, per: u64) -> Money {
    // pico-USD → µ$ is a division by 10⁶.
    let den = scale
        .saturating_mul(u128::from(per))
        .saturating_mul(1_000_000);
    if den == 0 {
        return Money::ZERO;
    }
    let num = base.saturating_mul(u128::from(price.0));
    let micros = num / den + u128::from(num % den >= den - den / 2);
    Money(i64::try_from(micros).unwrap_or(i64::MAX))
}

/// A unit price [pico-USD, 10⁻¹² USD]. Reads and writes as a decimal
/// string of dollars (`"0.0000166667"`); a JSON number is also read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PicoUsd(pub u64);

impl PicoUsd {
    pub const ZERO: PicoUsd = PicoUsd(0);

    /// The price less `basis_points` (1/100 of a percent), rounded half up
    /// to the pico-dollar.
    pub fn discounted(self, basis_points: u32) -> PicoUsd {
        let keep = u128::from(10_000u32.saturating_sub(basis_points));
        PicoUsd(((u128::from(self.0) * keep + 5_000) / 10_000) as u64)
    }
}

/// Why a price string was refused.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum PriceParseError {
    #[error("`{0}` is not a non-negative decimal number of dollars")]
    NotDecimal(String),
    #[error("`{0}` has more than 12 decimal places (prices are held in pico-dollars)")]
    TooPrecise(String),
    #[error("`{0}` is too large (at most $1,000,000)")]
    TooLarge(String),
}

impl FromStr for PicoUsd {
    type Err = PriceParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().trim_start_matches('$');
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
            return Err(PriceParseError::NotDecimal(s.to_owned()));
        }
        let frac = frac.trim_end_matches('0');
        if frac.len() > 12 {
            return Err(PriceParseError::TooPrecise(s.to_owned()));
        }
        let int = int.trim_start_matches('0');
        if int.len() > 7 {
            return Err(PriceParseError::TooLarge(s.to_owned()));
        }
        let whole: u64 = if int.is_empty() {
            0
        } else {
            int.parse()
                .map_err(|_| PriceParseError::NotDecimal(s.to_owned()))?
        };
        if whole > 1_000_000 {
            return Err(PriceParseError::TooLarge(s.to_owned()));
        }
        let mut frac_pico: u64 = 0;
        for (i, b) in frac.bytes().enumerate() {
            frac_pico += u64::from(b - b'0') * 10u64.pow(11 - i as u32);
        }
        Ok(PicoUsd(whole * 1_000_000_000_000 + frac_pico))
    }
}

impl fmt::Display for PicoUsd {
    /// Dollars with at least 2 and at most 12 decimals, trailing zeros
    /// trimmed: `$0.20`, `$0.0000166667`, `$0.0104`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 1_000_000_000_000;
        let frac = format!("{:012}", self.0 % 1_000_000_000_000);
        let mut frac = frac.trim_end_matches('0').to_owned();
        while frac.len() < 2 {
            frac.push('0');
        }
        f.pad(&format!("${}.{frac}", group_thousands(&whole.to_string())))
    }
}

impl Serialize for PicoUsd {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Without the `$`: a plain decimal string that reads back exactly.
        s.serialize_str(
            self.to_string()
                .trim_start_matches('$')
                .replace(',', "")
                .as_str(),
        )
    }
}

impl<'de> Deserialize<'de> for PicoUsd {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Number(f64),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Text(t) => t,
            // Rust prints an f64 as its shortest round-trip decimal without
            // an exponent, so 0.0000166667 reads back as written.
            Raw::Number(n) if n.is_finite() && n >= 0.0 => format!("{n}"),
            Raw::Number(n) => {
                return Err(serde::de::Error::custom(format!("price {n} is negative")))
            }
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// `"1234567"` → `"1,234,567"`.
pub fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_displays_cents_with_separators() {
        assert_eq!(Money::from_micros(1_234_567_890).to_string(), "$1,234.57");
        assert_eq!(Money::from_micros(5_000).to_string(), "$0.01");
        assert_eq!(Money::from_micros(4_999).to_string(), "$0.00");
        assert_eq!(Money::from_micros(-400_000).to_string(), "-$0.40");
        assert_eq!(
            Money::from_micros(999_999_995_000).to_string(),
            "$1,000,000.00"
        );
        assert_eq!(
            Money::from_micros(18_333_370).to_exact_string(),
            "18.333370"
        );
    }

    #[test]
    fn prices_parse_exactly() {
        assert_eq!(
            "0.0000166667".parse::<PicoUsd>().unwrap(),
            PicoUsd(16_666_700)
        );
        assert_eq!("0.0000000309".parse::<PicoUsd>().unwrap(), PicoUsd(30_900));
        assert_eq!("0.20".parse::<PicoUsd>().unwrap(), PicoUsd(200_000_000_000));
        assert_eq!(
            "$3.5".parse::<PicoUsd>().unwrap(),
            PicoUsd(3_500_000_000_000)
        );
        assert_eq!("1.".parse::<PicoUsd>().unwrap(), PicoUsd(1_000_000_000_000));
        assert!(matches!(
            "0.0000000000001".parse::<PicoUsd>(),
            Err(PriceParseError::TooPrecise(_))
        ));
        assert!("-1".parse::<PicoUsd>().is_err());
        assert!("1e-5".parse::<PicoUsd>().is_err());
        assert!("".parse::<PicoUsd>().is_err());
        assert!("2000000".parse::<PicoUsd>().is_err());
    }

    #[test]
    fn prices_display_and_round_trip() {
        for s in ["0.20", "0.0000166667", "0.0104", "1.00", "0.0000000309"] {
            let p: PicoUsd = s.parse().unwrap();
            assert_eq!(p.to_string(), format!("${s}"));
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(serde_json::from_str::<PicoUsd>(&json).unwrap(), p);
        }
        // A JSON number reads as the decimal it was written as.
        let p: PicoUsd = serde_json::from_str("0.0000166667").unwrap();
        assert_eq!(p, PicoUsd(16_666_700));
    }

    #[test]
    fn amounts_round_once_half_up() {
        // 1,100,000 GB-s × $0.0000166667 = $18.33337 exactly.
        let gbs = 1_100_000u128;
        assert_eq!(amount(gbs, 1, PicoUsd(16_666_700), 1), Money(18_333_370));
        // 1 ms at 128 MB × $0.0000166667 = 0.0020833375 µ$ → 0 µ$.
        assert_eq!(amount(128, 1_024_000, PicoUsd(16_666_700), 1), Money::ZERO);
        // Half a micro-dollar rounds up: 1 request at $0.000001 per 2.
        assert_eq!(amount(1, 1, PicoUsd(1_000_000), 2), Money(1));
        assert_eq!(amount(1, 0, PicoUsd(1), 1), Money::ZERO);
    }

    #[test]
    fn discounts_in_basis_points() {
        let p = PicoUsd(96_000_000_000); // $0.096
        assert_eq!(p.discounted(3_000), PicoUsd(67_200_000_000));
        assert_eq!(p.discounted(0), p);
        assert_eq!(p.discounted(10_000), PicoUsd::ZERO);
    }
}
