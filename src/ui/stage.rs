//! The animated stage: the scenario's event sources on the left emit
//! particles (sampled from the engine's happenings) to the Lambda function's
//! execution environments above and to the EC2 fleet below.

use super::ec2_panel::{instance_center, instance_size, tally_503, Ec2Panel, ALB};
use super::format::{count, num};
use super::lambda_panel::{slot_center, tally_429, LambdaPanel, PANEL_TOP};
use super::layout::{narrow, use_narrow, wide};
use super::particle_canvas::{Dot, Look, ParticleCanvas};
use super::particles::{arc, Particle, Target};
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

/// Where particles go: the environments' grid slots and the instances'
/// places, for this frame.
struct Targets<'a> {
    env_slot: &'a HashMap<u64, usize>,
    slots: usize,
    inst_index: &'a HashMap<u64, usize>,
    n_inst: usize,
    sources: &'a [SourceView],
}

impl Targets<'_> {
    /// Whether particle `p` reaches the fleet through the load balancer
    /// (API requests) rather than being pulled from a queue (SQS, S3 and
    /// schedule events).
    fn via_alb(&self, p: &Particle) -> bool {
        self.sources
            .get(p.source as usize)
            .is_some_and(|s| s.kind == SourceKind::Api)
    }
}

/// A particle's place on the narrow stage (drawn under the panels there,
/// whose header lines are opaque bands): arcs from its source.
fn narrow_dot(
    lay: Layout,
    to: &Targets,
    p: &Particle,
    a: (f64, f64),
    t: f64,
) -> Option<(f64, f64)> {
    Some(match p.target {
        Target::Env(id) => {
            let b = lay.lambda_grid(slot_center(*to.env_slot.get(&id)?, to.slots));
            arc(a, b, -40.0, t)
        }
        Target::Instance(id) => {
            let b = lay.ec2_grid(instance_center(*to.inst_index.get(&id)?, to.n_inst));
            let alb = lay.ec2_grid(ALB);
            if !to.via_alb(p) {
                arc(a, b, 30.0, t)
            } else if t < 0.5 {
                arc(a, alb, 30.0, t * 2.0)
            } else {
                arc(alb, b, 0.0, t * 2.0 - 1.0)
            }
        }
        Target::Bounce | Target::Reject => {
            let (wall, tally) = if p.target == Target::Bounce {
                // The edge of the Lambda panel nearest the source.
                ((a.0, lay.lambda(PANEL_TOP).1), lay.lambda(tally_429(true)))
            } else {
                (
                    lay.ec2_grid((ALB.0 - 30.0, ALB.1)),
                    lay.ec2(tally_503(true)),
                )
            };
            if t < 0.5 {
                arc(a, wall, 0.0, t * 2.0)
            } else {
                arc(wall, tally, 20.0, t * 2.0 - 1.0)
            }
        }
    })
}

/// A particle's place on the wide stage (drawn above the panels there):
/// on a path that keeps off every line of text ([`wide`]).
fn wide_dot(to: &Targets, p: &Particle, a: (f64, f64), t: f64) -> Option<(f64, f64)> {
    let (left, right) = ((ALB.0 - 30.0, ALB.1), (ALB.0 + 30.0, ALB.1));
    let halves = |(first, second): (wide::Path, wide::Path)| {
        if t < 0.5 {
            first.at(t * 2.0)
        } else {
            second.at(t * 2.0 - 1.0)
        }
    };
    Some(match p.target {
        Target::Env(id) => wide::to_lambda(a, slot_center(*to.env_slot.get(&id)?, to.slots)).at(t),
        Target::Instance(id) => {
            let i = *to.inst_index.get(&id)?;
            let (size, pitch) = instance_size(to.n_inst);
            // Queued work is pulled through the queue's box as requests go
            // through the load balancer's: in at its left edge, out at its
            // right (its label between stays clear).
            halves((
                wide::to_fleet_door(a, left),
                wide::to_instance(right, instance_center(i, to.n_inst), size, pitch),
            ))
        }
        Target::Bounce => halves(wide::bounce_429(a, PANEL_TOP.0 + 2.0)),
        Target::Reject => halves(wide::bounce_503(a, left)),
    })
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
    let to = Targets {
        env_slot: &env_slot,
        slots: f.slot_count,
        inst_index: &inst_index,
        n_inst,
        sources: &f.sources,
    };
    let dots: Vec<Dot> = f
        .particles
        .iter()
        .filter_map(|p| {
            let a = lay.anchor(p.source as usize, n);
            let t = p.progress(f.now_ms);
            let (x, y) = if narrow {
                narrow_dot(lay, &to, p, a, t)?
            } else {
                wide_dot(&to, p, a, t)?
            };
            let look = match p.target {
                Target::Env(_) if p.cold => Look::Cold,
                Target::Env(_) => Look::Warm,
                Target::Instance(_) => Look::Ec2,
                Target::Bounce | Target::Reject => Look::Bounce,
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

    /// The wide stage's lines of text [stage units]: (left, top, right,
    /// bottom) of each, with its glyphs' ascent and descent (the panels'
    /// text starts 16 units in from their left edge at x = 220).
    /// A box: left, top, right, bottom [stage units].
    type Box4 = (f64, f64, f64, f64);

    fn wide_text(n_sources: usize, n_inst: usize) -> Vec<(&'static str, Box4)> {
        let mut v = vec![
            ("Lambda title and counts", (236.0, 20.0, 990.0, 60.0)),
            ("concurrency line and bar", (240.0, 264.0, 990.0, 292.0)),
            (
                "429, timeout, cold-start tallies",
                (300.0, 306.0, 990.0, 323.0),
            ),
            ("EC2 title and counts", (236.0, 362.0, 990.0, 399.0)),
            ("503 tally, CPU, bars note", (300.0, 564.0, 990.0, 581.0)),
            ("ALB / SQS label", (256.0, 462.0, 288.0, 480.0)),
        ];
        for i in 0..n_sources {
            let (ax, ay) = source_anchor(i, n_sources);
            v.push(("source rate", (100.0, ay - 54.0, ax, ay - 37.0)));
            v.push(("source labels", (20.0, ay + 22.0, 164.0, ay + 52.0)));
        }
        let (size, pitch) = super::super::ec2_panel::instance_size(n_inst);
        if pitch >= 60.0 {
            for i in 0..n_inst {
                let (x, y) = instance_center(i, n_inst);
                v.push((
                    "an instance's labels",
                    (
                        x - size / 2.0 + 14.0,
                        y - 13.0,
                        x + size / 2.0 - 14.0,
                        y + 15.0,
                    ),
                ));
            }
        }
        v
    }

    #[test]
    fn wide_particles_keep_off_every_line_of_text() {
        use crate::engine::scenario::SourceKind;
        // A particle's radius on the wide stage: 5 units, up to 5.4 where
        // the stage is drawn under 0.6 CSS px a unit (3 CSS px at least).
        let r = 5.5;
        let mut checked = 0;
        // Up to three sources (the presets have one; from four on, the
        // sources' own labels meet one another on the wide stage).
        for n_sources in 1..=3 {
            for kind in [SourceKind::Api, SourceKind::Sqs] {
                let sources: Vec<SourceView> = (0..n_sources)
                    .map(|_| SourceView {
                        name: "s".into(),
                        kind,
                        rate_per_s: 1.0,
                        queue_depth: None,
                    })
                    .collect();
                for (slots, n_inst) in [(1, 1), (10, 4), (30, 6), (120, 12), (400, 20), (1000, 50)]
                {
                    let env_slot: HashMap<u64, usize> =
                        (0..slots as u64).map(|i| (i, i as usize)).collect();
                    let inst_index: HashMap<u64, usize> =
                        (0..n_inst as u64).map(|i| (i, i as usize)).collect();
                    let to = Targets {
                        env_slot: &env_slot,
                        slots,
                        inst_index: &inst_index,
                        n_inst,
                        sources: &sources,
                    };
                    let text = wide_text(n_sources, n_inst);
                    let targets = (0..slots as u64)
                        .step_by(slots.div_ceil(40))
                        .map(Target::Env)
                        .chain((0..n_inst as u64).map(Target::Instance))
                        .chain([Target::Bounce, Target::Reject]);
                    for target in targets {
                        for source in 0..n_sources {
                            let p = Particle {
                                born_ms: 0.0,
                                source: source as u32,
                                target,
                                cold: false,
                            };
                            let a = source_anchor(source, n_sources);
                            for k in 0..=100 {
                                let t = f64::from(k) / 100.0;
                                let (x, y) = wide_dot(&to, &p, a, t).unwrap();
                                for (what, (l, tp, rt, b)) in &text {
                                    let dx = (l - x).max(x - rt).max(0.0);
                                    let dy = (tp - y).max(y - b).max(0.0);
                                    assert!(
                                        dx.hypot(dy) >= r,
                                        "{target:?} from source {source} of {n_sources} ({kind:?}, {slots} slots, {n_inst} instances) at t = {t}: ({x:.1}, {y:.1}) on the {what}"
                                    );
                                }
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(checked > 100_000, "{checked}");
    }

    #[test]
    fn wide_paths_start_and_end_where_they_should() {
        let a = source_anchor(0, 1);
        let b = super::super::lambda_panel::slot_center(3, 10);
        let path = wide::to_lambda(a, b);
        assert_eq!(path.at(0.0), a);
        let end = path.at(1.0);
        assert!(
            (end.0 - b.0).abs() < 1e-9 && (end.1 - b.1).abs() < 1e-9,
            "{end:?}"
        );
        // Smooth: no jump between two nearby instants.
        for k in 0..1000 {
            let (p, q) = (
                path.at(f64::from(k) / 1000.0),
                path.at(f64::from(k + 1) / 1000.0),
            );
            assert!((p.0 - q.0).hypot(p.1 - q.1) < 5.0, "{k}: {p:?} {q:?}");
        }
        assert_eq!(
            wide::Path::new(&[(1.0, 1.0), (1.0, 1.0)]).at(0.5),
            (1.0, 1.0)
        );
    }
}
