#!/usr/bin/env bash
# Installs the sandbox's pinned moto into infra/sandbox/.venv. Idempotent: a stamp holding the hash of
# requirements.txt (and the Python version) makes a repeated run cost a few milliseconds.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
requirements="$here/requirements.txt"
stamp="$venv/.requirements.sha256"
python="${SANDBOX_PYTHON:-python3}"

if ! command -v "$python" >/dev/null 2>&1; then
  echo "sandbox setup: '$python' was not found on PATH. The local AWS sandbox needs Python >= 3.9 with the" >&2
  echo "venv module (Debian: apt-get install -y python3 python3-venv), or set SANDBOX_PYTHON to a python3." >&2
  exit 1
fi

want="$( { sha256sum "$requirements" | cut -d' ' -f1; "$python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"
up_to_date() { [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; }
if up_to_date; then
  exit 0
fi

# Several test runs may start at once (engineers share the tree): one installs, the others wait.
lock_dir="$(cd "$here/../.." && pwd)/.sandbox"
mkdir -p "$lock_dir"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$lock_dir/setup.lock"
  flock 9
  if up_to_date; then
    exit 0
  fi
fi

echo "sandbox setup: installing pinned moto into $venv (first run or requirements.txt changed)..." >&2
started=$(date +%s)
rm -rf "$venv"
if ! "$python" -m venv "$venv"; then
  echo "sandbox setup: '$python -m venv' failed; install the venv module (Debian: apt-get install -y python3-venv)." >&2
  exit 1
fi
# This machine's pip configuration names index locations that may not exist; pip warns about
# each of them on every package, which buries real errors, so those lines are dropped.
set +e
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements" 2>&1 |
  grep -v "is ignored: it is neither a file nor a directory" >&2
statuses=("${PIPESTATUS[@]}")
set -e
pip_status=${statuses[0]}
if [[ $pip_status -ne 0 ]]; then
  echo "sandbox setup: pip could not install $requirements (is PyPI reachable?). The venv was left" >&2
  echo "incomplete and will be rebuilt on the next run." >&2
  rm -f "$stamp"
  exit 1
fi
"$venv/bin/python" -c 'import moto.server, moto.eks, moto.ec2' || {
  echo "sandbox setup: moto installed but does not import; see the error above." >&2
  exit 1
}
echo "$want" >"$stamp"
echo "sandbox setup: done in $(($(date +%s) - started)) s." >&2
