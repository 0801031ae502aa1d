#!/usr/bin/env python3
"""Checks that the behaviour mechanisms of issue 12, switched off, reproduce the
outputs of a binary built before they existed.

Usage:
    scripts/check-switches-off.py OLD_BINARY NEW_BINARY [OLD_REF [WORK_DIR]]

OLD_BINARY is built from the git ref OLD_REF (default `main`), before the mechanisms;
the scenario files of that ref are extracted with `git archive`. For a fixed set of
reference jobs (shipped scenarios and variants, a comparison and a sweep), it writes
an "off" variant of each old scenario file that `extends` it, switches every mechanism
off (limited attention, exposure by sources, rejecter resistance, the correction's
trust and stance terms, the residual; persistence, fading interest, the stance and label
share factors) and restores the defaults those mechanisms
changed (camp_weight 1.0, label_penalty 0.5, correction efficacy 0.4) wherever the
scenario leaves them to the default. It runs OLD_BINARY on the old files and
NEW_BINARY on the off variants (the old binary refuses the new fields). The validation
scenarios are run as shipped on both sides: the new files must switch every mechanism
off themselves. Then it compares:

- timeseries.csv, sweep runs.csv and comparison.csv: every column the old file has,
  value by value as text (new columns may only be added; `copies_unseen` must be 0 and
  `belief_index` must equal `believers`);
- bands.csv: byte for byte; cascade.csv: every old column (new ones may be added);
- summary.json: every per-run figure and aggregate band the old file has (the reach
  tree's cascade figures under their new `reach_tree_*` names; `cascade_trees`, now
  counted on the sharers' forest, is not compared);
- `grapevine check` of the national scenario (its off variant for NEW_BINARY): byte
  for byte but the name line.

Exit status 0 when everything matches. Python 3.11+ (tomllib), standard library only.
"""

import csv
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))
from scenario_toml import inline, merged  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

# (job name, scenario relative to the repository, extra arguments); validation
# scenarios are run as shipped (see the module doc).
JOBS = [
    ("baseline", "scenarios/baseline.toml", ["--replicates", "6", "--cascade"]),
    ("brand", "scenarios/brand-complaint.toml", ["--replicates", "20"]),
    ("brazil", "scenarios/brazil-2018.toml", ["--replicates", "4"]),
    ("brazil-limit-5", "scenarios/brazil-2018/limit-5.toml", ["--replicates", "3"]),
    ("brazil-factcheck-6h", "scenarios/brazil-2018/factcheck-6h.toml", ["--replicates", "3"]),
    ("brazil-moderation-10", "scenarios/brazil-2018/moderation-10.toml", ["--replicates", "3"]),
    ("brazil-bans", "scenarios/brazil-2018/bans.toml", ["--replicates", "3"]),
    ("india", "scenarios/india-2019.toml", ["--replicates", "3"]),
    ("eu", "scenarios/eu-2019.toml", ["--replicates", "3"]),
    ("perc", "scenarios/validation/percolation-er.toml", ["--replicates", "4"]),
    ("tree", "scenarios/validation/tree.toml", ["--cascade"]),
]
COMPARE = ("scenarios/brand-complaint/response-1h.toml", "scenarios/brand-complaint/response-never.toml")
SWEEP_BASE = "scenarios/brazil-2018/factcheck-6h.toml"

# Keys that switch the mechanisms off, whatever the scenario says.
OFF = {
    "attention": {"enabled": False},
    "belief": {"exposure": "copies", "rejecter_resistance": 0.0, "threshold": 1},
    "correction": {
        "trust_weight": 0.0,
        "stance_factor": {"for": 1.0, "indifferent": 1.0, "against": 1.0},
        "residual": 0.0,
    },
    "sharing": {
        "persistence": "off",
        "novelty_half_life": "off",
        "stance_factor": {"for": 1.0, "indifferent": 1.0, "against": 1.0},
        "label_factor": 1.0,
    },
}
# The cascade figures now describe the sharers' tree; the old ones (the reach tree's)
# live on under new names.
RENAMED = {
    "cascade_depth": "reach_tree_depth",
    "cascade_max_breadth": "reach_tree_max_breadth",
    "structural_virality": "reach_tree_virality",
    "structural_virality_mean": "reach_tree_virality_mean",
    "cascade": "reach_tree",
    # The aggregate's old key for cascade_max_breadth.
    "max_breadth": "reach_tree_max_breadth",
}
# Counted on the sharers' forest now, with no reach-tree counterpart.
DROPPED = {"cascade_trees"}
# Defaults the mechanisms changed: restored only where the scenario keeps the default.
OLD_DEFAULTS = {
    "belief": {"camp_weight": 1.0, "label_penalty": 0.5},
    "correction": {"efficacy": 0.4},
}


def off_variant(scenario: Path, out_dir: Path) -> Path:
    """Writes the off variant of `scenario` into `out_dir`; returns its path."""
    full = merged(scenario)
    sections: dict = {}
    for section, keys in OFF.items():
        sections.setdefault(section, {}).update(keys)
    for section, keys in OLD_DEFAULTS.items():
        for k, v in keys.items():
            if k not in full.get(section, {}):
                sections.setdefault(section, {})[k] = v
    # The preset "whatsapp-2019" is now January 2019 (no label); the old one, with the
    # label of August 2019, is "whatsapp-2019-08".
    if full.get("platform", {}).get("preset") == "whatsapp-2019":
        sections.setdefault("platform", {})["preset"] = "whatsapp-2019-08"
    lines = [f"extends = {json.dumps(str(scenario.resolve()))}", ""]
    for section, keys in sections.items():
        lines.append(f"[{section}]")
        lines.extend(f"{k} = {inline(v)}" for k, v in keys.items())
        lines.append("")
    # Prebunks with an effect did not exist; shipped scenarios use the legacy boost.
    out = out_dir / (scenario.parent.name + "-" + scenario.name)
    # The same name as the scenario, so the outputs name it alike.
    if "name" in full:
        lines.insert(1, f"name = {json.dumps(full['name'])}")
    out.write_text("\n".join(lines))
    return out


def run(binary: str, args: list[str]) -> None:
    subprocess.run([binary, *args, "--quiet"], check=True, stdout=subprocess.DEVNULL, cwd=REPO)


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def compare_csv(old: Path, new: Path, sort: bool = False) -> list[str]:
    oh, orows = read_csv(old)
    nh, nrows = read_csv(new)
    # A figure column renamed (runs.csv) is compared under its new name.
    keep = [i for i, c in enumerate(oh) if c not in DROPPED]
    oh, orows = [oh[i] for i in keep], [[r[i] for i in keep] for r in orows]
    named = [RENAMED[c] if c in RENAMED and RENAMED[c] in nh else c for c in oh]
    missing = [c for c in named if c not in nh]
    if missing:
        return [f"{new}: columns gone: {missing}"]
    idx = [nh.index(c) for c in named]
    projected = [[r[i] for i in idx] for r in nrows]
    if "figure" in oh:
        # Long form (comparison.csv): one row per figure; renamed figures are compared
        # under their new names, dropped ones left out.
        f = oh.index("figure")
        new_figures = {r[nh.index("figure")] for r in nrows}
        # A figure whose meaning changed is compared under its new name when the file
        # has it, and left out when it has not.
        orows = [
            r[:f] + [RENAMED.get(r[f], r[f])] + r[f + 1:]
            for r in orows
            if r[f] not in DROPPED and (r[f] not in RENAMED or RENAMED[r[f]] in new_figures)
        ]
        known = {r[f] for r in orows}
        projected = [r for r in projected if r[f] in known]
        sort = True
    if sort:
        orows, projected = sorted(orows), sorted(projected)
    problems = []
    if len(orows) != len(projected):
        problems.append(f"{new}: {len(projected)} rows, expected {len(orows)}")
    for k, (a, b) in enumerate(zip(orows, projected)):
        if a != b:
            diff = [(oh[i], x, y) for i, (x, y) in enumerate(zip(a, b)) if x != y]
            problems.append(f"{new}: row {k + 1} differs: {diff[:5]}")
            break
    if "copies_unseen" in nh:
        i = nh.index("copies_unseen")
        if any(r[i] != "0" for r in nrows):
            problems.append(f"{new}: copies_unseen not 0 with attention off")
    if "belief_index" in nh and "believers" in nh:
        i, j = nh.index("belief_index"), nh.index("believers")
        if any(r[i] != r[j] for r in nrows):
            problems.append(f"{new}: belief_index differs from believers with residual 0")
    return problems


def compare_bytes(old: Path, new: Path) -> list[str]:
    return [] if old.read_bytes() == new.read_bytes() else [f"{new}: differs from {old}"]


def compare_summary(old: Path, new: Path) -> list[str]:
    o, n = json.loads(old.read_text()), json.loads(new.read_text())
    problems = []
    for key in ("runs", "aggregate", "stages"):
        if key not in o:
            continue
        problems += compare_subset(o[key], n.get(key), f"{new}:{key}")
    return problems


def compare_subset(a, b, where: str) -> list[str]:
    """Every value of `a` equals the value at the same place in `b` (which may have more keys)."""
    if isinstance(a, dict):
        if not isinstance(b, dict):
            return [f"{where}: not an object"]
        out = []
        for k, v in a.items():
            if k in DROPPED:
                continue
            k_new = RENAMED.get(k, k)
            if k_new != k and isinstance(b, dict) and k_new in b:
                out += compare_subset(v, b[k_new], f"{where}.{k_new}")
                continue
            if k not in b:
                out.append(f"{where}.{k}: missing")
            else:
                out += compare_subset(v, b[k], f"{where}.{k}")
        return out
    if isinstance(a, list):
        if not isinstance(b, list) or len(a) != len(b):
            return [f"{where}: list differs in length"]
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += compare_subset(x, y, f"{where}[{i}]")
        return out
    return [] if a == b else [f"{where}: {a!r} != {b!r}"]


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    old_bin, new_bin = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    ref = sys.argv[3] if len(sys.argv) > 3 else "main"
    work = Path(sys.argv[4] if len(sys.argv) > 4 else REPO / "output/switches-off").resolve()
    old_repo, off_dir, old_out, new_out = work / "ref", work / "scenarios", work / "old", work / "new"
    for d in (old_repo, off_dir, old_out, new_out):
        d.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", ref, "scenarios"], check=True, capture_output=True, cwd=REPO).stdout
    subprocess.run(["tar", "-x", "-C", str(old_repo)], input=archive, check=True)
    problems = []
    for name, rel, extra in JOBS:
        shipped = old_repo / rel
        off = REPO / rel if rel.startswith("scenarios/validation/") else off_variant(shipped, off_dir)
        run(old_bin, ["run", str(shipped), "--out", str(old_out / name), *extra])
        run(new_bin, ["run", str(off), "--out", str(new_out / name), *extra])
        o, n = old_out / name, new_out / name
        before = len(problems)
        problems += compare_csv(o / "timeseries.csv", n / "timeseries.csv")
        problems += compare_bytes(o / "bands.csv", n / "bands.csv")
        problems += compare_summary(o / "summary.json", n / "summary.json")
        if (o / "cascade.csv").exists():
            problems += compare_csv(o / "cascade.csv", n / "cascade.csv")
        print(f"{name}: {'ok' if len(problems) == before else 'DIFFERS'}", flush=True)
    # A comparison of two variants.
    a, b = (old_repo / p for p in COMPARE)
    run(old_bin, ["compare", str(a), str(b), "--replicates", "10", "--out", str(old_out / "cmp")])
    run(new_bin, ["compare", str(off_variant(a, off_dir)), str(off_variant(b, off_dir)),
                  "--replicates", "10", "--out", str(new_out / "cmp")])
    problems += compare_csv(old_out / "cmp" / "comparison.csv", new_out / "cmp" / "comparison.csv")
    # A sweep over the fact-check variant.
    for binary, base, out in ((old_bin, old_repo / SWEEP_BASE, old_out), (new_bin, off_variant(old_repo / SWEEP_BASE, off_dir), new_out)):
        spec = work / f"sweep-{out.name}.toml"
        spec.write_text(
            f'name = "refsweep"\nscenario = {json.dumps(str(base))}\ndesign = "grid"\nreplicates = 2\nseed = 5\n'
            '[parameters]\n"platform.forward_limit" = [1, 20]\n"interventions[0].at" = ["6h", "48h"]\n'
        )
        run(binary, ["sweep", str(spec), "--out", str(out / "sweep"), "--force"])
    problems += compare_csv(old_out / "sweep" / "runs.csv", new_out / "sweep" / "runs.csv", sort=True)
    # Memory estimate of the national scenario (switched off: limited attention keeps
    # 4 bytes per user when on).
    checks = []
    national = old_repo / "scenarios/national.toml"
    for binary, path in ((old_bin, national), (new_bin, off_variant(national, off_dir))):
        text = subprocess.run([binary, "check", str(path)], check=True,
                              capture_output=True, text=True, cwd=REPO).stdout
        text = "\n".join(l for l in text.splitlines() if "available:" not in l and not l.startswith("scenario "))
        # The time series grows with the new columns; everything else must match.
        checks.append(re.sub(r", [0-9.]+ [KMG]?i?B of time series", ", (time series)", text))
    if checks[0] != checks[1]:
        problems.append(f"check national differs:\n{checks[0]}\n---\n{checks[1]}")
    for p in problems:
        print(p)
    print("identical" if not problems else f"{len(problems)} differences")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
