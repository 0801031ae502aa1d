//! Scenario files: reading, merging (`extends`), and checking into a [`Scenario`].
//!
//! The flow is parse raw ([`config::ScenarioConfig`], a serde mirror of the TOML), then
//! check each section into its typed value ([`Simulation`], [`PopulationSpec`],
//! [`Platform`], [`Rumor`], [`BeliefSpec`], [`Attention`], [`Sharing`], [`Seed`]s,
//! [`Intervention`]s, [`Correction`], [`PublicSpec`]) with every default resolved
//! once. Every violation is reported at once with its key path; TOML syntax errors keep
//! the parser's own line/column snippet, and unknown names get a "did you mean"
//! suggestion. Everything downstream (population, engine, metrics, output) takes only
//! the checked [`Scenario`]; the raw form is rebuilt from it ([`Scenario::to_config`])
//! only to write the resolved scenario into result files.

pub mod attention;
pub mod belief;
pub mod condition;
pub mod config;
pub mod correction;
mod diagnose;
pub mod dist;
pub mod interventions;
pub mod kind;
mod load;
pub mod observe;
pub mod platform;
pub mod population;
pub mod public;
pub mod report;
pub mod rumor;
pub mod seeds;
pub mod sharing;
pub mod simulation;
pub mod switch;
mod violations;

pub use attention::{Attention, Traffic};
pub use belief::{BeliefModel, BeliefSpec, Exposure};
pub use condition::Condition;
pub use config::{DelayDist, Limit, NetworkModel, Posting, ScenarioConfig, MODERATED_KINDS};
pub use correction::{Correction, EfficacyByStance};
pub use dist::{IntDist, RealDist};
pub use interventions::{Action, BanRule, CorrectionTarget, Intervention, Prebunking, Trigger};
pub use kind::ChatKind;
pub use load::{nearest, with_suggestion, MAX_SCENARIO_BYTES};
pub use observe::{MonitorChoice, Observe, Window};
pub use platform::Platform;
pub use population::{
    Camp, ChatKindSpec, DailyRhythm, PopulationSource, PopulationSpec, ReferenceNetwork,
    DEFAULT_RHYTHM,
};
pub use public::{Crisis, Press, PublicSpec};
pub use rumor::{Rumor, Stance};
pub use seeds::{Seed, SeedTarget};
pub use sharing::{Novelty, Sharing, StanceFactors};
pub use simulation::{Marker, Simulation};
pub use switch::Switch;

use crate::duration::Duration;
use crate::error::ScenarioError;
use std::path::{Path, PathBuf};
use violations::Violations;

/// Most users a scenario may ask for: ids are u32 and one id is reserved.
pub const MAX_USERS: u64 = u32::MAX as u64 - 1;
/// Most steps a run may have.
pub const MAX_STEPS: u64 = 1_000_000;

/// A checked scenario: every value in range, every default filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Name used for the output folder.
    pub name: String,
    /// Free text describing the scenario.
    pub description: Option<String>,
    /// Short name for charts and tables; the name unless the file sets `label`.
    pub label: String,
    /// The file it was read from, if any (imports are relative to it).
    pub path: Option<PathBuf>,
    /// Clock, horizon, replicates, seed.
    pub simulation: Simulation,
    /// Who the users are and which chats they share.
    pub population: PopulationSpec,
    /// Platform rules with the preset and defaults resolved.
    pub platform: Platform,
    /// The message being followed.
    pub rumor: Rumor,
    /// How reading turns into believing.
    pub belief: BeliefSpec,
    /// Which pending copies a reader actually reads.
    pub attention: Attention,
    /// Who shares, when, how often.
    pub sharing: Sharing,
    /// Who first posts the rumor, and when.
    pub seeds: Vec<Seed>,
    /// How the correction works once launched.
    pub correction: Correction,
    /// Counter-measures and when they fire.
    pub interventions: Vec<Intervention>,
    /// Public spill-over, if the scenario has it.
    pub public: Option<PublicSpec>,
    /// Observation windows (monitors, tiplines, public counts), in file order.
    pub observe: Vec<Observe>,
    /// Times at which figures are read and the events reported.
    pub report: report::Report,
}

impl Scenario {
    /// Reads (once), merges (`extends`) and checks a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        Scenario::load_adjusted(path, |_| {})
    }

    /// Reads and merges a scenario file, lets `adjust` change its raw values (the
    /// command line's `--seed` and `--replicates`, the validation suite's sizes), then
    /// checks it, so overrides are checked like values written in the file. Violations
    /// say on which line, and in which file of an `extends` chain, the value was set.
    pub fn load_adjusted(
        path: &Path,
        adjust: impl FnOnce(&mut ScenarioConfig),
    ) -> Result<Scenario, ScenarioError> {
        let loaded = load::load(path, false)?;
        let mut config = parse_loaded(path, &loaded)?;
        adjust(&mut config);
        Scenario::check(config, Some(path.to_path_buf()), &stem(path)).map_err(|e| match e {
            ScenarioError::Invalid { file, violations } => ScenarioError::Invalid {
                file,
                violations: violations
                    .into_iter()
                    .map(|v| locate_violation(v, &loaded.chain))
                    .collect(),
            },
            other => other,
        })
    }

    /// Reads (once) and merges a scenario file into its raw form, for callers that
    /// change values before checking.
    pub fn load_config(path: &Path) -> Result<ScenarioConfig, ScenarioError> {
        parse_loaded(path, &load::load(path, false)?)
    }

    /// Reads a scenario file as a TOML value with its `extends` chain merged in, for
    /// tools that edit values by path before checking (sweeps). The file is named in
    /// another file, so like a base named by `extends` it must be a regular file: a
    /// FIFO without a writer would block the read forever.
    pub fn load_value(path: &Path) -> Result<toml::Value, ScenarioError> {
        Ok(load::load(path, true)?.value)
    }

    /// Checks a TOML value as a scenario; `path` is the file it came from (imports are
    /// relative to it) and names it in messages.
    pub fn from_value(value: toml::Value, path: &Path) -> Result<Scenario, ScenarioError> {
        let config: ScenarioConfig = value.try_into().map_err(|e: toml::de::Error| {
            ScenarioError::parse(path, with_suggestion(&e.to_string()))
        })?;
        Scenario::check(config, Some(path.to_path_buf()), &stem(path))
    }

    /// Parses and checks scenario text (no `extends`); `origin` names it in messages.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        let config: ScenarioConfig = toml::from_str(text).map_err(|e| {
            ScenarioError::parse(Path::new(origin), with_suggestion(&e.to_string()))
        })?;
        Scenario::check(config, None, origin)
    }

    /// Checks a raw configuration section by section into a scenario, reporting every
    /// violation at once. `default_name` names the scenario when it sets no `name`.
    pub fn check(
        config: ScenarioConfig,
        path: Option<PathBuf>,
        default_name: &str,
    ) -> Result<Scenario, ScenarioError> {
        let mut v = Violations::default();
        let name = config
            .name
            .clone()
            .unwrap_or_else(|| default_name.to_string());
        check_name(&name, &mut v);
        let simulation = Simulation::check(&config.simulation, &mut v);
        let population = PopulationSpec::check(&config.population, &mut v);
        let platform = Platform::check(&config.platform, &mut v);
        let camps = &population.camps;
        let rumor = Rumor::check(&config.rumor, camps, &mut v);
        config.belief.check(&mut v);
        config.attention.check(&mut v);
        let sharing = Sharing::check(&config.sharing, &mut v);
        let seeds = Seed::check_all(
            &config.seeds,
            &seeds::SeedContext {
                simulation: &simulation,
                camps,
                kinds: &population.kinds,
                generated_mix: matches!(population.source, PopulationSource::Generated { .. }),
            },
            &mut v,
        );
        let interventions =
            Intervention::check_all(&config.interventions, &simulation, camps, &mut v);
        config.correction.check(&mut v);
        if let Some(p) = &config.public {
            p.check(simulation.step, &mut v);
        }
        let observe = Observe::check_all(
            &config.observe,
            &observe::ObserveContext {
                simulation: &simulation,
                camps,
                kinds: &population.kinds,
                generated_mix: matches!(population.source, PopulationSource::Generated { .. }),
                public: config.public.as_ref(),
            },
            &mut v,
        );
        let report = report::Report::check(&config.report, &simulation, &mut v);
        if let Some(l) = &config.label {
            v.label("label", l);
        }
        v.into_result(path.as_deref())?;
        Ok(Scenario {
            label: config.label.clone().unwrap_or_else(|| name.clone()),
            name,
            description: config.description,
            path,
            simulation,
            population,
            platform,
            rumor,
            belief: config.belief,
            attention: config.attention,
            sharing,
            seeds,
            correction: config.correction,
            interventions,
            public: config.public,
            observe,
            report,
        })
    }

    /// The scenario in its written form with every default filled in: what
    /// `summary.json` records as having run, and what `--reuse` compares.
    pub fn to_config(&self) -> ScenarioConfig {
        let camps = &self.population.camps;
        ScenarioConfig {
            name: Some(self.name.clone()),
            description: self.description.clone(),
            label: (self.label != self.name).then(|| self.label.clone()),
            extends: None,
            simulation: self.simulation.to_config(),
            population: self.population.to_config(),
            platform: self.platform.to_config(),
            rumor: self.rumor.to_config(camps),
            belief: self.belief.clone(),
            attention: self.attention.clone(),
            sharing: self.sharing.to_config(),
            seeds: self.seeds.iter().map(|s| s.to_config(camps)).collect(),
            correction: self.correction.clone(),
            interventions: self
                .interventions
                .iter()
                .map(|iv| iv.to_config(camps))
                .collect(),
            public: self.public.clone(),
            observe: self.observe.iter().map(|o| o.to_config(camps)).collect(),
            report: self.report.config.clone(),
        }
    }

    /// The folder that relative import paths are resolved against.
    pub fn base_dir(&self) -> PathBuf {
        self.path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    }

    /// Simulated hours at the end of step `step` (step 0 ends at one step length),
    /// rounded to 6 decimals (a few milliseconds), so that float noise in the step
    /// length ("0.1h" is 6.000000000000001 minutes) never reaches the files: a 10-minute
    /// step ends at 0.166667, 0.333333, 0.5, ... hours, written as such.
    pub fn hours_at(&self, step: u32) -> f64 {
        exact_hours((step as f64 + 1.0) * self.simulation.step_minutes / 60.0)
    }

    /// The hours since time zero of step boundary `steps` (the start of step `steps`),
    /// rounded as [`Scenario::hours_at`].
    pub fn hours_before(&self, step: u32) -> f64 {
        exact_hours(step as f64 * self.simulation.step_minutes / 60.0)
    }

    /// The calendar time `hours` after time zero, if the scenario has a `start`.
    pub fn time_at(&self, hours: f64) -> Option<crate::duration::Timestamp> {
        self.simulation.start.map(|t| t.plus_hours(hours))
    }

    /// The step during which a duration from the start falls.
    pub fn step_of(&self, d: Duration) -> u32 {
        ((d.minutes() / self.simulation.step_minutes).floor() as u64)
            .min(self.simulation.steps.saturating_sub(1) as u64) as u32
    }

    /// Reading multiplier of the daily rhythm during `step`.
    pub fn rhythm_at(&self, step: u32) -> f32 {
        let hour = self.simulation.start_hour + step as f64 * self.simulation.step_minutes / 60.0;
        self.population.rhythm.multipliers()[(hour.rem_euclid(24.0)) as usize % 24]
    }

    /// The resolved spec of a chat kind, or the kind's defaults if the scenario leaves
    /// it out (imported chats and reference networks may still have it).
    pub fn kind_spec(&self, kind: ChatKind) -> ChatKindSpec {
        self.population.kind_spec(kind)
    }

    /// Camp names in camp-id order.
    pub fn camp_names(&self) -> Vec<String> {
        self.population.camp_names()
    }

    /// Whether the population comes from files rather than the generator.
    pub fn is_imported(&self) -> bool {
        self.population.is_imported()
    }

    /// A copy with another master seed and replicate count (command-line overrides and
    /// sweep runs); nothing else depends on them, so nothing else is re-checked.
    pub fn with_run(&self, seed: u64, replicates: u32) -> Result<Scenario, ScenarioError> {
        let mut cfg = self.to_config();
        cfg.simulation.seed = seed;
        cfg.simulation.replicates = replicates;
        Scenario::check(cfg, self.path.clone(), &self.name)
    }
}

/// Hours rounded to 6 decimals (see [`Scenario::hours_at`]).
pub fn exact_hours(hours: f64) -> f64 {
    (hours * 1e6).round() / 1e6
}

/// The raw form of a loaded file. A plain file is parsed from its text, so the
/// parser's line and column stay in messages, except for values inside arrays of
/// tables (`[[interventions]]`, `[[seeds]]`), where the parser points at the first
/// entry: those, and every value of a merged chain (which has no positions), are
/// located by [`diagnose::locate`].
fn parse_loaded(path: &Path, loaded: &load::Loaded) -> Result<ScenarioConfig, ScenarioError> {
    let chain = &loaded.chain;
    let located = |table: &toml::Table| {
        diagnose::locate::<ScenarioConfig>(table).map(|(field, message)| {
            let source = diagnose::origin(chain, &field).unwrap_or(&chain[0]);
            ScenarioError::Field {
                file: source.path.clone(),
                line: diagnose::line_of(&source.text, &field),
                field: field.to_string(),
                message: with_suggestion(&message),
                within: (source.path != path).then(|| path.to_path_buf()),
            }
        })
    };
    if chain.len() == 1 {
        return toml::from_str(&chain[0].text).map_err(|e| match located(&chain[0].table) {
            Some(err) if in_array(&err) => err,
            _ => ScenarioError::parse(path, with_suggestion(&e.to_string())),
        });
    }
    loaded
        .value
        .clone()
        .try_into()
        .map_err(|e: toml::de::Error| {
            let merged = loaded.value.as_table().unwrap_or(&chain[0].table);
            located(merged).unwrap_or_else(|| {
                ScenarioError::parse(
                    path,
                    format!(
                        "{}\n  (in this file merged over its base {})",
                        with_suggestion(&e.to_string()),
                        chain[1].path.display()
                    ),
                )
            })
        })
}

/// Whether a located error is inside an array (where the parser's position is wrong).
fn in_array(e: &ScenarioError) -> bool {
    matches!(e, ScenarioError::Field { field, .. } if field.contains('['))
}

/// Adds to a violation where its value was set: the line in the scenario file, or the
/// base file and line when it came through `extends`.
fn locate_violation(
    mut v: crate::error::Violation,
    chain: &[diagnose::Source],
) -> crate::error::Violation {
    let path = diagnose::KeyPath::parse(&v.field);
    let Some(source) = diagnose::origin(chain, &path) else {
        return v;
    };
    let line = diagnose::line_of(&source.text, &path);
    let here = std::ptr::eq(source, &chain[0]);
    let note = match (here, line) {
        (true, Some(l)) => format!(" (line {l})"),
        (true, None) => String::new(),
        (false, Some(l)) => format!(" (set in {}, line {l})", source.path.display()),
        (false, None) => format!(" (set in {})", source.path.display()),
    };
    v.message.push_str(&note);
    v
}

/// The name a scenario file gives by default: its stem.
fn stem(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("scenario")
        .to_string()
}

/// Longest scenario, camp or marker name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// A name must be usable as an output folder.
fn check_name(name: &str, v: &mut Violations) {
    if !name.chars().any(|c| c.is_alphanumeric())
        || name.contains(['/', '\\'])
        || name.starts_with('.')
    {
        v.add(
            "name",
            format!(
                "\"{name}\" cannot name an output folder: use letters, digits, '-', '_' (no '/', not starting with '.')"
            ),
        );
    } else {
        v.label("name", name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Violation;

    fn violations(text: &str) -> Vec<Violation> {
        match Scenario::from_toml_str(text, "t.toml") {
            Err(ScenarioError::Invalid { violations, .. }) => violations,
            other => panic!("expected violations, got {other:?}"),
        }
    }

    #[test]
    fn empty_file_gives_defaults() {
        let s = Scenario::from_toml_str("", "t").unwrap();
        assert_eq!(s.simulation.steps, 1008);
        assert_eq!(s.population.generated_users(), Some(10_000));
        assert!(s.population.kinds.iter().all(Option::is_some));
        assert_eq!(s.sharing.interval, s.sharing.delay);
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
    fn chat_table_goes_with_members() {
        let v = violations("[population]\nedges = \"g.csv\"\nchat_table = \"c.csv\"\n");
        assert_eq!(v[0].field, "population.chat_table");
        assert!(
            v[0].message.contains("goes with `members`"),
            "{}",
            v[0].message
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
        let p = s.population.kinds[ChatKind::Political.index()]
            .as_ref()
            .unwrap();
        assert_eq!(p.trust, 0.2);
        assert_eq!(p.homophily, 0.95);
        assert!(s.population.kinds[ChatKind::Family.index()].is_none());
    }

    #[test]
    fn rhythm_follows_clock() {
        let s = Scenario::from_toml_str("[simulation]\nstart_hour = 3\n", "t").unwrap();
        assert_eq!(s.rhythm_at(0), DEFAULT_RHYTHM[3]);
        assert_eq!(s.rhythm_at(6 * 21), DEFAULT_RHYTHM[0]);
    }
}
