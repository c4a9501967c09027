//! The self-managed side on the stage: the load balancer and the EC2
//! fleet's instance boxes with CPU and queue bars and their state (booting,
//! in service, patching, failed, draining; shown by pattern and a label as
//! well as colour), the Auto Scaling bounds and the 503 tally.

use crate::common::format::count;
use crate::engine::ec2::fleet::InstanceState;
use crate::engine::ec2::view::Ec2Snapshot;
use crate::ui::sim_handle::FrameView;
use crate::ui::view_model::layout::narrow::*;
use crate::ui::view_model::layout::text::{self, Font};
use crate::ui::view_model::layout::typescale;
use crate::ui::view_model::lod::grid;
use std::rc::Rc;
use yew::prelude::*;

/// The panel's box in stage coordinates.
pub const PANEL: (f64, f64, f64, f64) = (220.0, 350.0, 770.0, 240.0);
/// The instance grid's box.
const GRID: (f64, f64, f64, f64) = (330.0, 402.0, 640.0, 152.0);
/// Largest instance box pitch.
const MAX_PITCH: f64 = 104.0;
/// Where rejected particles bounce to (the 503 tally).
pub const TALLY_503: (f64, f64) = (300.0, 576.0);
/// The load balancer's centre.
pub const ALB: (f64, f64) = (272.0, 470.0);
/// Where the "managed" tag above the load balancer (or queue) is drawn
/// on the wide stage: its centre and baseline.
pub const MANAGED_TAG: (f64, f64) = (ALB.0, 421.0);
/// Who does the work on this side, in the course's words.
pub const YOU_MANAGE: &str = "You manage: patching, scaling, availability";

/// Where the 503 tally is, on the wide or the narrow stage.
pub fn tally_503(narrow: bool) -> (f64, f64) {
    if narrow {
        (PANEL.0 + 80.0, EC2_TALLY_Y - 10.0)
    } else {
        TALLY_503
    }
}

/// Centre of instance box `i` of `n`.
pub fn instance_center(i: usize, n: usize) -> (f64, f64) {
    let (cols, pitch) = grid(n.max(1), GRID.2, GRID.3, MAX_PITCH);
    let (c, r) = ((i % cols) as f64, (i / cols) as f64);
    (GRID.0 + (c + 0.5) * pitch, GRID.1 + (r + 0.5) * pitch)
}

/// Side and pitch of the instance boxes when there are `n` [stage units].
pub fn instance_size(n: usize) -> (f64, f64) {
    let (_, pitch) = grid(n.max(1), GRID.2, GRID.3, MAX_PITCH);
    (pitch * 0.84, pitch)
}

fn state_info(s: InstanceState) -> (&'static str, &'static str) {
    match s {
        InstanceState::Booting => ("inst inst-booting", "booting"),
        InstanceState::InService => ("inst inst-service", "in service"),
        InstanceState::Draining => ("inst inst-draining", "draining"),
        InstanceState::Patching => ("inst inst-patching", "patching"),
        InstanceState::Failed => ("inst inst-failed", "failed"),
        InstanceState::Terminated => ("inst inst-draining", "terminated"),
    }
}

/// Properties of [`Ec2Panel`].
#[derive(Properties, PartialEq)]
pub struct Ec2PanelProps {
    /// The frame to draw (its snapshot's `ec2` is None without a fleet).
    pub frame: Rc<FrameView>,
    /// The fleet's name, instance type, mode and boot time, separated by
    /// " · " (shortened to fit the panel as the Lambda panel's title is).
    pub title: AttrValue,
    /// Whether requests reach the fleet through a load balancer (API
    /// sources); otherwise workers pull from a queue.
    pub via_alb: bool,
    /// Lay the text out for the narrow (phone) stage: on lines of its own
    /// above and below the grid ([`crate::ui::view_model::layout::narrow`]); the instance
    /// boxes, too small there for a label, show their state by pattern.
    #[prop_or_default]
    pub narrow: bool,
    /// The wide stage's type factor ([`typescale`]).
    #[prop_or(1.0)]
    pub k: f64,
}

/// The panel of a scenario without a fleet.
fn no_fleet(narrow: bool, k: f64) -> Html {
    let (px, py, pw, _) = PANEL;
    let none = "EC2 fleet: this scenario has no self-managed deployment to compare with.";
    html! {
        <g class="fleet fleet-none" data-testid="ec2-panel">
            <rect class="fleet-box" x={fmt(px)} y={fmt(py)} width={fmt(pw)} height={if narrow { fmt(NO_EC2_H) } else { "60".into() }} rx="14" />
            if narrow {
                { lines(TEXT_X, py + 40.0, &wrap(none, LINE_CHARS), "sublabel left") }
            } else {
                <text x={fmt(px + 16.0)} y={fmt(py + 36.0)} class="sublabel left">{ text::ellipsize(none, Font::Sans, 14.0 * k, pw - 32.0) }<title>{ none }</title></text>
            }
        </g>
    }
}

/// Whether the instance boxes are big enough for bars and labels.
fn detailed(n: usize) -> bool {
    instance_size(n).1 >= 60.0
}

/// What the wide stage labels at type factor `k` with `n` instances: the
/// instances' ids, their states (a secondary line, and only with room
/// for a particle under it), and the "managed" tag above the load
/// balancer (only while the instances' rows leave its corner free).
pub fn instance_labels(n: usize, k: f64) -> (bool, bool, bool) {
    let (size, pitch) = instance_size(n);
    let id = detailed(n);
    let state = id && typescale::secondary(k) && size / 2.0 >= 17.2 * k + 7.0;
    (id, state, pitch >= 40.0)
}

/// The instances: a box each, in its state's class, with CPU and queue
/// bars and a label when big enough, crossed out when failed.
fn instance_boxes(s: &Ec2Snapshot, narrow: bool, k: f64) -> Html {
    let n = s.instances.len();
    let (size, _) = instance_size(n);
    let detailed = detailed(n);
    let (_, state_shown, _) = instance_labels(n, k);
    s.instances.iter().enumerate().map(|(i, inst)| {
        let (x, y) = instance_center(i, n);
        let (x0, y0) = (x - size / 2.0, y - size / 2.0);
        let (class, label) = state_info(inst.state);
        let cpu = (inst.cpu_percent / 100.0).clamp(0.0, 1.0);
        // The queue bar is full at 20 waiting requests (its label says how many).
        let queue = (inst.queue_length as f64 / 20.0).min(1.0);
        let bar_h = size - 16.0;
        let id_text = format!("#{} {}", inst.id, zone_letter(inst.zone));
        // The chip under the label(s): as wide as the wider line, as tall
        // as the lines shown, and never over the bars.
        let wide = if state_shown {
            text::width(label, Font::Sans, 13.0 * k).max(text::width(&id_text, Font::Mono, 13.0 * k))
        } else {
            text::width(&id_text, Font::Mono, 13.0 * k)
        };
        let chip = (wide + 8.0).min(size - 30.0);
        let (chip_y, chip_h) = if state_shown {
            (y - 14.0 * k, 32.0 * k)
        } else {
            (y - 10.0 * k, 19.0 * k)
        };
        html! {
            <g key={inst.id} class="instance" data-state={label} data-id={inst.id.to_string()} tabindex="0" role="button" aria-label={format!("{id_text} {label}: Enter fails it")}>
                <rect class={class} x={fmt(x0)} y={fmt(y0)} width={fmt(size)} height={fmt(size)} rx="6" />
                if detailed {
                    <rect class="bar-bg" x={fmt(x0 + 6.0)} y={fmt(y0 + 6.0)} width="7" height={fmt(bar_h)} />
                    <rect class="cpu-fill" x={fmt(x0 + 6.0)} y={fmt(y0 + 6.0 + bar_h * (1.0 - cpu))} width="7" height={fmt(bar_h * cpu)} />
                    <rect class="bar-bg" x={fmt(x0 + size - 13.0)} y={fmt(y0 + 6.0)} width="7" height={fmt(bar_h)} />
                    <rect class="queue-fill" x={fmt(x0 + size - 13.0)} y={fmt(y0 + 6.0 + bar_h * (1.0 - queue))} width="7" height={fmt(bar_h * queue)} />
                }
                if inst.state == InstanceState::Failed {
                    <path class="fail-mark" d={format!("M{:.1} {:.1} L{:.1} {:.1} M{:.1} {:.1} L{:.1} {:.1}",
                        x0, y0, x0 + size, y0 + size, x0, y0 + size, x0 + size, y0)} />
                }
                if detailed && !narrow {
                    // The label on a solid chip above the state's pattern
                    // and the failed cross, between the bars.
                    <rect class="label-chip" x={fmt(x - chip / 2.0)} y={fmt(chip_y)} width={fmt(chip)} height={fmt(chip_h)} rx="4" />
                    // The trailing space keeps "#0 a" and the state apart in
                    // the instance's text as a screen reader (and axe) reads it.
                    <text x={fmt(x)} y={fmt(if state_shown { y - 1.0 } else { y + 4.5 * k })} class="inst-id">{ format!("{id_text} ") }</text>
                }
                if state_shown && !narrow {
                    <text x={fmt(x)} y={fmt(y + 14.0 * k)} class="inst-state">{ label }</text>
                }
            </g>
        }
    }).collect()
}

/// The panel's words, the same on the wide and the narrow stage.
struct FleetText {
    /// The fleet's mode and size bounds.
    bounds: String,
    /// In service, booting, patching, failed (with the zones down).
    counts: [String; 4],
    count_aria: String,
    refused: String,
    cpu: String,
    no_instance: String,
}

impl FleetText {
    fn new(s: &Ec2Snapshot, via_alb: bool) -> FleetText {
        let b = &s.by_state;
        let bounds = if s.auto_scaling {
            format!(
                "Auto Scaling: desired {} (min {}, max {})",
                s.bounds.desired, s.bounds.min, s.bounds.max
            )
        } else {
            format!("fixed fleet of {}", s.bounds.desired)
        };
        let queued: u64 = s.queues.iter().map(|q| q.visible + q.invisible).sum();
        let zones_down = if s.zones_down.is_empty() {
            String::new()
        } else {
            let z: Vec<String> = s
                .zones_down
                .iter()
                .map(|&z| zone_letter(z).to_string())
                .collect();
            format!(" · AZ down: {}", z.join(", "))
        };
        FleetText {
            bounds,
            counts: [
                format!("{} in service", b.in_service),
                format!("{} booting", b.booting),
                format!("{} patching", b.patching),
                format!("{} failed{zones_down}", b.failed),
            ],
            count_aria: format!(
                "{} instances in service of {}",
                b.in_service,
                s.instances.len()
            ),
            refused: format!("503 refused: {}", count(s.fleet.http_503)),
            cpu: format!("CPU {:.0} % · queued {}", s.cpu_percent, count(queued)),
            no_instance: no_instance_text(via_alb, !s.queues.is_empty(), queued),
        }
    }
}

/// The load balancer (or queue) and the instances; on the wide stage a
/// "managed" tag above the load balancer or queue (AWS runs both).
fn grid_html(s: &Ec2Snapshot, via_alb: bool, narrow: bool, k: f64) -> Html {
    let what = if via_alb {
        "Elastic Load Balancing: a managed service (AWS runs, scales and patches it)"
    } else {
        "Amazon SQS: a managed service (AWS runs, scales and patches it)"
    };
    let tag = !narrow && instance_labels(s.instances.len(), k).2;
    html! {
        <>
            // Patching: the EC2 hue cross-hatched (the operator's work),
            // unlike the yellow diagonal hatching of a Lambda cold start.
            <defs>
                <pattern id="patch-hatch" width="7" height="7" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                    <rect width="7" height="7" class="patch-bg" />
                    <path d="M0 0V7M0 0H7" class="patch-line" />
                </pattern>
            </defs>
            <g class="alb">
                <title>{ what }</title>
                <rect x={fmt(ALB.0 - 30.0)} y={fmt(ALB.1 - 44.0)} width="60" height="88" rx="8" />
                <text x={fmt(ALB.0)} y={fmt(ALB.1 + 4.0)} class="small">{ if via_alb { "ALB" } else { "SQS" } }</text>
            </g>
            if tag {
                <text x={fmt(MANAGED_TAG.0)} y={fmt(MANAGED_TAG.1)} class="small muted managed-tag" data-testid="managed-tag">
                    <title>{ what }</title>{ "managed" }
                </text>
            }
            { instance_boxes(s, narrow, k) }
        </>
    }
}

/// The right edge of the panel's text (16 units before the box's edge).
fn text_right() -> f64 {
    PANEL.0 + PANEL.2 - 16.0
}

/// The title: the fleet's name, fitted to the panel as the Lambda panel's
/// is (its settings in the tooltip); on the wide stage who manages the
/// fleet, at the title's right (or on the line below it when the
/// secondary lines are left out).
fn title_html(title: &str, narrow: bool, k: f64) -> Html {
    let name = title.split(" · ").next().unwrap_or("");
    let (title_x, title_size) = if narrow {
        (TEXT_X, 33.0)
    } else {
        (PANEL.0 + 16.0, 17.0 * k)
    };
    let beside = !narrow && typescale::secondary(k);
    let manages_w = text::width(YOU_MANAGE, Font::Sans, 13.0 * k);
    let room = text_right() - title_x - if beside { manages_w + 20.0 } else { 0.0 };
    html! {
        <>
            <text x={fmt(title_x)} y={fmt(if narrow { EC2_TITLE_Y } else { PANEL.1 + 24.0 })} class="label left" data-testid="ec2-title">
                <title>{ format!("EC2: {}", title) }</title>
                { text::fit_title("EC2: ", &[name], Font::Bold, title_size, room) }
            </text>
            if !narrow {
                <text x={fmt(if beside { text_right() } else { title_x })} y={fmt(if beside { PANEL.1 + 24.0 } else { PANEL.1 + 46.0 })}
                      class={if beside { "small right manages" } else { "small left manages" }} data-testid="ec2-manages">
                    { text::ellipsize(YOU_MANAGE, Font::Sans, 13.0 * k, text_right() - title_x) }
                </text>
            }
        </>
    }
}

/// The narrow stage's fleet: its text on lines of its own above and below
/// the grid.
fn narrow_fleet(n: usize, t: FleetText, title: Html, grid: Html) -> Html {
    let (px, py, pw, _) = PANEL;
    let x = TEXT_X;
    let fit = |s: String| text::ellipsize(&s, Font::Sans, 30.0, text_right() - x);
    let state = [
        fit(t.bounds),
        fit(format!("{} · {}", t.counts[0], t.counts[1])),
        fit(format!("{} · {}", t.counts[2], t.counts[3])),
    ];
    html! {
        <g class="fleet" data-testid="ec2-panel">
            <rect class="fleet-box" x={fmt(px)} y={fmt(py)} width={fmt(pw)} height={fmt(EC2_H)} rx="14" />
            { title }
            <text x={fmt(x)} y={fmt(EC2_STATE_Y)} class="sublabel left" data-testid="instance-count" aria-label={t.count_aria}>
                { tspans(x, &state) }
            </text>
            // The grid moves below the header, and right, its load
            // balancer's label clear of the gutter particles run down.
            <g transform={format!("translate({EC2_GRID_DX} {EC2_GRID_DY})")}>
                { grid }
                if n == 0 {
                    <g data-testid="no-instance">
                        { lines(650.0, 450.0, &wrap(&t.no_instance, LINE_CHARS - 6), "sublabel") }
                    </g>
                }
            </g>
            <text x={fmt(x)} y={fmt(EC2_TALLY_Y)} class="tally tally-429 left" data-testid="http-503">{ fit(t.refused) }</text>
            <text x={fmt(x)} y={fmt(EC2_TALLY_Y + LINE)} class="tally left">{ fit(t.cpu) }</text>
        </g>
    }
}

/// The wide stage's "no instance" note, right of the load balancer; on
/// two lines when it does not fit one (a long queue count).
fn no_instance_html(no_instance: &str, k: f64) -> Html {
    let one_line = text::width(no_instance, Font::Sans, 14.0 * k) <= 640.0;
    let wrapped = if one_line {
        vec![no_instance.to_string()]
    } else {
        wrap(no_instance, no_instance.chars().count() / 2 + 8)
    };
    html! {
        <text x="642" y={fmt(if one_line { 470.0 } else { 461.0 })} class="sublabel" data-testid="no-instance">
            { for wrapped.iter().enumerate().map(|(i, l)| html! {
                <tspan x="642" dy={if i == 0 { "0".to_string() } else { fmt(18.0 * k) }}>{ l.clone() }{ " " }</tspan>
            }) }
        </text>
    }
}

/// The wide stage's fleet: summary above the grid, the tally row below.
fn wide_fleet(n: usize, t: FleetText, title: Html, grid: Html, k: f64) -> Html {
    let (px, py, pw, ph) = PANEL;
    let right = text_right();
    // The tally row: the 503s, then CPU and queue after them, then the
    // bars' legend at the right while there is room for it.
    let (tally, small) = (14.0 * k, 13.0 * k);
    // Lower as the type grows, clear of the lanes under the last row.
    let ty = fmt(TALLY_503.1 - 5.0 + 5.0 * k);
    let cpu_x = (TALLY_503.0 + text::width(&t.refused, Font::Mono, tally) + 24.0).max(520.0);
    let cpu_end = cpu_x + text::width(&t.cpu, Font::Mono, tally);
    let legend = "bars: CPU (left) · local queue (right)";
    let legend_fits = cpu_end + 24.0 + text::width(legend, Font::Sans, small) <= px + pw - 12.0;
    let summary = format!("{} · {}", t.bounds, t.counts.join(" · "));
    html! {
        <g class="fleet" data-testid="ec2-panel">
            <rect class="fleet-box" x={fmt(px)} y={fmt(py)} width={fmt(pw)} height={fmt(ph)} rx="14" />
            { title }
            if typescale::secondary(k) {
                <text x={fmt(px + 16.0)} y={fmt(py + 46.0)} class="sublabel left" data-testid="instance-count"
                      aria-label={t.count_aria}>
                    { text::ellipsize(&summary, Font::Sans, 14.0 * k, right - px - 16.0) }
                </text>
            }
            { grid }
            if n == 0 {
                { no_instance_html(&t.no_instance, k) }
            }
            <text x={fmt(TALLY_503.0)} y={ty.clone()} class="tally tally-429 left" data-testid="http-503">{ t.refused }</text>
            <text x={fmt(cpu_x)} y={ty.clone()} class="tally left">{ text::ellipsize(&t.cpu, Font::Mono, tally, right - cpu_x) }</text>
            if detailed(n) && legend_fits {
                <text x={fmt(px + pw - 12.0)} y={ty} class="small right">{ legend }</text>
            }
        </g>
    }
}

/// The EC2 fleet behind its load balancer.
#[function_component(Ec2Panel)]
pub fn ec2_panel(props: &Ec2PanelProps) -> Html {
    let narrow = props.narrow;
    let Some(s) = props.frame.snapshot.ec2.as_ref() else {
        return no_fleet(narrow, props.k);
    };
    let n = s.instances.len();
    let k = props.k;
    let words = FleetText::new(s, props.via_alb);
    let grid = grid_html(s, props.via_alb, narrow, k);
    let title = title_html(&props.title, narrow, k);
    if narrow {
        narrow_fleet(n, words, title, grid)
    } else {
        wide_fleet(n, words, title, grid, k)
    }
}

/// Lines of text, one `<tspan>` each, from baseline `y` down (a space ends
/// each line so that the element's text reads as words).
fn tspans(x: f64, lines: &[String]) -> Html {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let dy = if i == 0 { 0.0 } else { LINE };
            html! { <tspan x={fmt(x)} dy={fmt(dy)}>{ l.clone() }{ " " }</tspan> }
        })
        .collect()
}

/// A block of lines centred on `y` (or from it, for left-aligned text).
fn lines(x: f64, y: f64, lines: &[String], class: &'static str) -> Html {
    let y0 = if class.contains("left") {
        y
    } else {
        y - (lines.len() as f64 - 1.0) * LINE / 2.0
    };
    html! { <text x={fmt(x)} y={fmt(y0)} class={class}>{ tspans(x, lines) }</text> }
}

/// What happens to work while no instance runs, as the engine does it:
/// API requests get a 503 from the load balancer; messages (SQS, and S3 or
/// schedule events, which reach the fleet through a queue) wait in their
/// queue until a worker starts.
fn no_instance_text(via_alb: bool, has_queue: bool, queued: u64) -> String {
    let waiting = format!(
        "messages wait in the SQS queue ({} queued) until a worker starts",
        count(queued)
    );
    match (via_alb, has_queue) {
        (true, true) => format!("No instance is running: API requests get a 503; {waiting}."),
        (true, false) => "No instance is running: every request gets a 503.".to_owned(),
        (false, _) => format!("No instance is running: {waiting}."),
    }
}

/// The letter of zone `z` (a, b, c …), as in AWS zone names.
fn zone_letter(z: u32) -> char {
    char::from_u32(u32::from(b'a') + z.min(25)).unwrap_or('?')
}

fn fmt(x: f64) -> String {
    format!("{x:.1}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_fleet_says_what_the_engine_does_with_the_work() {
        assert!(no_instance_text(true, false, 0).contains("503"));
        let q = no_instance_text(false, true, 1);
        assert!(
            q.contains("wait in the SQS queue (1 queued)") && !q.contains("503"),
            "{q}"
        );
        assert!(no_instance_text(true, true, 2).contains("API requests get a 503"));
    }

    #[test]
    fn boxes_fit_the_panel() {
        for n in [1usize, 4, 12, 50, 200] {
            let (x, y) = instance_center(n - 1, n);
            assert!(x > GRID.0 && x < GRID.0 + GRID.2, "{n}: {x}");
            assert!(y > GRID.1 && y < GRID.1 + GRID.3, "{n}: {y}");
        }
    }
}
