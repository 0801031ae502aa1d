//! Spill-over from private chats to public, press and crisis: the stage logic and the
//! reputation case's response, through the library.

use grapevine::engine::RunOutput;
use grapevine::population::generate;
use grapevine::scenario::Scenario;
use grapevine::simulation;

/// A small brand-complaint world: one friends' group seeded, a near-critical public.
const COMPLAINT: &str = r#"
    [simulation]
    seed = 77
    horizon = "4d"
    replicates = 24
    [population]
    users = 4000
    [population.chats.friends]
    per_user = 2.0
    [population.chats.family]
    [population.chats.direct]
    per_user = 5
    [rumor]
    appeal = 0.5
    [sharing]
    believer = 0.3
    delay = "1h"
    [[seeds]]
    chats = 1
    kind = "friends"
    [public]
    share = 0.4
    post_rate = 0.1
    branching_ratio = 0.9
    feedback = 0.05
    [public.press]
    threshold = 40
    pickup_rate = 0.5
    [public.crisis]
    threshold = 80
    duration = "12h"
"#;

fn run(text: &str) -> (Scenario, Vec<RunOutput>) {
    let scn = Scenario::from_toml_str(text, "t").unwrap();
    let pop = generate(&scn);
    let runs = simulation::simulate(&pop, &scn, scn.simulation.replicates, 2, &|| {}).runs;
    (scn, runs)
}

#[test]
fn no_public_presence_means_no_public_posts_ever() {
    let (_, runs) = run(&COMPLAINT.replace("share = 0.4", "share = 0.0"));
    for r in &runs {
        assert!(r
            .records
            .iter()
            .all(|x| x.public_posts == 0 && x.public_reach == 0 && x.press == 0 && x.crisis == 0));
        assert_eq!(r.stages.first_public_post, None);
    }
    // Without a [public] section at all, likewise.
    let without = COMPLAINT.split("[public]").next().unwrap();
    let (_, runs) = run(without);
    assert!(runs
        .iter()
        .all(|r| r.records.iter().all(|x| x.public_posts == 0)));
}

#[test]
fn the_stages_happen_and_crisis_never_precedes_press() {
    let (_, runs) = run(COMPLAINT);
    let pressed = runs.iter().filter(|r| r.stages.press.is_some()).count();
    let crises = runs.iter().filter(|r| r.stages.crisis.is_some()).count();
    assert!(
        pressed > 0 && crises > 0,
        "press {pressed}, crisis {crises} of {}",
        runs.len()
    );
    for r in &runs {
        if let Some(c) = r.stages.crisis {
            let p = r.stages.press.expect("a crisis needs press coverage");
            assert!(p <= c, "crisis at {c} before press at {p}");
            assert!(
                r.records[c as usize].press == 1,
                "coverage ongoing when the crisis is declared"
            );
        }
        if let Some(p) = r.stages.press {
            let first = r
                .stages
                .first_public_post
                .expect("press needs public posts");
            assert!(first <= p);
        }
        for w in r.records.windows(2) {
            assert!(w[1].crisis >= w[0].crisis, "a crisis, once declared, stays");
            assert!(w[1].public_reach >= w[0].public_reach);
        }
    }
}

#[test]
fn response_at_time_zero_keeps_the_complaint_in_the_source_chats() {
    // Without limited attention every reader of the complaint also reads the answer
    // posted beside it; with it, a reader may see one and skim past the other.
    let text = format!(
        "{COMPLAINT}\n[attention]\nenabled = false\n[[interventions]]\nkind = \"response\"\nat = \"0h\"\n"
    );
    let (scn, runs) = run(&text);
    let pop = generate(&scn);
    for r in &runs {
        let roots: Vec<u32> = r
            .cascade
            .iter()
            .filter(|e| e.parent.is_none())
            .map(|e| e.user)
            .collect();
        assert_eq!(roots.len(), 1, "only the complaint's source is a root");
        let source = roots[0];
        let source_chats = pop.user_chats.row(source as usize);
        for e in r.cascade.iter().filter(|e| e.parent.is_some()) {
            assert_eq!(e.parent, Some(source), "nobody but the source passed it on");
            assert!(source_chats.contains(&e.chat.unwrap()));
            assert_eq!(e.hops, 0);
        }
        assert_eq!(
            r.records.last().unwrap().believers,
            1,
            "only the source still believes"
        );
        assert!(
            r.records.iter().all(|x| x.public_posts == 0),
            "the answered source does not go public"
        );
    }
}

#[test]
fn sooner_responses_make_a_crisis_less_likely() {
    let odds = |at: Option<&str>| {
        let text = match at {
            Some(t) => {
                format!("{COMPLAINT}\n[[interventions]]\nkind = \"response\"\nat = \"{t}\"\n")
            }
            None => COMPLAINT.to_string(),
        };
        let (_, runs) = run(&text);
        runs.iter().filter(|r| r.stages.press.is_some()).count()
    };
    let (early, never) = (odds(Some("1h")), odds(None));
    assert!(
        early < never,
        "press pickups: answered at 1h {early}, never {never}"
    );
}
