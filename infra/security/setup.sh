#!/usr/bin/env bash
# Installs the pinned checkov into infra/security/.venv, apart from the sandbox's venv so its
# dependencies never move moto's pins. Idempotent: a stamp holding the hash of requirements.txt (and
# the Python version) makes a repeated run cost a few milliseconds.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
requirements="$here/requirements.txt"
stamp="$venv/.requirements.sha256"
python="${SANDBOX_PYTHON:-python3}"

want="$( { sha256sum "$requirements" | cut -d' ' -f1; "$python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"
up_to_date() { [[ -x "$venv/bin/checkov" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; }
if up_to_date; then
  exit 0
fi

lock_dir="$(cd "$here/../.." && pwd)/.sandbox"
mkdir -p "$lock_dir"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$lock_dir/security-setup.lock"
  flock 9
  if up_to_date; then
    exit 0
  fi
fi

echo "security setup: installing pinned checkov into $venv (first run or requirements.txt changed)..." >&2
started=$(date +%s)
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$requirements"
echo "$want" > "$stamp"
echo "security setup: done in $(( $(date +%s) - started )) s." >&2
