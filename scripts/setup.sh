#!/usr/bin/env bash
# Shared set-up for ./run and ./test: system packages (when root), a virtualenv, pinned packages.
# Usage: scripts/setup.sh run|test
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-run}"

# weasyprint needs Pango; documents use the Times-metric Liberation Serif with Vietnamese glyphs.
apt_run=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-liberation2 fonts-dejavu-core)
# Tests also read PDFs back (poppler-utils), drive Debian's Chromium, and open every spreadsheet
# export in LibreOffice (libreoffice-calc-nogui: no formula may come from user data); the province
# drill (bench/province_drill.py, run by tests/drills) puts nginx in front of its web nodes.
apt_test=(poppler-utils chromium libreoffice-calc-nogui nginx-light)
want=("${apt_run[@]}")
[ "$purpose" = test ] && want+=("${apt_test[@]}")

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "!! Thiếu gói hệ thống: ${missing[*]}" >&2
    echo "!! Chạy: sudo apt-get install ${missing[*]}" >&2
  fi
fi

python="${PYTHON:-python3}"
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
  echo "!! Cần Python 3.11 trở lên (đang có $("$python" --version 2>&1))." >&2; exit 1; }
[ -x .venv/bin/python ] || { echo "==> python -m venv .venv"; "$python" -m venv .venv; }

stamp=.venv/.requirements.sha
want_hash=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want_hash" ]; then
  echo "==> pip install -r requirements-dev.txt"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements-dev.txt
  echo "$want_hash" > "$stamp"
fi
