//! `grapevine validate --quick`: the engine against theory, as `cargo test` runs it.

use crate::util::Harness;

#[test]
fn quick_validation_passes_and_prints_the_table() {
    let h = Harness::new();
    let out = h
        .cmd()
        .args(["validate", "--quick", "--quiet", "--csv", "validation.csv"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "validation failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for case in [
        "percolation: large-outbreak size",
        "well-mixed SIR",
        "Maki-Thompson",
        "structural virality",
        "determinism",
    ] {
        assert!(stdout.contains(case), "missing case {case}:\n{stdout}");
    }
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    let csv = std::fs::read_to_string(h.join("validation.csv")).unwrap();
    assert!(
        csv.starts_with("case,parameters,theory,mean,se,allowance,z,runs,pass"),
        "{csv}"
    );
}
