//! Shared fixtures for the benchmarks: scenarios of a given size, built the same way
//! in every bench so figures are comparable.

use grapevine::scenario::Scenario;

/// The baseline-like synthetic population (WhatsApp-like chat mix, one rumor seeded
/// into five political groups) with `users` users and a `horizon`.
pub fn synthetic(users: u64, horizon: &str) -> Scenario {
    let text = format!(
        r#"
        [simulation]
        seed = 7
        horizon = "{horizon}"
        replicates = 1
        [population]
        users = {users}
        camps = [{{ name = "a", share = 0.5 }}, {{ name = "b", share = 0.5 }}]
        [rumor]
        appeal = 0.3
        target_camp = "a"
        [sharing]
        believer = 0.2
        [[seeds]]
        chats = 5
        kind = "political"
        camp = "b"
        "#
    );
    Scenario::from_toml_str(&text, "bench").expect("bench scenario")
}

/// Bond percolation on an Erdos-Renyi graph of `users` nodes and mean degree `c`, with
/// the behaviour mechanisms that would break the mapping (exposure by sources, limited
/// attention) switched off, as in `scenarios/validation/percolation-er.toml`.
pub fn percolation(users: u64, c: f64, t: f64) -> Scenario {
    let text = format!(
        r#"
        [simulation]
        seed = 3
        horizon = "30d"
        replicates = 1
        [population]
        users = {users}
        network = {{ model = "erdos-renyi", mean_degree = {c} }}
        activity = {{ dist = "constant", value = 1.0 }}
        fanout = {{ dist = "all" }}
        rhythm = "flat"
        [platform]
        forward_limit = "unlimited"
        labelled_forward_limit = "unlimited"
        label_hops = 0
        [belief]
        model = "constant"
        probability = {t}
        exposure = "copies"
        [attention]
        enabled = false
        [sharing]
        believer = 1.0
        rejecter = 0.0
        delay = "0m"
        stifling = 0.0
        [[seeds]]
        users = 10
        "#
    );
    Scenario::from_toml_str(&text, "bench").expect("bench scenario")
}

/// Group delivery: `users` users in political groups only (median 120 members, up to
/// 256), nobody reads (activity 0), and `posters` seed users who each post into all of
/// their groups at the first step. That step is almost only delivery: copies to every
/// member, their state checked, copies sorted and filed.
pub fn group_delivery(users: u64, posters: u64) -> Scenario {
    let text = format!(
        r#"
        [simulation]
        seed = 5
        horizon = "1h"
        replicates = 1
        [population]
        users = {users}
        activity = {{ dist = "constant", value = 0.0 }}
        fanout = {{ dist = "all" }}
        [population.chats.political]
        per_user = 1.0
        [platform]
        forward_limit = "unlimited"
        [[seeds]]
        users = {posters}
        "#
    );
    Scenario::from_toml_str(&text, "bench").expect("bench scenario")
}
