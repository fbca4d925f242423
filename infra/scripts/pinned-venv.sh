# Sourced by infra/sandbox/setup.sh (moto) and infra/security/setup.sh (checkov): builds
# <dir>/.venv from <dir>/requirements.txt, each tool in its own venv so one's dependencies never
# move the other's pins. Idempotent: a stamp holding the hash of requirements.txt (and the Python
# version) makes a repeated run cost a few milliseconds.
#
#   pinned_venv <label> <dir> <tool> <file the venv must have> <python check, or ""> [pip options...]
#
# Exits the calling script with 1 (and says why) when the venv cannot be built.
pinned_venv() {
  local label="$1" dir="$2" tool="$3" ready="$4" check="$5"
  shift 5
  local venv="$dir/.venv"
  local requirements="$dir/requirements.txt"
  local stamp="$venv/.requirements.sha256"
  local python="${SANDBOX_PYTHON:-python3}"

  if ! command -v "$python" >/dev/null 2>&1; then
    echo "$label setup: '$python' was not found on PATH. It needs Python >= 3.9 with the venv module" >&2
    echo "(Debian: apt-get install -y python3 python3-venv), or set SANDBOX_PYTHON to a python3." >&2
    exit 1
  fi
  local want
  want="$( { sha256sum "$requirements" | cut -d' ' -f1; "$python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"
  _pinned_venv_ready() { [[ -x "$venv/$ready" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; }
  if _pinned_venv_ready; then
    return 0
  fi

  # Several test runs may start at once (engineers share the tree): one installs, the others wait.
  local lock_dir
  lock_dir="$(cd "$dir/../.." && pwd)/.sandbox"
  mkdir -p "$lock_dir"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$lock_dir/$label-setup.lock"
    flock 9
    if _pinned_venv_ready; then
      return 0
    fi
  fi

  echo "$label setup: installing pinned $tool into $venv (first run or requirements.txt changed)..." >&2
  local started
  started=$(date +%s)
  rm -rf "$venv"
  if ! "$python" -m venv "$venv"; then
    echo "$label setup: '$python -m venv' failed; install the venv module (Debian: apt-get install -y python3-venv)." >&2
    exit 1
  fi
  # This machine's pip configuration names index locations that may not exist; pip warns about
  # each of them on every package, which buries real errors, so those lines are dropped.
  set +e
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "$@" -r "$requirements" 2>&1 |
    grep -v "is ignored: it is neither a file nor a directory" >&2
  local statuses=("${PIPESTATUS[@]}")
  set -e
  if [[ ${statuses[0]} -ne 0 ]]; then
    echo "$label setup: pip could not install $requirements (is PyPI reachable?). The venv was left" >&2
    echo "incomplete and will be rebuilt on the next run." >&2
    rm -f "$stamp"
    exit 1
  fi
  if [[ -n "$check" ]] && ! "$venv/bin/python" -c "$check"; then
    echo "$label setup: $tool installed but does not import; see the error above." >&2
    exit 1
  fi
  echo "$want" >"$stamp"
  echo "$label setup: done in $(($(date +%s) - started)) s." >&2
}
