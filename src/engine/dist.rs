//! Duration distributions (handler duration, INIT duration) and the seeded
//! random streams the engine draws from.
//!
//! Every draw goes through `rand_distr` without `std_math` and through
//! `libm`, so a seed gives the same numbers natively and on wasm32.
//!
//! ```
//! use fanout::engine::{rng_stream, Distribution};
//! let d = Distribution::LogNormal { median_ms: 100.0, p99_ms: 400.0 };
//! let s = d.sampler();
//! let mut rng = rng_stream(42, 1, 0);
//! let x = s.sample(&mut rng);
//! assert!(x.as_micros() > 0);
//! ```

use super::time::SimDuration;
use rand::RngExt;
use rand_distr::{Exp1, StandardNormal};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

/// The seeded generator of every random stream.
pub type Rng = Pcg64Mcg;

/// Stream tag: arrivals of one source.
pub const STREAM_ARRIVALS: u64 = 1;
/// Stream tag: service draws (durations, INIT, errors) of the Lambda side.
pub const STREAM_LAMBDA_SERVICE: u64 = 2;
/// Stream tag: service draws (durations, errors) of the EC2 side.
pub const STREAM_EC2_SERVICE: u64 = 3;
/// Stream tag: arrivals of one source after a live traffic change (index:
/// the source and the change's number, see `traffic::ArrivalGen::resumed`).
pub const STREAM_LIVE_ARRIVALS: u64 = 4;

/// SplitMix64: spreads nearby seeds far apart.
fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// An independent random stream for (`seed`, `tag`, `index`): e.g. the
/// arrivals of source 3 are `rng_stream(seed, STREAM_ARRIVALS, 3)`. Streams
/// never share state, so what one platform draws cannot shift another's
/// arrivals.
pub fn rng_stream(seed: u64, tag: u64, index: u64) -> Rng {
    let a = splitmix(seed ^ splitmix(tag.wrapping_mul(0x1000_0000_01B3) ^ index));
    let b = splitmix(a ^ 0xD1B5_4A32_D192_ED03);
    Pcg64Mcg::new((u128::from(a) << 64) | u128::from(b))
}

/// A duration distribution as a scenario spells it. All parameters \[ms\].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Distribution {
    /// Always the same.
    Fixed {
        /// Duration \[ms\].
        ms: f64,
    },
    /// Exponential (memoryless), as in SimFaaS.
    Exponential {
        /// Mean \[ms\].
        mean_ms: f64,
    },
    /// Log-normal given its median and 99th percentile.
    LogNormal {
        /// Median \[ms\].
        median_ms: f64,
        /// 99th percentile \[ms\]; above the median.
        p99_ms: f64,
    },
    /// Uniform between two bounds.
    Uniform {
        /// Lower bound \[ms\].
        min_ms: f64,
        /// Upper bound \[ms\].
        max_ms: f64,
    },
}

impl Default for Distribution {
    fn default() -> Self {
        Distribution::Fixed { ms: 100.0 }
    }
}

/// z of the 99th percentile of the standard normal.
const Z99: f64 = 2.326_347_874_040_840_8;

impl Distribution {
    /// Its mean \[ms\].
    pub fn mean_ms(&self) -> f64 {
        match *self {
            Distribution::Fixed { ms } => ms,
            Distribution::Exponential { mean_ms } => mean_ms,
            Distribution::LogNormal { median_ms, p99_ms } => {
                let sigma = libm::log(p99_ms / median_ms) / Z99;
                median_ms * libm::exp(sigma * sigma / 2.0)
            }
            Distribution::Uniform { min_ms, max_ms } => (min_ms + max_ms) / 2.0,
        }
    }

    /// E\[X²\] \[ms²\], for the variance of summed durations.
    pub fn second_moment_ms2(&self) -> f64 {
        match *self {
            Distribution::Fixed { ms } => ms * ms,
            Distribution::Exponential { mean_ms } => 2.0 * mean_ms * mean_ms,
            Distribution::LogNormal { median_ms, p99_ms } => {
                let sigma = libm::log(p99_ms / median_ms) / Z99;
                median_ms * median_ms * libm::exp(2.0 * sigma * sigma)
            }
            Distribution::Uniform { min_ms, max_ms } => {
                (min_ms * min_ms + min_ms * max_ms + max_ms * max_ms) / 3.0
            }
        }
    }

    /// Problems with its parameters as (field, value, what is wrong), with
    /// field names relative to the distribution.
    pub fn problems(&self) -> Vec<(&'static str, f64, String)> {
        let max = super::defaults::MAX_DIST_MS;
        let mut out = Vec::new();
        let mut check = |name: &'static str, v: f64, positive: bool| {
            if !v.is_finite() {
                out.push((name, v, "is not a finite number".to_string()));
            } else if positive && v <= 0.0 {
                out.push((name, v, "must be above 0".to_string()));
            } else if v < 0.0 {
                out.push((name, v, "must not be negative".to_string()));
            } else if v > max {
                out.push((
                    name,
                    v,
                    format!("is above the engine maximum of {max} (1 day)"),
                ));
            }
        };
        match *self {
            Distribution::Fixed { ms } => check("ms", ms, false),
            Distribution::Exponential { mean_ms } => check("mean_ms", mean_ms, true),
            Distribution::LogNormal { median_ms, p99_ms } => {
                check("median_ms", median_ms, true);
                check("p99_ms", p99_ms, true);
                if median_ms.is_finite() && p99_ms.is_finite() && p99_ms <= median_ms {
                    out.push((
                        "p99_ms",
                        p99_ms,
                        format!("must be above median_ms ({median_ms})"),
                    ));
                }
            }
            Distribution::Uniform { min_ms, max_ms } => {
                check("min_ms", min_ms, false);
                check("max_ms", max_ms, false);
                if min_ms.is_finite() && max_ms.is_finite() && max_ms < min_ms {
                    out.push((
                        "max_ms",
                        max_ms,
                        format!("must not be below min_ms ({min_ms})"),
                    ));
                }
            }
        }
        out
    }

    /// The sampler with its parameters precomputed (call only on a
    /// distribution without problems).
    pub fn sampler(&self) -> Sampler {
        match *self {
            Distribution::Fixed { ms } => Sampler::Fixed(SimDuration::from_secs_f64(ms / 1e3)),
            Distribution::Exponential { mean_ms } => Sampler::Exponential {
                mean_us: mean_ms * 1e3,
            },
            Distribution::LogNormal { median_ms, p99_ms } => Sampler::LogNormal {
                mu: libm::log(median_ms * 1e3),
                sigma: libm::log(p99_ms / median_ms) / Z99,
            },
            Distribution::Uniform { min_ms, max_ms } => Sampler::Uniform {
                min_us: min_ms * 1e3,
                span_us: (max_ms - min_ms) * 1e3,
            },
        }
    }
}

/// A distribution ready to draw from, in microseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sampler {
    Fixed(SimDuration),
    Exponential { mean_us: f64 },
    LogNormal { mu: f64, sigma: f64 },
    Uniform { min_us: f64, span_us: f64 },
}

impl Sampler {
    /// One draw (a fixed distribution draws nothing from `rng`).
    #[inline]
    pub fn sample(&self, rng: &mut Rng) -> SimDuration {
        self.sample_scaled(rng, 1.0)
    }

    /// One draw multiplied by `factor` (the CPU-speed factor of the memory size).
    #[inline]
    pub fn sample_scaled(&self, rng: &mut Rng, factor: f64) -> SimDuration {
        let us = match *self {
            Sampler::Fixed(d) if factor == 1.0 => return d,
            Sampler::Fixed(d) => d.as_micros() as f64,
            Sampler::Exponential { mean_us } => {
                let e: f64 = rng.sample(Exp1);
                e * mean_us
            }
            Sampler::LogNormal { mu, sigma } => lognormal_us(rng, mu, sigma),
            Sampler::Uniform { min_us, span_us } => {
                let u: f64 = rng.random();
                min_us + u * span_us
            }
        };
        // Bit-identical to `from_secs_f64(us * factor / 1e6)`, as drawn before.
        SimDuration::from_micros_f64(us * factor)
    }
}

/// A log-normal draw \[µs\], out of line: the normal draw and `exp` are
/// large, and inlined they would make every other kind's draw pay for
/// their stack frame.
#[inline(never)]
fn lognormal_us(rng: &mut Rng, mu: f64, sigma: f64) -> f64 {
    let z: f64 = rng.sample(StandardNormal);
    libm::exp(mu + sigma * z)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_of(d: &Distribution, n: u32) -> f64 {
        let s = d.sampler();
        let mut rng = rng_stream(7, 9, 0);
        (0..n)
            .map(|_| s.sample(&mut rng).as_secs_f64() * 1e3)
            .sum::<f64>()
            / f64::from(n)
    }

    #[test]
    fn sample_means_match_parameters() {
        for d in [
            Distribution::Fixed { ms: 250.0 },
            Distribution::Exponential { mean_ms: 1_991.0 },
            Distribution::LogNormal {
                median_ms: 100.0,
                p99_ms: 500.0,
            },
            Distribution::Uniform {
                min_ms: 10.0,
                max_ms: 30.0,
            },
        ] {
            let m = mean_of(&d, 200_000);
            let want = d.mean_ms();
            assert!((m - want).abs() / want < 0.02, "{d:?}: {m} vs {want}");
        }
    }

    /// Three million draws as the engine makes them, converted the new way
    /// and the old way (`from_secs_f64(us * factor / 1e6)`): bit-identical.
    #[test]
    fn draws_convert_exactly_as_before() {
        let samplers = [
            Distribution::Exponential { mean_ms: 1_991.0 }.sampler(),
            Distribution::LogNormal {
                median_ms: 3.0,
                p99_ms: 90_000.0,
            }
            .sampler(),
            Distribution::Uniform {
                min_ms: 0.0,
                max_ms: 1.0,
            }
            .sampler(),
        ];
        let mut rng = rng_stream(17, 1, 0);
        for s in samplers {
            for i in 0..1_000_000u32 {
                let factor = [1.0, 0.5, 1.75, 1.0 / 3.0][(i % 4) as usize];
                let us = match s {
                    Sampler::Exponential { mean_us } => rng.sample::<f64, _>(Exp1) * mean_us,
                    Sampler::LogNormal { mu, sigma } => {
                        libm::exp(mu + sigma * rng.sample::<f64, _>(StandardNormal))
                    }
                    Sampler::Uniform { min_us, span_us } => min_us + rng.random::<f64>() * span_us,
                    Sampler::Fixed(d) => d.as_micros() as f64,
                };
                let x = us * factor;
                assert_eq!(
                    SimDuration::from_micros_f64(x),
                    SimDuration::from_secs_f64(x / 1e6),
                    "{x:e}"
                );
            }
        }
    }

    #[test]
    fn lognormal_p99_is_where_asked() {
        let s = Distribution::LogNormal {
            median_ms: 100.0,
            p99_ms: 400.0,
        }
        .sampler();
        let mut rng = rng_stream(1, 2, 3);
        let n = 100_000;
        let above = (0..n)
            .filter(|_| s.sample(&mut rng) > SimDuration::from_millis(400))
            .count();
        let share = above as f64 / n as f64;
        assert!((share - 0.01).abs() < 0.002, "{share}");
    }

    #[test]
    fn streams_are_independent_and_reproducible() {
        let draw = |seed, tag, i| {
            let mut r = rng_stream(seed, tag, i);
            rand::Rng::next_u64(&mut r)
        };
        assert_eq!(draw(1, 1, 0), draw(1, 1, 0));
        assert_ne!(draw(1, 1, 0), draw(1, 1, 1));
        assert_ne!(draw(1, 1, 0), draw(1, 2, 0));
        assert_ne!(draw(1, 1, 0), draw(2, 1, 0));
    }

    #[test]
    fn problems_are_found() {
        assert!(Distribution::Fixed { ms: 5.0 }.problems().is_empty());
        assert_eq!(
            Distribution::Exponential { mean_ms: 0.0 }.problems().len(),
            1
        );
        let p = Distribution::LogNormal {
            median_ms: 10.0,
            p99_ms: 5.0,
        }
        .problems();
        assert_eq!(p[0].0, "p99_ms");
        assert_eq!(
            Distribution::Uniform {
                min_ms: 5.0,
                max_ms: f64::NAN
            }
            .problems()
            .len(),
            1
        );
        assert_eq!(Distribution::Fixed { ms: 1e12 }.problems().len(), 1);
    }
}
