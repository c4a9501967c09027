//! Tables of live things (environments, instances, jobs, pending events)
//! whose freed slots are reused, so an event can name a thing by its slot
//! and a long run does not grow them.

/// Stores `item` in `table`: in the slot freed last (popped from `free`),
/// as `reuse(what the slot held, item)` (which keeps, e.g., a generation
/// counter), or else at the end. Returns the slot.
pub fn store<T>(
    table: &mut Vec<T>,
    free: &mut Vec<u32>,
    item: T,
    reuse: impl FnOnce(&T, T) -> T,
) -> u32 {
    match free.pop() {
        Some(slot) => {
            let new = reuse(&table[slot as usize], item);
            table[slot as usize] = new;
            slot
        }
        None => {
            table.push(item);
            (table.len() - 1) as u32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freed_slots_are_reused_last_freed_first() {
        let (mut t, mut free) = (Vec::new(), Vec::new());
        let keep_tens = |old: &u32, new: u32| old / 10 * 10 + new % 10;
        assert_eq!(store(&mut t, &mut free, 1, keep_tens), 0);
        assert_eq!(store(&mut t, &mut free, 2, keep_tens), 1);
        assert_eq!(store(&mut t, &mut free, 3, keep_tens), 2);
        t[0] = 40;
        t[2] = 70;
        free.extend([0, 2]);
        assert_eq!(store(&mut t, &mut free, 5, keep_tens), 2);
        assert_eq!(store(&mut t, &mut free, 6, keep_tens), 0);
        assert_eq!(store(&mut t, &mut free, 8, keep_tens), 3);
        assert_eq!(t, [46, 2, 75, 8]);
        assert!(free.is_empty());
    }
}
