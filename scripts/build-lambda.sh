#!/usr/bin/env bash
# Cross-compiles the stack's Lambdas for arm64 (provided.al2023) with cargo-lambda and zig.
# Output: target/lambda/<function>/bootstrap (what `sam build` also produces).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --lambda
export PATH="$PWD/.venv/bin:$PATH"
rustup target add aarch64-unknown-linux-gnu >/dev/null 2>&1 || true
cargo lambda build --release --arm64 -p processor -p audit-api -p notifier -p compliance-lists-refresh \
  -p rescreen --locked "$@"
ls -l target/lambda/processor/bootstrap target/lambda/audit-api/bootstrap \
  target/lambda/notifier/bootstrap target/lambda/lists-refresh/bootstrap \
  target/lambda/rescreen/bootstrap
# The deployment packages as SAM uploads them: bootstrap alone, deflated.
for f in target/lambda/*/bootstrap; do
  python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1] + ".zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.write(sys.argv[1], "bootstrap")' "$f"
done
ls -l target/lambda/*/bootstrap.zip
