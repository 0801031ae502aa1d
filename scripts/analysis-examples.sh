#!/usr/bin/env bash
# Regenerates everything docs/analysis.md quotes: runs the three commands of the
# walk-through (questions a, b, c) with a release build, and writes each command and
# its printed output between the generated markers of docs/analysis.md
#
#     <!-- analysis-NAME:begin -->
#     ...
#     <!-- analysis-NAME:end -->
#
# so the document never holds hand-copied output. The charts it refers to are written
# under output/analysis/ (generated data is not committed). About five minutes on two
# cores.
#
# Usage: scripts/analysis-examples.sh            (from anywhere in the repository)
#        scripts/analysis-examples.sh b c        (only the blocks named)
#        GRAPEVINE=path/to/grapevine scripts/analysis-examples.sh   (a given binary)
set -euo pipefail

cd "$(dirname "$0")/.."
doc=docs/analysis.md
out=output/analysis
if [[ -z "${GRAPEVINE:-}" ]]; then
  cargo build --release --quiet
  GRAPEVINE=target/release/grapevine
fi
blocks=" ${*:-a b c} "
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run NAME ARGS...: runs `grapevine ARGS...`, keeps the command and its standard output
# as block NAME.
run() {
  local name=$1
  shift
  [[ $blocks == *" $name "* ]] || return 0
  rm -rf "${out:?}/$name"
  echo "== $name: grapevine $*" >&2
  {
    echo '```text'
    echo "\$ grapevine $*"
    "$GRAPEVINE" "$@"
    echo '```'
  } >"$tmp/$name.block"
}

# (a) Forward limit 5 instead of 20 in Brazil 2018: reach by 48 hours and by election
# day, paired by replicate (same seed), 100 replicates each.
run a compare scenarios/brazil-2018/limit-20.toml scenarios/brazil-2018/limit-5.toml \
  --replicates 100 --at 48h,election-day --out "$out/a" --quiet

# (b) The brand's response time against the chance of press pickup.
run b sweep scenarios/sweeps/brand-response-time.toml --out "$out/b" --quiet
# The response times crowd at the left of a linear axis: the same chart on a log axis.
if [[ $blocks == *" b "* ]]; then
  "$GRAPEVINE" plot "$out/b" --x "interventions[0].at" --y press --log-x >/dev/null
fi

# (c) Which parameters matter most (Morris screening).
run c sweep scenarios/sweeps/brazil-sensitivity.toml --out "$out/c" --quiet

# Replace each block of the document by its new text.
for block in "$tmp"/*.block; do
  [[ -e $block ]] || continue
  name=$(basename "$block" .block)
  grep -q "<!-- analysis-$name:begin -->" "$doc" || {
    echo "$doc has no <!-- analysis-$name:begin --> marker" >&2
    exit 1
  }
  awk -v name="$name" -v file="$block" '
    $0 == "<!-- analysis-" name ":begin -->" {
      print; while ((getline line < file) > 0) print line; skip = 1; next
    }
    $0 == "<!-- analysis-" name ":end -->" { skip = 0 }
    !skip { print }
  ' "$doc" >"$tmp/doc.md"
  cp "$tmp/doc.md" "$doc"
done
echo "rewrote the generated blocks of $doc; charts are in $out/" >&2
