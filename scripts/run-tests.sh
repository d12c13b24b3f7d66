#!/usr/bin/env bash
# Start the real services (unless their URLs are given), run lint and the whole suite,
# and stop what was started, whatever the outcome.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
# Only a node this script starts may be stopped and started again by the fault tests.
if [[ -z "${ELASTICSEARCH_URL:-}" ]]; then export PORTAL_MANAGED_ELASTICSEARCH=1; fi

trap 'scripts/services.sh stop' EXIT
exports=$(scripts/services.sh start)
eval "$exports"
export REQUIRE_REAL_SERVICES=1
export ELASTICSEARCH_INDEX_PREFIX="${ELASTICSEARCH_INDEX_PREFIX:-portal-test}"
echo "services ready after $(( $(date +%s) - started )) s" >&2

.venv/bin/ruff check .
.venv/bin/lint-imports # the layers: foundation ← enterprises ← cases ← search ← portal
.venv/bin/python manage.py makemigrations --check --dry-run
scripts/browser.sh ensure # Chromium and CJK fonts for the browser tests (tests/e2e)
if [[ $# -gt 0 ]]; then
  .venv/bin/pytest "$@"
else
  # Two cores: two workers, each with its own test database, index prefix and Redis database
  # (tests/conftest.py); a test file stays on one worker so its module fixtures are built once.
  # The tests that commit (browser tests, the live server) empty every table at their end, so
  # they come after the others, on the same databases; then, alone, the tests that stop shared
  # services or use the shared Celery queue.
  # Every part runs even when one fails, so one run shows every failure.
  workers=(-n "${PYTEST_WORKERS:-2}" --dist loadfile)
  failed=0
  .venv/bin/pytest "${workers[@]}" -m "not serial and not transactional" --durations=20 || failed=1
  .venv/bin/pytest "${workers[@]}" -m "transactional and not serial" --reuse-db --durations=10 ||
    failed=1
  .venv/bin/pytest -m serial --durations=10 || failed=1
  echo "make test took $(( $(date +%s) - started )) s" >&2
  exit "$failed"
fi
echo "make test took $(( $(date +%s) - started )) s" >&2
