//! Number and time formatting for the display: pure functions, tested natively.

use crate::engine::billing::group_thousands;

/// A count with thousands separators: `12,345`.
pub fn count(n: u64) -> String {
    group_thousands(&n.to_string())
}

/// A rate or other non-negative quantity, rounded for reading: `1,240`,
/// `12.5`, `0.42`; non-finite values show as an en dash.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let a = x.abs();
    let sign = if x < 0.0 { "-" } else { "" };
    if a >= 100.0 {
        format!("{sign}{}", count(a.round() as u64))
    } else if a >= 10.0 {
        format!("{sign}{a:.1}")
    } else if a == 0.0 {
        "0".into()
    } else {
        format!("{sign}{a:.2}")
    }
}

/// A speed factor: `1×`, `1,840×`, `2.5×`.
pub fn speed(x: f64) -> String {
    if x >= 10.0 {
        format!("{}×", count(x.round() as u64))
    } else {
        let s = format!("{x:.1}");
        format!("{}×", s.trim_end_matches(".0"))
    }
}

/// A latency \[ms\] in the unit that reads best: `45 ms`, `1.2 s`, `15.0 min`.
pub fn latency_ms(ms: f64) -> String {
    if !ms.is_finite() || ms <= 0.0 {
        "–".into()
    } else if ms < 10.0 {
        format!("{ms:.1} ms")
    } else if ms < 1_000.0 {
        format!("{ms:.0} ms")
    } else if ms < 60_000.0 {
        format!("{:.1} s", ms / 1_000.0)
    } else {
        format!("{:.1} min", ms / 60_000.0)
    }
}

/// A share as a percentage: `3.2 %`; nothing measured shows an en dash.
pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "–".into()
    } else {
        let p = part as f64 / whole as f64 * 100.0;
        if p > 0.0 && p < 0.1 {
            "<0.1 %".into()
        } else {
            format!("{p:.1} %")
        }
    }
}

/// A time axis label [s since start]: `0:45`, `12:30`, `2:05:00`, `1d 02:00`.
pub fn clock_short(t_s: f64) -> String {
    let t = t_s.max(0.0).round() as u64;
    let (d, h, m, s) = (t / 86_400, (t / 3_600) % 24, (t / 60) % 60, t % 60);
    if d > 0 {
        format!("{d}d {h:02}:{m:02}")
    } else if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// The divisor and suffix of a volume's short form (`10k`, `2.5M`, `1B`):
/// the break-even chart's axis and `fanout sweep`'s break-even lines.
pub fn volume_scale(v: f64) -> (f64, &'static str) {
    if v >= 1e9 {
        (1e9, "B")
    } else if v >= 1e6 {
        (1e6, "M")
    } else if v >= 1e3 {
        (1e3, "k")
    } else {
        (1.0, "")
    }
}

/// Dollars for a chart axis: `$0`, `$0.25`, `$12`, `$1,200`.
pub fn usd_axis(v: f64) -> String {
    if v == 0.0 {
        "$0".into()
    } else if v.abs() < 10.0 {
        let s = format!("{v:.2}");
        format!("${}", s.trim_end_matches('0').trim_end_matches('.'))
    } else {
        format!("${}", count(v.round() as u64))
    }
}

/// Reads a decimal number the way `str::parse::<f64>` does
/// (`[+-]digits[.digits][e[+-]digits]`, digits optional on one side of the
/// point; no spaces), bit for bit the same value, but through `serde_json`'s
/// float parser, which the app ships anyway: core's own parser would add
/// about 15 KB gzip (code and power-of-ten tables) to the wasm. `None` for
/// anything else, including `inf`, `NaN` and numbers too large for an `f64`.
pub fn parse_f64(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let mut i = 0;
    let negative = match b.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    let digits = |from: usize| from + b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let int_end = digits(i);
    let int = &text[i..int_end];
    let (frac, mut j) = if b.get(int_end) == Some(&b'.') {
        let end = digits(int_end + 1);
        (&text[int_end + 1..end], end)
    } else {
        ("", int_end)
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut exp = "";
    if matches!(b.get(j), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(b.get(j + 1), Some(b'+' | b'-')));
        let end = digits(j + 1 + sign);
        if end == j + 1 + sign {
            return None;
        }
        exp = &text[j + 1..end];
        j = end;
    }
    if j != b.len() {
        return None;
    }
    // JSON wants no leading zeros, digits on both sides of the point; a
    // fraction always, so that big integers take the float path too.
    let int = int.trim_start_matches('0');
    let json = format!(
        "{}{}.{}{}{exp}",
        if negative { "-" } else { "" },
        if int.is_empty() { "0" } else { int },
        if frac.is_empty() { "0" } else { frac },
        if exp.is_empty() { "" } else { "e" },
    );
    serde_json::from_str::<f64>(&json)
        .ok()
        .filter(|x| x.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_numbers() {
        assert_eq!(count(0), "0");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(num(1_240.4), "1,240");
        assert_eq!(num(12.46), "12.5");
        assert_eq!(num(0.423), "0.42");
        assert_eq!(num(0.0), "0");
        assert_eq!(num(f64::NAN), "–");
        assert_eq!(num(-3.0), "-3.00");
    }

    #[test]
    fn speeds() {
        assert_eq!(speed(1.0), "1×");
        assert_eq!(speed(2.5), "2.5×");
        assert_eq!(speed(1_840.2), "1,840×");
        assert_eq!(speed(10_000.0), "10,000×");
    }

    #[test]
    fn latencies_pick_a_unit() {
        assert_eq!(latency_ms(0.0), "–");
        assert_eq!(latency_ms(4.25), "4.2 ms");
        assert_eq!(latency_ms(45.4), "45 ms");
        assert_eq!(latency_ms(1_234.0), "1.2 s");
        assert_eq!(latency_ms(900_000.0), "15.0 min");
    }

    #[test]
    fn percents() {
        assert_eq!(percent(1, 0), "–");
        assert_eq!(percent(1, 4), "25.0 %");
        assert_eq!(percent(1, 10_000), "<0.1 %");
        assert_eq!(percent(0, 10), "0.0 %");
    }

    #[test]
    fn volume_scales() {
        assert_eq!(volume_scale(999.0), (1.0, ""));
        assert_eq!(volume_scale(1_000.0), (1e3, "k"));
        assert_eq!(volume_scale(2_500_000.0), (1e6, "M"));
        assert_eq!(volume_scale(1e9), (1e9, "B"));
    }

    #[test]
    fn axis_labels() {
        assert_eq!(clock_short(45.0), "0:45");
        assert_eq!(clock_short(750.0), "12:30");
        assert_eq!(clock_short(7_500.0), "2:05:00");
        assert_eq!(clock_short(93_600.0), "1d 02:00");
        assert_eq!(usd_axis(0.0), "$0");
        assert_eq!(usd_axis(0.25), "$0.25");
        assert_eq!(usd_axis(2.0), "$2");
        assert_eq!(usd_axis(1_200.0), "$1,200");
    }
    #[test]
    fn parses_numbers_as_rust_does() {
        for t in [
            "0",
            "-0",
            "+0",
            "5",
            "05",
            "007.50",
            "1.",
            ".5",
            "-.5",
            "+.5",
            "1e3",
            "1E+3",
            "2.5e-3",
            "1e-400",
            "0e0",
            "123456789012345678901234567890",
            "9007199254740993",
            "0.1",
            "0.30000000000000004",
            "1.7976931348623157e308",
            "4.9e-324",
            "2.4e-324",
            "100000000000000000000000000000000000000000000000000000000000000000000000001e-60",
        ] {
            let want: f64 = t.parse().unwrap();
            assert_eq!(parse_f64(t).map(f64::to_bits), Some(want.to_bits()), "{t}");
        }
        for t in [
            "",
            "-",
            "+",
            ".",
            "-.",
            "e5",
            "1e",
            "1e+",
            "1.2.3",
            " 1",
            "1 ",
            "1,5",
            "0x10",
            "inf",
            "-infinity",
            "NaN",
            "1e400",
            "--1",
            "+-1",
            "1_000",
            "١",
        ] {
            assert_eq!(parse_f64(t), None, "{t}");
        }
    }

    proptest::proptest! {
        #[test]
        fn parse_f64_matches_str_parse(t in "[+-]?[0-9]{0,25}(\\.[0-9]{0,25})?([eE][+-]?[0-9]{1,3})?") {
            let want = t.parse::<f64>().ok().filter(|x| x.is_finite());
            proptest::prop_assert_eq!(parse_f64(&t).map(f64::to_bits), want.map(f64::to_bits), "{}", t);
        }

        #[test]
        fn parse_f64_reads_what_rust_writes(x in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO) {
            for t in [format!("{x}"), format!("{x:e}"), format!("{x:?}"), format!("{x:.3}")] {
                proptest::prop_assert_eq!(parse_f64(&t).map(f64::to_bits), t.parse::<f64>().ok().map(f64::to_bits), "{}", t);
            }
        }
    }
}
