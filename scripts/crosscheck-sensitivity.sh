#!/bin/bash
# Cross-check of Grapevine's sensitivity estimators against SALib (from PyPI) on the
# Ishigami function (a = 7, b = 0.1, inputs uniform on [-pi, pi]). CI does not run it.
#
# Creates a virtualenv (default target/crosscheck-venv) with a pinned SALib, has the
# ignored test `sensitivity::dump_ishigami_estimates_for_salib` write Grapevine's
# designs, outputs and estimates as CSV, and then in Python:
#
#   Sobol'  1. Grapevine's design equals SALib's sobol.sample(scramble=False) exactly;
#           2. SALib's sobol.analyze on Grapevine's outputs gives the same S1 and ST
#              (same estimators, so equal to rounding) and similar bootstrap widths;
#           3. SALib on its own scrambled design of the same size agrees with the
#              analytic indices, as Grapevine's estimates do, within 4 standard errors.
#   Morris  4. SALib's morris.analyze on Grapevine's trajectories gives the same mu,
#              mu* and sigma (to rounding);
#           5. SALib on its own trajectories (same r and levels) agrees with Grapevine
#              within 4 combined standard errors of mu*.
#
# Prints a table and PASS or FAIL; exits 0 or 1.
#
#   scripts/crosscheck-sensitivity.sh             # SOBOL_N=1024 MORRIS_R=100 ...
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
VENV=${VENV:-$REPO/target/crosscheck-venv}
OUT=${OUT:-$REPO/target/crosscheck-sensitivity}
SALIB_VERSION=${SALIB_VERSION:-1.6.0}
export SOBOL_N=${SOBOL_N:-1024} MORRIS_R=${MORRIS_R:-100} MORRIS_LEVELS=${MORRIS_LEVELS:-4}
export RESAMPLES=${RESAMPLES:-1000}

say() { echo "[crosscheck] $*"; }

if [ ! -x "$VENV/bin/python" ]; then
    say "creating virtualenv $VENV"
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet "SALib==$SALIB_VERSION"

say "Grapevine estimates (N = $SOBOL_N, r = $MORRIS_R, p = $MORRIS_LEVELS, $RESAMPLES resamples)"
cd "$REPO"
GRAPEVINE_SENSITIVITY_DUMP=$OUT cargo test --quiet --test tests \
    sensitivity::dump_ishigami_estimates_for_salib -- --ignored --exact >/dev/null

say "SALib $SALIB_VERSION"
"$VENV/bin/python" - "$OUT" <<'PY'
import os
import sys
import warnings

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Ishigami

warnings.simplefilter("ignore")  # SALib warns about unscrambled sequences
out = sys.argv[1]
N = int(os.environ["SOBOL_N"])
R = int(os.environ["MORRIS_R"])
P = int(os.environ["MORRIS_LEVELS"])
B = int(os.environ["RESAMPLES"])
Z = 1.959963984540054
problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}

a, b = 7.0, 0.1
D = a * a / 8 + b * np.pi**4 / 5 + b * b * np.pi**8 / 18 + 0.5
D1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
D2 = a * a / 8
D13 = 8 * b * b * np.pi**8 / 225
S1_true = np.array([D1, D2, 0]) / D
ST_true = np.array([D1 + D13, D2, D13]) / D

failures = []


def check(ok, what):
    print(f"  {'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        failures.append(what)


def load(name):
    return np.genfromtxt(os.path.join(out, name), delimiter=",", names=True, dtype=None,
                         encoding="utf-8")


def scale(u):
    return -np.pi + u * 2 * np.pi


# Sobol'
d = load("sobol_design.csv")
U = np.column_stack([d["u1"], d["u2"], d["u3"]])
y = d["y"]
rust = load("sobol_rust.csv")
X_salib = sobol_sample.sample(problem, N, calc_second_order=False, scramble=False)
print(f"\nSobol' indices, N = {N} ({len(y)} runs), {B} bootstrap resamples")
diff_design = np.abs(scale(U) - X_salib).max()
check(diff_design < 1e-12, f"design equals SALib's unscrambled sample (max diff {diff_design:.1e})")
diff_y = np.abs(Ishigami.evaluate(scale(U)) - y).max()
check(diff_y < 1e-9, f"Grapevine's Ishigami equals SALib's (max diff {diff_y:.1e})")

same = sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=B,
                             conf_level=0.95, seed=1)
X_own = sobol_sample.sample(problem, N, calc_second_order=False, scramble=True, seed=7)
own = sobol_analyze.analyze(problem, Ishigami.evaluate(X_own), calc_second_order=False,
                            num_resamples=B, conf_level=0.95, seed=1)
print(f"  {'index':6} {'truth':>7} | {'Grapevine':>9} {'+-1.96SE':>8} | "
      f"{'SALib same y':>12} {'+-conf':>7} | {'SALib own':>9} {'+-conf':>7}")
for kind, truth in (("S1", S1_true), ("ST", ST_true)):
    for i in range(3):
        g, se = rust[kind][i], rust[kind + "_se"][i]
        print(f"  {kind + '(x' + str(i + 1) + ')':6} {truth[i]:7.4f} | {g:9.4f} {Z * se:8.4f} | "
              f"{same[kind][i]:12.4f} {same[kind + '_conf'][i]:7.4f} | "
              f"{own[kind][i]:9.4f} {own[kind + '_conf'][i]:7.4f}")
g = np.concatenate([rust["S1"], rust["ST"]])
s = np.concatenate([same["S1"], same["ST"]])
se = np.concatenate([rust["S1_se"], rust["ST_se"]])
conf = np.concatenate([same["S1_conf"], same["ST_conf"]])
truth = np.concatenate([S1_true, ST_true])
check(np.abs(g - s).max() < 1e-10,
      f"same outputs: SALib's S1, ST equal Grapevine's (max diff {np.abs(g - s).max():.1e})")
ratio = conf / (Z * se)
check(np.all((ratio > 0.7) & (ratio < 1.4)),
      f"bootstrap half-widths agree (SALib / Grapevine from {ratio.min():.2f} to {ratio.max():.2f})")
zg = np.abs(g - truth) / se
check(np.all(zg < 4), f"Grapevine within 4 SE of the analytic indices (max {zg.max():.2f} SE)")
o = np.concatenate([own["S1"], own["ST"]])
oc = np.concatenate([own["S1_conf"], own["ST_conf"]]) / Z
zo = np.abs(o - truth) / oc
check(np.all(zo < 4), f"SALib's own design within 4 SE of the analytic indices (max {zo.max():.2f} SE)")

# Morris
m = load("morris_design.csv")
Um = np.column_stack([m["u1"], m["u2"], m["u3"]])
ym = m["y"]
mr = load("morris_rust.csv")
print(f"\nMorris, r = {R} trajectories, p = {P} levels ({len(ym)} runs); "
      "effects per whole range of [-pi, pi]")
same = morris_analyze.analyze(problem, scale(Um), ym, num_levels=P, num_resamples=B,
                              conf_level=0.95, seed=1)
# SALib's elementary effects are per unit-cube jump, like Grapevine's.
X_own = morris_sample.sample(problem, R, num_levels=P, seed=7)
own = morris_analyze.analyze(problem, X_own, Ishigami.evaluate(X_own), num_levels=P,
                             num_resamples=B, conf_level=0.95, seed=1)
print(f"  {'param':6} | {'Grapevine mu':>12} {'mu*':>7} {'+-1.96SE':>8} {'sigma':>7} | "
      f"{'SALib same y mu':>15} {'mu*':>7} {'sigma':>7} | {'SALib own mu*':>13} {'+-conf':>7}")
for i in range(3):
    print(f"  x{i + 1:<5} | {mr['mu'][i]:12.4f} {mr['mu_star'][i]:7.4f} "
          f"{Z * mr['mu_star_se'][i]:8.4f} {mr['sigma'][i]:7.4f} | "
          f"{same['mu'][i]:15.4f} {same['mu_star'][i]:7.4f} {same['sigma'][i]:7.4f} | "
          f"{own['mu_star'][i]:13.4f} {own['mu_star_conf'][i]:7.4f}")
dm = max(np.abs(np.asarray(same[k]) - mr[k2]).max()
         for k, k2 in (("mu", "mu"), ("mu_star", "mu_star"), ("sigma", "sigma")))
check(dm < 1e-9, f"same trajectories: SALib's mu, mu*, sigma equal Grapevine's (max diff {dm:.1e})")
combined = np.sqrt(mr["mu_star_se"] ** 2 + (np.asarray(own["mu_star_conf"]) / Z) ** 2)
zm = np.abs(np.asarray(own["mu_star"]) - mr["mu_star"]) / combined
check(np.all(zm < 4), f"SALib's own trajectories: mu* within 4 combined SE (max {zm.max():.2f})")

print()
print("FAIL" if failures else "PASS")
sys.exit(1 if failures else 0)
PY
