//! Seeding (`docs/model.md#seeding`): who posts the rumor first. Seed users, chats
//! and mass-messaging accounts are drawn once per replicate from streams keyed by the
//! position of the `[[seeds]]` entry, and act at the step their `at` falls in; the
//! random users and chats drawn here also serve interventions (subscribers, fact-check
//! chats), and [`resolve_ids`] turns the ids a scenario names into dense user ids.

use super::state::{Belief, Role};
use super::Run;
use crate::population::{Population, NO_OWNER};
use crate::record::CascadeEntry;
use crate::rng::{self, Purpose};
use crate::scenario::{ChatKind, SeedTarget};
use rand::Rng as _;

/// Seeds that act at one step.
#[derive(Clone, Default)]
pub(super) struct SeedStep {
    pub(super) users: Vec<u32>,
    /// (chat, poster)
    pub(super) chats: Vec<(u32, u32)>,
    /// (account, recipients) for mass messages.
    pub(super) direct: Vec<(u32, Vec<u32>)>,
}

impl Run<'_> {
    /// Chooses this replicate's seed users and chats.
    pub(super) fn place_seeds(&mut self) {
        let (pop, scn) = (self.pop, self.scn);
        let mut by_step: std::collections::BTreeMap<u32, SeedStep> = Default::default();
        for (i, sc) in scn.seeds.iter().enumerate() {
            let step = scn.step_of(sc.at);
            let mut r = rng::stream(self.seed, self.run, i as u64, 0, Purpose::Seeding);
            let entry = by_step.entry(step).or_default();
            match &sc.target {
                SeedTarget::Ids(ids) => entry
                    .users
                    .extend(resolve_ids(pop, ids).unwrap_or_default()),
                &SeedTarget::Users {
                    count,
                    camp,
                    recipients: None,
                } => entry
                    .users
                    .extend(random_users(pop, camp, count as usize, &mut r)),
                &SeedTarget::Users {
                    count,
                    camp,
                    recipients: Some(k),
                } => {
                    for a in random_users(pop, camp, count as usize, &mut r) {
                        let mut ra = rng::stream(
                            self.seed,
                            self.run,
                            i as u64,
                            a as u64 + 1,
                            Purpose::Seeding,
                        );
                        let to: Vec<u32> = random_users(pop, None, k as usize + 1, &mut ra)
                            .into_iter()
                            .filter(|&u| u != a)
                            .take(k as usize)
                            .collect();
                        entry.direct.push((a, to));
                    }
                }
                &SeedTarget::Chats { count, kind, camp } => {
                    entry
                        .chats
                        .extend(random_chats(pop, kind, camp, count as usize, &mut r))
                }
            }
        }
        self.last_seed_step = by_step.keys().next_back().copied();
        self.seeds = (0..self.scn.simulation.steps as usize)
            .map(|_| SeedStep::default())
            .collect();
        for (s, e) in by_step {
            self.seeds[s as usize] = e;
        }
    }

    /// Makes `u` a seed: a reached, convinced root of the cascade.
    pub(super) fn become_seed(&mut self, u: u32, t: u32, role: Role) {
        if self.state.mark_reached(u) {
            self.cascade.push(CascadeEntry {
                user: u,
                parent: None,
                hops: 0,
                step: t,
                chat: None,
            });
        }
        self.state.mark_read(u);
        if self.state.belief[u as usize] != Belief::Believer {
            self.state.set_belief(u, Belief::Believer);
            self.note_believer(u, t);
        }
        if self.state.role[u as usize] == Role::None && role != Role::None {
            self.state.set_role(u, role);
        }
    }
}

/// `count` distinct random users, all of `camp` if given.
pub(super) fn random_users(
    pop: &Population,
    camp: Option<u8>,
    count: usize,
    r: &mut rng::Rng,
) -> Vec<u32> {
    match camp {
        None => sample_distinct(pop.n_users(), count, r)
            .into_iter()
            .map(|k| k as u32)
            .collect(),
        Some(c) => {
            let eligible: Vec<u32> = (0..pop.n_users() as u32)
                .filter(|&u| pop.users.camp[u as usize] == c)
                .collect();
            sample_distinct(eligible.len(), count, r)
                .into_iter()
                .map(|k| eligible[k])
                .collect()
        }
    }
}

/// `count` distinct random chats of `kind` (and dominant `camp`) with two or more
/// members, each with its poster: the owner, or a random member.
pub(super) fn random_chats(
    pop: &Population,
    kind: ChatKind,
    camp: Option<u8>,
    count: usize,
    r: &mut rng::Rng,
) -> Vec<(u32, u32)> {
    let eligible: Vec<u32> = (0..pop.n_chats() as u32)
        .filter(|&c| {
            pop.chats.kind[c as usize] == kind
                && camp.is_none_or(|cc| pop.chats.camp[c as usize] == cc)
                && pop.chats.members.row_len(c as usize) >= 2
        })
        .collect();
    sample_distinct(eligible.len(), count, r)
        .into_iter()
        .map(|k| {
            let chat = eligible[k];
            let owner = pop.chats.owner[chat as usize];
            let members = pop.chats.members.row(chat as usize);
            let poster = if owner != NO_OWNER {
                owner
            } else {
                members[r.random_range(0..members.len())]
            };
            (chat, poster)
        })
        .collect()
}

/// Dense ids of the users named in a seed's `ids`: imported labels where the
/// population has them, else dense ids. Errors name the first unknown id.
pub fn resolve_ids(pop: &Population, ids: &[String]) -> Result<Vec<u32>, String> {
    ids.iter()
        .map(|id| {
            let found = match &pop.user_labels {
                Some(labels) => labels.iter().position(|l| l == id).map(|i| i as u32),
                None => id
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|&u| (u as usize) < pop.n_users()),
            };
            found.ok_or_else(|| format!("user \"{id}\" is not in the population"))
        })
        .collect()
}

/// `count` distinct indices from `0..total` (all of them, shuffled, if count >= total).
fn sample_distinct(total: usize, count: usize, r: &mut rng::Rng) -> Vec<usize> {
    if count * 2 >= total {
        let mut all: Vec<usize> = (0..total).collect();
        for i in 0..count.min(total) {
            let j = r.random_range(i..total);
            all.swap(i, j);
        }
        all.truncate(count.min(total));
        all
    } else {
        let mut seen = std::collections::HashSet::with_capacity(count);
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let k = r.random_range(0..total);
            if seen.insert(k) {
                out.push(k);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    //! Seeding on hand-built populations.
    use super::super::state::{flag, Belief, Role};
    use super::super::testkit::World;
    use super::{random_users, resolve_ids, sample_distinct};
    use crate::record::CascadeEntry;
    use crate::rng::{self, Purpose};
    use crate::scenario::{ChatKind, SeedTarget};

    fn rng() -> rng::Rng {
        rng::stream(1, 0, 0, 0, Purpose::Seeding)
    }

    /// A user named by `ids` becomes, at its step, a believing spreader and a root of
    /// the cascade, and posts an original into its chats.
    #[test]
    fn an_ids_seed_becomes_a_root_spreader() {
        let mut w = World::new(3, &[(ChatKind::Family, &[0, 1, 2])]);
        w.seed(20.0, SeedTarget::Ids(vec!["1".into()]));
        let mut run = w.run();
        assert_eq!(
            (run.seeds[2].users.clone(), run.last_seed_step),
            (vec![1], Some(2))
        );
        run.post(2);
        let root = CascadeEntry {
            user: 1,
            parent: None,
            hops: 0,
            step: 2,
            chat: None,
        };
        assert_eq!(run.cascade, [root]);
        assert_eq!(run.state.belief[1], Belief::Believer);
        assert!(run.state.has(1, flag::READ));
        // Its one share action was this post.
        assert_eq!(run.posts_since(0), [(1, 0, 0)]);
        assert_eq!(run.state.role[1], Role::Stifler);
    }

    /// A `chats` seed picks only chats of its kind with two or more members; the owner
    /// posts where there is one, and the poster has no role.
    #[test]
    fn a_chats_seed_posts_through_the_owner() {
        let mut w = World::new(
            6,
            &[
                (ChatKind::Family, &[3]),
                (ChatKind::Work, &[0, 1]),
                (ChatKind::Family, &[0, 1, 2]),
            ],
        );
        w.pop.chats.owner[2] = 2;
        w.pop.index_user_chats();
        w.seed(
            0.0,
            SeedTarget::Chats {
                count: 5,
                kind: ChatKind::Family,
                camp: None,
            },
        );
        let mut run = w.run();
        assert_eq!(run.seeds[0].chats, [(2, 2)]);
        run.post(0);
        assert_eq!(run.posts_since(0), [(2, 2, 0)]);
        assert_eq!(
            (run.state.belief[2], run.state.role[2]),
            (Belief::Believer, Role::None)
        );
    }

    /// A mass-messaging account sends to that many other users, never itself.
    #[test]
    fn mass_messages_go_to_everyone_else() {
        let mut w = World::new(4, &[]);
        w.seed(
            0.0,
            SeedTarget::Users {
                count: 1,
                camp: None,
                recipients: Some(3),
            },
        );
        let run = w.run();
        let (account, to) = run.seeds[0].direct[0].clone();
        let mut others: Vec<u32> = (0..4).filter(|&u| u != account).collect();
        let mut got = to;
        got.sort_unstable();
        others.sort_unstable();
        assert_eq!(got, others);
    }

    /// Random users are distinct and of the camp asked for; asking for more than there
    /// are gives all of them.
    #[test]
    fn random_users_are_distinct_and_of_their_camp() {
        let mut w = World::new(6, &[]);
        w.pop.users.camp = vec![0, 1, 0, 1, 0, 1];
        let mut odd = random_users(&w.pop, Some(1), 10, &mut rng());
        odd.sort_unstable();
        assert_eq!(odd, [1, 3, 5]);
        let mut two = random_users(&w.pop, None, 2, &mut rng());
        two.dedup();
        assert_eq!(two.len(), 2);
        let mut all = sample_distinct(5, 9, &mut rng());
        all.sort_unstable();
        assert_eq!(all, [0, 1, 2, 3, 4]);
    }

    /// Ids are dense ids, or imported labels where the population has them; the first
    /// unknown id is named.
    #[test]
    fn ids_resolve_to_dense_users() {
        let mut w = World::new(3, &[]);
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(resolve_ids(&w.pop, &ids(&["2", " 0"])), Ok(vec![2, 0]));
        assert_eq!(
            resolve_ids(&w.pop, &ids(&["1", "3"])),
            Err("user \"3\" is not in the population".into())
        );
        w.pop.user_labels = Some(ids(&["ann", "bob", "cy"]));
        assert_eq!(resolve_ids(&w.pop, &ids(&["cy"])), Ok(vec![2]));
        assert!(resolve_ids(&w.pop, &ids(&["2"])).is_err());
    }
}
