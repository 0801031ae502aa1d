//! What travels: the messages ([`Msg`]), posts (one message sent into one chat or to a
//! list of users) and the inbox copies a recipient keeps until they read them.
//!
//! A post is made in the posting phase and never changes; each recipient's copy
//! ([`Inbox`]) carries what reading needs (message, label, trust of the chat it came
//! through), so delivery, reach and reading never look the post up at random.

use crate::population::Population;

/// Chat id of posts delivered straight to a list of users (mass messages, a
/// fact-checker's subscribers) rather than through one of the population's chats.
pub const NO_CHAT: u32 = u32::MAX;

/// Sender id of posts from outside the population (a fact-checker's channel).
pub const NO_SENDER: u32 = u32::MAX;

/// Which message a post carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    Rumor,
    Correction,
    /// An organisation's answer to a complaint (a `response` intervention).
    Response,
}

/// One post: a copy of a message sent into one chat (or straight to a list of users).
#[derive(Clone, Copy, Debug)]
pub struct Post {
    pub sender: u32,
    pub chat: u32,
    pub hop: u32,
    pub labelled: bool,
    pub msg: Msg,
    /// Kind index of the chat (known when the chat is chosen), so delivery finds the
    /// chat's trust without looking the chat up; 0 for posts outside chats.
    pub kind: u8,
}

impl Post {
    /// An original post (hop 0, unlabelled) of `msg` by `sender` into `chat`, which may
    /// be [`NO_CHAT`].
    pub fn original(pop: &Population, sender: u32, chat: u32, msg: Msg) -> Post {
        Post {
            sender,
            chat,
            hop: 0,
            labelled: false,
            msg,
            kind: if chat == NO_CHAT {
                0
            } else {
                pop.chats.kind[chat as usize] as u8
            },
        }
    }
}

/// One unread copy of a post in a user's inbox. It carries what reading needs (the
/// message, the label, the trust of the chat it came through), so reading and reach
/// never look the post up at random; copies are ordered by (user, post).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Inbox {
    pub user: u32,
    pub post: u32,
    pub trust: f32,
    pub msg: Msg,
    pub labelled: bool,
}

impl Inbox {
    /// Sort key: by user, then in posting order.
    #[inline]
    pub(super) fn key(&self) -> u64 {
        (self.user as u64) << 32 | self.post as u64
    }
}
