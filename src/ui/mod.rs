//! The Yew app: renders engine snapshots; computes nothing of its own.

mod app;
pub mod clock;
pub mod stage;

pub use app::App;
