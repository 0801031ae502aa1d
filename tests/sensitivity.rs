//! Sensitivity designs used the way the sweep machinery will use them: rows computed
//! one at a time on different shards, outputs arriving in any order and gathered by
//! row id, then analysed; and the dump that `scripts/crosscheck-sensitivity.sh` feeds
//! to SALib (an ignored test, run only by that script).

use grapevine::sensitivity::functions::Ishigami;
use grapevine::sensitivity::morris::MorrisDesign;
use grapevine::sensitivity::sobol::{SobolBase, SobolDesign};
use grapevine::sensitivity::Bootstrap;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Outputs computed by `shards` workers, each taking the rows `row % shards == s` in
/// reverse order and computing its points alone, then gathered by row id.
fn sharded_outputs(rows: usize, shards: usize, point: impl Fn(usize) -> Vec<f64>) -> Vec<f64> {
    let f = Ishigami::STANDARD;
    let mut arrived: Vec<(usize, f64)> = Vec::new();
    for s in 0..shards {
        for row in (0..rows).rev().filter(|r| r % shards == s) {
            arrived.push((row, f.at_unit(&point(row))));
        }
    }
    let mut outputs = vec![f64::NAN; rows];
    for (row, y) in arrived {
        outputs[row] = y;
    }
    outputs
}

#[test]
fn sharded_rows_give_the_same_indices_as_one_pass() {
    let f = Ishigami::STANDARD;
    let boot = Bootstrap {
        resamples: 100,
        ..Bootstrap::default()
    };
    for base in [SobolBase::Sequence, SobolBase::Uniform] {
        let d = SobolDesign::new(3, 512, 17, base).unwrap();
        let one: Vec<f64> = d.points().iter().map(|p| f.at_unit(p)).collect();
        let sharded = sharded_outputs(d.rows(), 3, |r| d.point(r).unwrap());
        assert_eq!(one, sharded);
        assert_eq!(
            d.analyse(&one, boot).unwrap(),
            d.analyse(&sharded, boot).unwrap()
        );
    }
    let m = MorrisDesign::new(3, 20, 4, 17).unwrap();
    let one: Vec<f64> = m.points().iter().map(|p| f.at_unit(p)).collect();
    let sharded = sharded_outputs(m.rows(), 4, |r| m.point(r).unwrap());
    assert_eq!(one, sharded);
    assert_eq!(
        m.analyse(&one, boot).unwrap(),
        m.analyse(&sharded, boot).unwrap()
    );
}

/// Writes the Ishigami designs, Grapevine's outputs and its estimates as CSV into
/// `$GRAPEVINE_SENSITIVITY_DUMP` (sizes from `$SOBOL_N`, `$MORRIS_R`, `$MORRIS_LEVELS`,
/// `$RESAMPLES`), for `scripts/crosscheck-sensitivity.sh`.
#[test]
#[ignore = "run by scripts/crosscheck-sensitivity.sh"]
fn dump_ishigami_estimates_for_salib() {
    let dir = PathBuf::from(
        std::env::var("GRAPEVINE_SENSITIVITY_DUMP").expect("set GRAPEVINE_SENSITIVITY_DUMP"),
    );
    let env = |name: &str, default: usize| -> usize {
        std::env::var(name).map_or(default, |v| v.parse().expect(name))
    };
    let (n, r, levels, resamples) = (
        env("SOBOL_N", 1024),
        env("MORRIS_R", 100),
        env("MORRIS_LEVELS", 4),
        env("RESAMPLES", 1000),
    );
    std::fs::create_dir_all(&dir).unwrap();
    let f = Ishigami::STANDARD;
    let boot = Bootstrap {
        resamples,
        ..Bootstrap::default()
    };

    let design = |points: &[Vec<f64>], y: &[f64]| -> String {
        let mut s = String::from("row,u1,u2,u3,y\n");
        for (i, (p, y)) in points.iter().zip(y).enumerate() {
            writeln!(s, "{i},{},{},{},{y}", p[0], p[1], p[2]).unwrap();
        }
        s
    };

    let sobol = SobolDesign::new(3, n, 2024, SobolBase::Sequence).unwrap();
    let points = sobol.points();
    let y: Vec<f64> = points.iter().map(|p| f.at_unit(p)).collect();
    std::fs::write(dir.join("sobol_design.csv"), design(&points, &y)).unwrap();
    let s = sobol.analyse(&y, boot).unwrap();
    let mut out = String::from("parameter,S1,S1_se,S1_lo,S1_hi,ST,ST_se,ST_lo,ST_hi\n");
    for ix in &s.indices {
        let (a, b) = (ix.first, ix.total);
        writeln!(
            out,
            "x{},{},{},{},{},{},{},{},{}",
            ix.parameter + 1,
            a.value,
            a.std_error,
            a.interval.lower,
            a.interval.upper,
            b.value,
            b.std_error,
            b.interval.lower,
            b.interval.upper
        )
        .unwrap();
    }
    std::fs::write(dir.join("sobol_rust.csv"), out).unwrap();

    let morris = MorrisDesign::new(3, r, levels, 2024).unwrap();
    let points = morris.points();
    let y: Vec<f64> = points.iter().map(|p| f.at_unit(p)).collect();
    std::fs::write(dir.join("morris_design.csv"), design(&points, &y)).unwrap();
    let m = morris.analyse(&y, boot).unwrap();
    let mut out = String::from("parameter,mu,mu_star,mu_star_se,mu_star_lo,mu_star_hi,sigma\n");
    for e in &m.effects {
        writeln!(
            out,
            "x{},{},{},{},{},{},{}",
            e.parameter + 1,
            e.mu,
            e.mu_star.value,
            e.mu_star.std_error,
            e.mu_star.interval.lower,
            e.mu_star.interval.upper,
            e.sigma
        )
        .unwrap();
    }
    std::fs::write(dir.join("morris_rust.csv"), out).unwrap();
}
