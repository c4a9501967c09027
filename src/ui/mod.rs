//! The Yew app: renders engine snapshots, happenings and bills; computes
//! nothing of the simulation's own.
//!
//! - `app`: the root component (its state in sub-states, the animation
//!   loop, the page's layout).
//! - [`stage`]: the hero: sources, the Lambda and EC2 panels, particles.
//! - [`controls`]: transport, fast-forward, presenter shortcuts, live
//!   actions, preset picker, tour bar, parameter form.
//! - [`charts`]: metrics table and cost meters, over-time charts,
//!   break-even.
//! - [`dialogs`]: the modal dialog, help, embed, import and export.
//! - [`view_model`]: pure helpers with native unit tests (layout, level of
//!   detail, particles, frame budget, clock, chart samples).
//! - [`sim_handle`] owns the running simulation and hands out views;
//!   [`web`] holds the browser calls (location, history, downloads,
//!   clipboard).
//!
//! The pure parts shared with the command line and the fuzz targets
//! (number formatting, the link codec, presets and tours as data) are in
//! [`crate::common`].

mod app;
pub mod charts;
pub mod controls;
pub mod dialogs;
pub mod sim_handle;
pub mod stage;
pub mod view_model;
pub mod web;

pub use app::App;
