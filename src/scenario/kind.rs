//! The kinds of chat a messaging platform has, with their default properties.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A kind of chat. Stored as one byte per chat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum ChatKind {
    /// Family groups: small, very trusted, homophilous.
    Family = 0,
    /// Friends' groups.
    Friends = 1,
    /// Work groups: mixed camps, moderate trust.
    Work = 2,
    /// Neighbourhood, school, church, hobby groups.
    Community = 3,
    /// Large political groups joined by invite links, capped at the platform's group size.
    Political = 4,
    /// Broadcast lists and channels: one owner posts, many receive.
    Broadcast = 5,
    /// One-to-one conversations.
    Direct = 6,
}

impl ChatKind {
    /// All kinds, in storage order.
    pub const ALL: [ChatKind; 7] = [
        ChatKind::Family,
        ChatKind::Friends,
        ChatKind::Work,
        ChatKind::Community,
        ChatKind::Political,
        ChatKind::Broadcast,
        ChatKind::Direct,
    ];

    /// The kind's name as written in scenario and CSV files.
    pub fn name(self) -> &'static str {
        match self {
            ChatKind::Family => "family",
            ChatKind::Friends => "friends",
            ChatKind::Work => "work",
            ChatKind::Community => "community",
            ChatKind::Political => "political",
            ChatKind::Broadcast => "broadcast",
            ChatKind::Direct => "direct",
        }
    }

    /// Parses a kind name (case-insensitive).
    pub fn parse(text: &str) -> Option<ChatKind> {
        let t = text.trim().to_ascii_lowercase();
        ChatKind::ALL.into_iter().find(|k| k.name() == t)
    }

    /// Index into per-kind tables.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Kind from its storage byte.
    pub fn from_index(i: u8) -> ChatKind {
        ChatKind::ALL[i as usize]
    }
}

impl fmt::Display for ChatKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
