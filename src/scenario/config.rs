//! The scenario file as written: a serde mirror of the TOML with defaults.
//!
//! Every section and field here is documented in `docs/scenario.md`. Unknown fields
//! are refused (`deny_unknown_fields`) so a typo never silently falls back to a
//! default. Values are checked afterwards, section by section, by
//! [`super::Scenario::check`], which reports every violation at once; nothing
//! downstream reads this raw form. Sections whose written and checked forms coincide
//! (`[belief]`, `[correction]`, `[public]`, camps, markers) are defined once, in their
//! section's module, and used here.

use super::belief::BeliefSpec;
use super::correction::Correction;
use super::dist::{IntDist, RealDist};
use super::kind::ChatKind;
use super::population::Camp;
use super::public::PublicSpec;
use super::simulation::Marker;
use crate::duration::{self, Duration};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

/// The whole scenario file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioConfig {
    /// Scenario name; the output folder's name. Defaults to the file's stem.
    #[serde(default)]
    pub name: Option<String>,
    /// Free text describing the scenario.
    #[serde(default)]
    pub description: Option<String>,
    /// Short name for charts and tables ("Forward limit 5"); default: `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A base scenario file (relative to this one) whose values this file overrides.
    #[serde(default, skip_serializing)]
    pub extends: Option<String>,
    #[serde(default)]
    pub simulation: SimulationConfig,
    #[serde(default)]
    pub population: PopulationConfig,
    #[serde(default)]
    pub platform: PlatformConfig,
    #[serde(default)]
    pub rumor: RumorConfig,
    #[serde(default)]
    pub belief: BeliefSpec,
    #[serde(default)]
    pub sharing: SharingConfig,
    #[serde(default = "default_seeds")]
    pub seeds: Vec<SeedConfig>,
    #[serde(default)]
    pub correction: Correction,
    #[serde(default)]
    pub interventions: Vec<InterventionConfig>,
    /// Public spill-over (private -> public -> press -> crisis); absent: none.
    #[serde(default)]
    pub public: Option<PublicSpec>,
    /// Figures at chosen times and event definitions for the outputs.
    #[serde(default, skip_serializing_if = "super::report::ReportConfig::is_empty")]
    pub report: super::report::ReportConfig,
}

/// Kinds of chat a moderation covers unless it lists `chat_kinds`: broadcast lists and
/// direct chats have no admin who moderates.
pub const MODERATED_KINDS: [ChatKind; 5] = [
    ChatKind::Family,
    ChatKind::Friends,
    ChatKind::Work,
    ChatKind::Community,
    ChatKind::Political,
];

/// One `[[interventions]]` entry: what it does (`kind`) and when it fires: at a time
/// (`at`) or when a condition first holds (`when = "reach > 5%"`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum InterventionConfig {
    /// Change the forward limit (and optionally the labelled limit).
    ForwardLimit {
        at: Option<Duration>,
        when: Option<String>,
        limit: Limit,
        labelled_limit: Option<Limit>,
    },
    /// Introduce the "forwarded many times" label from a hop threshold.
    Label {
        at: Option<Duration>,
        when: Option<String>,
        hops: u32,
        /// Belief penalty of labelled copies (logit); default: `belief.label_penalty`.
        penalty: Option<f64>,
        /// Forward limit for labelled copies (default 1).
        forward_limit: Option<Limit>,
    },
    /// Launch the correction: seeded into given users, random users, a fact-checker's
    /// subscribers (direct delivery), or chats of a kind.
    FactCheck {
        at: Option<Duration>,
        when: Option<String>,
        users: Option<u32>,
        ids: Option<Vec<String>>,
        subscribers: Option<u32>,
        chats: Option<u32>,
        #[serde(rename = "chat_kind")]
        chat_kind: Option<ChatKind>,
        camp: Option<String>,
    },
    /// A share of groups have admins who, a delay after the rumor first appears in their
    /// group, delete its unread copies there, block further copies and post the correction.
    Moderation {
        at: Option<Duration>,
        when: Option<String>,
        share: f64,
        delay: Duration,
        /// Kinds of chat moderated (default: family, friends, work, community, political).
        chat_kinds: Option<Vec<ChatKind>>,
    },
    /// After a detection delay, the heaviest forwarders stop posting.
    Ban {
        at: Option<Duration>,
        when: Option<String>,
        delay: Duration,
        /// Ban the `top` users with the most rumor posts at detection time.
        top: Option<u32>,
        /// Ban every user once they reach this many rumor posts.
        min_posts: Option<u32>,
    },
    /// The organisation answers the source of a complaint: the source stops, and an
    /// authoritative answer is posted to its chats (and publicly, if it has a public
    /// account, damping the public conversation).
    Response {
        at: Option<Duration>,
        when: Option<String>,
        /// Whose complaint is answered (ids); default: every seed so far.
        ids: Option<Vec<String>>,
        /// Chance that a reader who does not believe the complaint accepts the answer.
        acceptance: Option<f64>,
        /// Chance that a believer reading the answer is convinced by it.
        efficacy: Option<f64>,
        /// Share by which a public answer cuts the public conversation's excitation.
        public_damping: Option<f64>,
    },
    /// Before the rumor starts, a share of users (optionally of one camp) become more
    /// skeptical by `boost` (added, capped at 1).
    Prebunk {
        at: Option<Duration>,
        when: Option<String>,
        share: f64,
        boost: f64,
        camp: Option<String>,
    },
}

impl InterventionConfig {
    /// The trigger fields shared by every kind.
    pub fn trigger(&self) -> (Option<Duration>, Option<&str>) {
        use InterventionConfig::*;
        match self {
            ForwardLimit { at, when, .. }
            | Label { at, when, .. }
            | FactCheck { at, when, .. }
            | Moderation { at, when, .. }
            | Ban { at, when, .. }
            | Response { at, when, .. }
            | Prebunk { at, when, .. } => (*at, when.as_deref()),
        }
    }
}

/// `[simulation]`: clock, horizon, replicates.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SimulationConfig {
    /// Master seed: same scenario + seed gives the same outputs.
    pub seed: u64,
    /// Length of one step.
    pub step: Duration,
    /// Simulated time span.
    pub horizon: Duration,
    /// Build a new population for every replicate (population uncertainty, and
    /// independent replicates for comparisons with ensemble theory).
    pub fresh_population: bool,
    /// Independent runs of the dynamics on the same population.
    pub replicates: u32,
    /// Clock hour (0-24) at time zero, for the daily rhythm (default 8, or the hour of
    /// `start`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_hour: Option<f64>,
    /// Calendar date and time of time zero, if the scenario has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<crate::duration::Timestamp>,
    /// Labelled vertical lines on time charts.
    pub markers: Vec<Marker>,
}

impl Default for SimulationConfig {
    fn default() -> Self {
        SimulationConfig {
            seed: 1,
            step: Duration::from_minutes(10.0),
            horizon: Duration::from_hours(7.0 * 24.0),
            fresh_population: false,
            replicates: 10,
            start_hour: None,
            start: None,
            markers: Vec::new(),
        }
    }
}

/// `[population]`: who the users are and which chats they share.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PopulationConfig {
    /// Number of users to generate (ignored when a population is imported).
    pub users: u64,
    /// Edge list to import (each edge a direct chat), relative to the scenario file.
    pub edges: Option<String>,
    /// Membership table `chat,user[,kind]` to import, relative to the scenario file.
    pub members: Option<String>,
    /// Per-chat attributes for an imported membership table (`chat,kind,trust,owner`).
    pub chat_table: Option<String>,
    /// Per-user attributes to import (`user,camp,skepticism,activity,fanout,followers`).
    pub user_table: Option<String>,
    /// Camps (political sides, communities) with their population shares.
    pub camps: Vec<Camp>,
    /// Resistance to believing, in [0, 1].
    pub skepticism: RealDist,
    /// Chance of reading pending messages in a step at the busiest hour, in [0, 1].
    pub activity: RealDist,
    /// How many chats a user forwards to in one share action (before the forward limit).
    pub fanout: IntDist,
    /// Log-scale spread of users' sociability; higher gives heavier-tailed memberships.
    pub sociability: f64,
    /// Daily rhythm: "default", "flat", or 24 hourly multipliers in [0, 1].
    pub rhythm: Rhythm,
    /// Chat kinds present and their parameters.
    pub chats: ChatsConfig,
    /// A classic network instead of the chat-kind mix: every edge a direct chat.
    pub network: Option<NetworkConfig>,
}

/// `[population.network]`: a reference network whose edges become direct chats
/// (used by the validation suite and for textbook comparisons).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    pub model: NetworkModel,
    /// Mean degree for `erdos-renyi` (G(n, m) with m = round(n c / 2) edges).
    pub mean_degree: Option<f64>,
    /// Children per node for `tree`.
    pub branching: Option<u32>,
}

/// Reference network models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NetworkModel {
    /// Uniform random graph with a fixed number of edges.
    ErdosRenyi,
    /// Every pair of users connected (well-mixed population).
    Complete,
    /// User 0 connected to every other user.
    Star,
    /// Users 0-1-2-...-(n-1) in a line.
    Path,
    /// Balanced tree rooted at user 0, children of u are b u + 1 ..= b u + b.
    Tree,
}

impl Default for PopulationConfig {
    fn default() -> Self {
        PopulationConfig {
            users: 10_000,
            edges: None,
            members: None,
            chat_table: None,
            user_table: None,
            camps: vec![Camp {
                name: "all".into(),
                share: 1.0,
            }],
            skepticism: RealDist::Beta {
                alpha: 2.0,
                beta: 3.0,
            },
            activity: RealDist::Beta {
                alpha: 1.5,
                beta: 8.5,
            },
            fanout: IntDist::Zipf {
                exponent: 2.2,
                min: 1,
                max: 50,
            },
            sociability: 1.0,
            rhythm: Rhythm::Named("default".into()),
            chats: ChatsConfig::default(),
            network: None,
        }
    }
}

/// The daily rhythm of reading.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Rhythm {
    /// "default" (a typical messaging-app day) or "flat" (no rhythm).
    Named(String),
    /// 24 multipliers, hour 0 first.
    Hourly(Vec<f64>),
}

/// `[population.chats.*]`: one table per chat kind present. A missing
/// `[population.chats]` section gives the default WhatsApp-like mix; a present one
/// lists exactly the kinds that exist.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatsConfig {
    pub family: Option<ChatKindConfig>,
    pub friends: Option<ChatKindConfig>,
    pub work: Option<ChatKindConfig>,
    pub community: Option<ChatKindConfig>,
    pub political: Option<ChatKindConfig>,
    pub broadcast: Option<ChatKindConfig>,
    pub direct: Option<ChatKindConfig>,
}

impl Default for ChatsConfig {
    fn default() -> Self {
        let on = || Some(ChatKindConfig::default());
        ChatsConfig {
            family: on(),
            friends: on(),
            work: on(),
            community: on(),
            political: on(),
            broadcast: on(),
            direct: on(),
        }
    }
}

impl ChatsConfig {
    /// The table for `kind`, if that kind is present.
    pub fn get(&self, kind: ChatKind) -> Option<&ChatKindConfig> {
        match kind {
            ChatKind::Family => self.family.as_ref(),
            ChatKind::Friends => self.friends.as_ref(),
            ChatKind::Work => self.work.as_ref(),
            ChatKind::Community => self.community.as_ref(),
            ChatKind::Political => self.political.as_ref(),
            ChatKind::Broadcast => self.broadcast.as_ref(),
            ChatKind::Direct => self.direct.as_ref(),
        }
    }

    /// Mutable table for `kind`.
    pub fn get_mut(&mut self, kind: ChatKind) -> &mut Option<ChatKindConfig> {
        match kind {
            ChatKind::Family => &mut self.family,
            ChatKind::Friends => &mut self.friends,
            ChatKind::Work => &mut self.work,
            ChatKind::Community => &mut self.community,
            ChatKind::Political => &mut self.political,
            ChatKind::Broadcast => &mut self.broadcast,
            ChatKind::Direct => &mut self.direct,
        }
    }
}

/// Parameters of one chat kind; missing fields take the kind's defaults
/// (see [`super::ChatKindSpec::defaults`]).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatKindConfig {
    /// Mean number of chats of this kind a user belongs to (direct: contacts per user;
    /// broadcast: lists a user receives).
    pub per_user: Option<f64>,
    /// Members per chat (broadcast: receivers; direct: always 2).
    pub size: Option<IntDist>,
    /// How readily members believe what they see here, in [0, 1].
    pub trust: Option<f64>,
    /// Share of members from the chat's dominant camp, in [0, 1].
    pub homophily: Option<f64>,
    /// Relative preference of spreaders for forwarding into this kind (>= 0).
    pub share_weight: Option<f64>,
    /// Who may post: "everyone" or "owner".
    pub posting: Option<Posting>,
    /// Whether sociable users join more chats of this kind (heavy-tailed memberships).
    pub heavy_tailed: Option<bool>,
}

/// Who may post in a chat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Posting {
    Everyone,
    Owner,
}

/// `[platform]`: the messaging platform's rules. A `preset` fills in a real
/// platform's rules (see `docs/platforms.md`); any field given explicitly overrides it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlatformConfig {
    /// Named platform rules, e.g. "whatsapp-2019" (see [`super::platform::PRESETS`]).
    pub preset: Option<String>,
    /// Largest group (members) the platform allows; chats are built under this cap.
    pub group_cap: Option<u32>,
    /// Largest broadcast list or channel (receivers).
    pub broadcast_cap: Option<u32>,
    /// Most chats one forward action may target.
    pub forward_limit: Option<Limit>,
    /// Hop count from which a copy carries the "forwarded many times" label (0: never).
    pub label_hops: Option<u32>,
    /// Forward limit for a copy that carries the label.
    pub labelled_forward_limit: Option<Limit>,
}

/// A limit that may be a count or "unlimited".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Count(u32),
    Unlimited,
}

impl Limit {
    /// The limit as a number, `u32::MAX` when unlimited.
    pub fn get(self) -> u32 {
        match self {
            Limit::Count(n) => n,
            Limit::Unlimited => u32::MAX,
        }
    }
}

impl Serialize for Limit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Limit::Count(n) => s.serialize_u32(*n),
            Limit::Unlimited => s.serialize_str("unlimited"),
        }
    }
}

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(i64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) if (1..=u32::MAX as i64).contains(&n) => Ok(Limit::Count(n as u32)),
            Raw::N(n) => Err(de::Error::custom(format!(
                "{n} is not a valid limit: use a whole number >= 1 or \"unlimited\""
            ))),
            Raw::S(s) if s == "unlimited" => Ok(Limit::Unlimited),
            Raw::S(s) => Err(de::Error::custom(format!(
                "\"{s}\" is not a valid limit: use a whole number >= 1 or \"unlimited\""
            ))),
        }
    }
}

/// `[rumor]`: the message being followed.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RumorConfig {
    /// Chance an average reader believes one copy at first sight, in (0, 1).
    pub appeal: f64,
    /// Multiplier on the share probabilities (>= 0).
    pub virality: f64,
    /// The camp the rumor attacks: believed less there, more elsewhere.
    pub target_camp: Option<String>,
}

impl Default for RumorConfig {
    fn default() -> Self {
        RumorConfig {
            appeal: 0.25,
            virality: 1.0,
            target_camp: None,
        }
    }
}

/// How the delay before a share action is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DelayDist {
    /// Geometric number of steps with the given mean (memoryless).
    Exponential,
    /// Exactly the given delay, rounded to whole steps.
    Fixed,
}

/// `[sharing]`: who shares, when, how often, and when they stop.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SharingConfig {
    /// Probability that a new believer becomes a spreader.
    pub believer: f64,
    /// Probability that a reader who does not believe shares anyway ("just in case").
    pub rejecter: f64,
    /// Mean delay from becoming a spreader to the first share action (at least one step).
    pub delay: Duration,
    pub delay_dist: DelayDist,
    /// Share actions per spreader, a count or "unlimited" (until stifled).
    pub actions: Limit,
    /// Mean gap between successive share actions (defaults to `delay`).
    pub interval: Option<Duration>,
    /// Probability of stopping per share action, times the share of recipients who
    /// already knew the story (Maki-Thompson stifling; 1 with one recipient is exact MT).
    pub stifling: f64,
    /// Weight multiplier for chats whose dominant camp is the spreader's own (>= 0).
    pub camp_preference: f64,
}

impl Default for SharingConfig {
    fn default() -> Self {
        SharingConfig {
            believer: 0.15,
            rejecter: 0.02,
            delay: Duration::from_minutes(120.0),
            delay_dist: DelayDist::Exponential,
            actions: Limit::Count(1),
            interval: None,
            stifling: 0.5,
            camp_preference: 2.0,
        }
    }
}

/// `[[seeds]]`: who first posts the rumor, and when.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedConfig {
    /// When the seeds post.
    #[serde(default = "zero_duration")]
    pub at: Duration,
    /// Number of random users who post to their chats as spreaders.
    pub users: Option<u32>,
    /// Given users (ids as in the population's files, or dense ids) who post as spreaders.
    pub ids: Option<Vec<String>>,
    /// With `users`: each seed account sends the rumor straight to this many random
    /// users (mass messaging through broadcast lists outside the population's chats).
    pub recipients: Option<u32>,
    /// Number of chats into which a member posts the rumor.
    pub chats: Option<u32>,
    /// Kind of the seeded chats (with `chats`).
    pub kind: Option<ChatKind>,
    /// Only chats (or users) of this camp.
    pub camp: Option<String>,
}

fn zero_duration() -> Duration {
    Duration::from_minutes(0.0)
}

fn default_seeds() -> Vec<SeedConfig> {
    vec![SeedConfig {
        at: zero_duration(),
        users: Some(1),
        ids: None,
        recipients: None,
        chats: None,
        kind: None,
        camp: None,
    }]
}

/// Re-exported so callers can parse durations in the same words as scenario files.
pub use duration::parse as parse_duration;
