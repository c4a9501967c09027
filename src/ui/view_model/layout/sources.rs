//! Where the stage draws its event sources, up to the engine's maximum
//! (`MAX_SOURCES`) without any two meeting. The wide stage stacks them down
//! its left: large (icon, kind, name, rate) while that fits, else in
//! compact rows (a small icon, the name and the rate beside it); the
//! narrow stage lays them out as cards (icon, then kind, name and rate
//! beside it), one or two a row. What does not fit is one more row, "+k
//! more sources", with their summed rate (their particles leave from it).

/// How a place draws its source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Wide stage: a large icon, kind and name under it, rate above.
    Full,
    /// Wide stage: a small icon, the name and the rate beside it.
    Compact,
    /// Narrow stage: an icon, kind, name and rate beside it.
    Card,
}

/// One source's place (or the place of the sources that did not fit).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Slot {
    /// The sources shown here: `first..first + count` (more than one:
    /// the "+k more sources" place).
    pub first: usize,
    pub count: usize,
    pub style: Style,
    /// Centre of the icon and its scale.
    pub icon: (f64, f64),
    pub scale: f64,
    /// Where its text starts (centred on it for [`Style::Full`]), the
    /// widest a line may be, the first baseline [stage units].
    pub text_x: f64,
    pub text_w: f64,
    pub y0: f64,
    /// Where its particles leave from.
    pub anchor: (f64, f64),
}

/// Pitch of a large source on the wide stage at type factor `k` (its
/// rate, icon, kind and name: from 40 + 12.1 k units above its anchor to
/// 34 + 19.1 k below).
pub fn full_pitch(k: f64) -> f64 {
    80.0 + 32.0 * k
}
/// Pitch of a compact row on the wide stage (two lines of 13 k units).
pub fn compact_pitch(k: f64) -> f64 {
    36.0 * k
}
/// Where a large source's text starts and ends above and below its
/// anchor, at type factor `k` (glyph boxes: 0.93 em above a baseline,
/// 0.24 em below).
pub fn full_text_span(k: f64) -> (f64, f64) {
    (40.0 + 12.1 * k, 34.0 + 19.1 * k)
}
/// Height of a row of cards on the narrow stage: a margin, three lines
/// 36 apart, then the lane its particles leave along.
pub const CARD_ROW: f64 = 150.0;
/// Most places on the narrow stage (four rows of two).
pub const CARDS: usize = 8;

/// `n` sources in `places` places: which sources each shows (the last
/// one the rest, when there are more sources than places).
fn split(n: usize, places: usize) -> Vec<(usize, usize)> {
    let places = places.max(1);
    if n <= places {
        (0..n).map(|i| (i, 1)).collect()
    } else {
        (0..places - 1)
            .map(|i| (i, 1))
            .chain([(places - 1, n - (places - 1))])
            .collect()
    }
}

/// The wide stage's places for `n` sources on a stage `height` units
/// high, its text drawn at type factor `k` (13 k units).
pub fn wide(n: usize, height: f64, k: f64) -> Vec<Slot> {
    // One or two sources face the Lambda panel, as they always did;
    // more use the stage's height.
    let (top, bottom) = if n <= 2 {
        (30.0, 310.0)
    } else {
        (20.0, height - 14.0)
    };
    let band = bottom - top;
    if n as f64 * full_pitch(k) <= band {
        let pitch = band / n.max(1) as f64;
        return (0..n)
            .map(|i| {
                let ay = top + (i as f64 + 0.5) * pitch;
                Slot {
                    first: i,
                    count: 1,
                    style: Style::Full,
                    icon: (92.0, ay - 10.0),
                    scale: 1.0,
                    text_x: 92.0,
                    text_w: 160.0,
                    y0: ay + 34.0,
                    anchor: (175.0, ay),
                }
            })
            .collect();
    }
    let rows = ((band / compact_pitch(k)).floor() as usize).max(1);
    let shown = split(n, rows);
    let pitch = band / shown.len() as f64;
    shown
        .into_iter()
        .enumerate()
        .map(|(k, (first, count))| {
            let y = top + (k as f64 + 0.5) * pitch;
            Slot {
                first,
                count,
                style: Style::Compact,
                icon: (30.0, y),
                scale: 0.5,
                text_x: 58.0,
                text_w: 110.0,
                y0: y - 3.0,
                anchor: (178.0, y),
            }
        })
        .collect()
}

/// The narrow stage's places for `n` sources (stage 790 units wide).
pub fn narrow(n: usize) -> Vec<Slot> {
    let cols = if n <= 1 { 1 } else { 2 };
    let col_w = 770.0 / cols as f64;
    split(n, CARDS)
        .into_iter()
        .enumerate()
        .map(|(k, (first, count))| {
            let (col, row) = ((k % cols) as f64, (k / cols) as f64);
            let (x, top) = (10.0 + col * col_w, row * CARD_ROW);
            Slot {
                first,
                count,
                style: Style::Card,
                icon: (x + 62.0, top + 70.0),
                scale: 1.0,
                text_x: x + 108.0,
                text_w: col_w - 116.0,
                y0: top + 42.0,
                anchor: (x + 62.0, top + 134.0),
            }
        })
        .collect()
}

/// The place showing source `i`.
pub fn slot_of(slots: &[Slot], i: usize) -> Option<&Slot> {
    slots
        .iter()
        .find(|s| i >= s.first && i < s.first + s.count)
        .or(slots.last())
}

#[cfg(test)]
mod sources_tests {
    use super::*;
    use crate::engine::defaults as d;

    /// Every source has a place; places never overlap; they stay on the
    /// stage's left (wide) or in the narrow stage's width.
    #[test]
    fn every_source_has_a_place_and_places_keep_apart() {
        for n in 1..=d::MAX_SOURCES {
            for (slots, narrow, k) in [
                (wide(n, 600.0, 1.0), false, 1.0),
                (wide(n, 420.0, 1.0), false, 1.0),
                (wide(n, 600.0, 1.4), false, 1.4),
                (wide(n, 420.0, 1.25), false, 1.25),
                (narrow(n), true, 1.0),
            ] {
                let covered: usize = slots.iter().map(|s| s.count).sum();
                assert_eq!(covered, n, "{n} sources");
                for i in 0..n {
                    let s = slot_of(&slots, i).unwrap();
                    assert!(i >= s.first && i < s.first + s.count);
                }
                // Each place's box: icon and text.
                let boxes: Vec<(f64, f64, f64, f64)> = slots
                    .iter()
                    .map(|s| match s.style {
                        Style::Full => {
                            let (up, down) = full_text_span(k);
                            (
                                s.text_x - 80.0,
                                s.anchor.1 - up,
                                s.text_x + 83.0,
                                s.anchor.1 + down,
                            )
                        }
                        Style::Compact => (
                            s.icon.0 - 16.0,
                            (s.y0 - 13.0 * k).min(s.icon.1 - 14.0),
                            s.text_x + s.text_w,
                            (s.y0 + 20.0 * k).max(s.icon.1 + 14.0),
                        ),
                        Style::Card => (
                            s.icon.0 - 32.0,
                            s.y0 - 28.0,
                            s.text_x + s.text_w,
                            s.y0 + 80.0,
                        ),
                    })
                    .collect();
                for (i, a) in boxes.iter().enumerate() {
                    assert!(a.0 >= 0.0 && a.1 >= 0.0, "{n}: {a:?}");
                    if narrow {
                        assert!(a.2 <= 790.0, "{n}: {a:?}");
                        // Clear of the gutter particles run down.
                        assert!(a.0 >= super::super::narrow::GUTTER_X + 12.0, "{n}: {a:?}");
                    } else {
                        assert!(a.2 <= 178.0 && a.3 <= 600.0, "{n}: {a:?}");
                    }
                    for b in &boxes[i + 1..] {
                        let apart = a.2 <= b.0 || b.2 <= a.0 || a.3 <= b.1 || b.3 <= a.1;
                        assert!(apart, "{n} sources: {a:?} meets {b:?}");
                    }
                }
            }
        }
        assert_eq!(wide(1, 600.0, 1.0)[0].style, Style::Full);
        assert_eq!(wide(2, 600.0, 1.4)[0].style, Style::Full);
        assert_eq!(wide(16, 600.0, 1.0).len(), 15);
        assert_eq!(narrow(16).len(), CARDS);
        assert_eq!(narrow(16).last().unwrap().count, 16 - (CARDS - 1));
    }
}
