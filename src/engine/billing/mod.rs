//! Prices and bills: the price catalog (data, with sources), money as
//! integer micro-dollars, and the Lambda and EC2 bills.

mod arch;
pub use arch::Architecture;
