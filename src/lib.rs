//! Fanout: a visual simulator of AWS compute.
//!
//! - [`engine`] is a pure, deterministic discrete-event model of AWS Lambda
//!   and a self-managed EC2 fleet, with their bills. It knows nothing of the
//!   browser. Its front page maps each part of the model to its module:
//!   the scenario schema (`engine::scenario`), Lambda's cold start and
//!   scaling rate (`engine::lambda`), the EC2 fleet (`engine::ec2`), the
//!   event loop (`engine::sim`), prices and bills (`engine::billing`, with
//!   every price in `src/engine/billing/catalog/us-east-1.json`), the
//!   monthly estimate and sweep (`engine::estimate`).
//! - [`common`] holds the pure code the command line, the app and the fuzz
//!   targets share: number formatting, the link codec (`common::link`),
//!   presets and tours as data.
//! - `ui` (feature `ui`, built for the browser) is the Yew app that animates
//!   the engine's snapshots: `ui::app` (root state), `ui::stage` (the
//!   Lambda and EC2 panels, particles), `ui::controls`, `ui::charts`,
//!   `ui::dialogs`, `ui::view_model` (layout, level of detail).
//!
//! `docs/architecture.md` walks through the same layout.

pub mod common;
pub mod engine;

#[cfg(feature = "ui")]
pub mod ui;

#[cfg(all(feature = "ui", target_arch = "wasm32"))]
pub mod wasm_bench;
