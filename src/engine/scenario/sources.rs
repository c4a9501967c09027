//! The `sources` section of a scenario: who invokes the function (an API,
//! S3 notifications, an SQS queue, a schedule), when requests arrive (the
//! patterns), the SQS queue and its event source mapping, and the
//! validation of each source.

use super::problems::Problems;
use crate::engine::defaults as d;
use serde::{Deserialize, Serialize};

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
    /// Payload of each request or message \[KB\] (1 KB = 1,024 bytes).
    #[serde(default = "default_payload_kb")]
    pub payload_kb: f64,
    /// Queue and event source mapping settings (only for `kind: "sqs"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sqs: Option<SqsConfig>,
    /// The API Gateway in front of the function (only for `kind: "api"`);
    /// none = an HTTP API with its 30 s integration timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<ApiConfig>,
}

impl Source {
    /// The API Gateway settings of an `api` source (the defaults when
    /// none are given); `None` for other kinds.
    pub fn api_config(&self) -> Option<ApiConfig> {
        (self.kind == SourceKind::Api).then(|| self.api.unwrap_or_default())
    }
}

/// Which kind of API Gateway API fronts an `api` source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiType {
    /// An HTTP API: $1.00 per million requests, integration timeout at most
    /// 30 s (not adjustable). The default: the cheaper type AWS recommends
    /// for a Lambda proxy, and the price Fanout always charged.
    #[default]
    Http,
    /// A REST API: $3.50 per million requests, integration timeout 29 s by
    /// default (raised up to 300 s for Regional and private APIs by a quota
    /// increase).
    Rest,
}

impl ApiType {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiType::Http => "http",
            ApiType::Rest => "rest",
        }
    }

    /// The integration timeout when none is given \[s\].
    pub fn default_timeout_s(self) -> f64 {
        match self {
            ApiType::Http => d::API_HTTP_TIMEOUT_MAX_S,
            ApiType::Rest => d::API_REST_TIMEOUT_DEFAULT_S,
        }
    }

    /// The longest integration timeout allowed \[s\].
    pub fn max_timeout_s(self) -> f64 {
        match self {
            ApiType::Http => d::API_HTTP_TIMEOUT_MAX_S,
            ApiType::Rest => d::API_REST_TIMEOUT_MAX_S,
        }
    }
}

/// The API Gateway API of an `api` source: its type (which sets the price
/// and the timeout range) and its integration timeout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    /// `http` (default) or `rest`.
    #[serde(default, rename = "type")]
    pub api_type: ApiType,
    /// How long API Gateway waits for the function before it answers the
    /// client 504 \[s\] (0.05–30 for `http`, 0.05–300 for `rest`; none =
    /// 30 for `http`, 29 for `rest`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_timeout_s: Option<f64>,
}

impl ApiConfig {
    /// The integration timeout in force \[s\].
    pub fn timeout_s(&self) -> f64 {
        self.integration_timeout_s
            .unwrap_or_else(|| self.api_type.default_timeout_s())
    }
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
    /// How many requests \[requests\].
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
        /// Length of one cycle \[h\].
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
        /// Period \[s\].
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
        /// Requests in second 0, 1, 2 ... \[requests\].
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
    /// Most messages per batch \[messages\] (1–10,000).
    pub batch_size: u32,
    /// Longest wait to fill a batch \[s\] (0–300; 0 = send what is there).
    pub batching_window_s: f64,
    /// Mapping's `MaximumConcurrency` [concurrent batches] (2–1,000; none = 1,000).
    pub maximum_concurrency: Option<u32>,
    /// Queue's visibility timeout \[s\] (0–43,200; at least the function timeout).
    pub visibility_timeout_s: f64,
    /// Redrive policy's `maxReceiveCount`: after this many receives a failing
    /// message goes to the dead-letter queue \[receives\]; none = no DLQ.
    pub max_receive_count: Option<u32>,
    /// Message retention \[s\] (60–1,209,600).
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

// ------------------------------------------------------------ validation

/// Every problem of source `i` (path `sources[i]`); `dur` is the run's
/// length [s], `lambda_timeout_s` the function's timeout when the Lambda
/// function is deployed (its event source mapping's visibility rule).
pub(super) fn validate_source(
    p: &mut Problems,
    i: usize,
    s: &Source,
    dur: f64,
    lambda_timeout_s: Option<f64>,
) {
    let src = format!("sources[{i}]");
    let max_kb = match s.kind {
        SourceKind::Api => d::SYNC_PAYLOAD_MAX_KB,
        SourceKind::S3 => d::ASYNC_PAYLOAD_MAX_KB,
        SourceKind::Sqs => d::SQS_PAYLOAD_MAX_KB,
        SourceKind::Schedule => d::SCHEDULE_PAYLOAD_MAX_KB,
    };
    p.bounds(
        &format!("{src}.payload_kb"),
        s.payload_kb,
        0.0,
        f64::from(max_kb),
        "allowed",
        &format!("{} payload", s.kind.as_str()),
    );
    validate_pattern(p, &format!("{src}.pattern"), &s.pattern, dur);
    match (&s.sqs, s.kind) {
        (Some(_), k) if k != SourceKind::Sqs => {
            p.push(
                format!("{src}.sqs"),
                "{...}",
                format!(
                    "is only allowed on a source of kind \"sqs\", not \"{}\"",
                    k.as_str()
                ),
            );
        }
        (Some(q), _) => validate_sqs(p, &format!("{src}.sqs"), q, lambda_timeout_s),
        (None, SourceKind::Sqs) => validate_sqs(
            p,
            &format!("{src}.sqs"),
            &SqsConfig::default(),
            lambda_timeout_s,
        ),
        _ => {}
    }
    validate_api(p, &src, s);
}

/// Every problem of a source's `api` section at path `src`.
fn validate_api(p: &mut Problems, src: &str, s: &Source) {
    let Some(api) = &s.api else { return };
    if s.kind != SourceKind::Api {
        p.push(
            format!("{src}.api"),
            "{...}",
            format!(
                "is only allowed on a source of kind \"api\", not \"{}\"",
                s.kind.as_str()
            ),
        );
        return;
    }
    if let Some(t) = api.integration_timeout_s {
        p.bounds(
            &format!("{src}.api.integration_timeout_s"),
            t,
            d::API_TIMEOUT_MIN_S,
            api.api_type.max_timeout_s(),
            "API Gateway",
            &format!("API Gateway {} API", api.api_type.as_str().to_uppercase()),
        );
    }
}

/// Every problem of a pattern at path `at`.
fn validate_pattern(p: &mut Problems, at: &str, pattern: &Pattern, dur: f64) {
    match pattern {
        Pattern::Constant { rate_per_s } | Pattern::Poisson { rate_per_s } => {
            p.rate(&format!("{at}.rate_per_s"), *rate_per_s)
        }
        Pattern::DailyCycle {
            low_per_s,
            high_per_s,
            peak_hour,
            period_h,
        } => validate_daily_cycle(p, at, *low_per_s, *high_per_s, *peak_hour, *period_h),
        Pattern::Steps { steps, .. } => validate_steps(p, at, steps),
        Pattern::Bursts { bursts } => validate_bursts(p, at, bursts, dur),
        Pattern::Every {
            interval_s,
            start_s,
        } => {
            p.bounds(
                &format!("{at}.interval_s"),
                *interval_s,
                0.001,
                d::MAX_DURATION_S,
                "engine",
                "engine",
            );
            p.bounds(
                &format!("{at}.start_s"),
                *start_s,
                0.0,
                d::MAX_DURATION_S,
                "allowed",
                "engine",
            );
        }
        Pattern::TraceTimes { times_s } => validate_trace_times(p, at, times_s, dur),
        Pattern::TraceCounts { counts_per_s, csv } => {
            validate_trace_counts(p, at, counts_per_s, csv)
        }
    }
}

fn validate_daily_cycle(
    p: &mut Problems,
    at: &str,
    low_per_s: f64,
    high_per_s: f64,
    peak_hour: f64,
    period_h: f64,
) {
    p.rate(&format!("{at}.low_per_s"), low_per_s);
    p.rate(&format!("{at}.high_per_s"), high_per_s);
    if high_per_s < low_per_s {
        p.push(
            format!("{at}.high_per_s"),
            high_per_s,
            format!("must not be below low_per_s ({low_per_s})"),
        );
    }
    p.bounds(
        &format!("{at}.period_h"),
        period_h,
        0.01,
        8_760.0,
        "allowed",
        "allowed",
    );
    p.bounds(
        &format!("{at}.peak_hour"),
        peak_hour,
        0.0,
        period_h.max(0.01),
        "allowed",
        "period_h",
    );
}

/// A list longer than the engine keeps: one problem naming its length.
fn too_many_entries(p: &mut Problems, field: String, len: usize) {
    if len > d::MAX_SCHEDULE_ENTRIES {
        p.push(
            field,
            len,
            format!(
                "entries is above the engine maximum of {}",
                d::MAX_SCHEDULE_ENTRIES
            ),
        );
    }
}

fn validate_steps(p: &mut Problems, at: &str, steps: &[RateStep]) {
    if steps.is_empty() {
        p.push(format!("{at}.steps"), "[]", "must have at least one step");
    }
    too_many_entries(p, format!("{at}.steps"), steps.len());
    for (k, st) in steps.iter().enumerate().take(d::MAX_SCHEDULE_ENTRIES) {
        p.rate(&format!("{at}.steps[{k}].rate_per_s"), st.rate_per_s);
    }
    p.times(
        &format!("{at}.steps"),
        "at_s",
        steps.iter().take(d::MAX_SCHEDULE_ENTRIES).map(|s| s.at_s),
        f64::INFINITY,
    );
}

fn validate_bursts(p: &mut Problems, at: &str, bursts: &[Burst], dur: f64) {
    too_many_entries(p, format!("{at}.bursts"), bursts.len());
    for (k, b) in bursts.iter().enumerate().take(d::MAX_SCHEDULE_ENTRIES) {
        if b.count > d::MAX_BURST_COUNT {
            p.push(
                format!("{at}.bursts[{k}].count"),
                b.count,
                format!("is above the engine maximum of {}", d::MAX_BURST_COUNT),
            );
        }
    }
    p.times(
        &format!("{at}.bursts"),
        "at_s",
        bursts.iter().take(d::MAX_SCHEDULE_ENTRIES).map(|b| b.at_s),
        dur,
    );
}

fn validate_trace_times(p: &mut Problems, at: &str, times_s: &[f64], dur: f64) {
    if times_s.len() > d::MAX_TRACE_LEN {
        p.push(
            format!("{at}.times_s"),
            format!("{} entries", times_s.len()),
            format!("is above the engine maximum of {}", d::MAX_TRACE_LEN),
        );
        return;
    }
    let before = p.len();
    p.times(&format!("{at}.times_s"), "", times_s.iter().copied(), dur);
    // One bad trace should not print a million lines.
    if p.len() > before + 10 {
        let n = p.len() - before - 10;
        p.truncate(before + 10);
        p.push(
            format!("{at}.times_s"),
            format!("{n} more"),
            "entries have the same kind of problem",
        );
    }
}

fn validate_trace_counts(p: &mut Problems, at: &str, counts_per_s: &[u64], csv: &str) {
    let counts = match Pattern::trace_counts(counts_per_s, csv) {
        Err(e) => return p.push(format!("{at}.csv"), "", e),
        Ok(counts) => counts,
    };
    if counts.is_empty() {
        p.push(
            format!("{at}.counts_per_s"),
            "[]",
            "must have at least one count (or give csv)",
        );
    }
    if counts.len() > d::MAX_TRACE_LEN {
        p.push(
            format!("{at}.counts_per_s"),
            format!("{} entries", counts.len()),
            format!("is above the engine maximum of {}", d::MAX_TRACE_LEN),
        );
    }
    if let Some((k, n)) = counts
        .iter()
        .enumerate()
        .find(|(_, &n)| n as f64 > d::MAX_RATE_PER_S)
    {
        p.push(
            format!("{at}.counts_per_s[{k}]"),
            n,
            format!(
                "is above the engine maximum of {} per second",
                d::MAX_RATE_PER_S
            ),
        );
    }
}

/// Every problem of an SQS source's queue and mapping at path `src`.
fn validate_sqs(p: &mut Problems, src: &str, q: &SqsConfig, lambda_timeout_s: Option<f64>) {
    if q.batch_size < 1 || q.batch_size > d::SQS_BATCH_SIZE_MAX {
        p.push(
            format!("{src}.batch_size"),
            q.batch_size,
            format!("is outside the SQS range of 1 to {}", d::SQS_BATCH_SIZE_MAX),
        );
    }
    p.bounds(
        &format!("{src}.batching_window_s"),
        q.batching_window_s,
        0.0,
        d::SQS_BATCHING_WINDOW_MAX_S,
        "allowed",
        "Lambda",
    );
    if q.batch_size > 10 && q.batching_window_s < 1.0 {
        p.push(
            format!("{src}.batching_window_s"),
            q.batching_window_s,
            "must be at least 1 when batch_size is above 10 (Lambda rule)",
        );
    }
    if let Some(m) = q.maximum_concurrency {
        if !(d::SQS_MAX_CONCURRENCY_MIN..=d::SQS_MAX_BATCHES).contains(&m) {
            p.push(
                format!("{src}.maximum_concurrency"),
                m,
                format!(
                    "is outside the Lambda range of {} to {}",
                    d::SQS_MAX_CONCURRENCY_MIN,
                    d::SQS_MAX_BATCHES
                ),
            );
        }
    }
    p.bounds(
        &format!("{src}.visibility_timeout_s"),
        q.visibility_timeout_s,
        d::MIN_VISIBILITY_TIMEOUT_S,
        d::SQS_VISIBILITY_MAX_S,
        "engine",
        "SQS",
    );
    // The rule of the Lambda event source mapping; EC2 workers have none.
    let timeout_s = lambda_timeout_s.unwrap_or(f64::NEG_INFINITY);
    if q.visibility_timeout_s.is_finite() && q.visibility_timeout_s < timeout_s {
        p.push(
            format!("{src}.visibility_timeout_s"),
            q.visibility_timeout_s,
            format!(
                "is below the function timeout ({} s); Lambda refuses such a mapping",
                timeout_s
            ),
        );
    }
    if let Some(m) = q.max_receive_count {
        if !(1..=d::SQS_MAX_RECEIVE_COUNT_MAX).contains(&m) {
            p.push(
                format!("{src}.max_receive_count"),
                m,
                format!(
                    "is outside the SQS range of 1 to {}",
                    d::SQS_MAX_RECEIVE_COUNT_MAX
                ),
            );
        }
    }
    p.bounds(
        &format!("{src}.retention_s"),
        q.retention_s,
        d::SQS_RETENTION_MIN_S,
        d::SQS_RETENTION_MAX_S,
        "SQS",
        "SQS",
    );
}

/// `true`, for serde defaults.
pub(super) fn yes() -> bool {
    true
}
