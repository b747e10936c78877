#!/usr/bin/env bash
# Installs the browser tests' JavaScript tools (axe-core) from the npm registry into node_modules,
# exactly as package-lock.json pins them, when node_modules is missing or older than the lock.
# Nothing is ever loaded from a CDN: the e2e tests inject node_modules/axe-core/axe.min.js.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=node_modules/.package-lock.json
if [[ -f "$stamp" && -f node_modules/axe-core/axe.min.js && ! package-lock.json -nt "$stamp" ]]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "npm is missing: the accessibility checks need it to install axe-core." \
    "Install Node.js and npm (make test does it: PMA_WITH_TEST_SERVERS=1 scripts/system-deps.sh)." >&2
  exit 1
fi
echo "Installing axe-core from the npm registry (npm ci)"
# --ignore-scripts: no package runs code at install time.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
# npm ci writes the hidden lock with the files' own times; touch it so the next run sees it is fresh.
touch "$stamp"
