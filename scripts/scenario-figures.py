#!/usr/bin/env python3
"""Re-runs every shipped scenario and its variants and writes the tables that
docs/scenarios.md and the scenario files' comments quote.

Usage:
    scripts/scenario-figures.py [GRAPEVINE [OUT_DIR]]

GRAPEVINE defaults to target/release/grapevine (`cargo build --release` first); OUT_DIR
to output/scenario-figures. It runs, with the files' own seeds:

- each shipped scenario (baseline, brazil-2018, india-2019, eu-2019, brand-complaint)
  at its default replicates: final reach, believers (overall and per camp), hours to 50%
  of final reach, sharers and forward actions (the calibration figures of the files'
  comments); national.toml is left out (10^8 users; `grapevine check` estimates it);
- `grapevine compare` of brazil-2018/limit-{256,20,5,1} and of brazil-2018 against its
  fact-check, moderation and ban variants, 50 replicates each, with paired differences;
- the spill-over stages of brazil-2018 (from the compare run of the base);
- brand-complaint/response-{1h,12h,48h,never}, 100 replicates each: odds and median
  hours of the first public post, press pickup and crisis.

It writes OUT_DIR/figures.md (also printed), headed by the grapevine version, the commit
and the date, and replaces each generated block of docs/scenarios.md (between
`<!-- scenario-figures:NAME:begin -->` and `<!-- scenario-figures:NAME:end -->`) with the
same tables: no figure is copied by hand. The scenario files' comments quote none.
Python 3.11+, standard library only (no virtual environment needed).
"""

import csv
import datetime
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHIPPED = [
    "scenarios/baseline.toml",
    "scenarios/brazil-2018.toml",
    "scenarios/india-2019.toml",
    "scenarios/eu-2019.toml",
    "scenarios/brand-complaint.toml",
]
LIMITS = ["256", "20", "5", "1"]
COUNTER = [
    ("base (no counter-measure)", "scenarios/brazil-2018.toml"),
    ("fact-check at 6h", "scenarios/brazil-2018/factcheck-6h.toml"),
    ("fact-check at 24h", "scenarios/brazil-2018/factcheck-24h.toml"),
    ("fact-check at 72h", "scenarios/brazil-2018/factcheck-72h.toml"),
    ("moderation in 10% of groups", "scenarios/brazil-2018/moderation-10.toml"),
    ("moderation in 50% of groups", "scenarios/brazil-2018/moderation-50.toml"),
    ("bans of the top 500 forwarders", "scenarios/brazil-2018/bans.toml"),
]
RESPONSES = ["1h", "12h", "48h", "never"]
COMPARE_REPLICATES = 50
RESPONSE_REPLICATES = 100


def run(binary: Path, *args: str) -> None:
    subprocess.run([str(binary), *args, "--quiet"], check=True, stdout=subprocess.DEVNULL, cwd=REPO)


def pct(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f}%"


def hours(x) -> str:
    return "n/a" if x is None else f"{x:.1f}"


def band(s: dict, fig: str) -> dict:
    return s["aggregate"][fig]


def median_of(values: list[float]) -> float:
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def shipped_table(binary: Path, out: Path) -> list[str]:
    lines = [
        "### Shipped scenarios (default replicates)",
        "",
        "| scenario | replicates | final reach | believers | believers per camp | hours to 50% of final reach | sharers | forward actions |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for rel in SHIPPED:
        name = Path(rel).stem
        dest = out / f"run-{name}"
        run(binary, "run", rel, "--out", str(dest))
        s = json.loads((dest / "summary.json").read_text())
        runs = s["runs"]
        camps = ""
        if runs and runs[0]["camps"]:
            names = [c["camp"] for c in runs[0]["camps"]]
            camps = ", ".join(
                f"{n} {pct(median_of([r['camps'][i]['final_believers_share'] for r in runs]), 0)}"
                for i, n in enumerate(names)
            )
        b = lambda f: band(s, f)
        lines.append(
            f"| {name} | {len(runs)} | {pct(b('final_reach_share')['median'])} "
            f"[{pct(b('final_reach_share')['p5'])}, {pct(b('final_reach_share')['p95'])}] | "
            f"{pct(b('final_believers_share')['median'])} "
            f"[{pct(b('final_believers_share')['p5'])}, {pct(b('final_believers_share')['p95'])}] | "
            f"{camps or '-'} | {hours(b('hours_to_50pct')['median'])} | "
            f"{b('cascade_size')['median']:.0f} | {b('share_actions')['median']:.0f} |"
        )
    return lines


def compare(binary: Path, files: list[str], dest: Path) -> dict:
    """Runs `grapevine compare` and returns {scenario: {figure: row}} from comparison.csv."""
    run(binary, "compare", *files, "-r", str(COMPARE_REPLICATES), "--out", str(dest))
    table: dict = {}
    with open(dest / "comparison.csv") as f:
        for row in csv.DictReader(f):
            table.setdefault(row["scenario"], {})[row["figure"]] = row
    return table


def paired_pp(row: dict) -> str:
    if row["paired"] != "true":
        return "unpaired"
    d = [100 * float(row[k]) for k in ("paired_diff_median", "paired_diff_p5", "paired_diff_p95")]
    return f"{d[0]:+.1f} [{d[1]:+.1f}, {d[2]:+.1f}]"


def compare_rows(table: dict, labels: list[str]) -> list[str]:
    lines = []
    for i, (label, (scn, figs)) in enumerate(zip(labels, table.items())):
        reach, bel, h = figs["final_reach_share"], figs["final_believers_share"], figs["hours_to_50pct"]
        ref = i == 0
        lines.append(
            f"| {label} | {pct(float(reach['median']))} | {pct(float(bel['median']))} | "
            f"{float(h['median']):.1f} | {'reference' if ref else paired_pp(reach)} | "
            f"{'reference' if ref else paired_pp(bel)} |"
        )
    return lines


def limits_table(binary: Path, out: Path) -> list[str]:
    files = [f"scenarios/brazil-2018/limit-{n}.toml" for n in LIMITS]
    table = compare(binary, files, out / "compare-forward-limits")
    return [
        f"### Brazil 2018: forward limits ({COMPARE_REPLICATES} replicates each, medians)",
        "",
        "| forward limit | final reach | believers | hours to 50% of final reach | reach vs 256 (pp, paired) | believers vs 256 (pp, paired) |",
        "|---|---|---|---|---|---|",
        *compare_rows(table, LIMITS),
    ]


def counter_table(binary: Path, out: Path) -> list[str]:
    dest = out / "compare-countermeasures"
    table = compare(binary, [f for _, f in COUNTER], dest)
    lines = [
        f"### Brazil 2018: fact-checks, moderation, bans ({COMPARE_REPLICATES} replicates each, medians)",
        "",
        "| scenario | final reach | believers | hours to 50% | reach vs base (pp, paired) | believers vs base (pp, paired) |",
        "|---|---|---|---|---|---|",
        *compare_rows(table, [label for label, _ in COUNTER]),
        "",
    ]
    base = next(iter(table))
    s = json.loads((dest / base / "summary.json").read_text())
    stages = s["stages"]
    lines += [
        f"### Brazil 2018: spill-over stages of the base ({len(s['runs'])} replicates)",
        "",
        "| stage | share of replicates | median hours |",
        "|---|---|---|",
    ]
    for stage in ("public", "press", "crisis"):
        st = stages[stage]
        lines.append(f"| {stage} | {pct(st['probability'], 0)} | {hours(st['median_hours'])} |")
    return lines


def response_table(binary: Path, out: Path) -> list[str]:
    lines = [
        f"### Brand complaint: response time ({RESPONSE_REPLICATES} replicates each)",
        "",
        "| response | first public post | press pickup | crisis | median hours to press | median hours to crisis |",
        "|---|---|---|---|---|---|",
    ]
    for v in RESPONSES:
        dest = out / f"response-{v}"
        run(binary, "run", f"scenarios/brand-complaint/response-{v}.toml", "-r", str(RESPONSE_REPLICATES), "--out", str(dest))
        st = json.loads((dest / "summary.json").read_text())["stages"]
        label = "never" if v == "never" else f"after {v[:-1]} h"
        lines.append(
            f"| {label} | {pct(st['public']['probability'], 0)} | {pct(st['press']['probability'], 0)} | "
            f"{pct(st['crisis']['probability'], 0)} | {hours(st['press']['median_hours'])} | "
            f"{hours(st['crisis']['median_hours'])} |"
        )
    return lines


def main() -> int:
    binary = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "target/release/grapevine").resolve()
    out = Path(sys.argv[2] if len(sys.argv) > 2 else REPO / "output/scenario-figures").resolve()
    out.mkdir(parents=True, exist_ok=True)
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO).stdout.strip()
    lines = [
        f"# Scenario figures: {version} (commit {commit}), {datetime.date.today().isoformat()}",
        "",
        "Written by scripts/scenario-figures.py. Shares of all users (per camp: of the camp's",
        "users), median [5%, 95%] across replicates; paired differences in percentage points,",
        "median [5%, 95%] of the per-replicate differences.",
        "",
    ]
    stamp = f"Generated by `scripts/scenario-figures.py`: {version} (commit {commit}), {datetime.date.today().isoformat()}."
    docs = REPO / "docs/scenarios.md"
    page = docs.read_text()
    for name, part in (("shipped", shipped_table), ("limits", limits_table),
                       ("countermeasures", counter_table), ("responses", response_table)):
        block = part(binary, out)
        lines += block + [""]
        # In the page, the tables' headings become bold captions under the page's own.
        shown = [f"**{l[4:]}**" if l.startswith("### ") else l for l in block]
        page = replace_block(page, name, [stamp, ""] + shown)
    text = "\n".join(lines)
    (out / "figures.md").write_text(text)
    docs.write_text(page)
    print(text)
    return 0


def replace_block(page: str, name: str, lines: list[str]) -> str:
    """`page` with the block `name` replaced by `lines` (the markers kept)."""
    begin, end = f"<!-- scenario-figures:{name}:begin -->", f"<!-- scenario-figures:{name}:end -->"
    if page.count(begin) != 1 or page.count(end) != 1:
        sys.exit(f"docs/scenarios.md: expected one {begin} ... {end} block")
    head, rest = page.split(begin)
    _, tail = rest.split(end)
    return head + begin + "\n" + "\n".join(lines).rstrip() + "\n" + end + tail


if __name__ == "__main__":
    sys.exit(main())
