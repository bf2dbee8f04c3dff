#!/usr/bin/env bash
# Throughput and peak memory of the pipeline on the sample documents: copies every sample N times
# (default 50) into a temporary folder and times one `compliance scan` over all of them with the
# release build. Prints documents per second and the peak resident set size; then the same with
# every copy as one customer (`--customer-pattern '{customer_id}/{file}'`): the cost of identity
# prints and of recomputing each customer's view after every document.
set -euo pipefail
cd "$(dirname "$0")/.."
copies=${1:-50}
cargo build --release --locked -q -p compliance-cli
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in $(seq 1 "$copies"); do
  mkdir -p "$work/$i"
  cp -r events/documents/. "$work/$i/"
done
docs=$(find "$work" -type f | wc -l)
measure() {
  /usr/bin/time -f '%e %M' -o "$work.time" target/release/compliance scan "$work" --no-store --json --quiet "$@" >/dev/null 2>&1 || true
  read -r seconds max_kb < "$work.time"
  rm -f "$work.time"
  awk -v d="$docs" -v s="$seconds" -v m="$max_kb" 'BEGIN {
    printf "documents: %d\nwall time: %.2f s\nthroughput: %.0f documents/s\npeak RSS: %.1f MB\n", d, s, (s > 0 ? d / s : 0), m / 1024 }'
}
echo "== no customer"
measure
echo "== each copy one customer ($copies customers)"
measure --customer-pattern '{customer_id}/{file}'
