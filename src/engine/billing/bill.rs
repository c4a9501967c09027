//! An itemized bill: lines of `quantity × rate = amount` whose amounts sum
//! EXACTLY to the total (see [`super::money`] for the rounding rule).

use super::catalog::{Price, Provenance};
use super::money::{amount, group_thousands, Money, PicoUsd};
use serde::{Serialize, Serializer};
use std::fmt;

/// An exact quantity: `base / scale` units. Integer usage (MB-ms, seconds,
/// requests) keeps its exact value; e.g. GB-s are MB-ms over 1,024,000.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantity {
    pub base: u128,
    pub scale: u128,
}

impl Quantity {
    pub const fn whole(n: u64) -> Self {
        Quantity {
            base: n as u128,
            scale: 1,
        }
    }
    pub const fn ratio(base: u128, scale: u128) -> Self {
        Quantity { base, scale }
    }
    pub fn is_zero(&self) -> bool {
        self.base == 0
    }
    /// Decimal text, grouped in thousands, at most 6 decimals (rounded half
    /// up), trailing zeros trimmed: `540,000`, `0.125`, `1,440.5`.
    pub fn to_decimal_string(&self, grouped: bool) -> String {
        if self.scale == 0 {
            return "0".into();
        }
        const DIGITS: u128 = 1_000_000;
        let millionths = (self.base.saturating_mul(DIGITS) + self.scale / 2) / self.scale;
        let int = (millionths / DIGITS).to_string();
        let int = if grouped { group_thousands(&int) } else { int };
        let frac = format!("{:06}", millionths % DIGITS);
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            int
        } else {
            format!("{int}.{frac}")
        }
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.to_decimal_string(true))
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_decimal_string(false))
    }
}

/// The rate of a line: `usd` per `per` `unit`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rate {
    /// [USD per `per` units]
    pub usd: PicoUsd,
    pub per: u64,
    pub unit: String,
    pub status: Provenance,
}

impl Rate {
    /// Free usage: $0 per unit (shown as "$0.00 (free tier)").
    pub fn free(unit: &str) -> Rate {
        Rate {
            usd: PicoUsd::ZERO,
            per: 1,
            unit: unit.to_owned(),
            status: Provenance::Aws,
        }
    }
}

impl From<&Price> for Rate {
    fn from(p: &Price) -> Rate {
        Rate {
            usd: p.usd,
            per: p.per,
            unit: p.unit.clone(),
            status: p.status,
        }
    }
}

impl fmt::Display for Rate {
    /// `$0.20 per 1M requests`, `$0.0000166667 per GB-s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.usd == PicoUsd::ZERO && self.status == Provenance::Aws {
            return f.pad("$0.00 (free tier)");
        }
        let per = match self.per {
            1 => String::new(),
            n if n >= 1_000_000 && n % 1_000_000 == 0 => {
                format!("{}M ", group_thousands(&(n / 1_000_000).to_string()))
            }
            n => format!("{} ", group_thousands(&n.to_string())),
        };
        let mark = match self.status {
            Provenance::Aws => "",
            Provenance::Secondary => " (secondary)",
            Provenance::Assumption => " (assumption)",
            Provenance::Override => " (override)",
        };
        f.pad(&format!("{} per {per}{}{mark}", self.usd, self.unit))
    }
}

/// The kind of a charge: which part of a side's cost it is (the cost
/// meter's itemization).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Charge {
    /// Lambda requests (free tier included).
    LambdaRequests,
    /// Lambda on-demand duration, every tier (free tier included).
    LambdaDuration,
    /// Provisioned concurrency, configured and duration.
    Provisioned,
    /// Lambda ephemeral storage above the included size.
    Ephemeral,
    /// EC2 instance time.
    Instances,
    /// Load balancer hours and capacity units.
    Alb,
    /// SQS requests (free tier included).
    Sqs,
    /// EBS storage.
    Ebs,
    /// API Gateway and S3 requests.
    #[default]
    OtherRequests,
    /// Public IPv4 addresses (the load balancer's and the instances').
    PublicIpv4,
    /// Surplus CPU credits of burstable instances in unlimited mode.
    CpuCredits,
}

/// The words of a bill line: what is charged, the quantity's unit and the
/// rate as displayed.
pub struct Words {
    pub item: String,
    pub unit: &'static str,
    pub rate: Rate,
}

/// A charge of a non-zero quantity with its amount, as [`Ledger::charge`]
/// hands it to a ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Priced {
    pub kind: Charge,
    pub quantity: Quantity,
    /// The price: `usd` per `per` units.
    pub usd: PicoUsd,
    pub per: u64,
    /// `quantity × usd / per`, rounded once to the micro-dollar [µ$].
    pub amount: Money,
}

/// Where a bill function puts its charges: an itemized [`Bill`] (lines with
/// their words, for display) or a [`Tally`] (amounts only, for the cost
/// meter, which prices at every series boundary and must not build
/// strings). Both get each amount from the one [`Ledger::charge`].
pub trait Ledger {
    /// Charges `quantity` at `usd` per `per` units; `words` describes the
    /// line and is only called by ledgers that keep lines. A zero quantity
    /// adds nothing.
    fn charge(
        &mut self,
        kind: Charge,
        quantity: Quantity,
        usd: PicoUsd,
        per: u64,
        words: impl FnOnce() -> Words,
    ) {
        if quantity.is_zero() {
            return;
        }
        let amount = amount(quantity.base, quantity.scale, usd, per);
        self.add(
            Priced {
                kind,
                quantity,
                usd,
                per,
                amount,
            },
            words,
        );
    }

    /// Adds a charge priced by [`Ledger::charge`]; `words` as there.
    fn add(&mut self, charge: Priced, words: impl FnOnce() -> Words);

    /// A rule or assumption for the reader; only called by ledgers that
    /// keep notes.
    fn note(&mut self, text: impl FnOnce() -> String);
}

/// Amounts per kind of charge, without any text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Amount per [`Charge`], in declaration order [µ$].
    pub by_kind: [Money; 11],
    /// The exact sum [µ$].
    pub total: Money,
}

impl Tally {
    /// The amount charged as `kind` [µ$].
    pub fn get(&self, kind: Charge) -> Money {
        self.by_kind[kind as usize]
    }
}

impl Ledger for Tally {
    fn add(&mut self, c: Priced, _words: impl FnOnce() -> Words) {
        self.by_kind[c.kind as usize] += c.amount;
        self.total += c.amount;
    }

    fn note(&mut self, _text: impl FnOnce() -> String) {}
}

impl Ledger for Bill {
    fn add(&mut self, c: Priced, words: impl FnOnce() -> Words) {
        let w = words();
        debug_assert_eq!((w.rate.usd, w.rate.per), (c.usd, c.per), "{}", w.item);
        self.total += c.amount;
        self.lines.push(BillLine {
            kind: c.kind,
            item: w.item,
            quantity: c.quantity,
            unit: w.unit.to_owned(),
            rate: w.rate,
            amount: c.amount,
        });
    }

    fn note(&mut self, text: impl FnOnce() -> String) {
        self.notes.push(text());
    }
}

/// One line of a bill.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BillLine {
    /// Which part of the side's cost this is (not serialized: the item
    /// says it in words).
    #[serde(skip)]
    pub kind: Charge,
    /// What is charged, e.g. "Lambda duration x86_64, tier 1".
    pub item: String,
    pub quantity: Quantity,
    /// The unit of `quantity`, e.g. "GB-s".
    pub unit: String,
    pub rate: Rate,
    /// `quantity × rate`, rounded once to the micro-dollar [µ$].
    pub amount: Money,
}

/// An itemized bill. Build it with [`Bill::charge`] so the total stays the
/// exact sum of the lines.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Bill {
    /// What is billed, e.g. "AWS Lambda".
    pub title: String,
    pub lines: Vec<BillLine>,
    /// Exact sum of the lines' amounts [µ$].
    pub total: Money,
    /// Rules applied and assumptions, for the reader.
    pub notes: Vec<String>,
}

impl Bill {
    pub fn new(title: impl Into<String>) -> Bill {
        Bill {
            title: title.into(),
            ..Bill::default()
        }
    }

    /// Adds a line `quantity × rate` unless the quantity is zero.
    pub fn charge_kind(
        &mut self,
        kind: Charge,
        item: impl Into<String>,
        quantity: Quantity,
        unit: &'static str,
        rate: Rate,
    ) {
        let (usd, per) = (rate.usd, rate.per);
        self.charge(kind, quantity, usd, per, || Words {
            item: item.into(),
            unit,
            rate,
        });
    }

    /// Appends another bill's lines and notes (e.g. the event sources).
    pub fn absorb(&mut self, other: Bill) {
        self.total += other.total;
        self.lines.extend(other.lines);
        self.notes.extend(other.notes);
    }

    /// The exact sum of the lines, which must equal `total`.
    pub fn sum_of_lines(&self) -> Money {
        self.lines.iter().map(|l| l.amount).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_print_exactly_or_to_six_decimals() {
        assert_eq!(Quantity::whole(3_000_000).to_string(), "3,000,000");
        // 128 MB × 1 ms = 0.000125 GB-s.
        assert_eq!(Quantity::ratio(128, 1_024_000).to_string(), "0.000125");
        assert_eq!(Quantity::ratio(1, 3).to_decimal_string(false), "0.333333");
        assert_eq!(
            Quantity::ratio(5_186_000, 3_600).to_string(),
            "1,440.555556"
        );
    }

    #[test]
    fn rates_print_their_unit() {
        let r = Rate {
            usd: PicoUsd(200_000_000_000),
            per: 1_000_000,
            unit: "requests".into(),
            status: Provenance::Aws,
        };
        assert_eq!(r.to_string(), "$0.20 per 1M requests");
        let s3 = Rate {
            usd: PicoUsd(5_000_000_000),
            per: 1_000,
            unit: "requests".into(),
            status: Provenance::Secondary,
        };
        assert_eq!(s3.to_string(), "$0.005 per 1,000 requests (secondary)");
    }

    #[test]
    fn zero_lines_are_left_out_and_total_is_the_sum() {
        let mut b = Bill::new("t");
        let r = Rate::free("x");
        let k = Charge::OtherRequests;
        b.charge_kind(k, "nothing", Quantity::whole(0), "x", r.clone());
        assert!(b.lines.is_empty());
        let paid = Rate {
            usd: PicoUsd(1_500_000),
            ..r
        };
        b.charge_kind(k, "a", Quantity::whole(1), "x", paid.clone());
        b.charge_kind(k, "b", Quantity::whole(1), "x", paid);
        // Each line rounds 1.5 µ$ up to 2 µ$; the total is their sum.
        assert_eq!(b.total, Money::from_micros(4));
        assert_eq!(b.total, b.sum_of_lines());
    }
}
