//! Import and export: the scenario as JSON, the chart samples and the
//! itemized bill as CSV, a chart as a standalone SVG; a scenario file read
//! back with every problem named. The text builders are pure (tested
//! natively); the app hands the results to the browser's download.

use crate::engine::billing::Bill;
use crate::engine::scenario::Scenario;
use crate::ui::view_model::history::Sample;

/// Largest scenario file read \[bytes\]; bigger files are refused unread.
pub const MAX_IMPORT_BYTES: u64 = 256 * 1024;

/// Checks a file before reading it.
pub fn check_size(name: &str, bytes: u64) -> Result<(), String> {
    if bytes > MAX_IMPORT_BYTES {
        Err(format!(
            "{name}: {bytes} bytes is over the limit of {MAX_IMPORT_BYTES} bytes for a scenario file; nothing was read."
        ))
    } else {
        Ok(())
    }
}

/// Parses and validates an imported scenario: every problem, each with its
/// field path.
pub fn import(text: &str) -> Result<Scenario, Vec<String>> {
    if text.len() as u64 > MAX_IMPORT_BYTES {
        return Err(vec![format!(
            "the file is over the limit of {MAX_IMPORT_BYTES} bytes"
        )]);
    }
    Scenario::from_json(text).map_err(|errs| errs.iter().map(|e| e.to_string()).collect())
}

/// A file name for the scenario: its name, lower case, dashes.
pub fn file_stem(s: &Scenario) -> String {
    let stem: String = s
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let stem = stem
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if stem.is_empty() {
        "scenario".into()
    } else {
        stem.chars().take(60).collect()
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or(String::new(), |x| format!("{x}"))
}

/// The chart samples as CSV: one row per sample, both sides.
pub fn metrics_csv(samples: &[Sample]) -> String {
    let mut out = String::from(
        "t_s,lambda_busy,lambda_environments,lambda_p50_ms,lambda_p99_ms,lambda_throttled,lambda_failed,lambda_cost_usd,\
         ec2_busy,ec2_instances,ec2_p50_ms,ec2_p99_ms,ec2_http_503,ec2_failed,ec2_cost_usd\n",
    );
    for s in samples {
        let l = &s.lambda;
        let e = s.ec2.as_ref();
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{:.6},{},{},{},{},{},{},{}\n",
            s.t_s,
            l.busy,
            l.units,
            l.p50_ms,
            l.p99_ms,
            l.rejected,
            l.failed,
            l.cost_usd,
            opt(e.map(|e| e.busy)),
            opt(e.map(|e| e.units)),
            opt(e.map(|e| e.p50_ms)),
            opt(e.map(|e| e.p99_ms)),
            e.map_or(String::new(), |e| e.rejected.to_string()),
            e.map_or(String::new(), |e| e.failed.to_string()),
            e.map_or(String::new(), |e| format!("{:.6}", e.cost_usd)),
        ));
    }
    out
}

/// Quotes a CSV field when it needs it.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Micro-dollars as dollars with six decimals, exactly.
fn usd(micros: i128) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let m = micros.unsigned_abs();
    format!("{sign}{}.{:06}", m / 1_000_000, m % 1_000_000)
}

/// Itemized bills as CSV: one row per line, then each bill's total.
pub fn bill_csv(bills: &[Bill]) -> String {
    let mut out = String::from("bill,item,quantity,unit,rate,amount_usd\n");
    for b in bills {
        for l in &b.lines {
            out.push_str(&format!(
                "{},{},{},{},{},{}\n",
                field(&b.title),
                field(&l.item),
                l.quantity.to_decimal_string(false),
                field(&l.unit),
                field(&l.rate.to_string()),
                usd(l.amount.as_micros() as i128),
            ));
        }
        out.push_str(&format!(
            "{},total,,,,{}\n",
            field(&b.title),
            usd(b.total.as_micros() as i128)
        ));
    }
    out
}

/// The styles a chart needs outside the page (the page's CSS variables
/// resolved to the light theme's colours).
pub const CHART_SVG_STYLE: &str = "text{font:11px system-ui,sans-serif;fill:#1b1f24}\
.right{text-anchor:end}.xtick{text-anchor:middle}.axis{stroke:#5b6470}.tick line{stroke:#d5dae1}\
.axis-label{fill:#5b6470}.series{fill:none;stroke-width:2}.series.lambda{stroke:#0072b2}\
.series.ec2{stroke:#cc79a7}.series.dashed{stroke-dasharray:5 3}";

/// Width and height of an `<svg>` from its `viewBox` [user units].
pub fn svg_size(outer: &str) -> Option<(f64, f64)> {
    let start = outer.find("viewBox=\"")? + 9;
    let end = start + outer[start..].find('"')?;
    let v: Vec<f64> = outer[start..end]
        .split([' ', ','])
        .filter(|p| !p.is_empty())
        .map(crate::common::format::parse_f64)
        .collect::<Option<_>>()?;
    match v[..] {
        [_, _, w, h] if w > 0.0 && h > 0.0 && w.is_finite() && h.is_finite() => Some((w, h)),
        _ => None,
    }
}

/// A standalone SVG file from a chart's `<svg>` markup (as the browser
/// serialized it): the namespace, a size (from the `viewBox`) and the
/// styles added, a white background.
pub fn standalone_svg(outer: &str) -> Option<String> {
    let rest = outer.strip_prefix("<svg")?;
    let (attrs, body) = rest.split_once('>')?;
    let ns = if attrs.contains("xmlns=") {
        ""
    } else {
        " xmlns=\"http://www.w3.org/2000/svg\""
    };
    let size = match svg_size(outer) {
        Some((w, h)) if !attrs.contains(" width=") => format!(" width=\"{w}\" height=\"{h}\""),
        _ => String::new(),
    };
    Some(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg{ns}{size}{attrs}><style>{CHART_SVG_STYLE}</style><rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>{body}\n"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::presets::PRESETS;
    use crate::engine::billing::{lambda_bill, Catalog, LambdaBillOptions};
    use crate::engine::sim::Simulation;
    use crate::engine::time::SimTime;
    use crate::ui::view_model::history::SideSample;

    #[test]
    fn an_invalid_file_lists_every_problem_with_its_path() {
        let mut v: serde_json::Value = serde_json::from_str(PRESETS[2].json).unwrap();
        v["function"]["timeout_s"] = 1200.into();
        v["function"]["memory_mb"] = 64.into();
        v["duration_s"] = (-5).into();
        let errs = import(&v.to_string()).unwrap_err();
        assert_eq!(errs.len(), 3, "{errs:?}");
        let all = errs.join("\n");
        for p in [
            "function.timeout_s: 1200",
            "function.memory_mb: 64",
            "duration_s: -5",
        ] {
            assert!(all.contains(p), "{p} in {all}");
        }
        let errs = import("{\"version\": 1, \"sources\": 3}").unwrap_err();
        assert!(errs[0].contains("sources"), "{errs:?}");
        assert!(import(PRESETS[0].json).is_ok());
        assert!(check_size("big.json", MAX_IMPORT_BYTES + 1).is_err());
        assert!(check_size("ok.json", 2_000).is_ok());
    }

    #[test]
    fn exported_json_reads_back_identically() {
        for p in PRESETS {
            let s = p.scenario().unwrap();
            assert_eq!(import(&s.to_json()).unwrap(), s, "{}", p.id);
        }
        let s = PRESETS[2].scenario().unwrap();
        assert_eq!(file_stem(&s), "flash-sale");
    }

    #[test]
    fn metrics_csv_has_a_row_per_sample() {
        let side = SideSample {
            busy: 3.0,
            units: 4.0,
            p50_ms: 12.5,
            p99_ms: 80.0,
            rejected: 2,
            failed: 1,
            cost_usd: 0.000123,
        };
        let rows = [
            Sample {
                t_s: 0.0,
                lambda: side,
                ec2: None,
            },
            Sample {
                t_s: 1.0,
                lambda: side,
                ec2: Some(side),
            },
        ];
        let csv = metrics_csv(&rows);
        let lines: Vec<_> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        let cols = lines[0].split(',').count();
        assert!(lines.iter().all(|l| l.split(',').count() == cols));
        assert_eq!(lines[1], "0,3,4,12.5,80,2,1,0.000123,,,,,,,");
        assert!(
            lines[2].ends_with(",3,4,12.5,80,2,1,0.000123"),
            "{}",
            lines[2]
        );
    }

    #[test]
    fn bill_csv_lines_sum_to_the_total() {
        let s = PRESETS[1].scenario().unwrap();
        let mut sim = Simulation::new(&s).unwrap();
        sim.advance_to(SimTime::from_micros(20_000_000));
        let bill = lambda_bill(
            &sim.lambda_usage(),
            &sim.event_source_usage(),
            &Catalog::us_east_1(),
            LambdaBillOptions::default(),
        );
        let csv = bill_csv(std::slice::from_ref(&bill));
        let amounts: Vec<f64> = csv
            .lines()
            .skip(1)
            .map(|l| l.rsplit(',').next().unwrap().parse().unwrap())
            .collect();
        let (total, lines) = amounts.split_last().unwrap();
        assert!(!lines.is_empty());
        assert!((lines.iter().sum::<f64>() - total).abs() < 1e-6, "{csv}");
        assert!(*total > 0.0);
        assert_eq!(usd(-1_500_001), "-1.500001");
    }

    #[test]
    fn chart_svg_stands_alone() {
        let svg = standalone_svg("<svg viewBox=\"0 0 10 10\" role=\"img\"><path class=\"series lambda\" d=\"M0 0\"></path></svg>").unwrap();
        assert!(
            svg.contains("xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\" viewBox"),
            "{svg}"
        );
        assert_eq!(
            svg_size("<svg viewBox=\"0 0 640 220\">"),
            Some((640.0, 220.0))
        );
        assert_eq!(svg_size("<svg viewBox=\"0 0 -1 x\">"), None);
        assert!(svg.contains("<style>"));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(standalone_svg("<div>"), None);
    }
}
