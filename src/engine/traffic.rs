//! Arrival generators: one per event source, each on its own random stream,
//! producing the next arrival lazily (no pre-generated list except a
//! validated trace).
//!
//! Arrival times depend only on (seed, source index, pattern), never on what
//! a platform does, so two deployments can be fed the very same arrivals.
//!
//! ```
//! use fanout::engine::scenario::Pattern;
//! use fanout::engine::SimTime;
//! use fanout::engine::ArrivalGen;
//! let mut g = ArrivalGen::new(&Pattern::Constant { rate_per_s: 2.0 }, 7, 0, 10.0);
//! assert_eq!(g.next_arrival().map(SimTime::as_micros), Some(0));
//! assert_eq!(g.next_arrival().map(SimTime::as_micros), Some(500_000));
//! ```

use super::dist::{rng_stream, Rng, STREAM_ARRIVALS, STREAM_LIVE_ARRIVALS};
use super::scenario::Pattern;
use super::time::SimTime;
use rand::RngExt;
use rand_distr::Exp1;

const US: f64 = 1e6;

enum State {
    /// t_k = start + k × gap, k counted so rounding never drifts.
    Regular {
        start_us: f64,
        gap_us: f64,
        k: u64,
    },
    Poisson {
        rate_per_us: f64,
        t_us: f64,
    },
    /// Thinning of a Poisson process at the peak rate.
    Cycle {
        low: f64,
        high: f64,
        peak_us: f64,
        period_us: f64,
        t_us: f64,
    },
    /// Piecewise rates: (start µs, rate per µs), current piece, time.
    Steps {
        steps: Vec<(f64, f64)>,
        piece: usize,
        t_us: f64,
        poisson: bool,
        k: u64,
    },
    /// (time µs, count) with the number still to emit from the current one.
    Bursts {
        bursts: Vec<(u64, u64)>,
        idx: usize,
        left: u64,
    },
    Times {
        times_us: Vec<u64>,
        idx: usize,
    },
    /// Per-second counts: second, index within the second.
    Counts {
        counts: Vec<u64>,
        sec: usize,
        i: u64,
    },
    Done,
}

/// `t` [µs] rounded half up to a whole µs, as `(t.max(0.0) + 0.5) as u64`
/// (`as` truncation is exact IEEE on every target), through a signed
/// conversion where that is the same value (natively: one instruction on
/// x86-64; the bundle, built for size, keeps the one conversion).
#[inline]
fn round_us(t: f64) -> u64 {
    let r = t.max(0.0) + 0.5;
    if cfg!(not(target_arch = "wasm32")) && r < 9.0e18 {
        r as i64 as u64
    } else {
        r as u64
    }
}

/// A Poisson process's next arrival [µs] after `t_us`: one exponential
/// gap at `rate_per_us`.
#[inline]
fn poisson_after(rng: &mut Rng, t_us: f64, rate_per_us: f64) -> f64 {
    let e: f64 = rng.sample(Exp1);
    t_us + e / rate_per_us
}

/// Whether an arrival drawn at `t_us` is past the end `end_us` (or no
/// time at all): the process is done.
#[inline]
fn past_end(t_us: f64, end_us: f64) -> bool {
    t_us >= end_us || !t_us.is_finite()
}

/// Arrivals drawn ahead at a time (see [`ArrivalGen::next_arrival`]).
const AHEAD: usize = 32;

/// The arrival process of one source.
pub struct ArrivalGen {
    state: State,
    rng: Rng,
    end_us: f64,
    /// Arrivals drawn ahead \[µs\], handed out from `pos` to `len`; a
    /// `u64::MAX` among them marks the end of the process.
    ahead: [u64; AHEAD],
    pos: u8,
    len: u8,
}

impl ArrivalGen {
    /// Arrivals of `pattern` for source `index` of a run seeded `seed`,
    /// strictly before `duration_s`.
    pub fn new(pattern: &Pattern, seed: u64, index: u64, duration_s: f64) -> ArrivalGen {
        let rate = |r: f64| r / US;
        let state = match pattern {
            Pattern::Constant { rate_per_s } if *rate_per_s > 0.0 => State::Regular {
                start_us: 0.0,
                gap_us: US / rate_per_s,
                k: 0,
            },
            Pattern::Every {
                interval_s,
                start_s,
            } => State::Regular {
                start_us: start_s * US,
                gap_us: interval_s * US,
                k: 0,
            },
            Pattern::Poisson { rate_per_s } if *rate_per_s > 0.0 => State::Poisson {
                rate_per_us: rate(*rate_per_s),
                t_us: 0.0,
            },
            Pattern::DailyCycle {
                low_per_s,
                high_per_s,
                peak_hour,
                period_h,
            } if *high_per_s > 0.0 => State::Cycle {
                low: rate(*low_per_s),
                high: rate(*high_per_s),
                peak_us: peak_hour * 3_600.0 * US,
                period_us: period_h * 3_600.0 * US,
                t_us: 0.0,
            },
            Pattern::Steps { steps, poisson } if !steps.is_empty() => State::Steps {
                steps: steps
                    .iter()
                    .map(|s| (s.at_s * US, rate(s.rate_per_s)))
                    .collect(),
                piece: 0,
                t_us: steps[0].at_s * US,
                poisson: *poisson,
                k: 0,
            },
            Pattern::Bursts { bursts } => State::Bursts {
                bursts: bursts
                    .iter()
                    .map(|b| (libm::round(b.at_s * US) as u64, b.count))
                    .collect(),
                idx: 0,
                left: bursts.first().map_or(0, |b| b.count),
            },
            Pattern::TraceTimes { times_s } => State::Times {
                times_us: times_s.iter().map(|t| libm::round(t * US) as u64).collect(),
                idx: 0,
            },
            Pattern::TraceCounts { counts_per_s, csv } => State::Counts {
                counts: Pattern::trace_counts(counts_per_s, csv).unwrap_or_default(),
                sec: 0,
                i: 0,
            },
            _ => State::Done,
        };
        ArrivalGen {
            state,
            rng: rng_stream(seed, STREAM_ARRIVALS, index),
            end_us: duration_s * US,
            ahead: [0; AHEAD],
            pos: 0,
            len: 0,
        }
    }

    /// Arrivals of `pattern` strictly after `from`, for source `index`
    /// after its `change`-th live traffic change: a random stream of its
    /// own (so a replay of the same changes draws the same arrivals), the
    /// pattern's clock unchanged (a step at 300 s is still at 300 s).
    pub fn resumed(
        pattern: &Pattern,
        seed: u64,
        index: u64,
        change: u64,
        duration_s: f64,
        from: SimTime,
    ) -> ArrivalGen {
        let mut g = ArrivalGen::new(pattern, seed, index, duration_s);
        g.rng = rng_stream(seed, STREAM_LIVE_ARRIVALS, (change << 16) ^ index);
        g.skip_to(from.as_micros() as f64);
        g
    }

    /// Positions the process so its next arrival is after `from_us`
    /// (memoryless for the Poisson kinds).
    fn skip_to(&mut self, from_us: f64) {
        // Forget anything drawn ahead (nothing is, right after `new`).
        self.pos = 0;
        self.len = 0;
        match &mut self.state {
            State::Done => {}
            State::Regular {
                start_us,
                gap_us,
                k,
            } => {
                if from_us >= *start_us && *gap_us > 0.0 {
                    let mut n = libm::floor((from_us - *start_us) / *gap_us).max(0.0) as u64;
                    while *start_us + *gap_us * (n as f64) <= from_us {
                        n += 1;
                    }
                    *k = n;
                }
            }
            State::Poisson { t_us, .. } | State::Cycle { t_us, .. } => *t_us = t_us.max(from_us),
            State::Steps {
                steps,
                piece,
                t_us,
                k,
                ..
            } => {
                if let Some(p) = steps.iter().rposition(|s| s.0 <= from_us) {
                    *piece = p;
                    *t_us = from_us;
                    let (start, r) = steps[p];
                    let mut n = if r > 0.0 {
                        libm::floor((from_us - start) * r).max(0.0) as u64
                    } else {
                        0
                    };
                    while r > 0.0 && start + n as f64 / r <= from_us {
                        n += 1;
                    }
                    *k = n;
                }
            }
            State::Bursts { bursts, idx, left } => {
                *idx = bursts.partition_point(|b| (b.0 as f64) <= from_us);
                *left = bursts.get(*idx).map_or(0, |b| b.1);
            }
            State::Times { times_us, idx } => {
                *idx = times_us.partition_point(|&t| (t as f64) <= from_us);
            }
            State::Counts { counts, sec, i } => {
                let s = libm::floor(from_us / US).max(0.0) as usize;
                *sec = s;
                *i = 0;
                if let Some(&n) = counts.get(s) {
                    while *i < n && (s as f64 + *i as f64 / n as f64) * US <= from_us {
                        *i += 1;
                    }
                }
            }
        }
    }

    /// The next arrival, or `None` once the source is done.
    ///
    /// Natively, arrivals are drawn [`AHEAD`] at a time: the same draws from the
    /// source's own stream in the same order, so the same arrivals, but
    /// made in a tight loop where the processor overlaps them instead of
    /// one at a time between the events that use them (no other draw
    /// shares the stream, and a live traffic change replaces the whole
    /// generator).
    #[inline]
    pub fn next_arrival(&mut self) -> Option<SimTime> {
        if cfg!(target_arch = "wasm32") {
            // The bundle is built for size, and in Chromium drawing ahead
            // measured no faster.
            return self.next_one();
        }
        if self.pos == self.len {
            self.draw_ahead();
        }
        let t = self.ahead[usize::from(self.pos)];
        if t == u64::MAX {
            // Done; stays done (`pos` stays on the mark).
            return None;
        }
        self.pos += 1;
        Some(SimTime::from_micros(t))
    }

    /// Refills the arrivals drawn ahead: up to [`AHEAD`] of them, ended by
    /// a `u64::MAX` mark if the process ends.
    #[inline(never)]
    fn draw_ahead(&mut self) {
        if let State::Poisson { rate_per_us, t_us } = self.state {
            self.draw_ahead_poisson(rate_per_us, t_us);
            return;
        }
        let mut len = 0;
        while len < AHEAD {
            let next = self.next_one();
            self.ahead[len] = next.map_or(u64::MAX, SimTime::as_micros);
            len += 1;
            if next.is_none() {
                break;
            }
        }
        self.pos = 0;
        self.len = len as u8;
    }

    /// [`ArrivalGen::draw_ahead`] for a Poisson process, the usual one:
    /// the very draws and sums of [`ArrivalGen::next_one`], in a loop of
    /// their own with the clock and the random stream in registers (the
    /// general loop goes through every kind's `match` and memory on each
    /// arrival).
    fn draw_ahead_poisson(&mut self, rate_per_us: f64, mut t_us: f64) {
        let (mut rng, end_us) = (self.rng.clone(), self.end_us);
        let mut len = 0;
        let mut done = false;
        while len < AHEAD {
            t_us = poisson_after(&mut rng, t_us, rate_per_us);
            if past_end(t_us, end_us) {
                self.ahead[len] = u64::MAX;
                len += 1;
                done = true;
                break;
            }
            self.ahead[len] = round_us(t_us);
            len += 1;
        }
        self.rng = rng;
        self.state = if done {
            State::Done
        } else {
            State::Poisson { rate_per_us, t_us }
        };
        self.pos = 0;
        self.len = len as u8;
    }

    /// The next arrival drawn now, or `None` once the source is done.
    fn next_one(&mut self) -> Option<SimTime> {
        let t = self.next_raw()?;
        if past_end(t, self.end_us) {
            self.state = State::Done;
            return None;
        }
        Some(SimTime::from_micros(round_us(t)))
    }

    fn next_raw(&mut self) -> Option<f64> {
        // `self.rng` and `self.state` are disjoint fields, so both can be
        // borrowed at once.
        let rng = &mut self.rng;
        match &mut self.state {
            State::Done => None,
            State::Regular {
                start_us,
                gap_us,
                k,
            } => {
                let t = *start_us + *gap_us * (*k as f64);
                *k += 1;
                Some(t)
            }
            State::Poisson { rate_per_us, t_us } => {
                *t_us = poisson_after(rng, *t_us, *rate_per_us);
                Some(*t_us)
            }
            State::Cycle {
                low,
                high,
                peak_us,
                period_us,
                t_us,
            } => loop {
                let e: f64 = rng.sample(Exp1);
                let u: f64 = rng.random();
                *t_us += e / *high;
                if *t_us >= self.end_us {
                    return Some(*t_us);
                }
                let phase = 2.0 * core::f64::consts::PI * (*t_us - *peak_us) / *period_us;
                let rate = *low + (*high - *low) * (1.0 + libm::cos(phase)) / 2.0;
                if u * *high <= rate {
                    return Some(*t_us);
                }
            },
            State::Steps {
                steps,
                piece,
                t_us,
                poisson,
                k,
            } => loop {
                let (start, r) = steps[*piece];
                let piece_end = steps.get(*piece + 1).map_or(f64::INFINITY, |s| s.0);
                if r <= 0.0 || *t_us >= self.end_us {
                    if piece_end.is_infinite() || *t_us >= self.end_us {
                        return None;
                    }
                    *piece += 1;
                    *t_us = piece_end;
                    *k = 0;
                    continue;
                }
                // Evenly spaced arrivals are counted from the piece's start
                // so rounding never drifts across a boundary.
                let cand = if *poisson {
                    let e: f64 = rng.sample(Exp1);
                    *t_us + e / r
                } else {
                    start + *k as f64 / r
                };
                if cand >= piece_end {
                    // Memoryless restart at the boundary with the new rate.
                    *piece += 1;
                    *t_us = piece_end;
                    *k = 0;
                    continue;
                }
                *t_us = cand;
                *k += 1;
                return Some(cand);
            },
            State::Bursts { bursts, idx, left } => loop {
                let (at, _) = *bursts.get(*idx)?;
                if *left > 0 {
                    *left -= 1;
                    return Some(at as f64);
                }
                *idx += 1;
                *left = bursts.get(*idx).map_or(0, |b| b.1);
            },
            State::Times { times_us, idx } => {
                let t = *times_us.get(*idx)?;
                *idx += 1;
                Some(t as f64)
            }
            State::Counts { counts, sec, i } => loop {
                let n = *counts.get(*sec)?;
                if *i < n {
                    let t = (*sec as f64 + *i as f64 / n as f64) * US;
                    *i += 1;
                    return Some(t);
                }
                *sec += 1;
                *i = 0;
            },
        }
    }
}

/// The highest rate of a pattern [requests/s]; None for bursts and traces,
/// which have counts rather than a rate.
pub fn peak_rate(p: &Pattern) -> Option<f64> {
    match p {
        Pattern::Every { interval_s, .. } if *interval_s > 0.0 => Some(1.0 / interval_s),
        _ => rate_peak(p),
    }
}

/// The highest rate of a rate pattern (constant, Poisson, daily cycle,
/// steps) [requests/s]: the rate a "peak rate" setting shows and sets
/// ([`with_peak`]); None for the other patterns, and for steps without a
/// step.
pub fn rate_peak(p: &Pattern) -> Option<f64> {
    match p {
        Pattern::Constant { rate_per_s } | Pattern::Poisson { rate_per_s } => Some(*rate_per_s),
        Pattern::DailyCycle { high_per_s, .. } => Some(*high_per_s),
        Pattern::Steps { steps, .. } => steps.iter().map(|s| s.rate_per_s).reduce(f64::max),
        _ => None,
    }
}

/// Replaces every rate of a rate pattern (constant, Poisson, daily cycle,
/// steps) by `f(rate)`; false, changing nothing, for the other patterns.
fn map_rates(p: &mut Pattern, mut f: impl FnMut(f64) -> f64) -> bool {
    match p {
        Pattern::Constant { rate_per_s } | Pattern::Poisson { rate_per_s } => {
            *rate_per_s = f(*rate_per_s)
        }
        Pattern::DailyCycle {
            low_per_s,
            high_per_s,
            ..
        } => {
            *low_per_s = f(*low_per_s);
            *high_per_s = f(*high_per_s);
        }
        Pattern::Steps { steps, .. } => {
            for s in steps {
                s.rate_per_s = f(s.rate_per_s);
            }
        }
        _ => return false,
    }
    true
}

/// `p` (a rate pattern) with its peak ([`rate_peak`]) set to `peak`:
/// constant and Poisson rates and a daily cycle's high become exactly
/// `peak`, every other rate (a daily cycle's low, each step) is scaled by
/// `peak` / the old peak, or set to `peak` when the old peak was 0 (the
/// shape is lost). `p` unchanged for the other patterns, which have no
/// rate to set.
pub fn with_peak(p: &Pattern, peak: f64) -> Pattern {
    let mut out = p.clone();
    let old = rate_peak(p).unwrap_or(0.0);
    if old > 0.0 {
        let k = peak / old;
        map_rates(&mut out, |r| r * k);
        // The peak itself exactly as given (r × k need not be).
        match &mut out {
            Pattern::Constant { rate_per_s } | Pattern::Poisson { rate_per_s } => {
                *rate_per_s = peak
            }
            Pattern::DailyCycle { high_per_s, .. } => *high_per_s = peak,
            _ => {}
        }
    } else {
        map_rates(&mut out, |_| peak);
    }
    out
}

/// `p` with every rate multiplied by `k` (≥ 0): rates of the rate
/// patterns, counts of bursts (rounded), the frequency of a schedule. None
/// for a recorded trace, whose instants are data, not a rate.
pub fn scaled(p: &Pattern, k: f64) -> Option<Pattern> {
    let k = if k.is_finite() { k.max(0.0) } else { 0.0 };
    let mut out = p.clone();
    if map_rates(&mut out, |r| r * k) {
        return Some(out);
    }
    match &mut out {
        Pattern::Constant { .. }
        | Pattern::Poisson { .. }
        | Pattern::DailyCycle { .. }
        | Pattern::Steps { .. } => {}
        Pattern::Bursts { bursts } => {
            for b in bursts {
                b.count = libm::round(b.count as f64 * k) as u64;
            }
        }
        Pattern::Every { interval_s, .. } => {
            // k = 0 stops the schedule (an infinite interval never fires).
            *interval_s = if k > 0.0 {
                *interval_s / k
            } else {
                f64::INFINITY
            };
        }
        Pattern::TraceTimes { .. } | Pattern::TraceCounts { .. } => return None,
    }
    Some(out)
}

#[cfg(test)]
mod tests;
