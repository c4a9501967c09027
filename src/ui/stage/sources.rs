//! The stage's event sources: each place's icon, kind, name, rate and
//! queue depth, in the wide stage's full or compact style or the narrow
//! stage's card.

use crate::common::format::{count, num};
use crate::engine::scenario::SourceKind;
use crate::ui::sim_handle::SourceView;
use crate::ui::view_model::layout::narrow;
use crate::ui::view_model::layout::sources::{Slot, Style};
use crate::ui::view_model::layout::text::{self, Font};
use yew::prelude::*;

/// A source kind's icon (a stack of cards for the sources that did not
/// fit), centred at (`cx`, `cy`).
fn icon(kind: Option<SourceKind>, cx: f64, cy: f64, scale: f64) -> Html {
    let t = if scale == 1.0 {
        format!("translate({cx:.1} {cy:.1})")
    } else {
        format!("translate({cx:.1} {cy:.1}) scale({scale})")
    };
    match kind {
        Some(SourceKind::Api) => html! {
            <g class="icon icon-api" transform={t}>
                <rect x="-30" y="-26" width="60" height="52" rx="10" />
                <path class="glyph" d="M-10 -12 L-20 0 L-10 12 M10 -12 L20 0 L10 12 M4 -14 L-4 14" />
            </g>
        },
        Some(SourceKind::S3) => html! {
            <g class="icon icon-s3" transform={t}>
                <path d="M-30 -18 h60 l-8 42 a22 6 0 0 1 -44 0 z" />
                <ellipse cx="0" cy="-18" rx="30" ry="8" class="rim" />
            </g>
        },
        Some(SourceKind::Sqs) => html! {
            <g class="icon icon-sqs" transform={t}>
                <rect x="-32" y="-24" width="64" height="48" rx="6" />
                <rect class="msg" x="-24" y="-16" width="48" height="8" rx="2" />
                <rect class="msg" x="-24" y="-4" width="48" height="8" rx="2" />
                <rect class="msg" x="-24" y="8" width="48" height="8" rx="2" />
            </g>
        },
        Some(SourceKind::Schedule) => html! {
            <g class="icon icon-schedule" transform={t}>
                <circle r="26" />
                <path class="glyph" d="M0 -16 L0 0 L12 8" />
            </g>
        },
        // The sources that did not fit: a stack of cards.
        None => html! {
            <g class="icon icon-more" transform={t}>
                <rect x="-18" y="-26" width="44" height="32" rx="5" />
                <rect x="-24" y="-18" width="44" height="32" rx="5" />
                <rect x="-30" y="-10" width="44" height="32" rx="5" />
            </g>
        },
    }
}

/// The service a source kind stands for.
fn kind_label(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Api => "API Gateway",
        SourceKind::S3 => "S3 bucket",
        SourceKind::Sqs => "SQS queue",
        SourceKind::Schedule => "EventBridge schedule",
    }
}

/// A stage coordinate, as written in the SVG.
fn fmt(x: f64) -> String {
    format!("{x:.1}")
}

/// What a place of the sources says, computed once for every style.
struct SourceText {
    /// The one source of the place; None for "+k more sources".
    kind: Option<SourceKind>,
    one: bool,
    rate_text: String,
    rate_aria: String,
    kind_line: String,
    name_line: String,
    tooltip: String,
    depth: Option<u64>,
    /// Size of the text [stage units].
    size: f64,
}

impl SourceText {
    fn new(slot: &Slot, shown: &[SourceView], sampled: bool, k: f64) -> SourceText {
        let rate: f64 = shown.iter().map(|s| s.rate_per_s).sum();
        let rate_text = format!("{}{}/s", if sampled { "×" } else { "" }, num(rate));
        let rate_aria = format!(
            "{} arrivals per second{}",
            num(rate),
            if sampled { ", particles sampled" } else { "" }
        );
        let one = (shown.len() == 1).then(|| &shown[0]);
        // Sizes of the text [stage units]: the wide stage's 13 × its type
        // factor, the narrow stage's 30 (static/style.css).
        let size = if slot.style == Style::Card {
            30.0
        } else {
            13.0 * k
        };
        let (kind_line, name_line) = match one {
            Some(s) => (kind_label(s.kind).to_string(), s.name.clone()),
            None => {
                let k = shown.len();
                (
                    text::first_fit(
                        &[format!("+{k} more sources"), format!("+{k} more")],
                        Font::Sans,
                        size,
                        slot.text_w,
                    ),
                    String::new(),
                )
            }
        };
        SourceText {
            kind: one.map(|s| s.kind),
            one: one.is_some(),
            rate_text,
            rate_aria,
            kind_line: text::ellipsize(&kind_line, Font::Sans, size, slot.text_w),
            name_line: text::ellipsize(&name_line, Font::Sans, size, slot.text_w),
            tooltip: tooltip(one, shown),
            depth: one.and_then(|s| s.queue_depth),
            size,
        }
    }

    /// The rate's text element.
    fn rate_el(&self, x: f64, y: f64, class: &'static str) -> Html {
        html! {
            <text x={fmt(x)} y={fmt(y)} class={class} data-testid="source-rate" aria-label={self.rate_aria.clone()}>
                { self.rate_text.clone() }
            </text>
        }
    }
}

/// The place's tooltip: the whole text, names and rates uncut.
fn tooltip(one: Option<&SourceView>, shown: &[SourceView]) -> String {
    let describe = |s: &SourceView| {
        format!(
            "{} ({}): {}/s",
            if s.name.is_empty() {
                "unnamed"
            } else {
                &s.name
            },
            kind_label(s.kind),
            num(s.rate_per_s)
        )
    };
    match one {
        Some(s) => describe(s),
        None => format!(
            "{} more sources: {}",
            shown.len(),
            shown.iter().map(describe).collect::<Vec<_>>().join("; ")
        ),
    }
}

/// The wide stage's place for a few sources: icon, kind, name, rate.
fn full_body(slot: &Slot, t: &SourceText) -> Html {
    let (cx, cy) = slot.icon;
    html! {
        <>
            { icon(t.kind, cx, cy, 1.0) }
            <text x={fmt(cx)} y={fmt(slot.y0)} class="small">{ t.kind_line.clone() }</text>
            <text x={fmt(cx)} y={fmt(slot.y0 + 16.0 * t.size / 13.0)} class="small muted">{ t.name_line.clone() }</text>
            { t.rate_el(slot.anchor.0, cy - 30.0, "rate right") }
            if let Some(d) = t.depth {
                <text x={fmt(cx)} y={fmt(cy + 4.0)} class="depth" data-testid="queue-depth">{ count(d) }</text>
            }
        </>
    }
}

/// The wide stage's place for many sources: a smaller icon, one line.
fn compact_body(slot: &Slot, t: &SourceText) -> Html {
    let (cx, cy) = slot.icon;
    html! {
        <>
            { icon(t.kind, cx, cy, slot.scale) }
            // The icon says the kind; the line says the name (or how
            // many more sources there are).
            <text x={fmt(slot.text_x)} y={fmt(slot.y0)} class="small left">
                { if t.one { t.name_line.clone() } else { t.kind_line.clone() } }
            </text>
            { t.rate_el(slot.text_x, slot.y0 + 16.0 * t.size / 13.0, "rate left") }
            if let Some(d) = t.depth {
                <text x={fmt(cx)} y={fmt(cy + 5.0)} class="depth" data-testid="queue-depth">{ count(d) }</text>
            }
        </>
    }
}

/// The narrow stage's card: icon, then kind, name and rate on lines.
fn card_body(slot: &Slot, t: &SourceText) -> Html {
    let (cx, cy) = slot.icon;
    let line = narrow::LINE;
    // The queue's depth on the rate's line, after it, as long as
    // both fit.
    let rate_w = text::width(&t.rate_text, Font::Mono, t.size);
    let room = slot.text_w - rate_w - 24.0;
    let depth_text = t.depth.map(|d| {
        text::first_fit(
            &[format!("{} queued", count(d)), count(d)],
            Font::Mono,
            t.size,
            room,
        )
    });
    html! {
        <>
            { icon(t.kind, cx, cy, 1.0) }
            <text x={fmt(slot.text_x)} y={fmt(slot.y0)} class="small left">{ t.kind_line.clone() }</text>
            if t.one {
                <text x={fmt(slot.text_x)} y={fmt(slot.y0 + line)} class="small muted left">{ t.name_line.clone() }</text>
            }
            { t.rate_el(slot.text_x, slot.y0 + 2.0 * line, "rate left") }
            if let Some(d) = depth_text {
                <text x={fmt(slot.text_x + rate_w + 24.0)} y={fmt(slot.y0 + 2.0 * line)} class="depth left" data-testid="queue-depth">{ d }</text>
            }
        </>
    }
}

/// One place of the sources: a source (icon, kind, name, rate, queue
/// depth) or the sources that did not fit ("+k more sources", their summed
/// rate). Names and labels are cut to the place's width with an ellipsis;
/// the whole text is the place's tooltip.
pub fn source_html(slot: &Slot, all: &[SourceView], sampled: bool, k: f64) -> Html {
    let shown = &all[slot.first.min(all.len())..(slot.first + slot.count).min(all.len())];
    let t = SourceText::new(slot, shown, sampled, k);
    let body = match slot.style {
        Style::Full => full_body(slot, &t),
        Style::Compact => compact_body(slot, &t),
        Style::Card => card_body(slot, &t),
    };
    html! {
        <g class={classes!("source", (!t.one).then_some("source-more"))} data-testid={if t.one { "source" } else { "source-more" }}
           data-kind={t.kind.map(|k| k.as_str())} data-count={shown.len().to_string()}>
            <title>{ t.tooltip }</title>
            { body }
        </g>
    }
}
