#!/usr/bin/env bash
# `make test`: the whole suite, then Django's checks. Fails on "no tests collected" too.
set -uo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=config.settings.test
PY=.venv/bin/python
mkdir -p var

status=0
.venv/bin/pytest -q -p no:cacheprovider ${PYTEST_ARGS:-} || status=$?
if [[ $status -eq 5 ]]; then
  echo "pytest collected no tests: that is a failure here." >&2
  exit 1
fi
[[ $status -ne 0 ]] && exit $status

$PY manage.py check --fail-level WARNING || exit 1
$PY manage.py makemigrations --check --dry-run || { echo "Models changed without a migration." >&2; exit 1; }
echo "make test: all green."
