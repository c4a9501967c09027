//! The scenario: what the simulator runs, as versioned JSON, and its
//! validation with every problem named by field path, value and allowed range.
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

use super::billing::pricing::Pricing;
use super::billing::Architecture;
use super::defaults as d;
use super::dist::Distribution;
use super::ec2::config::Ec2Config;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The scenario format this engine reads.
pub const SCENARIO_VERSION: u32 = 1;

/// One problem with a scenario: where, what value, and what is allowed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScenarioError {
    /// Field path, e.g. `sources[2].pattern.rate_per_s` (or `line 3, column 7`
    /// for a JSON syntax error).
    pub path: String,
    /// The offending value as written, if there is one.
    pub value: Option<String>,
    /// What is wrong, in plain English (e.g. `is above the Lambda maximum of 900`).
    pub message: String,
}

impl ScenarioError {
    fn new(path: impl Into<String>, value: impl fmt::Display, message: impl Into<String>) -> Self {
        ScenarioError {
            path: path.into(),
            value: Some(value.to_string()),
            message: message.into(),
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(v) => write!(f, "{}: {} {}", self.path, v, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for ScenarioError {}

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
    /// Simulated time during which sources send [s].
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

/// How a source invokes the function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// API request: synchronous; the caller waits; a throttle is an HTTP 429.
    Api,
    /// S3 object upload notification: asynchronous (Lambda's internal queue).
    S3,
    /// SQS queue read by an event source mapping (pollers, batches).
    Sqs,
    /// EventBridge scheduled rule: asynchronous.
    Schedule,
}

impl SourceKind {
    /// Lambda's invocation type for this kind.
    pub fn is_async(self) -> bool {
        matches!(self, SourceKind::S3 | SourceKind::Schedule)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Api => "api",
            SourceKind::S3 => "s3",
            SourceKind::Sqs => "sqs",
            SourceKind::Schedule => "schedule",
        }
    }
}

/// One event source: a kind, an arrival pattern and a payload size.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Invocation type.
    pub kind: SourceKind,
    /// When requests (or messages) arrive.
    pub pattern: Pattern,
    /// Payload of each request or message [KB] (1 KB = 1,024 bytes).
    #[serde(default = "default_payload_kb")]
    pub payload_kb: f64,
    /// Queue and event source mapping settings (only for `kind: "sqs"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sqs: Option<SqsConfig>,
}

fn default_payload_kb() -> f64 {
    1.0
}

/// One step of a piecewise-constant rate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateStep {
    /// From this time on [s since start].
    pub at_s: f64,
    /// Arrival rate [requests/s].
    pub rate_per_s: f64,
}

/// Requests all arriving at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Burst {
    /// When [s since start].
    pub at_s: f64,
    /// How many requests [requests].
    pub count: u64,
}

/// When a source's requests arrive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Pattern {
    /// Evenly spaced at a constant rate.
    Constant {
        /// Rate [requests/s].
        rate_per_s: f64,
    },
    /// A Poisson process (exponential gaps).
    Poisson {
        /// Mean rate [requests/s].
        rate_per_s: f64,
    },
    /// A Poisson process whose rate follows a sinusoid between `low_per_s`
    /// and `high_per_s`, highest at `peak_hour`.
    DailyCycle {
        /// Lowest rate [requests/s].
        low_per_s: f64,
        /// Highest rate [requests/s].
        high_per_s: f64,
        /// Hour of the peak within the period [h since start].
        #[serde(default = "default_peak_hour")]
        peak_hour: f64,
        /// Length of one cycle [h].
        #[serde(default = "default_period_h")]
        period_h: f64,
    },
    /// Piecewise-constant rates (a step or a spike); zero before the first step.
    Steps {
        /// The steps, in time order.
        steps: Vec<RateStep>,
        /// Poisson arrivals within each step (else evenly spaced).
        #[serde(default = "yes")]
        poisson: bool,
    },
    /// N requests at once at given times.
    Bursts {
        /// The bursts, in time order.
        bursts: Vec<Burst>,
    },
    /// Every `interval_s` from `start_s` (an EventBridge schedule).
    Every {
        /// Period [s].
        interval_s: f64,
        /// First firing [s since start].
        #[serde(default)]
        start_s: f64,
    },
    /// Replay of recorded arrival instants.
    TraceTimes {
        /// Arrival instants, in order [s since start].
        times_s: Vec<f64>,
    },
    /// Replay of per-second arrival counts, spread evenly within each second.
    TraceCounts {
        /// Requests in second 0, 1, 2 ... [requests].
        #[serde(default)]
        counts_per_s: Vec<u64>,
        /// The same as CSV text: counts separated by commas, spaces or new
        /// lines, or `second,count` lines; a non-numeric header line is
        /// skipped. Used when `counts_per_s` is empty.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        csv: String,
    },
}

fn default_peak_hour() -> f64 {
    14.0
}
fn default_period_h() -> f64 {
    24.0
}
fn yes() -> bool {
    true
}

impl Pattern {
    /// The per-second counts of a `trace_counts` pattern (from the array or the CSV).
    pub fn trace_counts(counts_per_s: &[u64], csv: &str) -> Result<Vec<u64>, String> {
        if !counts_per_s.is_empty() || csv.trim().is_empty() {
            return Ok(counts_per_s.to_vec());
        }
        let mut rows: Vec<Vec<u64>> = Vec::new();
        for (i, line) in csv.lines().enumerate() {
            let fields: Vec<&str> = line
                .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
                .filter(|f| !f.is_empty())
                .collect();
            if fields.is_empty() {
                continue;
            }
            match fields
                .iter()
                .map(|f| f.parse::<u64>())
                .collect::<Result<Vec<u64>, _>>()
            {
                Ok(v) => rows.push(v),
                Err(_) if rows.is_empty() && i == 0 => continue,
                Err(_) => return Err(format!("line {} is not a list of whole numbers", i + 1)),
            }
            if rows.len() > d::MAX_TRACE_LEN {
                return Err(format!("has more than {} lines", d::MAX_TRACE_LEN));
            }
        }
        // `second,count` pairs when every line has two fields.
        if rows.len() > 1 && rows.iter().all(|r| r.len() == 2) {
            let last = rows.iter().map(|r| r[0]).max().unwrap_or(0);
            if last >= d::MAX_TRACE_LEN as u64 {
                return Err(format!(
                    "second {last} is beyond the engine maximum of {}",
                    d::MAX_TRACE_LEN
                ));
            }
            let mut out = vec![0u64; last as usize + 1];
            for r in rows {
                out[r[0] as usize] = out[r[0] as usize].saturating_add(r[1]);
            }
            return Ok(out);
        }
        Ok(rows.into_iter().flatten().collect())
    }

    /// An upper estimate of the arrivals during `duration_s` (for the bound
    /// on run time).
    pub fn max_arrivals(&self, duration_s: f64) -> f64 {
        match self {
            Pattern::Constant { rate_per_s } | Pattern::Poisson { rate_per_s } => {
                rate_per_s * duration_s * 1.1 + 10.0
            }
            Pattern::DailyCycle { high_per_s, .. } => high_per_s * duration_s * 1.1 + 10.0,
            Pattern::Steps { steps, .. } => {
                let top = steps.iter().map(|s| s.rate_per_s).fold(0.0, f64::max);
                top * duration_s * 1.1 + 10.0
            }
            Pattern::Bursts { bursts } => bursts.iter().map(|b| b.count as f64).sum(),
            Pattern::Every { interval_s, .. } => duration_s / interval_s.max(1e-9) + 1.0,
            Pattern::TraceTimes { times_s } => times_s.len() as f64,
            Pattern::TraceCounts { counts_per_s, csv } => Pattern::trace_counts(counts_per_s, csv)
                .map(|c| c.iter().map(|&n| n as f64).sum())
                .unwrap_or(0.0),
        }
    }
}

/// An SQS queue with its Lambda event source mapping.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SqsConfig {
    /// Most messages per batch [messages] (1–10,000).
    pub batch_size: u32,
    /// Longest wait to fill a batch [s] (0–300; 0 = send what is there).
    pub batching_window_s: f64,
    /// Mapping's `MaximumConcurrency` [concurrent batches] (2–1,000; none = 1,000).
    pub maximum_concurrency: Option<u32>,
    /// Queue's visibility timeout [s] (0–43,200; at least the function timeout).
    pub visibility_timeout_s: f64,
    /// Redrive policy's `maxReceiveCount`: after this many receives a failing
    /// message goes to the dead-letter queue [receives]; none = no DLQ.
    pub max_receive_count: Option<u32>,
    /// Message retention [s] (60–1,209,600).
    pub retention_s: f64,
}

impl Default for SqsConfig {
    fn default() -> Self {
        SqsConfig {
            batch_size: d::SQS_BATCH_SIZE_DEFAULT,
            batching_window_s: 0.0,
            maximum_concurrency: None,
            visibility_timeout_s: d::SQS_VISIBILITY_DEFAULT_S,
            max_receive_count: None,
            retention_s: d::SQS_RETENTION_DEFAULT_S,
        }
    }
}

/// One level of a provisioned-concurrency schedule.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvisionedStep {
    /// From this time on [s since start].
    pub at_s: f64,
    /// Provisioned environments [environments] (0 disables).
    pub level: u32,
}

/// Where async events go when they finally fail.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnFailure {
    /// Discarded.
    #[default]
    Discard,
    /// Sent to an on-failure destination or dead-letter queue (counted).
    Destination,
}

/// The function's asynchronous invocation configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AsyncConfig {
    /// Retries after a function error or timeout [retries] (0–2).
    pub max_retries: u32,
    /// Maximum event age [s] (60–21,600).
    pub max_event_age_s: f64,
    /// Where finally failed events go.
    pub on_failure: OnFailure,
}

impl Default for AsyncConfig {
    fn default() -> Self {
        AsyncConfig {
            max_retries: d::ASYNC_RETRIES_DEFAULT,
            max_event_age_s: d::ASYNC_MAX_EVENT_AGE_DEFAULT_S,
            on_failure: OnFailure::Discard,
        }
    }
}

/// The Lambda function.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Function {
    /// Display name.
    pub name: String,
    /// Memory size [MB] (128–10,240).
    pub memory_mb: u32,
    /// Instruction set (`x86_64` or `arm64`).
    pub architecture: Architecture,
    /// Timeout [s] (1–900); a longer invocation is killed.
    pub timeout_s: f64,
    /// Handler duration at `duration_measured_at_mb`.
    pub duration: Distribution,
    /// Handler duration of an invocation that cold-started, if different
    /// (SimFaaS's "cold service time"); none = `duration`.
    pub cold_duration: Option<Distribution>,
    /// Share of the handler duration that is CPU-bound and shrinks as memory
    /// (hence CPU) grows [0–1].
    pub cpu_bound_share: f64,
    /// Memory size at which `duration` was measured [MB].
    pub duration_measured_at_mb: u32,
    /// Probability that an invocation returns an error [0–1].
    pub error_rate: f64,
    /// INIT (cold start) duration; above 10 s the INIT times out.
    pub init_duration: Distribution,
    /// How long an idle environment stays warm after its last request [s].
    /// ASSUMPTION: AWS does not document it.
    pub keep_alive_s: f64,
    /// Reserved concurrency [concurrent executions]; none = unreserved.
    pub reserved_concurrency: Option<u32>,
    /// Provisioned concurrency levels over time.
    pub provisioned: Vec<ProvisionedStep>,
    /// Ephemeral storage [MB] (512–10,240).
    pub ephemeral_storage_mb: u32,
    /// Asynchronous invocation settings (S3 and schedule sources).
    #[serde(rename = "async")]
    pub async_config: AsyncConfig,
}

impl Default for Function {
    fn default() -> Self {
        Function {
            name: String::new(),
            memory_mb: d::MEMORY_DEFAULT_MB,
            architecture: Architecture::default(),
            timeout_s: d::TIMEOUT_DEFAULT_S,
            duration: Distribution::default(),
            cold_duration: None,
            cpu_bound_share: 0.0,
            duration_measured_at_mb: d::MB_PER_VCPU,
            error_rate: 0.0,
            init_duration: Distribution::Fixed { ms: 250.0 },
            keep_alive_s: d::KEEP_ALIVE_DEFAULT_S,
            reserved_concurrency: None,
            provisioned: Vec::new(),
            ephemeral_storage_mb: d::EPHEMERAL_MIN_MB,
            async_config: AsyncConfig::default(),
        }
    }
}

impl Function {
    /// vCPUs at `mb` of memory (1 per 1,769 MB, at most 6).
    pub fn vcpu(mb: u32) -> f64 {
        (f64::from(mb) / f64::from(d::MB_PER_VCPU)).min(d::MAX_VCPU)
    }

    /// Factor on drawn handler durations for the configured memory.
    pub fn duration_factor(&self) -> f64 {
        let speedup = Function::vcpu(self.duration_measured_at_mb) / Function::vcpu(self.memory_mb);
        (1.0 - self.cpu_bound_share) + self.cpu_bound_share * speedup
    }
}

/// How fast a function may add execution environments.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScalingModel {
    /// Since Nov 2023: 1,000 new environments per 10 s per function.
    #[default]
    Current,
    /// Before Nov 2023: a Regional initial burst, then +500 per minute.
    Legacy {
        /// Initial burst [environments]: 3,000, 1,000 or 500 by Region.
        #[serde(default = "default_burst")]
        initial_burst: u32,
    },
    /// No scaling-rate limit (for comparison with peer models such as SimFaaS).
    Unlimited,
}

fn default_burst() -> u32 {
    d::LEGACY_BURST_LARGE
}

/// The account (Region) settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Account {
    /// Concurrency limit of the Region [concurrent executions].
    pub concurrency_limit: u32,
    /// Scaling model.
    pub scaling: ScalingModel,
}

impl Default for Account {
    fn default() -> Self {
        Account {
            concurrency_limit: d::ACCOUNT_CONCURRENCY_DEFAULT,
            scaling: ScalingModel::Current,
        }
    }
}

/// Collects problems while walking a scenario.
struct Checker {
    errors: Vec<ScenarioError>,
}

impl Checker {
    fn push(&mut self, path: impl Into<String>, value: impl fmt::Display, msg: impl Into<String>) {
        self.errors.push(ScenarioError::new(path, value, msg));
    }

    /// `v` must be finite and within [lo, hi]; `what` names the authority of
    /// the bounds ("the Lambda", "the engine").
    fn range(&mut self, path: &str, v: f64, lo: f64, hi: f64, lo_what: &str, hi_what: &str) {
        if !v.is_finite() {
            self.push(path, v, "is not a finite number");
        } else if v < lo {
            self.push(path, v, format!("is below the {lo_what} minimum of {lo}"));
        } else if v > hi {
            self.push(path, v, format!("is above the {hi_what} maximum of {hi}"));
        }
    }

    fn rate(&mut self, path: &str, v: f64) {
        self.range(path, v, 0.0, d::MAX_RATE_PER_S, "allowed", "engine");
    }

    fn dist(&mut self, path: &str, dist: &Distribution) {
        for (field, v, msg) in dist.problems() {
            self.push(format!("{path}.{field}"), v, msg);
        }
    }

    /// Times must be within the run and not go backwards.
    fn times(&mut self, path: &str, field: &str, times: impl Iterator<Item = f64>, max: f64) {
        let mut last = f64::NEG_INFINITY;
        for (i, t) in times.enumerate() {
            let p = format!("{path}[{i}].{field}");
            let p = p.trim_end_matches('.');
            if !t.is_finite() || t < 0.0 {
                self.push(p, t, "must be a time at or after 0");
            } else if t > max {
                self.push(p, t, format!("is after the end of the run ({max} s)"));
            } else if t < last {
                self.push(
                    p,
                    t,
                    format!("is before the previous entry ({last}); keep them in time order"),
                );
            }
            if t.is_finite() {
                last = last.max(t);
            }
        }
    }
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
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
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
        let mut c = Checker { errors: Vec::new() };
        if self.version != SCENARIO_VERSION {
            c.push(
                "version",
                self.version,
                format!("is not supported; this engine reads version {SCENARIO_VERSION}"),
            );
        }
        c.range(
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

        if self.sources.len() > d::MAX_SOURCES {
            c.push(
                "sources",
                self.sources.len(),
                format!("sources is above the engine maximum of {}", d::MAX_SOURCES),
            );
        }
        let mut arrivals = 0.0;
        for (i, s) in self.sources.iter().enumerate() {
            self.validate_source(&mut c, i, s, dur);
            arrivals += s.pattern.max_arrivals(dur);
        }
        if arrivals > d::MAX_TOTAL_ARRIVALS {
            c.push(
                "sources",
                format!("{arrivals:.3e} arrivals"),
                format!("is above the engine maximum of {:.0e} per run; shorten duration_s or lower the rates", d::MAX_TOTAL_ARRIVALS),
            );
        }
        self.validate_function(&mut c);
        self.validate_account(&mut c);
        match &self.ec2 {
            Some(e) => c.errors.extend(e.validate("ec2", true)),
            None if !self.lambda => c.push(
                "lambda",
                false,
                "leaves the scenario with no deployment: add an ec2 section or set lambda to true",
            ),
            None => {}
        }
        c.errors.extend(self.pricing.validate("pricing"));
        if c.errors.is_empty() {
            Ok(())
        } else {
            Err(c.errors)
        }
    }

    fn validate_source(&self, c: &mut Checker, i: usize, s: &Source, dur: f64) {
        let p = format!("sources[{i}]");
        let max_kb = match s.kind {
            SourceKind::Api => d::SYNC_PAYLOAD_MAX_KB,
            SourceKind::S3 => d::ASYNC_PAYLOAD_MAX_KB,
            SourceKind::Sqs => d::SQS_PAYLOAD_MAX_KB,
            SourceKind::Schedule => d::SCHEDULE_PAYLOAD_MAX_KB,
        };
        c.range(
            &format!("{p}.payload_kb"),
            s.payload_kb,
            0.0,
            f64::from(max_kb),
            "allowed",
            &format!("{} payload", s.kind.as_str()),
        );
        let pp = format!("{p}.pattern");
        match &s.pattern {
            Pattern::Constant { rate_per_s } | Pattern::Poisson { rate_per_s } => {
                c.rate(&format!("{pp}.rate_per_s"), *rate_per_s)
            }
            Pattern::DailyCycle {
                low_per_s,
                high_per_s,
                peak_hour,
                period_h,
            } => {
                c.rate(&format!("{pp}.low_per_s"), *low_per_s);
                c.rate(&format!("{pp}.high_per_s"), *high_per_s);
                if high_per_s < low_per_s {
                    c.push(
                        format!("{pp}.high_per_s"),
                        high_per_s,
                        format!("must not be below low_per_s ({low_per_s})"),
                    );
                }
                c.range(
                    &format!("{pp}.period_h"),
                    *period_h,
                    0.01,
                    8_760.0,
                    "allowed",
                    "allowed",
                );
                c.range(
                    &format!("{pp}.peak_hour"),
                    *peak_hour,
                    0.0,
                    period_h.max(0.01),
                    "allowed",
                    "period_h",
                );
            }
            Pattern::Steps { steps, .. } => {
                if steps.is_empty() {
                    c.push(format!("{pp}.steps"), "[]", "must have at least one step");
                }
                if steps.len() > d::MAX_SCHEDULE_ENTRIES {
                    c.push(
                        format!("{pp}.steps"),
                        steps.len(),
                        format!(
                            "entries is above the engine maximum of {}",
                            d::MAX_SCHEDULE_ENTRIES
                        ),
                    );
                }
                for (k, st) in steps.iter().enumerate().take(d::MAX_SCHEDULE_ENTRIES) {
                    c.rate(&format!("{pp}.steps[{k}].rate_per_s"), st.rate_per_s);
                }
                c.times(
                    &format!("{pp}.steps"),
                    "at_s",
                    steps.iter().take(d::MAX_SCHEDULE_ENTRIES).map(|s| s.at_s),
                    f64::INFINITY,
                );
            }
            Pattern::Bursts { bursts } => {
                if bursts.len() > d::MAX_SCHEDULE_ENTRIES {
                    c.push(
                        format!("{pp}.bursts"),
                        bursts.len(),
                        format!(
                            "entries is above the engine maximum of {}",
                            d::MAX_SCHEDULE_ENTRIES
                        ),
                    );
                }
                for (k, b) in bursts.iter().enumerate().take(d::MAX_SCHEDULE_ENTRIES) {
                    if b.count > d::MAX_BURST_COUNT {
                        c.push(
                            format!("{pp}.bursts[{k}].count"),
                            b.count,
                            format!("is above the engine maximum of {}", d::MAX_BURST_COUNT),
                        );
                    }
                }
                c.times(
                    &format!("{pp}.bursts"),
                    "at_s",
                    bursts.iter().take(d::MAX_SCHEDULE_ENTRIES).map(|b| b.at_s),
                    dur,
                );
            }
            Pattern::Every {
                interval_s,
                start_s,
            } => {
                c.range(
                    &format!("{pp}.interval_s"),
                    *interval_s,
                    0.001,
                    d::MAX_DURATION_S,
                    "engine",
                    "engine",
                );
                c.range(
                    &format!("{pp}.start_s"),
                    *start_s,
                    0.0,
                    d::MAX_DURATION_S,
                    "allowed",
                    "engine",
                );
            }
            Pattern::TraceTimes { times_s } => {
                if times_s.len() > d::MAX_TRACE_LEN {
                    c.push(
                        format!("{pp}.times_s"),
                        format!("{} entries", times_s.len()),
                        format!("is above the engine maximum of {}", d::MAX_TRACE_LEN),
                    );
                } else {
                    let before = c.errors.len();
                    c.times(&format!("{pp}.times_s"), "", times_s.iter().copied(), dur);
                    // One bad trace should not print a million lines.
                    if c.errors.len() > before + 10 {
                        let n = c.errors.len() - before - 10;
                        c.errors.truncate(before + 10);
                        c.push(
                            format!("{pp}.times_s"),
                            format!("{n} more"),
                            "entries have the same kind of problem",
                        );
                    }
                }
            }
            Pattern::TraceCounts { counts_per_s, csv } => {
                match Pattern::trace_counts(counts_per_s, csv) {
                    Err(e) => c.push(format!("{pp}.csv"), "", e),
                    Ok(counts) => {
                        if counts.is_empty() {
                            c.push(
                                format!("{pp}.counts_per_s"),
                                "[]",
                                "must have at least one count (or give csv)",
                            );
                        }
                        if counts.len() > d::MAX_TRACE_LEN {
                            c.push(
                                format!("{pp}.counts_per_s"),
                                format!("{} entries", counts.len()),
                                format!("is above the engine maximum of {}", d::MAX_TRACE_LEN),
                            );
                        }
                        if let Some((k, n)) = counts
                            .iter()
                            .enumerate()
                            .find(|(_, &n)| n as f64 > d::MAX_RATE_PER_S)
                        {
                            c.push(
                                format!("{pp}.counts_per_s[{k}]"),
                                n,
                                format!(
                                    "is above the engine maximum of {} per second",
                                    d::MAX_RATE_PER_S
                                ),
                            );
                        }
                    }
                }
            }
        }
        match (&s.sqs, s.kind) {
            (Some(_), k) if k != SourceKind::Sqs => {
                c.push(
                    format!("{p}.sqs"),
                    "{...}",
                    format!(
                        "is only allowed on a source of kind \"sqs\", not \"{}\"",
                        k.as_str()
                    ),
                );
            }
            (Some(q), _) => self.validate_sqs(c, &format!("{p}.sqs"), q),
            (None, SourceKind::Sqs) => {
                self.validate_sqs(c, &format!("{p}.sqs"), &SqsConfig::default())
            }
            _ => {}
        }
    }

    fn validate_sqs(&self, c: &mut Checker, p: &str, q: &SqsConfig) {
        if q.batch_size < 1 || q.batch_size > d::SQS_BATCH_SIZE_MAX {
            c.push(
                format!("{p}.batch_size"),
                q.batch_size,
                format!("is outside the SQS range of 1 to {}", d::SQS_BATCH_SIZE_MAX),
            );
        }
        c.range(
            &format!("{p}.batching_window_s"),
            q.batching_window_s,
            0.0,
            d::SQS_BATCHING_WINDOW_MAX_S,
            "allowed",
            "Lambda",
        );
        if q.batch_size > 10 && q.batching_window_s < 1.0 {
            c.push(
                format!("{p}.batching_window_s"),
                q.batching_window_s,
                "must be at least 1 when batch_size is above 10 (Lambda rule)",
            );
        }
        if let Some(m) = q.maximum_concurrency {
            if !(d::SQS_MAX_CONCURRENCY_MIN..=d::SQS_MAX_BATCHES).contains(&m) {
                c.push(
                    format!("{p}.maximum_concurrency"),
                    m,
                    format!(
                        "is outside the Lambda range of {} to {}",
                        d::SQS_MAX_CONCURRENCY_MIN,
                        d::SQS_MAX_BATCHES
                    ),
                );
            }
        }
        c.range(
            &format!("{p}.visibility_timeout_s"),
            q.visibility_timeout_s,
            d::MIN_VISIBILITY_TIMEOUT_S,
            d::SQS_VISIBILITY_MAX_S,
            "engine",
            "SQS",
        );
        // The rule of the Lambda event source mapping; EC2 workers have none.
        if self.lambda
            && q.visibility_timeout_s.is_finite()
            && q.visibility_timeout_s < self.function.timeout_s
        {
            c.push(
                format!("{p}.visibility_timeout_s"),
                q.visibility_timeout_s,
                format!(
                    "is below the function timeout ({} s); Lambda refuses such a mapping",
                    self.function.timeout_s
                ),
            );
        }
        if let Some(m) = q.max_receive_count {
            if !(1..=d::SQS_MAX_RECEIVE_COUNT_MAX).contains(&m) {
                c.push(
                    format!("{p}.max_receive_count"),
                    m,
                    format!(
                        "is outside the SQS range of 1 to {}",
                        d::SQS_MAX_RECEIVE_COUNT_MAX
                    ),
                );
            }
        }
        c.range(
            &format!("{p}.retention_s"),
            q.retention_s,
            d::SQS_RETENTION_MIN_S,
            d::SQS_RETENTION_MAX_S,
            "SQS",
            "SQS",
        );
    }

    fn validate_function(&self, c: &mut Checker) {
        let f = &self.function;
        if f.memory_mb < d::MEMORY_MIN_MB {
            c.push(
                "function.memory_mb",
                f.memory_mb,
                format!("is below the Lambda minimum of {}", d::MEMORY_MIN_MB),
            );
        } else if f.memory_mb > d::MEMORY_MAX_MB {
            c.push(
                "function.memory_mb",
                f.memory_mb,
                format!("is above the Lambda maximum of {}", d::MEMORY_MAX_MB),
            );
        }
        c.range(
            "function.timeout_s",
            f.timeout_s,
            d::TIMEOUT_MIN_S,
            d::TIMEOUT_MAX_S,
            "Lambda",
            "Lambda",
        );
        c.dist("function.duration", &f.duration);
        if let Some(cd) = &f.cold_duration {
            c.dist("function.cold_duration", cd);
        }
        c.dist("function.init_duration", &f.init_duration);
        c.range(
            "function.cpu_bound_share",
            f.cpu_bound_share,
            0.0,
            1.0,
            "allowed",
            "allowed",
        );
        if !(d::MEMORY_MIN_MB..=d::MEMORY_MAX_MB).contains(&f.duration_measured_at_mb) {
            c.push(
                "function.duration_measured_at_mb",
                f.duration_measured_at_mb,
                format!(
                    "is outside the Lambda memory range of {} to {}",
                    d::MEMORY_MIN_MB,
                    d::MEMORY_MAX_MB
                ),
            );
        }
        c.range(
            "function.error_rate",
            f.error_rate,
            0.0,
            1.0,
            "allowed",
            "allowed",
        );
        c.range(
            "function.keep_alive_s",
            f.keep_alive_s,
            0.0,
            d::MAX_KEEP_ALIVE_S,
            "allowed",
            "engine",
        );
        if !(d::EPHEMERAL_MIN_MB..=d::EPHEMERAL_MAX_MB).contains(&f.ephemeral_storage_mb) {
            c.push(
                "function.ephemeral_storage_mb",
                f.ephemeral_storage_mb,
                format!(
                    "is outside the Lambda range of {} to {}",
                    d::EPHEMERAL_MIN_MB,
                    d::EPHEMERAL_MAX_MB
                ),
            );
        }
        let a = &f.async_config;
        if a.max_retries > d::ASYNC_RETRIES_MAX {
            c.push(
                "function.async.max_retries",
                a.max_retries,
                format!("is above the Lambda maximum of {}", d::ASYNC_RETRIES_MAX),
            );
        }
        c.range(
            "function.async.max_event_age_s",
            a.max_event_age_s,
            d::ASYNC_MAX_EVENT_AGE_MIN_S,
            d::ASYNC_MAX_EVENT_AGE_DEFAULT_S,
            "Lambda",
            "Lambda",
        );

        let limit = self.account.concurrency_limit;
        let max_reserved = limit.saturating_sub(d::UNRESERVED_MINIMUM);
        if let Some(r) = f.reserved_concurrency {
            if r > max_reserved {
                c.push(
                    "function.reserved_concurrency",
                    r,
                    format!("is above the account limit minus the unreserved minimum ({limit} - {} = {max_reserved})", d::UNRESERVED_MINIMUM),
                );
            }
        }
        if f.provisioned.len() > d::MAX_SCHEDULE_ENTRIES {
            c.push(
                "function.provisioned",
                f.provisioned.len(),
                format!(
                    "entries is above the engine maximum of {}",
                    d::MAX_SCHEDULE_ENTRIES
                ),
            );
        }
        let prov_max = f
            .reserved_concurrency
            .unwrap_or(max_reserved)
            .min(max_reserved);
        for (k, st) in f
            .provisioned
            .iter()
            .enumerate()
            .take(d::MAX_SCHEDULE_ENTRIES)
        {
            if st.level > prov_max {
                let why = if f.reserved_concurrency.is_some() {
                    "the reserved concurrency".to_string()
                } else {
                    format!(
                        "the account limit minus the unreserved minimum ({limit} - {})",
                        d::UNRESERVED_MINIMUM
                    )
                };
                c.push(
                    format!("function.provisioned[{k}].level"),
                    st.level,
                    format!("is above {why}: at most {prov_max}"),
                );
            }
        }
        c.times(
            "function.provisioned",
            "at_s",
            f.provisioned
                .iter()
                .take(d::MAX_SCHEDULE_ENTRIES)
                .map(|s| s.at_s),
            d::MAX_DURATION_S,
        );
    }

    fn validate_account(&self, c: &mut Checker) {
        let a = &self.account;
        if a.concurrency_limit < d::UNRESERVED_MINIMUM {
            c.push(
                "account.concurrency_limit",
                a.concurrency_limit,
                format!("is below the Lambda minimum of {}", d::UNRESERVED_MINIMUM),
            );
        } else if a.concurrency_limit > d::MAX_ACCOUNT_CONCURRENCY {
            c.push(
                "account.concurrency_limit",
                a.concurrency_limit,
                format!(
                    "is above the engine maximum of {}",
                    d::MAX_ACCOUNT_CONCURRENCY
                ),
            );
        }
        if let ScalingModel::Legacy { initial_burst } = a.scaling {
            if ![
                d::LEGACY_BURST_LARGE,
                d::LEGACY_BURST_MEDIUM,
                d::LEGACY_BURST_SMALL,
            ]
            .contains(&initial_burst)
            {
                c.push(
                    "account.scaling.initial_burst",
                    initial_burst,
                    format!(
                        "is not a Regional burst of the legacy model ({}, {} or {})",
                        d::LEGACY_BURST_LARGE,
                        d::LEGACY_BURST_MEDIUM,
                        d::LEGACY_BURST_SMALL
                    ),
                );
            }
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
            let mut sim = crate::engine::sim::Simulation::new(&s).unwrap();
            sim.advance_to(crate::engine::time::SimTime::from_micros(2_000_000));
            let r = sim.report();
            assert_eq!(r.to_json(), serde_json::to_string_pretty(&r).unwrap());
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
