//! The charts panel: both sides over time on shared axes, from the sampled
//! history of engine numbers.

use crate::ui::charts::line_chart::{x_axis_end, Chart, Line, YFormat};
use crate::ui::view_model::history::{Sample, SideSample};
use std::rc::Rc;
use yew::prelude::*;

/// Properties of [`ChartsPanel`].
#[derive(Properties, PartialEq)]
pub struct ChartsProps {
    /// The samples (shared; replaced when a sample is added).
    pub samples: Rc<Vec<Sample>>,
    /// The run's length \[s\].
    pub x_max: f64,
    /// Whether the run is over (the time axis then spans all of it; while
    /// it goes, it grows with the samples: [`x_axis_end`]).
    #[prop_or_default]
    pub finished: bool,
}

/// A line to draw: legend, CSS class, whether it is the EC2 side, and
/// which number of a side it shows.
type LineSpec = (&'static str, &'static str, bool, fn(&SideSample) -> f64);

fn lines(samples: &[Sample], spec: &[LineSpec]) -> Vec<Line> {
    spec.iter()
        .filter(|(_, _, ec2, _)| !*ec2 || samples.iter().any(|s| s.ec2.is_some()))
        .map(|&(label, class, ec2, get)| Line {
            label: label.to_string(),
            class,
            points: samples
                .iter()
                .filter_map(|s| {
                    let side = if ec2 { s.ec2.as_ref()? } else { &s.lambda };
                    Some((s.t_s, get(side)))
                })
                .collect(),
        })
        .collect()
}

/// Four charts: concurrency, latency, refused and failed requests, cost.
#[function_component(ChartsPanel)]
pub fn charts_panel(props: &ChartsProps) -> Html {
    let s = &props.samples;
    let now = s.last().map_or(0.0, |x| x.t_s);
    let x_max = x_axis_end(now, props.x_max, props.finished);
    let conc = lines(
        s,
        &[
            ("Lambda: busy environments", "lambda", false, |x| x.busy),
            ("EC2: busy worker slots", "ec2", true, |x| x.busy),
        ],
    );
    let lat = lines(
        s,
        &[
            ("Lambda p50", "lambda", false, |x| x.p50_ms),
            ("Lambda p99", "lambda dashed", false, |x| x.p99_ms),
            ("EC2 p50", "ec2", true, |x| x.p50_ms),
            ("EC2 p99", "ec2 dashed", true, |x| x.p99_ms),
        ],
    );
    let bad = lines(
        s,
        &[
            ("Lambda throttled (429)", "lambda", false, |x| {
                x.rejected as f64
            }),
            ("Lambda errors + timeouts", "lambda dashed", false, |x| {
                x.failed as f64
            }),
            ("EC2 refused (503)", "ec2", true, |x| x.rejected as f64),
            ("EC2 errors + timeouts", "ec2 dashed", true, |x| {
                x.failed as f64
            }),
        ],
    );
    let cost = lines(
        s,
        &[
            ("Lambda", "lambda", false, |x| x.cost_usd),
            ("EC2", "ec2", true, |x| x.cost_usd),
        ],
    );
    html! {
        <section class="charts" aria-label="Charts">
            <h2>{ "Over time" }</h2>
            <p class="muted">{ "Sampled from the engine as the run goes; each value is held until the next sample (no interpolation). Latency percentiles are over everything finished so far." }</p>
            <div class="chart-grid">
                <Chart id="chart-concurrency" title="Concurrency" y_label="requests in progress" lines={conc} x_max={x_max} />
                <Chart id="chart-latency" title="Latency, end to end" y_label="latency [ms]" lines={lat} x_max={x_max} />
                <Chart id="chart-failures" title="Refused and failed (cumulative)" y_label="requests" lines={bad} x_max={x_max} />
                <Chart id="chart-cost" title="Cost so far (cumulative)" y_label="cost [USD]" y_format={YFormat::Usd} lines={cost} x_max={x_max} />
            </div>
        </section>
    }
}
