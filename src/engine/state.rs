//! Per-user dynamic state of one replicate, as compact parallel arrays, with the
//! running counts that the step records report (kept up to date on every transition,
//! so recording a step never scans the population).

use crate::record::{CampCounts, StepRecord};

/// A user's belief state for the rumor. These partition the population.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Belief {
    /// Has never received a copy of the rumor (and has not become immune).
    Unaware = 0,
    /// Has received at least one copy but read none (and is not immune).
    Exposed = 1,
    /// Has read copies and is not convinced; later copies may still convince them.
    Rejecter = 2,
    /// Believes the rumor (seeds start as believers).
    Believer = 3,
    /// Accepted a correction without believing, or posted one as a fact-checker or
    /// moderating admin: no rumor copy can convince them.
    Immune = 4,
    /// Believed, then accepted a correction.
    Corrected = 5,
}

/// A user's spreading role for the rumor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Role {
    /// Has never decided to spread (also seed posters and mass-messaging accounts, who
    /// post once and take no role).
    None = 0,
    /// Has share actions still to come.
    Spreader = 1,
    /// Has stopped spreading: actions used up, stifled, corrected or made immune while
    /// reading, banned, or answered by a `response`.
    Stifler = 2,
}

/// Flag bits in [`State::flags`].
pub mod flag {
    /// Received at least one copy of the rumor.
    pub const REACHED: u8 = 1;
    /// Read at least one copy of the rumor.
    pub const READ: u8 = 2;
    /// May no longer post (banned).
    pub const BANNED: u8 = 4;
    /// Made more skeptical by prebunking.
    pub const PREBUNKED: u8 = 8;
    /// Received at least one copy of the correction.
    pub const CORR_REACHED: u8 = 16;
    /// Read the correction.
    pub const CORR_READ: u8 = 32;
    /// Believes, is immune or corrected: a rumor copy can no longer change the belief.
    /// Mirrors [`super::State::belief`] so that delivery reads one byte per recipient.
    pub const CLOSED: u8 = 64;
    /// Posted the rumor at least once (a node of the sharers' tree).
    pub const SHARED: u8 = 128;
}

/// No post (a user not convinced by any copy yet, or a seed).
pub const NO_POST: u32 = u32::MAX;
/// No step.
pub const NO_STEP: u32 = u32::MAX;

/// Dynamic state of every user in one replicate.
#[derive(Clone)]
pub struct State<'a> {
    /// Camp of each user (from the population), for per-camp counts.
    camp: &'a [u8],
    /// Belief state of each user; change it through [`State::set_belief`], which keeps
    /// the counts and the [`flag::CLOSED`] bit in step.
    pub belief: Vec<Belief>,
    /// Spreading role of each user; change it through [`State::set_role`], which keeps
    /// the counts in step.
    pub role: Vec<Role>,
    /// [`flag`] bits of each user.
    pub flags: Vec<u8>,
    /// Exposures to the rumor so far (for the repetition effect and the complex
    /// contagion threshold), saturating: exposure events (distinct senders per
    /// session) with `belief.exposure = "sources"`, copies read with `"copies"`.
    pub exposures: Vec<u16>,
    /// Share actions left for a spreader.
    pub shares_left: Vec<u16>,
    /// The post whose copy this user forwards (the one that convinced them).
    pub source_post: Vec<u32>,
    /// Rumor posts made by each user (for bans), saturating.
    pub posts_made: Vec<u16>,
    /// The step at which a user with unread copies will read them ([`NO_STEP`] if none
    /// was set; a step in the past is stale and means none).
    pub read_at: Vec<u32>,
    /// The correction post a user forwards; allocated when the first correction appears.
    pub corr_source: Vec<u32>,
    /// Per user, 1 + the index (among the prebunks with an `effect` fired so far) of the
    /// strongest prebunk that reached them, 0 for none; allocated when the first such
    /// prebunk fires.
    pub prebunk: Vec<u8>,
    /// With persistence on: each spreader's position in its ranking of chats (chats
    /// already posted into or given up); empty when persistence is off.
    pub ranked: Vec<u16>,
    /// Running counts by belief state, indexed by `Belief as usize`.
    pub belief_counts: [u64; 6],
    /// Users whose role is [`Role::Spreader`] now.
    pub spreaders: u64,
    /// Users whose role is [`Role::Stifler`] now.
    pub stiflers: u64,
    /// Users ever reached by the rumor ([`flag::REACHED`]).
    pub reached: u64,
    /// Users who ever read a rumor copy ([`flag::READ`]).
    pub read: u64,
    /// Users ever reached by a correction ([`flag::CORR_REACHED`]).
    pub corr_reached: u64,
    /// Users who ever read a correction ([`flag::CORR_READ`]).
    pub corr_read: u64,
    /// Per camp: reached, believers.
    pub camps: Vec<CampCounts>,
}

impl<'a> State<'a> {
    /// Everyone unaware.
    pub fn new(camp: &'a [u8], n_camps: usize) -> State<'a> {
        let n = camp.len();
        State {
            camp,
            belief: vec![Belief::Unaware; n],
            role: vec![Role::None; n],
            flags: vec![0; n],
            exposures: vec![0; n],
            shares_left: vec![0; n],
            source_post: vec![NO_POST; n],
            posts_made: vec![0; n],
            read_at: vec![NO_STEP; n],
            corr_source: Vec::new(),
            prebunk: Vec::new(),
            ranked: Vec::new(),
            belief_counts: [n as u64, 0, 0, 0, 0, 0],
            spreaders: 0,
            stiflers: 0,
            reached: 0,
            read: 0,
            corr_reached: 0,
            corr_read: 0,
            camps: vec![CampCounts::default(); n_camps],
        }
    }

    /// Bytes per user held by a replicate's state (the correction source adds 4 once a
    /// correction circulates, prebunking by `effect` 1 once such a prebunk fires,
    /// persistence [`State::PERSISTENCE_BYTES`]).
    pub const BYTES_PER_USER: u64 = 1 + 1 + 1 + 2 + 2 + 4 + 2 + 4;

    /// Bytes per user of the ranking position, held only with persistence on.
    pub const PERSISTENCE_BYTES: u64 = 2;

    /// Moves user `u` to belief state `b`, keeping counts.
    #[inline]
    pub fn set_belief(&mut self, u: u32, b: Belief) {
        let old = &mut self.belief[u as usize];
        if *old == b {
            return;
        }
        let camp = &mut self.camps[self.camp[u as usize] as usize];
        if *old == Belief::Believer {
            camp.believers -= 1;
        }
        if b == Belief::Believer {
            camp.believers += 1;
        }
        self.belief_counts[*old as usize] -= 1;
        self.belief_counts[b as usize] += 1;
        *old = b;
        let f = &mut self.flags[u as usize];
        if matches!(b, Belief::Believer | Belief::Immune | Belief::Corrected) {
            *f |= flag::CLOSED;
        } else {
            *f &= !flag::CLOSED;
        }
    }

    /// Moves user `u` to role `r`, keeping counts.
    #[inline]
    pub fn set_role(&mut self, u: u32, r: Role) {
        let old = &mut self.role[u as usize];
        match *old {
            Role::Spreader => self.spreaders -= 1,
            Role::Stifler => self.stiflers -= 1,
            Role::None => {}
        }
        match r {
            Role::Spreader => self.spreaders += 1,
            Role::Stifler => self.stiflers += 1,
            Role::None => {}
        }
        *old = r;
    }

    /// Marks user `u` reached by the rumor; returns whether this is the first time.
    #[inline]
    pub fn mark_reached(&mut self, u: u32) -> bool {
        let f = &mut self.flags[u as usize];
        if *f & flag::REACHED != 0 {
            return false;
        }
        *f |= flag::REACHED;
        self.reached += 1;
        self.camps[self.camp[u as usize] as usize].reached += 1;
        if self.belief[u as usize] == Belief::Unaware {
            self.set_belief(u, Belief::Exposed);
        }
        true
    }

    /// Marks user `u` as having read the rumor.
    #[inline]
    pub fn mark_read(&mut self, u: u32) {
        let f = &mut self.flags[u as usize];
        if *f & flag::READ == 0 {
            *f |= flag::READ;
            self.read += 1;
        }
    }

    /// Marks user `u` reached by the correction.
    #[inline]
    pub fn mark_corr_reached(&mut self, u: u32) {
        let f = &mut self.flags[u as usize];
        if *f & flag::CORR_REACHED == 0 {
            *f |= flag::CORR_REACHED;
            self.corr_reached += 1;
        }
    }

    /// Marks user `u` as having read the correction.
    #[inline]
    pub fn mark_corr_read(&mut self, u: u32) {
        self.mark_corr_reached(u);
        let f = &mut self.flags[u as usize];
        if *f & flag::CORR_READ == 0 {
            *f |= flag::CORR_READ;
            self.corr_read += 1;
        }
    }

    /// Whether user `u` has the flag `bit`.
    #[inline]
    pub fn has(&self, u: u32, bit: u8) -> bool {
        self.flags[u as usize] & bit != 0
    }

    /// A record of the current counts (flows filled in by the caller).
    pub fn record(&self, step: u32) -> StepRecord {
        let c = &self.belief_counts;
        StepRecord {
            step,
            reached: self.reached,
            read: self.read,
            unaware: c[Belief::Unaware as usize],
            exposed: c[Belief::Exposed as usize],
            rejecters: c[Belief::Rejecter as usize],
            believers: c[Belief::Believer as usize],
            immune: c[Belief::Immune as usize],
            corrected: c[Belief::Corrected as usize],
            spreaders: self.spreaders,
            stiflers: self.stiflers,
            correction_reached: self.corr_reached,
            correction_read: self.corr_read,
            ..StepRecord::default()
        }
    }
}
