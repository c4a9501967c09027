//! Problems with an input file, and the one collector that gathers them.
//!
//! Every section of a scenario (sources, function, account, `ec2`,
//! `pricing`) and `fanout bill`'s usage file report through [`Problems`]:
//! each problem has the field path, the value as written and what is
//! allowed, and validation lists them all instead of stopping at the first.
//!
//! ```
//! use fanout::engine::scenario::Problems;
//! let mut p = Problems::under("ec2");
//! p.range("boot_s", -1.0, 0.0, 900.0, "engine");
//! p.push_message("duration", "is required");
//! let list = p.into_vec();
//! assert_eq!(list[0].to_string(), "ec2.boot_s: -1 is below the engine minimum of 0");
//! assert_eq!(list[1].to_string(), "ec2.duration: is required");
//! ```

use crate::engine::billing::group_thousands;
use crate::engine::defaults as d;
use crate::engine::dist::Distribution;
use serde::Serialize;
use std::fmt;

/// One problem with an input file: where, what value, and what is allowed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScenarioError {
    /// Field path, e.g. `sources[2].pattern.rate_per_s` (or `line 3, column 7`
    /// for a JSON syntax error; empty for a problem of the whole file).
    pub path: String,
    /// The offending value as written, if there is one.
    pub value: Option<String>,
    /// What is wrong, in plain English (e.g. `is above the Lambda maximum of 900`).
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(v) => write!(f, "{}: {} {}", self.path, v, self.message),
            None if self.path.is_empty() => write!(f, "{}", self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for ScenarioError {}

/// Collects the problems of one input (or one section of it): field paths
/// are written relative to a prefix (`ec2`, `pricing`, or none).
#[derive(Debug, Default)]
pub struct Problems {
    prefix: String,
    list: Vec<ScenarioError>,
}

impl Problems {
    /// A collector whose paths are written as given.
    pub fn new() -> Problems {
        Problems::default()
    }

    /// A collector whose paths start with `prefix.` (none when empty).
    pub fn under(prefix: &str) -> Problems {
        Problems {
            prefix: prefix.to_owned(),
            list: Vec::new(),
        }
    }

    /// The full path of `field` under this collector's prefix.
    pub fn path(&self, field: &str) -> String {
        if self.prefix.is_empty() {
            field.to_owned()
        } else if field.is_empty() {
            self.prefix.clone()
        } else {
            format!("{}.{field}", self.prefix)
        }
    }

    /// A problem with a value.
    pub fn push(
        &mut self,
        field: impl AsRef<str>,
        value: impl fmt::Display,
        message: impl Into<String>,
    ) {
        self.list.push(ScenarioError {
            path: self.path(field.as_ref()),
            value: Some(value.to_string()),
            message: message.into(),
        });
    }

    /// A problem without a value (a missing field, a rule between fields;
    /// with an empty field and no prefix, a problem of the whole file).
    pub fn push_message(&mut self, field: impl AsRef<str>, message: impl Into<String>) {
        self.list.push(ScenarioError {
            path: self.path(field.as_ref()),
            value: None,
            message: message.into(),
        });
    }

    /// Problems found by another collector (their paths as they are).
    pub fn extend(&mut self, problems: impl IntoIterator<Item = ScenarioError>) {
        self.list.extend(problems);
    }

    /// How many problems so far.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Keeps the first `len` problems.
    pub fn truncate(&mut self, len: usize) {
        self.list.truncate(len);
    }

    /// Every problem, in the order found.
    pub fn into_vec(self) -> Vec<ScenarioError> {
        self.list
    }

    /// `Ok` when there is no problem, else every problem.
    pub fn into_result(self) -> Result<(), Vec<ScenarioError>> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(self.list)
        }
    }

    /// `v` must be finite and in [lo, hi]; `who` names the authority of
    /// both bounds ("Lambda", "EC2", "engine", "allowed").
    pub fn range(&mut self, field: &str, v: f64, lo: f64, hi: f64, who: &str) {
        self.bounds(field, v, lo, hi, who, who);
    }

    /// `v` must be finite and in [lo, hi], each bound with its authority.
    pub fn bounds(&mut self, field: &str, v: f64, lo: f64, hi: f64, lo_who: &str, hi_who: &str) {
        if !v.is_finite() {
            self.push(field, v, "is not a finite number");
        } else if v < lo {
            self.push(field, v, format!("is below the {lo_who} minimum of {lo}"));
        } else if v > hi {
            self.push(field, v, format!("is above the {hi_who} maximum of {hi}"));
        }
    }

    /// A whole number in [lo, hi]; `who` names the authority.
    pub fn range_u(&mut self, field: &str, v: u32, lo: u32, hi: u32, who: &str) {
        if v < lo {
            self.push(field, v, format!("is below the {who} minimum of {lo}"));
        } else if v > hi {
            self.push(field, v, format!("is above the {who} maximum of {hi}"));
        }
    }

    /// An arrival rate: from 0 to the engine's maximum [requests/s].
    pub fn rate(&mut self, field: &str, v: f64) {
        self.bounds(field, v, 0.0, d::MAX_RATE_PER_S, "allowed", "engine");
    }

    /// Every problem of a distribution's parameters.
    pub fn dist(&mut self, field: &str, dist: &Distribution) {
        for (name, v, msg) in dist.problems() {
            self.push(format!("{field}.{name}"), v, msg);
        }
    }

    /// Times of the entries of list `field` (each entry's `entry_field`,
    /// or the entry itself when empty) must lie in [0, max] and not go
    /// backwards.
    pub fn times(
        &mut self,
        field: &str,
        entry_field: &str,
        times: impl Iterator<Item = f64>,
        max: f64,
    ) {
        let mut last = f64::NEG_INFINITY;
        for (i, t) in times.enumerate() {
            let f = format!("{field}[{i}].{entry_field}");
            let f = f.trim_end_matches('.');
            if !t.is_finite() || t < 0.0 {
                self.push(f, t, "must be a time at or after 0");
            } else if t > max {
                self.push(f, t, format!("is after the end of the run ({max} s)"));
            } else if t < last {
                self.push(
                    f,
                    t,
                    format!("is before the previous entry ({last}); keep them in time order"),
                );
            }
            if t.is_finite() {
                last = last.max(t);
            }
        }
    }

    // ------------------------------------------- the usage file's wording

    /// `field: value is not allowed; allowed` (the usage file's wording).
    pub fn not_allowed(&mut self, field: &str, value: impl fmt::Display, allowed: &str) {
        self.push(field, value, format!("is not allowed; {allowed}"));
    }

    /// A whole number in `min..=max`; returns it (0 when invalid).
    pub fn whole(&mut self, field: &str, v: f64, min: f64, max: f64, unit: &str) -> u64 {
        if !v.is_finite() || v.fract() != 0.0 || v < min || v > max {
            self.not_allowed(
                field,
                v,
                &format!(
                    "allowed: a whole number from {} to {} {unit}",
                    fmt_num(min),
                    fmt_num(max)
                ),
            );
            return 0;
        }
        v as u64
    }

    /// A number in `min..=max` (or `min < v` when `open_min`); returns it
    /// (`min` when invalid).
    pub fn number(
        &mut self,
        field: &str,
        v: f64,
        min: f64,
        max: f64,
        open_min: bool,
        unit: &str,
    ) -> f64 {
        let low_ok = if open_min { v > min } else { v >= min };
        if !v.is_finite() || !low_ok || v > max {
            let from = if open_min { "more than" } else { "from" };
            self.not_allowed(
                field,
                v,
                &format!(
                    "allowed: {from} {} to {} {unit}",
                    fmt_num(min),
                    fmt_num(max)
                ),
            );
            return min;
        }
        v
    }
}

/// 10240.0 → "10,240"; 0.5 → "0.5".
fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        group_thousands(&(v as u64).to_string())
    } else {
        format!("{v}")
    }
}
