//! The `[platform]` section checked, and the platform presets: the rules of real
//! messaging platforms at given dates. Figures and their sources are in
//! `docs/platforms.md`; values that could not be confirmed are marked there as
//! assumptions.

use super::config::{Limit, PlatformConfig};
use super::violations::Violations;

/// Resolved platform rules.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Platform {
    /// The preset the rules start from, if any (explicit fields override it).
    pub preset: Option<&'static str>,
    /// Largest group (members).
    pub group_cap: u32,
    /// Largest broadcast list or channel (receivers).
    pub broadcast_cap: u32,
    /// Most chats one forward action may target.
    pub forward_limit: Limit,
    /// Hop count from which a copy carries the "forwarded many times" label (0: never).
    pub label_hops: u32,
    /// Forward limit for a copy that carries the label.
    pub labelled_forward_limit: Limit,
    /// Most group chats one forward of an already-forwarded copy may target.
    pub forwarded_group_limit: Limit,
}

/// A named preset.
pub struct Preset {
    /// Name used in scenario files, e.g. "whatsapp-2019".
    pub name: &'static str,
    /// The rules.
    pub rules: Platform,
}

const fn rules(
    group_cap: u32,
    broadcast_cap: u32,
    forward: Limit,
    label_hops: u32,
    labelled: Limit,
    forwarded_groups: Limit,
) -> Platform {
    Platform {
        preset: None,
        group_cap,
        broadcast_cap,
        forward_limit: forward,
        label_hops,
        labelled_forward_limit: labelled,
        forwarded_group_limit: forwarded_groups,
    }
}

const ANY: Limit = Limit::Unlimited;

/// All presets, oldest first per platform.
pub const PRESETS: &[Preset] = &[
    // Before July 2018: no forward limit, no label.
    Preset {
        name: "whatsapp-2017",
        rules: rules(256, 256, Limit::Unlimited, 0, Limit::Unlimited, ANY),
    },
    // July 2018: 20 chats per forward worldwide (5 in India).
    Preset {
        name: "whatsapp-2018",
        rules: rules(256, 256, Limit::Count(20), 0, Limit::Count(20), ANY),
    },
    // 21 January 2019: 5 chats worldwide; no "forwarded many times" label yet.
    Preset {
        name: "whatsapp-2019",
        rules: rules(256, 256, Limit::Count(5), 0, Limit::Count(5), ANY),
    },
    // From August 2019: the "forwarded many times" label from the fifth hop.
    Preset {
        name: "whatsapp-2019-08",
        rules: rules(256, 256, Limit::Count(5), 5, Limit::Count(5), ANY),
    },
    // April 2020: frequently forwarded messages go to one chat at a time.
    Preset {
        name: "whatsapp-2020",
        rules: rules(256, 256, Limit::Count(5), 5, Limit::Count(1), ANY),
    },
    // November 2022: groups of up to 1024 members; an already-forwarded message goes
    // to one group at a time (from spring 2022; release date an assumption).
    Preset {
        name: "whatsapp-2022",
        rules: rules(
            1024,
            256,
            Limit::Count(5),
            5,
            Limit::Count(1),
            Limit::Count(1),
        ),
    },
    // September 2020: Messenger limits forwards to 5 chats; groups of 250.
    Preset {
        name: "messenger-2020",
        rules: rules(250, 250, Limit::Count(5), 0, Limit::Count(5), ANY),
    },
    // Groups up to 200,000; channels without a subscriber cap; no forward limit.
    Preset {
        name: "telegram",
        rules: rules(
            200_000,
            u32::MAX,
            Limit::Unlimited,
            0,
            Limit::Unlimited,
            ANY,
        ),
    },
    // Groups up to 500 members; no forward limit documented (assumption).
    Preset {
        name: "line",
        rules: rules(500, 500, Limit::Unlimited, 0, Limit::Unlimited, ANY),
    },
];

/// The default rules (WhatsApp from August 2019, `whatsapp-2019-08`) when neither a
/// preset nor a field is given.
pub fn default_rules() -> Platform {
    rules(256, 256, Limit::Count(5), 5, Limit::Count(5), ANY)
}

/// Looks up a preset by name.
pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// Names of all presets, for messages.
pub fn preset_names() -> Vec<&'static str> {
    PRESETS.iter().map(|p| p.name).collect()
}

/// Resolves a platform table: explicit fields over the preset over the defaults.
pub fn resolve(cfg: &PlatformConfig) -> Result<Platform, String> {
    let base = match &cfg.preset {
        None => default_rules(),
        Some(name) => match preset(name) {
            Some(p) => Platform {
                preset: Some(p.name),
                ..p.rules.clone()
            },
            None => {
                let names = preset_names();
                let hint = super::nearest(name, &names)
                    .map(|n| format!(" (did you mean \"{n}\"?)"))
                    .unwrap_or_default();
                return Err(format!(
                    "\"{name}\" is not a preset{hint}; presets are {}",
                    names.join(", ")
                ));
            }
        },
    };
    Ok(Platform {
        preset: base.preset,
        group_cap: cfg.group_cap.unwrap_or(base.group_cap),
        broadcast_cap: cfg.broadcast_cap.unwrap_or(base.broadcast_cap),
        forward_limit: cfg.forward_limit.unwrap_or(base.forward_limit),
        label_hops: cfg.label_hops.unwrap_or(base.label_hops),
        labelled_forward_limit: cfg
            .labelled_forward_limit
            .unwrap_or(base.labelled_forward_limit),
        forwarded_group_limit: cfg
            .forwarded_group_limit
            .unwrap_or(base.forwarded_group_limit),
    })
}

impl Platform {
    /// Checks the section: the preset exists and the caps are in range.
    pub(super) fn check(raw: &PlatformConfig, v: &mut Violations) -> Platform {
        let platform = match resolve(raw) {
            Ok(p) => p,
            Err(m) => {
                v.add("platform.preset", m);
                default_rules()
            }
        };
        if !(2..=10_000_000).contains(&platform.group_cap) {
            v.add(
                "platform.group_cap",
                format!(
                    "{} is out of range: allowed 2 to 10000000",
                    platform.group_cap
                ),
            );
        }
        if platform.broadcast_cap < 1 {
            v.add("platform.broadcast_cap", "must be >= 1".into());
        }
        platform
    }

    /// The section as written, every rule filled in.
    pub(super) fn to_config(&self) -> PlatformConfig {
        PlatformConfig {
            preset: self.preset.map(str::to_string),
            group_cap: Some(self.group_cap),
            broadcast_cap: Some(self.broadcast_cap),
            forward_limit: Some(self.forward_limit),
            label_hops: Some(self.label_hops),
            labelled_forward_limit: Some(self.labelled_forward_limit),
            forwarded_group_limit: Some(self.forwarded_group_limit),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_fields_override_preset() {
        let cfg = PlatformConfig {
            preset: Some("whatsapp-2018".into()),
            forward_limit: Some(Limit::Count(5)),
            ..Default::default()
        };
        let p = resolve(&cfg).unwrap();
        assert_eq!((p.group_cap, p.forward_limit), (256, Limit::Count(5)));
        let e = resolve(&PlatformConfig {
            preset: Some("whatsap-2019".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert!(e.contains("did you mean \"whatsapp-2019\""), "{e}");
    }
}
