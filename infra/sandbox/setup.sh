#!/usr/bin/env bash
# Installs the sandbox's pinned moto into infra/sandbox/.venv (infra/scripts/pinned-venv.sh: a
# stamp makes a repeated run a no-op; concurrent runs wait on .sandbox/sandbox-setup.lock).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../scripts/pinned-venv.sh
source "$here/../scripts/pinned-venv.sh"
pinned_venv sandbox "$here" moto bin/python 'import moto.server, moto.eks, moto.ec2'
