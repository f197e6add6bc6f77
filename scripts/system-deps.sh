#!/usr/bin/env bash
# Debian packages the browser tests need: Chromium (driven by Playwright; never `playwright install`) and a CJK
# font so Chinese renders in screenshots and report charts; LibreOffice Writer and poppler to check that the
# monthly report converts to PDF. Installs what is missing; fails loudly when it cannot.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
command -v libreoffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run: sudo apt-get install -y ${missing[*]})" >&2
  exit 1
fi
echo "installing ${missing[*]} ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
