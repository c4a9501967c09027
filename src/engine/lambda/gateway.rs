//! API Gateway in front of the function: its integration timeout. A
//! synchronous request whose INIT (when cold) plus handler runs past the
//! API's integration timeout gets an HTTP 504 from API Gateway at the
//! timeout, while the function runs on, keeps its environment busy until
//! the handler ends, and is billed in full (Lambda does not know the
//! caller gave up). Also the API request's price by API type (HTTP or REST).

use super::environments::Job;
use super::{LambdaCtx, LambdaEvent, LambdaSide};
use crate::engine::happening::HappeningKind;
use crate::engine::scenario::{ApiType, Scenario};
use crate::engine::time::SimDuration;

/// The API Gateway API of one `api` source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gateway {
    /// REST API (else HTTP API): sets the request price.
    pub rest: bool,
    /// The integration timeout.
    pub timeout: SimDuration,
}

impl Gateway {
    /// The gateway of each source of `scenario` (none for non-API sources).
    pub fn for_sources(scenario: &Scenario) -> Vec<Option<Gateway>> {
        scenario
            .sources
            .iter()
            .map(|source| {
                source.api_config().map(|api| Gateway {
                    rest: api.api_type == ApiType::Rest,
                    timeout: SimDuration::from_secs_f64(api.timeout_s()),
                })
            })
            .collect()
    }
}

impl LambdaSide {
    /// Counts an API request that reached API Gateway from `source`, by type.
    pub(super) fn bill_api_request(&mut self, source: u16) {
        self.billable.api_requests += 1;
        if self.gateway(source).is_some_and(|g| g.rest) {
            self.billable.api_rest_requests += 1;
        }
    }

    fn gateway(&self, source: u16) -> Option<Gateway> {
        self.gateways.get(source as usize).copied().flatten()
    }

    /// An invocation just started in `slot`: if it is an API request whose
    /// response (INIT when cold, plus the handler) would come after the
    /// API's integration timeout, API Gateway answers 504 at the timeout.
    pub(super) fn watch_gateway<E: From<LambdaEvent>>(
        &mut self,
        slot: u32,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        let env = &self.envs[slot as usize];
        let Job::Sync { source, arrived } = env.job else {
            return;
        };
        let Some(gateway) = self.gateway(source) else {
            return;
        };
        let response = ctx.now + env.init + env.handler;
        let deadline = arrived + gateway.timeout;
        if response > deadline {
            let gen = env.gen;
            ctx.schedule(deadline, LambdaEvent::GatewayTimeout { slot, gen });
        }
    }

    /// API Gateway's integration timeout ran out for the request running in
    /// `slot`: the client gets an HTTP 504 now; the invocation runs on.
    pub(super) fn on_gateway_timeout<E: From<LambdaEvent>>(
        &mut self,
        slot: u32,
        gen: u32,
        ctx: &mut LambdaCtx<'_, E>,
    ) {
        let Some(env) = self.envs.get_mut(slot as usize) else {
            return;
        };
        if env.gen != gen || env.state.is_none() {
            return;
        }
        let Job::Sync { source, arrived } = env.job else {
            return;
        };
        env.job = Job::Answered { source };
        let id = env.id;
        self.counters.in_flight -= 1;
        self.counters.timed_out += 1;
        self.counters.gateway_timeouts += 1;
        let per_source = &mut self.per_source[source as usize];
        per_source.timed_out += 1;
        per_source.gateway_timeouts += 1;
        self.latency.record(ctx.now.since(arrived).as_micros());
        ctx.log(HappeningKind::GatewayTimeout, Some(source), Some(id));
    }
}
