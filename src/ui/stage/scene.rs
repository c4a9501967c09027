//! The animated stage: the scenario's event sources on the left emit
//! particles (sampled from the engine's happenings) to the Lambda function's
//! execution environments above and to the EC2 fleet below.

use super::sources::source_html;
use crate::engine::scenario::SourceKind;
use crate::ui::sim_handle::FrameView;
use crate::ui::stage::ec2_panel::{instance_center, instance_size, tally_503, Ec2Panel, ALB};
use crate::ui::stage::lambda_panel::{slot_center, tally_429, LambdaPanel, PANEL, PANEL_TOP};
use crate::ui::stage::measure::use_width;
use crate::ui::stage::particle_canvas::{Dot, Look, ParticleCanvas};
use crate::ui::view_model::layout::sources::{self, Slot};
use crate::ui::view_model::layout::{narrow, typescale, use_narrow, wide};
use crate::ui::view_model::particles::{Particle, Target};
use std::collections::HashMap;
use std::rc::Rc;
use yew::prelude::*;

/// Where the stage draws the panels' points: as they are on the wide
/// stage, or moved for the narrow (phone) stage, where the panels stack
/// below the sources with their text on lines of its own
/// ([`narrow`]).
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
        if self.narrow {
            (x + narrow::EC2_GRID_DX, y + narrow::EC2_GRID_DY)
        } else {
            (x, y)
        }
    }
}

/// The sources' places on this stage (the wide stage's text at type
/// factor `k`).
pub fn source_slots(narrow: bool, n: usize, fleet: bool, k: f64) -> Vec<Slot> {
    if narrow {
        sources::narrow(n)
    } else {
        sources::wide(n, if fleet { 600.0 } else { 420.0 }, k)
    }
}

/// Properties of [`Stage`].
#[derive(Properties, PartialEq)]
pub struct StageProps {
    /// The frame to draw.
    pub frame: Rc<FrameView>,
    /// Title of the Lambda panel: the function's name, then its settings,
    /// separated by " · " (shortened on the stage to fit).
    pub lambda_title: AttrValue,
    /// Title of the EC2 panel (the same form).
    pub ec2_title: AttrValue,
    /// Projector mode: the stage's text at ≥ 24 CSS px instead of 12.
    #[prop_or_default]
    pub projector: bool,
}

/// Where particles go: the environments' grid slots and the instances'
/// places, for this frame.
struct Targets<'a> {
    env_slot: &'a HashMap<u64, usize>,
    slots: usize,
    inst_index: &'a HashMap<u64, usize>,
    n_inst: usize,
}

/// Of two paths, the first for the first half of a flight, the second for
/// the rest.
fn halves(t: f64, (first, second): (wide::Path, wide::Path)) -> (f64, f64) {
    if t < 0.5 {
        first.at(t * 2.0)
    } else {
        second.at(t * 2.0 - 1.0)
    }
}

/// A particle's place on the narrow stage (drawn above the panels, as on
/// the wide stage): from under its source along its row's lane to the
/// gutter left of every line of text, down the gutter, then across to its
/// cell (over the grid), into the load balancer or the queue at its left
/// edge and out at its right, or down to its tally.
fn narrow_dot(
    lay: Layout,
    to: &Targets,
    p: &Particle,
    a: (f64, f64),
    t: f64,
) -> Option<(f64, f64)> {
    let g = narrow::GUTTER_X;
    // Corners rounded within this [stage units].
    const R: f64 = 16.0;
    let down = |y: f64| [a, (g, a.1), (g, y)];
    // In and out of the load balancer (or the queue) below its label,
    // which is wider than its box at the narrow stage's type size.
    let alb = lay.ec2_grid(ALB);
    let (left, right) = ((alb.0 - 30.0, alb.1 + 30.0), (alb.0 + 30.0, alb.1 + 30.0));
    Some(match p.target {
        Target::Env(id) => {
            let b = lay.lambda_grid(slot_center(*to.env_slot.get(&id)?, to.slots));
            let d = down(b.1);
            wide::Path::tight(&[d[0], d[1], d[2], b], R).at(t)
        }
        Target::Instance(id) => {
            let i = *to.inst_index.get(&id)?;
            let c = lay.ec2_grid(instance_center(i, to.n_inst));
            let d = down(left.1);
            halves(
                t,
                (
                    wide::Path::tight(&[d[0], d[1], d[2], left], R),
                    // Out to the right, clear of the label, then straight
                    // to the box (the boxes have no text on this stage).
                    wide::Path::tight(&[right, (right.0 + 22.0, right.1), c], R),
                ),
            )
        }
        Target::Bounce => {
            // Into the Lambda panel's top edge and on down to the 429 tally.
            let wall = lay.lambda((0.0, PANEL.1 + 24.0)).1;
            let end = (g, lay.lambda(tally_429(true)).1);
            let d = down(wall);
            halves(
                t,
                (wide::Path::tight(&d, R), wide::Path::tight(&[d[2], end], R)),
            )
        }
        Target::Reject => {
            let end = (g, lay.ec2(tally_503(true)).1);
            let d = down(left.1);
            halves(
                t,
                (
                    wide::Path::tight(&[d[0], d[1], d[2], left], R),
                    wide::Path::tight(&[left, (g, left.1 + 30.0), end], R),
                ),
            )
        }
    })
}

/// A particle's place on the wide stage (drawn above the panels there):
/// on a path that keeps off every line of text ([`wide`]).
fn wide_dot(to: &Targets, p: &Particle, a: (f64, f64), t: f64) -> Option<(f64, f64)> {
    let (left, right) = ((ALB.0 - 30.0, ALB.1), (ALB.0 + 30.0, ALB.1));
    Some(match p.target {
        Target::Env(id) => wide::to_lambda(a, slot_center(*to.env_slot.get(&id)?, to.slots)).at(t),
        Target::Instance(id) => {
            let i = *to.inst_index.get(&id)?;
            let (size, pitch) = instance_size(to.n_inst);
            // Queued work is pulled through the queue's box as requests go
            // through the load balancer's: in at its left edge, out at its
            // right (its label between stays clear).
            halves(
                t,
                (
                    wide::to_fleet_door(a, left),
                    wide::to_instance(right, instance_center(i, to.n_inst), size, pitch),
                ),
            )
        }
        Target::Bounce => halves(t, wide::bounce_429(a, PANEL_TOP.0 + 2.0)),
        Target::Reject => halves(t, wide::bounce_503(a, left)),
    })
}

/// The stage.
#[function_component(Stage)]
pub fn stage(props: &StageProps) -> Html {
    let f = &props.frame;
    let svg = use_node_ref();
    // The type factor for the stage's drawn width: its smallest text at
    // ≥ 12 CSS px (24 on a projector); the narrow stage when the wide one
    // cannot keep it so (a phone, a narrow embed).
    let drawn = use_width(svg.clone());
    let min_px = if props.projector { 24.0 } else { 12.0 };
    let wide_k = typescale::factor(drawn / 1000.0, min_px);
    let narrow = use_narrow() || wide_k.is_none();
    let k = if narrow { 1.0 } else { wide_k.unwrap_or(1.0) };
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
    };
    let slots = source_slots(narrow, n, ec2.is_some(), k);
    let dots: Vec<Dot> = f
        .particles
        .iter()
        .filter_map(|p| {
            let a = sources::slot_of(&slots, p.source as usize)?.anchor;
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
    let l = &f.snapshot.lambda;
    html! {
        <svg ref={svg.clone()} class={classes!("stage", narrow.then_some("narrow"), (!typescale::secondary(k)).then_some("terse"))}
             viewBox={format!("0 0 {width} {height}")} role="group" data-testid="stage"
             style={format!("--k:{k}")} data-k={k.to_string()}
             aria-label={format!("Lambda {}: {} environments, {} busy; {} throttled, {} timed out", props.lambda_title, l.total, l.busy, l.counters.throttles, l.counters.timeouts)}>
            <g class="sources">
                { for slots.iter().map(|s| source_html(s, &f.sources, f.sampled, k)) }
            </g>
            <g class="panels">
                <g transform={lambda_at}><LambdaPanel frame={f.clone()} title={props.lambda_title.clone()} {narrow} {k} /></g>
                <g transform={ec2_at}><Ec2Panel frame={f.clone()} title={props.ec2_title.clone()} {via_alb} {narrow} {k} /></g>
            </g>
            // Particles fly above the panels, on paths that keep off their
            // text (and the canvas takes no pointer events).
            <ParticleCanvas dots={Rc::new(dots)} {width} {height} svg={svg.clone()} now_ms={f.now_ms} />
            // Labels that particles pass under stay readable on top of them.
            if ec2.is_some() {
                <text class="overlay-label" x={format!("{alb_x:.1}")} y={format!("{:.1}", alb_y + 5.0 * k)} aria-hidden="true">
                    { if via_alb { "ALB" } else { "SQS" } }
                </text>
            }
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::defaults::MAX_SOURCES;
    use crate::ui::view_model::layout::sources::Style;

    /// A box: left, top, right, bottom [stage units].
    type Box4 = (f64, f64, f64, f64);

    #[test]
    fn the_narrow_stage_moves_the_panels_below_the_sources() {
        for n in [1, 2, 9, MAX_SOURCES] {
            let lay = Layout {
                narrow: true,
                sources: n,
            };
            let (x0, y0) = lay.lambda((PANEL.0, 10.0));
            let (x1, _) = lay.lambda((PANEL.0 + PANEL.2, 0.0));
            assert!(x0 >= 0.0 && x1 <= narrow::W, "{x0}..{x1}");
            assert!(y0 >= narrow::sources_h(n), "{y0}");
            for s in source_slots(true, n, true, 1.0) {
                assert!(
                    s.anchor.1 + 8.0 <= y0,
                    "{n}: particles leave above the panel"
                );
            }
            assert!(lay.lambda_grid((0.0, 66.0)).1 > lay.lambda((0.0, 66.0)).1);
            assert!(lay.ec2((0.0, 350.0)).1 > lay.lambda((0.0, 10.0 + narrow::LAMBDA_H)).1);
        }
        let wide = Layout {
            narrow: false,
            sources: 1,
        };
        assert_eq!(wide.lambda_grid((1.0, 2.0)), (1.0, 2.0));
        assert_eq!(wide.ec2_grid((1.0, 2.0)), (1.0, 2.0));
    }

    /// The text of the sources' places (estimated as the stage draws it:
    /// 13 k units on the wide stage, 30 on the narrow one; a glyph box
    /// 0.93 em above its baseline, 0.24 em below).
    fn source_text(slots: &[Slot], k: f64) -> Vec<(&'static str, Box4)> {
        let mut v = Vec::new();
        for s in slots {
            match s.style {
                Style::Full => {
                    let ay = s.anchor.1;
                    let (up, down) = sources::full_text_span(k);
                    v.push((
                        "source rate",
                        (100.0, ay - up, s.anchor.0, ay - 40.0 + 3.2 * k),
                    ));
                    v.push((
                        "source labels",
                        (10.0, ay + 34.0 - 12.1 * k, 174.0, ay + down),
                    ));
                }
                Style::Compact => v.push((
                    "source name and rate",
                    (
                        s.text_x,
                        s.y0 - 12.1 * k,
                        s.text_x + s.text_w,
                        s.y0 + 19.2 * k,
                    ),
                )),
                Style::Card => v.push((
                    "source card",
                    (
                        s.text_x,
                        s.y0 - 30.0,
                        s.text_x + s.text_w,
                        s.y0 + 2.0 * narrow::LINE + 9.0,
                    ),
                )),
            }
        }
        v
    }

    /// The wide stage's lines of text at type factor `k` [stage units]:
    /// (left, top, right, bottom) of each, with its glyphs' ascent (0.93
    /// em) and descent (0.24 em); the panels' text starts 16 units in
    /// from their left edge at x = 220.
    fn wide_text(slots: &[Slot], n_inst: usize, k: f64) -> Vec<(&'static str, Box4)> {
        use crate::ui::stage::ec2_panel::{instance_labels, MANAGED_TAG};
        let mut v = vec![
            (
                "Lambda title, counts or who manages",
                (236.0, 34.0 - 15.9 * k, 990.0, 55.0 + 3.4 * k),
            ),
            (
                "concurrency line and bar",
                (240.0, 276.0 - 12.1 * k, 990.0, 292.0),
            ),
            (
                "429, timeout, cold-start tallies",
                (300.0, 318.0 - 13.1 * k, 990.0, 318.0 + 3.4 * k),
            ),
            (
                "EC2 title, counts or who manages",
                (236.0, 374.0 - 15.9 * k, 990.0, 396.0 + 3.4 * k),
            ),
            (
                "503 tally, CPU, bars note",
                (
                    300.0,
                    571.0 + 5.0 * k - 13.1 * k,
                    990.0,
                    571.0 + 5.0 * k + 3.4 * k,
                ),
            ),
            (
                "ALB / SQS label",
                (
                    ALB.0 - 16.0 * k,
                    ALB.1 + 5.0 * k - 12.1 * k,
                    ALB.0 + 16.0 * k,
                    ALB.1 + 5.0 * k + 3.2 * k,
                ),
            ),
        ];
        if instance_labels(n_inst, k).2 {
            let (x, y) = MANAGED_TAG;
            v.push((
                "managed tag",
                (x - 32.0 * k, y - 12.1 * k, x + 32.0 * k, y + 3.2 * k),
            ));
        }
        v.extend(source_text(slots, k));
        let (size, _) = crate::ui::stage::ec2_panel::instance_size(n_inst);
        let (id, state, _) = instance_labels(n_inst, k);
        if id {
            for i in 0..n_inst {
                let (x, y) = instance_center(i, n_inst);
                let (top, bottom) = if state {
                    (y - 1.0 - 12.1 * k, y + 14.0 * k + 3.2 * k)
                } else {
                    (y + 4.5 * k - 12.1 * k, y + 4.5 * k + 3.2 * k)
                };
                v.push((
                    "an instance's labels",
                    (x - size / 2.0 + 4.0, top, x + size / 2.0 - 4.0, bottom),
                ));
            }
        }
        v
    }

    /// The narrow stage's lines of text: the panels' text runs from their
    /// text column ([`narrow::TEXT_X`]) to their right edge, 30 to 33
    /// units high; the load balancer's label (31 units, wider than its box).
    fn narrow_text(lay: Layout, slots: &[Slot]) -> Vec<(&'static str, Box4)> {
        let mut v = source_text(slots, 1.0);
        let line = |y: f64| (narrow::TEXT_X, y - 33.0, PANEL.0 + PANEL.2, y + 10.0);
        let l = |y: f64| {
            let (x0, t, x1, b) = line(y);
            let (a, c) = (lay.lambda((x0, t)), lay.lambda((x1, b)));
            (a.0, a.1, c.0, c.1)
        };
        let e = |y: f64| {
            let (x0, t, x1, b) = line(y);
            let (a, c) = (lay.ec2((x0, t)), lay.ec2((x1, b)));
            (a.0, a.1, c.0, c.1)
        };
        let ln = narrow::LINE;
        for y in [
            narrow::LAMBDA_TITLE_Y,
            narrow::LAMBDA_COUNTS_Y,
            narrow::LAMBDA_COUNTS_Y + ln,
        ] {
            v.push(("Lambda header", l(y)));
        }
        for y in [
            narrow::LAMBDA_CONCURRENCY_Y,
            narrow::LAMBDA_CONCURRENCY_Y + ln,
        ] {
            v.push(("concurrency lines", l(y)));
        }
        for k in 0..3 {
            v.push((
                "Lambda tallies",
                l(narrow::LAMBDA_TALLY_Y + f64::from(k) * ln),
            ));
        }
        v.push(("grid detail", l(narrow::LAMBDA_DETAIL_Y)));
        for y in [
            narrow::EC2_TITLE_Y,
            narrow::EC2_STATE_Y,
            narrow::EC2_STATE_Y + ln,
            narrow::EC2_STATE_Y + 2.0 * ln,
        ] {
            v.push(("EC2 header", e(y)));
        }
        v.push(("EC2 tallies", e(narrow::EC2_TALLY_Y)));
        v.push(("EC2 tallies", e(narrow::EC2_TALLY_Y + ln)));
        let (ax, ay) = lay.ec2_grid(ALB);
        v.push((
            "ALB / SQS label",
            (ax - 36.0, ay + 5.0 - 30.0, ax + 36.0, ay + 5.0 + 8.0),
        ));
        v
    }

    /// Every path of every kind of particle, from every source, for grids
    /// and fleets of several sizes, keeps `r` units off every line of
    /// text the stage draws.
    fn check_paths(narrow: bool, counts: &[usize], r: f64, k: f64) -> usize {
        let mut checked = 0;
        for &n_sources in counts {
            let sources = source_slots(narrow, n_sources, true, k);
            let lay = Layout {
                narrow,
                sources: n_sources,
            };
            let text = if narrow {
                narrow_text(lay, &sources)
            } else {
                wide_text(&sources, 0, k)
            };
            for (slots, n_inst) in [(1, 1), (10, 4), (30, 6), (120, 12), (400, 20), (1000, 50)] {
                let env_slot: HashMap<u64, usize> =
                    (0..slots as u64).map(|i| (i, i as usize)).collect();
                let inst_index: HashMap<u64, usize> =
                    (0..n_inst as u64).map(|i| (i, i as usize)).collect();
                let to = Targets {
                    env_slot: &env_slot,
                    slots,
                    inst_index: &inst_index,
                    n_inst,
                };
                let mut text = text.clone();
                if !narrow {
                    text.extend(wide_text(&[], n_inst, k));
                }
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
                        let a = sources::slot_of(&sources, source).unwrap().anchor;
                        for step in 0..=100 {
                            let t = f64::from(step) / 100.0;
                            let (x, y) = if narrow {
                                narrow_dot(lay, &to, &p, a, t).unwrap()
                            } else {
                                wide_dot(&to, &p, a, t).unwrap()
                            };
                            for (what, (l, tp, rt, b)) in &text {
                                let dx = (l - x).max(x - rt).max(0.0);
                                let dy = (tp - y).max(y - b).max(0.0);
                                assert!(
                                    dx.hypot(dy) >= r,
                                    "{target:?} from source {source} of {n_sources} ({slots} slots, {n_inst} instances, narrow {narrow}, k {k}) at t = {t}: ({x:.1}, {y:.1}) on the {what}"
                                );
                            }
                            checked += 1;
                        }
                    }
                }
            }
        }
        checked
    }

    #[test]
    fn wide_particles_keep_off_every_line_of_text() {
        // A particle's radius on the wide stage: 5 units, up to 5.4 where
        // the stage is drawn under 0.6 CSS px a unit (3 CSS px at least).
        // At every type factor the wide stage draws (1 at 1280 px, more in
        // a narrow embed and on a projector).
        for k in [1.0, typescale::SECONDARY_K, typescale::MAX_K] {
            let n = check_paths(false, &[1, 2, 3, 4, 5, 6, 9, MAX_SOURCES], 5.5, k);
            assert!(n > 100_000, "{n}");
        }
    }

    #[test]
    fn narrow_particles_keep_off_every_line_of_text() {
        // 3 CSS px on a 320 px phone (0.38 px a unit): 8 units.
        let n = check_paths(true, &[1, 2, 3, 8, 9, MAX_SOURCES], 8.0, 1.0);
        assert!(n > 100_000, "{n}");
    }

    #[test]
    fn wide_paths_start_and_end_where_they_should() {
        let a = source_slots(false, 1, true, 1.0)[0].anchor;
        let b = crate::ui::stage::lambda_panel::slot_center(3, 10);
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
