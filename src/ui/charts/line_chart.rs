//! A time-series chart as a plain SVG component.
//!
//! Why no charting crate: a chart here is a few polylines, axes and labels.
//! Hand-written SVG costs a few kilobytes of wasm where plotters (with its
//! SVG backend and font handling) would cost far more of the 300 KB budget,
//! and it gives full control of what honesty needs: labelled axes with
//! units, both sides on one y axis (no dual axis that invites a false
//! crossing), and step lines that hold each sampled value until the next
//! sample instead of interpolating beyond the data.

use crate::common::format::{clock_short, count, num, usd_axis};
use yew::prelude::*;

/// How a chart's y tick values read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum YFormat {
    /// A plain number: `1,240`, `12.5`.
    #[default]
    Number,
    /// Dollars: `$0.25`, `$1,200`.
    Usd,
}

impl YFormat {
    fn format(self, v: f64) -> String {
        match self {
            // A whole tick reads as one: `2`, not `2.00`.
            YFormat::Number if v.fract() == 0.0 && v >= 0.0 => count(v as u64),
            YFormat::Number => num(v),
            YFormat::Usd => usd_axis(v),
        }
    }
}

/// One line of a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Legend text.
    pub label: String,
    /// CSS class (its colour and dash).
    pub class: &'static str,
    /// (time \[s\], value [the chart's unit]) in time order.
    pub points: Vec<(f64, f64)>,
}

/// "Nice" tick values from 0 to at least `max`: 0, 1, 2, 5 × 10^k steps.
pub fn nice_ticks(max: f64, target: usize) -> Vec<f64> {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let raw = max / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let n = (max / step).ceil() as usize;
    (0..=n).map(|i| i as f64 * step).collect()
}

/// A round time step \[s\] (seconds, minutes, hours or days) cutting `max`
/// into about `target` pieces.
fn time_step(max: f64, target: usize) -> f64 {
    const STEPS: [f64; 19] = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1_800.0, 3_600.0,
        7_200.0, 10_800.0, 21_600.0, 43_200.0, 86_400.0, 172_800.0,
    ];
    let raw = max / target.max(1) as f64;
    STEPS
        .iter()
        .copied()
        .find(|s| *s >= raw)
        .unwrap_or_else(|| (raw / 86_400.0).ceil() * 86_400.0)
}

fn positive(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 {
        x
    } else {
        1.0
    }
}

/// Time-axis ticks \[s\] from 0 to `max` at a round step (seconds, minutes,
/// hours or days), about `target` of them.
pub fn time_ticks(max: f64, target: usize) -> Vec<f64> {
    let max = positive(max);
    let step = time_step(max, target);
    let n = (max / step).floor() as usize;
    (0..=n).map(|i| i as f64 * step).collect()
}

/// Shortest time axis while a run goes \[s\].
pub const MIN_SPAN_S: f64 = 30.0;

/// Where the time axis ends \[s\]: the whole run once it is over; while it
/// goes, the time so far (at least [`MIN_SPAN_S`]) rounded up to a round
/// step of about a sixth of it, never past the run's end. So the axis grows
/// with the run in round steps, the data always spans more than two thirds
/// of it, and its ticks stay put between steps.
pub fn x_axis_end(now_s: f64, duration_s: f64, finished: bool) -> f64 {
    let duration = positive(duration_s);
    let now = if now_s.is_finite() { now_s } else { 0.0 };
    if finished || now >= duration {
        return duration;
    }
    let span = now.max(MIN_SPAN_S);
    let step = time_step(span, 6);
    ((span / step).ceil() * step).min(duration)
}

/// A step path (each value held until the next point) through `points`
/// mapped by `sx` and `sy`; the last value is not extended past its sample.
pub fn step_path(
    points: &[(f64, f64)],
    sx: impl Fn(f64) -> f64,
    sy: impl Fn(f64) -> f64,
) -> String {
    let mut path = String::new();
    for (i, &(t, v)) in points.iter().enumerate() {
        let (x, y) = (sx(t), sy(v));
        if i == 0 {
            path.push_str(&format!("M{x:.1} {y:.1}"));
        } else {
            path.push_str(&format!(" H{x:.1} V{y:.1}"));
        }
    }
    path
}

/// Properties of [`Chart`].
#[derive(Properties, PartialEq)]
pub struct ChartProps {
    /// Title above the chart.
    pub title: AttrValue,
    /// The y axis label with its unit, e.g. "concurrent executions".
    pub y_label: AttrValue,
    /// How y tick values read.
    #[prop_or_default]
    pub y_format: YFormat,
    /// The lines.
    pub lines: Vec<Line>,
    /// End of the x axis \[s\] (see [`x_axis_end`]).
    pub x_max: f64,
    /// Test id of the chart.
    pub id: AttrValue,
}

const WIDTH: f64 = 420.0;
const HEIGHT: f64 = 200.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 26.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 34.0;

/// A time-series chart.
#[function_component(Chart)]
pub fn chart(props: &ChartProps) -> Html {
    let y_max = props
        .lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .fold(0.0f64, f64::max);
    let ticks = nice_ticks(y_max, 4);
    let top = ticks.last().copied().unwrap_or(1.0).max(f64::MIN_POSITIVE);
    let x_max = props.x_max.max(1.0);
    let sx = move |t: f64| LEFT + (t / x_max).clamp(0.0, 1.0) * (WIDTH - LEFT - RIGHT);
    let sy = move |v: f64| HEIGHT - BOTTOM - (v / top).clamp(0.0, 1.0) * (HEIGHT - TOP - BOTTOM);
    let x_ticks = time_ticks(x_max, 4);
    let has_data = props.lines.iter().any(|l| l.points.len() > 1);
    html! {
        <figure class="chart" data-testid={props.id.clone()}>
            <figcaption>{ props.title.clone() }</figcaption>
            <svg viewBox={format!("0 0 {WIDTH} {HEIGHT}")} role="img" aria-label={props.title.clone()}>
                { for ticks.iter().map(|&v| html! {
                    <g class="tick">
                        <line x1={format!("{LEFT}")} x2={format!("{}", WIDTH - RIGHT)} y1={format!("{:.1}", sy(v))} y2={format!("{:.1}", sy(v))} />
                        <text x={format!("{}", LEFT - 6.0)} y={format!("{:.1}", sy(v) + 4.0)} class="right">{ props.y_format.format(v) }</text>
                    </g>
                }) }
                { for x_ticks.iter().filter(|t| **t <= x_max).map(|&t| html! {
                    <text class="xtick" x={format!("{:.1}", sx(t))} y={format!("{}", HEIGHT - BOTTOM + 16.0)}>{ clock_short(t) }</text>
                }) }
                <line class="axis" x1={format!("{LEFT}")} x2={format!("{LEFT}")} y1={format!("{TOP}")} y2={format!("{}", HEIGHT - BOTTOM)} />
                <line class="axis" x1={format!("{LEFT}")} x2={format!("{}", WIDTH - RIGHT)} y1={format!("{}", HEIGHT - BOTTOM)} y2={format!("{}", HEIGHT - BOTTOM)} />
                <text class="axis-label" x="12" y={format!("{:.1}", (HEIGHT - BOTTOM + TOP) / 2.0)}
                      transform={format!("rotate(-90 12 {:.1})", (HEIGHT - BOTTOM + TOP) / 2.0)}>{ props.y_label.clone() }</text>
                <text class="axis-label" x={format!("{:.1}", (LEFT + WIDTH - RIGHT) / 2.0)} y={format!("{}", HEIGHT - 2.0)}>{ "simulated time [h:mm:ss]" }</text>
                { for props.lines.iter().map(|l| html! {
                    <path class={classes!("series", l.class)} d={step_path(&l.points, sx, sy)} />
                }) }
                if !has_data {
                    <text class="xtick" x={format!("{:.1}", (LEFT + WIDTH - RIGHT) / 2.0)} y={format!("{:.1}", HEIGHT / 2.0)}>{ "no data yet" }</text>
                }
            </svg>
            <ul class="legend">
                { for props.lines.iter().map(|l| html! {
                    <li><svg viewBox="0 0 24 8" class="swatch"><path class={classes!("series", l.class)} d="M0 4 H24" /></svg>{ l.label.clone() }</li>
                }) }
            </ul>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_nice_and_cover_the_max() {
        assert_eq!(nice_ticks(10.0, 4), vec![0.0, 2.5, 5.0, 7.5, 10.0]);
        assert_eq!(nice_ticks(0.0, 4), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        let t = nice_ticks(1_234.0, 4);
        assert!(*t.last().unwrap() >= 1_234.0);
        assert!(t.len() <= 6);
        assert_eq!(nice_ticks(f64::NAN, 4).last(), Some(&1.0));
        assert_eq!(YFormat::Number.format(2.0), "2");
        assert_eq!(YFormat::Number.format(2.5), "2.50");
        assert_eq!(YFormat::Number.format(1_500.0), "1,500");
        assert_eq!(
            time_ticks(86_400.0, 4),
            vec![0.0, 21_600.0, 43_200.0, 64_800.0, 86_400.0]
        );
        assert_eq!(
            time_ticks(3_600.0, 4),
            vec![0.0, 900.0, 1_800.0, 2_700.0, 3_600.0]
        );
        assert_eq!(time_ticks(100.0, 4), vec![0.0, 30.0, 60.0, 90.0]);
    }

    #[test]
    fn the_time_axis_grows_with_the_run() {
        let day = 86_400.0;
        // At the start: the shortest span (or the whole of a shorter run).
        assert_eq!(x_axis_end(0.0, day, false), MIN_SPAN_S);
        assert_eq!(x_axis_end(0.0, 20.0, false), 20.0);
        // A minute into a day: about a minute, in round steps.
        assert_eq!(x_axis_end(60.0, day, false), 60.0);
        assert_eq!(x_axis_end(61.0, day, false), 75.0);
        assert_eq!(x_axis_end(3_700.0, day, false), 4_500.0);
        // Never past the run; the whole run once it is over.
        assert_eq!(x_axis_end(590.0, 600.0, false), 600.0);
        assert_eq!(x_axis_end(60.0, day, true), day);
        assert_eq!(x_axis_end(f64::NAN, day, false), MIN_SPAN_S);
        // The data spans more than two thirds of the axis, which never
        // shrinks as the run goes.
        let mut last = 0.0;
        let mut now = 1.0;
        while now < day {
            let end = x_axis_end(now, day, false);
            assert!(end >= now && end >= last, "{now}: {end}");
            if now >= MIN_SPAN_S {
                assert!(now / end > 2.0 / 3.0, "{now}: {end}");
            }
            last = end;
            now *= 1.01;
        }
    }

    #[test]
    fn step_paths_hold_values_and_stop_at_the_last_sample() {
        let d = step_path(
            &[(0.0, 1.0), (1.0, 2.0), (2.0, 0.0)],
            |t| t * 10.0,
            |v| 100.0 - v,
        );
        assert_eq!(d, "M0.0 99.0 H10.0 V98.0 H20.0 V100.0");
        assert_eq!(step_path(&[], |t| t, |v| v), "");
    }
}
