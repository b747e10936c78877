#!/usr/bin/env bash
# `make bench`: every benchmark under bench/ prints its figures. None pass or fail on a time.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.dev}
found=0
for script in bench/*/run.py; do
  [[ -e "$script" ]] || continue
  found=1
  echo "== $script"
  .venv/bin/python "$script"
done
[[ $found -eq 1 ]] || echo "No benchmarks yet."
