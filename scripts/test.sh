#!/usr/bin/env bash
# Command (2) of the README: install, build and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${TB_PRESET:-default}
scripts/install-deps.sh
# Warnings are errors here, as in CI.
TB_WERROR=ON cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset" -j2
