//! The `[population]` section checked: where the population comes from (generated from
//! distributions, a reference network, or imported files), the camps, the users'
//! attribute distributions, the daily rhythm and the chat kinds with every parameter
//! resolved.

use super::config::{
    ChatKindConfig, ChatsConfig, NetworkConfig, NetworkModel, PopulationConfig, Posting, Rhythm,
};
use super::dist::{IntDist, RealDist};
use super::kind::ChatKind;
use super::violations::Violations;
use super::MAX_USERS;
use serde::{Deserialize, Serialize};

/// One camp (a political side or community) and its share of the population.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Camp {
    /// Name used in files and by other sections (`rumor.target_camp`, seeds' `camp`).
    pub name: String,
    /// Share of users, in [0, 1]; shares add up to 1.
    pub share: f64,
}

/// Where the users and chats come from.
#[derive(Clone, Debug, PartialEq)]
pub enum PopulationSource {
    /// Generated from the chat kinds and attribute distributions.
    Generated {
        /// Number of users.
        users: u64,
    },
    /// A reference network whose edges are direct chats.
    Network {
        /// Number of users.
        users: u64,
        /// The network model.
        network: ReferenceNetwork,
    },
    /// An edge list (each edge a direct chat), relative to the scenario file.
    Edges {
        /// The edge-list file.
        edges: String,
    },
    /// A membership table `chat,user[,kind]`, with an optional per-chat table.
    Members {
        /// The membership file.
        members: String,
        /// Per-chat attributes (`chat,kind,trust,owner`).
        chat_table: Option<String>,
    },
}

/// Reference networks (validation and textbook comparisons).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ReferenceNetwork {
    /// Uniform random graph G(n, m) with m = round(n c / 2) edges.
    ErdosRenyi {
        /// Mean degree c.
        mean_degree: f64,
    },
    /// Every pair of users connected.
    Complete,
    /// User 0 connected to every other user.
    Star,
    /// Users 0-1-2-...-(n-1) in a line.
    Path,
    /// Balanced tree rooted at user 0 with `branching` children per node.
    Tree {
        /// Children per node.
        branching: u32,
    },
}

/// The daily rhythm of reading.
#[derive(Clone, Debug, PartialEq)]
pub enum DailyRhythm {
    /// A typical messaging-app day ([`DEFAULT_RHYTHM`]).
    Default,
    /// No rhythm: every hour counts fully.
    Flat,
    /// 24 multipliers in [0, 1], hour 0 first.
    Hourly([f64; 24]),
}

/// A typical messaging-app day: quiet at night, peaks at lunch and in the evening.
/// Shape after published hourly usage curves of messaging apps; an assumption.
pub const DEFAULT_RHYTHM: [f32; 24] = [
    0.15, 0.08, 0.05, 0.04, 0.05, 0.10, 0.30, 0.55, 0.70, 0.75, 0.75, 0.80, //
    0.90, 0.85, 0.75, 0.75, 0.80, 0.85, 0.90, 0.95, 1.00, 0.90, 0.60, 0.30,
];

impl DailyRhythm {
    /// Reading multiplier of each clock hour.
    pub fn multipliers(&self) -> [f32; 24] {
        match self {
            DailyRhythm::Default => DEFAULT_RHYTHM,
            DailyRhythm::Flat => [1.0; 24],
            DailyRhythm::Hourly(h) => std::array::from_fn(|i| h[i] as f32),
        }
    }
}

/// A chat kind with every parameter resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatKindSpec {
    /// The kind.
    pub kind: ChatKind,
    /// Mean number of chats of this kind a user belongs to.
    pub per_user: f64,
    /// Members per chat.
    pub size: IntDist,
    /// How readily members believe what they see here, in [0, 1].
    pub trust: f64,
    /// Share of members from the chat's dominant camp, in [0, 1].
    pub homophily: f64,
    /// Relative preference of spreaders for forwarding into this kind.
    pub share_weight: f64,
    /// Who may post.
    pub posting: Posting,
    /// Whether sociable users join more chats of this kind.
    pub heavy_tailed: bool,
}

impl ChatKindSpec {
    /// The built-in parameters of each kind, used for fields a scenario leaves out.
    pub fn defaults(kind: ChatKind) -> ChatKindSpec {
        let ln = |median: f64, sigma: f64, min: u32, max: u32| IntDist::Lognormal {
            median,
            sigma,
            min,
            max,
        };
        let (per_user, size, trust, homophily, share_weight, heavy) = match kind {
            ChatKind::Family => (1.0, ln(6.0, 0.5, 3, 40), 0.9, 0.9, 1.0, false),
            ChatKind::Friends => (1.5, ln(10.0, 0.6, 3, 80), 0.75, 0.8, 1.0, true),
            ChatKind::Work => (0.8, ln(12.0, 0.6, 3, 100), 0.5, 0.5, 0.4, false),
            ChatKind::Community => (1.0, ln(40.0, 0.8, 5, 256), 0.5, 0.6, 0.7, true),
            ChatKind::Political => (0.3, ln(120.0, 0.7, 10, 256), 0.4, 0.95, 1.5, true),
            ChatKind::Broadcast => (0.5, ln(100.0, 1.0, 5, 1000), 0.6, 0.9, 1.0, true),
            ChatKind::Direct => (8.0, IntDist::Constant { value: 2 }, 0.8, 0.7, 0.6, true),
        };
        ChatKindSpec {
            kind,
            per_user,
            size,
            trust,
            homophily,
            share_weight,
            posting: if kind == ChatKind::Broadcast {
                Posting::Owner
            } else {
                Posting::Everyone
            },
            heavy_tailed: heavy,
        }
    }

    fn resolve(kind: ChatKind, raw: &ChatKindConfig) -> ChatKindSpec {
        let d = ChatKindSpec::defaults(kind);
        ChatKindSpec {
            kind,
            per_user: raw.per_user.unwrap_or(d.per_user),
            size: raw.size.clone().unwrap_or(d.size),
            trust: raw.trust.unwrap_or(d.trust),
            homophily: raw.homophily.unwrap_or(d.homophily),
            share_weight: raw.share_weight.unwrap_or(d.share_weight),
            posting: raw.posting.unwrap_or(d.posting),
            heavy_tailed: raw.heavy_tailed.unwrap_or(d.heavy_tailed),
        }
    }

    fn to_config(&self) -> ChatKindConfig {
        ChatKindConfig {
            per_user: Some(self.per_user),
            size: Some(self.size.clone()),
            trust: Some(self.trust),
            homophily: Some(self.homophily),
            share_weight: Some(self.share_weight),
            posting: Some(self.posting),
            heavy_tailed: Some(self.heavy_tailed),
        }
    }

    fn check(&self, v: &mut Violations) {
        let kind = self.kind;
        let at = |f: &str| format!("population.chats.{kind}.{f}");
        v.range(&at("per_user"), self.per_user, 0.0, 1000.0);
        v.check(&at("size"), self.size.check(false));
        if kind == ChatKind::Direct && self.size != (IntDist::Constant { value: 2 }) {
            v.add(
                &at("size"),
                "direct chats always have 2 members; remove `size`".into(),
            );
        }
        for (f, x) in [("trust", self.trust), ("homophily", self.homophily)] {
            if !(0.0..=1.0).contains(&x) {
                v.add(&at(f), format!("{x} is out of range: allowed 0 to 1"));
            }
        }
        if !(self.share_weight.is_finite() && self.share_weight >= 0.0) {
            v.add(
                &at("share_weight"),
                format!("{} must be >= 0", self.share_weight),
            );
        }
    }
}

/// Who the users are and which chats they share.
#[derive(Clone, Debug, PartialEq)]
pub struct PopulationSpec {
    /// Generated, a reference network, or imported.
    pub source: PopulationSource,
    /// Per-user attributes to import (`user,camp,skepticism,activity,fanout,followers`).
    pub user_table: Option<String>,
    /// Camps with their shares (at least one).
    pub camps: Vec<Camp>,
    /// Resistance to believing, in [0, 1].
    pub skepticism: RealDist,
    /// Chance of reading pending messages in a step at the busiest hour, in [0, 1].
    pub activity: RealDist,
    /// Chats a user forwards to in one share action, before the forward limit.
    pub fanout: IntDist,
    /// Log-scale spread of users' sociability.
    pub sociability: f64,
    /// Daily rhythm of reading.
    pub rhythm: DailyRhythm,
    /// Resolved chat kinds, indexed by [`ChatKind::index`]; `None` for absent kinds.
    pub kinds: [Option<ChatKindSpec>; 7],
}

impl PopulationSpec {
    /// Checks the section.
    pub(super) fn check(raw: &PopulationConfig, v: &mut Violations) -> PopulationSpec {
        let source = check_source(raw, v);
        let generated_mix = matches!(source, PopulationSource::Generated { .. });
        if raw.camps.is_empty() || raw.camps.len() > 255 {
            v.add(
                "population.camps",
                format!("{} camps: allowed 1 to 255", raw.camps.len()),
            );
        }
        let mut share_sum = 0.0;
        for (i, c) in raw.camps.iter().enumerate() {
            if !(c.share.is_finite() && c.share >= 0.0) {
                v.add(
                    &format!("population.camps[{i}].share"),
                    format!("{} must be >= 0", c.share),
                );
            }
            share_sum += c.share;
            v.label(&format!("population.camps[{i}].name"), &c.name);
            if raw.camps[..i].iter().any(|o| o.name == c.name) {
                v.add(
                    &format!("population.camps[{i}].name"),
                    format!("\"{}\" is used twice", c.name),
                );
            }
        }
        if !raw.camps.is_empty() && (share_sum - 1.0).abs() > 1e-6 {
            v.add(
                "population.camps",
                format!("shares add up to {share_sum}, they must add up to 1"),
            );
        }
        v.check("population.skepticism", raw.skepticism.check(0.0, 1.0));
        v.check("population.activity", raw.activity.check(0.0, 1.0));
        v.check("population.fanout", raw.fanout.check(true));
        if raw.fanout != IntDist::All && raw.fanout.bounds().0 < 1 {
            v.add(
                "population.fanout",
                "min is 0: users with fanout 0 never forward; set min >= 1".into(),
            );
        }
        if !(0.0..=3.0).contains(&raw.sociability) {
            v.add(
                "population.sociability",
                format!("{} is out of range: allowed 0 to 3", raw.sociability),
            );
        }
        let rhythm = check_rhythm(&raw.rhythm, v);
        let mut kinds: [Option<ChatKindSpec>; 7] = Default::default();
        for kind in ChatKind::ALL {
            if let Some(k) = raw.chats.get(kind) {
                let spec = ChatKindSpec::resolve(kind, k);
                spec.check(v);
                kinds[kind.index()] = Some(spec);
            }
        }
        if generated_mix
            && kinds
                .iter()
                .all(|k| k.as_ref().is_none_or(|k| k.per_user == 0.0))
        {
            v.add(
                "population.chats",
                "no chat kind has per_user > 0: nobody could receive anything".into(),
            );
        }
        PopulationSpec {
            source,
            user_table: raw.user_table.clone(),
            camps: raw.camps.clone(),
            skepticism: raw.skepticism.clone(),
            activity: raw.activity.clone(),
            fanout: raw.fanout.clone(),
            sociability: raw.sociability,
            rhythm,
            kinds,
        }
    }

    /// The section as written, every default filled in.
    pub(super) fn to_config(&self) -> PopulationConfig {
        let d = PopulationConfig::default();
        let (users, edges, members, chat_table, network) = match &self.source {
            PopulationSource::Generated { users } => (*users, None, None, None, None),
            PopulationSource::Network { users, network } => {
                (*users, None, None, None, Some(network.to_config()))
            }
            PopulationSource::Edges { edges } => (d.users, Some(edges.clone()), None, None, None),
            PopulationSource::Members {
                members,
                chat_table,
            } => (
                d.users,
                None,
                Some(members.clone()),
                chat_table.clone(),
                None,
            ),
        };
        let mut chats = ChatsConfig {
            family: None,
            friends: None,
            work: None,
            community: None,
            political: None,
            broadcast: None,
            direct: None,
        };
        for spec in self.kinds.iter().flatten() {
            *chats.get_mut(spec.kind) = Some(spec.to_config());
        }
        PopulationConfig {
            users,
            edges,
            members,
            chat_table,
            user_table: self.user_table.clone(),
            camps: self.camps.clone(),
            skepticism: self.skepticism.clone(),
            activity: self.activity.clone(),
            fanout: self.fanout.clone(),
            sociability: self.sociability,
            rhythm: match &self.rhythm {
                DailyRhythm::Default => Rhythm::Named("default".into()),
                DailyRhythm::Flat => Rhythm::Named("flat".into()),
                DailyRhythm::Hourly(h) => Rhythm::Hourly(h.to_vec()),
            },
            chats,
            network,
        }
    }

    /// Whether the population comes from files rather than the generator.
    pub fn is_imported(&self) -> bool {
        matches!(
            self.source,
            PopulationSource::Edges { .. } | PopulationSource::Members { .. }
        )
    }

    /// Number of users of a generated population (None for imports, which learn it
    /// from their files).
    pub fn generated_users(&self) -> Option<u64> {
        match self.source {
            PopulationSource::Generated { users } | PopulationSource::Network { users, .. } => {
                Some(users)
            }
            PopulationSource::Edges { .. } | PopulationSource::Members { .. } => None,
        }
    }

    /// The reference network, if the population is one.
    pub fn network(&self) -> Option<ReferenceNetwork> {
        match self.source {
            PopulationSource::Network { network, .. } => Some(network),
            _ => None,
        }
    }

    /// The resolved spec of a chat kind, or the kind's defaults if the scenario leaves
    /// it out (imported chats and reference networks may still have it).
    pub fn kind_spec(&self, kind: ChatKind) -> ChatKindSpec {
        self.kinds[kind.index()]
            .clone()
            .unwrap_or_else(|| ChatKindSpec::defaults(kind))
    }

    /// Camp names in camp-id order.
    pub fn camp_names(&self) -> Vec<String> {
        self.camps.iter().map(|c| c.name.clone()).collect()
    }
}

impl ReferenceNetwork {
    fn to_config(self) -> NetworkConfig {
        let (model, mean_degree, branching) = match self {
            ReferenceNetwork::ErdosRenyi { mean_degree } => {
                (NetworkModel::ErdosRenyi, Some(mean_degree), None)
            }
            ReferenceNetwork::Complete => (NetworkModel::Complete, None, None),
            ReferenceNetwork::Star => (NetworkModel::Star, None, None),
            ReferenceNetwork::Path => (NetworkModel::Path, None, None),
            ReferenceNetwork::Tree { branching } => (NetworkModel::Tree, None, Some(branching)),
        };
        NetworkConfig {
            model,
            mean_degree,
            branching,
        }
    }
}

/// Generated, network or imported; the size of a generated population.
fn check_source(raw: &PopulationConfig, v: &mut Violations) -> PopulationSource {
    let imported = raw.edges.is_some() || raw.members.is_some();
    if raw.edges.is_some() && raw.members.is_some() {
        v.add(
            "population.edges",
            "give either `edges` or `members`, not both".into(),
        );
    }
    if raw.edges.is_some() && raw.chat_table.is_some() {
        v.add(
            "population.chat_table",
            "a chat table goes with `members`; the chats of an edge list are direct chats \
             without names: remove `chat_table` or import a membership table"
                .into(),
        );
    }
    if !imported && !(2..=MAX_USERS).contains(&raw.users) {
        v.add(
            "population.users",
            format!("{} is out of range: allowed 2 to {MAX_USERS}", raw.users),
        );
    }
    if let Some(net) = &raw.network {
        if imported {
            v.add(
                "population.network",
                "a network cannot be combined with imported `edges` or `members`".into(),
            );
        }
        let network = check_network(net, raw.users, v);
        return PopulationSource::Network {
            users: raw.users,
            network,
        };
    }
    match (&raw.edges, &raw.members) {
        (Some(edges), _) => PopulationSource::Edges {
            edges: edges.clone(),
        },
        (None, Some(members)) => PopulationSource::Members {
            members: members.clone(),
            chat_table: raw.chat_table.clone(),
        },
        (None, None) => PopulationSource::Generated { users: raw.users },
    }
}

fn check_network(net: &NetworkConfig, users: u64, v: &mut Violations) -> ReferenceNetwork {
    match net.model {
        NetworkModel::ErdosRenyi => {
            let c = match net.mean_degree {
                Some(c) if c.is_finite() && c >= 0.0 && c <= users.saturating_sub(1) as f64 => c,
                Some(c) => {
                    v.add(
                        "population.network.mean_degree",
                        format!("{c} is out of range: allowed 0 to users - 1"),
                    );
                    0.0
                }
                None => {
                    v.add(
                        "population.network.mean_degree",
                        "erdos-renyi needs `mean_degree`".into(),
                    );
                    0.0
                }
            };
            ReferenceNetwork::ErdosRenyi { mean_degree: c }
        }
        NetworkModel::Tree => {
            let b = net.branching.filter(|b| (1..=1_000_000).contains(b));
            if b.is_none() {
                v.add(
                    "population.network.branching",
                    "tree needs `branching` between 1 and 1000000".into(),
                );
            }
            ReferenceNetwork::Tree {
                branching: b.unwrap_or(1),
            }
        }
        NetworkModel::Complete => {
            if users > 20_000 {
                v.add(
                    "population.network.model",
                    format!("a complete graph of {users} users has too many pairs: allowed up to 20000 users"),
                );
            }
            ReferenceNetwork::Complete
        }
        NetworkModel::Star => ReferenceNetwork::Star,
        NetworkModel::Path => ReferenceNetwork::Path,
    }
}

fn check_rhythm(raw: &Rhythm, v: &mut Violations) -> DailyRhythm {
    match raw {
        Rhythm::Named(n) if n == "default" => DailyRhythm::Default,
        Rhythm::Named(n) if n == "flat" => DailyRhythm::Flat,
        Rhythm::Named(n) => {
            v.add(
                "population.rhythm",
                format!(
                    "\"{n}\" is not a rhythm: use \"default\", \"flat\" or 24 numbers in [0, 1]"
                ),
            );
            DailyRhythm::Flat
        }
        Rhythm::Hourly(h) => {
            if h.len() != 24 || h.iter().any(|x| !(0.0..=1.0).contains(x)) {
                v.add(
                    "population.rhythm",
                    format!(
                        "{} values given: need exactly 24 numbers in [0, 1]",
                        h.len()
                    ),
                );
                DailyRhythm::Flat
            } else {
                DailyRhythm::Hourly(std::array::from_fn(|i| h[i]))
            }
        }
    }
}
