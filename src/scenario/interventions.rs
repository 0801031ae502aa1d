//! The `[[interventions]]` entries checked: when each fires (a time or a condition) and
//! what it does, with every default resolved. The matches over intervention kinds are
//! exhaustive, so a new kind does not compile until its checks and its written form
//! exist here.

use super::condition::Condition;
use super::config::{InterventionConfig, Limit, MODERATED_KINDS};
use super::kind::ChatKind;
use super::rumor::camp_name;
use super::violations::Violations;
use super::{Camp, Simulation};
use crate::duration::Duration;

/// One intervention: when it fires and what it does.
#[derive(Clone, Debug, PartialEq)]
pub struct Intervention {
    /// When it fires.
    pub trigger: Trigger,
    /// What it does.
    pub action: Action,
}

/// When an intervention fires.
#[derive(Clone, Debug, PartialEq)]
pub enum Trigger {
    /// At the start of the step this time falls in.
    At(Duration),
    /// At the start of the step after the condition first holds.
    When {
        /// The condition as written.
        text: String,
        /// The parsed condition.
        condition: Condition,
    },
}

/// What an intervention does (see `docs/model.md#interventions`).
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Change the forward limit, and optionally the labelled limit (None: the labelled
    /// limit in force, capped at the new limit).
    ForwardLimit {
        /// The new forward limit.
        limit: Limit,
        /// The new labelled limit, if given.
        labelled_limit: Option<Limit>,
    },
    /// Introduce the "forwarded many times" label from a hop threshold.
    Label {
        /// The new label threshold (0: no label from now on).
        hops: u32,
        /// The new belief penalty of labelled copies (None: the penalty in force).
        penalty: Option<f64>,
        /// The new labelled forward limit.
        forward_limit: Limit,
    },
    /// Launch the correction.
    FactCheck {
        /// Where the correction starts.
        target: CorrectionTarget,
    },
    /// Group admins delete the rumor's unread copies, block it and post the correction.
    Moderation {
        /// Share of chats (of `kinds`) with a moderating admin.
        share: f64,
        /// Delay from the rumor's first post in a chat to its clean-up.
        delay: Duration,
        /// Kinds of chat that can be moderated.
        kinds: Vec<ChatKind>,
    },
    /// The heaviest forwarders stop posting after a detection delay.
    Ban {
        /// Detection delay.
        delay: Duration,
        /// Whom to ban.
        rule: BanRule,
    },
    /// The organisation answers the sources of a complaint.
    Response {
        /// Whose complaint is answered (None: every seed so far).
        ids: Option<Vec<String>>,
        /// Chance that a reader who does not believe the complaint accepts the answer.
        acceptance: f64,
        /// Chance that a believer reading the answer is convinced by it.
        efficacy: f64,
        /// Share by which a public answer cuts the public conversation's excitation.
        public_damping: f64,
    },
    /// A share of users (of a camp, if given) become less likely to believe the rumor.
    Prebunk {
        /// Share of users prebunked.
        share: f64,
        /// How strongly (`effect`, or the legacy `boost`).
        strength: Prebunking,
        /// Camp index, if restricted.
        camp: Option<u8>,
    },
}

/// How strongly a prebunk acts (`docs/model.md#prebunk`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Prebunking {
    /// Logit loss on belief for a prebunked reader; each keeps the largest effect of the
    /// prebunks that reached them.
    Effect(f64),
    /// The legacy form: skepticism added (capped at 1), the largest boost fired so far
    /// applying to everyone prebunked.
    Boost(f64),
}

/// Logit loss of a prebunk that gives neither `effect` nor `boost`. Derived: Lu et al.
/// 2023, misinformation credibility d = -0.36 (pooled) to -0.21 (post-only designs),
/// i.e. 0.38-0.65 logit; Roozenbeek et al. 2022.
pub const DEFAULT_PREBUNK_EFFECT: f64 = 0.5;

/// Most prebunk interventions with an `effect` in one scenario (a reader's strongest is
/// kept in one byte).
pub const MAX_EFFECT_PREBUNKS: usize = 255;

/// Where a fact-check's correction starts.
#[derive(Clone, Debug, PartialEq)]
pub enum CorrectionTarget {
    /// Random users (of a camp) who post it to their chats.
    Users {
        /// Number of users.
        count: u32,
        /// Camp index, if restricted.
        camp: Option<u8>,
    },
    /// Given users who post it to their chats.
    Ids(Vec<String>),
    /// A fact-checker's subscribers (of a camp), who receive it directly.
    Subscribers {
        /// Number of subscribers.
        count: u32,
        /// Camp index, if restricted.
        camp: Option<u8>,
    },
    /// Random chats of a kind (and dominant camp) into which a member posts it.
    Chats {
        /// Number of chats.
        count: u32,
        /// Kind of chat.
        kind: ChatKind,
        /// Camp index, if restricted.
        camp: Option<u8>,
    },
}

/// Whom a ban removes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BanRule {
    /// The `n` users with the most rumor posts at detection time.
    Top(u32),
    /// Every user once they reach this many rumor posts.
    MinPosts(u32),
}

impl Action {
    /// The kind's name as written in scenario files.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Action::ForwardLimit { .. } => "forward_limit",
            Action::Label { .. } => "label",
            Action::FactCheck { .. } => "fact_check",
            Action::Moderation { .. } => "moderation",
            Action::Ban { .. } => "ban",
            Action::Response { .. } => "response",
            Action::Prebunk { .. } => "prebunk",
        }
    }

    /// The user ids the action names, checked against the population once it exists.
    pub fn ids(&self) -> Option<&[String]> {
        match self {
            Action::FactCheck {
                target: CorrectionTarget::Ids(ids),
            } => Some(ids),
            Action::Response { ids, .. } => ids.as_deref(),
            _ => None,
        }
    }
}

impl Intervention {
    /// Checks every intervention.
    pub(super) fn check_all(
        raw: &[InterventionConfig],
        simulation: &Simulation,
        camps: &[Camp],
        v: &mut Violations,
    ) -> Vec<Intervention> {
        let all: Vec<Intervention> = raw
            .iter()
            .enumerate()
            .map(|(i, iv)| Intervention {
                trigger: check_trigger(i, iv, simulation, v),
                action: check_action(i, iv, camps, v),
            })
            .collect();
        // Legacy boosts act on everyone prebunked at once, effects per reader: one
        // scenario uses one form.
        let (mut effects, mut boosts) = (0, 0);
        for iv in &all {
            match iv.action {
                Action::Prebunk {
                    strength: Prebunking::Effect(_),
                    ..
                } => effects += 1,
                Action::Prebunk {
                    strength: Prebunking::Boost(_),
                    ..
                } => boosts += 1,
                _ => {}
            }
        }
        if effects > 0 && boosts > 0 {
            v.add(
                "interventions",
                "prebunks give either `effect` or the legacy `boost`: do not mix the two in one scenario".into(),
            );
        }
        if effects > MAX_EFFECT_PREBUNKS {
            v.add(
                "interventions",
                format!(
                    "at most {MAX_EFFECT_PREBUNKS} prebunks with an `effect` ({effects} given)"
                ),
            );
        }
        all
    }

    /// The entry as written, every default filled in.
    pub(super) fn to_config(&self, camps: &[Camp]) -> InterventionConfig {
        let (at, when) = match &self.trigger {
            Trigger::At(d) => (Some(*d), None),
            Trigger::When { text, .. } => (None, Some(text.clone())),
        };
        let camp = |c: &Option<u8>| camp_name(*c, camps);
        match &self.action {
            Action::ForwardLimit {
                limit,
                labelled_limit,
            } => InterventionConfig::ForwardLimit {
                at,
                when,
                limit: *limit,
                labelled_limit: *labelled_limit,
            },
            Action::Label {
                hops,
                penalty,
                forward_limit,
            } => InterventionConfig::Label {
                at,
                when,
                hops: *hops,
                penalty: *penalty,
                forward_limit: Some(*forward_limit),
            },
            Action::FactCheck { target } => {
                let (mut users, mut ids, mut subscribers, mut chats) = (None, None, None, None);
                let (mut chat_kind, mut in_camp) = (None, None);
                match target {
                    CorrectionTarget::Users { count, camp: c } => {
                        users = Some(*count);
                        in_camp = camp(c);
                    }
                    CorrectionTarget::Ids(list) => ids = Some(list.clone()),
                    CorrectionTarget::Subscribers { count, camp: c } => {
                        subscribers = Some(*count);
                        in_camp = camp(c);
                    }
                    CorrectionTarget::Chats {
                        count,
                        kind,
                        camp: c,
                    } => {
                        chats = Some(*count);
                        chat_kind = Some(*kind);
                        in_camp = camp(c);
                    }
                }
                InterventionConfig::FactCheck {
                    at,
                    when,
                    users,
                    ids,
                    subscribers,
                    chats,
                    chat_kind,
                    camp: in_camp,
                }
            }
            Action::Moderation {
                share,
                delay,
                kinds,
            } => InterventionConfig::Moderation {
                at,
                when,
                share: *share,
                delay: *delay,
                chat_kinds: Some(kinds.clone()),
            },
            Action::Ban { delay, rule } => {
                let (top, min_posts) = match rule {
                    BanRule::Top(n) => (Some(*n), None),
                    BanRule::MinPosts(n) => (None, Some(*n)),
                };
                InterventionConfig::Ban {
                    at,
                    when,
                    delay: *delay,
                    top,
                    min_posts,
                }
            }
            Action::Response {
                ids,
                acceptance,
                efficacy,
                public_damping,
            } => InterventionConfig::Response {
                at,
                when,
                ids: ids.clone(),
                acceptance: Some(*acceptance),
                efficacy: Some(*efficacy),
                public_damping: Some(*public_damping),
            },
            Action::Prebunk {
                share,
                strength,
                camp: c,
            } => {
                let (effect, boost) = match *strength {
                    Prebunking::Effect(e) => (Some(e), None),
                    Prebunking::Boost(b) => (None, Some(b)),
                };
                InterventionConfig::Prebunk {
                    at,
                    when,
                    share: *share,
                    effect,
                    boost,
                    camp: camp(c),
                }
            }
        }
    }
}

fn check_trigger(
    i: usize,
    iv: &InterventionConfig,
    simulation: &Simulation,
    v: &mut Violations,
) -> Trigger {
    let here = format!("interventions[{i}]");
    match iv.trigger() {
        (Some(t), None) => {
            simulation.within(v, &format!("{here}.at"), t);
            Trigger::At(t)
        }
        (None, Some(w)) => match Condition::parse(w) {
            Ok(condition) => Trigger::When {
                text: w.to_string(),
                condition,
            },
            Err(m) => {
                v.add(&format!("{here}.when"), m);
                Trigger::At(Duration::from_minutes(0.0))
            }
        },
        (None, None) => {
            v.add(&here, "give `at` (a time) or `when` (a condition)".into());
            Trigger::At(Duration::from_minutes(0.0))
        }
        (Some(t), Some(_)) => {
            v.add(&here, "give `at` or `when`, not both".into());
            Trigger::At(t)
        }
    }
}

fn check_action(i: usize, iv: &InterventionConfig, camps: &[Camp], v: &mut Violations) -> Action {
    let here = format!("interventions[{i}]");
    let at = |f: &str| format!("{here}.{f}");
    match iv {
        InterventionConfig::ForwardLimit {
            limit,
            labelled_limit,
            ..
        } => Action::ForwardLimit {
            limit: *limit,
            labelled_limit: *labelled_limit,
        },
        InterventionConfig::Label {
            hops,
            penalty,
            forward_limit,
            ..
        } => {
            if let Some(p) = penalty {
                v.range(&at("penalty"), *p, -50.0, 50.0);
            }
            Action::Label {
                hops: *hops,
                penalty: *penalty,
                forward_limit: forward_limit.unwrap_or(Limit::Count(1)),
            }
        }
        InterventionConfig::FactCheck {
            users,
            ids,
            subscribers,
            chats,
            chat_kind,
            camp,
            ..
        } => {
            if chats.is_some() != chat_kind.is_some() {
                v.add(
                    &at("chat_kind"),
                    "`chats` and `chat_kind` go together".into(),
                );
            }
            let c = v.opt_camp(&at("camp"), camp.as_deref(), camps);
            if camp.is_some() && ids.is_some() {
                v.add(
                    &at("camp"),
                    "`camp` goes with `users`, `subscribers` or `chats`, not `ids`".into(),
                );
            }
            let target = match (users, ids, subscribers, chats) {
                (Some(count), None, None, None) => CorrectionTarget::Users {
                    count: *count,
                    camp: c,
                },
                (None, Some(list), None, None) => CorrectionTarget::Ids(list.clone()),
                (None, None, Some(count), None) => CorrectionTarget::Subscribers {
                    count: *count,
                    camp: c,
                },
                (None, None, None, Some(count)) => CorrectionTarget::Chats {
                    count: *count,
                    kind: chat_kind.unwrap_or(ChatKind::Direct),
                    camp: c,
                },
                _ => {
                    v.add(&here, "a fact_check needs exactly one of `users`, `ids`, `subscribers` or `chats`".into());
                    CorrectionTarget::Ids(Vec::new())
                }
            };
            Action::FactCheck { target }
        }
        InterventionConfig::Moderation {
            share,
            delay,
            chat_kinds,
            ..
        } => {
            v.probabilities(&here, &[("share", *share)]);
            Action::Moderation {
                share: *share,
                delay: *delay,
                kinds: chat_kinds
                    .clone()
                    .unwrap_or_else(|| MODERATED_KINDS.to_vec()),
            }
        }
        InterventionConfig::Ban {
            delay,
            top,
            min_posts,
            ..
        } => {
            let rule = match (top, min_posts) {
                (Some(n), None) => BanRule::Top(*n),
                (None, Some(n)) => BanRule::MinPosts(*n),
                _ => {
                    v.add(
                        &here,
                        "a ban needs exactly one of `top` or `min_posts`".into(),
                    );
                    BanRule::Top(1)
                }
            };
            if *top == Some(0) || *min_posts == Some(0) {
                v.add(&here, "`top` and `min_posts` must be >= 1".into());
            }
            Action::Ban {
                delay: *delay,
                rule,
            }
        }
        InterventionConfig::Response {
            ids,
            acceptance,
            efficacy,
            public_damping,
            ..
        } => {
            let (acceptance, efficacy, public_damping) = (
                acceptance.unwrap_or(1.0),
                efficacy.unwrap_or(1.0),
                public_damping.unwrap_or(0.5),
            );
            v.probabilities(
                &here,
                &[
                    ("acceptance", acceptance),
                    ("efficacy", efficacy),
                    ("public_damping", public_damping),
                ],
            );
            Action::Response {
                ids: ids.clone(),
                acceptance,
                efficacy,
                public_damping,
            }
        }
        InterventionConfig::Prebunk {
            share,
            effect,
            boost,
            camp,
            ..
        } => {
            v.probabilities(&here, &[("share", *share)]);
            let strength = match (effect, boost) {
                (Some(e), None) => {
                    v.range(&at("effect"), *e, 0.0, 50.0);
                    Prebunking::Effect(*e)
                }
                (None, Some(b)) => {
                    v.probabilities(&here, &[("boost", *b)]);
                    Prebunking::Boost(*b)
                }
                (None, None) => Prebunking::Effect(DEFAULT_PREBUNK_EFFECT),
                (Some(e), Some(_)) => {
                    v.add(
                        &here,
                        "give `effect` (a logit shift) or the legacy `boost`, not both".into(),
                    );
                    Prebunking::Effect(*e)
                }
            };
            Action::Prebunk {
                share: *share,
                strength,
                camp: v.opt_camp(&at("camp"), camp.as_deref(), camps),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Scenario;
    use super::*;

    fn prebunks(entries: &[&str]) -> Result<Vec<Prebunking>, String> {
        let text: String = entries
            .iter()
            .map(|e| {
                format!("[[interventions]]\nkind = \"prebunk\"\nat = \"0h\"\nshare = 0.5\n{e}\n")
            })
            .collect();
        let scn = Scenario::from_toml_str(&text, "t").map_err(|e| e.to_string())?;
        Ok(scn
            .interventions
            .iter()
            .map(|iv| match iv.action {
                Action::Prebunk { strength, .. } => strength,
                _ => unreachable!(),
            })
            .collect())
    }

    /// A prebunk gives an effect (default 0.5 logit) or the legacy boost, and a
    /// scenario uses one form only.
    #[test]
    fn prebunk_effect_or_legacy_boost() {
        assert_eq!(
            prebunks(&["", "effect = 0.3"]).unwrap(),
            [
                Prebunking::Effect(DEFAULT_PREBUNK_EFFECT),
                Prebunking::Effect(0.3)
            ]
        );
        assert_eq!(
            prebunks(&["boost = 0.4"]).unwrap(),
            [Prebunking::Boost(0.4)]
        );
        let e = prebunks(&["effect = 0.3\nboost = 0.1"]).unwrap_err();
        assert!(e.contains("not both"), "{e}");
        let e = prebunks(&["effect = 0.3", "boost = 0.1"]).unwrap_err();
        assert!(e.contains("do not mix"), "{e}");
        let e = prebunks(&["effect = -1"]).unwrap_err();
        assert!(e.contains("effect"), "{e}");
    }

    /// Written back and checked again, a prebunk keeps its form.
    #[test]
    fn prebunk_round_trips() {
        for e in ["effect = 0.7", "boost = 0.2"] {
            let text =
                format!("[[interventions]]\nkind = \"prebunk\"\nat = \"0h\"\nshare = 0.5\n{e}\n");
            let scn = Scenario::from_toml_str(&text, "t").unwrap();
            let again = Scenario::check(scn.to_config(), None, "t").unwrap();
            assert_eq!(again.interventions, scn.interventions);
        }
    }
}
