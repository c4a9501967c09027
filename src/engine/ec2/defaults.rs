//! The EC2 side's defaults, assumptions and limits now live in
//! [`crate::engine::scenario::ec2::defaults`]; this module re-exports them.

// old path, kept for the merge
pub use crate::engine::scenario::ec2::defaults::*;
