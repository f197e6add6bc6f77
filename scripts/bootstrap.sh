#!/usr/bin/env bash
# Create .venv (Python 3.11) and install the pinned packages of requirements/<base|dev>.lock when they changed.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-base}
lock=requirements/$kind.lock
python=${FENGQIAO_PYTHON:-$(command -v python3.11 || command -v python3)}
if ! "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "Fengqiao needs Python 3.11; $python is $("$python" --version 2>&1). Set FENGQIAO_PYTHON." >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
stamp=.venv/.installed-$kind
if [ ! -f "$stamp" ] || ! cmp -s "$lock" "$stamp"; then
  echo "installing $lock into .venv ..."
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$lock"
  cp "$lock" "$stamp"
fi
