//! The validation of a scenario's `pricing` section (the type itself,
//! [`Pricing`], is billing's: it prices the run, the aggregate month and
//! the sweep).
//!
//! ```
//! use fanout::engine::billing::pricing::Pricing;
//! let p: Pricing = serde_json::from_str(r#"{"ec2_discount_percent": 30}"#).unwrap();
//! assert!(p.validate("pricing").is_empty());
//!
//! let bad: Pricing = serde_json::from_str(r#"{"ec2_discount_percent": 95}"#).unwrap();
//! let errs = bad.validate("pricing");
//! assert_eq!(errs[0].path, "pricing.ec2_discount_percent");
//! ```

use super::problems::{Problems, ScenarioError};
use crate::engine::billing::pricing::MAX_EC2_DISCOUNT_PERCENT;
use crate::engine::billing::{Catalog, OverrideError};

pub use crate::engine::billing::pricing::{InitBilling, Pricing};

impl Pricing {
    /// Every problem of this section; paths start with `prefix` (e.g.
    /// `pricing`).
    pub fn validate(&self, prefix: &str) -> Vec<ScenarioError> {
        let mut p = Problems::under(prefix);
        let discount = self.ec2_discount_percent;
        let problem = if !discount.is_finite() {
            Some("is not a finite number".to_owned())
        } else if discount < 0.0 {
            Some("is below the minimum of 0 %".to_owned())
        } else if discount > MAX_EC2_DISCOUNT_PERCENT {
            Some(format!(
                "is above the maximum of {MAX_EC2_DISCOUNT_PERCENT} % (Spot's advertised \"up to 90 %\")"
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            p.push("ec2_discount_percent", discount, message);
        }
        if let Err(errors) = Catalog::for_region(self.region).with_overrides(&self.prices) {
            for e in errors {
                override_problem(&mut p, e);
            }
        }
        p.into_vec()
    }
}

/// An override the catalog refused, as a problem with its path.
fn override_problem(p: &mut Problems, e: OverrideError) {
    match e {
        OverrideError::TierCount { field, got, tiers } => p.push(
            format!("prices.{field}"),
            format!("{got} prices"),
            format!("give 1 price (for every tier) or {tiers} (one per tier)"),
        ),
        OverrideError::UnknownInstanceType { name, known } => p.push(
            format!("prices.ec2_hourly.{name}"),
            &name,
            format!("is not an instance type of the catalog; known: {known}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid() {
        assert!(Pricing::default().validate("pricing").is_empty());
        let nan = Pricing {
            ec2_discount_percent: f64::NAN,
            ..Pricing::default()
        };
        assert_eq!(nan.validate("p")[0].path, "p.ec2_discount_percent");
    }

    #[test]
    fn every_problem_is_listed_with_its_path() {
        let p: Pricing = serde_json::from_str(
            r#"{"ec2_discount_percent": -1,
                "prices": {"lambda_duration_x86_64": ["0.1", "0.2"], "ec2_hourly": {"x9.huge": 1}}}"#,
        )
        .unwrap();
        let errs = p.validate("pricing");
        let paths: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "pricing.ec2_discount_percent",
                "pricing.prices.lambda_duration_x86_64",
                "pricing.prices.ec2_hourly.x9.huge"
            ]
        );
        assert!(errs[0].to_string().contains("below the minimum of 0"));
        assert!(
            errs[1].to_string().contains("or 3 (one per tier)"),
            "{}",
            errs[1]
        );
        assert!(errs[2].to_string().contains("m5.large"));
        // An invalid override leaves the list prices in place.
        assert_eq!(p.catalog(), Catalog::us_east_1());
    }
}
