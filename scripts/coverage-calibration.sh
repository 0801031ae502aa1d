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
# scenario, data and calibration folder.
#
#   scripts/coverage-calibration.sh           # about 40 x 5 s on two cores
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
export COVERAGE_OUT=${COVERAGE_OUT:-$REPO/target/coverage-calibration}
cargo test --quiet --test tests calibrate::coverage_study -- --ignored --exact --nocapture \
    | grep -E '^(truth|coverage)'
