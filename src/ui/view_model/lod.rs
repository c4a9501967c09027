//! Level of detail for the environment grid: stable cell slots, the grid's
//! geometry for any number of cells, and when to switch from one cell per
//! environment to an aggregated density view. Pure functions, tested natively.

use std::collections::{BTreeSet, HashMap, HashSet};

/// Up to this many environments every cell is drawn at a comfortable size.
pub const FULL_DETAIL_MAX: usize = 120;
/// Up to this many, cells shrink (no decorations); beyond it the grid
/// aggregates into density tiles so the page never draws thousands of shapes.
pub const SMALL_CELLS_MAX: usize = 600;
/// Most tiles drawn in the density view.
pub const DENSITY_TILES: usize = 240;

/// How the environment grid is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// One large cell per environment, with provisioned and keep-alive marks.
    Full,
    /// One small cell per environment.
    Small,
    /// One tile per `per_tile` slots, shaded by what they hold.
    Density { per_tile: usize },
}

/// The detail to use for `slots` cell slots.
pub fn detail_for(slots: usize) -> Detail {
    if slots <= FULL_DETAIL_MAX {
        Detail::Full
    } else if slots <= SMALL_CELLS_MAX {
        Detail::Small
    } else {
        Detail::Density {
            per_tile: slots.div_ceil(DENSITY_TILES),
        }
    }
}

/// Geometry of a grid of `n` square cells in a `w` × `h` box: (columns,
/// cell pitch). Cells are at most `max_pitch` wide; the grid fills rows
/// left to right.
pub fn grid(n: usize, w: f64, h: f64, max_pitch: f64) -> (usize, f64) {
    let n = n.max(1);
    // Smallest pitch that fits: try column counts around the box's aspect.
    let mut best = (1usize, 0.0f64);
    for cols in 1..=n {
        let rows = n.div_ceil(cols);
        let pitch = (w / cols as f64).min(h / rows as f64).min(max_pitch);
        // On a tie the wider layout wins: rows fill left to right.
        if pitch >= best.1 {
            best = (cols, pitch);
        }
    }
    best
}

/// Stable positions for environments: each keeps the slot it got when it
/// appeared, and a new one takes the lowest free slot, so cells do not jump
/// around as others come and go.
#[derive(Clone, Debug, Default)]
pub struct Slots {
    by_id: HashMap<u64, usize>,
    free: BTreeSet<usize>,
    len: usize,
}

impl Slots {
    /// Updates the slots to the environments now alive (ids in any order)
    /// and returns each one's slot, in the same order.
    pub fn assign(&mut self, ids: &[u64]) -> Vec<usize> {
        let alive: HashSet<u64> = ids.iter().copied().collect();
        let gone: Vec<u64> = self
            .by_id
            .keys()
            .filter(|id| !alive.contains(id))
            .copied()
            .collect();
        for id in gone {
            if let Some(s) = self.by_id.remove(&id) {
                self.free.insert(s);
            }
        }
        let out = ids
            .iter()
            .map(|id| {
                if let Some(&s) = self.by_id.get(id) {
                    return s;
                }
                let s = match self.free.pop_first() {
                    Some(s) => s,
                    None => {
                        self.len += 1;
                        self.len - 1
                    }
                };
                self.by_id.insert(*id, s);
                s
            })
            .collect();
        // Shrink the grid when its tail is empty.
        while self.len > 0 && self.free.contains(&(self.len - 1)) {
            self.free.remove(&(self.len - 1));
            self.len -= 1;
        }
        out
    }

    /// Slots in use or free below the highest used one.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no environment has a slot.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The slot of environment `id`, if it is alive.
    pub fn of(&self, id: u64) -> Option<usize> {
        self.by_id.get(&id).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_levels() {
        assert_eq!(detail_for(0), Detail::Full);
        assert_eq!(detail_for(120), Detail::Full);
        assert_eq!(detail_for(121), Detail::Small);
        assert_eq!(detail_for(600), Detail::Small);
        assert_eq!(detail_for(601), Detail::Density { per_tile: 3 });
        assert_eq!(detail_for(3_000), Detail::Density { per_tile: 13 });
        if let Detail::Density { per_tile } = detail_for(100_000) {
            assert!(100_000usize.div_ceil(per_tile) <= DENSITY_TILES);
        }
    }

    #[test]
    fn grid_fits_the_box() {
        for n in [1usize, 7, 12, 100, 600, 3_000] {
            let (cols, pitch) = grid(n, 700.0, 200.0, 48.0);
            let rows = n.div_ceil(cols);
            assert!(cols as f64 * pitch <= 700.0 + 1e-9, "n={n}");
            assert!(rows as f64 * pitch <= 200.0 + 1e-9, "n={n}");
            assert!(pitch <= 48.0 && pitch > 0.0);
        }
        assert_eq!(grid(4, 700.0, 200.0, 48.0), (4, 48.0));
    }

    #[test]
    fn slots_are_stable_and_reused() {
        let mut s = Slots::default();
        assert_eq!(s.assign(&[10, 11, 12]), vec![0, 1, 2]);
        // 11 goes away; 10 and 12 keep their slots; 13 takes the hole.
        assert_eq!(s.assign(&[10, 12, 13]), vec![0, 2, 1]);
        assert_eq!(s.of(12), Some(2));
        assert_eq!(s.of(11), None);
        assert_eq!(s.len(), 3);
        // The tail empties: the grid shrinks.
        assert_eq!(s.assign(&[10]), vec![0]);
        assert_eq!(s.len(), 1);
        assert_eq!(s.assign(&[]), Vec::<usize>::new());
        assert!(s.is_empty());
    }
}
