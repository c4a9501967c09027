//! The scenario: what the simulator runs, as versioned JSON, and its
//! validation with every problem named by field path, value and allowed range.
//!
//! The whole input schema lives here, one file per section: [`sources`]
//! (who invokes and when), [`function`] (the Lambda function and the
//! account), [`ec2`] (the self-managed fleet, with its defaults and limits),
//! [`pricing`] (how both are priced) and [`usage`] (`fanout bill`'s usage
//! file). Every section reports through the one collector of [`problems`].
//!
//! Durations carry their unit in the field name (`timeout_s`, `ms`), so a
//! human can read and edit a scenario.
//!
//! ```
//! use fanout::engine::scenario::Scenario;
//! let json = r#"{
//!   "version": 1, "name": "api", "seed": 1, "duration_s": 60,
//!   "sources": [{"name": "api", "kind": "api",
//!                "pattern": {"type": "poisson", "rate_per_s": 10}}],
//!   "function": {"memory_mb": 512, "timeout_s": 10,
//!                "duration": {"type": "fixed", "ms": 100}}
//! }"#;
//! let s = Scenario::from_json(json).unwrap();
//! assert_eq!(s.function.memory_mb, 512);
//! assert_eq!(s.account.concurrency_limit, 1_000);
//!
//! let bad = json.replace("\"timeout_s\": 10", "\"timeout_s\": 1200");
//! let errs = Scenario::from_json(&bad).unwrap_err();
//! assert_eq!(errs[0].to_string(), "function.timeout_s: 1200 is above the Lambda maximum of 900");
//! ```

pub mod ec2;
pub mod function;
pub mod json_path;
pub mod pricing;
pub mod problems;
pub mod sources;
pub mod usage;

pub use self::ec2::Ec2Config;
pub use function::{Account, AsyncConfig, Function, OnFailure, ProvisionedStep, ScalingModel};
pub use problems::{Problems, ScenarioError};
pub use sources::{ApiConfig, ApiType, Burst, Pattern, RateStep, Source, SourceKind, SqsConfig};

use super::billing::pricing::Pricing;
use super::defaults as d;
use function::{validate_account, validate_function};
use serde::{Deserialize, Serialize};
use sources::{validate_source, yes};

/// The scenario format this engine reads.
pub const SCENARIO_VERSION: u32 = 1;

/// A complete simulation scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Format version; must be 1.
    pub version: u32,
    /// Short title.
    #[serde(default)]
    pub name: String,
    /// What the scenario shows.
    #[serde(default)]
    pub description: String,
    /// Seed of every random stream; same seed, same run.
    #[serde(default)]
    pub seed: u64,
    /// Simulated time during which sources send \[s\].
    pub duration_s: f64,
    /// The event sources feeding the function.
    pub sources: Vec<Source>,
    /// The Lambda function. It is also the workload model: the EC2 side
    /// borrows its duration distribution and error rate unless `ec2` gives
    /// its own.
    pub function: Function,
    /// The account's concurrency limit and scaling model.
    #[serde(default)]
    pub account: Account,
    /// Whether the Lambda function is deployed (fed the sources). `false`
    /// runs the EC2 side alone; then `ec2` is required.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub lambda: bool,
    /// The self-managed EC2 deployment, fed the very same arrivals; none =
    /// Lambda only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ec2: Option<Ec2Config>,
    /// How both deployments are priced: free tier, INIT billing rule, an
    /// EC2 discount (Savings Plan / Spot, an assumption) and "what if"
    /// price overrides; omitted = US East list prices.
    #[serde(default, skip_serializing_if = "is_default_pricing")]
    pub pricing: Pricing,
}

fn is_default_pricing(p: &Pricing) -> bool {
    *p == Pricing::default()
}

fn is_true(b: &bool) -> bool {
    *b
}

impl Scenario {
    /// Parses and validates JSON; every problem is returned.
    pub fn from_json(text: &str) -> Result<Scenario, Vec<ScenarioError>> {
        let scenario = Scenario::parse_json(text)?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Parses JSON without validating it; a syntax or type error names the
    /// field path where serde can tell it, and the line and column.
    pub fn parse_json(text: &str) -> Result<Scenario, Vec<ScenarioError>> {
        serde_json::from_str(text).map_err(|inner| {
            let path = json_path::path_at(text, inner.line(), inner.column());
            let at = format!("line {}, column {}", inner.line(), inner.column());
            // serde_json appends " at line L column C"; we print it separately.
            let msg = inner.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            vec![ScenarioError {
                path: if path == "." || path.is_empty() {
                    at.clone()
                } else {
                    path
                },
                value: None,
                message: if msg.is_empty() {
                    at
                } else {
                    format!("{msg} ({at})")
                },
            }]
        })
    }

    /// The scenario as pretty JSON (byte for byte what
    /// `serde_json::to_string_pretty` writes).
    pub fn to_json(&self) -> String {
        pretty_json(&self.to_compact_json())
    }

    /// The scenario as compact JSON. With [`Scenario::parse_json`] the one
    /// way a scenario is written and read: every other form (pretty, a
    /// `serde_json::Value`) goes through it, so the wasm bundle holds one
    /// serializer and one deserializer of the scenario tree.
    pub fn to_compact_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Every problem at once, each with field path, value and allowed range.
    pub fn validate(&self) -> Result<(), Vec<ScenarioError>> {
        let mut p = Problems::new();
        if self.version != SCENARIO_VERSION {
            p.push(
                "version",
                self.version,
                format!("is not supported; this engine reads version {SCENARIO_VERSION}"),
            );
        }
        p.bounds(
            "duration_s",
            self.duration_s,
            1.0,
            d::MAX_DURATION_S,
            "engine",
            "engine (30 days)",
        );
        let dur = if self.duration_s.is_finite() {
            self.duration_s.clamp(0.0, d::MAX_DURATION_S)
        } else {
            0.0
        };
        self.validate_sources(&mut p, dur);
        validate_function(&mut p, &self.function, self.account.concurrency_limit);
        validate_account(&mut p, &self.account);
        match &self.ec2 {
            Some(e) => p.extend(e.validate("ec2", true)),
            None if !self.lambda => p.push(
                "lambda",
                false,
                "leaves the scenario with no deployment: add an ec2 section or set lambda to true",
            ),
            None => {}
        }
        p.extend(self.pricing.validate("pricing"));
        p.into_result()
    }

    /// The number of sources, each source, and the arrivals of them all.
    fn validate_sources(&self, p: &mut Problems, dur: f64) {
        if self.sources.len() > d::MAX_SOURCES {
            p.push(
                "sources",
                self.sources.len(),
                format!("sources is above the engine maximum of {}", d::MAX_SOURCES),
            );
        }
        let lambda_timeout_s = self.lambda.then_some(self.function.timeout_s);
        let mut arrivals = 0.0;
        for (i, s) in self.sources.iter().enumerate() {
            validate_source(p, i, s, dur, lambda_timeout_s);
            arrivals += s.pattern.max_arrivals(dur);
        }
        if arrivals > d::MAX_TOTAL_ARRIVALS {
            p.push(
                "sources",
                format!("{arrivals:.3e} arrivals"),
                format!("is above the engine maximum of {:.0e} per run; shorten duration_s or lower the rates", d::MAX_TOTAL_ARRIVALS),
            );
        }
    }
}

/// Re-indents compact JSON (as `serde_json::to_string` writes it: no
/// whitespace outside strings) exactly as `serde_json::to_string_pretty`
/// would have written the same value: two-space indent, `": "` after a key,
/// `{}` and `[]` for empty containers. Writing compact and re-indenting
/// keeps one serializer per type in the wasm bundle instead of two.
pub fn pretty_json(compact: &str) -> String {
    let mut out = String::with_capacity(compact.len() * 2);
    let mut depth = 0usize;
    let (mut in_string, mut escaped) = (false, false);
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    let mut chars = compact.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                let close = if c == '{' { '}' } else { ']' };
                if chars.peek() == Some(&close) {
                    chars.next();
                    out.push(close);
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> Scenario {
        Scenario {
            version: 1,
            name: "t".into(),
            description: String::new(),
            seed: 1,
            duration_s: 60.0,
            sources: vec![Source {
                name: "api".into(),
                kind: SourceKind::Api,
                pattern: Pattern::Poisson { rate_per_s: 5.0 },
                payload_kb: 1.0,
                sqs: None,
                api: None,
            }],
            function: Function::default(),
            account: Account::default(),
            lambda: true,
            ec2: None,
            pricing: Pricing::default(),
        }
    }

    #[test]
    fn pretty_json_equals_serde_json_pretty() {
        let tricky = serde_json::json!({
            "s": "a \"quoted\" {b}: [c], d\\",
            "e": [], "o": {}, "n": null, "f": -1.5e-7, "u": 18446744073709551615u64,
            "deep": [[{"x": [1, {"y": []}]}], {"z": {"w": "\u{e9}\n"}}],
        });
        let cases = [
            tricky,
            serde_json::json!([]),
            serde_json::json!("x"),
            serde_json::json!(3),
        ];
        for v in &cases {
            assert_eq!(
                pretty_json(&serde_json::to_string(v).unwrap()),
                serde_json::to_string_pretty(v).unwrap()
            );
        }
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/static/scenarios");
        let mut n = 0;
        for f in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
            let s = Scenario::from_json(&text).unwrap();
            assert_eq!(s.to_json(), serde_json::to_string_pretty(&s).unwrap());
            n += 1;
        }
        assert!(n >= 10);
    }

    #[test]
    fn minimal_is_valid_and_round_trips() {
        let s = minimal();
        s.validate().unwrap();
        let back = Scenario::from_json(&s.to_json()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn all_problems_are_reported_with_paths() {
        let mut s = minimal();
        s.function.timeout_s = 1200.0;
        s.function.memory_mb = 64;
        s.sources[0].pattern = Pattern::Poisson { rate_per_s: -1.0 };
        s.account.concurrency_limit = 1_000;
        s.function.reserved_concurrency = Some(950);
        let errs = s.validate().unwrap_err();
        let text: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert!(
            text.contains(
                &"function.timeout_s: 1200 is above the Lambda maximum of 900".to_string()
            ),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("function.memory_mb: 64 is below")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("sources[0].pattern.rate_per_s: -1")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("function.reserved_concurrency: 950")),
            "{text:?}"
        );
        assert_eq!(errs.len(), 4);
    }

    #[test]
    fn unknown_fields_and_types_are_errors_with_paths() {
        let json = minimal().to_json().replace("\"memory_mb\"", "\"memory\"");
        let e = Scenario::from_json(&json).unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(e[0].path.starts_with("function"), "{}", e[0]);
        assert!(e[0].message.contains("unknown field"), "{}", e[0]);

        let json = minimal()
            .to_json()
            .replace("\"seed\": 1", "\"seed\": \"x\"");
        let e = Scenario::from_json(&json).unwrap_err();
        assert_eq!(e[0].path, "seed", "{}", e[0]);

        let e = Scenario::from_json("{ not json").unwrap_err();
        assert!(e[0].to_string().contains("line 1"), "{}", e[0]);
    }

    #[test]
    fn unknown_pattern_field_is_rejected() {
        let json = minimal().to_json().replace("\"rate_per_s\"", "\"rate\"");
        assert!(Scenario::from_json(&json).is_err());
    }

    #[test]
    fn sqs_rules() {
        let mut s = minimal();
        s.sources[0].kind = SourceKind::Sqs;
        s.function.timeout_s = 60.0;
        // The default visibility timeout (30 s) is below the 60 s timeout.
        let e = s.validate().unwrap_err();
        assert!(e[0].path.ends_with("visibility_timeout_s"), "{:?}", e);
        s.sources[0].sqs = Some(SqsConfig {
            visibility_timeout_s: 360.0,
            batch_size: 100,
            ..SqsConfig::default()
        });
        let e = s.validate().unwrap_err();
        assert!(e[0].path.ends_with("batching_window_s"), "{:?}", e);
        s.sources[0].kind = SourceKind::Api;
        assert!(s
            .validate()
            .unwrap_err()
            .iter()
            .any(|e| e.path == "sources[0].sqs"));
    }

    #[test]
    fn run_time_is_bounded() {
        let mut s = minimal();
        s.duration_s = d::MAX_DURATION_S;
        s.sources[0].pattern = Pattern::Poisson {
            rate_per_s: d::MAX_RATE_PER_S,
        };
        let e = s.validate().unwrap_err();
        assert!(
            e.iter()
                .any(|e| e.path == "sources" && e.message.contains("engine maximum")),
            "{e:?}"
        );
    }

    #[test]
    fn csv_counts() {
        assert_eq!(
            Pattern::trace_counts(&[], "second,count\n0,3\n2,5\n").unwrap(),
            vec![3, 0, 5]
        );
        assert_eq!(
            Pattern::trace_counts(&[], "1 2 3\n4").unwrap(),
            vec![1, 2, 3, 4]
        );
        assert!(Pattern::trace_counts(&[], "1\nx").is_err());
    }

    #[test]
    fn cpu_factor() {
        let mut f = Function {
            memory_mb: 1_769 * 2,
            cpu_bound_share: 1.0,
            ..Function::default()
        };
        assert!((f.duration_factor() - 0.5).abs() < 1e-9);
        f.cpu_bound_share = 0.0;
        assert_eq!(f.duration_factor(), 1.0);
    }

    #[test]
    fn ec2_section_is_validated_and_a_deployment_is_required() {
        let mut s = minimal();
        s.lambda = false;
        let e = s.validate().unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].path, "lambda");
        s.ec2 = Some(Ec2Config::default());
        s.validate().unwrap();
        s.ec2 = Some(Ec2Config {
            instances: 0,
            ..Ec2Config::default()
        });
        let e = s.validate().unwrap_err();
        assert_eq!(e[0].path, "ec2.instances");
        // Both deployments; round trip keeps the ec2 section and omits `lambda: true`.
        s.lambda = true;
        s.ec2 = Some(Ec2Config::default());
        let json = s.to_json();
        assert!(
            json.contains("\"ec2\"") && !json.contains("\"lambda\""),
            "{json}"
        );
        assert_eq!(Scenario::from_json(&json).unwrap(), s);
    }

    #[test]
    fn sqs_visibility_rule_is_lambda_only() {
        let mut s = minimal();
        s.sources[0].kind = SourceKind::Sqs;
        s.function.timeout_s = 60.0;
        assert!(s.validate().is_err());
        s.lambda = false;
        s.ec2 = Some(Ec2Config::default());
        s.validate().unwrap();
    }
}
