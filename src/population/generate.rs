//! Synthetic populations: users with camps and attributes, and chats of every kind
//! with homophily and heavy-tailed memberships, built from a scenario's distributions.
//!
//! Deterministic for a seed and independent of the thread count: each user's
//! attributes come from the keyed stream `(seed, 0, 0, user, UserAttributes)` and each
//! chat's members from `(seed, 0, kind, chat, ChatMembers)`, and parallel results are
//! concatenated in index order.
//!
//! # Complexity
//! O(users + memberships) time and memory; chats are generated in parallel chunks.

use super::alias::UserAlias;
use super::{
    or_abort, try_filled, try_reserve, Chats, Csr, Population, Users, FANOUT_ALL, NO_OWNER,
};
use crate::error::CapacityError;
use crate::rng::{self, Purpose, Rng};
use crate::scenario::{ChatKind, ChatKindSpec, IntDist, Posting, ReferenceNetwork, Scenario};
use rand::Rng as _;
use rand_distr::{Distribution, LogNormal};
use rayon::prelude::*;

/// Chats generated per parallel task: large enough to amortise task overhead, small
/// enough to balance the load.
const CHAT_CHUNK: usize = 2048;

/// Expected sizes of a generated population, for capacity checks before building it.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct SizeEstimate {
    /// Users.
    pub users: u64,
    /// Expected chats.
    pub chats: u64,
    /// Expected memberships (user in chat).
    pub memberships: u64,
}

impl SizeEstimate {
    /// Bytes the population will hold once built. While it is built, the
    /// sociability samplers (16 bytes per user) come and go before the user -> chats
    /// index, whose transpose needs more: see [`crate::simulation::MemoryEstimate`].
    pub fn bytes(&self) -> u64 {
        use super::layout::*;
        self.users * BYTES_PER_USER
            + self.chats * BYTES_PER_CHAT
            + self.memberships * BYTES_PER_MEMBERSHIP
    }
}

/// Size cap of a kind: broadcast lists count receivers under `broadcast_cap`, every
/// other kind counts members under `group_cap`.
fn kind_cap(scenario: &Scenario, kind: ChatKind) -> u32 {
    match kind {
        ChatKind::Broadcast => scenario.platform.broadcast_cap,
        _ => scenario.platform.group_cap,
    }
}

/// Number of chats of a kind for `users` users under a group-size cap.
fn chat_count(spec: &ChatKindSpec, users: u64, cap: u32) -> u64 {
    let members_per_chat = match spec.kind {
        ChatKind::Direct => 2.0,
        _ => spec.size.mean(cap).max(1.0),
    };
    (users as f64 * spec.per_user / members_per_chat).round() as u64
}

/// Expected counts for a generated population.
pub fn estimate(scenario: &Scenario) -> SizeEstimate {
    let users = scenario.population.generated_users().unwrap_or(0);
    if let Some(net) = scenario.population.network() {
        let pairs = users * users.saturating_sub(1) / 2;
        let edges = match net {
            ReferenceNetwork::ErdosRenyi { mean_degree } => {
                ((users as f64 * mean_degree / 2.0).round() as u64).min(pairs)
            }
            ReferenceNetwork::Complete => pairs,
            ReferenceNetwork::Star | ReferenceNetwork::Path | ReferenceNetwork::Tree { .. } => {
                users.saturating_sub(1)
            }
        };
        return SizeEstimate {
            users,
            chats: edges,
            memberships: 2 * edges,
        };
    }
    let mut chats = 0;
    let mut memberships = 0.0;
    for spec in scenario.population.kinds.iter().flatten() {
        let cap = kind_cap(scenario, spec.kind);
        let n = chat_count(spec, users, cap);
        chats += n;
        let per_chat = match spec.kind {
            ChatKind::Direct => 2.0,
            ChatKind::Broadcast => spec.size.mean(cap) + 1.0,
            _ => spec.size.mean(cap),
        };
        memberships += n as f64 * per_chat;
    }
    SizeEstimate {
        users,
        chats,
        memberships: memberships as u64,
    }
}

/// Draws users from camps: uniformly, or in proportion to a sociability weight.
struct CampSampler {
    /// Users of each camp.
    members: Vec<Vec<u32>>,
    /// Sociability-weighted sampler per camp (heavy-tailed kinds); None if the camp is
    /// empty.
    weighted: Vec<Option<UserAlias>>,
    /// Cumulative camp shares among camps that have users.
    camp_cdf: Vec<f64>,
}

impl CampSampler {
    fn new(camps: &[u8], weights: &[f32], shares: &[f64]) -> CampSampler {
        let mut members = vec![Vec::new(); shares.len()];
        for (u, &c) in camps.iter().enumerate() {
            members[c as usize].push(u as u32);
        }
        let weighted = members
            .par_iter()
            .map(|m| {
                let w: Vec<f32> = m.iter().map(|&u| weights[u as usize]).collect();
                UserAlias::new(m, &w)
            })
            .collect();
        let mut acc = 0.0;
        let camp_cdf = shares
            .iter()
            .zip(&members)
            .map(|(s, m)| {
                if !m.is_empty() {
                    acc += s;
                }
                acc
            })
            .collect();
        CampSampler {
            members,
            weighted,
            camp_cdf,
        }
    }

    /// A camp drawn by population share (only camps with users).
    fn any_camp(&self, rng: &mut Rng) -> usize {
        let total = *self.camp_cdf.last().unwrap_or(&1.0);
        let x = rng.random::<f64>() * total;
        self.camp_cdf
            .iter()
            .position(|&c| x < c)
            .unwrap_or(self.camp_cdf.len() - 1)
    }

    /// A user of camp `c` (falls back to any camp if `c` is empty).
    fn user_of(&self, c: usize, heavy: bool, rng: &mut Rng) -> u32 {
        let c = if self.members[c].is_empty() {
            self.any_camp(rng)
        } else {
            c
        };
        let m = &self.members[c];
        match (&self.weighted[c], heavy) {
            (Some(w), true) => w.sample(rng),
            _ => m[rng.random_range(0..m.len())],
        }
    }

    /// A member for a chat of dominant camp `c`: from `c` with probability `homophily`.
    fn member(&self, c: usize, homophily: f64, heavy: bool, rng: &mut Rng) -> u32 {
        let camp = if rng.random::<f64>() < homophily {
            c
        } else {
            self.any_camp(rng)
        };
        self.user_of(camp, heavy, rng)
    }
}

/// Builds a synthetic population for a checked scenario, from its seed.
pub fn generate(scenario: &Scenario) -> Population {
    generate_seeded(scenario, scenario.simulation.seed)
}

/// As [`generate`], with [`CapacityError::Allocation`] instead of an abort if the
/// system refuses the memory for one of the large arrays.
pub fn try_generate(scenario: &Scenario) -> Result<Population, CapacityError> {
    try_generate_seeded(scenario, scenario.simulation.seed)
}

/// Seed of the population of replicate `replicate`: the scenario's seed, or with
/// `fresh_population` one derived from (seed, replicate) for replicates after the
/// first (so replicate 0 always runs on the population `generate` builds).
pub fn population_seed(scenario: &Scenario, replicate: u32) -> u64 {
    let seed = scenario.simulation.seed;
    if scenario.simulation.fresh_population && replicate > 0 {
        rng::derive_seed(seed, &[0x706F70, replicate as u64])
    } else {
        seed
    }
}

/// Builds a synthetic population with an explicit seed.
pub fn generate_seeded(scenario: &Scenario, seed: u64) -> Population {
    or_abort(try_generate_seeded(scenario, seed))
}

/// As [`generate_seeded`], with [`CapacityError::Allocation`] instead of an abort if
/// the system refuses the memory for one of the large arrays (the per-user
/// attributes, the membership lists and chat attributes, reserved at their expected
/// size, and the user -> chats index).
pub fn try_generate_seeded(scenario: &Scenario, seed: u64) -> Result<Population, CapacityError> {
    let n = scenario.population.generated_users().unwrap_or(0) as usize;
    let pop_cfg = &scenario.population;
    let shares: Vec<f64> = pop_cfg.camps.iter().map(|c| c.share).collect();
    let camp_cdf: Vec<f64> = shares
        .iter()
        .scan(0.0, |acc, s| {
            *acc += s;
            Some(*acc)
        })
        .collect();
    let sociability = LogNormal::new(0.0, pop_cfg.sociability.max(1e-9)).ok();

    let what = "the users' attributes";
    let mut users = Users {
        camp: try_filled(n, 0, what)?,
        skepticism: try_filled(n, 0.0, what)?,
        activity: try_filled(n, 0.0, what)?,
        fanout: try_filled(n, 0, what)?,
        followers: try_filled(n, 0, what)?,
    };
    let mut weights = try_filled(n, 1.0f32, what)?;
    let public = &scenario.public;
    users
        .camp
        .par_iter_mut()
        .zip(users.skepticism.par_iter_mut())
        .zip(users.activity.par_iter_mut())
        .zip(users.fanout.par_iter_mut())
        .zip(weights.par_iter_mut())
        .zip(users.followers.par_iter_mut())
        .enumerate()
        .with_min_len(4096)
        .for_each(|(u, (((((camp, skep), act), fan), w), followers))| {
            let mut r = rng::stream(seed, 0, 0, u as u64, Purpose::UserAttributes);
            let x: f64 = r.random();
            *camp = camp_cdf
                .iter()
                .position(|&c| x < c)
                .unwrap_or(camp_cdf.len() - 1) as u8;
            *skep = pop_cfg.skepticism.sample(&mut r) as f32;
            *act = pop_cfg.activity.sample(&mut r) as f32;
            *fan = match pop_cfg.fanout {
                IntDist::All => FANOUT_ALL,
                ref d => d.sample(&mut r, u32::MAX).min(FANOUT_ALL as u32 - 1) as u16,
            };
            if let Some(d) = &sociability {
                *w = d.sample(&mut r) as f32;
            }
            // Drawn last, so adding a public layer leaves every other attribute as it was.
            if let Some(p) = &public {
                if r.random::<f64>() < p.share {
                    *followers = p.followers.sample(&mut r, u32::MAX).max(1);
                }
            }
        });

    if let Some(net) = pop_cfg.network() {
        return network_population(scenario, users, net, seed);
    }
    let sampler = CampSampler::new(&users.camp, &weights, &shares);
    drop(weights);

    let mut chats = Chats::default();
    let mut lengths: Vec<u32> = Vec::new();
    let mut flat: Vec<u32> = Vec::new();
    // Reserved at the expected sizes (1% over): no doubling of the largest arrays.
    let expected = estimate(scenario);
    let (n_chats, n_members) = (
        (expected.chats + expected.chats / 100) as usize,
        (expected.memberships + expected.memberships / 100) as usize,
    );
    let what = "the chats";
    try_reserve(&mut flat, n_members, "the chats' members")?;
    try_reserve(&mut lengths, n_chats, what)?;
    try_reserve(&mut chats.camp, n_chats, what)?;
    try_reserve(&mut chats.owner, n_chats, what)?;
    try_reserve(&mut chats.kind, n_chats, what)?;
    try_reserve(&mut chats.trust, n_chats, what)?;
    for spec in scenario.population.kinds.iter().flatten() {
        let cap = kind_cap(scenario, spec.kind);
        let count = chat_count(spec, n as u64, cap) as usize;
        let parts: Vec<ChunkOut> = (0..count.div_ceil(CHAT_CHUNK))
            .into_par_iter()
            .map(|chunk| {
                let lo = chunk * CHAT_CHUNK;
                let hi = (lo + CHAT_CHUNK).min(count);
                let mut out = ChunkOut::default();
                for i in lo..hi {
                    let mut r =
                        rng::stream(seed, 0, spec.kind as u64, i as u64, Purpose::ChatMembers);
                    build_chat(spec, cap, &sampler, &mut r, &mut out);
                }
                out
            })
            .collect();
        for p in parts {
            lengths.extend(p.lengths);
            flat.extend(p.members);
            chats.camp.extend(p.camps);
            chats.owner.extend(p.owners);
            chats.kind.extend(std::iter::repeat_n(spec.kind, p.count));
            chats
                .trust
                .extend(std::iter::repeat_n(spec.trust as f32, p.count));
        }
    }
    drop(sampler);
    chats.members = Csr::from_lengths(lengths, flat);
    let mut pop = Population {
        users,
        chats,
        camp_names: scenario.camp_names(),
        ..Population::default()
    };
    pop.try_index_user_chats()?;
    Ok(pop)
}

/// A population whose only chats are the direct chats of a reference network.
fn network_population(
    scenario: &Scenario,
    users: Users,
    net: ReferenceNetwork,
    seed: u64,
) -> Result<Population, CapacityError> {
    let n = users.len() as u32;
    let edges = super::network::edges(net, n, seed);
    let trust = scenario.kind_spec(ChatKind::Direct).trust as f32;
    let m = edges.len();
    let mut flat = Vec::with_capacity(2 * m);
    let mut camp = Vec::with_capacity(m);
    for &(a, b) in &edges {
        flat.push(a);
        flat.push(b);
        camp.push(users.camp[a as usize]);
    }
    let chats = Chats {
        kind: vec![ChatKind::Direct; m],
        trust: vec![trust; m],
        camp,
        owner: vec![NO_OWNER; m],
        members: Csr::from_lengths(std::iter::repeat_n(2, m), flat),
    };
    let mut pop = Population {
        users,
        chats,
        camp_names: scenario.camp_names(),
        ..Population::default()
    };
    pop.try_index_user_chats()?;
    Ok(pop)
}

/// Chats built by one parallel task, in index order.
#[derive(Default)]
struct ChunkOut {
    count: usize,
    lengths: Vec<u32>,
    members: Vec<u32>,
    camps: Vec<u8>,
    owners: Vec<u32>,
}

/// Draws one chat's dominant camp, owner and members and appends them to `out`.
/// `cap` bounds members, or receivers for a broadcast list.
fn build_chat(spec: &ChatKindSpec, cap: u32, s: &CampSampler, r: &mut Rng, out: &mut ChunkOut) {
    let camp = s.any_camp(r);
    let start = out.members.len();
    let (target, owner) = match spec.kind {
        ChatKind::Direct => {
            let a = s.user_of(camp, spec.heavy_tailed, r);
            out.members.push(a);
            (2, NO_OWNER)
        }
        ChatKind::Broadcast => {
            let o = s.user_of(camp, true, r);
            out.members.push(o);
            // Receivers, plus the owner, within the cap.
            (spec.size.sample(r, cap).max(1).saturating_add(1), o)
        }
        _ => (spec.size.sample(r, cap).max(2), NO_OWNER),
    };
    let owner = if spec.posting == Posting::Owner && owner == NO_OWNER {
        s.user_of(camp, true, r)
    } else {
        owner
    };
    if owner != NO_OWNER && out.members.len() == start {
        out.members.push(owner);
    }
    // Draw until the chat is full; a bounded number of attempts keeps a chat larger
    // than its camp from looping forever (it is then simply smaller).
    let mut attempts = 0;
    while out.members.len() - start < target as usize && attempts < 4 * target + 16 {
        attempts += 1;
        let m = s.member(camp, spec.homophily, spec.heavy_tailed, r);
        let chat = &out.members[start..];
        let dup = if chat.len() < 64 {
            chat.contains(&m)
        } else {
            false
        };
        if !dup {
            out.members.push(m);
        }
        if out.members.len() - start >= 64 && out.members.len() - start == target as usize {
            // Large chats: dedup once at the end (sorting) and top up.
            let mut rest = out.members.split_off(start);
            let first = rest[0];
            rest.sort_unstable();
            rest.dedup();
            if let Some(p) = rest.iter().position(|&x| x == first) {
                rest.swap(0, p);
            }
            out.members.extend(rest);
        }
    }
    out.count += 1;
    out.lengths.push((out.members.len() - start) as u32);
    out.camps.push(camp as u8);
    out.owners.push(owner);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(text: &str) -> Scenario {
        Scenario::from_toml_str(text, "t").unwrap()
    }

    #[test]
    fn same_seed_same_population() {
        let s = scenario("[population]\nusers = 3000\n");
        let a = generate(&s);
        let b = generate(&s);
        assert_eq!(a, b);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        assert_eq!(pool.install(|| generate(&s)), a);
    }

    #[test]
    fn sizes_respect_kinds_and_cap() {
        let s = scenario(
            "[platform]\ngroup_cap = 50\n[population]\nusers = 5000\n\
             [population.chats.political]\nper_user = 0.5\nsize = { dist = \"constant\", value = 300 }\n\
             [population.chats.direct]\nper_user = 4\n",
        );
        let p = generate(&s);
        let est = estimate(&s);
        assert_eq!(p.n_chats() as u64, est.chats);
        for c in 0..p.n_chats() {
            let m = p.chats.members.row(c);
            match p.chats.kind[c] {
                ChatKind::Political => assert!(m.len() <= 50 && m.len() >= 40, "{}", m.len()),
                ChatKind::Direct => assert_eq!(m.len(), 2),
                k => panic!("unexpected kind {k}"),
            }
            let mut sorted = m.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), m.len(), "no duplicate members");
        }
        // Mean direct contacts per user close to 4.
        let direct: usize = (0..p.n_chats())
            .filter(|&c| p.chats.kind[c] == ChatKind::Direct)
            .count();
        assert!((2.0 * direct as f64 / 5000.0 - 4.0).abs() < 0.01);
        assert_eq!(p.user_chats.len(), p.n_memberships());
    }

    #[test]
    fn homophily_groups_are_dominated_by_their_camp() {
        let s = scenario(
            "[population]\nusers = 4000\ncamps = [{name = \"a\", share = 0.5}, {name = \"b\", share = 0.5}]\n\
             [population.chats.political]\nper_user = 1\nhomophily = 0.9\n",
        );
        let p = generate(&s);
        let (mut same, mut total) = (0usize, 0usize);
        for c in 0..p.n_chats() {
            for &u in p.chats.members.row(c) {
                total += 1;
                same += (p.users.camp[u as usize] == p.chats.camp[c]) as usize;
            }
        }
        // Expected share: 0.9 + 0.1 * 0.5 = 0.95.
        let share = same as f64 / total as f64;
        assert!((share - 0.95).abs() < 0.01, "{share}");
    }

    #[test]
    fn broadcast_lists_have_their_owner_as_member() {
        let s =
            scenario("[population]\nusers = 2000\n[population.chats.broadcast]\nper_user = 1\n");
        let p = generate(&s);
        assert!(p.n_chats() > 0);
        for c in 0..p.n_chats() {
            let o = p.chats.owner[c];
            assert_ne!(o, NO_OWNER);
            assert_eq!(p.chats.members.row(c)[0], o);
        }
    }
}
