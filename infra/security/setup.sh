#!/usr/bin/env bash
# Installs the pinned checkov into infra/security/.venv, apart from the sandbox's venv so its
# dependencies never move moto's pins (infra/scripts/pinned-venv.sh). --no-deps: requirements.txt
# pins checkov's whole dependency set itself.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../scripts/pinned-venv.sh
source "$here/../scripts/pinned-venv.sh"
pinned_venv security "$here" checkov bin/checkov '' --no-deps
