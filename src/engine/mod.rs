//! The pure simulation engine: std, serde and seeded randomness only. No
//! browser crates, no wall clock, no global RNG: the same scenario and seed
//! give the same numbers natively and in the browser.

pub mod action;
pub mod billing;
pub mod defaults;
pub mod dist;
pub mod ec2;
pub mod happening;
pub mod idle_set;
pub mod lambda;
pub mod metrics;
pub mod order;
pub mod progress;
pub mod queue;
pub mod report;
pub mod scenario;
pub mod sim;
pub mod slots;
pub mod sqs;
pub mod time;
pub mod traffic;
