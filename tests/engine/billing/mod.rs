//! Billing over simulated runs: the cost accrued during a run, and the
//! aggregate month against the simulation.

mod accrual;
mod aggregate;
mod burstable;
mod public_ipv4;
