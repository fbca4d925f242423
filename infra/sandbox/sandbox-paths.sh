# Sourced by start.sh and stop.sh: where the sandbox on ${SANDBOX_PORT:-4566} keeps its log and pid
# (.sandbox/ at the repository root), and the Python it runs with.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
port="${SANDBOX_PORT:-4566}"
state="$root/.sandbox"
log="$state/sandbox-$port.log"
pidfile="$state/sandbox-$port.pid"
python="$here/.venv/bin/python"
