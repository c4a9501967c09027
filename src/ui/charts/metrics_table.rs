//! Live metrics per side and the operator-work counters; the cost meters
//! (so far, and projected per month, labelled as a projection), drawn
//! beside the stage's panels ([`CostMeters`]).

use crate::common::format::{count, latency_ms, num, percent};
use crate::ui::charts::cost::FreeTier;
use crate::ui::sim_handle::{Live, SideLive};
use std::rc::Rc;
use yew::prelude::*;

/// Properties of [`MetricsPanel`].
#[derive(Properties, PartialEq)]
pub struct MetricsProps {
    /// The numbers to show.
    pub live: Rc<Live>,
}

/// The tooltip beside the Lambda side's "so far": how the free tier meets a
/// short window.
const FREE_TIER_NOTE: &str = "The monthly free tier (Lambda: 1 M requests and 400,000 GB-s; SQS: 1 M requests) is applied to the simulated window as if it were the whole month, so a short Lambda run often shows only its event-source charges (API Gateway, S3, SQS). Switch it under Parameters, Pricing.";
/// The tooltip beside the EC2 side's "so far" when its SQS line got the
/// free tier.
const SQS_FREE_TIER_NOTE: &str = "EC2 has no free tier in this model; the SQS free tier (1 M requests a month) is applied to the requests of the queue the workers read, over the simulated window as if it were the whole month. Switch it under Parameters, Pricing.";

/// What the "Errors" row counts (its tooltip).
const ERRORS_NOTE: &str = "Requests whose code failed: the scenario's error rate (function.error_rate) on both sides. Refusals, throttles and timeouts have rows of their own.";

/// A latency of finished work: none finished (the nightly batch's
/// job, killed at every attempt) is no latency to show, though the engine
/// timed the failures.
fn finished_latency(ms: f64, s: &SideLive) -> String {
    if s.succeeded == 0 && s.latency.count > 0 {
        "—, none finished".into()
    } else {
        latency_ms(ms)
    }
}

fn row(label: &str, id: &str, lambda: String, ec2: Option<String>) -> Html {
    let note = (id == "errors").then_some(ERRORS_NOTE);
    html! {
        <tr>
            <th scope="row" title={note}>{ label.to_string() }</th>
            <td data-testid={format!("m-{id}-lambda")}>{ lambda }</td>
            <td data-testid={format!("m-{id}-ec2")}>{ ec2.unwrap_or_else(|| "–".into()) }</td>
        </tr>
    }
}

/// Properties of [`CostMeters`].
#[derive(Properties, PartialEq)]
pub struct CostProps {
    /// The numbers to show.
    pub live: Rc<Live>,
}

/// The cost meters, one per side, each next to its panel on the stage.
#[function_component(CostMeters)]
pub fn cost_meters(props: &CostProps) -> Html {
    let l = &props.live.lambda;
    let e = props.live.ec2.as_ref();
    html! {
        <aside class="meters" aria-label="Cost">
            <div class="meter lambda" aria-label="Lambda cost">
                <span class="meter-title">{ "λ Lambda cost" }</span>
                <span class="meter-now" data-testid="cost-lambda">{ l.cost.so_far.to_string() }</span>
                <span class="meter-sub" title={FREE_TIER_NOTE} data-testid="cost-lambda-note">{ l.cost.free_tier.label() }</span>
                <span class="meter-month" data-testid="cost-lambda-month">{ format!("{} / month", l.cost.per_month) }</span>
                <span class="meter-sub" title={PROJECTION_NOTE}>{ "projected*" }</span>
            </div>
            <div class="meter ec2" aria-label="EC2 cost">
                <span class="meter-title">{ "EC2 cost" }</span>
                <span class="meter-now" data-testid="cost-ec2">{ e.map_or("–".into(), |s| s.cost.so_far.to_string()) }</span>
                <span class="meter-sub" data-testid="cost-ec2-note"
                      title={e.is_some_and(|s| s.cost.free_tier == FreeTier::Sqs).then_some(SQS_FREE_TIER_NOTE)}>
                    { e.map_or("so far", |s| s.cost.free_tier.label()) }
                </span>
                <span class="meter-month">{ e.map_or("–".into(), |s| format!("{} / month", s.cost.per_month)) }</span>
                <span class="meter-sub" title={PROJECTION_NOTE}>{ "projected*" }</span>
            </div>
            <p class="fine meter-note">{ "* " }{ PROJECTION_NOTE }</p>
        </aside>
    }
}

/// What the monthly figure is.
const PROJECTION_NOTE: &str = "Projection, not a bill: the simulated window's usage scaled linearly to a 30-day month, then priced with the month's tiers (us-east-1 on-demand prices).";

/// The metrics panel: the live metrics per side and the operator work.
#[function_component(MetricsPanel)]
pub fn metrics_panel(props: &MetricsProps) -> Html {
    let l = &props.live.lambda;
    let e = props.live.ec2.as_ref();
    let both = |f: &dyn Fn(&SideLive) -> String| (f(l), e.map(f));
    let rows = [
        ("Requests/s", "rate", both(&|s| num(s.req_per_s))),
        (
            "Latency p50",
            "p50",
            both(&|s| finished_latency(s.latency.p50_ms, s)),
        ),
        (
            "Latency p99",
            "p99",
            both(&|s| finished_latency(s.latency.p99_ms, s)),
        ),
        (
            "Cold starts",
            "cold",
            // Instances boot before they serve: a request never waits for one.
            (
                percent(l.cold_starts, l.invocations),
                e.map(|_| "none".to_string()),
            ),
        ),
        (
            "Refused (429 / 503)",
            "refused",
            both(&|s| count(s.rejected)),
        ),
        ("Errors", "errors", both(&|s| count(s.errors))),
        ("Timeouts", "timeouts", both(&|s| count(s.timeouts))),
        (
            "Environments / instances",
            "units",
            both(&|s| count(s.units)),
        ),
        ("Requests in progress", "busy", both(&|s| count(s.busy))),
    ];
    let work = props.live.ec2_work;
    let operator_work = [
        (
            "Patches applied",
            "patches",
            work.map(|w| w.patches_applied),
        ),
        (
            "Replaced by hand",
            "replaced",
            work.map(|w| w.instances_replaced_by_hand),
        ),
        (
            "Resized by hand",
            "resized",
            work.map(|w| w.manual_scaling_changes),
        ),
        ("Pages", "pages", work.map(|w| w.pages)),
    ];
    html! {
        <div class="metrics" aria-label="Live metrics">
            <table class="side-table">
                <thead><tr><td></td><th scope="col" class="lambda">{ "Lambda" }</th><th scope="col" class="ec2">{ "EC2" }</th></tr></thead>
                <tbody>
                    { for rows.into_iter().map(|(label, id, (a, b))| row(label, id, a, b)) }
                </tbody>
            </table>
            <h2>{ "Operator work" }</h2>
            <table class="side-table">
                <thead><tr><td></td><th scope="col" class="lambda">{ "Lambda" }</th><th scope="col" class="ec2">{ "EC2" }</th></tr></thead>
                <tbody>
                    { for operator_work.into_iter().map(|(label, id, v)| html! {
                        <tr><th scope="row">{ label }</th><td>{ "0" }</td>
                            <td data-testid={format!("m-{id}-ec2")}>{ v.map_or("–".into(), count) }</td></tr>
                    }) }
                </tbody>
            </table>
            <p class="fine">{ "On Lambda AWS patches, replaces and scales the environments: that work stays zero." }</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::metrics::LatencySummary;

    #[test]
    fn work_that_never_finished_shows_no_latency() {
        let mut s = SideLive {
            latency: LatencySummary {
                count: 1,
                p50_ms: 2_885_681.0,
                ..LatencySummary::default()
            },
            ..SideLive::default()
        };
        assert_eq!(finished_latency(s.latency.p50_ms, &s), "—, none finished");
        s.succeeded = 1;
        assert_eq!(finished_latency(s.latency.p50_ms, &s), "48.1 min");
        assert_eq!(finished_latency(0.0, &SideLive::default()), "–");
    }
}
