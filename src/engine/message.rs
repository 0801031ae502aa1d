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
    /// The rumor the scenario is about.
    Rumor,
    /// A correction of the rumor (a fact-checker's or a user's).
    Correction,
    /// An organisation's answer to a complaint (a `response` intervention).
    Response,
}

/// One post: a copy of a message sent into one chat (or straight to a list of users).
#[derive(Clone, Copy, Debug)]
pub struct Post {
    /// User who posted it; [`NO_SENDER`] for posts from outside the population.
    pub sender: u32,
    /// Chat it was posted into; [`NO_CHAT`] for posts sent straight to a list of users.
    pub chat: u32,
    /// Forwards between the original post and this one: 0 for an original post, one
    /// more than the copy the sender forwarded otherwise.
    pub hop: u32,
    /// Whether it carries the "forwarded many times" label (decided from `hop` and the
    /// rules in force when it was posted, and kept afterwards).
    pub labelled: bool,
    /// Which message it carries.
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

/// One unread copy of a post in a user's inbox. It carries what filing and reading
/// need (the message, the label, the trust of the chat it came through, the chat's
/// background traffic), so reading and reach never look the post up at random; copies
/// are ordered by (user, post). 16 bytes: the traffic fills what was padding.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Inbox {
    pub user: u32,
    pub post: u32,
    pub trust: f32,
    pub msg: Msg,
    pub labelled: bool,
    /// Background messages per day in the chat the copy came through, saturating; 0
    /// unless limited attention looks at a copy's position (`attention.half_visible`).
    pub traffic: u16,
}

impl Inbox {
    /// Sort key: by user, then in posting order.
    #[inline]
    pub(super) fn key(&self) -> u64 {
        (self.user as u64) << 32 | self.post as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ChatKind;

    /// An original post knows its chat's kind; one outside chats has kind 0.
    #[test]
    fn originals_carry_their_chat_kind() {
        let pop =
            Population::from_chats(3, &[(ChatKind::Family, &[0, 1]), (ChatKind::Work, &[1, 2])]);
        let p = Post::original(&pop, 1, 1, Msg::Rumor);
        assert_eq!(
            (p.hop, p.labelled, p.kind),
            (0, false, ChatKind::Work as u8)
        );
        assert_eq!(Post::original(&pop, 1, NO_CHAT, Msg::Rumor).kind, 0);
    }

    /// The traffic field fills padding: a copy stays 16 bytes.
    #[test]
    fn a_copy_is_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<Inbox>(), 16);
    }

    /// Copies sort by user first, then by post.
    #[test]
    fn copies_sort_by_user_then_post() {
        let copy = |user, post| Inbox {
            user,
            post,
            trust: 0.5,
            msg: Msg::Rumor,
            labelled: false,
            traffic: 0,
        };
        let mut copies = [copy(2, 0), copy(1, 7), copy(1, 3), copy(0, 9)];
        copies.sort_unstable_by_key(Inbox::key);
        let order: Vec<_> = copies.iter().map(|c| (c.user, c.post)).collect();
        assert_eq!(order, [(0, 9), (1, 3), (1, 7), (2, 0)]);
    }
}
