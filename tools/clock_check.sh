#!/usr/bin/env bash
# The clock check: the date-sensitive tests (marker "clock") again with the machine's clock moved a year forward
# and a year back (libfaketime), so that a test or a code path that reads the machine's calendar instead of the
# plugin's clock (core.clock) fails today rather than on some later day. Runs inside the tested environment.
set -euo pipefail
cd "$(dirname "$0")/.."
lib=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)
[ -n "$lib" ] || { echo "libfaketime is missing (Debian package faketime; tools/setup_env.sh installs it)" >&2; exit 1; }
py=${TIANGUAN_PYTHON:-python3}
real=$(date -u +%Y)
for offset in +365d -365d; do
  moved=$(FAKETIME="$offset" LD_PRELOAD="$lib" date -u +%Y)
  if [ "$moved" = "$real" ]; then
    echo "[clock-check] libfaketime did not move the clock ($offset): the check would prove nothing" >&2
    exit 1
  fi
  echo "[clock-check] the machine's clock moved $offset (year $real -> $moved): date-sensitive tests"
  FAKETIME="$offset" FAKETIME_DONT_RESET=1 LD_PRELOAD="$lib" "$py" -m pytest -q -p no:cacheprovider -m "clock and not smoke" "$@"
done
