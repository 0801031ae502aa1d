#!/bin/bash
# Coverage of Grapevine's calibration (not in CI): COVERAGE_TRUTHS truths (default 40)
# are drawn from the priors of the recovery scenario (tests/calibrate.rs:
# RECOVERY_SCENARIO, 1,000 users over 36 hours with a monitor of 15 political groups and
# a tipline; rumor.appeal uniform on 0.05..0.8, the tipline's report probability
# log-uniform on 0.005..0.5); each is simulated once with its own seed, the windows'
# counts every 4 hours up to 24 h are the data, and the scenario is calibrated to them
# (COVERAGE_PARTICLES particles, default 100, budget COVERAGE_BUDGET, default 2000
# simulations, at most 10 generations). With truths drawn from the prior, 90% credible
# intervals hold the truth 90% of the time if the posterior is right; ABC's tolerance
# makes them somewhat wider, so coverage at or above 90% is expected.
#
# Prints one line per truth and the coverage per parameter (and of the nowcast's 5-95%
# band of the reach at 24 h) with its 95% Wilson interval; writes
# target/coverage-calibration/coverage.csv (one row per truth) and each truth's
# scenario, data and calibration folder, and replaces the block "coverage" of
# docs/calibration.md with the result, its size, date, commit and the machine's load.
#
#   scripts/coverage-calibration.sh           # about 40 x 10 s on two cores
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
. scripts/lib/doc-block.sh
export COVERAGE_OUT=${COVERAGE_OUT:-$REPO/target/coverage-calibration}
export COVERAGE_TRUTHS=${COVERAGE_TRUTHS:-40} COVERAGE_PARTICLES=${COVERAGE_PARTICLES:-100}
export COVERAGE_BUDGET=${COVERAGE_BUDGET:-2000}
mkdir -p "$COVERAGE_OUT"
cargo test --quiet --test tests --no-run
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)
cargo test --quiet --test tests calibrate::coverage_study -- --ignored --exact --nocapture \
    | grep -E '^(truth|coverage)' | tee "$COVERAGE_OUT/coverage.log"
seconds=$(($(date +%s) - started))

block=$COVERAGE_OUT/coverage.md
{
    provenance scripts/coverage-calibration.sh
    echo
    echo "$COVERAGE_TRUTHS truths, $COVERAGE_PARTICLES particles, budget $COVERAGE_BUDGET" \
        "simulations, at most 10 generations each; the study took $((seconds / 60)) min" \
        "$((seconds % 60)) s (load average before it: $load_before)." \
        "Coverage with its 95% Wilson interval:"
    echo
    echo '```text'
    grep '^coverage' "$COVERAGE_OUT/coverage.log"
    echo '```'
    echo
    awk -F, 'NR > 1 {
            n++; g += $13; runs += $15
            wa += $6 - $4; wr += log($9 / $7) / log(10)
        }
        END {
            printf "Per calibration on average: %.1f generations, %.0f simulations; ", g / n, runs / n
            printf "90%% interval of the appeal %.3f wide (prior 0.75), of the report probability ", wa / n
            printf "%.2f decades (prior 2).\n", wr / n
        }' "$COVERAGE_OUT/coverage.csv"
} >"$block"
doc_block docs/calibration.md coverage "$block"
echo "docs/calibration.md: block coverage written"
