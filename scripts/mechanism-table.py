#!/usr/bin/env python3
"""Final reach and believers of shipped scenarios with the behaviour mechanisms of
docs/model.md (belief side: limited attention, repeated exposure, partisanship,
corrections by reader, effect sizes; sharing side: persistence under forward limits,
fading interest, the stance and label share factors) switched off, each switched on
alone, and all on (as shipped).

Usage:
    scripts/mechanism-table.py [GRAPEVINE [WORK_DIR]]

GRAPEVINE defaults to target/release/grapevine (`cargo build --release` first). For
each scenario (baseline, brazil-2018, brazil-2018/factcheck-6h because the correction
mechanism only acts when a correction circulates, and brazil-2018/limit-1 because
persistence only acts when a forward limit binds), at its shipped size and
default replicates, it writes these variants of the shipped file and runs them:

- `all off`: every mechanism switched off, and the values the scenario had before the
  mechanisms (legacy target camp, camp weight, label penalty, correction efficacy)
  restored: the model and file as they were before issue 12;
- one row per mechanism, switched on alone (with the shipped file's values for it);
- `all on`: the shipped file as it is.

It prints a Markdown table of the final reach share and final believers share (median
and 5-95% band across replicates, from summary.json), the belief index share, the
sharers and the forward actions (medians), with the grapevine version, commit and date. Python 3.11+ (tomllib), standard library only.
Every figure quoted about these variants comes from this script.
"""

import copy
import datetime
import json
import subprocess
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))
from scenario_toml import dump, merged  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = [
    "scenarios/baseline.toml",
    "scenarios/brazil-2018.toml",
    "scenarios/brazil-2018/factcheck-6h.toml",
    "scenarios/brazil-2018/limit-1.toml",
]

# What the scenario files said before issue 12, where they differ now (the camp the
# rumor attacked, with every other camp its ally; the camp weight; explicit label
# penalties and efficacies). Keyed by the scenario's name.
BEFORE = {
    "baseline": {
        ("rumor", "target_camp"): "left",
        ("belief", "camp_weight"): 1.0,
        ("belief", "label_penalty"): 0.5,
    },
    "brazil-2018": {
        ("rumor", "target_camp"): "left",
        ("belief", "camp_weight"): 2.0,
        ("correction", "efficacy"): 0.4,
    },
}
# Defaults the mechanisms changed, restored where a scenario leaves them to the default.
OLD_DEFAULTS = {
    ("belief", "camp_weight"): 1.0,
    ("belief", "label_penalty"): 0.5,
    ("correction", "efficacy"): 0.4,
}

# Each mechanism: the keys that switch it off, and the keys it owns (taken from the
# shipped file when it is on; a key the file does not set takes the engine's default).
MECHANISMS = {
    "limited attention": {
        "off": {("attention", "enabled"): False},
        "owns": [("attention",)],
    },
    "repeated exposure": {
        "off": {
            ("belief", "exposure"): "copies",
            ("belief", "rejecter_resistance"): 0.0,
            ("belief", "threshold"): 1,
        },
        "owns": [("belief", "exposure"), ("belief", "rejecter_resistance"), ("belief", "threshold")],
    },
    "partisanship (stance, camp weight)": {
        "off": {},
        "owns": [("rumor", "stance"), ("rumor", "target_camp"), ("belief", "camp_weight")],
    },
    "corrections by reader": {
        "off": {
            ("correction", "trust_weight"): 0.0,
            ("correction", "stance_factor"): {"for": 1.0, "indifferent": 1.0, "against": 1.0},
            ("correction", "residual"): 0.0,
        },
        "owns": [
            ("correction", "trust_weight"),
            ("correction", "stance_factor"),
            ("correction", "residual"),
            ("correction", "efficacy"),
        ],
    },
    "effect sizes (label penalty, prebunk effect)": {
        "off": {},
        "owns": [("belief", "label_penalty")],
    },
    "persistence under forward limits": {
        "off": {("sharing", "persistence"): "off"},
        "owns": [("sharing", "persistence")],
    },
    "fading interest": {
        "off": {("sharing", "novelty_half_life"): "off"},
        "owns": [("sharing", "novelty_half_life"), ("sharing", "novelty_exponent")],
    },
    "share factors (stance, label)": {
        "off": {
            ("sharing", "stance_factor"): {"for": 1.0, "indifferent": 1.0, "against": 1.0},
            ("sharing", "label_factor"): 1.0,
        },
        "owns": [("sharing", "stance_factor"), ("sharing", "label_factor")],
    },
}


def get(doc: dict, key: tuple):
    d = doc
    for k in key:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def put(doc: dict, key: tuple, value) -> None:
    d = doc
    for k in key[:-1]:
        d = d.setdefault(k, {})
    if value is None:
        d.pop(key[-1], None)
    else:
        d[key[-1]] = value


def variants(rel: str) -> list[tuple[str, dict]]:
    shipped = merged(REPO / rel)
    off = copy.deepcopy(shipped)
    for m in MECHANISMS.values():
        for key in m["owns"]:
            put(off, key, None)
        for key, v in m["off"].items():
            put(off, key, v)
    for key, v in OLD_DEFAULTS.items():
        put(off, key, v)
    for key, v in BEFORE.get(Path(rel).parent.name if rel.count("/") > 1 else Path(rel).stem, {}).items():
        put(off, key, v)
    out = [("all off", off)]
    for name, m in MECHANISMS.items():
        one = copy.deepcopy(off)
        for key in list(m["off"]) + m["owns"]:
            put(one, key, None)
        for key in m["owns"]:
            value = get(shipped, key)
            if value is not None:
                put(one, key, copy.deepcopy(value))
        # A key the shipped file leaves to the default takes the engine's default, not
        # the old one restored for "all off".
        for key in OLD_DEFAULTS:
            if key in m["owns"] and get(shipped, key) is None:
                put(one, key, None)
        out.append((name + " on", one))
    out.append(("all on (as shipped)", shipped))
    return out


def band(summary: dict, figure: str) -> tuple[float, float, float]:
    agg = summary["aggregate"]
    b = agg[figure] if isinstance(agg, dict) else dict(agg)[figure]
    return b["median"], b["p5"], b["p95"]


def main() -> int:
    binary = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "target/release/grapevine").resolve()
    work = Path(sys.argv[2] if len(sys.argv) > 2 else REPO / "output/mechanism-table").resolve()
    work.mkdir(parents=True, exist_ok=True)
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO).stdout.strip()
    print(f"{version} (commit {commit}), {datetime.date.today().isoformat()}; shipped sizes, default replicates.")
    print("Shares of all users: median [5%, 95%] across replicates; Δ = change of the median from 'all off', in points.\n")
    print("| scenario | mechanisms | final reach | Δ | final believers | Δ | belief index | sharers | forward actions | replicates |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for rel in SCENARIOS:
        base = None
        for i, (name, doc) in enumerate(variants(rel)):
            stem = rel.removeprefix("scenarios/").removesuffix(".toml").replace("/", "-")
            path = work / f"{stem}-{i}.toml"
            path.write_text(dump(doc))
            out = work / f"out-{stem}-{i}"
            subprocess.run([str(binary), "run", str(path), "--out", str(out), "--quiet"], check=True, stdout=subprocess.DEVNULL)
            s = json.loads((out / "summary.json").read_text())
            users = s["runs"][0]["users"]
            reach, believers = band(s, "final_reach_share"), band(s, "final_believers_share")
            index = band(s, "final_belief_index")
            if base is None:
                base = (reach[0], believers[0])
            fmt = lambda b: f"{100 * b[0]:.1f}% [{100 * b[1]:.1f}, {100 * b[2]:.1f}]"
            delta = lambda x, y: "" if i == 0 else f"{100 * (x - y):+.1f}"
            print(
                f"| {stem} | {name} | {fmt(reach)} | {delta(reach[0], base[0])} | {fmt(believers)} | "
                f"{delta(believers[0], base[1])} | {100 * index[0] / users:.1f}% | "
                f"{band(s, 'cascade_size')[0]:.0f} | {band(s, 'share_actions')[0]:.0f} | {len(s['runs'])} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
