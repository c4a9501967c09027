//! The Lambda function on the stage: its execution environments as a grid
//! of cells (initializing, busy, idle-warm dimming as its keep-alive runs
//! out, provisioned marked, timeouts crossed out), with concurrency, limit
//! and scaling headroom. State is shown by shape and pattern as well as
//! colour.

use crate::common::format::count;
use crate::engine::lambda::EnvState;
use crate::engine::lambda::LambdaSnapshot;
use crate::ui::sim_handle::FrameView;
use crate::ui::view_model::layout::text::{self, Font};
use crate::ui::view_model::layout::{self, narrow::*, typescale};
use crate::ui::view_model::lod::{detail_for, grid, Detail};
use std::rc::Rc;
use yew::prelude::*;

/// The panel's box in stage coordinates.
pub const PANEL: (f64, f64, f64, f64) = (220.0, 10.0, 770.0, 330.0);
/// The grid's box.
const GRID: (f64, f64, f64, f64) = (240.0, 66.0, 730.0, 190.0);
/// Largest cell pitch.
const MAX_PITCH: f64 = 44.0;
/// Where throttled particles bounce to (the 429 tally).
pub const TALLY_429: (f64, f64) = (300.0, 318.0);
/// The top edge of the panel's box, where throttled particles bounce.
pub const PANEL_TOP: (f64, f64) = (PANEL.0, PANEL.1);

/// Where the 429 tally is, on the wide or the narrow stage.
pub fn tally_429(narrow: bool) -> (f64, f64) {
    if narrow {
        (PANEL.0 + 80.0, layout::narrow::LAMBDA_TALLY_Y - 10.0)
    } else {
        TALLY_429
    }
}

/// Grid geometry for `slots`: (columns, pitch, cells drawn, detail).
pub fn geometry(slots: usize) -> (usize, f64, usize, Detail) {
    let detail = detail_for(slots);
    let cells = match detail {
        Detail::Density { per_tile } => slots.div_ceil(per_tile),
        _ => slots,
    };
    let (cols, pitch) = grid(cells.max(1), GRID.2, GRID.3, MAX_PITCH);
    (cols, pitch, cells, detail)
}

/// Centre of grid position `i` (a slot, or a tile in the density view).
pub fn cell_center(i: usize, cols: usize, pitch: f64) -> (f64, f64) {
    let (c, r) = ((i % cols) as f64, (i / cols) as f64);
    (GRID.0 + (c + 0.5) * pitch, GRID.1 + (r + 0.5) * pitch)
}

/// Centre of the cell of environment slot `slot` on the current grid.
pub fn slot_center(slot: usize, slots: usize) -> (f64, f64) {
    let (cols, pitch, _, detail) = geometry(slots);
    let i = match detail {
        Detail::Density { per_tile } => slot / per_tile,
        _ => slot,
    };
    cell_center(i, cols, pitch)
}

/// Properties of [`LambdaPanel`].
#[derive(Properties, PartialEq)]
pub struct LambdaPanelProps {
    /// The frame to draw.
    pub frame: Rc<FrameView>,
    /// Function name and settings, separated by " · " (shortened to fit
    /// the panel: settings dropped from the end, the name cut with an
    /// ellipsis; the whole title is the line's tooltip).
    pub title: AttrValue,
    /// Lay the text out for the narrow (phone) stage: on lines of its own
    /// above and below the grid ([`layout::narrow`]).
    #[prop_or_default]
    pub narrow: bool,
    /// The wide stage's type factor ([`typescale`]).
    #[prop_or(1.0)]
    pub k: f64,
}

/// Who does the work on this side, in the course's words.
pub const AWS_MANAGES: &str = "AWS manages: scaling, patching, availability";

fn state_class(s: EnvState) -> &'static str {
    match s {
        EnvState::Initializing => "env env-init",
        EnvState::Busy => "env env-busy",
        EnvState::Idle => "env env-idle",
    }
}

/// The cells of one environment each (full or small detail).
fn environment_cells(f: &FrameView, cols: usize, pitch: f64, full: bool) -> Html {
    let size = pitch * if full { 0.82 } else { 0.86 };
    f.snapshot
        .lambda
        .environments
        .iter()
        .zip(&f.slots)
        .zip(&f.keep_alive_left)
        .map(|((e, &slot), &left)| {
            let (x, y) = cell_center(slot, cols, pitch);
            let (x0, y0) = (x - size / 2.0, y - size / 2.0);
            // In steps of 0.05: a fading cell's style changes a few
            // times a second, not every frame (each change costs a
            // style recalculation of the cell).
            let style = (e.state == EnvState::Idle && !e.provisioned).then(|| {
                let o = ((0.3 + 0.7 * f64::from(left)) * 20.0).round() / 20.0;
                format!("opacity:{o:.2}")
            });
            let class = classes!(state_class(e.state), e.provisioned.then_some("env-prov"));
            html! {
                <g key={e.id} class="cell">
                    if full && e.state == EnvState::Busy {
                        <rect class="env-glow" x={fmt(x0 - 3.0)} y={fmt(y0 - 3.0)}
                              width={fmt(size + 6.0)} height={fmt(size + 6.0)} rx="7" />
                    }
                    <rect class={class} style={style} x={fmt(x0)} y={fmt(y0)}
                          width={fmt(size)} height={fmt(size)} rx={if full { "5" } else { "2" }} />
                    if full && e.provisioned {
                        <path class="prov-mark" d={format!("M{:.1} {:.1} l{:.1} 0 l{:.1} {:.1} z",
                            x0, y0, size * 0.4, -size * 0.4, size * 0.4)} />
                    }
                    if full && e.state == EnvState::Idle && !e.provisioned {
                        // Whole units: the bar's width (a style change)
                        // changes a few times a second, not every frame.
                        <rect class="keepalive" x={fmt(x0 + 3.0)} y={fmt(y0 + size - 6.0)}
                              width={format!("{:.0}", (size - 6.0) * f64::from(left))} height="3" />
                    }
                </g>
            }
        })
        .collect()
}

/// The density view: one tile per `per_tile` environments, coloured by
/// its most common state and as opaque as it is full.
fn density_tiles(f: &FrameView, cols: usize, pitch: f64, cells: usize, per_tile: usize) -> Html {
    // [busy, initializing, idle] per tile.
    let mut tiles = vec![[0u32; 3]; cells];
    for (e, &slot) in f.snapshot.lambda.environments.iter().zip(&f.slots) {
        let k = match e.state {
            EnvState::Busy => 0,
            EnvState::Initializing => 1,
            EnvState::Idle => 2,
        };
        if let Some(t) = tiles.get_mut(slot / per_tile) {
            t[k] += 1;
        }
    }
    let size = pitch * 0.9;
    tiles
        .iter()
        .enumerate()
        .filter(|(_, t)| t.iter().sum::<u32>() > 0)
        .map(|(i, t)| {
            let n: u32 = t.iter().sum();
            let dominant = (0..3).max_by_key(|&k| (t[k], 3 - k)).unwrap_or(2);
            let class = ["env env-busy", "env env-init", "env env-idle"][dominant];
            let (x, y) = cell_center(i, cols, pitch);
            let opacity = 0.35 + 0.65 * f64::from(n) / per_tile as f64;
            html! {
                <rect class={class} style={format!("opacity:{opacity:.2}")}
                      x={fmt(x - size / 2.0)} y={fmt(y - size / 2.0)}
                      width={fmt(size)} height={fmt(size)} rx="1" />
            }
        })
        .collect()
}

/// The timed-out environments' crosses, fading with age.
fn timeout_marks(f: &FrameView, pitch: f64) -> Html {
    f.marks
        .iter()
        .map(|&(slot, age)| {
            let (x, y) = slot_center(slot, f.slot_count);
            let r = (pitch * 0.45).max(6.0);
            html! {
                <g class="mark-timeout" style={format!("opacity:{:.2}", 1.0 - age)}>
                    <path d={format!("M{:.1} {:.1} L{:.1} {:.1} M{:.1} {:.1} L{:.1} {:.1}",
                        x - r, y - r, x + r, y + r, x - r, y + r, x + r, y - r)} />
                </g>
            }
        })
        .collect()
}

/// The panel's words, the same on the wide and the narrow stage.
struct PanelText {
    env_aria: String,
    concurrency: String,
    headroom: String,
    throttles: String,
    timeouts: String,
    cold_starts: String,
    /// The grid's level of detail, when not one full cell each.
    detail_note: String,
}

impl PanelText {
    fn new(l: &LambdaSnapshot, detail: Detail, narrow: bool) -> PanelText {
        let headroom = match l.scaling_tokens {
            Some(t) => format!(
                "{}: {} new environments now",
                if narrow {
                    "headroom"
                } else {
                    "scaling headroom"
                },
                count(t.max(0.0).floor() as u64)
            ),
            None => "no scaling-rate limit".to_string(),
        };
        let detail_note = match detail {
            Detail::Density { per_tile } => {
                format!("density view: one tile = {per_tile} environments")
            }
            Detail::Small => "small cells".to_string(),
            Detail::Full => String::new(),
        };
        let c = &l.counters;
        PanelText {
            env_aria: format!(
                "{} environments: {} busy, {} initializing, {} idle",
                l.total, l.busy, l.initializing, l.idle
            ),
            concurrency: format!(
                "concurrency {} / {} limit",
                count(u64::from(l.concurrency_in_use)),
                count(u64::from(l.concurrency_limit))
            ),
            headroom,
            throttles: format!("429 / throttled: {}", count(c.throttles)),
            timeouts: format!("✕ timed out: {}", count(c.timeouts)),
            cold_starts: format!("cold starts: {}", count(c.cold_starts)),
            detail_note,
        }
    }
}

/// The concurrency bar: in use against the limit.
fn concurrency_bar(l: &LambdaSnapshot, narrow: bool) -> Html {
    let (px, _, pw, _) = PANEL;
    let limit = l.concurrency_limit.max(1);
    let used = f64::from(l.concurrency_in_use) / f64::from(limit);
    let bar_y = if narrow { LAMBDA_BAR_Y } else { 284.0 };
    html! {
        <>
            <rect class="bar-bg" x={fmt(px + 20.0)} y={fmt(bar_y)} width={fmt(pw - 40.0)} height="8" rx="4" />
            <rect class="bar-fill" x={fmt(px + 20.0)} y={fmt(bar_y)} width={fmt((pw - 40.0) * used.min(1.0))} height="8" rx="4" />
        </>
    }
}

/// What the grid says when there is no environment.
fn no_environments(narrow: bool, k: f64) -> Html {
    let (px, _, pw, _) = PANEL;
    let none_text = "No environments: none is running or warm (and none is billed).";
    if narrow {
        let lines = wrap(none_text, LINE_CHARS);
        let y0 = 160.0 - (lines.len() as f64 - 1.0) * LINE / 2.0;
        html! {
            <text x={fmt(px + pw / 2.0)} y={fmt(y0)} class="sublabel">
                { for lines.into_iter().enumerate().map(|(i, line)| html! {
                    <tspan x={fmt(px + pw / 2.0)} dy={if i == 0 { "0".to_string() } else { fmt(LINE) }}>{ line }{ " " }</tspan>
                }) }
            </text>
        }
    } else {
        html! { <text x={fmt(px + pw / 2.0)} y="150" class="sublabel">{ text::ellipsize(none_text, Font::Sans, 14.0 * k, pw - 40.0) }</text> }
    }
}

/// The right edge of the panel's text (16 units before the box's edge).
fn text_right() -> f64 {
    PANEL.0 + PANEL.2 - 16.0
}

/// The title: the function's name, fitted to the panel (its text runs
/// from 16 units in, or from the narrow stage's text column, to 16 units
/// before its right edge), its settings in the tooltip; on the wide stage
/// who manages the environments, at the title's right (or on the line
/// below when the secondary lines are left out).
fn title_html(title: &str, narrow: bool, k: f64) -> Html {
    let (title_x, title_size) = if narrow {
        (TEXT_X, 33.0)
    } else {
        (PANEL.0 + 16.0, 17.0 * k)
    };
    let name = title.split(" · ").next().unwrap_or("");
    let beside = !narrow && typescale::secondary(k);
    let manages_w = text::width(AWS_MANAGES, Font::Sans, 13.0 * k);
    let room = text_right() - title_x - if beside { manages_w + 20.0 } else { 0.0 };
    html! {
        <>
            <text x={fmt(title_x)} y={fmt(if narrow { LAMBDA_TITLE_Y } else { 34.0 })} class="label left" data-testid="lambda-title">
                <title>{ format!("λ Lambda: {}", title) }</title>
                { text::fit_title("λ Lambda: ", &[name], Font::Bold, title_size, room) }
            </text>
            if !narrow {
                <text x={fmt(if beside { text_right() } else { title_x })} y={if beside { "34" } else { "55" }}
                      class={if beside { "small right manages" } else { "small left manages" }} data-testid="lambda-manages">
                    { text::ellipsize(AWS_MANAGES, Font::Sans, 13.0 * k, text_right() - title_x) }
                </text>
            }
        </>
    }
}

/// The narrow stage's text, on lines of its own above and below the grid
/// (from the text column, clear of the gutter particles run down).
fn narrow_text(l: &LambdaSnapshot, t: PanelText, title: Html) -> Html {
    let x = fmt(TEXT_X);
    let fit = |s: String| text::ellipsize(&s, Font::Sans, 30.0, text_right() - TEXT_X);
    html! {
        <>
            { title }
            <text x={x.clone()} y={fmt(LAMBDA_COUNTS_Y)} class="sublabel left" data-testid="env-count" aria-label={t.env_aria}>
                <tspan x={x.clone()}>{ fit(format!("{} environments · {} idle", count(l.total), count(l.idle))) }{ " " }</tspan>
                <tspan x={x.clone()} dy={fmt(LINE)}>{ fit(format!("{} busy (incl. {} initializing)", count(l.busy), count(l.initializing))) }</tspan>
            </text>
            <g class="concurrency" aria-label={format!("concurrency {} of {}", l.concurrency_in_use, l.concurrency_limit)}>
                <text x={x.clone()} y={fmt(LAMBDA_CONCURRENCY_Y)} class="small left">
                    <tspan x={x.clone()}>{ fit(t.concurrency) }{ " " }</tspan>
                    <tspan x={x.clone()} dy={fmt(LINE)}>{ fit(t.headroom) }</tspan>
                </text>
                { concurrency_bar(l, true) }
            </g>
            <text x={x.clone()} y={fmt(LAMBDA_TALLY_Y)} class="tally tally-429 left" data-testid="throttles">{ t.throttles }</text>
            <text x={x.clone()} y={fmt(LAMBDA_TALLY_Y + LINE)} class="tally tally-timeout left" data-testid="timeouts">{ t.timeouts }</text>
            <text x={x.clone()} y={fmt(LAMBDA_TALLY_Y + 2.0 * LINE)} class="tally left" data-testid="cold-starts">{ t.cold_starts }</text>
            if !t.detail_note.is_empty() {
                <text x={x} y={fmt(LAMBDA_DETAIL_Y)} class="small muted left" data-testid="grid-detail">{ fit(t.detail_note) }</text>
            }
        </>
    }
}

/// The wide stage's tallies' x positions: in a row, each at its place or
/// after the one before (large counts push them right), at type factor `k`.
fn tally_xs(t: &PanelText, k: f64) -> Vec<f64> {
    let mut at = TALLY_429.0;
    [
        (&t.throttles, TALLY_429.0),
        (&t.timeouts, 520.0),
        (&t.cold_starts, 700.0),
    ]
    .iter()
    .map(|(text, x)| {
        let x = x.max(at);
        at = x + text::width(text, Font::Mono, 14.0 * k) + 24.0;
        x
    })
    .collect()
}

/// The wide stage's counts line, then the grid's level of detail, in
/// forms from the longest to the shortest (the first that fits is drawn).
fn count_lines(l: &LambdaSnapshot, detail: Detail, detail_note: &str) -> Vec<String> {
    let init = if l.initializing > 0 {
        format!(" (incl. {} initializing)", count(l.initializing))
    } else {
        String::new()
    };
    let counts = format!(
        "{} environments · {} busy{init} · {} idle",
        count(l.total),
        count(l.busy),
        count(l.idle)
    );
    let notes: Vec<String> = match detail {
        Detail::Density { per_tile } => vec![
            format!(" · {detail_note}"),
            format!(" · one tile = {per_tile} environments"),
            format!(" · tiles of {per_tile}"),
        ],
        _ if detail_note.is_empty() => vec![String::new()],
        _ => vec![format!(" · {detail_note}")],
    };
    notes.iter().map(|n| format!("{counts}{n}")).collect()
}

/// The wide stage's text: title and counts above the grid, concurrency
/// and tallies below.
fn wide_text(l: &LambdaSnapshot, detail: Detail, t: PanelText, title: Html, k: f64) -> Html {
    let px = PANEL.0;
    let right = text_right();
    let xs = tally_xs(&t, k);
    let cold_starts = text::ellipsize(&t.cold_starts, Font::Mono, 14.0 * k, right - xs[2]);
    let counts = count_lines(l, detail, &t.detail_note);
    html! {
        <>
            { title }
            if typescale::secondary(k) {
                <text x={fmt(px + 16.0)} y="55" class="sublabel left" data-testid="env-count" aria-label={t.env_aria}>
                    { text::first_fit(&counts, Font::Sans, 14.0 * k, right - px - 16.0) }
                </text>
            }
            <g class="concurrency" aria-label={format!("concurrency {} of {}", l.concurrency_in_use, l.concurrency_limit)}>
                <text x={fmt(px + 20.0)} y="276" class="small left">
                    { text::ellipsize(&format!("{} · {}", t.concurrency, t.headroom), Font::Sans, 13.0 * k, right - px - 20.0) }
                </text>
                { concurrency_bar(l, false) }
            </g>
            <text x={fmt(xs[0])} y={fmt(TALLY_429.1)} class="tally tally-429 left" data-testid="throttles">{ t.throttles }</text>
            <text x={fmt(xs[1])} y={fmt(TALLY_429.1)} class="tally tally-timeout left" data-testid="timeouts">{ t.timeouts }</text>
            <text x={fmt(xs[2])} y={fmt(TALLY_429.1)} class="tally left" data-testid="cold-starts">{ cold_starts }</text>
        </>
    }
}

/// The Lambda function with its environment grid.
#[function_component(LambdaPanel)]
pub fn lambda_panel(props: &LambdaPanelProps) -> Html {
    let f = &props.frame;
    let l = &f.snapshot.lambda;
    let narrow = props.narrow;
    let (cols, pitch, cells, detail) = geometry(f.slot_count);
    let cells = match detail {
        Detail::Full | Detail::Small => environment_cells(f, cols, pitch, detail == Detail::Full),
        Detail::Density { per_tile } => density_tiles(f, cols, pitch, cells, per_tile),
    };
    let (px, py, pw, ph) = PANEL;
    let grid_dy = if narrow { LAMBDA_GRID_DY } else { 0.0 };
    let k = props.k;
    let words = PanelText::new(l, detail, narrow);
    let title = title_html(&props.title, narrow, k);
    let text = if narrow {
        narrow_text(l, words, title)
    } else {
        wide_text(l, detail, words, title, k)
    };
    html! {
        <g class="function" data-testid="lambda-panel">
            <rect class="function-box" x={fmt(px)} y={fmt(py)} width={fmt(pw)} height={fmt(if narrow { LAMBDA_H } else { ph })} rx="14" />
            <defs>
                <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                    <rect width="6" height="6" class="hatch-bg" />
                    <line x1="0" y1="0" x2="0" y2="6" class="hatch-line" />
                </pattern>
            </defs>
            <g transform={narrow.then(|| format!("translate(0 {grid_dy})"))}>
                <g class="grid" data-detail={match detail { Detail::Full => "full", Detail::Small => "small", Detail::Density { .. } => "density" }}>
                    { cells }
                </g>
                { timeout_marks(f, pitch) }
                if l.total == 0 {
                    { no_environments(narrow, k) }
                }
            </g>
            { text }
        </g>
    }
}

fn fmt(x: f64) -> String {
    format!("{x:.1}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_stay_inside_the_grid() {
        for slots in [1usize, 10, 120, 121, 600, 601, 3_000] {
            let (cols, pitch, cells, _) = geometry(slots);
            for i in [0, cells - 1] {
                let (x, y) = cell_center(i, cols, pitch);
                assert!(x > GRID.0 && x < GRID.0 + GRID.2, "{slots}: x {x}");
                assert!(y > GRID.1 && y < GRID.1 + GRID.3, "{slots}: y {y}");
            }
            let (x, y) = slot_center(slots - 1, slots);
            assert!(x < GRID.0 + GRID.2 && y < GRID.1 + GRID.3);
        }
    }
}
