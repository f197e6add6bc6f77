#!/usr/bin/env bash
# Run the whole test suite (SQLite by default; set FENGQIAO_DATABASE_URL for PostgreSQL). Extra args go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/system-deps.sh
./scripts/bootstrap.sh dev
# One worker per core by default (FENGQIAO_TEST_WORKERS=0 runs in one process, e.g. to debug).
exec .venv/bin/python -m pytest --create-db -n "${FENGQIAO_TEST_WORKERS:-auto}" "$@"
