#!/usr/bin/env bash
# Cost against size and work: the national chat mix (scenarios/national.toml) at 10^5 to
# 10^8 users, (a) as shipped (7 days, the rumor spreads) and (b) with a rumor that dies
# at once (nobody forwards: the seeded groups' members read and stop) over a 30-day
# horizon. Prints the time split the CLI reports (population, simulation, output), the
# copies delivered and the peak memory of each run. See docs/performance.md.
#
#   SIZES ["100000 1000000 10000000 100000000"]   users
#   KINDS ["spread dead"]                        which runs
#   THREADS [2]
#   GRAPEVINE [<repo>/target/release/grapevine]  (cargo build --release first)
#
# 10^8 users need about 15 GB of memory and 2-3 minutes per run on 2 cores.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SIZES="${SIZES:-100000 1000000 10000000 100000000}"
KINDS="${KINDS:-spread dead}"
THREADS="${THREADS:-2}"
GRAPEVINE="${GRAPEVINE:-$REPO/target/release/grapevine}"
WORK="${WORK:-$(mktemp -d)}"
mkdir -p "$WORK"
[[ -x "$GRAPEVINE" ]] || { echo "no $GRAPEVINE: run 'cargo build --release' in $REPO" >&2; exit 1; }
# GNU time reports the peak memory; without it (package "time") the column shows "-".
if [[ -x /usr/bin/time ]]; then TIMER=(/usr/bin/time -f "RSS %M"); else TIMER=(); fi

printf "%-7s %11s %10s %12s %10s %12s %10s\n" kind users population simulation output deliveries "peak RSS"
for kind in $KINDS; do
    for n in $SIZES; do
        scn="$WORK/$kind-$n.toml"
        sed -e "s/^users = .*/users = $n/" -e "s/^name = .*/name = \"$kind-$n\"/" \
            "$REPO/scenarios/national.toml" > "$scn"
        if [[ "$kind" == dead ]]; then
            sed -i -e 's/^horizon = .*/horizon = "30d"/' \
                -e 's/^believer = .*/believer = 0.0\nrejecter = 0.0/' "$scn"
        fi
        log="$WORK/$kind-$n.log"
        "${TIMER[@]}" "$GRAPEVINE" run "$scn" --out "$WORK/out-$kind-$n" \
            --threads "$THREADS" > /dev/null 2> "$log" || { cat "$log" >&2; exit 1; }
        split=$(grep '^time:' "$log" | sed -E 's/time: population ([0-9.]+) s, simulation ([0-9.]+) s, output ([0-9.]+) s/\1 \2 \3/')
        deliveries=$(python3 -c "import json,sys; print(int(json.load(open(sys.argv[1]))['aggregate']['deliveries']['median']))" "$WORK/out-$kind-$n/summary.json")
        rss=$(grep '^RSS' "$log" | awk '{printf "%.2f GB", $2 / 1e6}')
        rss="${rss:--}"
        read -r p s o <<< "$split"
        printf "%-7s %11s %9ss %11ss %9ss %12s %10s\n" "$kind" "$n" "$p" "$s" "$o" "$deliveries" "$rss"
    done
done
echo "scenarios and logs in $WORK" >&2
