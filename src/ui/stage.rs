//! The animated stage: event sources on the left fanning invocations out to
//! a Lambda function's execution environments on the right.
//!
//! This first version draws a fixed, deterministic pattern of uploads as a
//! pure function of simulation time, so the same time always draws the same
//! picture; the engine-driven stage replaces the pattern, not the drawing.

use crate::engine::time::{SimDuration, SimTime};
use yew::prelude::*;

/// Mean gap between two uploads in the seed pattern [µs].
const GAP_US: u64 = 350_000;
/// Time a particle takes to fly from the source to its environment [µs].
const TRAVEL_US: u64 = 900_000;
/// Time an environment stays busy after a particle lands [µs].
const BUSY_US: u64 = 1_200_000;
const COLS: usize = 4;
const ROWS: usize = 3;
const CELLS: usize = COLS * ROWS;

/// A 64-bit mix (SplitMix64's finaliser): a cheap, portable hash giving each
/// upload a stable jitter and target.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One upload of the seed pattern.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Upload {
    pub sent: SimTime,
    pub cell: usize,
}

fn upload(k: u64) -> Upload {
    let h = mix(k);
    Upload {
        sent: SimTime::from_micros(k * GAP_US + h % (GAP_US - 50_000)),
        cell: (h >> 32) as usize % CELLS,
    }
}

/// What the stage shows at time `t`: particles in flight with their progress
/// (0..1) and which environments are busy.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    pub in_flight: Vec<(Upload, f64)>,
    pub busy: [bool; CELLS],
    pub delivered: u64,
}

pub fn frame_at(t: SimTime) -> Frame {
    let t_us = t.as_micros();
    let first = t_us.saturating_sub(TRAVEL_US + BUSY_US + GAP_US) / GAP_US;
    let last = t_us / GAP_US + 1;
    let mut in_flight = Vec::new();
    let mut busy = [false; CELLS];
    for k in first..=last {
        let u = upload(k);
        if u.sent > t {
            continue;
        }
        let age = t.since(u.sent).as_micros();
        if age < TRAVEL_US {
            in_flight.push((u, age as f64 / TRAVEL_US as f64));
        } else if age < TRAVEL_US + BUSY_US {
            busy[u.cell] = true;
        }
    }
    // Uploads whose particle has landed by t (k-th upload lands at sent + travel).
    let landed_before = t_us.saturating_sub(TRAVEL_US) / GAP_US;
    let delivered = (landed_before.saturating_sub(1)..=landed_before + 1)
        .rev()
        .find(|&k| upload(k).sent + SimDuration::from_micros(TRAVEL_US) <= t)
        .map_or(0, |k| k + 1);
    Frame {
        in_flight,
        busy,
        delivered,
    }
}

#[derive(Properties, PartialEq)]
pub struct StageProps {
    /// Simulation time to draw [µs since start].
    pub now: SimTime,
}

const SRC: (f64, f64) = (190.0, 210.0);

fn cell_center(i: usize) -> (f64, f64) {
    let (c, r) = ((i % COLS) as f64, (i / COLS) as f64);
    (601.0 + c * 86.0, 150.0 + r * 78.0)
}

#[function_component(Stage)]
pub fn stage(props: &StageProps) -> Html {
    let f = frame_at(props.now);
    let busy_count = f.busy.iter().filter(|b| **b).count();
    let cells = (0..CELLS).map(|i| {
        let (x, y) = cell_center(i);
        let class = if f.busy[i] { "env env-busy" } else { "env env-idle" };
        html! { <rect class={class} x={format!("{:.1}", x - 34.0)} y={format!("{:.1}", y - 28.0)} width="68" height="56" rx="8" /> }
    });
    let particles = f.in_flight.iter().map(|(u, p)| {
        let (tx, ty) = cell_center(u.cell);
        // A quadratic Bézier from the source, bowed upward, eased in and out.
        let s = p * p * (3.0 - 2.0 * p);
        let (cx, cy) = ((SRC.0 + tx) / 2.0, SRC.1.min(ty) - 60.0);
        let x = (1.0 - s) * (1.0 - s) * SRC.0 + 2.0 * (1.0 - s) * s * cx + s * s * tx;
        let y = (1.0 - s) * (1.0 - s) * SRC.1 + 2.0 * (1.0 - s) * s * cy + s * s * ty;
        html! { <circle class="particle" cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="6" /> }
    });
    html! {
        <svg class="stage" viewBox="0 40 960 380" role="img"
             aria-label={format!("{} uploads delivered; {busy_count} of {CELLS} environments busy", f.delivered)}>
            <g class="source">
                <path class="bucket" d="M70 160 h120 l-14 110 a46 12 0 0 1 -92 0 z" />
                <ellipse class="bucket-rim" cx="130" cy="160" rx="60" ry="14" />
                <text x="130" y="300" class="label">{ "S3 bucket" }</text>
                <text x="130" y="320" class="sublabel">{ "image uploads" }</text>
            </g>
            <g class="function">
                <rect class="function-box" x="530" y="60" width="400" height="310" rx="16" />
                <text x="730" y="95" class="label">{ "λ  Lambda function: make thumbnail" }</text>
                { for cells }
                <text x="730" y="395" class="sublabel" data-testid="busy-count">
                    { format!("{busy_count} of {CELLS} execution environments busy") }
                </text>
            </g>
            { for particles }
            <text x="130" y="345" class="counter" data-testid="delivered">{ format!("{} delivered", f.delivered) }</text>
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_is_deterministic_and_moves() {
        let a = frame_at(SimTime::from_micros(5_000_000));
        let b = frame_at(SimTime::from_micros(5_000_000));
        assert_eq!(a, b);
        let c = frame_at(SimTime::from_micros(5_100_000));
        assert_ne!(a, c);
    }

    #[test]
    fn delivered_counts_landed_uploads() {
        assert_eq!(frame_at(SimTime::ZERO).delivered, 0);
        for t_ms in (0..60_000u64).step_by(37) {
            let t = SimTime::from_micros(t_ms * 1_000);
            let brute = (0..200)
                .filter(|&k| upload(k).sent + SimDuration::from_micros(TRAVEL_US) <= t)
                .count() as u64;
            assert_eq!(frame_at(t).delivered, brute, "at {t}");
        }
    }

    #[test]
    fn uploads_are_in_order_and_in_flight_progress_is_a_fraction() {
        for k in 0..1_000 {
            assert!(upload(k).sent < upload(k + 1).sent);
        }
        let f = frame_at(SimTime::from_micros(30_000_000));
        assert!(!f.in_flight.is_empty());
        assert!(f.in_flight.iter().all(|(_, p)| (0.0..1.0).contains(p)));
    }
}
