#!/usr/bin/env bash
# The checks `npm test` runs before jest, each still its own npm script, all required to pass.
# They used to run one after another; on a clean clone the two pinned venvs (the sandbox's moto
# and checkov) come first. Installed with pip they took ~1 min each and were slower side by side
# (docs/benchmarks.md); installed with the pinned uv (docs/decisions/0130) they take ~20 s and ~7 s
# under load, so they run side by side in the background (pinned-venv.sh's lock makes the second
# wait while the first installs uv itself), with the packaging beside them, while the type check
# (one core) and lint run. cfn-lint needs the sandbox venv and the template, checkov its own venv
# and the template; they run side by side too (on a saturated machine two runnable processes get
# a larger share of the cores than one):
#
#   background  sandbox:setup ──────────────────┬─ lint:cfn (background) ─┐
#   background  security setup ─────────────────┤                         │
#   background  build, package ─────────────────┤                         │
#   foreground  typecheck, lint ────────────────┴─ lint:checkov ──────────┴─ done
#
# A background step's output is kept in a file and printed when it ends, so logs do not interleave.
# Any failing step fails the script (after the others have ended), with that step's output.
set -uo pipefail
cd "$(dirname "$0")/../.."

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
failed=()

# run <label> <command...>: runs in the foreground, output as it comes.
run() {
  local label="$1" started
  shift
  started=$(date +%s)
  if "$@"; then
    echo "pretest: $label ok ($(($(date +%s) - started)) s)"
  else
    echo "pretest: $label FAILED" >&2
    failed+=("$label")
  fi
}

# spawn <label> <command...>: runs in the background; `settle <label>` waits for it.
declare -A pids
spawn() {
  local label="$1"
  shift
  (
    started=$(date +%s)
    "$@" >"$logs/$label.log" 2>&1
    code=$?
    echo "$(($(date +%s) - started))" >"$logs/$label.seconds"
    exit "$code"
  ) &
  pids[$label]=$!
}
settle() {
  local label="$1"
  if wait "${pids[$label]}"; then
    cat "$logs/$label.log"
    echo "pretest: $label ok ($(cat "$logs/$label.seconds") s, in the background)"
  else
    cat "$logs/$label.log" >&2
    echo "pretest: $label FAILED" >&2
    failed+=("$label")
  fi
}

run node-version npm run -s node-version || true
[ ${#failed[@]} -eq 0 ] || exit 1

spawn sandbox-venv npm run -s sandbox:setup
spawn security-venv bash infra/security/setup.sh
spawn build-and-package bash -c 'npm run -s build && npm run -s package'

run typecheck npm run -s typecheck
run lint npm run -s lint

settle build-and-package
settle sandbox-venv
cfn=no
if [[ ! " ${failed[*]} " =~ " "(build-and-package|sandbox-venv)" " ]]; then
  spawn lint-cfn npm run -s lint:cfn
  cfn=yes
fi
settle security-venv
if [[ ! " ${failed[*]} " =~ " "(build-and-package|security-venv)" " ]]; then
  # lint:checkov runs the (now no-op) security setup again, then checkov on the packaged template.
  run lint:checkov npm run -s lint:checkov
fi
[ "$cfn" = no ] || settle lint-cfn

if [ ${#failed[@]} -gt 0 ]; then
  echo "pretest: failed: ${failed[*]}" >&2
  exit 1
fi
