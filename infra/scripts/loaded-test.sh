#!/usr/bin/env bash
# Runs the whole `npm test` several times in a row while stress-ng keeps every core busy, to prove the
# suite has no assertion that depends on timing (issue 12.4). Usage:
#   npm run test:loaded            # 3 runs, stress-ng --cpu <cores>
#   RUNS=1 npm run test:loaded     # one run
# stress-ng comes from Debian (pinned below); it is installed with apt-get when missing, which needs root.
set -uo pipefail
cd "$(dirname "$0")/../.."

STRESS_NG_VERSION="0.15.06-2"   # Debian bookworm's package, the version these runs were measured with
runs="${RUNS:-3}"
cores="$(nproc)"

if ! command -v stress-ng >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "stress-ng is not installed and installing it needs root: sudo apt-get install stress-ng=${STRESS_NG_VERSION}" >&2
    exit 2
  fi
  apt-get install -y -q "stress-ng=${STRESS_NG_VERSION}" >/dev/null || { echo "could not install stress-ng ${STRESS_NG_VERSION}" >&2; exit 2; }
fi

mkdir -p .loaded-runs
stress-ng --cpu "$cores" --quiet &
stress_pid=$!
trap 'kill "$stress_pid" 2>/dev/null' EXIT

status=0
for run in $(seq 1 "$runs"); do
  log=".loaded-runs/run-${run}.log"
  start=$(date +%s)
  npm test >"$log" 2>&1
  code=$?
  wall=$(( $(date +%s) - start ))
  summary="$(grep -E '^Tests: ' "$log" | tail -n 1)"
  echo "run ${run}/${runs}: exit ${code}, ${wall} s wall, load $(cut -d' ' -f1-3 /proc/loadavg), ${summary:-no jest summary} (log: ${log})"
  [ "$code" = 0 ] || status=1
done
exit "$status"
