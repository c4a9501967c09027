//! The pure simulation engine: std, serde and seeded randomness only. No
//! browser crates, no wall clock, no global RNG: the same scenario and seed
//! give the same numbers natively and in the browser.

pub mod action;
pub mod billing;
pub mod counters;
pub mod defaults;
pub mod dist;
pub mod ec2;
pub mod estimate;
pub mod happening;
pub mod lambda;
pub mod metrics;
pub mod order;
pub mod queue;
pub mod scenario;
pub mod sim;
pub mod slots;
pub mod sqs;
pub mod time;
pub mod traffic;

// old paths, kept for the merge
pub use self::sim::{progress, report};
