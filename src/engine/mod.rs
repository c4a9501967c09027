//! The pure simulation engine: std, serde and seeded randomness only. No
//! browser crates, no wall clock, no global RNG: the same scenario and seed
//! give the same numbers natively and in the browser.

pub mod billing;
pub mod queue;
pub mod time;
