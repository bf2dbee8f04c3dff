#!/usr/bin/env bash
# Lints template.yaml: cfn-lint (from .venv) and checkov (in a virtualenv of its own,
# .venv-checkov: its pinned dependencies would fight moto's). Every checkov suppression sits
# in the template beside the resource it concerns, with its reason.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/cfn-lint template.yaml

python=${PYTHON:-python3}
if [ ! -x .venv-checkov/bin/python ]; then
  "$python" -m venv .venv-checkov
fi
stamp=.venv-checkov/.installed-$(sha256sum scripts/requirements-checkov.txt | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv-checkov/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-checkov.txt
  touch "$stamp"
fi
# --skip-download: no call to the vendor's platform (offline CI, and nothing leaves the machine).
.venv-checkov/bin/checkov --file template.yaml --framework cloudformation --compact --quiet \
  --skip-download
