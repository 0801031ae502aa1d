//! The scenario file as written: a serde mirror of the TOML with defaults.
//!
//! Every section and field here is documented in `docs/scenario.md`. Unknown fields
//! are refused (`deny_unknown_fields`) so a typo never silently falls back to a
//! default. Values are checked afterwards by [`super::Scenario::check`], which reports
//! every violation at once; nothing downstream reads this raw form.

use super::dist::{IntDist, RealDist};
use super::kind::ChatKind;
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
    pub belief: BeliefConfig,
    #[serde(default)]
    pub sharing: SharingConfig,
    #[serde(default = "default_seeds")]
    pub seeds: Vec<SeedConfig>,
    #[serde(default)]
    pub correction: CorrectionConfig,
    #[serde(default)]
    pub interventions: Vec<InterventionConfig>,
    /// Public spill-over (private -> public -> press -> crisis); absent: none.
    #[serde(default)]
    pub public: Option<PublicConfig>,
}

/// `[public]`: users' public presence and the public, press and crisis stages.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PublicConfig {
    /// Share of generated users with a public account (imports use `followers`).
    pub share: f64,
    /// Followers of a public account.
    pub followers: IntDist,
    /// Rate (per hour) at which a believer with a public account posts about the
    /// rumor publicly; each believer posts at most once.
    pub post_rate: f64,
    /// Mean number of further public posts each public post triggers (Hawkes branching
    /// ratio, scaled per post by its author's followers relative to the mean).
    pub branching_ratio: f64,
    /// Mean delay of a triggered public post after the post that triggered it.
    pub decay: Duration,
    /// Size of the public conversation that can join in (saturates the cascade);
    /// 0 means ten times the private population.
    pub public_users: u64,
    /// Users who see a public post and forward the rumor into their private chats,
    /// per public post.
    pub feedback: f64,
    pub press: PressConfig,
    pub crisis: CrisisConfig,
}

impl Default for PublicConfig {
    fn default() -> Self {
        PublicConfig {
            share: 0.2,
            followers: IntDist::Lognormal {
                median: 150.0,
                sigma: 1.5,
                min: 1,
                max: 10_000_000,
            },
            post_rate: 0.01,
            branching_ratio: 0.8,
            decay: Duration::from_hours(6.0),
            public_users: 0,
            feedback: 0.05,
            press: PressConfig::default(),
            crisis: CrisisConfig::default(),
        }
    }
}

/// `[public.press]`: when the press picks the story up, and what that does.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PressConfig {
    /// Sliding window over which public posts are counted.
    pub window: Duration,
    /// Public posts within the window above which the press may pick the story up.
    pub threshold: f64,
    /// Chance per hour of a pickup while the volume is above the threshold.
    pub pickup_rate: f64,
    /// Coverage goes on while the volume stays above this share of the threshold.
    pub sustain: f64,
    /// Extra public posts per hour caused by press coverage.
    pub public_boost: f64,
    /// Multiplier on private re-injection (feedback) during coverage.
    pub feedback_boost: f64,
}

impl Default for PressConfig {
    fn default() -> Self {
        PressConfig {
            window: Duration::from_hours(24.0),
            threshold: 200.0,
            pickup_rate: 0.1,
            sustain: 0.5,
            public_boost: 20.0,
            feedback_boost: 2.0,
        }
    }
}

/// `[public.crisis]`: a crisis is declared when press coverage goes on and public
/// volume stays above `threshold` for `duration`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrisisConfig {
    /// Public posts within the press window.
    pub threshold: f64,
    pub duration: Duration,
}

impl Default for CrisisConfig {
    fn default() -> Self {
        CrisisConfig {
            threshold: 1000.0,
            duration: Duration::from_hours(24.0),
        }
    }
}

/// `[correction]`: how the correction (fact-check) message works once launched by a
/// `fact_check`, `moderation` or `response` intervention.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CorrectionConfig {
    /// Chance that a reader who does not believe the rumor accepts the correction
    /// (and becomes immune to the rumor).
    pub acceptance: f64,
    /// Chance that a believer who reads the correction is corrected (continued
    /// influence: corrections work only partly).
    pub efficacy: f64,
    /// Chance that a reader who accepts the correction forwards it (one share action).
    pub share: f64,
    /// Mean delay before forwarding the correction.
    pub delay: Duration,
}

impl Default for CorrectionConfig {
    fn default() -> Self {
        CorrectionConfig {
            acceptance: 0.8,
            efficacy: 0.4,
            share: 0.1,
            delay: Duration::from_minutes(120.0),
        }
    }
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

    /// Fills in the defaults of fields left out, so that the resolved scenario (as
    /// written to `summary.json`) shows exactly what ran. Fields whose absence means
    /// "keep the rule in force" (a label's `penalty`, a forward limit's
    /// `labelled_limit`) stay as given.
    pub fn fill_defaults(&mut self) {
        use InterventionConfig::*;
        match self {
            Label { forward_limit, .. } => {
                forward_limit.get_or_insert(Limit::Count(1));
            }
            Moderation { chat_kinds, .. } => {
                chat_kinds.get_or_insert_with(|| MODERATED_KINDS.to_vec());
            }
            Response {
                acceptance,
                efficacy,
                public_damping,
                ..
            } => {
                acceptance.get_or_insert(1.0);
                efficacy.get_or_insert(1.0);
                public_damping.get_or_insert(0.5);
            }
            ForwardLimit { .. } | FactCheck { .. } | Ban { .. } | Prebunk { .. } => {}
        }
    }

    /// The kind's name as written in scenario files.
    pub fn kind_name(&self) -> &'static str {
        use InterventionConfig::*;
        match self {
            ForwardLimit { .. } => "forward_limit",
            Label { .. } => "label",
            FactCheck { .. } => "fact_check",
            Moderation { .. } => "moderation",
            Ban { .. } => "ban",
            Response { .. } => "response",
            Prebunk { .. } => "prebunk",
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
    /// Clock hour (0-24) at time zero, for the daily rhythm.
    pub start_hour: f64,
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
            start_hour: 8.0,
            markers: Vec::new(),
        }
    }
}

/// A labelled time on charts, e.g. "Election day" at 6d.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marker {
    pub label: String,
    pub at: Duration,
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
    pub camps: Vec<CampConfig>,
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
            camps: vec![CampConfig {
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

/// One camp.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampConfig {
    pub name: String,
    pub share: f64,
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

/// Which belief model converts a read copy into belief.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BeliefModel {
    /// Logistic in appeal, trust, skepticism, camp, label and repetition.
    Logistic,
    /// Every copy convinces with the same `probability` (for validation).
    Constant,
}

/// `[belief]`: how reading turns into believing.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BeliefConfig {
    pub model: BeliefModel,
    /// Per-copy probability for the constant model.
    pub probability: f64,
    /// Logit gain per unit of chat trust above 0.5.
    pub trust_weight: f64,
    /// Logit loss per unit of reader skepticism above 0.5.
    pub skepticism_weight: f64,
    /// Logit gain for readers outside the target camp (loss inside it).
    pub camp_weight: f64,
    /// Logit loss for a copy labelled "forwarded many times".
    pub label_penalty: f64,
    /// Logit gain times ln(1 + copies read before), the illusory-truth effect.
    pub repetition_weight: f64,
}

impl Default for BeliefConfig {
    fn default() -> Self {
        BeliefConfig {
            model: BeliefModel::Logistic,
            probability: 0.3,
            trust_weight: 2.0,
            skepticism_weight: 3.0,
            camp_weight: 1.0,
            label_penalty: 0.5,
            repetition_weight: 0.4,
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
