#!/usr/bin/env bash
# The whole test suite: unit tests, fixture tests over real data, CLI tests, and the AWS path
# against moto server (started by the tests themselves on a free loopback port).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export MOTO_SERVER="$PWD/.venv/bin/moto_server"
cargo test --workspace --locked "$@"
