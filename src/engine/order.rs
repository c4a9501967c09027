//! Sorting by a `u64` key, with ties kept in their order (a stable sort).
//!
//! Every sort in the engine goes through [`sort_by_u64`]: the sort routine
//! itself is then compiled once (for `(u64, u32)` pairs) instead of once per
//! element type and comparison, which keeps the wasm bundle smaller (each
//! instantiation of the standard library's sorts is 2–5 KB of code). Only
//! the small gather step is generic.

/// Sorts `v` by `key`, ascending; elements with equal keys keep their
/// relative order. Sort by several keys with one call per key, least
/// significant first.
pub fn sort_by_u64<T>(v: &mut Vec<T>, key: impl Fn(&T) -> u64) {
    // Indices fit u32: the engine's vectors are bounded far below 4 G
    // elements; the index breaks ties, so an unstable sort is stable here.
    let mut order: Vec<(u64, u32)> = v
        .iter()
        .enumerate()
        .map(|(i, x)| (key(x), i as u32))
        .collect();
    order.sort_unstable();
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(
        order
            .iter()
            .filter_map(|&(_, i)| slots.get_mut(i as usize).and_then(Option::take)),
    );
}

/// A `u64` that orders like `f64::total_cmp` (−NaN < −∞ < … < −0 < +0 < … <
/// +∞ < NaN), to sort floats with [`sort_by_u64`].
pub fn f64_key(x: f64) -> u64 {
    let bits = x.to_bits();
    // Negative numbers: flip every bit (larger magnitude sorts first);
    // positive: set the sign bit so they sort after every negative.
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn same_as_the_standard_stable_sort(v in proptest::collection::vec((0u64..20, any::<u32>()), 0..200)) {
            let mut want = v.clone();
            want.sort_by_key(|p| p.0);
            let mut got = v;
            sort_by_u64(&mut got, |p| p.0);
            prop_assert_eq!(got, want);
        }

        #[test]
        fn float_keys_order_like_total_cmp(v in proptest::collection::vec(any::<f64>(), 0..200)) {
            let mut want = v.clone();
            want.sort_by(f64::total_cmp);
            let mut got = v;
            sort_by_u64(&mut got, |x| f64_key(*x));
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            prop_assert_eq!(bits(&got), bits(&want));
        }
    }

    #[test]
    fn special_floats_in_total_order() {
        let v = [
            -f64::NAN,
            f64::NEG_INFINITY,
            -1.5,
            -0.0,
            0.0,
            f64::MIN_POSITIVE,
            2.0,
            f64::INFINITY,
            f64::NAN,
        ];
        for w in v.windows(2) {
            assert!(f64_key(w[0]) < f64_key(w[1]), "{} < {}", w[0], w[1]);
        }
    }

    #[test]
    fn two_keys_sort_lexicographically() {
        let mut v = vec![(1, 5), (0, 9), (1, 2), (0, 3)];
        let mut want = v.clone();
        want.sort_unstable();
        sort_by_u64(&mut v, |p| p.1);
        sort_by_u64(&mut v, |p| p.0);
        assert_eq!(v, want);
    }
}
