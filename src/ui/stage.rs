//! The animated stage: the scenario's event sources on the left emit
//! particles (sampled from the engine's happenings) to the Lambda function's
//! execution environments above and to the EC2 fleet below.

use super::ec2_panel::{instance_center, tally_503, Ec2Panel, ALB};
use super::format::{count, num};
use super::lambda_panel::{slot_center, tally_429, LambdaPanel, PANEL_TOP};
use super::layout::{narrow, use_narrow};
use super::particle_canvas::{Dot, Look, ParticleCanvas};
use super::particles::{arc, Target};
use super::sim_handle::{FrameView, SourceView};
use crate::engine::scenario::SourceKind;
use std::collections::HashMap;
use std::rc::Rc;
use yew::prelude::*;

/// Where source `i` of `n` sits (its particles leave from its right edge).
pub fn source_anchor(i: usize, n: usize) -> (f64, f64) {
    let n = n.max(1) as f64;
    let y = 30.0 + (i as f64 + 0.5) * (280.0 / n);
    (175.0, y)
}

/// Where the stage draws the panels' points: as they are on the wide
/// stage, or moved for the narrow (phone) stage, where the panels stack
/// below the sources with their text on lines of its own
/// ([`narrow`](super::layout::narrow)).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Layout {
    /// The narrow (stacked) stage.
    pub narrow: bool,
    /// How many sources the stage shows.
    pub sources: usize,
}

impl Layout {
    fn shift(self, (x, y): (f64, f64), (dx, dy): (f64, f64)) -> (f64, f64) {
        if self.narrow {
            (x + dx, y + dy)
        } else {
            (x, y)
        }
    }

    /// A point of the Lambda panel (its box, title and tallies).
    pub fn lambda(self, p: (f64, f64)) -> (f64, f64) {
        self.shift(p, narrow::lambda_shift(self.sources))
    }

    /// A point of the Lambda panel's grid (moved below its header when
    /// narrow).
    pub fn lambda_grid(self, p: (f64, f64)) -> (f64, f64) {
        let (x, y) = self.lambda(p);
        (
            x,
            y + if self.narrow {
                narrow::LAMBDA_GRID_DY
            } else {
                0.0
            },
        )
    }

    /// A point of the EC2 panel.
    pub fn ec2(self, p: (f64, f64)) -> (f64, f64) {
        self.shift(p, narrow::ec2_shift(self.sources))
    }

    /// A point of the EC2 panel's grid or load balancer.
    pub fn ec2_grid(self, p: (f64, f64)) -> (f64, f64) {
        let (x, y) = self.ec2(p);
        (
            x,
            y + if self.narrow {
                narrow::EC2_GRID_DY
            } else {
                0.0
            },
        )
    }

    /// Where the particles of source `i` of `n` leave from.
    pub fn anchor(self, i: usize, n: usize) -> (f64, f64) {
        if self.narrow {
            narrow::source(i, n).0
        } else {
            source_anchor(i, n)
        }
    }
}

fn icon(kind: SourceKind, cx: f64, cy: f64) -> Html {
    let t = format!("translate({cx:.1} {cy:.1})");
    match kind {
        SourceKind::Api => html! {
            <g class="icon icon-api" transform={t}>
                <rect x="-30" y="-26" width="60" height="52" rx="10" />
                <path class="glyph" d="M-10 -12 L-20 0 L-10 12 M10 -12 L20 0 L10 12 M4 -14 L-4 14" />
            </g>
        },
        SourceKind::S3 => html! {
            <g class="icon icon-s3" transform={t}>
                <path d="M-30 -18 h60 l-8 42 a22 6 0 0 1 -44 0 z" />
                <ellipse cx="0" cy="-18" rx="30" ry="8" class="rim" />
            </g>
        },
        SourceKind::Sqs => html! {
            <g class="icon icon-sqs" transform={t}>
                <rect x="-32" y="-24" width="64" height="48" rx="6" />
                <rect class="msg" x="-24" y="-16" width="48" height="8" rx="2" />
                <rect class="msg" x="-24" y="-4" width="48" height="8" rx="2" />
                <rect class="msg" x="-24" y="8" width="48" height="8" rx="2" />
            </g>
        },
        SourceKind::Schedule => html! {
            <g class="icon icon-schedule" transform={t}>
                <circle r="26" />
                <path class="glyph" d="M0 -16 L0 0 L12 8" />
            </g>
        },
    }
}

fn kind_label(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Api => "API Gateway",
        SourceKind::S3 => "S3 bucket",
        SourceKind::Sqs => "SQS queue",
        SourceKind::Schedule => "EventBridge schedule",
    }
}

fn source_html(i: usize, n: usize, s: &SourceView, sampled: bool, narrow: bool) -> Html {
    let ((ax, _), (cx, cy)) = if narrow {
        narrow::source(i, n)
    } else {
        let (ax, ay) = source_anchor(i, n);
        ((ax, ay), (92.0, ay - 10.0))
    };
    // On the narrow stage the rate sits left of the icon (particles leave
    // to the right) and the labels are spaced for its larger type.
    let (rate_x, rate_y, rate_class) = if narrow {
        (cx - 44.0, cy + 10.0, "rate right")
    } else {
        (ax, cy - 30.0, "rate right")
    };
    let (kind_dy, name_dy) = if narrow { (64.0, 100.0) } else { (44.0, 58.0) };
    let rate = if sampled {
        format!("×{}/s", num(s.rate_per_s))
    } else {
        format!("{}/s", num(s.rate_per_s))
    };
    html! {
        <g class="source" data-testid="source" data-kind={s.kind.as_str()}>
            { icon(s.kind, cx, cy) }
            <text x={format!("{cx:.1}")} y={format!("{:.1}", cy + kind_dy)} class="small">{ kind_label(s.kind) }</text>
            <text x={format!("{cx:.1}")} y={format!("{:.1}", cy + name_dy)} class="small muted">{ s.name.clone() }</text>
            <text x={format!("{rate_x:.1}")} y={format!("{rate_y:.1}")} class={rate_class} data-testid="source-rate"
                  aria-label={format!("{} arrivals per second{}", num(s.rate_per_s), if sampled { ", particles sampled" } else { "" })}>
                { rate }
            </text>
            if let Some(d) = s.queue_depth {
                // On the narrow stage, right of the icon (the rate is left of it).
                <text x={format!("{:.1}", if narrow { cx + 40.0 } else { cx })} y={format!("{:.1}", cy + if narrow { 10.0 } else { 4.0 })}
                      class="depth" data-testid="queue-depth">{ count(d) }</text>
            }
        </g>
    }
}

/// Properties of [`Stage`].
#[derive(Properties, PartialEq)]
pub struct StageProps {
    /// The frame to draw.
    pub frame: Rc<FrameView>,
    /// Title of the Lambda panel (function name and settings).
    pub lambda_title: AttrValue,
    /// Title of the EC2 panel.
    pub ec2_title: AttrValue,
}

/// The stage.
#[function_component(Stage)]
pub fn stage(props: &StageProps) -> Html {
    let f = &props.frame;
    let narrow = use_narrow();
    let svg = use_node_ref();
    let n = f.sources.len();
    let lay = Layout { narrow, sources: n };
    let env_slot: HashMap<u64, usize> = f
        .snapshot
        .lambda
        .environments
        .iter()
        .zip(&f.slots)
        .map(|(e, s)| (e.id, *s))
        .collect();
    let ec2 = f.snapshot.ec2.as_ref();
    let inst_index: HashMap<u64, usize> = ec2
        .map(|e| {
            e.instances
                .iter()
                .enumerate()
                .map(|(i, v)| (v.id, i))
                .collect()
        })
        .unwrap_or_default();
    let n_inst = ec2.map_or(0, |e| e.instances.len());
    let dots: Vec<Dot> = f
        .particles
        .iter()
        .filter_map(|p| {
            let a = lay.anchor(p.source as usize, n);
            let t = p.progress(f.now_ms);
            let (x, y, look) = match p.target {
                Target::Env(id) => {
                    let b = lay.lambda_grid(slot_center(*env_slot.get(&id)?, f.slot_count));
                    let (x, y) = arc(a, b, -40.0, t);
                    (x, y, if p.cold { Look::Cold } else { Look::Warm })
                }
                Target::Instance(id) => {
                    let b = lay.ec2_grid(instance_center(*inst_index.get(&id)?, n_inst));
                    let alb = lay.ec2_grid(ALB);
                    // API requests go through the load balancer; queued work
                    // (SQS, S3 and schedule events) is pulled by the workers.
                    let via_alb = f
                        .sources
                        .get(p.source as usize)
                        .is_some_and(|s| s.kind == SourceKind::Api);
                    let (x, y) = if !via_alb {
                        arc(a, b, 30.0, t)
                    } else if t < 0.5 {
                        arc(a, alb, 30.0, t * 2.0)
                    } else {
                        arc(alb, b, 0.0, t * 2.0 - 1.0)
                    };
                    (x, y, Look::Ec2)
                }
                Target::Bounce | Target::Reject => {
                    let (wall, tally) = if p.target == Target::Bounce {
                        // The edge of the Lambda panel nearest the source.
                        let wall = if narrow {
                            (a.0, lay.lambda(PANEL_TOP).1)
                        } else {
                            (222.0, a.1)
                        };
                        (wall, lay.lambda(tally_429(narrow)))
                    } else {
                        (
                            lay.ec2_grid((ALB.0 - 30.0, ALB.1)),
                            lay.ec2(tally_503(narrow)),
                        )
                    };
                    let (x, y) = if t < 0.5 {
                        arc(a, wall, 0.0, t * 2.0)
                    } else {
                        arc(wall, tally, 20.0, t * 2.0 - 1.0)
                    };
                    (x, y, Look::Bounce)
                }
            };
            Some(Dot { x, y, look })
        })
        .collect();
    let (width, height) = match (narrow, ec2.is_some()) {
        (false, true) => (1000.0, 600.0),
        (false, false) => (1000.0, 420.0),
        (true, fleet) => (narrow::W, narrow::height(n, fleet)),
    };
    let shift = |(dx, dy): (f64, f64)| narrow.then(|| format!("translate({dx} {dy})"));
    let (lambda_at, ec2_at) = (shift(narrow::lambda_shift(n)), shift(narrow::ec2_shift(n)));
    let via_alb = f.sources.iter().any(|s| s.kind == SourceKind::Api);
    let (alb_x, alb_y) = lay.ec2_grid(ALB);
    // The narrow stage's larger type has room for the function's name and
    // the fleet's name and instance type, on one line (a long name is cut
    // with an ellipsis); the rest is in the parameters.
    let short = |t: &AttrValue, parts: usize, name_chars: usize| -> AttrValue {
        if narrow {
            t.split(" · ")
                .take(parts)
                .enumerate()
                .map(|(i, p)| {
                    if i == 0 {
                        narrow::ellipsis(p, name_chars)
                    } else {
                        p.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" · ")
                .into()
        } else {
            t.clone()
        }
    };
    let (lambda_title, ec2_title) = (
        short(&props.lambda_title, 1, 26),
        short(&props.ec2_title, 2, 16),
    );
    let l = &f.snapshot.lambda;
    // On the narrow stage particles cross the panels' header lines on their
    // way down: drawn first, they pass under the text.
    let particles = html! {
        <ParticleCanvas dots={Rc::new(dots)} {width} {height} svg={svg.clone()} now_ms={f.now_ms} />
    };
    let (under, over) = if narrow {
        (Some(particles), None)
    } else {
        (None, Some(particles))
    };
    html! {
        <svg ref={svg.clone()} class={classes!("stage", narrow.then_some("narrow"))} viewBox={format!("0 0 {width} {height}")} role="img" data-testid="stage"
             aria-label={format!("Lambda: {} environments, {} busy; {} throttled, {} timed out", l.total, l.busy, l.counters.throttles, l.counters.timeouts)}>
            <g class="sources">
                { for f.sources.iter().enumerate().map(|(i, s)| source_html(i, n, s, f.sampled, narrow)) }
            </g>
            { for under }
            <g class="panels">
                <g transform={lambda_at}><LambdaPanel frame={f.clone()} title={lambda_title} {narrow} /></g>
                <g transform={ec2_at}><Ec2Panel frame={f.clone()} title={ec2_title} {via_alb} {narrow} /></g>
            </g>
            { for over }
            // Labels that particles pass under stay readable on top of them.
            if ec2.is_some() {
                <text class="overlay-label" x={format!("{alb_x:.1}")} y={format!("{:.1}", alb_y + 5.0)} aria-hidden="true">
                    { if via_alb { "ALB" } else { "SQS" } }
                </text>
            }
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_spread_down_the_left() {
        let ys: Vec<f64> = (0..3).map(|i| source_anchor(i, 3).1).collect();
        assert!(ys.windows(2).all(|w| w[0] < w[1]));
        assert!(ys[0] > 0.0 && ys[2] < 330.0);
        assert_eq!(source_anchor(0, 0), source_anchor(0, 1));
    }

    #[test]
    fn the_narrow_stage_moves_the_panels_below_the_sources() {
        let lay = Layout {
            narrow: true,
            sources: 1,
        };
        let (x0, y0) = lay.lambda((super::super::lambda_panel::PANEL.0, 10.0));
        let (x1, _) = lay.lambda((
            super::super::lambda_panel::PANEL.0 + super::super::lambda_panel::PANEL.2,
            0.0,
        ));
        assert!(x0 >= 0.0 && x1 <= narrow::W, "{x0}..{x1}");
        assert!(y0 >= narrow::sources_h(1), "{y0}");
        assert!(lay.lambda_grid((0.0, 66.0)).1 > lay.lambda((0.0, 66.0)).1);
        assert!(lay.ec2((0.0, 350.0)).1 > lay.lambda((0.0, 10.0 + narrow::LAMBDA_H)).1);
        let wide = Layout {
            narrow: false,
            sources: 1,
        };
        assert_eq!(wide.lambda_grid((1.0, 2.0)), (1.0, 2.0));
        assert_eq!(wide.ec2_grid((1.0, 2.0)), (1.0, 2.0));
    }
}
