//! The idle set of the Lambda side: which environments are idle, newest
//! first, with no stale entries.
//!
//! Environments are taken newest first (as SimFaaS models it, so older ones
//! expire), where "newest" is the order of creation. Each environment of
//! the set gets a label when it is created, its rank in that order; idle
//! labels are bits of a hierarchical bitmap (64 bits per word, one bit per
//! non-empty word on the level above, up to a single word), so adding,
//! taking the newest (leading-zero counts down the levels) and removing
//! cost one step per level: two levels up to 4,096 environments, three up
//! to 262,144. When the labels run out they are renumbered in order over
//! a table twice the live count, so the tables stay proportional to the
//! live environments and the renumbering costs O(1) per creation.
//!
//! ```
//! use fanout::engine::lambda::idle::IdleSet;
//! let mut idle = IdleSet::default();
//! for slot in [7, 3, 9] {
//!     idle.created(slot); // created in this order: 9 is the newest
//!     idle.insert(slot);
//! }
//! idle.destroyed(9);
//! assert_eq!(idle.take_newest(), Some(3));
//! assert_eq!(idle.take_newest(), Some(7));
//! assert_eq!(idle.take_newest(), None);
//! ```

/// No label, or no slot.
const NONE: u32 = u32::MAX;

/// A set of bits over `0..64^levels`, with the highest set bit found in one
/// leading-zero count per level.
#[derive(Debug, Default)]
struct Bitmap {
    /// `levels[0]` holds one bit per label; `levels[k + 1]` one bit per
    /// non-zero word of `levels[k]`; the last level is a single word.
    levels: Vec<Vec<u64>>,
}

impl Bitmap {
    /// An empty bitmap for `bits` bits (at least 64).
    fn with_bits(bits: usize) -> Bitmap {
        let mut levels = Vec::new();
        let mut words = bits.div_ceil(64).max(1);
        loop {
            levels.push(vec![0; words]);
            if words == 1 {
                break;
            }
            words = words.div_ceil(64);
        }
        Bitmap { levels }
    }

    fn bits(&self) -> usize {
        self.levels.first().map_or(0, |l| l.len() * 64)
    }

    #[inline]
    fn get(&self, i: u32) -> bool {
        let i = i as usize;
        self.levels
            .first()
            .and_then(|l| l.get(i / 64))
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Sets bit `i`, and its summary bit on every level above (already
    /// set or not: writing them all costs less than a branch that goes
    /// either way, as it does with a few idle among thousands).
    #[inline]
    fn set(&mut self, i: u32) {
        let mut i = i as usize;
        for level in &mut self.levels {
            level[i / 64] |= 1 << (i % 64);
            i /= 64;
        }
    }

    /// Clears bit `i`, and on each level above the summary bit of a word
    /// that became zero, without a branch on it (see [`Bitmap::set`]).
    #[inline]
    fn clear(&mut self, i: u32) {
        let mut i = i as usize;
        let mut emptied = true;
        for level in &mut self.levels {
            let word = &mut level[i / 64];
            *word &= !(u64::from(emptied) << (i % 64));
            emptied = *word == 0;
            i /= 64;
        }
    }

    /// The highest set bit, if any.
    #[inline]
    fn highest(&self) -> Option<u32> {
        if self.levels.is_empty() {
            return None;
        }
        let mut i = 0usize;
        for level in self.levels.iter().rev() {
            let word = level[i];
            if word == 0 {
                return None;
            }
            i = i * 64 + (63 - word.leading_zeros() as usize);
        }
        Some(i as u32)
    }
}

/// Idle environments by slot, newest first (see the module doc).
#[derive(Debug, Default)]
pub struct IdleSet {
    /// Label of the environment in each slot; NONE if none of this set.
    label_of: Vec<u32>,
    /// Slot of each label; NONE if its environment was destroyed.
    slot_of: Vec<u32>,
    /// The next label to hand out (every label below it has been used).
    next: u32,
    /// Environments of the set that are not destroyed.
    live: u32,
    /// Idle labels.
    idle: Bitmap,
    /// How many are idle.
    len: u32,
}

impl IdleSet {
    /// A new environment in `slot`, newer than every one before it (not
    /// idle yet). A slot is reused only after [`IdleSet::destroyed`].
    #[inline]
    pub fn created(&mut self, slot: u32) {
        if self.next as usize >= self.slot_of.len() {
            self.relabel();
        }
        let label = self.next;
        self.next += 1;
        self.live += 1;
        let s = slot as usize;
        if s >= self.label_of.len() {
            self.label_of.resize(s + 1, NONE);
        }
        self.label_of[s] = label;
        self.slot_of[label as usize] = slot;
    }

    /// The environment in `slot` became idle.
    #[inline]
    pub fn insert(&mut self, slot: u32) {
        let label = self.label(slot);
        if label != NONE && !self.idle.get(label) {
            self.idle.set(label);
            self.len += 1;
        }
    }

    /// Takes the newest idle environment out of the set; returns its slot.
    #[inline]
    pub fn take_newest(&mut self) -> Option<u32> {
        let label = self.idle.highest()?;
        self.idle.clear(label);
        self.len -= 1;
        Some(self.slot_of[label as usize])
    }

    /// The environment in `slot` is no longer idle (nothing if it was not).
    #[inline]
    pub fn remove(&mut self, slot: u32) {
        let label = self.label(slot);
        if label != NONE && self.idle.get(label) {
            self.idle.clear(label);
            self.len -= 1;
        }
    }

    /// The environment in `slot` is gone (idle or not); its slot may be
    /// reused by a newer one.
    #[inline]
    pub fn destroyed(&mut self, slot: u32) {
        let label = self.label(slot);
        if label == NONE {
            return;
        }
        self.remove(slot);
        self.slot_of[label as usize] = NONE;
        self.label_of[slot as usize] = NONE;
        self.live -= 1;
    }

    /// Whether the environment in `slot` is idle.
    pub fn contains(&self, slot: u32) -> bool {
        let label = self.label(slot);
        label != NONE && self.idle.get(label)
    }

    /// Idle environments \[environments\].
    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    fn label(&self, slot: u32) -> u32 {
        self.label_of.get(slot as usize).copied().unwrap_or(NONE)
    }

    /// Renumbers the live environments 0, 1, … in creation order over
    /// tables of at least twice as many labels, keeping which are idle.
    #[cold]
    fn relabel(&mut self) {
        let bits = (2 * self.live as usize + 1).next_power_of_two().max(64);
        let mut slot_of = vec![NONE; bits];
        let mut idle = Bitmap::with_bits(bits);
        let mut next = 0u32;
        for (old, &slot) in self.slot_of.iter().enumerate().take(self.next as usize) {
            if slot == NONE {
                continue;
            }
            if self.idle.get(old as u32) {
                idle.set(next);
            }
            slot_of[next as usize] = slot;
            self.label_of[slot as usize] = next;
            next += 1;
        }
        debug_assert!(idle.bits() == bits);
        self.slot_of = slot_of;
        self.idle = idle;
        self.next = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn newest_first_across_relabels() {
        let mut set = IdleSet::default();
        // Slot i is created i-th; slots come back in reverse.
        for slot in 0..10_000 {
            set.created(slot);
            set.insert(slot);
        }
        for want in (0..10_000).rev() {
            assert_eq!(set.take_newest(), Some(want));
        }
        assert!(set.is_empty());
        assert_eq!(set.take_newest(), None);
    }

    #[test]
    fn tables_follow_the_live_count() {
        // One old environment lives for ever while a million come and go:
        // the labels are renumbered, the tables stay small.
        let mut set = IdleSet::default();
        set.created(0);
        set.insert(0);
        for _ in 0..1_000_000 {
            set.created(1);
            set.insert(1);
            assert_eq!(set.take_newest(), Some(1));
            set.destroyed(1);
        }
        assert!(set.slot_of.len() <= 64, "{}", set.slot_of.len());
        assert_eq!(set.take_newest(), Some(0));
    }

    #[test]
    fn bitmap_levels() {
        for bits in [64, 4_096, 4_097, 262_144, 300_000] {
            let mut b = Bitmap::with_bits(bits);
            assert!(b.bits() >= bits);
            assert_eq!(b.highest(), None);
            let top = (b.bits() - 1) as u32;
            let some: Vec<u32> = [0, 63, 64, 4_095, 4_096, 262_143]
                .into_iter()
                .filter(|&i| i < top)
                .collect();
            for &i in some.iter().chain([&top]) {
                b.set(i);
            }
            assert_eq!(b.highest(), Some(top));
            b.clear(top);
            for &i in some.iter().rev() {
                assert_eq!(b.highest(), Some(i));
                assert!(b.get(i));
                b.clear(i);
            }
            assert_eq!(b.highest(), None);
        }
    }

    /// What the set must do, written the obvious way: idle environments
    /// as (creation number, slot), the newest is the largest.
    #[derive(Default)]
    struct Model {
        born: std::collections::HashMap<u32, u64>,
        idle: std::collections::BTreeSet<(u64, u32)>,
        count: u64,
    }

    #[derive(Clone, Debug)]
    enum Op {
        Create,
        Insert(usize),
        Take,
        Remove(usize),
        Destroy(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => Just(Op::Create),
            4 => any::<usize>().prop_map(Op::Insert),
            3 => Just(Op::Take),
            1 => any::<usize>().prop_map(Op::Remove),
            2 => any::<usize>().prop_map(Op::Destroy),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Random lives of environments, slots reused last freed first as
        /// the engine does: the set agrees with the model at every step.
        #[test]
        fn agrees_with_an_ordered_set(ops in proptest::collection::vec(op(), 1..1_000)) {
            let mut set = IdleSet::default();
            let mut m = Model::default();
            let mut free: Vec<u32> = Vec::new();
            let mut slots = 0u32;
            let live = |m: &Model| {
                let mut v: Vec<u32> = m.born.keys().copied().collect();
                v.sort_unstable();
                v
            };
            for o in ops {
                match o {
                    Op::Create => {
                        let slot = free.pop().unwrap_or_else(|| {
                            slots += 1;
                            slots - 1
                        });
                        set.created(slot);
                        m.born.insert(slot, m.count);
                        m.count += 1;
                    }
                    Op::Insert(k) | Op::Remove(k) | Op::Destroy(k) if !m.born.is_empty() => {
                        let v = live(&m);
                        let slot = v[k % v.len()];
                        let key = (m.born[&slot], slot);
                        match o {
                            Op::Insert(_) => {
                                set.insert(slot);
                                m.idle.insert(key);
                            }
                            Op::Remove(_) => {
                                set.remove(slot);
                                m.idle.remove(&key);
                            }
                            _ => {
                                set.destroyed(slot);
                                m.idle.remove(&key);
                                m.born.remove(&slot);
                                free.push(slot);
                            }
                        }
                    }
                    Op::Take => {
                        let want = m.idle.pop_last().map(|(_, slot)| slot);
                        prop_assert_eq!(set.take_newest(), want);
                    }
                    _ => {}
                }
                prop_assert_eq!(set.len(), m.idle.len());
                for slot in live(&m) {
                    let idle = m.idle.contains(&(m.born[&slot], slot));
                    prop_assert_eq!(set.contains(slot), idle);
                }
            }
        }
    }
}
