//! Tests of the arrival generators.

use super::*;
use crate::engine::scenario::{Burst, RateStep};

fn all(p: &Pattern, dur: f64) -> Vec<u64> {
    let mut g = ArrivalGen::new(p, 3, 0, dur);
    std::iter::from_fn(|| g.next_arrival().map(SimTime::as_micros)).collect()
}

/// A steps pattern from (time [s], rate [per s]) pairs.
fn steps(at_rate: &[(f64, f64)], poisson: bool) -> Pattern {
    Pattern::Steps {
        steps: at_rate
            .iter()
            .map(|&(at_s, rate_per_s)| RateStep { at_s, rate_per_s })
            .collect(),
        poisson,
    }
}

/// Drawing ahead hands out exactly the arrivals drawn one at a time,
/// ends where they end (counts that are and are not multiples of the
/// batch), and stays done.
#[test]
fn drawing_ahead_changes_nothing() {
    let patterns = [
        Pattern::Poisson { rate_per_s: 7.0 },
        Pattern::Constant { rate_per_s: 2.0 },
        steps(&[(0.0, 3.0), (40.0, 0.0), (70.0, 11.0)], true),
        Pattern::Bursts {
            bursts: vec![Burst {
                at_s: 5.0,
                count: AHEAD as u64,
            }],
        },
        Pattern::Bursts {
            bursts: vec![Burst {
                at_s: 5.0,
                count: AHEAD as u64 + 1,
            }],
        },
        Pattern::Poisson { rate_per_s: 0.0 },
    ];
    for p in &patterns {
        let mut one = ArrivalGen::new(p, 9, 2, 100.0);
        let singly: Vec<u64> =
            std::iter::from_fn(|| one.next_one().map(SimTime::as_micros)).collect();
        let mut g = ArrivalGen::new(p, 9, 2, 100.0);
        let ahead: Vec<u64> =
            std::iter::from_fn(|| g.next_arrival().map(SimTime::as_micros)).collect();
        assert_eq!(ahead, singly, "{p:?}");
        assert_eq!(g.next_arrival(), None, "{p:?}");
        assert_eq!(g.next_arrival(), None, "{p:?}");
    }
}

#[test]
fn poisson_rate_and_determinism() {
    let p = Pattern::Poisson { rate_per_s: 50.0 };
    let a = all(&p, 1_000.0);
    assert!((a.len() as f64 - 50_000.0).abs() < 1_000.0, "{}", a.len());
    assert_eq!(a, all(&p, 1_000.0));
    assert!(a.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn daily_cycle_peaks_where_asked() {
    let p = Pattern::DailyCycle {
        low_per_s: 1.0,
        high_per_s: 21.0,
        peak_hour: 12.0,
        period_h: 24.0,
    };
    let a = all(&p, 86_400.0);
    let hour = |h: u64| a.iter().filter(|&&t| t / 3_600_000_000 == h).count() as f64;
    // Mean rate 11/s; at the peak hour about 21/s, at midnight about 1/s.
    assert!(
        (a.len() as f64 / 86_400.0 - 11.0).abs() < 0.3,
        "{}",
        a.len()
    );
    assert!(
        hour(11) > 18.0 * 3_600.0 && hour(0) < 3.0 * 3_600.0,
        "{} {}",
        hour(11),
        hour(0)
    );
}

#[test]
fn steps_switch_rates() {
    let p = steps(&[(0.0, 10.0), (10.0, 0.0), (20.0, 100.0)], false);
    let a = all(&p, 30.0);
    assert_eq!(a.iter().filter(|&&t| t < 10_000_000).count(), 100);
    assert_eq!(
        a.iter()
            .filter(|&&t| (10_000_000..20_000_000).contains(&t))
            .count(),
        0
    );
    assert_eq!(a.iter().filter(|&&t| t >= 20_000_000).count(), 1_000);
}

#[test]
fn bursts_traces_and_schedule() {
    let p = Pattern::Bursts {
        bursts: vec![
            Burst {
                at_s: 1.0,
                count: 3,
            },
            Burst {
                at_s: 2.0,
                count: 0,
            },
            Burst {
                at_s: 5.0,
                count: 2,
            },
        ],
    };
    assert_eq!(
        all(&p, 10.0),
        vec![1_000_000, 1_000_000, 1_000_000, 5_000_000, 5_000_000]
    );
    let p = Pattern::TraceTimes {
        times_s: vec![0.5, 0.5, 9.0, 11.0],
    };
    assert_eq!(all(&p, 10.0), vec![500_000, 500_000, 9_000_000]);
    let p = Pattern::TraceCounts {
        counts_per_s: vec![2, 0, 1],
        csv: String::new(),
    };
    assert_eq!(all(&p, 10.0), vec![0, 500_000, 2_000_000]);
    let p = Pattern::Every {
        interval_s: 300.0,
        start_s: 60.0,
    };
    assert_eq!(
        all(&p, 1_000.0),
        vec![60_000_000, 360_000_000, 660_000_000, 960_000_000]
    );
}

#[test]
fn resumed_continues_after_the_instant_on_the_same_clock() {
    let from = SimTime::from_micros(2_500_000);
    let after = |p: &Pattern| {
        let mut g = ArrivalGen::resumed(p, 3, 0, 1, 10.0, from);
        std::iter::from_fn(|| g.next_arrival().map(SimTime::as_micros)).collect::<Vec<_>>()
    };
    // Evenly spaced: the same instants as the original after `from`.
    let c = Pattern::Constant { rate_per_s: 2.0 };
    let tail: Vec<u64> = all(&c, 10.0)
        .into_iter()
        .filter(|&t| t > 2_500_000)
        .collect();
    assert_eq!(after(&c), tail);
    let b = Pattern::Bursts {
        bursts: vec![
            Burst {
                at_s: 2.5,
                count: 4,
            },
            Burst {
                at_s: 3.0,
                count: 2,
            },
        ],
    };
    assert_eq!(after(&b), vec![3_000_000, 3_000_000]);
    let s = steps(&[(0.0, 10.0), (5.0, 100.0)], false);
    let a = after(&s);
    assert_eq!(
        a.iter().filter(|&&t| t < 5_000_000).count(),
        24,
        "2.6 s to 4.9 s"
    );
    assert_eq!(a.iter().filter(|&&t| t >= 5_000_000).count(), 500);
    assert!(a[0] > 2_500_000);
    // Poisson: after `from`, at the rate, its own stream.
    let p = Pattern::Poisson {
        rate_per_s: 1_000.0,
    };
    let a = after(&p);
    assert!(
        a[0] >= 2_500_000 && (a.len() as f64 - 7_500.0).abs() < 400.0,
        "{}",
        a.len()
    );
    assert_eq!(a, after(&p), "deterministic");
    let mut other = ArrivalGen::resumed(&p, 3, 0, 2, 10.0, from);
    assert_ne!(
        other.next_arrival().map(SimTime::as_micros),
        Some(a[0]),
        "a new stream per change"
    );
}

#[test]
fn scaling_multiplies_rates_and_refuses_traces() {
    let s = steps(&[(0.0, 10.0), (5.0, 100.0)], true);
    assert_eq!(peak_rate(&s), Some(100.0));
    assert_eq!(peak_rate(&scaled(&s, 2.5).unwrap()), Some(250.0));
    let e = Pattern::Every {
        interval_s: 60.0,
        start_s: 0.0,
    };
    assert_eq!(all(&scaled(&e, 2.0).unwrap(), 120.0).len(), 4);
    assert!(all(&scaled(&e, 0.0).unwrap(), 120.0).is_empty());
    assert!(scaled(&Pattern::TraceTimes { times_s: vec![1.0] }, 2.0).is_none());
    assert_eq!(peak_rate(&Pattern::Bursts { bursts: vec![] }), None);
}

#[test]
fn setting_the_peak_scales_the_rates_and_keeps_the_peak_exact() {
    // Steps scale with the peak; Every has a rate but none to set.
    let s = with_peak(&steps(&[(0.0, 10.0), (5.0, 12_000.0)], false), 6_000.0);
    assert_eq!(s, steps(&[(0.0, 5.0), (5.0, 6_000.0)], false));
    let e = Pattern::Every {
        interval_s: 60.0,
        start_s: 0.0,
    };
    assert_eq!(peak_rate(&e), Some(1.0 / 60.0));
    assert_eq!(rate_peak(&e), None);
    assert_eq!(with_peak(&e, 5.0), e);
    // 3 × (7 / 3) is not 7 in floating point: the peak is set, not scaled.
    assert_eq!(
        with_peak(&Pattern::Constant { rate_per_s: 3.0 }, 7.0),
        Pattern::Constant { rate_per_s: 7.0 }
    );
    let d = |low_per_s, high_per_s| Pattern::DailyCycle {
        low_per_s,
        high_per_s,
        peak_hour: 14.0,
        period_h: 24.0,
    };
    assert_eq!(with_peak(&d(1.0, 3.0), 7.0), d(1.0 * (7.0 / 3.0), 7.0));
    // From a peak of 0 every rate becomes the new peak.
    assert_eq!(with_peak(&d(0.0, 0.0), 4.0), d(4.0, 4.0));
    assert_eq!(
        with_peak(&steps(&[(0.0, 0.0), (5.0, 0.0)], true), 2.0),
        steps(&[(0.0, 2.0), (5.0, 2.0)], true)
    );
    assert_eq!(rate_peak(&steps(&[], false)), None);
}

#[test]
fn sources_have_independent_streams() {
    let p = Pattern::Poisson { rate_per_s: 1.0 };
    let mut a = ArrivalGen::new(&p, 3, 0, 100.0);
    let mut b = ArrivalGen::new(&p, 3, 1, 100.0);
    assert_ne!(a.next_arrival(), b.next_arrival());
}
