//! Level of detail for the environment grid: packed, calm cell slots, the grid's
//! geometry for any number of cells, and when to switch from one cell per
//! environment to an aggregated density view. Pure functions, tested natively.

use std::collections::{HashMap, HashSet};

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

/// Packed, calm positions for environments: the live ones always fill the
/// first slots (no holes, so no lone cells among gaps), and the fewest
/// cells move to keep it so. An environment keeps its slot while it lives;
/// when some end, each hole they leave is filled by the environment in the
/// highest slot (one cell moves per hole, and only when the grid's end lies
/// past it), and new environments take the remaining holes before the
/// grid grows. A slot can be held for a moment (a timed-out cell's mark
/// fading where it was): it stays empty until released.
#[derive(Clone, Debug, Default)]
pub struct Slots {
    by_id: HashMap<u64, usize>,
    len: usize,
}

impl Slots {
    /// Updates the slots to the environments now alive (ids in any order),
    /// keeping the slots in `held` empty, and returns each one's slot, in
    /// the same order. Held slots past the packed grid's end are let go.
    pub fn assign(&mut self, ids: &[u64], held: &[usize]) -> Vec<usize> {
        let alive: HashSet<u64> = ids.iter().copied().collect();
        self.by_id.retain(|id, _| alive.contains(id));
        // Who is where: slot → environment.
        let top = self.by_id.values().max().map_or(0, |m| m + 1);
        let mut at: Vec<Option<u64>> = vec![None; top];
        for (&id, &s) in &self.by_id {
            at[s] = Some(id);
        }
        let free = |s: usize| at.get(s).is_none_or(|x| x.is_none());
        // A held slot stays empty (not while an environment lives there).
        let held = |s: usize| free(s) && held.contains(&s);
        // The packed grid: the first `alive.len()` slots not held (a held
        // slot is kept only where it lies inside it).
        let mut end = 0;
        let mut k = 0;
        while k < alive.len() {
            k += usize::from(!held(end));
            end += 1;
        }
        // Environments past the end, highest first, move into the lowest
        // holes; new ones take the holes left.
        let mut holes = (0..end).filter(|&s| free(s) && !held(s));
        for id in (end..top).rev().filter_map(|s| at[s]) {
            if let Some(h) = holes.next() {
                self.by_id.insert(id, h);
            }
        }
        let out = ids
            .iter()
            .map(|id| {
                *self
                    .by_id
                    .entry(*id)
                    .or_insert_with(|| holes.next().unwrap_or(end))
            })
            .collect();
        self.len = end;
        out
    }

    /// Slots of the grid: the live environments and the held slots among them.
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
    fn slots_pack_with_one_move_per_hole() {
        let mut s = Slots::default();
        assert_eq!(s.assign(&[10, 11, 12, 13], &[]), vec![0, 1, 2, 3]);
        // 11 goes: 13 (the highest slot) moves into its hole; 10 and 12 stay.
        assert_eq!(s.assign(&[10, 12, 13], &[]), vec![0, 2, 1]);
        assert_eq!(s.len(), 3);
        // 12 goes and 14 comes in the same frame: 14 takes the hole, nothing moves.
        assert_eq!(s.assign(&[10, 13, 14], &[]), vec![0, 1, 2]);
        // The last one goes: nothing moves, the grid shrinks.
        assert_eq!(s.assign(&[10, 13], &[]), vec![0, 1]);
        assert_eq!(s.of(14), None);
        assert_eq!(s.assign(&[], &[]), Vec::<usize>::new());
        assert!(s.is_empty());
    }

    #[test]
    fn held_slots_stay_empty_until_released() {
        let mut s = Slots::default();
        s.assign(&[1, 2, 3, 4], &[]);
        // 2 timed out at slot 1: its mark holds the slot; 5 arrives and
        // takes a new slot at the end rather than the marked one.
        assert_eq!(s.assign(&[1, 3, 4, 5], &[1]), vec![0, 2, 3, 4]);
        assert_eq!(s.len(), 5);
        // Released: the highest (5) moves into it.
        assert_eq!(s.assign(&[1, 3, 4, 5], &[]), vec![0, 2, 3, 1]);
        assert_eq!(s.len(), 4);
        // A held slot past the packed end is let go; one a live
        // environment is in is not held.
        assert_eq!(s.assign(&[1, 5], &[3, 1]), vec![0, 1]);
        assert_eq!(s.len(), 2);
    }

    /// Random arrivals and departures: after every step the live
    /// environments fill slots 0..n exactly, and only those past the new
    /// end moved (the fewest moves that can pack the grid).
    #[test]
    fn slots_stay_packed_and_move_the_fewest() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut rnd = |m: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % m
        };
        let mut s = Slots::default();
        let mut alive: Vec<u64> = Vec::new();
        let mut next = 0u64;
        let mut dense = 0;
        for step in 0..400 {
            let before: HashMap<u64, usize> =
                alive.iter().map(|&id| (id, s.of(id).unwrap())).collect();
            // A burst (up to 900 at once: the density view), or expiries.
            let born = if step % 50 == 0 { rnd(900) } else { rnd(6) };
            let die = rnd(alive.len() as u64 / 3 + 2);
            for _ in 0..die.min(alive.len() as u64) {
                let i = rnd(alive.len() as u64) as usize;
                alive.swap_remove(i);
            }
            for _ in 0..born {
                alive.push(next);
                next += 1;
            }
            let got = s.assign(&alive, &[]);
            let n = alive.len();
            assert_eq!(s.len(), n, "step {step}");
            let mut sorted = got.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..n).collect::<Vec<_>>(), "step {step}: packed");
            for (id, &slot) in alive.iter().zip(&got) {
                if let Some(&old) = before.get(id) {
                    assert!(
                        old == slot || old >= n,
                        "step {step}: {id} moved from {old} to {slot}"
                    );
                }
            }
            if let Detail::Density { per_tile } = detail_for(s.len()) {
                dense += 1;
                // Every tile but the last is full.
                let mut tiles = vec![0usize; n.div_ceil(per_tile)];
                got.iter().for_each(|&sl| tiles[sl / per_tile] += 1);
                assert!(tiles[..tiles.len() - 1].iter().all(|&c| c == per_tile));
            }
        }
        assert!(dense > 0, "the density view was reached");
    }
}
