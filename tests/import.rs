//! Imported populations through the binary: the generate -> import round trip, edge
//! lists with self-loops and duplicates, and bad rows in each kind of file.

use crate::util::{assert_no_panic, assert_success, Harness, ScenarioBuilder};

/// The tiny scenario importing its population from tables instead of generating it:
/// every other setting (activity, rhythm, chat kinds' weights...) stays.
fn importing(text: &str, tables: &str) -> String {
    let users = text.lines().find(|l| l.starts_with("users = ")).unwrap();
    text.replace(users, tables.trim_end())
}

#[test]
fn generated_population_imports_back_to_identical_results() {
    let h = Harness::new();
    let text = ScenarioBuilder::tiny("orig").toml();
    h.write("orig.toml", &text);
    let out = h
        .cmd()
        .args(["generate", "orig.toml", "--out", "pop", "--quiet"])
        .output()
        .unwrap();
    assert_success(&out);
    for f in ["members.csv", "chats.csv", "users.csv"] {
        assert!(h.join("pop").join(f).is_file(), "{f}");
    }
    let tables = "members = \"pop/members.csv\"\nchat_table = \"pop/chats.csv\"\nuser_table = \"pop/users.csv\"\n";
    let imported = importing(&text, tables).replace("name = \"orig\"", "name = \"copy\"");
    // Seeds in political chats need the kind, which the chat table carries.
    h.write("copy.toml", imported);
    h.run_ok("orig.toml", "a", &["--cascade"]);
    h.run_ok("copy.toml", "b", &["--cascade"]);
    assert_eq!(h.read("a/timeseries.csv"), h.read("b/timeseries.csv"));
    assert_eq!(h.read("a/bands.csv"), h.read("b/bands.csv"));
    assert_eq!(h.read("a/cascade.csv"), h.read("b/cascade.csv"));
}

#[test]
fn edge_lists_drop_self_loops_and_duplicates_and_report_them() {
    let h = Harness::new();
    h.write(
        "g.csv",
        "source,target\nann,bob\nbob,ann\ncat,cat\nbob,cat\ndan,ann\nann,bob\n",
    );
    let text = "[simulation]\nhorizon = \"6h\"\nreplicates = 2\n[population]\nedges = \"g.csv\"\nfanout = { dist = \"all\" }\n\
                [belief]\nmodel = \"constant\"\nprobability = 1.0\n[sharing]\nbeliever = 1.0\n[[seeds]]\nids = [\"ann\"]\n";
    h.write("e.toml", text);
    let out = h.run_ok("e.toml", "res", &["--cascade"]);
    assert!(out.status.success());
    let summary: serde_json::Value = serde_json::from_str(&h.read("res/summary.json")).unwrap();
    assert_eq!(summary["users"], 4);
    assert_eq!(summary["chats"], 3, "ann-bob, bob-cat, dan-ann");
    assert_eq!(summary["import"]["self_loops_dropped"], 1);
    assert_eq!(summary["import"]["duplicates_dropped"], 2);
    let cascade = h.read("res/cascade.csv");
    // Text user ids: a seed's parent is empty; chats are numbered, so its chat is -1.
    assert!(
        cascade.lines().any(|l| l.starts_with("0,ann,,0,0,-1,1,")),
        "{cascade}"
    );
    assert!(
        cascade.lines().any(|l| l.starts_with("0,bob,ann,0,")),
        "{cascade}"
    );
}

fn assert_bad_row(h: &Harness, scenario: &str, file: &str, line: u32) {
    let out = h
        .cmd()
        .args(["run", scenario, "--out", "res", "--quiet"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{file}:{line}")),
        "expected {file}:{line} in: {stderr}"
    );
    assert_no_panic(&stderr);
    assert!(!h.join("res").exists(), "the run must not start");
}

#[test]
fn a_bad_row_in_each_kind_of_file_is_reported_with_file_and_line() {
    let h = Harness::new();
    let seeds = "[[seeds]]\nusers = 1\n";
    h.write("edges.csv", "1,2\n2,3\n3\n");
    h.write(
        "edges.toml",
        format!("[population]\nedges = \"edges.csv\"\n{seeds}"),
    );
    assert_bad_row(&h, "edges.toml", "edges.csv", 3);

    h.write("m.csv", "chat,user\ng1,a\ng1,b\n,c\n");
    h.write(
        "members.toml",
        format!("[population]\nmembers = \"m.csv\"\n{seeds}"),
    );
    assert_bad_row(&h, "members.toml", "m.csv", 4);

    h.write("m2.csv", "chat,user\ng1,a\ng1,b\n");
    h.write("c.csv", "chat,kind,trust\ng1,family,1.7\n");
    h.write(
        "chats.toml",
        format!("[population]\nmembers = \"m2.csv\"\nchat_table = \"c.csv\"\n{seeds}"),
    );
    assert_bad_row(&h, "chats.toml", "c.csv", 2);

    h.write("u.csv", "user,skepticism\na,0.5\nb,high\n");
    h.write(
        "users.toml",
        format!("[population]\nmembers = \"m2.csv\"\nuser_table = \"u.csv\"\n{seeds}"),
    );
    assert_bad_row(&h, "users.toml", "u.csv", 3);
}

#[test]
fn a_missing_population_file_is_named() {
    let h = Harness::new();
    h.write("s.toml", "[population]\nedges = \"nowhere.csv\"\n");
    let out = h
        .cmd()
        .args(["run", "s.toml", "--out", "res", "--quiet"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("nowhere.csv"), "{stderr}");
    assert_no_panic(&stderr);
}
