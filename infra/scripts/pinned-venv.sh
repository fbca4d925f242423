# Sourced by infra/sandbox/setup.sh (moto) and infra/security/setup.sh (checkov): builds
# <dir>/.venv from <dir>/requirements.txt, each tool in its own venv so one's dependencies never
# move the other's pins. Idempotent: a stamp holding the hash of requirements.txt (and the Python
# version) makes a repeated run cost a few milliseconds; a venv that already has every pin is adopted
# as it is, and one that must be rebuilt while a process runs from it is refused (never deleted
# under a running sandbox).
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

  # Every pin already installed (the stamp was lost, or requirements.txt changed in a comment): adopt
  # the venv as it is. A rebuild deletes it, and a sandbox started from it (this checkout's, or a
  # second `npm start` beside it) is still loading files from it: moto imports each service lazily.
  if _pinned_venv_satisfied "$venv" "$requirements" "$ready" "$check" >/dev/null; then
    echo "$want" >"$stamp"
    return 0
  fi

  # Several test runs may start at once (engineers share the tree): one installs, the others wait.
  local root lock_dir
  root="$(cd "$dir/../.." && pwd)"
  lock_dir="$root/.sandbox"
  mkdir -p "$lock_dir"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$lock_dir/$label-setup.lock"
    flock 9
    if _pinned_venv_ready; then
      return 0
    fi
  fi

  # A rebuild is needed (new pins). Never under a running process: refuse, saying who and what to do.
  local users
  users="$(_pinned_venv_users "$venv")"
  if [[ -n "$users" ]]; then
    echo "$label setup: $venv must be rebuilt for $requirements:" >&2
    { _pinned_venv_satisfied "$venv" "$requirements" "$ready" "$check" 2>&1 || true; } | sed 's/^/  /' >&2
    echo "but these processes run from it, and a rebuild would delete the files they load:" >&2
    local pid
    for pid in $users; do
      echo "  pid $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-160)" >&2
    done
    echo "Stop them first (Ctrl-C the npm start that runs them, or npm run sandbox:stop), then run this again." >&2
    exit 1
  fi

  echo "$label setup: installing pinned $tool into $venv (first run or requirements.txt changed)..." >&2
  local started
  started=$(date +%s)
  rm -rf "$venv"
  if ! "$python" -m venv "$venv"; then
    echo "$label setup: '$python -m venv' failed; install the venv module (Debian: apt-get install -y python3-venv)." >&2
    exit 1
  fi
  # The installer is the pinned uv (infra/installer/requirements.txt, itself a pinned venv built with
  # pip; a subshell, as pinned_venv exits on failure): it resolves, downloads and unpacks the ~70-100
  # pins in ~10 s where pip took 50-75 s under load. When uv cannot be had, pip installs as before.
  # uv writes no bytecode (pip compiled every module, ~35 s of CPU under load for the sandbox venv,
  # of which a sandbox imports a fifth): the .pth below lets the venv's processes write it instead.
  local installer="pip" uv="$root/infra/installer/.venv/bin/uv"
  if [[ "$label" != installer ]]; then
    if (pinned_venv installer "$root/infra/installer" uv bin/uv ''); then
      installer="uv"
    else
      echo "$label setup: the pinned uv could not be installed; installing with pip instead." >&2
    fi
  fi
  set +e
  if [[ "$installer" == uv ]]; then
    "$uv" pip install --quiet --no-progress --python "$venv/bin/python" "$@" -r "$requirements" >&2
  else
    # This machine's pip configuration names index locations that may not exist; pip warns about
    # each of them on every package, which buries real errors, so those lines are dropped.
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "$@" -r "$requirements" 2>&1 |
      grep -v "is ignored: it is neither a file nor a directory" >&2
  fi
  local statuses=("${PIPESTATUS[@]}")
  set -e
  if [[ ${statuses[0]} -ne 0 ]]; then
    echo "$label setup: $installer could not install $requirements (is PyPI reachable?). The venv was left" >&2
    echo "incomplete and will be rebuilt on the next run." >&2
    rm -f "$stamp"
    exit 1
  fi
  # Bytecode is written by the processes that import a module, the first time they do (the sandbox's
  # first start, cfn-lint's and checkov's first run), so only what is used is ever compiled. The
  # environment may set PYTHONDONTWRITEBYTECODE=1 (this machine does), and then every start would
  # compile its imports again (a sandbox start 5.7 s -> 10.9 s under load): site.py runs a .pth line
  # that starts with `import` in every interpreter of this venv, which re-allows writing for this
  # venv's processes only. Python writes each .pyc atomically (temporary file, then rename), so two
  # sandboxes starting side by side are safe.
  local site_packages
  site_packages="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  echo 'import sys; sys.dont_write_bytecode = False' >"$site_packages/_write_bytecode.pth"
  if [[ -n "$check" ]] && ! "$venv/bin/python" -c "$check"; then
    echo "$label setup: $tool installed but does not import; see the error above." >&2
    exit 1
  fi
  echo "$want" >"$stamp"
  echo "$label setup: done in $(($(date +%s) - started)) s." >&2
}

# Exit 0 when <venv> has <ready>, every `name==version` pin of <requirements> is the installed
# version and <check> imports; otherwise prints what differs and exits 1. Any other requirement form
# (>=, a URL) cannot be judged from the installed metadata, so it counts as not satisfied.
_pinned_venv_satisfied() {
  local venv="$1" requirements="$2" ready="$3" check="$4"
  if [[ ! -x "$venv/$ready" || ! -x "$venv/bin/python" ]]; then
    echo "$venv/$ready is missing"
    return 1
  fi
  "$venv/bin/python" - "$requirements" <<'PY' || return 1
import re, sys
from importlib import metadata
wrong = []
for raw in open(sys.argv[1], encoding="utf-8"):
    line = raw.split("#", 1)[0].strip()
    if not line:
        continue
    pin = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;]+)", line)
    if not pin:
        wrong.append(f"{line}: not a name==version pin")
        continue
    name, version = pin.group(1), pin.group(3)
    try:
        installed = metadata.version(name)
    except metadata.PackageNotFoundError:
        installed = "not installed"
    if installed != version:
        wrong.append(f"{name}: wanted {version}, installed {installed}")
for line in wrong:
    print(line)
sys.exit(1 if wrong else 0)
PY
  if [[ -n "$check" ]] && ! "$venv/bin/python" -c "$check" >/dev/null 2>&1; then
    echo "the venv does not import: $check"
    return 1
  fi
}

# The pids of processes started from <venv>'s bin/ (argv[0] there, symlinks resolved: a second
# checkout may link its venv to this one), read from /proc; none where /proc is absent.
_pinned_venv_users() {
  local real_bin proc argv0 dir
  real_bin="$(cd "$1/bin" 2>/dev/null && pwd -P)" || return 0
  for proc in /proc/[0-9]*; do
    argv0=""
    IFS= read -r -d '' argv0 <"$proc/cmdline" 2>/dev/null || [[ -n "$argv0" ]] || continue
    [[ "$argv0" == /* ]] || continue
    dir="$(cd "${argv0%/*}" 2>/dev/null && pwd -P)" || continue
    [[ "$dir" == "$real_bin" ]] && echo "${proc#/proc/}"
  done
  return 0
}
