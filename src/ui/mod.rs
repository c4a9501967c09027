//! The Yew app: renders engine snapshots, happenings and bills; computes
//! nothing of the simulation's own.
//!
//! Components, one per file: [`app`] (layout, animation loop), `controls`
//! (transport and clock), `presets` (picker), `stage` (sources and
//! particles) with `lambda_panel` and `ec2_panel`, `metrics` (live numbers,
//! cost meters, operator work), `chart` and `charts` (time series), `params`
//! (grouped parameter form). Pure helpers with native unit tests: `budget`
//! (per-frame time budget), `clock`, `cost` (billing adapter), `format`,
//! `history` (chart samples), `lod` (level of detail), `particles`.
//!
//! Sharing and presenting: `share` (the link's state: encode, decode,
//! limits; pure), `embed` (embed options and the snippet dialog), `present`
//! (keyboard shortcuts, help overlay), `dialog` (the two dialogs' markup),
//! `tour` (guided tours as data), `import_export` (CSV, SVG and JSON
//! builders, import checks), `web` (the browser calls they need: location,
//! history, downloads, clipboard).

mod app;
pub mod breakeven;
pub mod budget;
pub mod chart;
pub mod charts;
pub mod clock;
pub mod controls;
pub mod cost;
pub mod dialog;
pub mod ec2_panel;
pub mod embed;
pub mod fast_forward;
pub mod format;
pub mod history;
pub mod import_export;
pub mod lambda_panel;
pub mod layout;
pub mod lod;
pub mod metrics;
pub mod operations;
pub mod params;
pub mod particle_canvas;
pub mod particles;
pub mod present;
pub mod presets;
pub mod share;
pub mod sim_handle;
pub mod stage;
pub mod tour;
pub mod web;

pub use app::App;
