//! The `ec2` section's schema and validation now live in
//! [`crate::engine::scenario::ec2`]; this module re-exports them.

// old path, kept for the merge
pub use crate::engine::scenario::ec2::*;
