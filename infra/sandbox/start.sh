#!/usr/bin/env bash
# Starts the local AWS sandbox in the background on 127.0.0.1:${SANDBOX_PORT:-4566} and waits until
# it answers. Logs and pid go to .sandbox/ at the repository root. Succeeds at once if this
# project's sandbox already runs on that port; refuses if something else holds the port.
set -euo pipefail

# shellcheck source=sandbox-paths.sh
source "$(dirname "${BASH_SOURCE[0]}")/sandbox-paths.sh"
timeout="${SANDBOX_START_TIMEOUT:-30}"

bash "$here/setup.sh"
mkdir -p "$state"

status=0
pid="$("$python" "$here/probe.py" "$port")" || status=$?
if [[ $status -eq 0 || $status -eq 3 ]]; then
  deadline=$((SECONDS + timeout))
  until "$python" "$here/probe.py" "$port" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "sandbox: the sandbox on port $port (pid $pid) did not become ready within ${timeout}s." >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "sandbox: already running on http://127.0.0.1:$port (pid $pid)"
  exit 0
elif [[ $status -eq 2 ]]; then
  echo "sandbox: port $port is in use by another program; stop it or choose another port with SANDBOX_PORT." >&2
  exit 1
fi

nohup "$python" "$here/launcher.py" --host 127.0.0.1 --port "$port" >"$log" 2>&1 &
pid=$!
echo "$pid" >"$pidfile"

deadline=$((SECONDS + timeout))
until "$python" "$here/probe.py" "$port" >/dev/null 2>&1; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "sandbox: the server exited during start-up. Last lines of $log:" >&2
    tail -n 30 "$log" >&2
    rm -f "$pidfile"
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    echo "sandbox: not ready after ${timeout}s on port $port. Last lines of $log:" >&2
    tail -n 30 "$log" >&2
    kill "$pid" 2>/dev/null || true
    rm -f "$pidfile"
    exit 1
  fi
  sleep 0.1
done
echo "sandbox: ready on http://127.0.0.1:$port (pid $pid, log $log)"
