//! The `function` and `account` sections of a scenario: the Lambda
//! function (memory, timeout, duration models, concurrency, async
//! configuration, provisioned concurrency) and the account's concurrency
//! limit and scaling model, with their validation.

use super::problems::Problems;
use crate::engine::billing::Architecture;
use crate::engine::defaults as d;
use crate::engine::dist::Distribution;
use serde::{Deserialize, Serialize};

/// One level of a provisioned-concurrency schedule.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvisionedStep {
    /// From this time on [s since start].
    pub at_s: f64,
    /// Provisioned environments \[environments\] (0 disables).
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
    /// Retries after a function error or timeout \[retries\] (0–2).
    pub max_retries: u32,
    /// Maximum event age \[s\] (60–21,600).
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
    /// Memory size \[MB\] (128–10,240).
    pub memory_mb: u32,
    /// Instruction set (`x86_64` or `arm64`).
    pub architecture: Architecture,
    /// Timeout \[s\] (1–900); a longer invocation is killed.
    pub timeout_s: f64,
    /// Handler duration at `duration_measured_at_mb`.
    pub duration: Distribution,
    /// Handler duration of an invocation that cold-started, if different
    /// (SimFaaS's "cold service time"); none = `duration`.
    pub cold_duration: Option<Distribution>,
    /// Share of the handler duration that is CPU-bound and shrinks as memory
    /// (hence CPU) grows [0–1].
    pub cpu_bound_share: f64,
    /// Memory size at which `duration` was measured \[MB\].
    pub duration_measured_at_mb: u32,
    /// Probability that an invocation returns an error [0–1].
    pub error_rate: f64,
    /// INIT (cold start) duration; above 10 s the INIT times out.
    pub init_duration: Distribution,
    /// How long an idle environment stays warm after its last request \[s\].
    /// ASSUMPTION: AWS does not document it.
    pub keep_alive_s: f64,
    /// Reserved concurrency [concurrent executions]; none = unreserved.
    pub reserved_concurrency: Option<u32>,
    /// Provisioned concurrency levels over time.
    pub provisioned: Vec<ProvisionedStep>,
    /// Ephemeral storage \[MB\] (512–10,240).
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
        /// Initial burst \[environments\]: 3,000, 1,000 or 500 by Region.
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

// ------------------------------------------------------------ validation

/// Every problem of the `function` section; `concurrency_limit` is the
/// account's (reserved and provisioned concurrency must fit under it).
pub(super) fn validate_function(p: &mut Problems, f: &Function, concurrency_limit: u32) {
    validate_sizes(p, f);
    validate_async(p, &f.async_config);
    validate_concurrency(p, f, concurrency_limit);
}

/// Memory, timeout, the duration models and the other per-invocation settings.
fn validate_sizes(p: &mut Problems, f: &Function) {
    if f.memory_mb < d::MEMORY_MIN_MB {
        p.push(
            "function.memory_mb",
            f.memory_mb,
            format!("is below the Lambda minimum of {}", d::MEMORY_MIN_MB),
        );
    } else if f.memory_mb > d::MEMORY_MAX_MB {
        p.push(
            "function.memory_mb",
            f.memory_mb,
            format!("is above the Lambda maximum of {}", d::MEMORY_MAX_MB),
        );
    }
    p.bounds(
        "function.timeout_s",
        f.timeout_s,
        d::TIMEOUT_MIN_S,
        d::TIMEOUT_MAX_S,
        "Lambda",
        "Lambda",
    );
    p.dist("function.duration", &f.duration);
    if let Some(cd) = &f.cold_duration {
        p.dist("function.cold_duration", cd);
    }
    p.dist("function.init_duration", &f.init_duration);
    p.bounds(
        "function.cpu_bound_share",
        f.cpu_bound_share,
        0.0,
        1.0,
        "allowed",
        "allowed",
    );
    if !(d::MEMORY_MIN_MB..=d::MEMORY_MAX_MB).contains(&f.duration_measured_at_mb) {
        p.push(
            "function.duration_measured_at_mb",
            f.duration_measured_at_mb,
            format!(
                "is outside the Lambda memory range of {} to {}",
                d::MEMORY_MIN_MB,
                d::MEMORY_MAX_MB
            ),
        );
    }
    p.bounds(
        "function.error_rate",
        f.error_rate,
        0.0,
        1.0,
        "allowed",
        "allowed",
    );
    p.bounds(
        "function.keep_alive_s",
        f.keep_alive_s,
        0.0,
        d::MAX_KEEP_ALIVE_S,
        "allowed",
        "engine",
    );
    if !(d::EPHEMERAL_MIN_MB..=d::EPHEMERAL_MAX_MB).contains(&f.ephemeral_storage_mb) {
        p.push(
            "function.ephemeral_storage_mb",
            f.ephemeral_storage_mb,
            format!(
                "is outside the Lambda range of {} to {}",
                d::EPHEMERAL_MIN_MB,
                d::EPHEMERAL_MAX_MB
            ),
        );
    }
}

/// The asynchronous invocation configuration.
fn validate_async(p: &mut Problems, a: &AsyncConfig) {
    if a.max_retries > d::ASYNC_RETRIES_MAX {
        p.push(
            "function.async.max_retries",
            a.max_retries,
            format!("is above the Lambda maximum of {}", d::ASYNC_RETRIES_MAX),
        );
    }
    p.bounds(
        "function.async.max_event_age_s",
        a.max_event_age_s,
        d::ASYNC_MAX_EVENT_AGE_MIN_S,
        d::ASYNC_MAX_EVENT_AGE_DEFAULT_S,
        "Lambda",
        "Lambda",
    );
}

/// Reserved concurrency and the provisioned-concurrency schedule.
fn validate_concurrency(p: &mut Problems, f: &Function, limit: u32) {
    let max_reserved = limit.saturating_sub(d::UNRESERVED_MINIMUM);
    if let Some(r) = f.reserved_concurrency {
        if r > max_reserved {
            p.push(
                "function.reserved_concurrency",
                r,
                format!("is above the account limit minus the unreserved minimum ({limit} - {} = {max_reserved})", d::UNRESERVED_MINIMUM),
            );
        }
    }
    if f.provisioned.len() > d::MAX_SCHEDULE_ENTRIES {
        p.push(
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
            p.push(
                format!("function.provisioned[{k}].level"),
                st.level,
                format!("is above {why}: at most {prov_max}"),
            );
        }
    }
    p.times(
        "function.provisioned",
        "at_s",
        f.provisioned
            .iter()
            .take(d::MAX_SCHEDULE_ENTRIES)
            .map(|s| s.at_s),
        d::MAX_DURATION_S,
    );
}

/// Every problem of the `account` section.
pub(super) fn validate_account(p: &mut Problems, a: &Account) {
    if a.concurrency_limit < d::UNRESERVED_MINIMUM {
        p.push(
            "account.concurrency_limit",
            a.concurrency_limit,
            format!("is below the Lambda minimum of {}", d::UNRESERVED_MINIMUM),
        );
    } else if a.concurrency_limit > d::MAX_ACCOUNT_CONCURRENCY {
        p.push(
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
            p.push(
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
