#!/usr/bin/env bash
# Build everything and run the demo: web (gunicorn), task worker and clock, on SQLite, with the demo district.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh base
py=.venv/bin/python
port=${FENGQIAO_PORT:-8000}
$py manage.py migrate --noinput -v0
$py manage.py triage_train --if-missing  # the message classifier (about 30 s the first time)
$py manage.py collectstatic --noinput -v0
$py manage.py seed_demo
$py manage.py triage_index --since 400  # the simulated year was written without the intake: index it for duplicates
trap 'trap - EXIT INT TERM; kill 0 2>/dev/null' EXIT INT TERM
.venv/bin/gunicorn fengqiao.wsgi -c gunicorn.conf.py -b "127.0.0.1:$port" --access-logfile - &
$py manage.py db_worker --interval 1 &
FENGQIAO_DEMO_LIVE_SECONDS=${FENGQIAO_DEMO_LIVE_SECONDS:-20} $py manage.py clock &
sleep 1
echo
echo "Fengqiao demo is running at http://127.0.0.1:$port  (password for every demo login: fengqiao; Ctrl-C stops)"
wait -n
