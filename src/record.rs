//! What a run records: one [`StepRecord`] per step, one [`CascadeEntry`] per user
//! reached, and the [`RunOutput`] of a whole replicate. The engine writes these; trigger
//! conditions (in `scenario`) test them; metrics and output read them. This module sits
//! below all three and depends on nothing else in the crate, so none of them has to
//! reach into another's internals for the raw material of every figure and file.

use serde::Serialize;

/// State counts and flows after one step. Counts are users, not fractions.
///
/// The belief states partition the population:
/// `unaware + exposed + rejecters + believers + immune + corrected = users`.
/// Spreaders and stiflers are roles held by some of those users.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StepRecord {
    /// Step index, from 0.
    pub step: u32,
    /// Users who ever received a copy of the rumor.
    pub reached: u64,
    /// Users who ever read a copy of the rumor.
    pub read: u64,
    /// Users who never received a copy.
    pub unaware: u64,
    /// Users with unread copies who have not read any yet.
    pub exposed: u64,
    /// Users who read the rumor and do not believe it.
    pub rejecters: u64,
    /// Users who currently believe the rumor.
    pub believers: u64,
    /// Users made immune by a correction before believing.
    pub immune: u64,
    /// Former believers corrected by a correction.
    pub corrected: u64,
    /// Users with share actions still to come.
    pub spreaders: u64,
    /// Former spreaders who stopped (shares done, or stifled).
    pub stiflers: u64,
    /// Users reached for the first time in this step.
    pub new_reached: u64,
    /// Copies of the rumor delivered in this step.
    pub deliveries: u64,
    /// Rumor posts (one per chat a copy was sent to) in this step.
    pub posts: u64,
    /// Largest hop count of any copy delivered so far.
    pub max_hops: u32,
    /// Users who ever received a copy of the correction.
    pub correction_reached: u64,
    /// Users who read the correction.
    pub correction_read: u64,
    /// Public posts about the rumor in this step.
    pub public_posts: u64,
    /// Public impressions so far (followers of every public post; a person may be
    /// counted more than once).
    pub public_reach: u64,
    /// 1 while the press covers the story.
    pub press: u64,
    /// 1 from the step a crisis is declared.
    pub crisis: u64,
    /// Rumor copies delivered in this step that their reader will never see (limited
    /// attention: expired before the reader opened the app, or skimmed past).
    pub copies_unseen: u64,
    /// Rumor posts at hop 0 (originals) in this step.
    pub posts_original: u64,
    /// Rumor posts at hop 1 or more without the "forwarded many times" label.
    pub posts_forwarded: u64,
    /// Rumor posts carrying the "forwarded many times" label.
    pub posts_labelled: u64,
    /// Forward actions (share actions forwarding a received copy) that posted the
    /// rumor at least once in this step.
    pub share_actions: u64,
}

/// Counts of one camp after a step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CampCounts {
    /// Users of the camp ever reached by the rumor.
    pub reached: u64,
    /// Users of the camp who currently believe it.
    pub believers: u64,
}

/// How a user was first reached: the cascade tree's edge into that user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CascadeEntry {
    /// The user reached.
    pub user: u32,
    /// The sender of the first copy; `None` for seeds (tree roots).
    pub parent: Option<u32>,
    /// Hop count of that copy (0 for a seed's own post).
    pub hops: u32,
    /// Step at which the user was reached.
    pub step: u32,
    /// Chat the copy came through; `None` for seeds.
    pub chat: Option<u32>,
}

/// A node of the sharers' tree: a user who posted the rumor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Sharer {
    /// The user who posted.
    pub user: u32,
    /// The sender of the copy they forwarded at their first post; `None` for an
    /// original (a root).
    pub parent: Option<u32>,
}

/// Everything one replicate produced.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunOutput {
    /// One record per step.
    pub records: Vec<StepRecord>,
    /// Per step, per camp: reached and believers (empty with a single camp).
    pub camp_records: Vec<Vec<CampCounts>>,
    /// One entry per user reached, in the order they were reached (the reach tree).
    pub cascade: Vec<CascadeEntry>,
    /// The sharers' tree: one entry per user who posted the rumor, in order of first
    /// post.
    pub sharers: Vec<Sharer>,
    /// Step at which each intervention fired (None if it never did).
    pub fired: Vec<Option<u32>>,
    /// Steps of the first public post, press pickup and crisis (None if never).
    pub stages: Stages,
}

/// When the spill-over stages were first reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stages {
    /// Step of the first public post.
    pub first_public_post: Option<u32>,
    /// Step the press picked the story up.
    pub press: Option<u32>,
    /// Step a crisis was declared.
    pub crisis: Option<u32>,
}
