//! Prices and bills: the price catalog (data, with sources), money as
//! integer micro-dollars, the usage the simulator produces, and the
//! itemized Lambda and EC2 bills.
//!
//! ```
//! use fanout::engine::billing::{
//!     lambda_bill, Architecture, Catalog, EventSourceUsage, LambdaBillOptions, LambdaUsage,
//! };
//! // 3 M invocations of 120 ms at 1,536 MB (x86) in a month.
//! let mut u = LambdaUsage::new(Architecture::X86_64, 1_536, 512);
//! u.on_demand.requests = 3_000_000;
//! u.on_demand.billed_ms = 3_000_000 * 120;
//! u.on_demand.billed_ms_with_init = u.on_demand.billed_ms;
//! let bill = lambda_bill(
//!     &u,
//!     &EventSourceUsage::default(),
//!     &Catalog::us_east_1(),
//!     LambdaBillOptions::default(),
//! );
//! assert_eq!(bill.total.to_string(), "$2.73");
//! ```

pub mod accrual;
mod arch;
mod bill;
mod catalog;
mod ec2_charges;
mod events;
mod lambda_charges;
mod money;
pub mod pricing;
pub mod projection;
mod statement;
pub mod usage;

pub use arch::Architecture;
pub use bill::{Bill, BillLine, Charge, Ledger, Priced, Quantity, Rate, Tally, Words};
pub use catalog::{
    AlbPrices, ApiGatewayPrices, Catalog, Ec2Prices, InstanceType, LambdaFreeTier, LambdaPrices,
    LcuDimensions, OverrideError, PerArch, Price, PriceOverrides, Provenance, Region, S3Prices,
    SqsPrices, Tier,
};
pub use ec2_charges::{ec2_bill, ec2_charges, lcu_hours, BillError, Ec2BillOptions};
pub use events::{event_source_charges, event_sources_bill};
pub use lambda_charges::{lambda_bill, lambda_charges, tier_bounds, LambdaBillOptions};
pub use money::{amount, group_thousands, Money, PicoUsd, PriceParseError};
pub use statement::{render_table, Statement, StatementJson};
pub use usage::{
    AlbHour, AlbUsage, Ec2Usage, EventSourceUsage, InstanceUsage, InvocationTotals, LambdaUsage,
    UsageError,
};
