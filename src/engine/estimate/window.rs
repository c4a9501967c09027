//! The expected usage of a scenario's window ([`estimate`]): the window is
//! cut into slices of constant rate; each slice's arrivals become Lambda
//! invocations and requests (see [`super::lambda_side`]) and EC2 load (see
//! [`super::fleet`]), then both sides' usage is assembled.

use super::arrivals::{arrivals_in, pieces, slice_edges, Pieces, SliceLoad};
use super::fleet::{alb_usage, noise, surplus_vcpu_seconds, Ec2Service, FleetLoad, QueueReads};
use super::lambda_side::{LambdaModel, LambdaTotals, SqsSamples};
use super::sizing::fleet_usage;
use super::{round, AggregateOptions, Estimate};
use crate::engine::billing::usage::{async_request_units, sqs_request_units, EventSourceUsage};
use crate::engine::defaults as d;
use crate::engine::scenario::ec2::defaults as ed;
use crate::engine::scenario::ec2::Ec2Config;
use crate::engine::scenario::{ApiType, Scenario, Source, SourceKind};
use crate::engine::time::SimDuration;

/// The window's running totals besides the Lambda side's own.
#[derive(Default)]
struct WindowTotals {
    /// Arrivals of every source [events].
    arrivals: f64,
    /// Lambda side's event-source requests: HTTP API, S3 puts, SQS, REST API.
    sources: [f64; 4],
    /// The fleet's queue reads.
    queue: QueueReads,
    /// Per-slice EC2 load, for the fleet: (start, len, busy workers, api
    /// arrivals, api busy).
    load: Vec<SliceLoad>,
    sampled: SqsSamples,
}

/// What one slice asks of both sides.
#[derive(Default)]
struct SliceDemand {
    /// Lambda invocations (attempts, batches) [invocations].
    invocations: f64,
    /// Lambda requests billed [requests].
    request_units: f64,
    /// EC2 work [worker-seconds].
    ec2_busy: f64,
    /// API arrivals (through the load balancer) [requests].
    api_arrivals: f64,
}

/// The expected usage of `scenario`'s window (its `duration_s`).
pub fn estimate(scenario: &Scenario, ec2: &Ec2Config, opts: AggregateOptions) -> Estimate {
    let window = scenario.duration_s.max(0.0);
    let k = if opts.rate_scale.is_finite() {
        opts.rate_scale.max(0.0)
    } else {
        0.0
    };
    let f = &scenario.function;
    let traffic: Vec<Pieces> = scenario
        .sources
        .iter()
        .map(|s| pieces(&s.pattern, window, k))
        .collect();
    let edges = slice_edges(&traffic, scenario, ec2, window);
    let model = LambdaModel::new(scenario);
    let service = Ec2Service::new(scenario, ec2);

    let mut totals = WindowTotals::default();
    let mut lambda = LambdaTotals::default();
    let mut cursors = vec![0usize; traffic.len()];
    for w in edges.windows(2) {
        let (a, b) = (w[0], w[1]);
        let len = b - a;
        if len <= 0.0 {
            continue;
        }
        let level = f
            .provisioned
            .iter()
            .rfind(|s| s.at_s <= a + 1e-9)
            .map_or(0, |s| s.level);
        let mut demand = SliceDemand::default();
        for (i, s) in scenario.sources.iter().enumerate() {
            let n = arrivals_in(&traffic[i], &mut cursors[i], a, b);
            if n > 0.0 {
                let ctx = SourceCtx {
                    scenario,
                    ec2,
                    model: &model,
                    service: &service,
                    len,
                };
                totals.source(&ctx, i, s, n, &mut demand);
            }
        }
        totals.load.push((
            a,
            len,
            demand.ec2_busy / len,
            demand.api_arrivals,
            demand.api_arrivals * service.service_s / len,
        ));
        lambda.slice(
            &model,
            f,
            len,
            level,
            demand.invocations,
            demand.request_units,
        );
    }
    assemble(scenario, ec2, opts, window, &service, totals, lambda)
}

/// What every source's arrivals need besides their count.
struct SourceCtx<'a> {
    scenario: &'a Scenario,
    ec2: &'a Ec2Config,
    model: &'a LambdaModel,
    service: &'a Ec2Service<'a>,
    /// Length of the slice [s].
    len: f64,
}

impl WindowTotals {
    /// Adds `n` arrivals of source `i` in a slice to its demand.
    fn source(&mut self, ctx: &SourceCtx, i: usize, s: &Source, n: f64, demand: &mut SliceDemand) {
        let (model, service) = (ctx.model, ctx.service);
        self.arrivals += n;
        let payload = libm::ceil((s.payload_kb * 1_024.0).max(0.0)) as u64;
        match s.kind {
            SourceKind::Api => {
                let rest = s.api_config().is_some_and(|a| a.api_type == ApiType::Rest);
                self.sources[if rest { 3 } else { 0 }] += n;
                demand.invocations += n;
                demand.request_units += n;
                demand.api_arrivals += n;
                demand.ec2_busy += n * service.service_s;
            }
            SourceKind::S3 | SourceKind::Schedule => {
                if s.kind == SourceKind::S3 {
                    self.sources[1] += n;
                }
                let attempts = n * model.async_attempts;
                demand.invocations += attempts;
                demand.request_units += attempts * async_request_units(payload) as f64;
                // The fleet reads them through a queue.
                let q = &ctx.ec2.notification_queue;
                demand.ec2_busy += self.queue.reads(
                    service,
                    n,
                    payload,
                    q.max_receive_count,
                    q.visibility_timeout_s,
                );
            }
            SourceKind::Sqs => self.sqs_source(ctx, i, s, n, payload, demand),
        }
    }

    /// An SQS source: batches of the Lambda side's pollers, the fleet's reads.
    fn sqs_source(
        &mut self,
        ctx: &SourceCtx,
        i: usize,
        s: &Source,
        n: f64,
        payload: u64,
        demand: &mut SliceDemand,
    ) {
        let (model, len) = (ctx.model, ctx.len);
        let cfg = s.sqs.clone().unwrap_or_default();
        let receives = cfg
            .max_receive_count
            .map_or(1.0 / (1.0 - model.p_fail).max(1e-6), |r| model.geometric(r));
        let pollers = f64::from(
            cfg.maximum_concurrency
                .unwrap_or(d::SQS_MAX_BATCHES)
                .min(model.limit as u32)
                .max(1),
        );
        let msgs = n * receives;
        let rate = n / len;
        let batches = n * self
            .sampled
            .invocations_per_message(ctx.scenario, i, rate, || {
                receives
                    / (msgs / len * model.warm.mean_ms / 1e3 / pollers)
                        .clamp(1.0, f64::from(cfg.batch_size.max(1)))
            });
        let per_batch = (msgs / batches.max(1e-9)).max(1.0);
        demand.invocations += batches;
        demand.request_units += batches;
        let unit = sqs_request_units(payload) as f64;
        let recv_unit = sqs_request_units((payload as f64 * per_batch).ceil() as u64) as f64;
        // Send, receive (per batch), delete (per good batch).
        self.sources[2] += n * unit + batches * recv_unit + batches * (1.0 - model.p_fail);
        demand.ec2_busy += self.queue.reads(
            ctx.service,
            n,
            payload,
            cfg.max_receive_count,
            cfg.visibility_timeout_s,
        );
    }
}

/// Both sides' usage from the window's totals.
fn assemble(
    scenario: &Scenario,
    ec2: &Ec2Config,
    opts: AggregateOptions,
    window: f64,
    service: &Ec2Service,
    totals: WindowTotals,
    lambda: LambdaTotals,
) -> Estimate {
    let f = &scenario.function;
    let (invocations, cold_starts) = (lambda.invocations, lambda.colds);
    let lambda_usage = lambda.usage(f, window);
    let src = totals.sources;
    let lambda_sources = EventSourceUsage {
        api_http_requests: round(src[0]),
        s3_put_requests: round(src[1]),
        sqs_standard_requests: round(src[2]),
        api_rest_requests: round(src[3]),
        ..EventSourceUsage::default()
    };
    let fleet = FleetLoad {
        ec2,
        load: &totals.load,
        window,
        slots: service.slots,
        redelivery: totals.queue.redelivery(),
    };
    let (ec2_usage, peak_instances, idle_slot_s) = fleet_usage(
        &fleet,
        opts.sizing,
        service.target_util,
        noise(scenario, ec2, service.dist),
    );
    let mut ec2_usage = ec2_usage;
    let mut ec2_sqs = totals.queue.sqs_requests;
    let has_sqs_workers = scenario.sources.iter().any(|s| s.kind != SourceKind::Api);
    if has_sqs_workers {
        // Idle workers long-poll every 20 s.
        ec2_sqs += idle_slot_s / ed::SQS_LONG_POLL_S as f64;
    }
    let span = SimDuration::from_secs_f64(window);
    if scenario.sources.iter().any(|s| s.kind == SourceKind::Api) {
        ec2_usage.alb = Some(alb_usage(ec2, scenario, &totals.load, window));
        // The internet-facing load balancer's addresses, one per zone.
        let zones = ec2.zones.clamp(1, ed::ZONES_MAX).max(ed::ALB_MIN_ZONES);
        ec2_usage.record_public_ipv4(u64::from(zones) * ed::ALB_PUBLIC_IPV4_PER_ZONE, span);
    }
    ec2_usage.surplus_vcpu_seconds = surplus_vcpu_seconds(&fleet, &ec2_usage);
    if ec2.public_ip {
        // One address per instance while it runs (its billed time).
        let secs: u64 = ec2_usage
            .instances
            .values()
            .map(|i| i.billable_seconds)
            .sum();
        ec2_usage.public_ipv4_seconds = ec2_usage.public_ipv4_seconds.saturating_add(secs);
    }
    let ec2_sources = EventSourceUsage {
        s3_put_requests: round(src[1]),
        sqs_standard_requests: round(ec2_sqs),
        ..EventSourceUsage::default()
    };
    Estimate {
        window_s: window,
        arrivals: totals.arrivals,
        invocations,
        cold_starts,
        lambda: lambda_usage,
        lambda_sources,
        ec2: ec2_usage,
        ec2_sources,
        peak_instances,
    }
}
