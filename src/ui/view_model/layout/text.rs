//! How wide a line of the stage's text is drawn, estimated without the
//! DOM (so that the stage can fit a text to its box as it renders it, and
//! the fitting is tested natively): the advance widths of DejaVu Sans
//! (Debian's `system-ui`, wider than the system fonts of macOS, Windows,
//! Android and most Linux desktops) and a monospace font's 0.6 em, with a
//! margin.

/// A font of the stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Font {
    /// The sans-serif, regular (`.small`, `.sublabel`).
    Sans,
    /// The sans-serif, semi-bold (`.label`).
    Bold,
    /// The monospace (`.rate`, `.tally`, `.depth`).
    Mono,
}

/// DejaVu Sans advance widths of ' ' to '~' [% of an em], regular.
const SANS: [u8; 95] = [
    32, 40, 46, 84, 64, 95, 78, 27, 39, 39, 50, 84, 32, 36, 32, 34, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 34, 34, 84, 84, 84, 53, 100, 68, 69, 70, 77, 63, 58, 77, 75, 29, 29, 66, 56, 86, 75,
    79, 60, 79, 69, 63, 61, 73, 68, 99, 69, 61, 69, 39, 34, 39, 84, 50, 50, 61, 63, 55, 63, 62, 35,
    63, 63, 28, 28, 58, 28, 97, 63, 61, 63, 63, 41, 52, 39, 63, 59, 82, 59, 59, 52, 64, 34, 64, 84,
];
/// The same, bold.
const BOLD: [u8; 95] = [
    35, 46, 52, 84, 70, 100, 87, 31, 46, 46, 52, 84, 38, 42, 38, 37, 70, 70, 70, 70, 70, 70, 70,
    70, 70, 70, 40, 40, 84, 84, 84, 58, 100, 77, 76, 73, 83, 68, 68, 82, 84, 37, 37, 77, 64, 100,
    84, 85, 73, 85, 77, 72, 68, 81, 77, 110, 77, 72, 73, 46, 37, 46, 84, 50, 50, 67, 72, 59, 72,
    68, 44, 72, 71, 34, 34, 67, 34, 104, 71, 69, 72, 72, 49, 60, 48, 71, 65, 92, 65, 65, 58, 71,
    37, 71, 84,
];

/// Width of one character [em].
fn char_em(c: char, font: Font) -> f64 {
    if font == Font::Mono {
        return 0.61;
    }
    let table = if font == Font::Bold { &BOLD } else { &SANS };
    let pct = match c {
        ' '..='~' => table[c as usize - 32],
        'λ' | '·' => 64,
        '…' => 100,
        // Others (× ✕, accents, CJK): at most an em.
        _ => 100,
    };
    f64::from(pct) / 100.0
}

/// Estimated width of `s` in `font` at `size` [stage units]: 3 % over
/// DejaVu Sans's (hinting, kerning), never under.
pub fn width(s: &str, font: Font, size: f64) -> f64 {
    s.chars().map(|c| char_em(c, font)).sum::<f64>() * size * 1.03
}

/// `s` cut with an ellipsis to fit `max` units (whole when it fits).
pub fn ellipsize(s: &str, font: Font, size: f64, max: f64) -> String {
    if width(s, font, size) <= max {
        return s.to_string();
    }
    let budget = max - width("…", font, size);
    let mut out = String::new();
    let mut w = 0.0;
    for c in s.chars() {
        w += char_em(c, font) * size * 1.03;
        if w > budget {
            break;
        }
        out.push(c);
    }
    let mut out = out.trim_end().to_string();
    out.push('…');
    out
}

/// The first of `candidates` that fits `max` units (the last one cut
/// with an ellipsis when none does).
pub fn first_fit(candidates: &[String], font: Font, size: f64, max: f64) -> String {
    candidates
        .iter()
        .find(|c| width(c, font, size) <= max)
        .cloned()
        .unwrap_or_else(|| ellipsize(candidates.last().map_or("", |c| c), font, size, max))
}

/// A title `prefix` + `parts` joined by " · " (a name first, then
/// settings) fitted to `max` units: whole when it fits; else the
/// settings are dropped from the end while the name would be cut below
/// 12 characters; the name is then cut with an ellipsis as needed.
pub fn fit_title(prefix: &str, parts: &[&str], font: Font, size: f64, max: f64) -> String {
    let Some((name, rest)) = parts.split_first() else {
        return ellipsize(prefix, font, size, max);
    };
    let min_name: String = name.chars().take(12).collect();
    for keep in (0..=rest.len()).rev() {
        let tail: String = rest[..keep].iter().map(|p| format!(" · {p}")).collect();
        let room = max - width(prefix, font, size) - width(&tail, font, size);
        let shortest = if min_name.len() < name.len() {
            width(&min_name, font, size) + width("…", font, size)
        } else {
            width(name, font, size)
        };
        if keep == 0 || shortest <= room {
            let fitted = format!("{prefix}{}{tail}", ellipsize(name, font, size, room));
            return ellipsize(&fitted, font, size, max);
        }
    }
    unreachable!("keep = 0 always returns")
}

#[cfg(test)]
mod text_tests {
    use super::*;

    #[test]
    fn widths_follow_the_font() {
        // DejaVu Sans: "m" is about 0.97 em, "i" 0.28 em.
        assert!(width("m", Font::Sans, 100.0) > 3.0 * width("i", Font::Sans, 100.0));
        assert!(width("abc", Font::Bold, 10.0) > width("abc", Font::Sans, 10.0));
        assert!((width("0123456789", Font::Mono, 10.0) - 62.83).abs() < 0.1);
        assert_eq!(width("", Font::Sans, 30.0), 0.0);
    }

    #[test]
    fn ellipsizing_fits_and_keeps_what_fits() {
        let s = "a-rather-long-function-name-for-the-stage";
        assert_eq!(ellipsize(s, Font::Sans, 14.0, 1000.0), s);
        for max in [40.0, 100.0, 200.0] {
            let e = ellipsize(s, Font::Sans, 14.0, max);
            assert!(width(&e, Font::Sans, 14.0) <= max, "{e} in {max}");
            assert!(
                e.ends_with('…') && s.starts_with(e.trim_end_matches('…')),
                "{e}"
            );
        }
    }

    #[test]
    fn titles_drop_settings_before_cutting_the_name_short() {
        let parts = [
            "make-thumbnails",
            "1769 MB arm64",
            "timeout 30 s",
            "keep-alive 600 s",
        ];
        let whole = fit_title("λ Lambda: ", &parts, Font::Bold, 17.0, 2000.0);
        assert_eq!(
            whole,
            "λ Lambda: make-thumbnails · 1769 MB arm64 · timeout 30 s · keep-alive 600 s"
        );
        let w = width(&whole, Font::Bold, 17.0);
        let fit = fit_title("λ Lambda: ", &parts, Font::Bold, 17.0, w - 10.0);
        assert_eq!(
            fit,
            "λ Lambda: make-thumbnails · 1769 MB arm64 · timeout 30 s"
        );
        let long = "x".repeat(200);
        let parts = [long.as_str(), "512 MB x86_64", "timeout 10 s"];
        for max in [300.0, 738.0] {
            let t = fit_title("λ Lambda: ", &parts, Font::Bold, 17.0, max);
            assert!(width(&t, Font::Bold, 17.0) <= max, "{t}");
            assert!(
                t.starts_with("λ Lambda: xxxxxxxxxxxx") && t.contains('…'),
                "{t}"
            );
        }
        assert!(fit_title("λ Lambda: ", &parts, Font::Bold, 17.0, 738.0).contains("timeout 10 s"));
    }
}
