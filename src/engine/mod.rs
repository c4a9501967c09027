//! The pure simulation engine: std, serde and seeded randomness only. No
//! browser crates, no wall clock, no global RNG: the same scenario and seed
//! give the same numbers natively and in the browser.
//!
//! # Where each part of the model lives
//!
//! | concern | module |
//! |---|---|
//! | the input: a scenario, its sections and their validation | [`scenario`] (`sources`, `function`, `ec2`, `pricing`, `problems`, `usage`) |
//! | every AWS default and assumption, with its source | [`defaults`], [`scenario::ec2::defaults`], the price catalog `billing/catalog/us-east-1.json` |
//! | the event loop, live actions, replay and the report | [`sim`] |
//! | Lambda: environments and the cold start, idle set, scaling rate and throttling, async invocation, SQS pollers, provisioned concurrency | [`lambda`] (`environments`, `idle`, `scaling`, `async_invoke`, `sqs_pollers`, `provisioned`) |
//! | EC2: the load balancer, workers, instance lifecycle and zones, patching, the operator, Auto Scaling | [`ec2`] |
//! | prices, money and bills (a leaf: it knows no simulation) | [`billing`] |
//! | the aggregate month and the volume sweep (they run simulations) | [`estimate`] |
//! | machinery: time, the event queue, arrivals, distributions, counters and metrics, happenings | private modules; their public types are re-exported here |
//!
//! The modules form a DAG: `billing` and `scenario` are below `lambda` and
//! `ec2`, those below `sim`, and `estimate` above it (`tests/shape.rs`
//! checks that no module imports one that imports it back).
//!
//! ```
//! use fanout::engine::{scenario::Scenario, SimDuration, SimTime, Simulation};
//! let text = include_str!("../../static/scenarios/thumbnails.json");
//! let scenario = Scenario::from_json(text).expect("a valid scenario");
//! let mut sim = Simulation::new(&scenario).expect("it builds");
//! sim.advance_to(SimTime::ZERO + SimDuration::from_secs(60));
//! assert!(sim.counters().arrived > 0);
//! ```

pub(crate) mod action;
pub mod billing;
pub(crate) mod counters;
pub mod defaults;
pub(crate) mod dist;
pub mod ec2;
pub mod estimate;
pub(crate) mod happening;
pub mod lambda;
pub mod latency;
pub(crate) mod metrics;
pub(crate) mod order;
pub(crate) mod queue;
pub mod scenario;
pub mod sim;
pub(crate) mod slots;
pub(crate) mod sqs;
pub(crate) mod time;
pub(crate) mod traffic;

pub use action::{Action, ActionError, LoggedAction};
pub use counters::SourceCounters;
pub use dist::{rng_stream, Distribution};
pub use ec2::fleet::InstanceState;
pub use ec2::view::{Ec2Report, Ec2Snapshot};
pub use happening::{Happening, HappeningBatch, HappeningKind, Side};
pub use lambda::LambdaSnapshot;
pub use metrics::{Counters, LatencySummary};
pub use queue::EventQueue;
pub use sim::progress::InstantWatch;
pub use sim::report::{Report, SideReport};
pub use sim::{Simulation, Snapshot};
pub use time::{SimDuration, SimTime};
pub use traffic::{rate_peak, with_peak, ArrivalGen};
