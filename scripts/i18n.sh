#!/usr/bin/env bash
# Refresh the Simplified Chinese catalog: extract msgids into locale/zh_Hans/LC_MESSAGES/django.po
# (existing translations are kept by msgmerge; new strings arrive with an empty msgstr, changed ones
# as "#, fuzzy" -- translate them and drop the flag), then compile django.mo. Needs GNU gettext.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python manage.py makemessages -l zh_Hans \
    --ignore=.venv --ignore=var --ignore=node_modules --ignore="territory/demo/*" \
    --no-obsolete
.venv/bin/python manage.py compilemessages -l zh_Hans --ignore=.venv
# Point out what still needs a translator in every catalog (empty or fuzzy entries; the header is skipped).
for po in locale/zh_Hans/LC_MESSAGES/django.po */locale/zh_Hans/LC_MESSAGES/django.po; do
    echo "$po: $(msgfmt --check --statistics -o /dev/null "$po" 2>&1 | tail -1)"
done
