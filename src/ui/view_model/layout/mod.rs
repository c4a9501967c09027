//! The page's layout mode: whether the screen is phone-narrow, from a CSS
//! media query (kept in step with `static/style.css`), as a Yew hook that
//! follows changes (rotating a phone, resizing a window).

use yew::prelude::*;

/// The media query of the narrow (stacked) layout; the same width as the
/// narrow block of `static/style.css`.
pub const NARROW_QUERY: &str = "(max-width: 560px)";

fn query() -> Option<web_sys::MediaQueryList> {
    web_sys::window()?.match_media(NARROW_QUERY).ok().flatten()
}

/// Whether the narrow layout applies now; re-renders the component when it
/// changes.
#[hook]
pub fn use_narrow() -> bool {
    let narrow = use_state(|| query().is_some_and(|m| m.matches()));
    {
        let narrow = narrow.clone();
        use_effect_with((), move |_| {
            let listener = query().map(|mql| {
                let m = mql.clone();
                gloo::events::EventListener::new(&mql, "change", move |_| narrow.set(m.matches()))
            });
            move || drop(listener)
        });
    }
    *narrow
}

/// The narrow (phone) stage: the sources in rows on top, the Lambda panel
/// and the EC2 panel stacked below, each with its text on lines of its own
/// (headers above the grids, tallies below), so that the text can be drawn
/// at ≥ 30 stage units: ≥ 11 CSS px on a 320 px screen, where the stage is
/// about 300 px wide (0.38 px a unit). The panels keep their wide-stage
/// coordinates; this module says where their parts go. Pure geometry,
/// tested natively; the type sizes are in the narrow block of
/// `static/style.css`.
pub mod narrow {
    /// Width [stage units].
    pub const W: f64 = 790.0;
    /// The panels' x shift (their boxes start at x = 220 on the wide stage).
    pub const DX: f64 = -210.0;
    /// Where particles run down the stage, left of every line of text
    /// (the sources' cards and the panels' text start right of it).
    pub const GUTTER_X: f64 = 24.0;
    /// Where the panels' text starts (in the panels' wide-stage
    /// coordinates: 32 units in from their left edge, clear of the gutter).
    pub const TEXT_X: f64 = 252.0;
    /// How far the EC2 grid and load balancer move right (their label
    /// clear of the gutter).
    pub const EC2_GRID_DX: f64 = 12.0;
    /// Distance between two lines of text.
    pub const LINE: f64 = 36.0;
    /// Most characters on a line of a panel at the narrow type size (the
    /// panel is 770 units wide, a character about 18).
    pub const LINE_CHARS: usize = 40;

    /// The Lambda panel (its own coordinates, box from y = 10): the
    /// baselines of its title and the two lines of counts.
    pub const LAMBDA_TITLE_Y: f64 = 50.0;
    pub const LAMBDA_COUNTS_Y: f64 = 88.0;
    /// How far its grid moves down, below the header.
    pub const LAMBDA_GRID_DY: f64 = 76.0;
    /// Baselines below the grid: concurrency, headroom, the bar's top, the
    /// throttles, timeouts and cold starts (a line each), and the grid's
    /// level of detail.
    pub const LAMBDA_CONCURRENCY_Y: f64 = 372.0;
    pub const LAMBDA_BAR_Y: f64 = 422.0;
    pub const LAMBDA_TALLY_Y: f64 = 470.0;
    pub const LAMBDA_DETAIL_Y: f64 = 578.0;
    /// Height of its box.
    pub const LAMBDA_H: f64 = 582.0;

    /// The EC2 panel (its own coordinates, box from y = 350): title and the
    /// three lines of the fleet's state.
    pub const EC2_TITLE_Y: f64 = 390.0;
    pub const EC2_STATE_Y: f64 = 428.0;
    /// How far its grid and load balancer move down, below the header.
    pub const EC2_GRID_DY: f64 = 122.0;
    /// Baselines of the 503 tally and the CPU and queue line.
    pub const EC2_TALLY_Y: f64 = 716.0;
    /// Height of its box (and of the box without a fleet).
    pub const EC2_H: f64 = 418.0;
    pub const NO_EC2_H: f64 = 100.0;

    // Text never meets a grid or the next line (checked when compiling): a
    // line's ascent is under 30 units, its descent under 10.
    const _: () = {
        assert!(LAMBDA_COUNTS_Y + LINE + 10.0 < 66.0 + LAMBDA_GRID_DY);
        assert!(256.0 + LAMBDA_GRID_DY + 30.0 <= LAMBDA_CONCURRENCY_Y);
        assert!(LAMBDA_CONCURRENCY_Y + LINE + 10.0 < LAMBDA_BAR_Y);
        assert!(LAMBDA_BAR_Y + 8.0 + 30.0 <= LAMBDA_TALLY_Y);
        assert!(LAMBDA_TALLY_Y + 3.0 * LINE <= LAMBDA_DETAIL_Y);
        assert!(LAMBDA_DETAIL_Y + 10.0 < 10.0 + LAMBDA_H);
        assert!(EC2_STATE_Y + 2.0 * LINE + 10.0 < 402.0 + EC2_GRID_DY);
        assert!(554.0 + EC2_GRID_DY + 30.0 <= EC2_TALLY_Y);
        assert!(EC2_TALLY_Y + LINE + 10.0 < 350.0 + EC2_H);
    };

    /// Height of the sources' band for `n` sources (rows of cards,
    /// [`super::sources::narrow`]).
    pub fn sources_h(n: usize) -> f64 {
        let cards = super::sources::narrow(n);
        let cols = if n <= 1 { 1 } else { 2 };
        cards.len().div_ceil(cols).max(1) as f64 * super::sources::CARD_ROW
    }

    /// The Lambda panel's shift for `n` sources.
    pub fn lambda_shift(n: usize) -> (f64, f64) {
        (DX, sources_h(n))
    }

    /// The EC2 panel's shift for `n` sources: below the Lambda panel.
    pub fn ec2_shift(n: usize) -> (f64, f64) {
        (DX, sources_h(n) + 10.0 + LAMBDA_H + 10.0 - 350.0)
    }

    /// The stage's height for `n` sources, with or without a fleet.
    pub fn height(n: usize, fleet: bool) -> f64 {
        let ec2 = if fleet { EC2_H } else { NO_EC2_H };
        ec2_shift(n).1 + 350.0 + ec2 + 10.0
    }

    /// Greedy word wrap: `text`'s words on lines of at most `max` characters
    /// (a longer word gets a line of its own).
    pub fn wrap(text: &str, max: usize) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        let mut cur = String::new();
        for word in text.split_whitespace() {
            if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > max {
                lines.push(std::mem::take(&mut cur));
            }
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(word);
        }
        if !cur.is_empty() {
            lines.push(cur);
        }
        lines
    }

    /// `text` cut to `max` characters with an ellipsis (a user's long name
    /// in a title that must stay on one line).
    pub fn ellipsis(text: &str, max: usize) -> String {
        if text.chars().count() <= max {
            text.to_string()
        } else {
            let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
            s.push('…');
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::narrow::*;

    #[test]
    fn the_panels_stack_without_overlapping() {
        for n in [1, 3, 16] {
            let (lx, ly) = lambda_shift(n);
            let (ex, ey) = ec2_shift(n);
            assert_eq!(lx, ex);
            assert!(
                ly + 10.0 >= sources_h(n),
                "the Lambda box starts below the sources"
            );
            // The Lambda box ends before the EC2 box starts.
            assert!(ly + 10.0 + LAMBDA_H < ey + 350.0);
            assert!(ey + 350.0 + EC2_H < height(n, true));
            // The panels (x 220..990 on the wide stage) fit the width.
            assert!(220.0 + lx >= 0.0 && 990.0 + lx <= W);
        }
    }

    #[test]
    fn wrapping_keeps_every_word_and_the_width() {
        let t = "No instance is running: API requests get a 503; messages wait in the SQS queue (1,234 queued) until a worker starts.";
        let lines = wrap(t, 40);
        assert!(
            lines.len() >= 3 && lines.iter().all(|l| l.chars().count() <= 40),
            "{lines:?}"
        );
        assert_eq!(lines.join(" "), t);
        assert_eq!(wrap("", 10), Vec::<String>::new());
        assert_eq!(
            wrap("averyveryverylongword x", 5),
            ["averyveryverylongword", "x"]
        );
        assert_eq!(ellipsis("checkout", 10), "checkout");
        assert_eq!(ellipsis("a-very-long-function-name", 10), "a-very-lo…");
    }
}

pub mod sources;
pub mod text;
pub mod wide;

/// The wide stage's type: every text is drawn at its design size (13 units
/// the smallest, 17 the titles) times a factor `k` (`--k` on the stage,
/// `static/style.css`), so that the text does not shrink with the stage's
/// width: the smallest text renders at ≥ 12 CSS px (≥ 24 px in projector
/// mode). Past [`SECONDARY_K`] the secondary lines are left out (the
/// environments' counts, the fleet's summary, the instances' states); past
/// [`MAX_K`] the wide stage cannot keep its text that large and the narrow
/// stage is drawn instead (detail dropped rather than text shrunk).
pub mod typescale {
    /// The wide stage's smallest text at `k` = 1 [units].
    pub const SMALL: f64 = 13.0;
    /// Above this factor the secondary lines are left out.
    pub const SECONDARY_K: f64 = 1.15;
    /// The largest factor the wide stage's geometry holds.
    pub const MAX_K: f64 = 1.4;

    /// The factor for a wide stage drawn at `scale` CSS px a unit with
    /// text at least `min_px` CSS px; None when it would exceed [`MAX_K`].
    /// An unmeasured stage (scale 0) draws at 1.
    pub fn factor(scale: f64, min_px: f64) -> Option<f64> {
        if scale.is_nan() || scale <= 0.0 {
            return Some(1.0);
        }
        // A quarter pixel over, for rounding.
        let k = ((min_px + 0.25) / (SMALL * scale)).max(1.0);
        (k <= MAX_K).then_some((k * 100.0).ceil() / 100.0)
    }

    /// Whether the secondary lines are drawn at factor `k`.
    pub fn secondary(k: f64) -> bool {
        k <= SECONDARY_K
    }
}

#[cfg(test)]
mod typescale_tests {
    use super::typescale::*;

    #[test]
    fn the_factor_keeps_the_smallest_text_legible_or_gives_up() {
        // 1280 px: the stage about 1,040 px wide.
        assert_eq!(factor(1.04, 12.0), Some(1.0));
        // A 920 px embed: about 0.86 px a unit.
        let k = factor(0.86, 12.0).unwrap();
        assert!(k > 1.0 && SMALL * k * 0.86 >= 12.0 && secondary(k), "{k}");
        // A projector: 1.45 px a unit, 24 px wanted.
        let k = factor(1.45, 24.0).unwrap();
        assert!(SMALL * k * 1.45 >= 24.0 && !secondary(k), "{k}");
        // Too narrow for the wide stage.
        assert_eq!(factor(0.6, 12.0), None);
        assert_eq!(factor(0.0, 12.0), Some(1.0));
    }
}
