//! Pure code shared by the command line, the browser app and the fuzz
//! targets, built without the `ui` feature (no Yew, no browser crates):
//! [`format`](mod@format) (numbers and times for reading), [`link`] (the link codec:
//! a state in a URL fragment and back), [`presets`] (the example scenarios
//! compiled in) and [`tour`] (guided tours as data, and their checks).

pub mod format;
pub mod link;
pub mod moments;
pub mod presets;
pub mod tour;
