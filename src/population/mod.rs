//! The population: users (struct of arrays) and chats (hyperedges in CSR form).
//!
//! Built once per scenario, by [`generate()`] from the scenario's distributions or by
//! [`import`] from files, then shared read-only by every replicate of the engine.
//! Ids are dense u32: users `0..n_users`, chats `0..n_chats`.

pub mod alias;
pub mod csr;
pub mod export;
pub mod generate;
pub mod import;
pub mod network;

pub use generate::generate;

pub use csr::Csr;

use crate::error::CapacityError;
use crate::scenario::ChatKind;

/// Marks a chat without an owner (everyone may post).
pub const NO_OWNER: u32 = u32::MAX;
/// Fanout value meaning "every chat the user can post to".
pub const FANOUT_ALL: u16 = u16::MAX;

/// Per-user attributes, one vector per attribute (struct of arrays).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Users {
    /// Camp index into [`Population::camp_names`].
    pub camp: Vec<u8>,
    /// Resistance to believing, in [0, 1].
    pub skepticism: Vec<f32>,
    /// Chance of reading pending messages in a step at the busiest hour.
    pub activity: Vec<f32>,
    /// Chats per share action before the forward limit; [`FANOUT_ALL`] for all.
    pub fanout: Vec<u16>,
    /// Public followers; 0 means no public presence.
    pub followers: Vec<u32>,
}

impl Users {
    /// Number of users.
    pub fn len(&self) -> usize {
        self.camp.len()
    }
    /// Whether there are no users.
    pub fn is_empty(&self) -> bool {
        self.camp.is_empty()
    }
}

/// Per-chat attributes plus the membership lists.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chats {
    /// Kind of each chat.
    pub kind: Vec<ChatKind>,
    /// Trust of each chat, in [0, 1].
    pub trust: Vec<f32>,
    /// Dominant camp of each chat.
    pub camp: Vec<u8>,
    /// The only user who may post ([`NO_OWNER`] if everyone may).
    pub owner: Vec<u32>,
    /// chat -> members.
    pub members: Csr,
}

impl Chats {
    /// The trust of each kind if all chats of a kind share it (kinds without chats get
    /// 0), else None.
    pub fn trust_by_kind(&self) -> Option<[f32; 7]> {
        let mut by_kind: [Option<f32>; 7] = [None; 7];
        for (&k, &t) in self.kind.iter().zip(&self.trust) {
            match &mut by_kind[k.index()] {
                slot @ None => *slot = Some(t),
                Some(seen) if seen.to_bits() == t.to_bits() => {}
                Some(_) => return None,
            }
        }
        Some(by_kind.map(|t| t.unwrap_or(0.0)))
    }

    /// Number of chats.
    pub fn len(&self) -> usize {
        self.kind.len()
    }
    /// Whether there are no chats.
    pub fn is_empty(&self) -> bool {
        self.kind.is_empty()
    }
}

/// What an import dropped or filled in, reported in the log and summary.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct ImportReport {
    /// Edges whose two ends are the same user.
    pub self_loops_dropped: u64,
    /// Edges or memberships seen before.
    pub duplicates_dropped: u64,
    /// Rows read from the population files.
    pub rows_read: u64,
}

/// Reserves room for `n` more elements in `v`, or [`CapacityError::Allocation`]
/// naming `what` if the system refuses the memory.
pub(crate) fn try_reserve<T>(
    v: &mut Vec<T>,
    n: usize,
    what: &'static str,
) -> Result<(), CapacityError> {
    v.try_reserve_exact(n)
        .map_err(|_| CapacityError::Allocation {
            what,
            bytes: (n as u64).saturating_mul(std::mem::size_of::<T>() as u64),
        })
}

/// `n` copies of `x`, or [`CapacityError::Allocation`] naming `what`.
pub(crate) fn try_filled<T: Clone>(
    n: usize,
    x: T,
    what: &'static str,
) -> Result<Vec<T>, CapacityError> {
    let mut v = Vec::new();
    try_reserve(&mut v, n, what)?;
    v.resize(n, x);
    Ok(v)
}

/// The value, or the process ends as after any failed allocation (the infallible
/// entry points, for tests and benches, behave as `Vec` does).
pub(crate) fn or_abort<T>(r: Result<T, CapacityError>) -> T {
    match r {
        Ok(x) => x,
        Err(e) => {
            let bytes = match e {
                CapacityError::Allocation { bytes, .. } => bytes,
                CapacityError::TooLarge { needed, .. } => needed,
            };
            let layout = std::alloc::Layout::from_size_align(bytes as usize, 1)
                .unwrap_or(std::alloc::Layout::new::<u8>());
            std::alloc::handle_alloc_error(layout)
        }
    }
}

/// Users and chats, ready for the engine.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Population {
    /// Per-user attributes.
    pub users: Users,
    /// Per-chat attributes and chat -> members.
    pub chats: Chats,
    /// user -> chats, the transpose of `chats.members`.
    pub user_chats: Csr,
    /// One byte per entry of `user_chats` (same order): what chat choice needs to know
    /// about that chat for that user ([`slot`]), so a share action reads one row
    /// sequentially instead of four per-chat arrays at random.
    pub user_chat_slots: Vec<u8>,
    /// Trust of each chat kind, when every chat of a kind has the same trust (always
    /// for generated populations): the engine then needs no per-chat trust lookup.
    pub trust_by_kind: Option<[f32; 7]>,
    /// Camp names, indexed by camp id.
    pub camp_names: Vec<String>,
    /// External user ids of an imported population (dense id -> original label).
    pub user_labels: Option<Vec<String>>,
    /// External chat ids of an imported membership table.
    pub chat_labels: Option<Vec<String>>,
    /// Filled in by imports.
    pub import_report: Option<ImportReport>,
}

impl Population {
    /// Number of users.
    pub fn n_users(&self) -> usize {
        self.users.len()
    }

    /// Number of chats.
    pub fn n_chats(&self) -> usize {
        self.chats.len()
    }

    /// Number of (chat, member) memberships.
    pub fn n_memberships(&self) -> usize {
        self.chats.members.len()
    }

    /// Builds the user -> chats index from the chat -> members lists, with its slot
    /// bytes.
    pub fn index_user_chats(&mut self) {
        or_abort(self.try_index_user_chats());
    }

    /// As [`Population::index_user_chats`], with [`CapacityError::Allocation`] if the
    /// system refuses the memory for the index.
    pub fn try_index_user_chats(&mut self) -> Result<(), CapacityError> {
        let (users, chats) = (&self.users, &self.chats);
        let (index, slots) = chats.members.try_transpose_with(users.len(), |c, u| {
            slot::of(chats, users.camp[u as usize], u, c)
        })?;
        self.user_chats = index;
        self.user_chat_slots = slots;
        self.trust_by_kind = self.chats.trust_by_kind();
        Ok(())
    }

    /// The chats of user `u` and their slot bytes.
    #[inline]
    pub fn chats_of(&self, u: u32) -> (&[u32], &[u8]) {
        let range = self.user_chats.row_range(u as usize);
        (
            &self.user_chats.targets()[range.clone()],
            &self.user_chat_slots[range],
        )
    }

    /// Bytes held by the population's arrays.
    pub fn heap_bytes(&self) -> u64 {
        let u = &self.users;
        let users = (u.camp.capacity() + 4 * u.skepticism.capacity() + 4 * u.activity.capacity())
            + 2 * u.fanout.capacity()
            + 4 * u.followers.capacity();
        let c = &self.chats;
        let chats =
            c.kind.capacity() + 4 * c.trust.capacity() + c.camp.capacity() + 4 * c.owner.capacity();
        users as u64
            + chats as u64
            + c.members.heap_bytes()
            + self.user_chats.heap_bytes()
            + self.user_chat_slots.capacity() as u64
    }

    /// Label of user `u` as written in outputs: the imported id, or the dense id.
    pub fn user_label(&self, u: u32) -> String {
        match &self.user_labels {
            Some(l) => l[u as usize].clone(),
            None => u.to_string(),
        }
    }

    /// Label of chat `c` as written in outputs.
    pub fn chat_label(&self, c: u32) -> String {
        match &self.chat_labels {
            Some(l) => l[c as usize].clone(),
            None => c.to_string(),
        }
    }

    /// Whether user `u` may post in chat `c`.
    #[inline]
    pub fn may_post(&self, u: u32, c: u32) -> bool {
        let o = self.chats.owner[c as usize];
        o == NO_OWNER || o == u
    }
}

#[cfg(test)]
impl Population {
    /// A hand-built population for unit tests whose results can be worked out by hand:
    /// `users` users of one camp (`all`) with skepticism 0.5, activity 1, fanout "all"
    /// and no followers, and one chat per `(kind, members)` entry, in order, with the
    /// kind's default trust, no owner and camp 0. The user -> chats index and slot bytes
    /// are built as for any population; a test that gives a chat an owner calls
    /// [`Population::index_user_chats`] again.
    pub(crate) fn from_chats(users: usize, chats: &[(ChatKind, &[u32])]) -> Population {
        let kinds = chats.iter().map(|&(kind, _)| kind);
        let mut pop = Population {
            users: Users {
                camp: vec![0; users],
                skepticism: vec![0.5; users],
                activity: vec![1.0; users],
                fanout: vec![FANOUT_ALL; users],
                followers: vec![0; users],
            },
            chats: Chats {
                kind: kinds.clone().collect(),
                trust: kinds
                    .map(|k| crate::scenario::ChatKindSpec::defaults(k).trust as f32)
                    .collect(),
                camp: vec![0; chats.len()],
                owner: vec![NO_OWNER; chats.len()],
                members: Csr::from_lengths(
                    chats.iter().map(|(_, m)| m.len() as u32),
                    chats.iter().flat_map(|(_, m)| m.iter().copied()).collect(),
                ),
            },
            camp_names: vec!["all".into()],
            ..Population::default()
        };
        pop.index_user_chats();
        pop
    }
}

/// The slot byte of a (user, chat) membership: bit 7 says the user may forward there
/// (everyone may post or the user is the owner, and someone else is in the chat), bit 3
/// that the chat's dominant camp is the user's, bits 0-2 the chat's kind.
pub mod slot {
    use super::{Chats, NO_OWNER};

    /// The user may forward into this chat.
    pub const POSTABLE: u8 = 0x80;
    /// The chat's dominant camp is the user's camp.
    pub const SAME_CAMP: u8 = 0x08;
    /// Mask of the kind index.
    pub const KIND: u8 = 0x07;

    /// Slot byte of user `u` (of camp `camp`) in chat `c`.
    #[inline]
    pub fn of(chats: &Chats, camp: u8, u: u32, c: u32) -> u8 {
        let c = c as usize;
        let owner = chats.owner[c];
        let postable = (owner == NO_OWNER || owner == u) && chats.members.row_len(c) >= 2;
        let mut s = chats.kind[c] as u8 & KIND;
        if chats.camp[c] == camp {
            s |= SAME_CAMP;
        }
        if postable {
            s |= POSTABLE;
        }
        s
    }
}

/// Bytes per user and per membership of the in-memory layout, for estimates.
pub mod layout {
    /// camp u8 + skepticism f32 + activity f32 + fanout u16 + followers u32 + user->chats offset u64.
    pub const BYTES_PER_USER: u64 = 1 + 4 + 4 + 2 + 4 + 8;
    /// kind u8 + trust f32 + camp u8 + owner u32 + members offset u64.
    pub const BYTES_PER_CHAT: u64 = 1 + 4 + 1 + 4 + 8;
    /// One u32 in chat -> members, one in user -> chats and its slot byte.
    pub const BYTES_PER_MEMBERSHIP: u64 = 9;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_allocation_is_an_error_with_the_figures() {
        // More than the address space: refused by the allocator, not an abort.
        let e = try_filled(usize::MAX / 8, 0u64, "the users' attributes").unwrap_err();
        let CapacityError::Allocation { what, bytes } = e else {
            panic!("{e}")
        };
        assert_eq!(what, "the users' attributes");
        assert_eq!(bytes, (usize::MAX / 8) as u64 * 8);
        let text = CapacityError::Allocation { what, bytes }.to_string();
        assert!(
            text.starts_with("out of memory: the system refused"),
            "{text}"
        );
        assert!(text.contains("TiB for the users' attributes"), "{text}");
        assert_eq!(try_filled(3, 7u8, "x").unwrap(), [7, 7, 7]);
    }

    /// The hand-built population indexes chats as generation does: each user's chats in
    /// increasing id, with slot bytes saying where they may forward.
    #[test]
    fn from_chats_indexes_users_and_slots() {
        let pop = Population::from_chats(
            4,
            &[
                (ChatKind::Family, &[0, 1, 2]),
                (ChatKind::Direct, &[2, 3]),
                (ChatKind::Work, &[3]),
            ],
        );
        assert_eq!(
            (pop.n_users(), pop.n_chats(), pop.n_memberships()),
            (4, 3, 6)
        );
        assert_eq!(pop.chats_of(2).0, [0, 1]);
        assert_eq!(pop.chats_of(3).0, [1, 2]);
        let (_, slots) = pop.chats_of(3);
        assert_eq!(
            slots[0],
            slot::POSTABLE | slot::SAME_CAMP | ChatKind::Direct as u8
        );
        // Alone in a chat: nobody to forward to.
        assert_eq!(slots[1] & slot::POSTABLE, 0);
        assert_eq!(pop.trust_by_kind.unwrap()[ChatKind::Family.index()], 0.9);
    }
}
