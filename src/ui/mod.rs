//! The Yew app: renders engine snapshots; computes nothing of its own.

mod app;
pub use app::App;
