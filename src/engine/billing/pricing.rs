//! How usage is priced: which price table, which billing rules (free tier,
//! INIT billing) and which "what if" changes (an EC2 discount standing for
//! Savings Plans or Spot, price overrides) price the run, the aggregate
//! month and the sweep. It is a scenario's `pricing` section; its
//! validation, which names scenario paths, is in
//! [`crate::engine::scenario::pricing`].
//!
//! ```
//! use fanout::engine::billing::pricing::{InitBilling, Pricing};
//! let p: Pricing = serde_json::from_str(
//!     r#"{"free_tier": false, "init_billing": "before_aug_2025", "ec2_discount_percent": 30}"#,
//! ).unwrap();
//! assert_eq!(p.init_billing, InitBilling::BeforeAug2025);
//! assert_eq!(p.ec2_options().discount_basis_points, 3_000);
//! ```

use super::catalog::{Catalog, PriceOverrides, Region};
use super::ec2_charges::Ec2BillOptions;
use super::lambda_charges::LambdaBillOptions;
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
    /// The price table with the overrides applied (the catalog alone if the
    /// overrides are invalid; `Pricing::validate` reports them).
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::billing::PicoUsd;

    #[test]
    fn defaults_are_list_prices_with_free_tier_and_init_billed() {
        let p: Pricing = serde_json::from_str("{}").unwrap();
        assert_eq!(p, Pricing::default());
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
        assert_eq!(nan.ec2_options().discount_basis_points, 0);
    }
}
