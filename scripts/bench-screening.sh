#!/usr/bin/env bash
# Sanctions screening figures on the full OFAC SDN (2021) and UN consolidated lists:
#  1. criterion: list parsing and index build (the cold start), names screened per second on
#     one core;
#  2. the release `compliance screen` over a batch of names, from process start to exit, with
#     its peak resident set size (what a Lambda must hold);
#  3. the cold load of the lists folder with and without its saved index (`index.bin`), wall
#     time and peak RSS (`examples/screen_lists`);
#  4. accuracy on the labelled name pairs (`compliance match`).
# Usage: scripts/bench-screening.sh [NAMES] (default 20000 names in the batch)
set -euo pipefail
cd "$(dirname "$0")/.."
names=${1:-20000}
fixtures=functions/core/tests/fixtures

cargo bench -p compliance-core --bench screening
cargo build --release -p compliance-cli

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/lists"
cp "$fixtures"/lists/ofac-2021/*.csv "$fixtures/lists/un/UN_consolidated.xml" "$work/lists/"
# A batch of real names: both columns of the labelled pairs, repeated up to NAMES lines.
python3 - "$fixtures/name-matching/name_pairs.csv" "$names" > "$work/names.txt" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
pool = [r["name1"] for r in rows] + [r["name2"] for r in rows]
n = int(sys.argv[2])
for i in range(n):
    print(pool[i % len(pool)])
PY

/usr/bin/time -f '%e %M' -o "$work/time" target/release/compliance screen --lists "$work/lists" \
  --input "$work/names.txt" --json > "$work/out.jsonl"
read -r seconds max_kb < "$work/time"
hits=$(grep -c '"hits":\[{' "$work/out.jsonl" || true)
/usr/bin/time -f '%e %M' -o "$work/time0" target/release/compliance screen --lists "$work/lists" \
  --json "nobody" > /dev/null
read -r start_seconds start_kb < "$work/time0"
awk -v n="$names" -v s="$seconds" -v m="$max_kb" -v h="$hits" -v s0="$start_seconds" -v m0="$start_kb" 'BEGIN {
  printf "batch of %d names: %.2f s wall (process start, list load, index, screening), %d with hits\n", n, s, h
  printf "one name (cold start + one screen): %.2f s, peak RSS %.1f MB\n", s0, m0 / 1024
  printf "batch peak RSS: %.1f MB\n", m / 1024 }'

# The saved index: written into the folder, then the cold load with and without it.
cargo build --release -p compliance-core --example screen_lists
SAVED_INDEX_DIR="$work/lists" cargo test --release -p compliance-core --test saved_index -- \
  --ignored write_index_into_folder > /dev/null
for mode in --parse ""; do
  /usr/bin/time -f "%e s wall, peak RSS %M KB" target/release/examples/screen_lists "$work/lists" \
    nobody $mode
done

target/release/compliance match --pairs "$fixtures/name-matching/name_pairs.csv" > /dev/null
