#!/usr/bin/env bash
# `make test`: the whole suite on SQLite, again on a throwaway PostgreSQL server, then Django's
# checks. Fails on "no tests collected" too. PMA_TEST_POSTGRES=0 skips the PostgreSQL run
# (say so in a review: CI must not). The PostgreSQL run leaves out `sandbox` and `e2e` tests,
# which exercise the kernel sandbox and the browser, not the database engine, but keeps the
# `integration` ones: Redis, RQ worker processes and the fault tests need a database that several
# processes share, so they only run there.
set -uo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=config.settings.test
PY=.venv/bin/python
mkdir -p var
# The suite must not pick up an operator's database by accident.
unset DATABASE_URL

# run_pytest LABEL [pytest arguments...]: prints a banner, runs, fails on errors or no tests.
run_pytest() {
  local label=$1 status=0 started
  shift
  echo
  echo "==================== $label ===================="
  started=$(date +%s)
  # shellcheck disable=SC2086 # PYTEST_ARGS is a list of words on purpose.
  .venv/bin/pytest -q -p no:cacheprovider "$@" ${PYTEST_ARGS:-} || status=$?
  timings+=("$label: $(( $(date +%s) - started )) s")
  if [[ $status -eq 5 ]]; then
    echo "$label: pytest collected no tests: that is a failure here." >&2
    return 1
  fi
  [[ $status -eq 0 ]] || echo "$label: FAILED (pytest exit status $status)" >&2
  return $status
}

bash scripts/node-deps.sh || exit 1
timings=()
run_pytest "Test suite on SQLite" || exit $?

if [[ "${PMA_TEST_POSTGRES:-1}" != "0" ]]; then
  # shellcheck source=scripts/postgres.sh
  source scripts/postgres.sh
  trap pg_throwaway_stop EXIT INT TERM
  pg_throwaway_start || { echo "Could not start PostgreSQL for the second run." >&2; exit 1; }
  run_pytest "Test suite on PostgreSQL (database-bound tests, plus the Redis/RQ integration and fault tests)" -m "(not sandbox and not e2e) or integration" \
    || exit $?
  pg_throwaway_stop
  trap - EXIT INT TERM
else
  echo "PMA_TEST_POSTGRES=0: the PostgreSQL run is skipped." >&2
fi

echo
echo "==================== Django checks ===================="
$PY manage.py check --fail-level WARNING || exit 1
$PY manage.py makemigrations --check --dry-run || { echo "Models changed without a migration." >&2; exit 1; }
echo
printf 'Timings: %s\n' "${timings[@]}"
echo "make test: all green."
