//! Per-user dynamic state of one replicate, as compact parallel arrays, with the
//! running counts that the step records report (kept up to date on every transition,
//! so recording a step never scans the population).

use crate::metrics::StepRecord;

/// A user's belief state for the rumor. These partition the population.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Belief {
    Unaware = 0,
    Exposed = 1,
    Rejecter = 2,
    Believer = 3,
    Immune = 4,
    Corrected = 5,
}

/// A user's spreading role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Role {
    None = 0,
    Spreader = 1,
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
}

/// No post (a user not convinced by any copy yet, or a seed).
pub const NO_POST: u32 = u32::MAX;

/// Dynamic state of every user in one replicate.
pub struct State {
    pub belief: Vec<Belief>,
    pub role: Vec<Role>,
    pub flags: Vec<u8>,
    /// Rumor copies read so far (for the repetition effect), saturating.
    pub copies_read: Vec<u16>,
    /// Share actions left for a spreader.
    pub shares_left: Vec<u16>,
    /// The post whose copy this user forwards (the one that convinced them).
    pub source_post: Vec<u32>,
    /// Running counts by belief state, indexed by `Belief as usize`.
    pub belief_counts: [u64; 6],
    pub spreaders: u64,
    pub stiflers: u64,
    pub reached: u64,
    pub read: u64,
}

impl State {
    /// Everyone unaware.
    pub fn new(n: usize) -> State {
        State {
            belief: vec![Belief::Unaware; n],
            role: vec![Role::None; n],
            flags: vec![0; n],
            copies_read: vec![0; n],
            shares_left: vec![0; n],
            source_post: vec![NO_POST; n],
            belief_counts: [n as u64, 0, 0, 0, 0, 0],
            spreaders: 0,
            stiflers: 0,
            reached: 0,
            read: 0,
        }
    }

    /// Bytes per user held by a replicate's state.
    pub const BYTES_PER_USER: u64 = 1 + 1 + 1 + 2 + 2 + 4;

    /// Moves user `u` to belief state `b`, keeping counts.
    #[inline]
    pub fn set_belief(&mut self, u: u32, b: Belief) {
        let old = &mut self.belief[u as usize];
        self.belief_counts[*old as usize] -= 1;
        self.belief_counts[b as usize] += 1;
        *old = b;
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

    /// Marks user `u` reached; returns whether this is the first time.
    #[inline]
    pub fn mark_reached(&mut self, u: u32) -> bool {
        let f = &mut self.flags[u as usize];
        if *f & flag::REACHED != 0 {
            return false;
        }
        *f |= flag::REACHED;
        self.reached += 1;
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

    /// Whether user `u` has read the rumor.
    #[inline]
    pub fn has_read(&self, u: u32) -> bool {
        self.flags[u as usize] & flag::READ != 0
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
            ..StepRecord::default()
        }
    }
}
