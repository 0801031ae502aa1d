#!/bin/bash
# The four example reports (not in CI): the baseline run, the Brazil 2018 comparison of
# the reference with its ten variants (forward limits, fact-checks, moderation, bans),
# the brand-complaint response-time sweep and the Brazil sensitivity analysis, each with
# --report, then rendered by scripts/screenshot-report.sh to a full-page PNG and A4 PDF
# pages for a look as a reader sees them. Prints each report's size and page count.
#
#   scripts/example-reports.sh                # everything into target/example-reports/
#   OUT=/tmp/reports scripts/example-reports.sh
#   SHOTS=0 scripts/example-reports.sh        # reports only, no browser
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
OUT=${OUT:-$REPO/target/example-reports}
mkdir -p "$OUT"
cargo build --release --quiet
G=target/release/grapevine

$G run scenarios/baseline.toml --out "$OUT/baseline" --report --quiet
$G compare scenarios/brazil-2018.toml scenarios/brazil-2018/*.toml --at 48h,election-day \
    --out "$OUT/brazil-2018-compared" --report --quiet >/dev/null
$G sweep scenarios/sweeps/brand-response-time.toml --out "$OUT/brand-response-time" \
    --report --quiet >/dev/null
$G sweep scenarios/sweeps/brazil-sensitivity.toml --out "$OUT/brazil-sensitivity" \
    --report --quiet >/dev/null

for d in baseline brazil-2018-compared brand-response-time brazil-sensitivity; do
    report=$OUT/$d/report.html
    size=$(stat -c %s "$report")
    if [ "${SHOTS:-1}" != 0 ]; then
        pages=$(scripts/screenshot-report.sh "$report" "$OUT/shots/$d" | awk '/^pages:/ {print $2}')
        echo "$report: $((size / 1024)) KiB, $pages A4 pages; screenshots in $OUT/shots/$d"
    else
        echo "$report: $((size / 1024)) KiB"
    fi
done
