//! What a replicate is run with: the platform [`Rules`] in force (which interventions
//! change) and the [`Params`] derived once per scenario and shared by every replicate
//! (chat choice, belief model and exposure rule, limited attention, sharing and
//! correction probabilities, waits in steps, the daily rhythm per step, persistence,
//! fading interest and the share multipliers).

use super::belief::BeliefModel;
use super::choice::ChatChooser;
use crate::population::{slot, Population};
use crate::rng;
use crate::scenario::attention::{self, Traffic};
use crate::scenario::{
    ChatKind, Correction, DelayDist, Exposure, Limit, Novelty, Scenario, Stance,
};
use rand::Rng as _;
use rayon::prelude::*;

/// Platform rules in force; interventions change them during a run.
#[derive(Clone, Copy, Debug)]
pub struct Rules {
    /// Most chats one share action may target when forwarding an unlabelled copy
    /// (`platform.forward_limit`); `u32::MAX`: unlimited.
    pub forward_limit: u32,
    /// Most chats one share action may target when forwarding a copy that carries the
    /// "forwarded many times" label (`platform.labelled_forward_limit`); `u32::MAX`:
    /// unlimited.
    pub labelled_limit: u32,
    /// Hop from which a new copy carries the label (`platform.label_hops`); 0: never.
    pub label_hops: u32,
    /// Logit loss when reading a labelled copy (`belief.label_penalty`).
    pub label_penalty: f64,
    /// Most group chats in one forward of an already-forwarded copy (hop >= 1);
    /// `u32::MAX`: no such rule.
    pub forwarded_group_limit: u32,
    /// Skepticism added for prebunked users (the legacy `boost` form of prebunking).
    pub prebunk_boost: f32,
}

/// How repeated exposure counts (`docs/model.md#repeated-exposure`).
#[derive(Clone, Copy, Debug)]
pub(super) struct ExposureRule {
    /// One draw per session from the most persuasive copy, exposures counted as
    /// distinct senders per session (else: one draw per copy, copies counted).
    pub sources: bool,
    /// Logit loss for a reader who read and rejected in an earlier session (who then
    /// gets no repetition gain); 0: none.
    pub resistance: f64,
    /// Exposures needed before a reader can be convinced.
    pub threshold: u32,
}

/// Limited attention with its durations in steps (`docs/model.md#attention`); absent
/// from [`Params`] when off.
#[derive(Clone, Debug)]
pub(super) struct AttentionRule {
    /// A copy whose reader reads more than this many steps after its arrival is lost.
    pub expiry_steps: Option<f64>,
    /// Newer messages at which a copy's chance to be seen halves.
    pub half_visible: Option<f64>,
    /// Messages an app-open reads at most.
    pub reads_per_open: Option<f64>,
    pub traffic: Traffic,
    /// One step in days.
    pub step_days: f64,
    /// Mean of the daily rhythm over the 24 hours.
    pub mean_rhythm: f64,
    /// Each user's [`AttentionRule::budget`], computed once for the population at
    /// `budgets_of` ([`Params::with_population`]); empty until then.
    budgets: Vec<f32>,
    /// Address of the population `budgets` belongs to: another population (a fresh one
    /// per replicate) computes its budgets as it goes.
    budgets_of: usize,
}

impl AttentionRule {
    /// Whether the filing of a copy needs a random draw (visibility or the per-open
    /// budget is on); with expiry alone, nothing is drawn.
    pub fn draws(&self) -> bool {
        self.half_visible.is_some() || self.reads_per_open.is_some()
    }

    /// Background messages per day in the chat of a post of `kind` with `members`
    /// members (`NO_CHAT` posts: `kind` None), saturating at `u16::MAX`; 0 when
    /// visibility is off (nothing reads it).
    #[inline]
    pub fn chat_traffic(&self, kind: Option<ChatKind>, members: usize) -> u16 {
        if self.half_visible.is_none() {
            return 0;
        }
        let per_day = self
            .traffic
            .per_day(kind.unwrap_or(ChatKind::Broadcast), members);
        per_day.round().min(u16::MAX as f64) as u16
    }

    /// The share of pending messages user `u` reads when opening the app
    /// ([`attention::budget`]): from the background traffic of all their chats (a
    /// broadcast list they own is not read) and their chance to open the app in a step
    /// of average rhythm, held as an f32. 1 when the budget is off. Looked up when the
    /// budgets of `pop` were computed ([`Params::with_population`]), else computed.
    #[inline]
    pub fn budget(&self, pop: &Population, u: u32) -> f64 {
        if self.budgets_of == pop as *const Population as usize {
            return self.budgets[u as usize] as f64;
        }
        self.compute_budget(pop, u) as f64
    }

    /// [`AttentionRule::budget`] from the population.
    ///
    /// # Complexity
    /// O(chats of `u`), one chat-size lookup each.
    fn compute_budget(&self, pop: &Population, u: u32) -> f32 {
        let Some(reads) = self.reads_per_open else {
            return 1.0;
        };
        let (chats, slots) = pop.chats_of(u);
        let mut per_day = 0.0;
        for (&c, &s) in chats.iter().zip(slots) {
            let kind = ChatKind::from_index(s & slot::KIND);
            if kind == ChatKind::Broadcast && s & slot::POSTABLE != 0 {
                continue;
            }
            per_day += self
                .traffic
                .per_day(kind, pop.chats.members.row_len(c as usize));
        }
        let p_open = pop.users.activity[u as usize] as f64 * self.mean_rhythm;
        attention::budget(reads, per_day * self.step_days, p_open) as f32
    }

    /// Chance that a copy of a chat with `traffic` messages per day, read `waited`
    /// steps after it arrived, is seen: the reader's `budget` times its visibility
    /// under the messages posted since (half a step on average in its arrival step).
    #[inline]
    pub fn read_chance(&self, budget: f64, traffic: u16, waited: u32) -> f64 {
        match self.half_visible {
            None => budget,
            Some(h) => {
                let newer = traffic as f64 * (waited as f64 + 0.5) * self.step_days;
                budget * attention::visibility(newer, h)
            }
        }
    }
}

/// Parameters derived once per scenario and shared by all replicates.
pub struct Params {
    pub(super) chooser: ChatChooser,
    pub(super) belief: BeliefModel,
    pub(super) exposure: ExposureRule,
    /// Limited attention; None when off.
    pub(super) attention: Option<AttentionRule>,
    pub(super) rules: Rules,
    /// Believer share probability by the reader's camp byte: min(1, believer x
    /// virality x the stance factor of the rumor's stance towards the camp).
    pub(super) p_share_by_camp: Vec<f64>,
    /// The believer share probability when it is the same in every camp.
    pub(super) p_share_uniform: Option<f64>,
    pub(super) p_share_rejecter: f64,
    /// Share multiplier when the convincing copy was labelled (1: no effect).
    pub(super) label_factor: f64,
    /// Chance of the next share action when a limit left intended chats (None: off).
    pub(super) persistence: Option<f64>,
    /// Fading interest (None: off).
    pub(super) novelty: Option<Novelty>,
    /// Step length in minutes.
    pub(super) step_minutes: f64,
    pub(super) stifling: f64,
    pub(super) actions: u16,
    pub(super) delay_steps: f64,
    pub(super) interval_steps: f64,
    pub(super) delay_dist: DelayDist,
    pub(super) corr_acceptance: f64,
    pub(super) corr_efficacy: f64,
    /// The `[correction]` section, for the efficacy by trust and stance.
    pub(super) correction: Correction,
    /// The rumor's stance towards each camp, by camp index.
    pub(super) stance: Vec<Stance>,
    pub(super) corr_share: f64,
    pub(super) corr_delay_steps: f64,
    /// Trust of copies delivered outside chats (campaign mass messages).
    pub(super) direct_trust: f32,
    /// The daily rhythm at each step.
    pub(super) rhythm: Vec<f64>,
}

/// `shares_left` value for spreaders with unlimited actions.
pub(super) const UNLIMITED_SHARES: u16 = u16::MAX;

impl Params {
    /// Derives engine parameters from a checked scenario.
    pub fn new(scn: &Scenario) -> Params {
        let mut params = Params::derive(scn);
        params.p_share_uniform = Some(params.p_share_by_camp[0])
            .filter(|&p| params.p_share_by_camp.iter().all(|&q| q == p));
        params
    }

    fn derive(scn: &Scenario) -> Params {
        let (sharing, correction) = (&scn.sharing, &scn.correction);
        let kind_weight =
            std::array::from_fn(|k| scn.kind_spec(ChatKind::from_index(k as u8)).share_weight);
        let step = scn.simulation.step_minutes;
        Params {
            chooser: ChatChooser {
                kind_weight,
                camp_preference: sharing.camp_preference,
            },
            belief: BeliefModel::new(scn),
            exposure: ExposureRule {
                sources: scn.belief.exposure == Exposure::Sources,
                resistance: scn.belief.rejecter_resistance,
                threshold: scn.belief.threshold,
            },
            attention: scn.attention.is_on().then(|| {
                let a = &scn.attention;
                let rhythm = scn.population.rhythm.multipliers();
                AttentionRule {
                    expiry_steps: a.expiry.on().map(|d| d.minutes() / step),
                    half_visible: a.half_visible.on(),
                    reads_per_open: a.reads_per_open.on(),
                    traffic: a.traffic,
                    step_days: step / 1440.0,
                    mean_rhythm: rhythm.iter().map(|&x| x as f64).sum::<f64>() / 24.0,
                    budgets: Vec::new(),
                    budgets_of: 0,
                }
            }),
            rules: Rules {
                forward_limit: scn.platform.forward_limit.get(),
                labelled_limit: scn.platform.labelled_forward_limit.get(),
                label_hops: scn.platform.label_hops,
                label_penalty: scn.belief.label_penalty,
                forwarded_group_limit: scn.platform.forwarded_group_limit.get(),
                prebunk_boost: 0.0,
            },
            // Indexed by camp byte: every possible camp has an entry.
            p_share_by_camp: (0..=u8::MAX as usize)
                .map(|c| {
                    let f = &sharing.stance_factor;
                    let factor = match scn.rumor.stance_of(c as u8) {
                        Stance::For => f.for_,
                        Stance::Indifferent => f.indifferent,
                        Stance::Against => f.against,
                    };
                    // A factor of 1 leaves the product exactly as without it.
                    (sharing.believer * scn.rumor.virality * factor).min(1.0)
                })
                .collect(),
            p_share_uniform: None,
            p_share_rejecter: (sharing.rejecter * scn.rumor.virality).min(1.0),
            label_factor: sharing.label_factor,
            persistence: sharing.persistence,
            novelty: sharing.novelty,
            step_minutes: step,
            stifling: sharing.stifling,
            actions: match sharing.actions {
                Limit::Unlimited => UNLIMITED_SHARES,
                Limit::Count(n) => n.min(UNLIMITED_SHARES as u32 - 1) as u16,
            },
            delay_steps: sharing.delay.minutes() / step,
            interval_steps: sharing.interval.minutes() / step,
            delay_dist: sharing.delay_dist,
            corr_acceptance: correction.acceptance,
            corr_efficacy: correction.efficacy,
            correction: correction.clone(),
            stance: (0..scn.population.camps.len().max(1))
                .map(|c| scn.rumor.stance_of(c as u8))
                .collect(),
            corr_share: correction.share,
            corr_delay_steps: correction.delay.minutes() / step,
            direct_trust: scn.kind_spec(ChatKind::Broadcast).trust as f32,
            rhythm: (0..scn.simulation.steps)
                .map(|t| scn.rhythm_at(t) as f64)
                .collect(),
        }
    }

    /// These parameters with what depends on the population computed once for `pop`
    /// (each user's attention budget, 4 bytes per user, only when limited attention
    /// bounds the reads per app-open). Replicates run on `pop` then look the budgets up
    /// instead of summing over each reader's chats; on any other population they are
    /// computed as before, with the same result.
    ///
    /// # Complexity
    /// O(memberships), in parallel.
    pub fn with_population(mut self, pop: &Population) -> Params {
        if let Some(a) = self.attention.as_mut() {
            if a.reads_per_open.is_some() {
                let budgets: Vec<f32> = {
                    let a: &AttentionRule = a;
                    (0..pop.n_users() as u32)
                        .into_par_iter()
                        .map(|u| a.compute_budget(pop, u))
                        .collect()
                };
                a.budgets = budgets;
                a.budgets_of = pop as *const Population as usize;
            }
        }
        self
    }

    /// Bytes per user that [`Params::with_population`] keeps for a scenario.
    pub fn bytes_per_user(scn: &Scenario) -> u64 {
        if scn.attention.is_on() && scn.attention.reads_per_open.on().is_some() {
            4
        } else {
            0
        }
    }

    /// Chance that a believer of camp `camp` is corrected by a correction (or answer)
    /// of base efficacy `efficacy` read through a chat of `trust`
    /// ([`Correction::efficacy_for`]).
    #[inline]
    pub(super) fn efficacy(&self, efficacy: f64, trust: f32, camp: u8) -> f64 {
        let stance = self
            .stance
            .get(camp as usize)
            .copied()
            .unwrap_or(Stance::Indifferent);
        self.correction.efficacy_for(efficacy, trust, stance)
    }

    /// The novelty factor r(age) at step `t` for a rumor first posted at step `first`
    /// (1 when fading interest is off or the rumor has not been posted yet).
    pub(super) fn novelty_at(&self, t: u32, first: Option<u32>) -> f64 {
        match (self.novelty, first) {
            (Some(n), Some(t0)) => n.factor(t.saturating_sub(t0) as f64 * self.step_minutes),
            _ => 1.0,
        }
    }

    /// Steps until a share action with mean wait `mean` steps (at least one).
    pub(super) fn wait(&self, mean: f64, rng: &mut rng::Rng) -> u32 {
        match self.delay_dist {
            DelayDist::Fixed => mean.round().max(1.0) as u32,
            DelayDist::Exponential if mean <= 1.0 => 1,
            DelayDist::Exponential => {
                // Geometric on {1, 2, ...} with mean `mean`.
                let p = 1.0 / mean;
                let u = 1.0 - rng.random::<f64>();
                1 + (u.ln() / (1.0 - p).ln()).floor().min(1e9) as u32
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(sharing: &str) -> Scenario {
        let text = format!(
            "[simulation]\nstep = \"10m\"\nhorizon = \"1h\"\n[population]\nusers = 10\n\
             [sharing]\n{sharing}\n[[seeds]]\nusers = 1\n"
        );
        Scenario::from_toml_str(&text, "t").unwrap()
    }

    /// Waits are in steps and never shorter than one; a fixed wait is the mean rounded.
    #[test]
    fn waits_are_whole_steps_of_at_least_one() {
        let params = Params::new(&scenario(
            "delay = \"25m\"\ninterval = \"0m\"\ndelay_dist = \"fixed\"",
        ));
        let mut r = rng::stream(1, 0, 0, 0, rng::Purpose::Schedule);
        assert_eq!(params.delay_steps, 2.5);
        assert_eq!(params.wait(params.delay_steps, &mut r), 3);
        assert_eq!(params.wait(params.interval_steps, &mut r), 1);
        let exp = Params::new(&scenario("delay = \"30m\""));
        assert!((0..100).all(|_| exp.wait(exp.delay_steps, &mut r) >= 1));
        assert_eq!(exp.wait(0.5, &mut r), 1);
    }

    /// Unlimited share actions are a sentinel no count reaches.
    #[test]
    fn unlimited_actions_never_run_out() {
        assert_eq!(
            Params::new(&scenario("actions = \"unlimited\"")).actions,
            UNLIMITED_SHARES
        );
        assert_eq!(Params::new(&scenario("actions = 3")).actions, 3);
    }
    /// The stance factor multiplies the believer share probability by the rumor's
    /// stance towards each camp (legacy `target_camp`: the target is attacked, the
    /// others flattered), capped at 1; factors of 1 leave it as it was.
    #[test]
    fn share_probability_by_stance() {
        let text = "[simulation]\nstep = \"10m\"\nhorizon = \"1h\"\n[population]\nusers = 10\n\
                    camps = [{ name = \"a\", share = 0.5 }, { name = \"b\", share = 0.5 }]\n\
                    [rumor]\ntarget_camp = \"b\"\n[sharing]\nbeliever = 0.4\n[[seeds]]\nusers = 1\n";
        let p = Params::new(&Scenario::from_toml_str(text, "t").unwrap());
        assert_eq!(p.p_share_by_camp[0], 0.8);
        assert!((p.p_share_by_camp[1] - 0.12).abs() < 1e-15);
        let off = text.replace(
            "believer = 0.4",
            "believer = 0.4\nstance_factor = { for = 1.0, indifferent = 1.0, against = 1.0 }",
        );
        let p = Params::new(&Scenario::from_toml_str(&off, "t").unwrap());
        assert_eq!(p.p_share_by_camp[..2], [0.4, 0.4]);
        let strong = text.replace("believer = 0.4", "believer = 0.7");
        let p = Params::new(&Scenario::from_toml_str(&strong, "t").unwrap());
        assert_eq!(p.p_share_by_camp[0], 1.0);
    }

    /// The novelty factor is 1 at age 0, 1/2 at the half-life and, with the defaults
    /// (6 h, exponent 0.4), about 0.30 at one day and 0.20 at two days.
    #[test]
    fn novelty_factor_halves_at_the_half_life() {
        let n = crate::scenario::Novelty {
            half_life: crate::duration::Duration::from_hours(6.0),
            exponent: 0.4,
        };
        assert_eq!(n.factor(0.0), 1.0);
        assert!((n.factor(360.0) - 0.5).abs() < 1e-12);
        assert!(
            (n.factor(1440.0) - 0.30).abs() < 0.01,
            "{}",
            n.factor(1440.0)
        );
        assert!(
            (n.factor(2880.0) - 0.20).abs() < 0.01,
            "{}",
            n.factor(2880.0)
        );
        let params = Params::new(&scenario(""));
        assert_eq!(params.novelty_at(5, None), 1.0);
        assert!(
            (params.novelty_at(36, Some(0)) - 0.5).abs() < 1e-12,
            "6 h of 10 min"
        );
        let off = Params::new(&scenario("novelty_half_life = \"off\""));
        assert_eq!(off.novelty_at(1000, Some(0)), 1.0);
    }
}
