# Shared by tools/setup_env.sh and tools/in_env: where the tested environment is and whether this machine is it.
# shellcheck shell=bash
TIANGUAN_ROOT=${TIANGUAN_ROOT:-/var/cache/linxia_tianguan/debian13}
ROOT_VENV=/opt/tianguan-venv  # the project's venv inside the Debian 13 root (shared by every checkout)

target_is_native() {  # Debian 13 or later (or TIANGUAN_NATIVE=1 on a machine that has QGIS >= 3.34 itself)
  [ "${TIANGUAN_NATIVE:-}" = 1 ] && return 0
  [ "${TIANGUAN_NATIVE:-}" = 0 ] && return 1
  [ -r /etc/os-release ] || return 1
  local id version
  id=$(. /etc/os-release && echo "${ID:-}")
  version=$(. /etc/os-release && echo "${VERSION_ID:-0}")
  [ "$id" = debian ] && [ "${version%%.*}" -ge 13 ] 2>/dev/null
}

host_mirror() {  # the Debian mirror this machine's apt already uses
  local uri
  uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -1)
  [ -n "$uri" ] || uri=$(grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
                         | awk '{print $2}' | grep -v security | head -1)
  [ -n "$uri" ] || { echo "no Debian mirror found in this machine's apt sources" >&2; return 1; }
  echo "${uri%/}"
}
