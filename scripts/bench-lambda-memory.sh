#!/usr/bin/env bash
# Peak resident memory of the processor (release build) handling one S3 event end to end
# against moto server: S3 GetObject, the pipeline, the DynamoDB conditional put, SNS publish.
# Runs a sample document and the worst cases of scripts/bench-limits.sh (20 MB text, 20 MB JSON
# export, 100,000-row CSV). The figure a Lambda memory size must cover, with the runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --locked -q -p processor --example peak_memory
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.venv/bin/moto_server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do (echo > /dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.2; done
python3 scripts/make-large-inputs.py "$work"
printf '%-32s %10s %16s\n' document size_MB peak_RSS
for doc in events/documents/kyc-application-moreno.txt "$work/large.txt" "$work/large.json" "$work/large.csv"; do
  .venv/bin/python scripts/local_aws.py --endpoint "http://127.0.0.1:$port" --document "$doc" >/dev/null
  peak=$(env $(cat target/local-aws/processor.env | xargs) MAX_OBJECT_BYTES=20971520 \
    target/release/examples/peak_memory target/local-aws/s3-put.json | sed -n 's/^peak resident memory //p')
  awk -v n="$(basename "$doc")" -v b="$(stat -c %s "$doc")" -v p="$peak" \
    'BEGIN { printf "%-32s %10.1f %16s\n", n, b / 1e6, p }'
done
