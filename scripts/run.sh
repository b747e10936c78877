#!/usr/bin/env bash
# `make run`: migrate, load the demo course, create demo accounts, then serve the site and run
# the background-task worker together. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.dev}
PY=.venv/bin/python
mkdir -p var

$PY manage.py migrate --noinput
# Validates the demo exercises in the sandbox on the first run (about 25 s once), so learners can
# submit as soon as the site is up; later runs find nothing to do.
$PY manage.py load_demo --validate-now
$PY manage.py create_demo_accounts
$PY manage.py check_sandbox || echo "Grading is unavailable until the sandbox can run (see above); the site still starts."

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

$PY manage.py task_worker --queue-name '*' --exclude-queues runs &
pids+=($!)
# "Run to here" (learners running their notebook without using an attempt) has its own queue and
# worker, at a lower CPU priority, so runs never delay grading (docs/operations.md).
nice -n 10 $PY manage.py task_worker --queue-name runs &
pids+=($!)
# Re-queues submissions whose worker died mid-grade (see docs/operations.md).
$PY manage.py grading_reaper &
pids+=($!)
# Reminds learners of exercises due within 48 hours and retries failed e-mail (docs/operations.md).
$PY manage.py notify_due_soon &
pids+=($!)
# Anonymises accounts whose deletion grace period is over, and deletes expired data exports
# (docs/privacy.md).
$PY manage.py process_erasures &
pids+=($!)
echo "PM Academy is starting on http://127.0.0.1:8000 (Ctrl-C stops the site and the worker)"
$PY manage.py runserver 127.0.0.1:8000 &
pids+=($!)
wait -n "${pids[@]}"
