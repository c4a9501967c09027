//! The idle environments of one kind (on-demand or provisioned), newest
//! first: the next invocation takes the most recently created idle
//! environment, so older ones reach the end of their keep-alive.
//!
//! The whole API is here (`IdleSet::push`, `pop`, `removed`), so its
//! implementation can change alone.

use super::environments::{Env, EnvState};
use std::collections::BinaryHeap;

/// Idle environments, newest (highest id) first: a max-heap with lazy
/// deletion. An environment removed while idle (keep-alive expiry) leaves
/// its entry behind, skipped when it surfaces; the heap is compacted when
/// stale entries outnumber live ones, so it stays bounded. Cheaper than an
/// ordered set on the hot path (one push and one pop per invocation).
#[derive(Debug, Default)]
pub(super) struct IdleSet {
    /// `id << SLOT_BITS | slot`: one u64 compare orders by id (ids are
    /// unique, so the slot bits never decide).
    heap: BinaryHeap<u64>,
    /// Entries that are still idle environments.
    live: u32,
}

/// Bits of an idle-set key that hold the slot. Slots stay far below 2^24
/// (environments are bounded by the concurrency limit plus provisioned),
/// ids below 2^40 (bounded by the arrivals a scenario may produce).
const SLOT_BITS: u32 = 24;

impl IdleSet {
    /// A key's environment id and slot.
    #[inline]
    fn split(key: u64) -> (u64, u32) {
        (key >> SLOT_BITS, (key & ((1 << SLOT_BITS) - 1)) as u32)
    }

    /// Whether `key` still names an idle environment.
    fn valid(envs: &[Env], key: u64) -> bool {
        let (id, slot) = IdleSet::split(key);
        envs.get(slot as usize)
            .is_some_and(|env| env.id == id && env.state == Some(EnvState::Idle))
    }

    /// The environment `id` in `slot` became idle.
    #[inline]
    pub(super) fn push(&mut self, id: u64, slot: u32) {
        self.heap.push((id << SLOT_BITS) | u64::from(slot));
        self.live += 1;
    }

    /// Takes the newest idle environment: its slot.
    #[inline]
    pub(super) fn pop(&mut self, envs: &[Env]) -> Option<u32> {
        while let Some(key) = self.heap.pop() {
            if IdleSet::valid(envs, key) {
                self.live -= 1;
                return Some(IdleSet::split(key).1);
            }
        }
        None
    }

    /// An idle environment was destroyed (its state already cleared).
    pub(super) fn removed(&mut self, envs: &[Env]) {
        self.live = self.live.saturating_sub(1);
        if self.heap.len() > 2 * self.live as usize + 64 {
            self.heap.retain(|&key| IdleSet::valid(envs, key));
        }
    }
}
