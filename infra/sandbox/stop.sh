#!/usr/bin/env bash
# Stops the sandbox on ${SANDBOX_PORT:-4566}: the one whose pid start.sh (or the Node helper)
# recorded, or else the project's sandbox that answers on that port.
set -euo pipefail

# shellcheck source=sandbox-paths.sh
source "$(dirname "${BASH_SOURCE[0]}")/sandbox-paths.sh"

pid=""
if [[ -f "$pidfile" ]]; then
  pid="$(cat "$pidfile")"
elif [[ -x "$python" ]]; then
  pid="$("$python" "$here/probe.py" "$port" 2>/dev/null)" || pid=""
fi

# A pid file can outlive its process (a killed test run); never signal a pid that is no longer
# this port's launcher.
is_our_launcher() {
  [[ -r "/proc/$1/cmdline" ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q "launcher.py.*--port $port"
}
if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null || ! is_our_launcher "$pid"; then
  rm -f "$pidfile"
  echo "sandbox: not running on port $port"
  exit 0
fi

kill "$pid"
for _ in $(seq 1 50); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
  kill -9 "$pid" 2>/dev/null || true
fi
rm -f "$pidfile"
echo "sandbox: stopped (pid $pid, port $port)"
