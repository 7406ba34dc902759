#!/usr/bin/env bash
# Install what is missing for the demo, the tests and the benchmarks, on the tested target: QGIS 3.40 LTR
# from Debian 13 (Python 3.13, numpy 2, shapely 2.1, GEOS 3.13, GDAL 3.10, PostgreSQL 17 + PostGIS).
#
# - On Debian 13 (or later) the packages are installed on the machine itself and a venv .venv is made
#   from /usr/bin/python3 with --system-site-packages.
# - On Debian 12 (the machines here; its QGIS 3.22 is end of life and outside the supported range) a
#   Debian 13 root is built once with debootstrap under $TIANGUAN_ROOT (default
#   /var/cache/linxia_tianguan/debian13, outside the checkout so that every clone reuses it) and the same
#   packages are installed inside it; tools/in_env runs the project's commands in it.
#
# Idempotent and quick when everything is there: apt runs only when a package is missing, pip only when
# requirements.txt changed, debootstrap only when the root does not exist yet (built in a temporary folder and
# renamed, so an interrupted build leaves nothing half made). The Debian mirror is the one this machine's apt
# already uses.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env_common.sh

APT_PACKAGES=(
  qgis python3-qgis qgis-providers python3-gdal python3-pyproj python3-psycopg2
  python3-shapely python3-numpy python3-matplotlib python3-openpyxl python3-pil
  python3-fiona                               # tests only: an independent reader of what the plugin writes
  python3-pytest python3-pytest-timeout
  python3-venv python3-pip
  pyqt5-dev-tools qttools5-dev-tools          # pylupdate5 / lrelease for translations
  xvfb xauth                                  # real QGIS desktop smoke tests
  fonts-wqy-microhei                          # CJK font: Chinese in PDFs instead of boxes
  postgresql-17 postgresql-17-postgis-3       # the shared case store (tests start throwaway clusters)
  zbar-tools                                  # zbarimg: tests decode the QR codes the plugin draws
  poppler-utils                               # pdfinfo / pdftotext: tests read the PDFs the plugin prints
  python3-pyqt6 python3-pyqt6.qsci python3-pyqt6.qtsvg  # make lint: pyqt5to6 introspects Qt6 for the Qt6 spellings
  faketime                                    # the clock check: date-sensitive tests with the clock moved ±1 year
  zip make git ca-certificates tzdata
)

missing_packages() {  # $1: dpkg admin dir prefix ("" or a root)
  local root=$1 p
  for p in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      printf '%s ' "$p"
    fi
  done
}

apt_install() {  # runs inside the target system (the machine itself or the root)
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

make_venv() {  # $1: venv path, as seen inside the target system
  local venv=$1
  local stamp="$venv/.requirements.$(sha1sum requirements.txt | cut -c1-12)"
  if [ ! -x "$venv/bin/python" ]; then
    echo "[setup] creating $venv (--system-site-packages)"
    /usr/bin/python3 -m venv --system-site-packages "$venv"
  fi
  if [ -d /usr/share/proj ] && [ ! -e "$venv/share/proj" ]; then  # pyproj looks for PROJ's data under sys.prefix
    mkdir -p "$venv/share" && ln -s /usr/share/proj "$venv/share/proj"
  fi
  if [ ! -f "$stamp" ]; then
    echo "[setup] pip: installing requirements.txt"
    "$venv/bin/pip" install -q --disable-pip-version-check -r requirements.txt
    rm -f "$venv"/.requirements.*
    touch "$stamp"
  fi
}

need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "[setup] need root to install: $*" >&2
    exit 1
  fi
}

if [ "${1:-}" = "--inside" ]; then  # called by ourselves inside the Debian 13 root
  shift
  missing=$(missing_packages "")
  if [ -n "$missing" ]; then
    echo "[setup] apt (Debian 13 root): installing $missing"
    # shellcheck disable=SC2086
    apt_install $missing
  fi
  # this machine's own certificate authorities (a package proxy may use one), as the machine trusts them
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then update-ca-certificates >/dev/null 2>&1 || true; fi
  make_venv "$ROOT_VENV"
  exit 0
fi

if target_is_native; then
  missing=$(missing_packages "")
  if [ -n "$missing" ]; then
    need_root "$missing"
    echo "[setup] apt: installing $missing"
    # shellcheck disable=SC2086
    apt_install $missing
  fi
  make_venv .venv
  exit 0
fi

# Debian 12 (or another host): the Debian 13 root
if [ ! -f "$TIANGUAN_ROOT/etc/debian_version" ]; then
  need_root "debootstrap and a Debian 13 root under $TIANGUAN_ROOT"
  command -v debootstrap >/dev/null || apt_install debootstrap
  mirror=$(host_mirror)
  tmp="$TIANGUAN_ROOT.partial"
  rm -rf "$tmp"
  mkdir -p "$(dirname "$TIANGUAN_ROOT")"
  echo "[setup] building a Debian 13 (trixie) root in $TIANGUAN_ROOT from $mirror (once, ~2 min)"
  debootstrap --variant=minbase --components=main trixie "$tmp" "$mirror" >"$tmp.log" 2>&1 \
    || { echo "[setup] debootstrap failed, see $tmp.log" >&2; tail -20 "$tmp.log" >&2; exit 1; }
  echo "deb $mirror trixie main" >"$tmp/etc/apt/sources.list"
  mv -T "$tmp" "$TIANGUAN_ROOT"
  rm -f "$tmp.log"
fi
if [ -n "$(missing_packages "$TIANGUAN_ROOT")" ] || ! tools/in_env test -x "$ROOT_VENV/bin/python" \
    || ! tools/in_env test -f "$ROOT_VENV/.requirements.$(sha1sum requirements.txt | cut -c1-12)"; then
  need_root "packages inside $TIANGUAN_ROOT"
  cp -L /etc/resolv.conf "$TIANGUAN_ROOT/etc/resolv.conf" 2>/dev/null || true
  mkdir -p "$TIANGUAN_ROOT/usr/local/share/ca-certificates"
  cp -L /usr/local/share/ca-certificates/*.crt "$TIANGUAN_ROOT/usr/local/share/ca-certificates/" 2>/dev/null || true
  TIANGUAN_IN_ENV_SETUP=1 tools/in_env bash tools/setup_env.sh --inside
fi
