//! The `pricing` section of a scenario: which price table, which billing
//! rules (free tier, INIT billing) and which "what if" changes (an EC2
//! discount standing for Savings Plans or Spot, price overrides) price the
//! run, the aggregate month and the sweep.
//!
//! ```
//! use fanout::engine::billing::pricing::{InitBilling, Pricing};
//! let p: Pricing = serde_json::from_str(
//!     r#"{"free_tier": false, "init_billing": "before_aug_2025", "ec2_discount_percent": 30}"#,
//! ).unwrap();
//! assert!(p.validate("pricing").is_empty());
//! assert_eq!(p.init_billing, InitBilling::BeforeAug2025);
//! assert_eq!(p.ec2_options().discount_basis_points, 3_000);
//!
//! let bad: Pricing = serde_json::from_str(r#"{"ec2_discount_percent": 95}"#).unwrap();
//! let errs = bad.validate("pricing");
//! assert_eq!(errs[0].path, "pricing.ec2_discount_percent");
//! ```

use super::catalog::{Catalog, OverrideError, PriceOverrides, Region};
use super::ec2::Ec2BillOptions;
use super::lambda::LambdaBillOptions;
use crate::engine::scenario::ScenarioError;
use serde::{Deserialize, Serialize};

/// The largest EC2 discount a scenario may assume [%]: AWS advertises Spot
/// at "up to 90 %" (Savings Plans up to 72 %).
pub const MAX_EC2_DISCOUNT_PERCENT: f64 = 90.0;

/// Which INIT-phase billing rule applies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum InitBilling {
    /// The INIT phase of on-demand invocations is billed as duration (the
    /// rule since 1 Aug 2025).
    #[default]
    #[serde(rename = "since_aug_2025")]
    SinceAug2025,
    /// The INIT phase is not billed (the rule before 1 Aug 2025).
    #[serde(rename = "before_aug_2025")]
    BeforeAug2025,
}

/// How a scenario is priced. Every field has a default, so a scenario
/// without a `pricing` section is priced at US East list prices with the
/// free tier and the current INIT rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Pricing {
    /// Price table (`us-east-1`).
    pub region: Region,
    /// Apply the monthly free tiers (Lambda 1 M requests and 400,000 GB-s;
    /// SQS 1 M requests).
    pub free_tier: bool,
    /// INIT billing rule: `since_aug_2025` or `before_aug_2025`.
    pub init_billing: InitBilling,
    /// Discount off on-demand EC2 instance prices, standing for a Savings
    /// Plan or Spot; an ASSUMPTION, not an AWS price [%] (0–90).
    pub ec2_discount_percent: f64,
    /// "What if" prices on top of the catalog; every field optional.
    pub prices: PriceOverrides,
}

impl Default for Pricing {
    fn default() -> Self {
        Pricing {
            region: Region::UsEast1,
            free_tier: true,
            init_billing: InitBilling::SinceAug2025,
            ec2_discount_percent: 0.0,
            prices: PriceOverrides::default(),
        }
    }
}

impl Pricing {
    /// Every problem of this section; paths start with `prefix` (e.g.
    /// `pricing`).
    pub fn validate(&self, prefix: &str) -> Vec<ScenarioError> {
        let mut out = Vec::new();
        let d = self.ec2_discount_percent;
        let problem = if !d.is_finite() {
            Some("is not a finite number".to_owned())
        } else if d < 0.0 {
            Some("is below the minimum of 0 %".to_owned())
        } else if d > MAX_EC2_DISCOUNT_PERCENT {
            Some(format!(
                "is above the maximum of {MAX_EC2_DISCOUNT_PERCENT} % (Spot's advertised \"up to 90 %\")"
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            out.push(ScenarioError {
                path: format!("{prefix}.ec2_discount_percent"),
                value: Some(d.to_string()),
                message,
            });
        }
        if let Err(errors) = Catalog::for_region(self.region).with_overrides(&self.prices) {
            out.extend(errors.into_iter().map(|e| override_problem(prefix, e)));
        }
        out
    }

    /// The price table with the overrides applied (the catalog alone if the
    /// overrides are invalid; [`Pricing::validate`] reports them).
    pub fn catalog(&self) -> Catalog {
        let base = Catalog::for_region(self.region);
        base.with_overrides(&self.prices).unwrap_or(base)
    }

    /// The Lambda bill's switches.
    pub fn lambda_options(&self) -> LambdaBillOptions {
        LambdaBillOptions {
            free_tier: self.free_tier,
            init_billed: self.init_billing == InitBilling::SinceAug2025,
        }
    }

    /// The EC2 bill's switches; the discount in basis points, rounded to
    /// the nearest (a percentage with more than two decimals is not a
    /// price anyone quotes).
    pub fn ec2_options(&self) -> Ec2BillOptions {
        let d = if self.ec2_discount_percent.is_finite() {
            self.ec2_discount_percent
                .clamp(0.0, MAX_EC2_DISCOUNT_PERCENT)
        } else {
            0.0
        };
        Ec2BillOptions {
            discount_basis_points: libm::round(d * 100.0) as u32,
            free_tier: self.free_tier,
        }
    }
}

/// An override the catalog refused, as a scenario problem with its path.
fn override_problem(prefix: &str, e: OverrideError) -> ScenarioError {
    match e {
        OverrideError::TierCount { field, got, tiers } => ScenarioError {
            path: format!("{prefix}.prices.{field}"),
            value: Some(format!("{got} prices")),
            message: format!("give 1 price (for every tier) or {tiers} (one per tier)"),
        },
        OverrideError::UnknownInstanceType { name, known } => ScenarioError {
            path: format!("{prefix}.prices.ec2_hourly.{name}"),
            value: Some(name),
            message: format!("is not an instance type of the catalog; known: {known}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::billing::PicoUsd;

    #[test]
    fn defaults_are_list_prices_with_free_tier_and_init_billed() {
        let p: Pricing = serde_json::from_str("{}").unwrap();
        assert_eq!(p, Pricing::default());
        assert!(p.validate("pricing").is_empty());
        assert_eq!(p.lambda_options(), LambdaBillOptions::default());
        assert_eq!(p.ec2_options(), Ec2BillOptions::default());
        assert_eq!(p.catalog(), Catalog::us_east_1());
    }

    #[test]
    fn unknown_fields_are_refused() {
        let e = serde_json::from_str::<Pricing>(r#"{"free_teir": false}"#).unwrap_err();
        assert!(e.to_string().contains("free_teir"), "{e}");
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

    #[test]
    fn overrides_and_switches_reach_the_bills() {
        let p: Pricing = serde_json::from_str(
            r#"{"free_tier": false, "init_billing": "before_aug_2025",
                "ec2_discount_percent": 12.345, "prices": {"lambda_requests": "0.40"}}"#,
        )
        .unwrap();
        assert_eq!(
            p.lambda_options(),
            LambdaBillOptions {
                free_tier: false,
                init_billed: false
            }
        );
        assert_eq!(p.ec2_options().discount_basis_points, 1_235);
        assert!(!p.ec2_options().free_tier);
        assert_eq!(
            p.catalog().lambda.requests.usd,
            PicoUsd(400_000_000_000),
            "$0.40 per 1M"
        );
        let nan = Pricing {
            ec2_discount_percent: f64::NAN,
            ..Pricing::default()
        };
        assert_eq!(nan.validate("p")[0].path, "p.ec2_discount_percent");
        assert_eq!(nan.ec2_options().discount_basis_points, 0);
    }
}
