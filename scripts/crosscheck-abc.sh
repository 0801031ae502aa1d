#!/bin/bash
# Cross-check of Grapevine's ABC-SMC against pyabc (from PyPI) and the analytic
# posterior, on the normal-mean toy model (src/calibrate/toy.rs). CI does not run it.
#
# Model: n = 10 observations of N(mu, 1) with mean xbar; mu has a uniform prior. The
# simulator draws n observations at mu and the distance is |mean - xbar|. Two cases:
#   centre  xbar = 1.3, prior [-5, 5]   (the posterior N(xbar, 1/n) well inside the prior)
#   edge    xbar = 0.2, prior [0, 5]    (the posterior cut by the prior's lower bound)
#
# Both samplers run with the same settings: N particles, tolerance = weighted median of
# the last distances (pyabc QuantileEpsilon(alpha=0.5), initial epsilon from a prior
# sample), Gaussian kernel with twice the weighted variance (pyabc
# MultivariateNormalTransition(scaling=2) with a bandwidth factor of 1). pyabc's
# generation t matches Grapevine's t + 1 (Grapevine's generation 0 is the prior sample
# that pyabc uses to set its first tolerance), so Grapevine runs G + 1 generations.
#
# Each posterior is compared with the exact ABC posterior at its own final tolerance
# eps, p(mu) ∝ Phi((xbar + eps - mu) / s) - Phi((xbar - eps - mu) / s) on the prior's
# range, s = 1/sqrt(n), by numerical integration (as eps -> 0 this is the posterior,
# N(xbar, s^2) cut to the prior's range); and the two samplers with each other (means
# within 4 combined standard errors, weighted Kolmogorov-Smirnov distance).
#
# Prints a table and PASS or FAIL, writes them into the block "crosscheck" of
# docs/calibration.md with the date and commit; exits 0 or 1.
#
#   scripts/crosscheck-abc.sh            # ABC_PARTICLES=2000 ABC_G=8 ABC_SEED=1
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
VENV=${VENV:-$REPO/target/crosscheck-abc-venv}
OUT=${OUT:-$REPO/target/crosscheck-abc}
PYABC_VERSION=${PYABC_VERSION:-0.13.0}
export ABC_PARTICLES=${ABC_PARTICLES:-2000} ABC_G=${ABC_G:-8} ABC_SEED=${ABC_SEED:-1}

say() { echo "[crosscheck] $*"; }

if [ ! -x "$VENV/bin/python" ]; then
    say "creating virtualenv $VENV"
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet "pyabc==$PYABC_VERSION"

cd "$REPO"
. scripts/lib/doc-block.sh
mkdir -p "$OUT"
cases="centre:1.3:-5:5 edge:0.2:0:5"
for c in $cases; do
    IFS=: read -r name xbar low high <<<"$c"
    say "Grapevine, case $name (N = $ABC_PARTICLES, $((ABC_G + 1)) generations)"
    GRAPEVINE_ABC_DUMP=$OUT/grapevine-$name ABC_XBAR=$xbar ABC_LOW=$low ABC_HIGH=$high \
        ABC_GENERATIONS=$((ABC_G + 1)) ABC_SIGMA=1 ABC_N=10 \
        cargo test --quiet --test tests \
        calibrate::dump_normal_mean_posterior_for_pyabc -- --ignored --exact --nocapture \
        | grep -E '^(generation|grapevine)' >"$OUT/grapevine-$name.log"
done

say "pyabc $PYABC_VERSION"
status=0
"$VENV/bin/python" - "$OUT" "$cases" >"$OUT/report.txt" <<'PY' || status=$?
import logging
import os
import sys
import time

import numpy as np
import pyabc
from scipy import integrate, stats

logging.getLogger().setLevel(logging.WARNING)
for name in ("ABC", "Sampler", "Epsilon", "Distance", "Acceptor", "History"):
    logging.getLogger(name).setLevel(logging.WARNING)

out, cases = sys.argv[1], sys.argv[2].split()
N = int(os.environ["ABC_PARTICLES"])
G = int(os.environ["ABC_G"])
SEED = int(os.environ["ABC_SEED"])
SIGMA, NOBS = 1.0, 10
S = SIGMA / np.sqrt(NOBS)
failures = []


def check(ok, what):
    print(f"  {'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        failures.append(what)


def abc_target(xbar, low, high, eps):
    """Mean and sd of the exact ABC posterior at tolerance eps (eps = 0: the posterior)."""
    if eps == 0:
        dens = lambda m: stats.norm.pdf(m, xbar, S)
    else:
        dens = lambda m: stats.norm.cdf((xbar + eps - m) / S) - stats.norm.cdf((xbar - eps - m) / S)
    lo, hi = max(low, xbar - eps - 12 * S), min(high, xbar + eps + 12 * S)
    z = integrate.quad(dens, lo, hi, limit=200)[0]
    m1 = integrate.quad(lambda m: m * dens(m), lo, hi, limit=200)[0] / z
    m2 = integrate.quad(lambda m: m * m * dens(m), lo, hi, limit=200)[0] / z
    return m1, np.sqrt(m2 - m1 * m1)


def weighted(x, w):
    w = w / w.sum()
    mean = np.sum(w * x)
    sd = np.sqrt(np.sum(w * (x - mean) ** 2))
    ess = 1 / np.sum(w * w)
    return mean, sd, ess


def weighted_ks(x1, w1, x2, w2):
    grid = np.sort(np.concatenate([x1, x2]))
    def ecdf(x, w):
        o = np.argsort(x)
        c = np.cumsum(w[o]) / w.sum()
        return np.interp(grid, x[o], c, left=0, right=1)
    return np.abs(ecdf(x1, w1) - ecdf(x2, w2)).max()


def run_pyabc(xbar, low, high, db):
    np.random.seed(SEED)

    def model(p):
        return {"mean": p["mu"] + SIGMA * np.random.randn(NOBS).mean()}

    prior = pyabc.Distribution(mu=pyabc.RV("uniform", low, high - low))
    abc = pyabc.ABCSMC(
        model, prior, lambda x, x0: abs(x["mean"] - x0["mean"]),
        population_size=N,
        transitions=pyabc.MultivariateNormalTransition(
            scaling=2, bandwidth_selector=lambda n, d: 1.0),
        eps=pyabc.QuantileEpsilon(initial_epsilon="from_sample", alpha=0.5, weighted=True),
        sampler=pyabc.sampler.SingleCoreSampler(),
    )
    if os.path.exists(db):
        os.remove(db)
    abc.new("sqlite:///" + db, {"mean": xbar})
    start = time.time()
    h = abc.run(max_nr_populations=G)
    elapsed = time.time() - start
    df, w = h.get_distribution(m=0, t=h.max_t)
    pops = h.get_all_populations()
    pops = pops[pops.t >= 0]
    return (df["mu"].to_numpy(), np.asarray(w), list(pops.epsilon), list(pops.samples),
            elapsed)


for case in cases:
    name, xbar, low, high = case.split(":")
    xbar, low, high = float(xbar), float(low), float(high)
    log = open(os.path.join(out, f"grapevine-{name}.log")).read().split("\n")
    g_eps = [float(l.split()[3]) for l in log if l.startswith("generation")]
    g_runs = [int(l.split()[5]) for l in log if l.startswith("generation")]
    post = np.genfromtxt(os.path.join(out, f"grapevine-{name}", "posterior.csv"),
                         delimiter=",", names=True)
    gx, gw = post["mu"], post["weight"]
    px, pw, p_eps, p_runs, p_time = run_pyabc(xbar, low, high,
                                              os.path.join(out, f"pyabc-{name}.db"))
    gm, gs, gess = weighted(gx, gw)
    pm, ps, pess = weighted(px, pw)
    ge, pe = g_eps[-1], p_eps[-1]
    exact = abc_target(xbar, low, high, 0)
    gt = abc_target(xbar, low, high, ge)
    pt = abc_target(xbar, low, high, pe)
    print(f"\ncase {name}: xbar = {xbar}, prior [{low}, {high}], N = {N}")
    print("  tolerance schedule (Grapevine generation t + 1 | pyabc generation t):")
    for t in range(max(len(g_eps) - 1, len(p_eps))):
        a = f"{g_eps[t + 1]:.5f} ({g_runs[t + 1]} runs)" if t + 1 < len(g_eps) else ""
        b = f"{p_eps[t]:.5f} ({p_runs[t]} runs)" if t < len(p_eps) else ""
        print(f"    {t:2}  {a:>24} | {b:>24}")
    print(f"  {'':10} {'mean':>8} {'sd':>8} {'eps':>8} {'ESS':>7} {'runs':>7} | "
          f"{'target mean':>11} {'target sd':>9}")
    print(f"  {'analytic':10} {exact[0]:8.4f} {exact[1]:8.4f} {0:8.4f} {'':>7} {'':>7} |")
    print(f"  {'Grapevine':10} {gm:8.4f} {gs:8.4f} {ge:8.4f} {gess:7.0f} {sum(g_runs):7} | "
          f"{gt[0]:11.4f} {gt[1]:9.4f}")
    print(f"  {'pyabc':10} {pm:8.4f} {ps:8.4f} {pe:8.4f} {pess:7.0f} {sum(p_runs):7} | "
          f"{pt[0]:11.4f} {pt[1]:9.4f}   ({p_time:.1f} s)")
    for who, m, s, ess, t in (("Grapevine", gm, gs, gess, gt), ("pyabc", pm, ps, pess, pt)):
        z = abs(m - t[0]) / (t[1] / np.sqrt(ess))
        check(z < 4, f"{who}: mean within 4 SE of the exact ABC posterior at its tolerance ({z:.2f} SE)")
        r = abs(s / t[1] - 1) / (1 / np.sqrt(2 * ess))
        check(r < 4, f"{who}: sd within 4 SE of the exact ABC posterior's ({s:.4f} vs {t[1]:.4f}, {r:.2f} SE)")
    se = np.sqrt(gs ** 2 / gess + ps ** 2 / pess)
    z = abs(gm - pm) / se
    check(z < 4, f"Grapevine and pyabc means within 4 combined SE ({z:.2f})")
    d = weighted_ks(gx, gw, px, pw)
    crit = 1.95 * np.sqrt((gess + pess) / (gess * pess))  # 0.1% level, effective sizes
    check(d < crit, f"weighted KS distance {d:.4f} below {crit:.4f} (0.1% level at the ESS)")
    check(abs(ge / pe - 1) < 0.3, f"final tolerances agree within 30% ({ge:.5f} vs {pe:.5f})")

print()
print("FAIL" if failures else "PASS")
sys.exit(1 if failures else 0)
PY
cat "$OUT/report.txt"

block=$OUT/crosscheck.md
{
    provenance scripts/crosscheck-abc.sh
    echo
    echo "pyabc $PYABC_VERSION, N = $ABC_PARTICLES particles, $ABC_G pyabc generations," \
        "seed $ABC_SEED:"
    echo
    echo '```text'
    sed '/^$/N;/^\n$/D' "$OUT/report.txt"
    echo '```'
} >"$block"
doc_block docs/calibration.md crosscheck "$block"
say "docs/calibration.md: block crosscheck written"
exit $status
