#!/usr/bin/env bash
# Install what is missing for the demo, the tests and the benchmarks on Debian 12, then
# create/refresh the project venv. Idempotent and quick when everything is already there:
# apt runs only for missing packages, pip only when requirements.txt changed.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  qgis python3-qgis qgis-providers python3-gdal python3-pyproj python3-psycopg2
  python3-venv python3-pip
  pyqt5-dev-tools qttools5-dev-tools          # pylupdate5 / lrelease for translations
  xvfb xauth                                  # real QGIS desktop smoke tests
  fonts-wqy-microhei                          # CJK font: Chinese in PDFs instead of boxes
  postgresql-15 postgresql-15-postgis-3       # the shared case store (tests start throwaway clusters)
  zbar-tools                                  # zbarimg: tests decode the QR codes the plugin draws
  poppler-utils                               # pdfinfo / pdftotext: tests read the PDFs the plugin prints
  zip make
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "[setup] apt: installing ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "[setup] need root to install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

VENV=.venv
if [ ! -x "$VENV/bin/python" ]; then
  echo "[setup] creating $VENV from /usr/bin/python3 (--system-site-packages)"
  /usr/bin/python3 -m venv --system-site-packages "$VENV"
fi
# pyproj looks for PROJ's data under sys.prefix, which in a venv is the venv itself
if [ -d /usr/share/proj ] && [ ! -e "$VENV/share/proj" ]; then
  mkdir -p "$VENV/share" && ln -s /usr/share/proj "$VENV/share/proj"
fi
stamp="$VENV/.requirements.$(sha1sum requirements.txt | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  echo "[setup] pip: installing requirements.txt"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements.txt
  rm -f "$VENV"/.requirements.*
  touch "$stamp"
fi
