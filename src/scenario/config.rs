//! The scenario file as written: a serde mirror of the TOML with defaults.
//!
//! Every section and field here is documented in `docs/scenario.md`. Unknown fields
//! are refused (`deny_unknown_fields`) so a typo never silently falls back to a
//! default. Values are checked afterwards, section by section, by
//! [`super::Scenario::check`], which reports every violation at once; nothing
//! downstream reads this raw form. Sections whose written and checked forms coincide
//! (`[belief]`, `[attention]`, `[correction]`, `[public]`, camps, markers) are defined once, in their
//! section's module, and used here.

use super::attention::Attention;
use super::belief::BeliefSpec;
use super::correction::Correction;
use super::dist::{IntDist, RealDist};
use super::kind::ChatKind;
use super::population::Camp;
use super::public::PublicSpec;
use super::rumor::Stance;
use super::sharing::StanceFactors;
use super::simulation::Marker;
use super::switch::Switch;
use crate::duration::{self, Duration};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

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
    /// `[simulation]`: seed, step, horizon, replicates; all defaulted.
    #[serde(default)]
    pub simulation: SimulationConfig,
    /// `[population]`: generated or imported users and chats; default: 10,000 users in
    /// the WhatsApp-like chat mix.
    #[serde(default)]
    pub population: PopulationConfig,
    /// `[platform]`: group caps, forward limits and the forwarding label.
    #[serde(default)]
    pub platform: PlatformConfig,
    /// `[rumor]`: appeal, virality and stance towards each camp.
    #[serde(default)]
    pub rumor: RumorConfig,
    /// `[belief]`: how reading converts into belief (the logistic model by default).
    #[serde(default)]
    pub belief: BeliefSpec,
    /// Limited attention: which pending copies a reader actually reads.
    #[serde(default)]
    pub attention: Attention,
    /// `[sharing]`: who shares, when, how often, and when they stop.
    #[serde(default)]
    pub sharing: SharingConfig,
    /// `[[seeds]]`: who starts the rumor, and when; default: one random user at time 0.
    #[serde(default = "default_seeds")]
    pub seeds: Vec<SeedConfig>,
    /// `[correction]`: how readers take a correction and pass it on, once an
    /// intervention launches one.
    #[serde(default)]
    pub correction: Correction,
    /// `[[interventions]]`: counter-measures, each firing at most once per run; default:
    /// none.
    #[serde(default)]
    pub interventions: Vec<InterventionConfig>,
    /// Public spill-over (private -> public -> press -> crisis); absent: none.
    #[serde(default)]
    pub public: Option<PublicSpec>,
    /// Observation windows (monitors, tiplines, the public layer's counts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observe: Vec<super::observe::ObserveConfig>,
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
        /// Trigger: fires at the start of the step in which this time from the start
        /// falls; not with `when`.
        at: Option<Duration>,
        /// Trigger: a condition such as `"reach > 5%"`; fires at the start of the step
        /// after the first step at whose end it holds; not with `at`.
        when: Option<String>,
        /// The new `platform.forward_limit` (chats per share action).
        limit: Limit,
        /// The new `platform.labelled_forward_limit`; default: the labelled limit in
        /// force, lowered to `limit` if it was higher.
        labelled_limit: Option<Limit>,
    },
    /// Introduce the "forwarded many times" label from a hop threshold.
    Label {
        /// Trigger: fires at the start of the step in which this time from the start
        /// falls; not with `when`.
        at: Option<Duration>,
        /// Trigger: a condition such as `"reach > 5%"`; fires at the start of the step
        /// after the first step at whose end it holds; not with `at`.
        when: Option<String>,
        /// The new `platform.label_hops`: copies posted from now on at this hop or later
        /// are labelled; 0: no label from now on.
        hops: u32,
        /// Belief penalty of labelled copies (logit); default: `belief.label_penalty`.
        penalty: Option<f64>,
        /// Forward limit for labelled copies (default 1).
        forward_limit: Option<Limit>,
    },
    /// Launch the correction: seeded into given users, random users, a fact-checker's
    /// subscribers (direct delivery), or chats of a kind.
    FactCheck {
        /// Trigger: fires at the start of the step in which this time from the start
        /// falls; not with `when`.
        at: Option<Duration>,
        /// Trigger: a condition such as `"reach > 5%"`; fires at the start of the step
        /// after the first step at whose end it holds; not with `at`.
        when: Option<String>,
        /// This many random users (of `camp`, if given) become fact-checkers: each reads
        /// the correction and posts it at once to `fanout` of their chats.
        users: Option<u32>,
        /// The given users (ids as for seeds) are the fact-checkers, as with `users`.
        ids: Option<Vec<String>>,
        /// The correction goes straight to this many random users (of `camp`, if given)
        /// from outside the population (a channel, newsletter or tipline), not through a
        /// chat.
        subscribers: Option<u32>,
        /// This many random chats of kind `chat_kind` (of dominant camp `camp`, if given)
        /// get the correction, posted by their owner or a random member.
        chats: Option<u32>,
        /// Kind of the chats of `chats`; required with it, refused without it.
        #[serde(rename = "chat_kind")]
        chat_kind: Option<ChatKind>,
        /// Name of the camp that `users`, `subscribers` or `chats` are restricted to
        /// (ignored with `ids`).
        camp: Option<String>,
    },
    /// A share of groups have admins who, a delay after the rumor first appears in their
    /// group, delete its unread copies there, block further copies and post the correction.
    Moderation {
        /// Trigger: fires at the start of the step in which this time from the start
        /// falls; not with `when`.
        at: Option<Duration>,
        /// Trigger: a condition such as `"reach > 5%"`; fires at the start of the step
        /// after the first step at whose end it holds; not with `at`.
        when: Option<String>,
        /// Share of chats (of `chat_kinds`) with a moderating admin, in [0, 1]; drawn once
        /// per replicate.
        share: f64,
        /// Time from the rumor's first post in a moderated chat to the admin's action
        /// (rounded to whole steps; use at least one step).
        delay: Duration,
        /// Kinds of chat moderated (default: family, friends, work, community, political).
        chat_kinds: Option<Vec<ChatKind>>,
    },
    /// After a detection delay, the heaviest forwarders stop posting.
    Ban {
        /// Trigger: fires at the start of the step in which this time from the start
        /// falls; not with `when`.
        at: Option<Duration>,
        /// Trigger: a condition such as `"reach > 5%"`; fires at the start of the step
        /// after the first step at whose end it holds; not with `at`.
        when: Option<String>,
        /// Detection delay between a user qualifying and the ban taking effect (rounded
        /// to whole steps).
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
        /// Trigger: fires at the start of the step in which this time from the start
        /// falls; not with `when`.
        at: Option<Duration>,
        /// Trigger: a condition such as `"reach > 5%"`; fires at the start of the step
        /// after the first step at whose end it holds; not with `at`.
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
    /// Before the rumor starts, a share of users (optionally of one camp) become less
    /// likely to believe it: by `effect` in logit (default 0.5), or, the legacy form,
    /// more skeptical by `boost` (added, capped at 1).
    Prebunk {
        /// Trigger: fires at the start of the step in which this time from the start
        /// falls; not with `when`.
        at: Option<Duration>,
        /// Trigger: a condition such as `"reach > 5%"`; fires at the start of the step
        /// after the first step at whose end it holds; not with `at`.
        when: Option<String>,
        /// Chance that each user (of `camp`, if given) is prebunked, in [0, 1]; drawn once
        /// per replicate and user.
        share: f64,
        /// Logit loss on belief for a prebunked reader (0 to 50); default 0.5 when
        /// neither `effect` nor `boost` is given.
        effect: Option<f64>,
        /// The legacy form: added to a prebunked user's skepticism (capped at 1), in
        /// [0, 1]; not with `effect`.
        boost: Option<f64>,
        /// Name of the only camp whose users are prebunked; default: every camp.
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
    /// Which reference network to build (required).
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
    /// `[population.chats.family]`: small, trusted, homophilous family groups.
    pub family: Option<ChatKindConfig>,
    /// `[population.chats.friends]`: groups of friends.
    pub friends: Option<ChatKindConfig>,
    /// `[population.chats.work]`: work groups, mixed camps and middling trust.
    pub work: Option<ChatKindConfig>,
    /// `[population.chats.community]`: larger neighbourhood, school or church groups.
    pub community: Option<ChatKindConfig>,
    /// `[population.chats.political]`: large partisan groups, the most homophilous.
    pub political: Option<ChatKindConfig>,
    /// `[population.chats.broadcast]`: broadcast lists, where only the owner posts.
    pub broadcast: Option<ChatKindConfig>,
    /// `[population.chats.direct]`: one-to-one conversations (always two members).
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
    /// `"everyone"`: every member may post.
    Everyone,
    /// `"owner"`: each chat has an owner (a member of its dominant camp) who alone may
    /// post.
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
    /// Most group chats (every kind but direct) one forward of an already-forwarded
    /// copy (hop >= 1) may target; direct chats still count against `forward_limit`.
    pub forwarded_group_limit: Option<Limit>,
}

/// A limit that may be a count or "unlimited".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// A whole number, at least 1.
    Count(u32),
    /// `"unlimited"`: no limit.
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
    /// The camp the rumor attacks: believed less there, more elsewhere (the legacy
    /// shorthand of `stance`).
    pub target_camp: Option<String>,
    /// The rumor's stance per camp name ("for", "against", "indifferent"); camps not
    /// listed are indifferent.
    pub stance: Option<BTreeMap<String, Stance>>,
}

impl Default for RumorConfig {
    fn default() -> Self {
        RumorConfig {
            appeal: 0.25,
            virality: 1.0,
            target_camp: None,
            stance: None,
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
    /// How waits (`delay`, `interval`, `correction.delay`) are drawn; default
    /// `"exponential"`.
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
    /// Chance that a spreader held back by a forward limit makes the next share action
    /// towards the chats it intended (each chat at most once), or "off" (one action of
    /// `min(fanout, limit)` chats chosen afresh, no memory).
    pub persistence: Switch<f64>,
    /// Age of the rumor (since its first post) at which the share probability has
    /// halved (novelty decay), or "off".
    pub novelty_half_life: Switch<Duration>,
    /// Stretching exponent of the novelty decay exp(-(age / tau)^exponent), in (0, 2].
    pub novelty_exponent: f64,
    /// Multipliers of the believer share probability by the rumor's stance towards the
    /// reader's camp.
    pub stance_factor: StanceFactors,
    /// Multiplier of the believer share probability when the convincing copy carried
    /// the "forwarded many times" label, in [0, 1].
    pub label_factor: f64,
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
            persistence: Switch::On(0.5),
            novelty_half_life: Switch::On(Duration::from_hours(6.0)),
            novelty_exponent: 0.4,
            stance_factor: StanceFactors::default(),
            label_factor: 0.85,
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
