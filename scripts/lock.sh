#!/usr/bin/env bash
# Re-resolve requirements/*.in into exact pins (requirements/*.lock) in throwaway virtual environments.
set -euo pipefail
cd "$(dirname "$0")/.."
for kind in base dev; do
  tmp=$(mktemp -d)
  python3.11 -m venv "$tmp" 2>/dev/null || python3 -m venv "$tmp"
  "$tmp/bin/pip" install --quiet --disable-pip-version-check -r "requirements/$kind.in"
  { echo "# Exact versions resolved from requirements/$kind.in by scripts/lock.sh."; "$tmp/bin/pip" freeze; } > "requirements/$kind.lock"
  rm -rf "$tmp"
done
