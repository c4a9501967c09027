//! The break-even chart: the monthly cost of Lambda, of an EC2 fleet fixed
//! for the peak and of EC2 with Auto Scaling, against monthly requests, for
//! the current scenario's traffic pattern scaled to each volume. The same
//! computation as `fanout sweep` ([`crate::engine::estimate::sweep`]), run
//! one volume at a time inside the animation-frame budget so the page never
//! freezes, with a progress bar and Cancel.
//!
//! Both axes are logarithmic (volumes and costs span many decades) and say
//! so; costs share one axis; dots are the computed volumes and the lines
//! only join them; each crossing is marked and labelled.

use crate::common::format::{usd_axis, volume_scale};
use crate::engine::estimate::fleet_config;
use crate::engine::estimate::sweep::{Ec2Variant, Sweep, SweepRun};
use crate::engine::scenario::Scenario;
use crate::ui::view_model::budget::FRAME_BUDGET_MS;
use gloo::render::{request_animation_frame, AnimationFrame};
use yew::prelude::*;

/// Lowest volume [requests per month].
pub const FROM: f64 = 1e4;
/// Highest volume [requests per month].
pub const TO: f64 = 1e10;
/// Volumes priced (4 per decade).
pub const POINTS: usize = 25;
/// Costs below this are drawn on the bottom of the axis [USD per month].
const Y_FLOOR: f64 = 0.01;

/// A volume with a short suffix: `10k`, `2.5M`, `1B`.
pub fn volume(v: f64) -> String {
    let (d, s) = volume_scale(v);
    let x = v / d;
    if x >= 100.0 || (x - x.round()).abs() < 0.05 {
        format!("{:.0}{s}", x.round())
    } else {
        format!("{x:.1}{s}")
    }
}

/// A cost tick: `$0.01`, `$100`, `$10k`.
pub fn usd_tick(v: f64) -> String {
    if v >= 1_000.0 {
        format!("${}", volume(v))
    } else {
        usd_axis(v)
    }
}

/// Decades (powers of ten) covering `lo..=hi`.
pub fn decades(lo: f64, hi: f64) -> (i32, i32) {
    let lo = lo.max(f64::MIN_POSITIVE).log10().floor() as i32;
    let hi = (hi.max(f64::MIN_POSITIVE).log10().ceil() as i32).max(lo + 1);
    (lo, hi)
}

pub enum Msg {
    /// An animation frame: price more volumes.
    Slice,
    Cancel,
    Start,
}

/// Properties of [`BreakEvenPanel`].
#[derive(Properties, PartialEq)]
pub struct BreakEvenProps {
    /// The scenario whose traffic pattern is scaled.
    pub scenario: Scenario,
}

/// The break-even panel.
pub struct BreakEvenPanel {
    run: Option<SweepRun>,
    result: Option<Result<Sweep, String>>,
    cancelled: bool,
    perf: Option<web_sys::Performance>,
    _frame: Option<AnimationFrame>,
}

impl BreakEvenPanel {
    fn start(&mut self, ctx: &Context<Self>) {
        let s = &ctx.props().scenario;
        self.result = None;
        self.cancelled = false;
        match SweepRun::new(s, &fleet_config(s), &s.pricing, FROM, TO, POINTS) {
            Ok(run) => {
                self.run = Some(run);
                self.next_frame(ctx);
            }
            Err(e) => {
                self.run = None;
                self.result = Some(Err(e.to_string()));
            }
        }
    }

    fn next_frame(&mut self, ctx: &Context<Self>) {
        let link = ctx.link().clone();
        self._frame = Some(request_animation_frame(move |_| {
            link.send_message(Msg::Slice)
        }));
    }
}

impl Component for BreakEvenPanel {
    type Message = Msg;
    type Properties = BreakEvenProps;

    fn create(ctx: &Context<Self>) -> Self {
        let mut p = BreakEvenPanel {
            run: None,
            result: None,
            cancelled: false,
            perf: web_sys::window().and_then(|w| w.performance()),
            _frame: None,
        };
        p.start(ctx);
        p
    }

    fn changed(&mut self, ctx: &Context<Self>, old: &BreakEvenProps) -> bool {
        if old.scenario != ctx.props().scenario {
            self.start(ctx);
            true
        } else {
            false
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Slice => {
                let Some(run) = self.run.as_mut() else {
                    return false;
                };
                // At least one volume per frame; more while the budget lasts
                // (half the frame budget: the simulation shares the frame).
                let now = |p: &Option<web_sys::Performance>| p.as_ref().map_or(0.0, |p| p.now());
                let t0 = now(&self.perf);
                while run.step() && now(&self.perf) - t0 < FRAME_BUDGET_MS / 2.0 {}
                if run.is_done() {
                    self.result = self.run.take().map(|r| Ok(r.finish()));
                    self._frame = None;
                } else {
                    self.next_frame(ctx);
                }
                true
            }
            Msg::Cancel => {
                self.run = None;
                self._frame = None;
                self.cancelled = true;
                true
            }
            Msg::Start => {
                self.start(ctx);
                true
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let body = if let Some(run) = &self.run {
            let (done, all) = run.progress();
            html! {
                <div class="ff ff-active" data-testid="breakeven-progress">
                    <label for="be-progress">{ format!("Pricing {done} of {all} volumes") }</label>
                    <progress id="be-progress" max={all.to_string()} value={done.to_string()} />
                    <button onclick={link.callback(|_| Msg::Cancel)}>{ "Cancel" }</button>
                </div>
            }
        } else if self.cancelled {
            html! {
                <p class="muted">{ "Cancelled. " }
                    <button onclick={link.callback(|_| Msg::Start)}>{ "Compute the break-even" }</button>
                </p>
            }
        } else {
            match &self.result {
                Some(Ok(sw)) => chart(sw),
                Some(Err(e)) => {
                    html! { <p class="muted" data-testid="breakeven-error">{ e.clone() }</p> }
                }
                None => html! {},
            }
        };
        html! {
            <section class="breakeven" aria-label="Break-even" data-testid="breakeven">
                <h2>{ "Break-even: monthly cost against monthly requests" }</h2>
                <p class="muted">
                    { "This scenario's traffic pattern scaled to each volume and priced for a 30-day month \
                       (us-east-1 on-demand, the scenario's pricing settings), as `fanout sweep` does. \
                       EC2 fixed: a fleet sized for the peak; Auto Scaling: a fleet that follows the load." }
                </p>
                { body }
            </section>
        }
    }
}

// Drawn 600 units wide: legible when scaled down to a phone's width.
const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 74.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 44.0;

/// Lines of the chart: legend, CSS class, cost of a point [USD].
type Series = (
    &'static str,
    &'static str,
    fn(&crate::engine::estimate::sweep::SweepPoint) -> f64,
);

const SERIES: [Series; 3] = [
    ("Lambda", "lambda", |p| p.lambda.as_usd_f64()),
    ("EC2 fixed for the peak", "ec2", |p| {
        p.ec2_fixed.as_usd_f64()
    }),
    ("EC2 Auto Scaling", "ec2 dashed", |p| {
        p.ec2_autoscaling.as_usd_f64()
    }),
];

/// Formats a chart coordinate.
fn f1(v: f64) -> String {
    format!("{v:.1}")
}

/// The chart's log–log scales: the decades shown on each axis.
#[derive(Clone, Copy)]
struct Scales {
    /// First and last decade of monthly requests.
    x_decades: (i32, i32),
    /// First and last decade of monthly cost [USD].
    y_decades: (i32, i32),
}

impl Scales {
    /// Scales that hold every point of `sw` (volumes from `x_lo` to `x_hi`).
    fn new(sw: &Sweep, x_lo: f64, x_hi: f64) -> Scales {
        let costs = || {
            sw.points
                .iter()
                .flat_map(|p| SERIES.iter().map(move |s| (s.2)(p)))
        };
        let y_max = costs().fold(Y_FLOOR, f64::max);
        let y_min = costs().filter(|v| *v >= Y_FLOOR).fold(y_max, f64::min);
        Scales {
            x_decades: decades(x_lo, x_hi),
            y_decades: decades(y_min, y_max),
        }
    }

    /// A volume's x [chart units].
    fn x(self, v: f64) -> f64 {
        let (d0, d1) = self.x_decades;
        LEFT + ((v.max(1.0).log10() - d0 as f64) / (d1 - d0) as f64).clamp(0.0, 1.0)
            * (WIDTH - LEFT - RIGHT)
    }

    /// A cost's y [chart units].
    fn y(self, v: f64) -> f64 {
        let (d0, d1) = self.y_decades;
        HEIGHT
            - BOTTOM
            - ((v.max(Y_FLOOR).log10() - d0 as f64) / (d1 - d0) as f64).clamp(0.0, 1.0)
                * (HEIGHT - TOP - BOTTOM)
    }
}

/// The grid: one line per decade on each axis, with its label.
fn ticks(sc: Scales) -> Html {
    let y_ticks = (sc.y_decades.0..=sc.y_decades.1).map(|d| {
        let v = 10f64.powi(d);
        html! {
            <g class="tick">
                <line x1={f1(LEFT)} x2={f1(WIDTH - RIGHT)} y1={f1(sc.y(v))} y2={f1(sc.y(v))} />
                <text class="right" x={f1(LEFT - 6.0)} y={f1(sc.y(v) + 4.0)}>{ usd_tick(v) }</text>
            </g>
        }
    });
    let x_ticks = (sc.x_decades.0..=sc.x_decades.1).map(|d| {
        let v = 10f64.powi(d);
        html! {
            <g class="tick">
                <line x1={f1(sc.x(v))} x2={f1(sc.x(v))} y1={f1(TOP)} y2={f1(HEIGHT - BOTTOM)} />
                <text class="xtick" x={f1(sc.x(v))} y={f1(HEIGHT - BOTTOM + 16.0)}>{ volume(v) }</text>
            </g>
        }
    });
    html! {
        <>
            { for y_ticks }
            { for x_ticks }
        </>
    }
}

/// The axes and their labels.
fn axes() -> Html {
    html! {
        <>
            <line class="axis" x1={f1(LEFT)} x2={f1(LEFT)} y1={f1(TOP)} y2={f1(HEIGHT - BOTTOM)} />
            <line class="axis" x1={f1(LEFT)} x2={f1(WIDTH - RIGHT)} y1={f1(HEIGHT - BOTTOM)} y2={f1(HEIGHT - BOTTOM)} />
            <text class="axis-label y-label" x="14" y={f1((HEIGHT - BOTTOM + TOP) / 2.0)}
                  transform={format!("rotate(-90 14 {:.1})", (HEIGHT - BOTTOM + TOP) / 2.0)}>{ "cost per month [USD, log scale]" }</text>
            <text class="axis-label" x={f1((LEFT + WIDTH - RIGHT) / 2.0)} y={f1(HEIGHT - 6.0)}>{ "requests per month [log scale]" }</text>
        </>
    }
}

/// Each series: its dots (the volumes priced) and the line joining them.
fn series(sw: &Sweep, sc: Scales) -> Html {
    SERIES.iter().map(|(label, class, get)| {
        let pts: Vec<(f64, f64)> = sw
            .points
            .iter()
            .map(|p| (sc.x(p.requests_per_month as f64), sc.y(get(p))))
            .collect();
        let path = pts
            .iter()
            .enumerate()
            .map(|(i, (x, y))| format!("{}{x:.1} {y:.1}", if i == 0 { "M" } else { " L" }))
            .collect::<String>();
        html! {
            // Inside the chart's role="img" a group takes no ARIA name: its
            // name is a tooltip, the legend says it in words.
            <g class="be-series">
                <title>{ *label }</title>
                <path class={classes!("series", *class)} d={path} />
                { for pts.iter().map(|(x, y)| html! {
                    <circle class={classes!("be-dot", *class)} cx={f1(*x)} cy={f1(*y)} r="2.5" />
                }) }
            </g>
        }
    }).collect()
}

/// Each crossing: a vertical line and its label.
fn crossings(sw: &Sweep, sc: Scales) -> Html {
    sw.break_evens
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let x = sc.x(b.requests_per_month);
            let against = match b.ec2 {
                Ec2Variant::FixedForPeak => "EC2 fixed",
                Ec2Variant::AutoScaling => "EC2 Auto Scaling",
            };
            let text = format!("{against} = Lambda at {}/mo", volume(b.requests_per_month));
            // Labels alternate rows so that close crossings stay readable; they
            // sit left of the line when it is in the right half, on the other
            // side when that one has no room, centred within the chart when
            // neither has.
            let y = TOP + 14.0 + 16.0 * (i % 3) as f64;
            let (anchor, tx) = label_place(x, label_width(&text));
            html! {
                <g class="be-cross" data-testid="break-even">
                    <line x1={f1(x)} x2={f1(x)} y1={f1(TOP)} y2={f1(HEIGHT - BOTTOM)} />
                    <text class={anchor} x={f1(tx)} y={f1(y)}>{ text }</text>
                </g>
            }
        })
        .collect()
}

/// The chart in words: each crossing, or which side is cheaper throughout.
fn summary(sw: &Sweep, x_lo: f64, x_hi: f64) -> String {
    if sw.break_evens.is_empty() {
        let p = sw.points.last();
        let cheaper = p.is_some_and(|p| p.lambda <= p.ec2_fixed.min(p.ec2_autoscaling));
        return format!(
            "No crossing between {} and {} requests per month: {} is cheaper throughout.",
            volume(x_lo),
            volume(x_hi),
            if cheaper { "Lambda" } else { "EC2" }
        );
    }
    sw.break_evens
        .iter()
        .map(|b| {
            format!(
                "{} costs the same as Lambda at about {} requests per month (Lambda is cheaper {}).",
                b.ec2.label(),
                volume(b.requests_per_month),
                if b.lambda_cheaper_below { "below" } else { "above" }
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn chart(sw: &Sweep) -> Html {
    let x_lo = sw
        .points
        .first()
        .map_or(FROM, |p| p.requests_per_month as f64);
    let x_hi = sw.points.last().map_or(TO, |p| p.requests_per_month as f64);
    let sc = Scales::new(sw, x_lo, x_hi);
    let summary = summary(sw, x_lo, x_hi);
    html! {
        <figure class="chart be-chart" data-testid="breakeven-chart">
            <p class="be-axes muted">{ "Cost per month [USD] against requests per month; both axes logarithmic." }</p>
            <svg viewBox={format!("0 0 {WIDTH} {HEIGHT}")} role="img" aria-label={format!("Break-even chart. {summary}")}>
                { ticks(sc) }
                { axes() }
                { series(sw, sc) }
                { crossings(sw, sc) }
            </svg>
            <ul class="legend">
                { for SERIES.iter().map(|(label, class, _)| html! {
                    <li><svg viewBox="0 0 24 8" class="swatch"><path class={classes!("series", *class)} d="M0 4 H24" /></svg>{ *label }</li>
                }) }
            </ul>
            <figcaption class="be-summary" data-testid="breakeven-summary">{ summary }</figcaption>
            <p class="fine">{ format!("Dots: the {} volumes priced; lines only join them. Costs under {} are drawn on the bottom axis.", sw.points.len(), usd_axis(Y_FLOOR)) }</p>
        </figure>
    }
}

/// The estimated width of a crossing's label at the largest size it is
/// drawn (17 units, on a phone: see `static/style.css`) [chart units].
fn label_width(text: &str) -> f64 {
    text.chars().count() as f64 * 17.0 * 0.6
}

/// Where a crossing's label of width `w` goes beside the line at `x`: its
/// anchor class and x, inside the chart's width.
fn label_place(x: f64, w: f64) -> (&'static str, f64) {
    let right_half = x > (LEFT + WIDTH - RIGHT) / 2.0;
    let fits_left_of_line = x - 4.0 - w >= 0.0;
    let fits_right_of_line = x + 4.0 + w <= WIDTH;
    match (right_half, fits_left_of_line, fits_right_of_line) {
        (true, true, _) | (false, true, false) => ("right", x - 4.0),
        (false, _, true) | (true, false, true) => ("left", x + 4.0),
        _ => ("mid", x.clamp(w / 2.0, WIDTH - w / 2.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volumes_read_short() {
        assert_eq!(volume(10_000.0), "10k");
        assert_eq!(volume(2_500_000.0), "2.5M");
        assert_eq!(volume(1e9), "1B");
        assert_eq!(volume(316_228.0), "316k");
        assert_eq!(volume(12.0), "12");
        assert_eq!(usd_tick(100_000.0), "$100k");
        assert_eq!(usd_tick(0.01), "$0.01");
        assert_eq!(usd_tick(100.0), "$100");
    }

    #[test]
    fn decades_cover_the_range() {
        assert_eq!(decades(1e4, 1e10), (4, 10));
        assert_eq!(decades(0.03, 250.0), (-2, 3));
        assert_eq!(decades(5.0, 5.0), (0, 1), "at least one decade");
    }

    #[test]
    fn crossing_labels_stay_inside_the_chart() {
        for text in [
            "EC2 fixed = Lambda at 10k/mo",
            "EC2 Auto Scaling = Lambda at 316k/mo",
        ] {
            let w = label_width(text);
            for x in [
                LEFT,
                150.0,
                (LEFT + WIDTH - RIGHT) / 2.0,
                400.0,
                WIDTH - RIGHT,
            ] {
                let (anchor, tx) = label_place(x, w);
                let (x0, x1) = match anchor {
                    "left" => (tx, tx + w),
                    "right" => (tx - w, tx),
                    _ => (tx - w / 2.0, tx + w / 2.0),
                };
                assert!(
                    x0 >= 0.0 && x1 <= WIDTH,
                    "{text} at {x}: {anchor} {x0}..{x1}"
                );
            }
        }
        // Room on the preferred side: left of the line in the right half.
        assert_eq!(label_place(WIDTH - RIGHT, 100.0).0, "right");
        assert_eq!(label_place(LEFT, 100.0).0, "left");
    }
}
