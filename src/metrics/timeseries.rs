//! The columns of `timeseries.csv`, declared once: name, kind, unit, meaning and where
//! the value comes from. `output::files` writes the file from [`TIMESERIES`] and
//! [`CAMP_COLUMNS`]; the column table in `docs/model.md#timeseries` is generated from
//! them and a test fails when the two disagree, so the file, its documentation and the
//! README (which links there) cannot drift apart.

use super::{CampCounts, StepRecord};

/// What kind of number a column holds, which decides how it may be summed or compared
/// across steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An identifier of the row (replicate, step).
    Id,
    /// Simulated time.
    Time,
    /// Users in a state or role after the step.
    State,
    /// Users (or impressions) ever so far: never shrinks.
    Cumulative,
    /// The largest value so far: never shrinks.
    RunningMax,
    /// A flow during this step alone.
    PerStep,
    /// 0 or 1.
    Flag,
}

impl Kind {
    /// Every kind, in the order the documentation explains them.
    pub const ALL: [Kind; 7] = [
        Kind::Id,
        Kind::Time,
        Kind::State,
        Kind::Cumulative,
        Kind::RunningMax,
        Kind::PerStep,
        Kind::Flag,
    ];

    /// The kind's name in the documentation.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Id => "id",
            Kind::Time => "time",
            Kind::State => "state",
            Kind::Cumulative => "cumulative",
            Kind::RunningMax => "running max",
            Kind::PerStep => "per step",
            Kind::Flag => "flag",
        }
    }

    /// What a column of this kind holds, for the documentation.
    pub fn meaning(self) -> &'static str {
        match self {
            Kind::Id => "identifies the row",
            Kind::Time => "simulated time",
            Kind::State => "number of users in a state or role after the step",
            Kind::Cumulative => "users (or impressions) ever, so far (never shrinks)",
            Kind::RunningMax => "largest value so far (never shrinks)",
            Kind::PerStep => "flow during this step",
            Kind::Flag => "0 or 1",
        }
    }

    /// Whether a column of this kind can never shrink from one step to the next.
    pub fn never_shrinks(self) -> bool {
        matches!(
            self,
            Kind::Id | Kind::Time | Kind::Cumulative | Kind::RunningMax
        )
    }
}

/// Where a column's value comes from.
#[derive(Clone, Copy, Debug)]
pub enum Value {
    /// The replicate number, from 0.
    Replicate,
    /// Hours at the end of the step, from the scenario's step length.
    Hours,
    /// A count read from the step's record.
    Count(fn(&StepRecord) -> u64),
    /// The belief index of the step's record under the scenario's
    /// `correction.residual` ([`belief_index`]).
    BeliefIndex,
}

/// Believers plus the residual belief of corrected users (continued influence):
/// `believers + residual x corrected`; with `residual` 0, the believers.
pub fn belief_index(r: &StepRecord, residual: f64) -> f64 {
    r.believers as f64 + residual * r.corrected as f64
}

/// One column of `timeseries.csv`.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// Header name.
    pub name: &'static str,
    /// What kind of number it is.
    pub kind: Kind,
    /// What it counts or measures.
    pub unit: &'static str,
    /// Exact definition (Markdown; may link to sections of `docs/model.md`).
    pub meaning: &'static str,
    /// Where the value comes from.
    pub value: Value,
}

impl Column {
    /// The column's value in a record, if it is read from one (not the replicate or
    /// the hours).
    pub fn count(&self, r: &StepRecord) -> Option<u64> {
        match self.value {
            Value::Count(f) => Some(f(r)),
            Value::Replicate | Value::Hours | Value::BeliefIndex => None,
        }
    }
}

/// The fixed columns of `timeseries.csv`, in file order.
pub const TIMESERIES: &[Column] = &[
    Column {
        name: "replicate",
        kind: Kind::Id,
        unit: "replicate",
        meaning: "replicate number, from 0",
        value: Value::Replicate,
    },
    Column {
        name: "step",
        kind: Kind::Id,
        unit: "step",
        meaning: "step index *t*, from 0",
        value: Value::Count(|r| r.step as u64),
    },
    Column {
        name: "hours",
        kind: Kind::Time,
        unit: "hours",
        meaning: "hours at the **end** of the step: (*t* + 1) × Δ / 60, rounded to 6 decimals and written in the shortest form that reads back the same (`0.166667`, `0.5`), so float noise in the step length never reaches the file",
        value: Value::Hours,
    },
    Column {
        name: "reached",
        kind: Kind::Cumulative,
        unit: "users",
        meaning: "users who have received a rumor copy, plus seeds (users, chat posters, \
                  mass-messaging accounts, re-injected users)",
        value: Value::Count(|r| r.reached),
    },
    Column {
        name: "read",
        kind: Kind::Cumulative,
        unit: "users",
        meaning: "users who have read a rumor copy, plus seeds",
        value: Value::Count(|r| r.read),
    },
    Column {
        name: "unaware",
        kind: Kind::State,
        unit: "users",
        meaning: "belief state unaware",
        value: Value::Count(|r| r.unaware),
    },
    Column {
        name: "exposed",
        kind: Kind::State,
        unit: "users",
        meaning: "exposed: reached, no rumor copy read, not immune (includes users whose \
                  copies were deleted by moderation or will not be read before the horizon)",
        value: Value::Count(|r| r.exposed),
    },
    Column {
        name: "rejecters",
        kind: Kind::State,
        unit: "users",
        meaning: "rejecter",
        value: Value::Count(|r| r.rejecters),
    },
    Column {
        name: "believers",
        kind: Kind::State,
        unit: "users",
        meaning: "believer",
        value: Value::Count(|r| r.believers),
    },
    Column {
        name: "immune",
        kind: Kind::State,
        unit: "users",
        meaning: "immune (may include users never reached)",
        value: Value::Count(|r| r.immune),
    },
    Column {
        name: "corrected",
        kind: Kind::State,
        unit: "users",
        meaning: "corrected",
        value: Value::Count(|r| r.corrected),
    },
    Column {
        name: "spreaders",
        kind: Kind::State,
        unit: "users",
        meaning: "role spreader",
        value: Value::Count(|r| r.spreaders),
    },
    Column {
        name: "stiflers",
        kind: Kind::State,
        unit: "users",
        meaning: "role stifler",
        value: Value::Count(|r| r.stiflers),
    },
    Column {
        name: "new_reached",
        kind: Kind::PerStep,
        unit: "users",
        meaning: "`reached` now minus `reached` at the end of the previous step",
        value: Value::Count(|r| r.new_reached),
    },
    Column {
        name: "deliveries",
        kind: Kind::PerStep,
        unit: "copies",
        meaning: "rumor copies sent: over this step's rumor posts, the recipients (members \
                  but the sender, or listed recipients), including recipients who already \
                  believed",
        value: Value::Count(|r| r.deliveries),
    },
    Column {
        name: "posts",
        kind: Kind::PerStep,
        unit: "posts",
        meaning: "rumor posts made (one per chat or mass message), seeds' included; posts \
                  dropped in closed chats, corrections and answers excluded",
        value: Value::Count(|r| r.posts),
    },
    Column {
        name: "max_hops",
        kind: Kind::RunningMax,
        unit: "hops",
        meaning: "largest hop of a rumor post that had at least one recipient",
        value: Value::Count(|r| r.max_hops as u64),
    },
    Column {
        name: "correction_reached",
        kind: Kind::Cumulative,
        unit: "users",
        meaning: "users who received a correction or answer copy, plus users who posted one \
                  (fact-checkers, admins, fact-check chat posters, response sources)",
        value: Value::Count(|r| r.correction_reached),
    },
    Column {
        name: "correction_read",
        kind: Kind::Cumulative,
        unit: "users",
        meaning: "users who read a correction or answer copy (their first), plus those \
                  posters",
        value: Value::Count(|r| r.correction_read),
    },
    Column {
        name: "public_posts",
        kind: Kind::PerStep,
        unit: "posts",
        meaning: "public posts in this step (organic + triggered + press)",
        value: Value::Count(|r| r.public_posts),
    },
    Column {
        name: "public_reach",
        kind: Kind::Cumulative,
        unit: "impressions",
        meaning: "public impressions: followers of every organic post plus f̄ per triggered \
                  or press post; a person may be counted many times",
        value: Value::Count(|r| r.public_reach),
    },
    Column {
        name: "press",
        kind: Kind::Flag,
        unit: "0/1",
        meaning: "1 while the press covers the story",
        value: Value::Count(|r| r.press),
    },
    Column {
        name: "crisis",
        kind: Kind::Flag,
        unit: "0/1",
        meaning: "1 from the step a crisis is declared",
        value: Value::Count(|r| r.crisis),
    },
    Column {
        name: "copies_unseen",
        kind: Kind::PerStep,
        unit: "copies",
        meaning: "rumor copies delivered in this step that their reader will never see \
                  ([limited attention](#attention): expired before the reader opened the \
                  app, or skimmed past); 0 without limited attention",
        value: Value::Count(|r| r.copies_unseen),
    },
    Column {
        name: "belief_index",
        kind: Kind::State,
        unit: "users",
        meaning: "`believers` + `correction.residual` × `corrected`: believers plus the \
                  belief a correction leaves ([continued influence](#correction)); equals \
                  `believers` with `residual` 0",
        value: Value::BeliefIndex,
    },
    Column {
        name: "posts_original",
        kind: Kind::PerStep,
        unit: "posts",
        meaning: "`posts` at hop 0: seeds' own posts, chat seeds' posts, mass messages \
                  ([posts by hop](#posts-by-hop))",
        value: Value::Count(|r| r.posts_original),
    },
    Column {
        name: "posts_forwarded",
        kind: Kind::PerStep,
        unit: "posts",
        meaning: "`posts` at hop 1 or more without the \"forwarded many times\" label",
        value: Value::Count(|r| r.posts_forwarded),
    },
    Column {
        name: "posts_labelled",
        kind: Kind::PerStep,
        unit: "posts",
        meaning: "`posts` carrying the \"forwarded many times\" label; \
                  `posts_original + posts_forwarded + posts_labelled = posts`",
        value: Value::Count(|r| r.posts_labelled),
    },
    Column {
        name: "share_actions",
        kind: Kind::PerStep,
        unit: "actions",
        meaning: "forward actions: spreaders who forwarded a received rumor copy into at \
                  least one chat in this step (one use of the forward button each)",
        value: Value::Count(|r| r.share_actions),
    },
];

/// One column written per camp, named `<prefix>_<camp>`.
#[derive(Clone, Copy, Debug)]
pub struct CampColumn {
    /// The name before `_<camp>`.
    pub prefix: &'static str,
    /// What kind of number it is.
    pub kind: Kind,
    /// What it counts.
    pub unit: &'static str,
    /// Exact definition (Markdown).
    pub meaning: &'static str,
    /// The value in a camp's counts.
    pub value: fn(&CampCounts) -> u64,
}

/// The columns each camp adds after [`TIMESERIES`] when the population has two or
/// more camps: these, in this order, for each camp in `population.camps` order.
pub const CAMP_COLUMNS: &[CampColumn] = &[
    CampColumn {
        prefix: "reached",
        kind: Kind::Cumulative,
        unit: "users",
        meaning: "`reached`, counting the camp's users only",
        value: |c| c.reached,
    },
    CampColumn {
        prefix: "believers",
        kind: Kind::State,
        unit: "users",
        meaning: "`believers`, counting the camp's users only",
        value: |c| c.believers,
    },
];

/// The column of [`TIMESERIES`] named `name`.
pub fn column(name: &str) -> Option<&'static Column> {
    TIMESERIES.iter().find(|c| c.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked by hand: 10 believers and 6 corrected with a residual of 0.5 weigh as 13;
    /// with 0, the believers.
    #[test]
    fn belief_index_weighs_the_corrected() {
        let r = StepRecord {
            believers: 10,
            corrected: 6,
            ..StepRecord::default()
        };
        assert_eq!(belief_index(&r, 0.5), 13.0);
        assert_eq!(belief_index(&r, 0.0), 10.0);
        assert_eq!(format!("{}", belief_index(&r, 0.0)), "10");
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = TIMESERIES.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TIMESERIES.len(), "duplicate timeseries column");
    }

    /// Every field of a record is a column of the same name that reads that field, so
    /// a field added to `StepRecord` without a column, or an accessor pointing at the
    /// wrong field, fails here.
    #[test]
    fn every_record_field_is_its_own_column() {
        // Distinct values, so an accessor reading the wrong field shows.
        let r = StepRecord {
            step: 1,
            reached: 2,
            read: 3,
            unaware: 4,
            exposed: 5,
            rejecters: 6,
            believers: 7,
            immune: 8,
            corrected: 9,
            spreaders: 10,
            stiflers: 11,
            new_reached: 12,
            deliveries: 13,
            posts: 14,
            max_hops: 15,
            correction_reached: 16,
            correction_read: 17,
            public_posts: 18,
            public_reach: 19,
            press: 20,
            crisis: 21,
            copies_unseen: 22,
            posts_original: 23,
            posts_forwarded: 24,
            posts_labelled: 25,
            share_actions: 26,
        };
        let fields = serde_json::to_value(r).unwrap();
        let fields = fields.as_object().unwrap();
        for (name, v) in fields {
            let col = column(name).unwrap_or_else(|| panic!("no column for field {name}"));
            assert_eq!(col.count(&r), v.as_u64(), "column {name}");
        }
        let counted = TIMESERIES.iter().filter(|c| c.count(&r).is_some()).count();
        assert_eq!(
            counted,
            fields.len(),
            "a count column reads no record field"
        );
        let c = CampCounts {
            reached: 1,
            believers: 2,
        };
        let camp: Vec<u64> = CAMP_COLUMNS.iter().map(|k| (k.value)(&c)).collect();
        assert_eq!(camp, [1, 2]);
    }
}
