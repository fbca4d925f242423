#!/usr/bin/env bash
# The checks `npm test` runs before jest, each still its own npm script, all required to pass.
# They used to run one after another; most of a clean clone's time here is the two pip installs
# (the sandbox's moto and checkov, ~1 min each on a quiet machine, much of it downloads), so those
# run in the background, one after the other (run side by side they were slower, not faster:
# docs/benchmarks.md), while the type check (one core) and lint run and the packaging runs beside:
#
#   background  sandbox:setup, security setup ──┬──────────────┐
#   background  build, package ─────────────────┤              │
#   foreground  typecheck, lint ────────────────┴─ lint:cfn ───┴─ lint:checkov
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

spawn venvs bash -c 'npm run -s sandbox:setup && bash infra/security/setup.sh'
spawn build-and-package bash -c 'npm run -s build && npm run -s package'

run typecheck npm run -s typecheck
run lint npm run -s lint

settle build-and-package
settle venvs
if [[ ! " ${failed[*]} " =~ " "(build-and-package|venvs)" " ]]; then
  run lint:cfn npm run -s lint:cfn
  # lint:checkov runs the (now no-op) security setup again, then checkov on the packaged template.
  run lint:checkov npm run -s lint:checkov
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "pretest: failed: ${failed[*]}" >&2
  exit 1
fi
