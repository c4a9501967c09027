//! Fanout: a visual simulator of AWS compute.
//!
//! [`engine`] is a pure, deterministic discrete-event model of AWS Lambda and
//! a self-managed EC2 fleet, with their bills. It knows nothing of the
//! browser. [`common`] holds the pure code the command line, the app and the
//! fuzz targets share (number formatting, the link codec, presets and tours
//! as data). [`ui`] (feature `ui`) is the Yew app that animates its snapshots.

pub mod common;
pub mod engine;

#[cfg(feature = "ui")]
pub mod ui;

#[cfg(all(feature = "ui", target_arch = "wasm32"))]
pub mod wasm_bench;
