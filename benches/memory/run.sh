#!/usr/bin/env bash
# Memory estimate against the measured peak: scenarios/baseline.toml at 10^5, 10^6 and
# 10^7 users (as shipped otherwise: 20 replicates of 7 days), run with --threads 2.
# Prints, per size, the estimate `grapevine check` gives (the figure the memory guard
# compares with what the process may use), the peak resident memory GNU time measured
# (VmHWM) and their ratio. The guard's promise: within 25% at every size. See
# docs/performance.md.
#
#   SIZES ["100000 1000000 10000000"]           users
#   THREADS [2]
#   REPLICATES [as in the scenario]
#   GRAPEVINE [<repo>/target/release/grapevine] (cargo build --release first)
#
# 10^7 users need about 3 GB of memory and 4-5 minutes on 2 cores.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SIZES="${SIZES:-100000 1000000 10000000}"
THREADS="${THREADS:-2}"
GRAPEVINE="${GRAPEVINE:-$REPO/target/release/grapevine}"
WORK="${WORK:-$(mktemp -d)}"
mkdir -p "$WORK"
[[ -x "$GRAPEVINE" ]] || { echo "no $GRAPEVINE: run 'cargo build --release' in $REPO" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "needs GNU time (/usr/bin/time, package \"time\")" >&2; exit 1; }
extra=()
[[ -n "${REPLICATES:-}" ]] && extra=(--replicates "$REPLICATES")

# "about 2.8 GiB in all" -> bytes
to_bytes() {
    awk '{ for (i = 1; i <= NF; i++) if ($i == "about") { v = $(i + 1); u = $(i + 2) } }
         END { m = (u == "KiB") ? 1024 : (u == "MiB") ? 1048576 : (u == "GiB") ? 1073741824 : (u == "TiB") ? 1099511627776 : 1;
               printf "%.0f\n", v * m }'
}

printf "%10s %12s %12s %8s\n" users estimate "peak RSS" "est/peak"
for n in $SIZES; do
    scn="$WORK/baseline-$n.toml"
    sed -e "s/^users = .*/users = $n/" "$REPO/scenarios/baseline.toml" > "$scn"
    est=$("$GRAPEVINE" check "$scn" --threads "$THREADS" | grep '^  memory:' | to_bytes)
    log="$WORK/run-$n.log"
    /usr/bin/time -f "RSS %M" "$GRAPEVINE" run "$scn" --out "$WORK/out-$n" --threads "$THREADS" \
        --quiet "${extra[@]}" > /dev/null 2> "$log" || { cat "$log" >&2; exit 1; }
    rss_kib=$(grep '^RSS' "$log" | awk '{print $2}')
    awk -v n="$n" -v e="$est" -v r="$rss_kib" 'BEGIN {
        p = r * 1024
        printf "%10d %8.1f MiB %8.1f MiB %8.2f\n", n, e / 1048576, p / 1048576, e / p }'
done
echo "scenarios and logs in $WORK" >&2
