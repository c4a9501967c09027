//! The stage, the hero of the page: the event sources ([`sources`]), the
//! Lambda panel ([`lambda_panel`]) and the EC2 panel ([`ec2_panel`]) in one
//! SVG ([`scene`]), with the invocations in flight drawn on a canvas
//! ([`particle_canvas`]).

pub mod captions;
pub mod ec2_panel;
pub mod lambda_panel;
pub mod measure;
pub mod particle_canvas;
pub mod scene;
pub mod sources;

pub use scene::Stage;
