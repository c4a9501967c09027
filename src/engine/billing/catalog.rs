//! The price catalog: every price the bills use, with its source, the date
//! it was read and whether it is an AWS figure, a secondary one or an
//! assumption.
//!
//! The prices are data, in `catalog/<region>.json` beside this file: a
//! price change is a one-line edit there. `build.rs` turns the file into the
//! Rust code that builds the [`Catalog`] (so the app parses no JSON for it);
//! a unit test checks that value against serde's reading of the file.
//! Another region is one more file, one more entry in `build.rs` and one
//! more [`Region`] variant. A scenario can
//! override any price with [`PriceOverrides`] (for teaching "what if").
//!
//! ```
//! use fanout::engine::billing::{Catalog, Region};
//! let c = Catalog::for_region(Region::UsEast1);
//! assert_eq!(c.lambda.requests.usd.to_string(), "$0.20");
//! assert_eq!(c.ec2.instance("m5.large").unwrap().price.usd.to_string(), "$0.096");
//! ```

use super::money::PicoUsd;
use super::Architecture;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;
use thiserror::Error;

/// An AWS Region with a price table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Region {
    /// US East (N. Virginia).
    #[default]
    #[serde(rename = "us-east-1")]
    UsEast1,
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Region::UsEast1 => "us-east-1",
        })
    }
}

/// Where a figure comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// Read on the AWS page named in `source`.
    Aws,
    /// Independent public price tables agree; the AWS page itself could not
    /// be read.
    Secondary,
    /// A teaching default, not an AWS price.
    Assumption,
    /// Set by the scenario (a "what if"), not by AWS.
    Override,
}

/// One unit price: `usd` per `per` `unit`s (e.g. $0.20 per 1,000,000
/// requests).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// Price [USD per `per` units], held exactly in pico-dollars.
    pub usd: PicoUsd,
    /// How many units the price is for \[units\].
    pub per: u64,
    /// The unit, singular (e.g. "GB-s", "requests", "instance-hour").
    pub unit: String,
    pub status: Provenance,
    /// When the source was read.
    pub read: String,
    /// The page (and the line on it) the price comes from.
    pub source: String,
}

impl Price {
    /// This price replaced by a scenario's override.
    fn overridden(&self, usd: PicoUsd) -> Price {
        Price {
            usd,
            status: Provenance::Override,
            source: format!("scenario override (catalog: {} per {})", self.usd, self.per),
            ..self.clone()
        }
    }
}

/// One duration tier: the price applies to monthly usage up to `up_to_gb_s`
/// (cumulative, from zero).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// Upper bound of the tier, cumulative; `None` for the last tier
    /// [GB-s per month].
    pub up_to_gb_s: Option<u64>,
    pub price: Price,
}

/// One value per Lambda architecture.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerArch<T> {
    pub x86_64: T,
    pub arm64: T,
}

impl<T> PerArch<T> {
    pub fn get(&self, arch: Architecture) -> &T {
        match arch {
            Architecture::X86_64 => &self.x86_64,
            Architecture::Arm64 => &self.arm64,
        }
    }
    fn get_mut(&mut self, arch: Architecture) -> &mut T {
        match arch {
            Architecture::X86_64 => &mut self.x86_64,
            Architecture::Arm64 => &mut self.arm64,
        }
    }
}

/// Lambda's monthly free tier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LambdaFreeTier {
    /// Free requests per month \[requests\].
    pub requests: u64,
    /// Free compute per month [GB-s].
    pub gb_seconds: u64,
    pub status: Provenance,
    pub read: String,
    pub source: String,
}

/// Lambda prices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LambdaPrices {
    /// Price [USD per 1M requests].
    pub requests: Price,
    /// On-demand duration tiers, per architecture [USD per GB-s].
    pub duration: PerArch<Vec<Tier>>,
    /// Provisioned concurrency configured [USD per GB-s].
    pub provisioned_configured: PerArch<Price>,
    /// Duration served by provisioned concurrency [USD per GB-s].
    pub provisioned_duration: PerArch<Price>,
    /// Ephemeral storage above the included size [USD per GB-s].
    pub ephemeral_storage: Price,
    /// Ephemeral storage included in the price \[MB\].
    pub included_ephemeral_storage_mb: u32,
    pub free_tier: LambdaFreeTier,
}

/// One EC2 instance type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceType {
    /// API name, e.g. "m5.large".
    pub name: String,
    /// Virtual CPUs \[vCPU\].
    pub vcpu: u32,
    /// Memory \[GiB\].
    pub memory_gib: u32,
    /// Linux on-demand price [USD per instance-hour].
    pub price: Price,
}

/// Where the discount figure comes from (it is a user setting).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscountNote {
    pub status: Provenance,
    pub read: String,
    pub source: String,
}

/// EC2 prices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ec2Prices {
    pub instances: Vec<InstanceType>,
    /// Savings Plans / Spot: a user-set percentage, an assumption.
    pub discount: DiscountNote,
}

impl Ec2Prices {
    /// The catalog entry of an instance type, by API name.
    pub fn instance(&self, name: &str) -> Option<&InstanceType> {
        self.instances.iter().find(|i| i.name == name)
    }
    /// The names of all instance types, in catalog order.
    pub fn names(&self) -> Vec<&str> {
        self.instances.iter().map(|i| i.name.as_str()).collect()
    }
}

/// The capacity of one Load Balancer Capacity Unit: the hour's LCU count is
/// the largest of the four dimensions' usage divided by these.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LcuDimensions {
    /// [new connections per second]
    pub new_connections_per_second: u64,
    /// [active connections per minute]
    pub active_connections_per_minute: u64,
    /// Processed bytes with EC2 targets [bytes per hour].
    pub processed_bytes_per_hour_ec2: u64,
    /// Processed bytes with Lambda targets [bytes per hour].
    pub processed_bytes_per_hour_lambda: u64,
    /// [rule evaluations per second]
    pub rule_evaluations_per_second: u64,
    pub status: Provenance,
    pub read: String,
    pub source: String,
}

/// Application Load Balancer prices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlbPrices {
    /// [USD per ALB-hour]; a partial hour is a full hour.
    pub hour: Price,
    /// [USD per LCU-hour]
    pub lcu_hour: Price,
    pub lcu: LcuDimensions,
}

/// SQS prices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqsPrices {
    /// Standard queue [USD per 1M requests].
    pub standard: Price,
    /// FIFO queue [USD per 1M requests].
    pub fifo: Price,
    /// Free requests per month, standard first then FIFO \[requests\].
    pub free_requests: u64,
    /// Payload bytes per billed request \[bytes\].
    pub chunk_bytes: u64,
    /// Where the free tier and chunk size come from.
    pub free_tier: DiscountNote,
}

/// API Gateway prices (first tier only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiGatewayPrices {
    /// HTTP API [USD per 1M requests].
    pub http: Price,
    /// REST API [USD per 1M requests].
    pub rest: Price,
}

/// S3 request prices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Prices {
    /// PUT, COPY, POST, LIST [USD per 1,000 requests].
    pub put: Price,
    /// GET and others [USD per 1,000 requests].
    pub get: Price,
}

/// Every price of one region.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub region: Region,
    pub currency: String,
    /// What the `status` values mean and when the prices were read.
    pub notes: String,
    pub lambda: LambdaPrices,
    pub ec2: Ec2Prices,
    pub alb: AlbPrices,
    pub sqs: SqsPrices,
    pub api_gateway: ApiGatewayPrices,
    pub s3: S3Prices,
    /// EBS gp3 storage [USD per GB-month].
    pub ebs_gp3: Price,
    /// A public IPv4 address, in use or idle [USD per IP-hour].
    pub public_ipv4: Price,
    /// Surplus CPU credits of a T3 instance in unlimited mode [USD per vCPU-hour].
    pub t3_unlimited_surplus: Price,
}

/// The catalog JSON, read by serde only in the tests: the app and the
/// command line use the value `build.rs` generates from the same file.
#[cfg(test)]
const US_EAST_1: &str = include_str!("catalog/us-east-1.json");

/// A price of the generated catalog code, read by `PicoUsd`'s own parser.
fn pico(usd: &str) -> PicoUsd {
    usd.parse()
        .expect("catalog/us-east-1.json prices are valid (checked by build.rs and a unit test)")
}

impl Catalog {
    /// The price table of `region`.
    pub fn for_region(region: Region) -> Catalog {
        static US_EAST_1_BUILT: OnceLock<Catalog> = OnceLock::new();
        match region {
            // Generated by build.rs from catalog/us-east-1.json (no JSON
            // parsing at run time, no catalog deserializer in the wasm).
            Region::UsEast1 => US_EAST_1_BUILT
                .get_or_init(|| include!(concat!(env!("OUT_DIR"), "/catalog_us_east_1.rs")))
                .clone(),
        }
    }

    /// US East (N. Virginia).
    pub fn us_east_1() -> Catalog {
        Catalog::for_region(Region::UsEast1)
    }

    /// This catalog with a scenario's overrides applied; every problem is
    /// listed.
    pub fn with_overrides(&self, o: &PriceOverrides) -> Result<Catalog, Vec<OverrideError>> {
        let mut c = self.clone();
        let mut errors = Vec::new();
        let set = |p: &mut Price, v: Option<PicoUsd>| {
            if let Some(v) = v {
                *p = p.overridden(v);
            }
        };
        set(&mut c.lambda.requests, o.lambda_requests);
        for arch in [Architecture::X86_64, Architecture::Arm64] {
            let (dur, conf, pdur) = match arch {
                Architecture::X86_64 => (
                    &o.lambda_duration_x86_64,
                    o.lambda_provisioned_configured_x86_64,
                    o.lambda_provisioned_duration_x86_64,
                ),
                Architecture::Arm64 => (
                    &o.lambda_duration_arm64,
                    o.lambda_provisioned_configured_arm64,
                    o.lambda_provisioned_duration_arm64,
                ),
            };
            if let Some(prices) = dur {
                let tiers = c.lambda.duration.get_mut(arch);
                if prices.len() == 1 {
                    for t in tiers.iter_mut() {
                        t.price = t.price.overridden(prices[0]);
                    }
                } else if prices.len() == tiers.len() {
                    for (t, p) in tiers.iter_mut().zip(prices) {
                        t.price = t.price.overridden(*p);
                    }
                } else {
                    errors.push(OverrideError::TierCount {
                        field: format!("lambda_duration_{arch}"),
                        got: prices.len(),
                        tiers: tiers.len(),
                    });
                }
            }
            set(c.lambda.provisioned_configured.get_mut(arch), conf);
            set(c.lambda.provisioned_duration.get_mut(arch), pdur);
        }
        set(&mut c.lambda.ephemeral_storage, o.lambda_ephemeral_storage);
        if let Some(n) = o.lambda_free_requests {
            c.lambda.free_tier.requests = n;
            c.lambda.free_tier.status = Provenance::Override;
        }
        if let Some(n) = o.lambda_free_gb_seconds {
            c.lambda.free_tier.gb_seconds = n;
            c.lambda.free_tier.status = Provenance::Override;
        }
        for (name, usd) in &o.ec2_hourly {
            match c.ec2.instances.iter_mut().find(|i| &i.name == name) {
                Some(i) => i.price = i.price.overridden(*usd),
                None => errors.push(OverrideError::UnknownInstanceType {
                    name: name.clone(),
                    known: self.ec2.names().join(", "),
                }),
            }
        }
        set(&mut c.alb.hour, o.alb_hour);
        set(&mut c.alb.lcu_hour, o.alb_lcu_hour);
        set(&mut c.sqs.standard, o.sqs_standard);
        set(&mut c.sqs.fifo, o.sqs_fifo);
        if let Some(n) = o.sqs_free_requests {
            c.sqs.free_requests = n;
            c.sqs.free_tier.status = Provenance::Override;
        }
        set(&mut c.api_gateway.http, o.api_gateway_http);
        set(&mut c.api_gateway.rest, o.api_gateway_rest);
        set(&mut c.s3.put, o.s3_put);
        set(&mut c.s3.get, o.s3_get);
        set(&mut c.ebs_gp3, o.ebs_gp3);
        set(&mut c.public_ipv4, o.public_ipv4);
        set(&mut c.t3_unlimited_surplus, o.t3_unlimited_surplus);
        if errors.is_empty() {
            Ok(c)
        } else {
            Err(errors)
        }
    }
}

/// A scenario's "what if" prices, applied on top of the catalog. Every field
/// is optional; each price is in the catalog's own unit (read it with the
/// field doc) and written as a decimal string or number of dollars.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PriceOverrides {
    /// [USD per 1M requests]
    pub lambda_requests: Option<PicoUsd>,
    /// One price for every tier, or one per tier, first to last
    /// [USD per GB-s].
    pub lambda_duration_x86_64: Option<Vec<PicoUsd>>,
    /// Likewise for Arm [USD per GB-s].
    pub lambda_duration_arm64: Option<Vec<PicoUsd>>,
    /// [USD per GB-s]
    pub lambda_provisioned_configured_x86_64: Option<PicoUsd>,
    /// [USD per GB-s]
    pub lambda_provisioned_configured_arm64: Option<PicoUsd>,
    /// [USD per GB-s]
    pub lambda_provisioned_duration_x86_64: Option<PicoUsd>,
    /// [USD per GB-s]
    pub lambda_provisioned_duration_arm64: Option<PicoUsd>,
    /// Above the included 512 MB [USD per GB-s].
    pub lambda_ephemeral_storage: Option<PicoUsd>,
    /// [requests per month]
    pub lambda_free_requests: Option<u64>,
    /// [GB-s per month]
    pub lambda_free_gb_seconds: Option<u64>,
    /// Instance type name → on-demand price [USD per instance-hour].
    pub ec2_hourly: BTreeMap<String, PicoUsd>,
    /// [USD per ALB-hour]
    pub alb_hour: Option<PicoUsd>,
    /// [USD per LCU-hour]
    pub alb_lcu_hour: Option<PicoUsd>,
    /// [USD per 1M requests]
    pub sqs_standard: Option<PicoUsd>,
    /// [USD per 1M requests]
    pub sqs_fifo: Option<PicoUsd>,
    /// [requests per month]
    pub sqs_free_requests: Option<u64>,
    /// [USD per 1M requests]
    pub api_gateway_http: Option<PicoUsd>,
    /// [USD per 1M requests]
    pub api_gateway_rest: Option<PicoUsd>,
    /// [USD per 1,000 requests]
    pub s3_put: Option<PicoUsd>,
    /// [USD per 1,000 requests]
    pub s3_get: Option<PicoUsd>,
    /// [USD per GB-month]
    pub ebs_gp3: Option<PicoUsd>,
    /// [USD per IP-hour]
    pub public_ipv4: Option<PicoUsd>,
    /// [USD per vCPU-hour]
    pub t3_unlimited_surplus: Option<PicoUsd>,
}

/// A price override the catalog cannot apply.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum OverrideError {
    #[error(
        "prices.{field}: {got} prices given; give 1 (for every tier) or {tiers} (one per tier)"
    )]
    TierCount {
        field: String,
        got: usize,
        tiers: usize,
    },
    #[error("prices.ec2_hourly.{name}: unknown instance type; known: {known}")]
    UnknownInstanceType { name: String, known: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_in_catalog_parses_and_holds_every_price() {
        let c = Catalog::us_east_1();
        assert_eq!(c.region, Region::UsEast1);
        let x86 = &c.lambda.duration.x86_64;
        let arm = &c.lambda.duration.arm64;
        let bounds = |t: &[Tier]| t.iter().map(|t| t.up_to_gb_s).collect::<Vec<_>>();
        assert_eq!(
            bounds(x86),
            [Some(6_000_000_000), Some(15_000_000_000), None]
        );
        assert_eq!(
            bounds(arm),
            [Some(7_500_000_000), Some(18_750_000_000), None]
        );
        assert_eq!(x86[0].price.usd, PicoUsd(16_666_700));
        assert_eq!(arm[2].price.usd, PicoUsd(10_666_700));
        assert_eq!(c.lambda.free_tier.requests, 1_000_000);
        assert_eq!(c.lambda.free_tier.gb_seconds, 400_000);
        assert_eq!(c.ec2.instances.len(), 9);
        assert_eq!(c.ec2.instance("c7g.large").unwrap().memory_gib, 4);
        assert_eq!(c.alb.lcu.active_connections_per_minute, 3_000);
        assert_eq!(c.sqs.chunk_bytes, 64 * 1_024);
        assert_eq!(c.ebs_gp3.status, Provenance::Assumption);
        assert_eq!(c.ec2.discount.status, Provenance::Assumption);
    }

    #[test]
    fn the_generated_catalog_equals_the_json_read_by_serde() {
        let read: Catalog = serde_json::from_str(US_EAST_1).unwrap();
        assert_eq!(Catalog::us_east_1(), read);
    }

    #[test]
    fn tiers_ascend_and_end_open() {
        let c = Catalog::us_east_1();
        for tiers in [&c.lambda.duration.x86_64, &c.lambda.duration.arm64] {
            let bounds: Vec<u64> = tiers.iter().filter_map(|t| t.up_to_gb_s).collect();
            assert!(bounds.windows(2).all(|w| w[0] < w[1]));
            assert_eq!(tiers.last().unwrap().up_to_gb_s, None);
            assert_eq!(bounds.len(), tiers.len() - 1);
        }
    }

    #[test]
    fn overrides_replace_prices_and_are_marked() {
        let o: PriceOverrides = serde_json::from_str(
            r#"{ "lambda_requests": "0.25", "lambda_duration_arm64": [0.00001],
                 "ec2_hourly": { "m5.large": "0.05" } }"#,
        )
        .unwrap();
        let c = Catalog::us_east_1().with_overrides(&o).unwrap();
        assert_eq!(c.lambda.requests.usd, PicoUsd(250_000_000_000));
        assert_eq!(c.lambda.requests.status, Provenance::Override);
        assert!(c
            .lambda
            .duration
            .arm64
            .iter()
            .all(|t| t.price.usd == PicoUsd(10_000_000)));
        assert_eq!(
            c.ec2.instance("m5.large").unwrap().price.usd,
            PicoUsd(50_000_000_000)
        );
        // Untouched prices keep their source.
        assert_eq!(c.lambda.duration.x86_64[0].price.status, Provenance::Aws);
    }

    #[test]
    fn bad_overrides_are_all_listed() {
        let o: PriceOverrides = serde_json::from_str(
            r#"{ "lambda_duration_x86_64": ["1", "2"], "ec2_hourly": { "z9.huge": "1" } }"#,
        )
        .unwrap();
        let errors = Catalog::us_east_1().with_overrides(&o).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(errors[0].to_string().contains("lambda_duration_x86_64"));
        assert!(errors[1].to_string().contains("z9.huge"));
        assert!(serde_json::from_str::<PriceOverrides>(r#"{ "lambda_request": "1" }"#).is_err());
    }
}
