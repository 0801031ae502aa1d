//! Assembly: the [`Population`] built from what the readers gathered.
//!
//! The readers (`tables.rs`, `edges.rs`) leave on the [`Importer`] the dense ids and
//! labels of users and chats, each user's and chat's given attributes and the report's
//! counts, and return the memberships ([`Memberships`]) or edges as read. From those,
//! this file drops repeated memberships and edges (keeping file order), builds the
//! chat -> members index, gives every chat its kind, trust, owner and camp (the file's,
//! else the defaults of `docs/scenario.md`), draws every attribute the user table does
//! not give from its own keyed stream, and indexes user -> chats, as generation does.
//! Nothing here reads a file; the only error is an owner who is not a member, which
//! can be known only once the memberships are complete.

use super::{Importer, Memberships, UserRow};
use crate::error::ImportError;
use crate::population::{Chats, Csr, Population, Users, FANOUT_ALL, NO_OWNER};
use crate::rng::{self, Purpose};
use crate::scenario::{ChatKind, IntDist};
use rand::Rng as _;

/// Stream `step` index of each drawn user attribute (see [`super::import`]).
const DRAW_CAMP: u64 = 0;
const DRAW_SKEPTICISM: u64 = 1;
const DRAW_ACTIVITY: u64 = 2;
const DRAW_FANOUT: u64 = 3;

impl Importer<'_> {
    /// Drops repeated (chat, user) rows of the membership table, keeping the first, and
    /// groups the rest by chat, in file order within each chat.
    fn group_members(&mut self, chat_of: Vec<u32>, user_of: Vec<u32>) -> Csr {
        let n_chats = self.chats.len();
        let keep = first_occurrences(chat_of.len(), n_chats, |i| (chat_of[i], user_of[i]));
        let mut lengths = vec![0u32; n_chats];
        let mut kept = 0usize;
        for (i, &c) in chat_of.iter().enumerate() {
            if keep[i] {
                lengths[c as usize] += 1;
                kept += 1;
            }
        }
        self.report.duplicates_dropped += (chat_of.len() - kept) as u64;
        group(&lengths, kept, |f| {
            for (i, (&c, &u)) in chat_of.iter().zip(&user_of).enumerate() {
                if keep[i] {
                    f(c, u);
                }
            }
        })
    }

    /// Drops repeated edges (in either orientation), keeping the first, in place.
    fn drop_repeated_edges(&mut self, pairs: &mut Vec<u32>) {
        let m = pairs.len() / 2;
        let keep = first_occurrences(m, self.users.len(), |i| {
            let (a, b) = (pairs[2 * i], pairs[2 * i + 1]);
            (a.min(b), a.max(b))
        });
        let mut w = 0;
        for (i, &k) in keep.iter().enumerate() {
            if k {
                pairs[2 * w] = pairs[2 * i];
                pairs[2 * w + 1] = pairs[2 * i + 1];
                w += 1;
            }
        }
        pairs.truncate(2 * w);
        pairs.shrink_to_fit();
        self.report.duplicates_dropped += (m - w) as u64;
    }

    /// Every user's attributes: from the user table where given, drawn otherwise.
    fn build_users(&self) -> Users {
        let n = self.users.len();
        let p = &self.scenario.population;
        let seed = self.scenario.simulation.seed;
        let draw = |attr: u64, u: usize| rng::stream(seed, 0, attr, u as u64, Purpose::Import);
        let shares: Vec<f64> = p.camps.iter().map(|c| c.share).collect();
        let none = UserRow::default();
        let mut users = Users {
            camp: Vec::with_capacity(n),
            skepticism: Vec::with_capacity(n),
            activity: Vec::with_capacity(n),
            fanout: Vec::with_capacity(n),
            followers: Vec::with_capacity(n),
        };
        for u in 0..n {
            let row = self.user_rows.get(u).unwrap_or(&none);
            let camp = row
                .camp
                .unwrap_or_else(|| draw_camp(&shares, &mut draw(DRAW_CAMP, u)));
            let unit = |d: &crate::scenario::RealDist, attr| {
                d.sample(&mut draw(attr, u)).clamp(0.0, 1.0) as f32
            };
            let skepticism = row
                .skepticism
                .unwrap_or_else(|| unit(&p.skepticism, DRAW_SKEPTICISM));
            let activity = row
                .activity
                .unwrap_or_else(|| unit(&p.activity, DRAW_ACTIVITY));
            let fanout = row.fanout.unwrap_or_else(|| match p.fanout {
                IntDist::All => FANOUT_ALL,
                ref d => d
                    .sample(&mut draw(DRAW_FANOUT, u), u32::MAX)
                    .clamp(1, FANOUT_ALL as u32 - 1) as u16,
            });
            users.camp.push(camp);
            users.skepticism.push(skepticism);
            users.activity.push(activity);
            users.fanout.push(fanout);
            users.followers.push(row.followers.unwrap_or(0));
        }
        users
    }

    /// The trust of chats of `kind` that the files do not give.
    fn kind_trust(&self, kind: ChatKind) -> f32 {
        self.scenario.kind_spec(kind).trust as f32
    }

    /// The population of `users` and `chats`, indexed user -> chats, with the labels
    /// and the report.
    fn population(
        self,
        users: Users,
        chats: Chats,
        chat_labels: Option<Vec<String>>,
    ) -> Population {
        let mut pop = Population {
            users,
            chats,
            camp_names: self.camp_names,
            user_labels: Some(self.users.into_labels()),
            chat_labels,
            import_report: Some(self.report),
            ..Population::default()
        };
        pop.index_user_chats();
        pop
    }

    /// Builds the population of an edge list: each edge left once repeats are dropped
    /// becomes a direct chat of its two users.
    pub(super) fn finish_edges(mut self, mut pairs: Vec<u32>) -> Population {
        self.drop_repeated_edges(&mut pairs);
        let users = self.build_users();
        let m = pairs.len() / 2;
        let trust = self.kind_trust(ChatKind::Direct);
        let camp = pairs
            .chunks_exact(2)
            .map(|p| users.camp[p[0] as usize])
            .collect();
        let chats = Chats {
            kind: vec![ChatKind::Direct; m],
            trust: vec![trust; m],
            camp,
            owner: vec![NO_OWNER; m],
            members: Csr::from_parts((0..=m as u64).map(|i| 2 * i).collect(), pairs),
        };
        self.population(users, chats, None)
    }

    /// Builds the population of a membership table: repeated rows dropped, each chat
    /// with its attributes from the chat table or the defaults, an owner checked to be
    /// a member.
    pub(super) fn finish_members(mut self, m: Memberships) -> Result<Population, ImportError> {
        let Memberships {
            chat_of,
            user_of,
            file: members_file,
        } = m;
        let members = self.group_members(chat_of, user_of);
        let users = self.build_users();
        let n = self.chats.len();
        let mut chats = Chats {
            kind: Vec::with_capacity(n),
            trust: Vec::with_capacity(n),
            camp: Vec::with_capacity(n),
            owner: Vec::with_capacity(n),
            members: Csr::default(),
        };
        let mut counts = vec![0u32; self.camp_names.len().max(1)];
        for (c, p) in self.pending.iter().enumerate() {
            let kind = p.kind.map_or(ChatKind::Community, |k| k.0);
            let row = members.row(c);
            if let Some(o) = p.owner {
                if !row.contains(&o) {
                    let file = self.chat_table.clone().unwrap_or_default();
                    let chat = self.chats.label(c as u32);
                    return Err(ImportError::Row {
                        file,
                        line: p.line,
                        reason: format!(
                            "owner \"{}\" is not a member of chat \"{chat}\"; add the row \
                             \"{chat},{}\" to {}",
                            self.users.label(o),
                            self.users.label(o),
                            members_file.display()
                        ),
                    });
                }
            }
            chats.kind.push(kind);
            chats
                .trust
                .push(p.trust.unwrap_or_else(|| self.kind_trust(kind)));
            chats.owner.push(p.owner.unwrap_or(NO_OWNER));
            chats.camp.push(
                p.camp
                    .unwrap_or_else(|| majority_camp(row, &users.camp, &mut counts)),
            );
        }
        chats.members = members;
        let labels = std::mem::take(&mut self.chats).into_labels();
        Ok(self.population(users, chats, Some(labels)))
    }
}

/// A camp index drawn by the scenario's shares.
fn draw_camp(shares: &[f64], rng: &mut rng::Rng) -> u8 {
    if shares.len() <= 1 {
        return 0;
    }
    let x: f64 = rng.random();
    let mut acc = 0.0;
    for (i, s) in shares.iter().enumerate() {
        acc += s;
        if x < acc {
            return i as u8;
        }
    }
    shares.iter().rposition(|&s| s > 0.0).unwrap_or(0) as u8
}

/// The most common camp among `members` (ties to the lowest index; 0 if empty).
/// `counts` is scratch space of one slot per camp, all zero on entry and on return.
fn majority_camp(members: &[u32], camp: &[u8], counts: &mut [u32]) -> u8 {
    for &u in members {
        if let Some(c) = counts.get_mut(camp[u as usize] as usize) {
            *c += 1;
        }
    }
    let mut best = 0;
    for i in 0..counts.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    for &u in members {
        if let Some(c) = counts.get_mut(camp[u as usize] as usize) {
            *c = 0;
        }
    }
    best as u8
}

/// Marks, among `n` keys `key(i) = (group, value)`, the first occurrence (lowest `i`)
/// of each distinct key; used to drop repeated edges and memberships while keeping
/// file order.
///
/// Keys are bucketed by group with a counting sort, then each bucket of packed
/// `(value, index)` words is sorted on its own. On 10^7 random edges among 10^6 users
/// this took 0.27 s, against 0.63-0.82 s for a `HashSet<u64>` of normalized pairs with a
/// fast hasher and 1.0-1.3 s with the default one: the buckets are small (a user's
/// degree) and sorted in cache, where a hash set takes a cache miss per edge.
///
/// # Complexity
/// O(n + n_groups + n log d) time for buckets of size d; 8 bytes per key plus 8 per
/// group of scratch, and the 1-byte-per-key result. `n` must fit in a u32.
fn first_occurrences(n: usize, n_groups: usize, key: impl Fn(usize) -> (u32, u32)) -> Vec<bool> {
    let mut start = vec![0usize; n_groups + 1];
    for i in 0..n {
        start[key(i).0 as usize + 1] += 1;
    }
    for g in 1..start.len() {
        start[g] += start[g - 1];
    }
    let mut packed = vec![0u64; n];
    let mut cursor = start.clone();
    for i in 0..n {
        let (g, v) = key(i);
        let c = &mut cursor[g as usize];
        packed[*c] = (v as u64) << 32 | i as u64;
        *c += 1;
    }
    drop(cursor);
    let mut keep = vec![false; n];
    for g in 0..n_groups {
        let bucket = &mut packed[start[g]..start[g + 1]];
        bucket.sort_unstable();
        let mut prev = None;
        for &x in bucket.iter() {
            let v = x >> 32;
            if prev != Some(v) {
                keep[(x & 0xFFFF_FFFF) as usize] = true;
                prev = Some(v);
            }
        }
    }
    keep
}

/// Builds rows from `(row, target)` pairs emitted by `each` in order, given each row's
/// length and the total; within a row, targets keep their order.
fn group(lengths: &[u32], total: usize, each: impl FnOnce(&mut dyn FnMut(u32, u32))) -> Csr {
    let mut offsets = Vec::with_capacity(lengths.len() + 1);
    let mut acc = 0u64;
    offsets.push(0);
    for &l in lengths {
        acc += l as u64;
        offsets.push(acc);
    }
    let mut cursor = offsets.clone();
    let mut targets = vec![0u32; total];
    each(&mut |r, t| {
        let c = &mut cursor[r as usize];
        targets[*c as usize] = t;
        *c += 1;
    });
    Csr::from_parts(offsets, targets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::population::import::import;
    use crate::population::import::testkit::{
        edges, labels, rows, scenario, src, write, TWO_CAMPS,
    };
    use std::path::Path;

    #[test]
    fn string_ids_become_direct_chats() {
        let p = edges("alice,bob\nbob,\"carol, jr\"\n");
        assert_eq!(labels(&p), ["alice", "bob", "carol, jr"]);
        assert_eq!(rows(&p.chats.members), [[0, 1], [1, 2]]);
        assert_eq!(rows(&p.user_chats), [vec![0], vec![0, 1], vec![1]]);
        assert_eq!(p.chats.kind, [ChatKind::Direct; 2]);
        assert_eq!(p.chats.owner, [NO_OWNER; 2]);
        assert_eq!(p.chats.trust, [0.8; 2]);
        assert_eq!(p.chat_labels, None);
    }

    #[test]
    fn direct_trust_and_first_member_camp_come_from_the_scenario() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "g.csv", "1,2\n2,3\n");
        write(dir.path(), "u.csv", "user,camp\n1,b\n2,a\n3,a\n");
        let s = scenario(
            dir.path(),
            &format!(
                "edges = \"g.csv\"\nuser_table = \"u.csv\"\n{TWO_CAMPS}\
                 [population.chats.direct]\ntrust = 0.25\n"
            ),
        );
        let p = import(&s).unwrap();
        assert_eq!(p.chats.trust, [0.25; 2]);
        assert_eq!(p.chats.camp, [1, 0]);
        assert_eq!(p.camp_names, ["a", "b"]);
    }

    #[test]
    fn self_loops_and_duplicates_are_dropped_and_counted() {
        let p = edges("1,2\n2,1\n1,1\n4,4\n1,2\n2,3\n3,2\n");
        let r = p.import_report.clone().unwrap();
        assert_eq!(r.self_loops_dropped, 2);
        assert_eq!(r.duplicates_dropped, 3);
        assert_eq!(r.rows_read, 7);
        assert_eq!(rows(&p.chats.members), [[0, 1], [1, 3]]);
        // User "4" appears only in a self-loop: kept, isolated.
        assert_eq!(labels(&p), ["1", "2", "4", "3"]);
        assert_eq!(p.user_chats.row_len(2), 0);
    }

    #[test]
    fn membership_table_with_chat_table() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "m.csv",
            "user,chat,kind\nu1,fam,family\nu2,fam,\nu3,fam,family\nu2,fam,\n\
             u4,list,broadcast\nu1,list,\nu5,club,\nu3,club,\n",
        );
        write(
            dir.path(),
            "c.csv",
            "chat,owner,trust,camp\nlist,u4,,\nempty,,0.3,b\nclub,,0.125,\n",
        );
        write(
            dir.path(),
            "u.csv",
            "user,camp\nu1,a\nu2,b\nu3,b\nu4,a\nu5,a\n",
        );
        let s = scenario(
            dir.path(),
            &format!(
                "members = \"m.csv\"\nchat_table = \"c.csv\"\nuser_table = \"u.csv\"\n{TWO_CAMPS}"
            ),
        );
        let p = import(&s).unwrap();
        // Chats: chat table order first, then new chats of the membership table.
        let chats: Vec<&str> = p
            .chat_labels
            .as_ref()
            .unwrap()
            .iter()
            .map(String::as_str)
            .collect();
        assert_eq!(chats, ["list", "empty", "club", "fam"]);
        assert_eq!(labels(&p), ["u1", "u2", "u3", "u4", "u5"]);
        assert_eq!(
            rows(&p.chats.members),
            [vec![3, 0], vec![], vec![4, 2], vec![0, 1, 2]]
        );
        use ChatKind::*;
        assert_eq!(p.chats.kind, [Broadcast, Community, Community, Family]);
        assert_eq!(p.chats.owner, [3, NO_OWNER, NO_OWNER, NO_OWNER]);
        assert_eq!(p.chats.trust, [0.6, 0.3, 0.125, 0.9]);
        // Majority camp, ties to the lowest index; the table's camp wins.
        assert_eq!(p.chats.camp, [0, 1, 0, 1]);
        let r = p.import_report.unwrap();
        assert_eq!((r.duplicates_dropped, r.rows_read), (1, 16));
    }

    #[test]
    fn user_table_values_and_fallback_draws() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "g.csv", "1,2\n2,3\n3,4\n");
        write(
            dir.path(),
            "u.csv",
            "user,skepticism,fanout,followers,isolated\n2,0.5,all,10,\n3,,7,,\nloner,1,,,true\n",
        );
        write(
            dir.path(),
            "ids.csv",
            "user,isolated\n2,false\n3,\nloner,true\n",
        );
        let base = format!("edges = \"g.csv\"\n{TWO_CAMPS}");
        let with = |table: &str| {
            import(&scenario(
                dir.path(),
                &format!("{base}user_table = \"{table}\"\n"),
            ))
            .unwrap()
        };
        let (full, bare) = (with("u.csv"), with("ids.csv"));
        // The user table comes first: its users get the first ids.
        assert_eq!(labels(&full), ["2", "3", "loner", "1", "4"]);
        assert_eq!(labels(&bare), labels(&full));
        assert_eq!(full.user_chats.row_len(2), 0);
        let (f, b) = (&full.users, &bare.users);
        // Given values are used; empty cells, missing columns and users missing from the
        // table fall back to draws.
        assert_eq!(f.skepticism[0], 0.5);
        assert_eq!(f.skepticism[1], b.skepticism[1]);
        assert_eq!(f.skepticism[2], 1.0);
        assert_eq!(&f.skepticism[3..], &b.skepticism[3..]);
        assert_eq!(&f.fanout[..2], &[FANOUT_ALL, 7]);
        assert_eq!(&f.fanout[2..], &b.fanout[2..]);
        assert_eq!(f.followers, [10, 0, 0, 0, 0]);
        // Attributes without a column are drawn exactly as without those columns.
        assert_eq!((&f.camp, &f.activity), (&b.camp, &b.activity));
        // Each draw comes from its own keyed stream.
        let s = scenario(dir.path(), &base);
        let p = &s.population;
        for u in 0..5u64 {
            let mut r = rng::stream(7, 0, DRAW_ACTIVITY, u, Purpose::Import);
            assert_eq!(f.activity[u as usize], p.activity.sample(&mut r) as f32);
        }
        let mut r = rng::stream(7, 0, DRAW_SKEPTICISM, 1, Purpose::Import);
        assert_eq!(f.skepticism[1], p.skepticism.sample(&mut r) as f32);
        assert!(f.fanout[2..].iter().all(|&x| (1..=50).contains(&x)));
    }

    #[test]
    fn drawn_camps_follow_the_shares() {
        let n = 4000;
        let text: String = (0..n).map(|i| format!("{i},{}\n", (i + 1) % n)).collect();
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "g.csv", &text);
        let s = scenario(
            dir.path(),
            "edges = \"g.csv\"\ncamps = [{ name = \"a\", share = 0.3 }, { name = \"b\", share = 0.7 }]\n\
             skepticism = { dist = \"constant\", value = 0.25 }\nfanout = { dist = \"all\" }\n",
        );
        let p = import(&s).unwrap();
        let b = p.users.camp.iter().filter(|&&c| c == 1).count() as f64 / n as f64;
        let sd = (0.3f64 * 0.7 / n as f64).sqrt();
        assert!((b - 0.7).abs() < 4.0 * sd, "share of b {b}");
        assert!(p.users.skepticism.iter().all(|&x| x == 0.25));
        assert!(p.users.fanout.iter().all(|&f| f == FANOUT_ALL));
        assert_eq!(p.n_chats(), n);
    }

    #[test]
    fn first_occurrences_keep_the_earliest() {
        let keys = [(1, 5), (0, 2), (1, 5), (1, 4), (0, 2), (2, 0)];
        let keep = first_occurrences(keys.len(), 3, |i| keys[i]);
        assert_eq!(keep, [true, true, false, true, false, true]);
    }

    #[test]
    fn repeated_memberships_are_dropped_keeping_file_order() {
        let s = scenario(Path::new(""), "");
        let mut im = Importer::new(&s);
        let text = "chat,user\ng,c\ng,a\nh,a\ng,c\ng,b\nh,a\n";
        let m = im.read_members(&src("m.csv"), text.as_bytes()).unwrap();
        let members = im.group_members(m.chat_of, m.user_of);
        // Users c, a, b are 0, 1, 2; chats g, h are 0, 1.
        assert_eq!(rows(&members), [vec![0, 1, 2], vec![1]]);
        assert_eq!(im.report.duplicates_dropped, 2);
    }

    #[test]
    fn repeated_edges_are_dropped_in_either_orientation_keeping_the_first() {
        let s = scenario(Path::new(""), "");
        let mut im = Importer::new(&s);
        let text = "ann,bob\nbob,ann\ncy,bob\nbob,cy\nann,bob\nann,cy\n";
        let mut pairs = im.read_edges(&src("g.csv"), text.as_bytes()).unwrap();
        im.drop_repeated_edges(&mut pairs);
        assert_eq!(pairs, [0, 1, 2, 1, 0, 2]);
        assert_eq!(im.report.duplicates_dropped, 3);
    }

    #[test]
    fn group_keeps_the_order_within_each_row() {
        let pairs = [(1, 10), (0, 20), (1, 11), (2, 30), (1, 12)];
        let csr = group(&[1, 3, 1, 0], pairs.len(), |f| {
            for &(r, t) in &pairs {
                f(r, t);
            }
        });
        assert_eq!(rows(&csr), [vec![20], vec![10, 11, 12], vec![30], vec![]]);
    }

    #[test]
    fn majority_camp_ties_to_the_lowest_index_and_clears_its_counts() {
        let camp = [2, 1, 1, 2, 0];
        let mut counts = [0u32; 3];
        assert_eq!(majority_camp(&[0, 1, 2], &camp, &mut counts), 1);
        assert_eq!(majority_camp(&[0, 1, 2, 3], &camp, &mut counts), 1);
        assert_eq!(majority_camp(&[0, 4], &camp, &mut counts), 0);
        assert_eq!(majority_camp(&[], &camp, &mut counts), 0);
        assert_eq!(counts, [0, 0, 0]);
    }

    #[test]
    fn draw_camp_never_gives_a_camp_without_a_share() {
        let mut r = rng::from_seed(3);
        for _ in 0..200 {
            assert_eq!(draw_camp(&[1.0], &mut r), 0);
            // A draw past the sum of the shares goes to the last camp with a share.
            assert_eq!(draw_camp(&[0.0, 0.5, 0.0], &mut r), 1);
            assert_eq!(draw_camp(&[0.0, 0.0], &mut r), 0);
        }
    }
}
