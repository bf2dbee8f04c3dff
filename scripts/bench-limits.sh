#!/usr/bin/env bash
# Worst-case inputs at the default size limit (20 MB): a text file, a JSON transaction export
# of 250,000 rows and a CSV at the 100,000-row limit. Prints wall time and peak resident memory
# of one `compliance scan` each (release build): what a 128 MB Lambda must absorb.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q -p compliance-cli
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 scripts/make-large-inputs.py "$work"
printf '%-12s %10s %10s %14s\n' file size_MB seconds peak_RSS_MB
for f in "$work"/large.*; do
  /usr/bin/time -f '%e %M' -o "$work/time" target/release/compliance scan "$f" --no-store --quiet >/dev/null 2>&1 || true
  read -r seconds max_kb < "$work/time"
  awk -v n="$(basename "$f")" -v b="$(stat -c %s "$f")" -v s="$seconds" -v m="$max_kb" \
    'BEGIN { printf "%-12s %10.1f %10.2f %14.1f\n", n, b / 1e6, s, m / 1024 }'
done
