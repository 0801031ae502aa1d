//! Scenario files: reading, merging (`extends`), and checking into a [`Scenario`].
//!
//! The flow is parse raw ([`config::ScenarioConfig`], a serde mirror of the TOML), then
//! validate into a checked [`Scenario`] with defaults resolved. Every violation is
//! reported at once with its key path; TOML syntax errors keep the parser's own
//! line/column snippet, and unknown names get a "did you mean" suggestion. Everything
//! downstream (population, engine, output) takes only the checked value.

pub mod condition;
pub mod config;
pub mod dist;
pub mod kind;
pub mod platform;

pub use condition::Condition;
pub use config::*;
pub use dist::{IntDist, RealDist};
pub use kind::ChatKind;
pub use platform::Platform;

use crate::error::{ScenarioError, Violation};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Most users a scenario may ask for: ids are u32 and one id is reserved.
pub const MAX_USERS: u64 = u32::MAX as u64 - 1;
/// Most steps a run may have.
pub const MAX_STEPS: u64 = 1_000_000;

/// A checked scenario: every value in range, every default filled in.
#[derive(Clone, Debug, Serialize)]
pub struct Scenario {
    /// Name used for the output folder.
    pub name: String,
    /// The file it was read from, if any (imports are relative to it).
    #[serde(skip)]
    pub path: Option<PathBuf>,
    /// The resolved configuration, as written back into `summary.json`.
    pub config: ScenarioConfig,
    /// Step length in minutes.
    pub step_minutes: f64,
    /// Number of steps in the horizon.
    pub steps: u32,
    /// Resolved chat kinds, indexed by [`ChatKind::index`]; `None` for absent kinds.
    #[serde(skip)]
    pub kinds: [Option<ChatKindSpec>; 7],
    /// Reading multiplier for each clock hour.
    #[serde(skip)]
    pub rhythm: [f32; 24],
    /// Index of the rumor's target camp, if any.
    #[serde(skip)]
    pub target_camp: Option<u8>,
    /// Platform rules with the preset and defaults resolved.
    #[serde(skip)]
    pub platform: Platform,
    /// Parsed `when` conditions, one per intervention (None for `at` triggers).
    #[serde(skip)]
    pub conditions: Vec<Option<Condition>>,
}

/// A chat kind with every parameter resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatKindSpec {
    pub kind: ChatKind,
    pub per_user: f64,
    pub size: IntDist,
    pub trust: f64,
    pub homophily: f64,
    pub share_weight: f64,
    pub posting: Posting,
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
}

/// A typical messaging-app day: quiet at night, peaks at lunch and in the evening.
/// Shape after published hourly usage curves of messaging apps; an assumption.
pub const DEFAULT_RHYTHM: [f32; 24] = [
    0.15, 0.08, 0.05, 0.04, 0.05, 0.10, 0.30, 0.55, 0.70, 0.75, 0.75, 0.80, //
    0.90, 0.85, 0.75, 0.75, 0.80, 0.85, 0.90, 0.95, 1.00, 0.90, 0.60, 0.30,
];

impl Scenario {
    /// Reads, merges (`extends`) and checks a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let mut value = load_merged(path, 0)?;
        let base = value.as_table_mut().and_then(|t| t.remove(EXTENDED_FROM));
        let config: ScenarioConfig = match base {
            // A plain file is parsed from its text so errors keep their line and column.
            None => {
                let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::Io {
                    file: path.to_path_buf(),
                    source: e,
                })?;
                toml::from_str(&text)
                    .map_err(|e| ScenarioError::parse(path, with_suggestion(&e.to_string())))?
            }
            Some(base) => value.try_into().map_err(|e: toml::de::Error| {
                let base = base.as_str().unwrap_or_default().to_string();
                let msg = with_suggestion(&e.to_string());
                ScenarioError::parse(
                    path,
                    format!("{msg}\n  (in this file merged over its base {base})"),
                )
            })?,
        };
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("scenario")
            .to_string();
        Scenario::check(config, Some(path.to_path_buf()), &stem)
    }

    /// Reads a scenario file as a TOML value with its `extends` chain merged in, for
    /// tools that edit values by path before checking (sweeps).
    pub fn load_value(path: &Path) -> Result<toml::Value, ScenarioError> {
        let mut value = load_merged(path, 0)?;
        if let Some(t) = value.as_table_mut() {
            t.remove(EXTENDED_FROM);
        }
        Ok(value)
    }

    /// Checks a TOML value as a scenario; `path` is the file it came from (imports are
    /// relative to it) and names it in messages.
    pub fn from_value(value: toml::Value, path: &Path) -> Result<Scenario, ScenarioError> {
        let config: ScenarioConfig = value.try_into().map_err(|e: toml::de::Error| {
            ScenarioError::parse(path, with_suggestion(&e.to_string()))
        })?;
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("scenario")
            .to_string();
        Scenario::check(config, Some(path.to_path_buf()), &stem)
    }

    /// Parses and checks scenario text (no `extends`); `origin` names it in messages.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        let config: ScenarioConfig = toml::from_str(text).map_err(|e| {
            ScenarioError::parse(Path::new(origin), with_suggestion(&e.to_string()))
        })?;
        Scenario::check(config, None, origin)
    }

    /// Validates a raw configuration into a scenario, reporting every violation.
    pub fn check(
        mut config: ScenarioConfig,
        path: Option<PathBuf>,
        default_name: &str,
    ) -> Result<Scenario, ScenarioError> {
        let mut v = Violations::default();
        let sim = &config.simulation;
        let step_minutes = sim.step.minutes();
        if !(1.0..=1440.0).contains(&step_minutes) {
            v.add(
                "simulation.step",
                format!("{} is out of range: allowed 1m to 1d", sim.step),
            );
        }
        let steps = if step_minutes > 0.0 {
            (sim.horizon.minutes() / step_minutes).round()
        } else {
            0.0
        };
        if steps < 1.0 || steps > MAX_STEPS as f64 {
            v.add(
                "simulation.horizon",
                format!(
                    "{} gives {steps} steps of {}: allowed 1 to {MAX_STEPS} steps",
                    sim.horizon, sim.step
                ),
            );
        }
        if !(1..=1_000_000).contains(&sim.replicates) {
            v.add(
                "simulation.replicates",
                format!("{} is out of range: allowed 1 to 1000000", sim.replicates),
            );
        }
        if !(0.0..24.0).contains(&sim.start_hour) {
            v.add(
                "simulation.start_hour",
                format!("{} is out of range: allowed 0 <= hour < 24", sim.start_hour),
            );
        }
        for (i, m) in sim.markers.iter().enumerate() {
            if m.at > sim.horizon {
                v.add(
                    &format!("simulation.markers[{i}].at"),
                    format!("{} is after the horizon {}", m.at, sim.horizon),
                );
            }
        }

        let pop = &config.population;
        let imported = pop.edges.is_some() || pop.members.is_some();
        if pop.edges.is_some() && pop.members.is_some() {
            v.add(
                "population.edges",
                "give either `edges` or `members`, not both".into(),
            );
        }
        if !imported && !(2..=MAX_USERS).contains(&pop.users) {
            v.add(
                "population.users",
                format!("{} is out of range: allowed 2 to {MAX_USERS}", pop.users),
            );
        }
        if pop.camps.is_empty() || pop.camps.len() > 255 {
            v.add(
                "population.camps",
                format!("{} camps: allowed 1 to 255", pop.camps.len()),
            );
        }
        let mut share_sum = 0.0;
        for (i, c) in pop.camps.iter().enumerate() {
            if !(c.share.is_finite() && c.share >= 0.0) {
                v.add(
                    &format!("population.camps[{i}].share"),
                    format!("{} must be >= 0", c.share),
                );
            }
            share_sum += c.share;
            if pop.camps[..i].iter().any(|o| o.name == c.name) {
                v.add(
                    &format!("population.camps[{i}].name"),
                    format!("\"{}\" is used twice", c.name),
                );
            }
        }
        if !pop.camps.is_empty() && (share_sum - 1.0).abs() > 1e-6 {
            v.add(
                "population.camps",
                format!("shares add up to {share_sum}, they must add up to 1"),
            );
        }
        v.check("population.skepticism", pop.skepticism.check(0.0, 1.0));
        v.check("population.activity", pop.activity.check(0.0, 1.0));
        v.check("population.fanout", pop.fanout.check(true));
        if pop.fanout != IntDist::All && pop.fanout.bounds().0 < 1 {
            v.add(
                "population.fanout",
                "min is 0: users with fanout 0 never forward; set min >= 1".into(),
            );
        }
        if !(0.0..=3.0).contains(&pop.sociability) {
            v.add(
                "population.sociability",
                format!("{} is out of range: allowed 0 to 3", pop.sociability),
            );
        }
        let rhythm = match &pop.rhythm {
            Rhythm::Named(n) if n == "default" => DEFAULT_RHYTHM,
            Rhythm::Named(n) if n == "flat" => [1.0; 24],
            Rhythm::Named(n) => {
                v.add("population.rhythm", format!("\"{n}\" is not a rhythm: use \"default\", \"flat\" or 24 numbers in [0, 1]"));
                [1.0; 24]
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
                    [1.0; 24]
                } else {
                    std::array::from_fn(|i| h[i] as f32)
                }
            }
        };

        if let Some(net) = &pop.network {
            if imported {
                v.add(
                    "population.network",
                    "a network cannot be combined with imported `edges` or `members`".into(),
                );
            }
            match net.model {
                NetworkModel::ErdosRenyi => match net.mean_degree {
                    Some(c) if c.is_finite() && c >= 0.0 && c <= pop.users.saturating_sub(1) as f64 => {}
                    Some(c) => v.add("population.network.mean_degree", format!("{c} is out of range: allowed 0 to users - 1")),
                    None => v.add("population.network.mean_degree", "erdos-renyi needs `mean_degree`".into()),
                },
                NetworkModel::Tree if !net.branching.is_some_and(|b| (1..=1_000_000).contains(&b)) => {
                    v.add("population.network.branching", "tree needs `branching` between 1 and 1000000".into())
                }
                NetworkModel::Complete if pop.users > 20_000 => v.add(
                    "population.network.model",
                    format!("a complete graph of {} users has too many pairs: allowed up to 20000 users", pop.users),
                ),
                _ => {}
            }
        }
        let platform = match platform::resolve(&config.platform) {
            Ok(p) => p,
            Err(m) => {
                v.add("platform.preset", m);
                platform::default_rules()
            }
        };
        let group_cap = platform.group_cap;
        if !(2..=10_000_000).contains(&group_cap) {
            v.add(
                "platform.group_cap",
                format!("{group_cap} is out of range: allowed 2 to 10000000"),
            );
        }
        if platform.broadcast_cap < 1 {
            v.add("platform.broadcast_cap", "must be >= 1".into());
        }
        if !(config.name.as_deref().unwrap_or(default_name))
            .chars()
            .any(|c| c.is_alphanumeric())
            || config
                .name
                .as_deref()
                .is_some_and(|n| n.contains(['/', '\\']) || n.starts_with('.'))
        {
            v.add(
                "name",
                format!(
                    "\"{}\" cannot name an output folder: use letters, digits, '-', '_' (no '/', not starting with '.')",
                    config.name.as_deref().unwrap_or(default_name)
                ),
            );
        }
        let mut kinds: [Option<ChatKindSpec>; 7] = Default::default();
        for kind in ChatKind::ALL {
            let Some(raw) = pop.chats.get(kind) else {
                continue;
            };
            let spec = ChatKindSpec::resolve(kind, raw);
            let at = |f: &str| format!("population.chats.{kind}.{f}");
            if !(spec.per_user.is_finite() && (0.0..=1000.0).contains(&spec.per_user)) {
                v.add(
                    &at("per_user"),
                    format!("{} is out of range: allowed 0 to 1000", spec.per_user),
                );
            }
            v.check(&at("size"), spec.size.check(false));
            if kind == ChatKind::Direct && spec.size != (IntDist::Constant { value: 2 }) {
                v.add(
                    &at("size"),
                    "direct chats always have 2 members; remove `size`".into(),
                );
            }
            for (f, x) in [("trust", spec.trust), ("homophily", spec.homophily)] {
                if !(0.0..=1.0).contains(&x) {
                    v.add(&at(f), format!("{x} is out of range: allowed 0 to 1"));
                }
            }
            if !(spec.share_weight.is_finite() && spec.share_weight >= 0.0) {
                v.add(
                    &at("share_weight"),
                    format!("{} must be >= 0", spec.share_weight),
                );
            }
            kinds[kind.index()] = Some(spec);
        }
        if !imported
            && pop.network.is_none()
            && kinds
                .iter()
                .all(|k| k.as_ref().is_none_or(|k| k.per_user == 0.0))
        {
            v.add(
                "population.chats",
                "no chat kind has per_user > 0: nobody could receive anything".into(),
            );
        }

        let r = &config.rumor;
        if !(r.appeal > 0.0 && r.appeal < 1.0) {
            v.add(
                "rumor.appeal",
                format!("{} is out of range: allowed 0 < appeal < 1", r.appeal),
            );
        }
        if !(r.virality.is_finite() && (0.0..=100.0).contains(&r.virality)) {
            v.add(
                "rumor.virality",
                format!("{} is out of range: allowed 0 to 100", r.virality),
            );
        }
        let target_camp = r
            .target_camp
            .as_ref()
            .and_then(|name| v.camp("rumor.target_camp", name, &pop.camps));
        let b = &config.belief;
        if !(0.0..=1.0).contains(&b.probability) {
            v.add(
                "belief.probability",
                format!("{} is out of range: allowed 0 to 1", b.probability),
            );
        }
        for (f, x) in [
            ("trust_weight", b.trust_weight),
            ("skepticism_weight", b.skepticism_weight),
            ("camp_weight", b.camp_weight),
            ("label_penalty", b.label_penalty),
            ("repetition_weight", b.repetition_weight),
        ] {
            if !(x.is_finite() && (-50.0..=50.0).contains(&x)) {
                v.add(
                    &format!("belief.{f}"),
                    format!("{x} is out of range: allowed -50 to 50"),
                );
            }
        }
        let s = &config.sharing;
        v.probabilities(
            "sharing",
            &[
                ("believer", s.believer),
                ("rejecter", s.rejecter),
                ("stifling", s.stifling),
            ],
        );
        if s.actions == Limit::Count(0) {
            v.add("sharing.actions", "must be >= 1 or \"unlimited\"".into());
        }
        if !(s.camp_preference.is_finite() && s.camp_preference >= 0.0) {
            v.add(
                "sharing.camp_preference",
                format!("{} must be >= 0", s.camp_preference),
            );
        }
        let c = &config.correction;
        v.probabilities(
            "correction",
            &[
                ("acceptance", c.acceptance),
                ("efficacy", c.efficacy),
                ("share", c.share),
            ],
        );
        let mut conditions = Vec::new();
        for (i, iv) in config.interventions.iter().enumerate() {
            let at = |f: &str| format!("interventions[{i}].{f}");
            let (when_at, when) = iv.trigger();
            conditions.push(None);
            match (when_at, when) {
                (None, None) => v.add(
                    &format!("interventions[{i}]"),
                    "give `at` (a time) or `when` (a condition)".into(),
                ),
                (Some(_), Some(_)) => v.add(
                    &format!("interventions[{i}]"),
                    "give `at` or `when`, not both".into(),
                ),
                (Some(t), None) if t > config.simulation.horizon => v.add(
                    &at("at"),
                    format!("{t} is after the horizon {}", config.simulation.horizon),
                ),
                (None, Some(w)) => match Condition::parse(w) {
                    Ok(c) => conditions[i] = Some(c),
                    Err(m) => v.add(&at("when"), m),
                },
                _ => {}
            }
            let section = format!("interventions[{i}]");
            match iv {
                InterventionConfig::FactCheck {
                    users,
                    ids,
                    subscribers,
                    chats,
                    chat_kind,
                    camp,
                    ..
                } => {
                    let given = users.is_some() as u8
                        + ids.is_some() as u8
                        + subscribers.is_some() as u8
                        + chats.is_some() as u8;
                    if given != 1 {
                        v.add(&format!("interventions[{i}]"), "a fact_check needs exactly one of `users`, `ids`, `subscribers` or `chats`".into());
                    }
                    if chats.is_some() != chat_kind.is_some() {
                        v.add(
                            &at("chat_kind"),
                            "`chats` and `chat_kind` go together".into(),
                        );
                    }
                    if let Some(c) = camp {
                        v.camp(&at("camp"), c, &pop.camps);
                        if ids.is_some() {
                            v.add(
                                &at("camp"),
                                "`camp` goes with `users`, `subscribers` or `chats`, not `ids`"
                                    .into(),
                            );
                        }
                    }
                }
                InterventionConfig::Moderation { share, .. } => {
                    v.probabilities(&section, &[("share", *share)])
                }
                InterventionConfig::Ban { top, min_posts, .. } => {
                    if top.is_some() == min_posts.is_some() {
                        v.add(
                            &format!("interventions[{i}]"),
                            "a ban needs exactly one of `top` or `min_posts`".into(),
                        );
                    }
                    if *top == Some(0) || *min_posts == Some(0) {
                        v.add(
                            &format!("interventions[{i}]"),
                            "`top` and `min_posts` must be >= 1".into(),
                        );
                    }
                }
                InterventionConfig::Prebunk {
                    share, boost, camp, ..
                } => {
                    v.probabilities(&section, &[("share", *share), ("boost", *boost)]);
                    if let Some(c) = camp {
                        v.camp(&at("camp"), c, &pop.camps);
                    }
                }
                InterventionConfig::Response {
                    acceptance,
                    efficacy,
                    public_damping,
                    ..
                } => {
                    let given: Vec<(&str, f64)> = [
                        ("acceptance", acceptance),
                        ("efficacy", efficacy),
                        ("public_damping", public_damping),
                    ]
                    .into_iter()
                    .filter_map(|(f, x)| x.map(|x| (f, x)))
                    .collect();
                    v.probabilities(&section, &given);
                }
                InterventionConfig::Label {
                    penalty: Some(p), ..
                } if !(p.is_finite() && (-50.0..=50.0).contains(p)) => v.add(
                    &at("penalty"),
                    format!("{p} is out of range: allowed -50 to 50"),
                ),
                _ => {}
            }
        }
        if let Some(p) = &config.public {
            let at = |f: &str| format!("public.{f}");
            for (f, x) in [("share", p.share), ("press.sustain", p.press.sustain)] {
                if !(0.0..=1.0).contains(&x) {
                    v.add(&at(f), format!("{x} is out of range: allowed 0 to 1"));
                }
            }
            v.check(&at("followers"), p.followers.check(false));
            for (f, x, hi) in [
                ("post_rate", p.post_rate, 1000.0),
                ("branching_ratio", p.branching_ratio, 100.0),
                ("feedback", p.feedback, 1000.0),
                ("press.threshold", p.press.threshold, 1e12),
                ("press.pickup_rate", p.press.pickup_rate, 1000.0),
                ("press.public_boost", p.press.public_boost, 1e9),
                ("press.feedback_boost", p.press.feedback_boost, 1e6),
                ("crisis.threshold", p.crisis.threshold, 1e12),
            ] {
                if !(x.is_finite() && (0.0..=hi).contains(&x)) {
                    v.add(&at(f), format!("{x} is out of range: allowed 0 to {hi}"));
                }
            }
            if p.decay.minutes() <= 0.0 {
                v.add(&at("decay"), "must be longer than 0".into());
            }
            if p.press.window.minutes() < config.simulation.step.minutes() {
                v.add(
                    &at("press.window"),
                    format!(
                        "{} is shorter than one step ({})",
                        p.press.window, config.simulation.step
                    ),
                );
            }
        }
        if config.seeds.is_empty() {
            v.add("seeds", "at least one [[seeds]] entry is needed".into());
        }
        for (i, seed) in config.seeds.iter().enumerate() {
            let at = |f: &str| format!("seeds[{i}].{f}");
            let given =
                seed.users.is_some() as u8 + seed.chats.is_some() as u8 + seed.ids.is_some() as u8;
            if given != 1 {
                v.add(
                    &format!("seeds[{i}]"),
                    "give exactly one of `users`, `ids` or `chats`".into(),
                );
            }
            if seed.recipients.is_some() && seed.users.is_none() {
                v.add(
                    &at("recipients"),
                    "`recipients` goes with `users` (seed accounts mass-messaging)".into(),
                );
            }
            if seed.recipients == Some(0) {
                v.add(&at("recipients"), "must be >= 1".into());
            }
            if seed.ids.is_some() && seed.camp.is_some() {
                v.add(
                    &at("camp"),
                    "`camp` goes with `users` or `chats`, not `ids`".into(),
                );
            }
            if seed.ids.as_ref().is_some_and(|ids| ids.is_empty()) {
                v.add(&at("ids"), "the list is empty".into());
            }
            match (seed.users, seed.chats) {
                _ if given != 1 => {}
                (None, None) if seed.kind.is_some() => {
                    v.add(&at("kind"), "`kind` goes with `chats`, not `ids`".into())
                }
                (Some(0), _) | (_, Some(0)) => {
                    v.add(&format!("seeds[{i}]"), "the count must be >= 1".into())
                }
                (Some(_), None) if seed.kind.is_some() => {
                    v.add(&at("kind"), "`kind` goes with `chats`, not `users`".into())
                }
                (None, Some(_)) if seed.kind.is_none() => {
                    v.add(&at("kind"), "seeding `chats` needs a `kind`".into())
                }
                (None, Some(_))
                    if !imported
                        && pop.network.is_none()
                        && seed.kind.is_some_and(|k| kinds[k.index()].is_none()) =>
                {
                    v.add(
                        &at("kind"),
                        format!(
                            "no chats of kind \"{}\" exist in this population",
                            seed.kind.unwrap_or(ChatKind::Direct)
                        ),
                    )
                }
                _ => {}
            }
            if seed.at > config.simulation.horizon {
                v.add(
                    &at("at"),
                    format!(
                        "{} is after the horizon {}",
                        seed.at, config.simulation.horizon
                    ),
                );
            }
            if let Some(c) = &seed.camp {
                v.camp(&at("camp"), c, &pop.camps);
            }
        }
        v.into_result(path.as_deref())?;

        // Write resolved values back so summary.json shows exactly what ran.
        for kind in ChatKind::ALL {
            if let Some(spec) = &kinds[kind.index()] {
                *config.population.chats.get_mut(kind) = Some(spec.to_config());
            }
        }
        if config.sharing.interval.is_none() {
            config.sharing.interval = Some(config.sharing.delay);
        }
        for iv in &mut config.interventions {
            iv.fill_defaults();
        }
        let name = config
            .name
            .clone()
            .unwrap_or_else(|| default_name.to_string());
        config.name = Some(name.clone());
        config.platform = PlatformConfig {
            preset: config.platform.preset.clone(),
            group_cap: Some(platform.group_cap),
            broadcast_cap: Some(platform.broadcast_cap),
            forward_limit: Some(platform.forward_limit),
            label_hops: Some(platform.label_hops),
            labelled_forward_limit: Some(platform.labelled_forward_limit),
        };
        Ok(Scenario {
            name,
            path,
            platform,
            conditions,
            config,
            step_minutes,
            steps: steps as u32,
            kinds,
            rhythm,
            target_camp,
        })
    }

    /// The folder that relative import paths are resolved against.
    pub fn base_dir(&self) -> PathBuf {
        self.path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    }

    /// Simulated hours at the end of step `step` (step 0 ends at one step length).
    pub fn hours_at(&self, step: u32) -> f64 {
        (step as f64 + 1.0) * self.step_minutes / 60.0
    }

    /// The step during which a duration from the start falls.
    pub fn step_of(&self, d: crate::duration::Duration) -> u32 {
        ((d.minutes() / self.step_minutes).floor() as u64).min(self.steps.saturating_sub(1) as u64)
            as u32
    }

    /// Reading multiplier of the daily rhythm during `step`.
    pub fn rhythm_at(&self, step: u32) -> f32 {
        let hour = self.config.simulation.start_hour + step as f64 * self.step_minutes / 60.0;
        self.rhythm[(hour.rem_euclid(24.0)) as usize % 24]
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
        self.config
            .population
            .camps
            .iter()
            .map(|c| c.name.clone())
            .collect()
    }

    /// Number of users of a generated population (imports learn it from their files).
    pub fn generated_users(&self) -> u64 {
        self.config.population.users
    }

    /// Whether the population comes from files rather than the generator.
    pub fn is_imported(&self) -> bool {
        self.config.population.edges.is_some() || self.config.population.members.is_some()
    }
}

#[derive(Default)]
struct Violations(Vec<Violation>);

impl Violations {
    fn add(&mut self, field: &str, message: String) {
        self.0.push(Violation {
            field: field.to_string(),
            message,
        });
    }
    /// Checks that `name` is one of `camps`; returns its index.
    fn camp(&mut self, field: &str, name: &str, camps: &[CampConfig]) -> Option<u8> {
        let i = camps.iter().position(|c| c.name == name).map(|i| i as u8);
        if i.is_none() {
            let names: Vec<String> = camps.iter().map(|c| format!("\"{}\"", c.name)).collect();
            self.add(
                field,
                format!("\"{name}\" is not a camp; camps are {}", names.join(", ")),
            );
        }
        i
    }

    /// Checks that each `(name, value)` of `section` is a probability.
    fn probabilities(&mut self, section: &str, values: &[(&str, f64)]) {
        for &(f, x) in values {
            if !(0.0..=1.0).contains(&x) {
                self.add(
                    &format!("{section}.{f}"),
                    format!("{x} is out of range: allowed 0 to 1"),
                );
            }
        }
    }

    fn check(&mut self, field: &str, r: Result<(), String>) {
        if let Err(m) = r {
            self.add(field, m);
        }
    }
    fn into_result(self, path: Option<&Path>) -> Result<(), ScenarioError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ScenarioError::Invalid {
                file: path.map(Path::to_path_buf).unwrap_or_default(),
                violations: self.0,
            })
        }
    }
}

/// Key under which `load_merged` notes the base file of a merged scenario.
const EXTENDED_FROM: &str = "__extended_from";

/// Reads a file and, if it `extends` another, merges it over its base (recursively).
fn load_merged(path: &Path, depth: u32) -> Result<toml::Value, ScenarioError> {
    if depth > 16 {
        return Err(ScenarioError::parse(
            path,
            "`extends` chain is deeper than 16 files (a cycle?)".into(),
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::Io {
        file: path.to_path_buf(),
        source: e,
    })?;
    let mut value: toml::Value = text
        .parse::<toml::Table>()
        .map(toml::Value::Table)
        .map_err(|e| ScenarioError::parse(path, e.to_string()))?;
    let base = value
        .get("extends")
        .and_then(|b| b.as_str())
        .map(str::to_string);
    if let Some(base) = base {
        let base_path = path.parent().unwrap_or(Path::new(".")).join(&base);
        let mut merged = load_merged(&base_path, depth + 1)?;
        if let Some(t) = value.as_table_mut() {
            t.remove("extends");
            // A variant has its own name unless it sets one.
            if let Some(mt) = merged.as_table_mut() {
                mt.remove("name");
            }
        }
        merge(&mut merged, value);
        if let Some(t) = merged.as_table_mut() {
            t.insert(
                EXTENDED_FROM.into(),
                toml::Value::String(base_path.display().to_string()),
            );
        }
        value = merged;
    }
    Ok(value)
}

/// Deep-merges tables; any other value (including arrays) in `over` replaces the base.
/// A distribution (a table with a `dist` key) is replaced whole, so a variant can
/// switch from one distribution to another.
fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) if !o.contains_key("dist") => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

/// Adds "did you mean `x`?" to serde's unknown field/variant messages.
pub fn with_suggestion(message: &str) -> String {
    for marker in ["unknown field `", "unknown variant `"] {
        let Some(start) = message.find(marker) else {
            continue;
        };
        let rest = &message[start + marker.len()..];
        let Some(end) = rest.find('`') else { continue };
        let unknown = &rest[..end];
        let expected: Vec<&str> = rest[end + 1..].split('`').skip(1).step_by(2).collect();
        if let Some(best) = nearest(unknown, &expected) {
            return format!("{}\n  did you mean `{best}`?", message.trim_end());
        }
    }
    message.to_string()
}

/// The candidate closest to `word`, if it is close enough to be a plausible typo.
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(&word.to_lowercase(), c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn violations(text: &str) -> Vec<Violation> {
        match Scenario::from_toml_str(text, "t.toml") {
            Err(ScenarioError::Invalid { violations, .. }) => violations,
            other => panic!("expected violations, got {other:?}"),
        }
    }

    #[test]
    fn empty_file_gives_defaults() {
        let s = Scenario::from_toml_str("", "t").unwrap();
        assert_eq!(s.steps, 1008);
        assert_eq!(s.config.population.users, 10_000);
        assert!(s.kinds.iter().all(Option::is_some));
        assert_eq!(s.config.sharing.interval, Some(s.config.sharing.delay));
    }

    #[test]
    fn unknown_field_suggests_nearest() {
        let e = Scenario::from_toml_str("[simulation]\nreplicats = 3\n", "t.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `replicates`"), "{e}");
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn every_violation_is_reported() {
        let v = violations(
            "[simulation]\nreplicates = 0\n[rumor]\nappeal = 1.5\n[sharing]\nbeliever = 2\n",
        );
        let fields: Vec<&str> = v.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(
            fields,
            ["simulation.replicates", "rumor.appeal", "sharing.believer"]
        );
    }

    #[test]
    fn camp_shares_must_add_up() {
        let v = violations(
            "[population]\ncamps = [{name = \"a\", share = 0.5}, {name = \"b\", share = 0.2}]\n",
        );
        assert!(v[0].message.contains("add up to 0.7"));
    }

    #[test]
    fn seeds_need_existing_kind() {
        let text = "[population.chats.family]\n[[seeds]]\nchats = 2\nkind = \"political\"\n";
        let v = violations(text);
        assert_eq!(v[0].field, "seeds[0].kind");
    }

    #[test]
    fn partial_kind_table_takes_kind_defaults() {
        let s =
            Scenario::from_toml_str("[population.chats.political]\ntrust = 0.2\n", "t").unwrap();
        let p = s.kinds[ChatKind::Political.index()].as_ref().unwrap();
        assert_eq!(p.trust, 0.2);
        assert_eq!(p.homophily, 0.95);
        assert!(s.kinds[ChatKind::Family.index()].is_none());
    }

    #[test]
    fn merge_overrides_nested_values() {
        let mut base: toml::Value = toml::from_str("[a]\nx = 1\ny = 2\n").unwrap();
        let over: toml::Value = toml::from_str("[a]\ny = 3\n").unwrap();
        merge(&mut base, over);
        assert_eq!(base["a"]["x"].as_integer(), Some(1));
        assert_eq!(base["a"]["y"].as_integer(), Some(3));
    }

    #[test]
    fn rhythm_follows_clock() {
        let s = Scenario::from_toml_str("[simulation]\nstart_hour = 3\n", "t").unwrap();
        assert_eq!(s.rhythm_at(0), DEFAULT_RHYTHM[3]);
        assert_eq!(s.rhythm_at(6 * 21), DEFAULT_RHYTHM[0]);
    }
}
