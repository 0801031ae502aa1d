//! The population: users (struct of arrays) and chats (hyperedges in CSR form).
//!
//! Built once per scenario, by [`generate`] from the scenario's distributions or by
//! [`import`] from files, then shared read-only by every replicate of the engine.
//! Ids are dense u32: users `0..n_users`, chats `0..n_chats`.

pub mod csr;
pub mod export;
pub mod generate;
pub mod import;
pub mod network;

pub use generate::generate;

pub use csr::Csr;

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

/// Users and chats, ready for the engine.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Population {
    pub users: Users,
    pub chats: Chats,
    /// user -> chats, the transpose of `chats.members`.
    pub user_chats: Csr,
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

    /// Builds the user -> chats index from the chat -> members lists.
    pub fn index_user_chats(&mut self) {
        self.user_chats = self.chats.members.transpose(self.users.len());
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
        users as u64 + chats as u64 + c.members.heap_bytes() + self.user_chats.heap_bytes()
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

/// Bytes per user and per membership of the in-memory layout, for estimates.
pub mod layout {
    /// camp u8 + skepticism f32 + activity f32 + fanout u16 + followers u32 + user->chats offset u64.
    pub const BYTES_PER_USER: u64 = 1 + 4 + 4 + 2 + 4 + 8;
    /// kind u8 + trust f32 + camp u8 + owner u32 + members offset u64.
    pub const BYTES_PER_CHAT: u64 = 1 + 4 + 1 + 4 + 8;
    /// One u32 in chat -> members and one in user -> chats.
    pub const BYTES_PER_MEMBERSHIP: u64 = 8;
}
