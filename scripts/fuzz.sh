#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ (see fuzz/README.md) for SECONDS each (default 30), one
# after the other, single-process. The seeds in fuzz/seeds/<target> are read, never written;
# what the fuzzer finds goes to fuzz/corpus/<target> (kept between runs, ignored by git).
# Exits non-zero on the first crash, timeout or out-of-memory, after printing the input that
# caused it (fuzz/artifacts/<target>/...). Stable toolchain: no sanitizer (`-s none`), which
# needs nightly; Rust's own checks (bounds, overflow, debug assertions) are on.
#
#   scripts/fuzz.sh            # 30 s per target (CI)
#   scripts/fuzz.sh 3600       # an hour per target
#   FUZZ_TARGETS="pdf_intake mrz" scripts/fuzz.sh 600
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds=${1:-30}
targets=${FUZZ_TARGETS:-pdf_intake intake_any mrz list_loading event_parsing}
cargo_fuzz_version=0.13.2

if [[ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $cargo_fuzz_version"* ]]; then
  cargo install --locked cargo-fuzz --version "$cargo_fuzz_version"
fi

build=(-s none)
cargo fuzz build "${build[@]}"

for target in $targets; do
  mkdir -p "corpus/$target"
  log="artifacts/$target.log"
  mkdir -p artifacts
  echo "== $target: ${seconds}s"
  status=0
  cargo fuzz run "${build[@]}" "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=512 -timeout=10 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|^Done ' "$log" || true
  if ((status != 0)); then
    tail -n 60 "$log"
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    echo "FUZZ FAILURE in $target (exit $status); input: ${artifact:-fuzz/artifacts/$target/}" >&2
    echo "reproduce: cd fuzz && cargo fuzz run -s none $target ${artifact:-artifacts/$target/<file>}" >&2
    exit 1
  fi
done
echo "fuzzing passed: $targets (${seconds}s each)"
