//! The controls: the transport (play, speed, clock; [`transport`]),
//! fast-forward ([`fast_forward`]), presenter mode's keyboard shortcuts
//! ([`presenter`]), the live actions panel ([`actions`]: the user's
//! injected actions, the engine's `Action`), the preset picker
//! ([`preset_picker`]), the tour bar ([`tour_bar`]) and the parameter form
//! ([`params`]).

pub mod actions;
pub mod fast_forward;
pub mod params;
pub mod presenter;
pub mod preset_picker;
pub mod timeline;
pub mod tour_bar;
pub mod transport;
