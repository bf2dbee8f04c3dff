#!/usr/bin/env bash
# Installs what the tests need into a project-local virtualenv (.venv): the moto AWS emulator and
# cfn-lint. Pass --lambda to add cargo-lambda and zig for building the Lambda. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=.venv/.installed-$(cat scripts/requirements-dev.txt scripts/requirements-lambda.txt | sha256sum | cut -c1-16)-${1:-dev}
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-dev.txt
  if [ "${1:-}" = "--lambda" ]; then
    .venv/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-lambda.txt
  fi
  touch "$stamp"
fi
