//! The `fanout` command line, run as a binary on files (one integration-test
//! binary): `run` (tables, JSON, `--until`), `bill` (snapshots under
//! tests/snapshots/; the AWS pricing page's worked examples to the cent)
//! and `sweep` (CSV, break-even), each with the exit codes and messages of
//! bad input.

mod bill;
mod pricing_page;
mod run;
mod sweep;

#[path = "../common/mod.rs"]
mod common;
