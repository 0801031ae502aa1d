#!/bin/bash
# Cost of a calibration (a benchmark, not in CI and not a timed test): a three-parameter
# calibration against a 100,000-user scenario.
#
# The scenario is scenarios/calibration/brazil-monitored.toml at 100,000 users (the
# size of ../brazil-2018.toml); its data are the first 48 hours of the windows of the
# hidden truth (scenarios/calibration/truth.toml) at that size, made here. The
# calibration fits the example's three quantities (rumor.appeal, sharing.believer, the
# tipline's report probability) with COST_PARTICLES particles (default 100) and a
# budget of COST_BUDGET simulations (default 1500) on COST_THREADS threads (default 2),
# then draws the posterior predictive and the nowcast (COST_DRAWS, default 50) and the
# charts. The command itself reports its time: the sampler's wall time, simulations per
# second and the share of its thread time spent in the engine (the rest is bookkeeping:
# scenarios built from parameter vectors, distances, proposals and weights, files, and
# threads idle at the end of a generation), and the time of the predictive, nowcast and
# charts; /usr/bin/time adds the whole command's wall time and peak memory.
#
# Replaces the block "cost" of docs/calibration.md with the figures, the date, the commit
# and the machine's load (the figures depend on it: note the load average).
#
#   scripts/cost-calibration.sh
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
. scripts/lib/doc-block.sh
OUT=${OUT:-$REPO/target/cost-calibration}
PARTICLES=${COST_PARTICLES:-100}
BUDGET=${COST_BUDGET:-1500}
THREADS=${COST_THREADS:-2}
DRAWS=${COST_DRAWS:-50}
HOURS=48
mkdir -p "$OUT"
cargo build --release --quiet
BIN=$REPO/target/release/grapevine

cat >"$OUT/scenario.toml" <<TOML
extends = "$REPO/scenarios/calibration/brazil-monitored.toml"
name = "brazil-monitored-100k"
[population]
users = 100_000
TOML
cat >"$OUT/truth.toml" <<TOML
extends = "$REPO/scenarios/calibration/truth.toml"
name = "brazil-monitored-truth-100k"
[population]
users = 100_000
TOML
rm -rf "$OUT/truth"
$BIN run "$OUT/truth.toml" --out "$OUT/truth" --quiet
awk -F, -v h=$HOURS '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; print "hours,window,count"; next }
    $col["hours"] <= h { print $col["hours"] "," $col["window"] "," $col["count"] }
' "$OUT/truth/observed.csv" >"$OUT/observed.csv"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)
/usr/bin/time -f "wall %e s, peak memory %M KiB" -o "$OUT/time.txt" \
    $BIN calibrate "$OUT/scenario.toml" --data "$OUT/observed.csv" \
    --fit rumor.appeal=0.05..0.6 --fit sharing.believer=0.01..0.3:log \
    --fit "observe[1].report=0.001..0.1:log" --particles "$PARTICLES" --budget "$BUDGET" \
    --draws "$DRAWS" --threads "$THREADS" --out "$OUT/fit" --force 2>&1 |
    sed "s|$OUT/fit|OUT|g" | tee "$OUT/calibrate.log"
seconds=$(($(date +%s) - started))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

block=$OUT/cost.md
{
    provenance scripts/cost-calibration.sh
    echo
    echo "Three parameters (rumor.appeal, sharing.believer, the tipline's report probability)"
    echo "fitted to 48 hours of the three windows on brazil-monitored.toml at 100,000 users"
    echo "(data from the hidden truth at that size), $PARTICLES particles, budget $BUDGET"
    echo "simulations, $DRAWS posterior draws for the predictive and the nowcast, $THREADS threads."
    echo "The whole command took $((seconds / 60)) min $((seconds % 60)) s" \
        "($(cat "$OUT/time.txt")); load average before $load_before, after $load_after"
    echo "(the machine was shared: a load above 2 means other work took part of the two cores)."
    echo
    echo '```text'
    grep -E '^(time|stopped|posterior|  |nowcast|results)' "$OUT/calibrate.log" || cat "$OUT/calibrate.log"
    echo '```'
} >"$block"
doc_block docs/calibration.md cost "$block"
echo "docs/calibration.md: block cost written"
