//! The `[[seeds]]` entries checked: who first posts the rumor, and when.

use super::config::SeedConfig;
use super::kind::ChatKind;
use super::rumor::camp_name;
use super::violations::Violations;
use super::{Camp, ChatKindSpec, Simulation};
use crate::duration::Duration;

/// One seeding wave.
#[derive(Clone, Debug, PartialEq)]
pub struct Seed {
    /// When the seeds post.
    pub at: Duration,
    /// Who posts.
    pub target: SeedTarget,
}

/// Who posts the rumor in a seeding wave.
#[derive(Clone, Debug, PartialEq)]
pub enum SeedTarget {
    /// Random users (of a camp, if given) who post to their chats as spreaders; with
    /// `recipients`, each instead sends the rumor straight to that many random users
    /// (mass messaging outside the population's chats).
    Users {
        /// Number of accounts.
        count: u32,
        /// Camp index of the accounts, if restricted.
        camp: Option<u8>,
        /// Users each account mass-messages, if it does.
        recipients: Option<u32>,
    },
    /// Given users (ids as in the population's files, or dense ids) who post as
    /// spreaders. Checked against the population once it exists.
    Ids(Vec<String>),
    /// Random chats of a kind (and dominant camp) into which a member posts.
    Chats {
        /// Number of chats.
        count: u32,
        /// Kind of the chats.
        kind: ChatKind,
        /// Dominant camp of the chats, if restricted.
        camp: Option<u8>,
    },
}

/// What checking seeds needs to know about the rest of the scenario.
pub(super) struct SeedContext<'a> {
    pub simulation: &'a Simulation,
    pub camps: &'a [Camp],
    pub kinds: &'a [Option<ChatKindSpec>; 7],
    /// Whether chat kinds come from the scenario's own mix (generated, not imported
    /// and not a reference network), so an absent kind has no chats.
    pub generated_mix: bool,
}

impl Seed {
    /// Checks every seeding wave (at least one is needed).
    pub(super) fn check_all(
        raw: &[SeedConfig],
        ctx: &SeedContext,
        v: &mut Violations,
    ) -> Vec<Seed> {
        if raw.is_empty() {
            v.add("seeds", "at least one [[seeds]] entry is needed".into());
        }
        raw.iter()
            .enumerate()
            .map(|(i, s)| Seed::check(i, s, ctx, v))
            .collect()
    }

    fn check(i: usize, seed: &SeedConfig, ctx: &SeedContext, v: &mut Violations) -> Seed {
        let here = format!("seeds[{i}]");
        let at = |f: &str| format!("seeds[{i}].{f}");
        ctx.simulation.within(v, &at("at"), seed.at);
        let camp = v.opt_camp(&at("camp"), seed.camp.as_deref(), ctx.camps);
        let target = match (seed.users, &seed.ids, seed.chats) {
            (Some(count), None, None) => {
                if count == 0 {
                    v.add(&here, "the count must be >= 1".into());
                } else if seed.kind.is_some() {
                    v.add(&at("kind"), "`kind` goes with `chats`, not `users`".into());
                }
                if seed.recipients == Some(0) {
                    v.add(&at("recipients"), "must be >= 1".into());
                }
                SeedTarget::Users {
                    count,
                    camp,
                    recipients: seed.recipients,
                }
            }
            (None, Some(ids), None) => {
                if seed.camp.is_some() {
                    v.add(
                        &at("camp"),
                        "`camp` goes with `users` or `chats`, not `ids`".into(),
                    );
                }
                if ids.is_empty() {
                    v.add(&at("ids"), "the list is empty".into());
                }
                if seed.kind.is_some() {
                    v.add(&at("kind"), "`kind` goes with `chats`, not `ids`".into());
                }
                SeedTarget::Ids(ids.clone())
            }
            (None, None, Some(count)) => {
                let kind = match seed.kind {
                    Some(k) => k,
                    None => {
                        v.add(&at("kind"), "seeding `chats` needs a `kind`".into());
                        ChatKind::Direct
                    }
                };
                if count == 0 {
                    v.add(&here, "the count must be >= 1".into());
                } else if seed.kind.is_some()
                    && ctx.generated_mix
                    && ctx.kinds[kind.index()].is_none()
                {
                    v.add(
                        &at("kind"),
                        format!("no chats of kind \"{kind}\" exist in this population"),
                    );
                }
                SeedTarget::Chats { count, kind, camp }
            }
            _ => {
                v.add(
                    &here,
                    "give exactly one of `users`, `ids` or `chats`".into(),
                );
                SeedTarget::Ids(Vec::new())
            }
        };
        if seed.recipients.is_some() && !matches!(target, SeedTarget::Users { .. }) {
            v.add(
                &at("recipients"),
                "`recipients` goes with `users` (seed accounts mass-messaging)".into(),
            );
        }
        Seed {
            at: seed.at,
            target,
        }
    }

    /// The entry as written.
    pub(super) fn to_config(&self, camps: &[Camp]) -> SeedConfig {
        let mut raw = SeedConfig {
            at: self.at,
            users: None,
            ids: None,
            recipients: None,
            chats: None,
            kind: None,
            camp: None,
        };
        match &self.target {
            SeedTarget::Users {
                count,
                camp,
                recipients,
            } => {
                raw.users = Some(*count);
                raw.camp = camp_name(*camp, camps);
                raw.recipients = *recipients;
            }
            SeedTarget::Ids(ids) => raw.ids = Some(ids.clone()),
            SeedTarget::Chats { count, kind, camp } => {
                raw.chats = Some(*count);
                raw.kind = Some(*kind);
                raw.camp = camp_name(*camp, camps);
            }
        }
        raw
    }

    /// The ids this wave names, if it names users.
    pub fn ids(&self) -> Option<&[String]> {
        match &self.target {
            SeedTarget::Ids(ids) => Some(ids),
            SeedTarget::Users { .. } | SeedTarget::Chats { .. } => None,
        }
    }
}
