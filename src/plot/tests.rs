//! Tests of the chart module as a whole: files appear complete and only under their
//! final names, and no input, however degenerate, makes drawing panic.

use std::fs;
use std::path::{Path, PathBuf};

use super::*;
use crate::error::OutputError;

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

fn series(label: &str, x: Vec<f64>, median: Vec<f64>) -> Series {
    Series {
        label: label.into(),
        x,
        median,
        band: None,
    }
}

fn with_band(mut s: Series, spread: f64) -> Series {
    let lo = s
        .median
        .iter()
        .map(|m| (m * (1.0 - spread)).max(0.0))
        .collect();
    let hi = s.median.iter().map(|m| m * (1.0 + spread)).collect();
    s.band = Some((lo, hi));
    s
}

fn chart(panels: Vec<Panel>) -> TimeChart {
    TimeChart {
        title: "Believers over time".into(),
        subtitle: Some("median and 5-95% band over 20 replicates".into()),
        x_label: "Time (days)".into(),
        panels,
        markers: vec![Marker {
            x: 12.0,
            label: "Fact-check".into(),
        }],
        spans: vec![Span {
            x0: 20.0,
            x1: 28.0,
            label: "Press coverage".into(),
        }],
        x_ticks: Vec::new(),
    }
}

fn panel(series: Vec<Series>) -> Panel {
    Panel {
        y_label: "Believers (% of users)".into(),
        series,
        log_y: false,
    }
}

/// A chart like the ones the output stage makes: three scenarios over 60 days.
fn sample_chart() -> TimeChart {
    let days: Vec<f64> = (0..=60).map(f64::from).collect();
    let logistic = |k: f64, top: f64| -> Vec<f64> {
        days.iter()
            .map(|&d| top / (1.0 + (-(d - 22.0) * k).exp()))
            .collect()
    };
    let mut c = chart(vec![panel(vec![
        with_band(
            series("No intervention", days.clone(), logistic(0.25, 42.0)),
            0.25,
        ),
        with_band(
            series("Fact-check on day 12", days.clone(), logistic(0.2, 27.0)),
            0.3,
        ),
        with_band(
            series("Forwarding limit", days.clone(), logistic(0.15, 15.0)),
            0.35,
        ),
    ])]);
    c.title = "Share of users who believe the rumour".into();
    c.markers.push(Marker {
        x: 45.0,
        label: "Election day".into(),
    });
    c
}

fn sample_heatmap() -> Heatmap {
    let limits = [1, 2, 5, 10, 20, 50, 256];
    let trust = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
    Heatmap {
        title: "Peak share of believers by forwarding limit and trust".into(),
        x_label: "Forwarding limit (chats per message)".into(),
        y_label: "Trust in family chats".into(),
        value_label: "Peak believers (% of users)".into(),
        x_values: limits.iter().map(|l| l.to_string()).collect(),
        y_values: trust.iter().map(|t| format!("{t:.1}")).collect(),
        values: trust
            .iter()
            .map(|t| {
                limits
                    .iter()
                    .map(|&l| {
                        if l == 2 && *t == 0.3 {
                            f64::NAN
                        } else {
                            60.0 * t * (f64::from(l).ln() + 1.0) / (256f64.ln() + 1.0)
                        }
                    })
                    .collect()
            })
            .collect(),
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Both files exist, are complete, and nothing else (no temporary file) is left.
fn assert_written(dir: &Path, stem: &str, paths: &[PathBuf; 2]) {
    assert_eq!(paths[0], dir.join(format!("{stem}.png")));
    assert_eq!(paths[1], dir.join(format!("{stem}.svg")));
    let png = fs::read(&paths[0]).unwrap();
    assert!(png.starts_with(PNG_SIGNATURE), "not a PNG");
    assert!(png.len() > 1000);
    let svg = fs::read_to_string(&paths[1]).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    let leftovers: Vec<String> = names(dir)
        .into_iter()
        .filter(|n| n.starts_with('.') || n.contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}

fn draw_ok(c: &TimeChart) {
    let dir = tempfile::tempdir().unwrap();
    let paths = draw_time_chart(c, dir.path(), "chart").unwrap();
    assert_written(dir.path(), "chart", &paths);
}

#[test]
fn time_chart_writes_png_and_svg_with_title() {
    let dir = tempfile::tempdir().unwrap();
    let c = sample_chart();
    let paths = draw_time_chart(&c, dir.path(), "believers").unwrap();
    assert_written(dir.path(), "believers", &paths);
    assert_eq!(names(dir.path()), ["believers.png", "believers.svg"]);
    let svg = fs::read_to_string(&paths[1]).unwrap();
    for text in [
        "Share of users who believe the rumour",
        "median and 5-95% band over 20 replicates",
        "Time (days)",
        "Believers (% of users)",
        "Fact-check on day 12",
        "Election day",
        "Press coverage",
    ] {
        assert!(svg.contains(text), "SVG lacks {text:?}");
    }
}

#[test]
fn existing_files_are_replaced() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("c.png"), b"old").unwrap();
    fs::write(dir.path().join("c.svg"), b"old").unwrap();
    let paths = draw_time_chart(&sample_chart(), dir.path(), "c").unwrap();
    assert_written(dir.path(), "c", &paths);
}

#[test]
fn svg_escapes_markup_in_labels() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = sample_chart();
    c.title = "Rumours <&> replies".into();
    let paths = draw_time_chart(&c, dir.path(), "c").unwrap();
    let svg = fs::read_to_string(&paths[1]).unwrap();
    assert!(svg.contains("Rumours &lt;&amp;&gt; replies"));
}

#[test]
fn degenerate_time_charts_do_not_panic() {
    let nan = f64::NAN;
    let cases: Vec<(&str, TimeChart)> = vec![
        ("no panels", chart(vec![])),
        ("no series", chart(vec![panel(vec![])])),
        (
            "empty series",
            chart(vec![panel(vec![series("a", vec![], vec![])])]),
        ),
        (
            "single point",
            chart(vec![panel(vec![series("a", vec![3.0], vec![7.0])])]),
        ),
        (
            "single point with band",
            chart(vec![panel(vec![with_band(
                series("a", vec![3.0], vec![7.0]),
                0.5,
            )])]),
        ),
        (
            "all zero",
            chart(vec![panel(vec![with_band(
                series("a", vec![0.0, 1.0, 2.0], vec![0.0; 3]),
                0.5,
            )])]),
        ),
        (
            "zero-width x",
            chart(vec![panel(vec![series(
                "a",
                vec![5.0, 5.0, 5.0],
                vec![1.0, 2.0, 3.0],
            )])]),
        ),
        (
            "NaN everywhere",
            chart(vec![panel(vec![with_band(
                series("a", vec![nan, nan], vec![nan, nan]),
                0.1,
            )])]),
        ),
        (
            "NaN gaps and infinities",
            chart(vec![panel(vec![Series {
                label: "a".into(),
                x: vec![0.0, 1.0, nan, 3.0, 4.0, 5.0, f64::INFINITY],
                median: vec![1.0, nan, 2.0, 3.0, f64::NEG_INFINITY, 5.0, 1.0],
                band: Some((
                    vec![0.5, 0.5, nan, 2.0, 3.0, nan, 0.0],
                    vec![1.5, 1.5, 2.0, nan, 5.0, 6.0, 2.0],
                )),
            }])]),
        ),
        (
            "negative values",
            chart(vec![panel(vec![series(
                "a",
                vec![0.0, 1.0, 2.0],
                vec![-3.0, -1.0, -2.0],
            )])]),
        ),
        (
            "absurd magnitudes",
            chart(vec![panel(vec![series(
                "a",
                vec![0.0, 1e300, 2.0],
                vec![1e-300, 1e200, 5.0],
            )])]),
        ),
        (
            "tiny x range",
            chart(vec![panel(vec![series(
                "a",
                vec![1e6, 1e6 + 1e-7],
                vec![1.0, 2.0],
            )])]),
        ),
        (
            "log with zeros and negatives",
            chart(vec![Panel {
                y_label: "New shares per day".into(),
                series: vec![with_band(
                    series("a", vec![0.0, 1.0, 2.0, 3.0], vec![0.0, -1.0, 10.0, 1000.0]),
                    1.0,
                )],
                log_y: true,
            }]),
        ),
        (
            "log with nothing positive",
            chart(vec![Panel {
                y_label: "y".into(),
                series: vec![series("a", vec![0.0, 1.0], vec![0.0, -5.0])],
                log_y: true,
            }]),
        ),
    ];
    for (name, c) in cases {
        let result = std::panic::catch_unwind(|| draw_ok(&c));
        assert!(result.is_ok(), "case {name:?} failed");
    }
}

/// Everything at once: a title too long for the canvas, a dozen markers in one place,
/// markers and spans outside the data, more series than colours.
fn crowded_chart() -> TimeChart {
    let mut c = sample_chart();
    c.title = "A very long title ".repeat(30);
    c.subtitle = Some(String::new());
    c.x_label = String::new();
    c.markers = (0..12)
        .map(|i| Marker {
            x: 30.0 + f64::from(i % 3) * 0.1,
            label: format!("Event number {i}"),
        })
        .chain([
            Marker {
                x: f64::NAN,
                label: "nowhere".into(),
            },
            Marker {
                x: 1e9,
                label: "far future".into(),
            },
            Marker {
                x: 60.0,
                label: "At the right edge with a long label".into(),
            },
            Marker {
                x: 10.0,
                label: String::new(),
            },
        ])
        .collect();
    c.spans = vec![
        Span {
            x0: 50.0,
            x1: 40.0,
            label: "reversed".into(),
        },
        Span {
            x0: -10.0,
            x1: 5.0,
            label: "starts before the data".into(),
        },
        Span {
            x0: 100.0,
            x1: 200.0,
            label: "outside".into(),
        },
        Span {
            x0: 7.0,
            x1: 7.0,
            label: "empty span".into(),
        },
    ];
    c.panels[0]
        .series
        .push(series("", vec![0.0, 60.0], vec![1.0, 1.0]));
    c.panels[0]
        .series
        .extend((0..9).map(|i| series(&format!("s{i}"), vec![0.0, 60.0], vec![f64::from(i), 2.0])));
    c
}

#[test]
fn awkward_annotations_and_labels_do_not_panic() {
    draw_ok(&crowded_chart());
}

#[test]
fn several_panels_share_one_chart() {
    let mut c = sample_chart();
    let mut daily = c.panels[0].clone();
    daily.log_y = true;
    daily.y_label = "New shares per day".into();
    c.panels.push(daily);
    c.panels.push(panel(vec![]));
    let dir = tempfile::tempdir().unwrap();
    let paths = draw_time_chart(&c, dir.path(), "multi").unwrap();
    assert_written(dir.path(), "multi", &paths);
    let svg = fs::read_to_string(&paths[1]).unwrap();
    assert!(
        svg.contains(r#"height="1740""#),
        "three panels make a taller chart"
    );

    c.panels = vec![panel(vec![]); MAX_PANELS];
    draw_ok(&c);
}

#[test]
fn bad_input_is_an_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mismatched = chart(vec![panel(vec![series("a", vec![0.0, 1.0], vec![1.0])])]);
    let mut bad_band = chart(vec![panel(vec![series(
        "a",
        vec![0.0, 1.0],
        vec![1.0, 2.0],
    )])]);
    bad_band.panels[0].series[0].band = Some((vec![0.0], vec![1.0, 2.0]));
    let too_many = chart(vec![panel(vec![]); MAX_PANELS + 1]);
    for c in [mismatched, bad_band, too_many] {
        match draw_time_chart(&c, dir.path(), "bad") {
            Err(OutputError::Plot { path, message }) => {
                assert_eq!(path, dir.path().join("bad.png"));
                assert!(!message.is_empty());
            }
            other => panic!("expected a plot error, got {other:?}"),
        }
    }
    for stem in ["", "a/b", "..", ".hidden"] {
        assert!(matches!(
            draw_time_chart(&sample_chart(), dir.path(), stem),
            Err(OutputError::Plot { .. })
        ));
    }
    assert!(names(dir.path()).is_empty());

    let missing = dir.path().join("no-such-folder");
    assert!(matches!(
        draw_time_chart(&sample_chart(), &missing, "c"),
        Err(OutputError::Io { .. })
    ));
    assert!(matches!(
        draw_heatmap(&sample_heatmap(), &missing, "h"),
        Err(OutputError::Io { .. })
    ));
}

#[test]
fn heatmap_writes_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let h = sample_heatmap();
    let paths = draw_heatmap(&h, dir.path(), "sweep").unwrap();
    assert_written(dir.path(), "sweep", &paths);
    assert_eq!(names(dir.path()), ["sweep.png", "sweep.svg"]);
    let svg = fs::read_to_string(&paths[1]).unwrap();
    let texts = [&h.title, &h.x_label, &h.y_label, &h.value_label];
    for text in texts.iter().map(|s| s.as_str()).chain(["no data", "256"]) {
        assert!(svg.contains(text), "SVG lacks {text:?}");
    }
}

#[test]
fn degenerate_heatmaps_do_not_panic() {
    let base = sample_heatmap();
    let grid = |nx: usize, ny: usize, f: &dyn Fn(usize, usize) -> f64| Heatmap {
        x_values: (0..nx).map(|i| format!("{}", i * 7)).collect(),
        y_values: (0..ny).map(|j| format!("value {j}")).collect(),
        values: (0..ny)
            .map(|j| (0..nx).map(|i| f(i, j)).collect())
            .collect(),
        ..base.clone()
    };
    let cases = vec![
        ("empty", grid(0, 0, &|_, _| 0.0)),
        ("no columns", grid(0, 3, &|_, _| 0.0)),
        ("single cell", grid(1, 1, &|_, _| 4.2)),
        ("constant", grid(4, 3, &|_, _| 0.0)),
        ("all missing", grid(3, 3, &|_, _| f64::NAN)),
        (
            "infinities",
            grid(3, 2, &|i, _| if i == 1 { f64::INFINITY } else { 1.0 }),
        ),
        ("many cells", grid(150, 120, &|i, j| (i * j) as f64)),
        (
            "long labels",
            Heatmap {
                x_values: vec!["a rather long parameter value name".repeat(3); 5],
                y_values: vec!["another long one".repeat(4); 2],
                values: vec![vec![1.0; 5]; 2],
                ..base.clone()
            },
        ),
    ];
    for (name, h) in cases {
        let result = std::panic::catch_unwind(|| {
            let dir = tempfile::tempdir().unwrap();
            let paths = draw_heatmap(&h, dir.path(), "h").unwrap();
            assert_written(dir.path(), "h", &paths);
        });
        assert!(result.is_ok(), "case {name:?} failed");
    }
}

#[test]
fn malformed_heatmaps_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut ragged = sample_heatmap();
    ragged.values[2].pop();
    let mut short = sample_heatmap();
    short.values.pop();
    let mut huge = sample_heatmap();
    huge.x_values = vec!["x".into(); 1000];
    for h in [ragged, short, huge] {
        assert!(matches!(
            draw_heatmap(&h, dir.path(), "h"),
            Err(OutputError::Plot { .. })
        ));
    }
    assert!(names(dir.path()).is_empty());
}

#[test]
fn palette_has_sixteen_distinct_colours_and_wraps() {
    let colours: Vec<_> = (0..16).map(palette).collect();
    for (i, a) in colours.iter().enumerate() {
        for b in &colours[i + 1..] {
            assert_ne!(a, b);
        }
    }
    assert_eq!(palette(16), palette(0));
    assert_eq!(palette(21), palette(5));
}

#[test]
#[ignore = "writes preview images to target/plot-preview for a human to look at"]
fn preview() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/plot-preview");
    fs::create_dir_all(&dir).unwrap();
    let c = sample_chart();
    draw_time_chart(&c, &dir, "time").unwrap();

    let mut two = c.clone();
    let mut daily = two.panels[0].clone();
    daily.y_label = "New shares per day".into();
    daily.log_y = true;
    for s in &mut daily.series {
        let per_day = |v: &Vec<f64>| -> Vec<f64> {
            let mut out = vec![0.0];
            out.extend(v.windows(2).map(|w| (w[1] - w[0]) * 500.0));
            out
        };
        s.median = per_day(&s.median);
        if let Some((lo, hi)) = &s.band {
            s.band = Some((per_day(lo), per_day(hi)));
        }
    }
    two.panels.push(daily);
    draw_time_chart(&two, &dir, "two_panels").unwrap();

    draw_heatmap(&sample_heatmap(), &dir, "heatmap").unwrap();
    let single = chart(vec![panel(vec![with_band(
        series("only", vec![3.0], vec![7.0]),
        0.3,
    )])]);
    draw_time_chart(&single, &dir, "single_point").unwrap();
    draw_time_chart(&chart(vec![]), &dir, "empty").unwrap();
    draw_time_chart(&crowded_chart(), &dir, "crowded").unwrap();
    let dense = Heatmap {
        x_values: (0..40)
            .map(|i| format!("{:.2}", f64::from(i) * 0.025))
            .collect(),
        y_values: (0..30).map(|j| format!("{} chats", j * 10)).collect(),
        values: (0..30)
            .map(|j| (0..40).map(|i| f64::from(i * j) * 12.5).collect())
            .collect(),
        ..sample_heatmap()
    };
    draw_heatmap(&dense, &dir, "heatmap_dense").unwrap();
}
