//! The engine's scenario tests, one integration-test binary:
//! - `lambda`: the Lambda side (behaviour, scaling, examples, properties);
//! - `ec2`: the EC2 side (M/M/c against Erlang C, Little's law, Auto
//!   Scaling, failures, patching, live actions, properties, bad input);
//! - `billing`: cost accrual during a run and the aggregate month against
//!   the simulation;
//! - `invariants`: both sides together over random valid scenarios;
//! - `fuzz_regressions`: the fuzz targets' seeds and crashes, replayed.
//!
//! One module or test by name: `cargo test --test engine ec2::`,
//! `cargo test --test engine invariants`.

mod billing;
mod ec2;
mod fuzz_regressions;
mod invariants;
mod lambda;

#[path = "../common/mod.rs"]
mod common;
