#!/usr/bin/env bash
# The hostile-statement property run (tests/engine/hostile_test.cpp) at
# benchmark size, under AddressSanitizer + UndefinedBehaviorSanitizer:
# random statements, half of them frees of what the session does not own,
# with undo/redo, invariants checked after every one. Not part of CI (the
# suite runs 1,500 of them in every preset).
#
#   bash scripts/hostile.sh [STEPS=1000000] [PRESET=asan]
#
# Prints the driver's figures (statements run, refused, undos, seconds).
# Exit status: the test's (0: no violation, no change from a refused one).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MM_ROOT"
steps=${1:-1000000}
preset=${2:-asan}
[[ $steps =~ ^[0-9]+$ ]] || { echo "usage: $0 [steps] [preset]" >&2; exit 2; }
mm_log "build engine_tests ($preset)"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j 2 --target engine_tests
mm_log "hostile: $steps statements"
MM_HOSTILE_STEPS=$steps "build/$preset/engine_tests" -tc='hostile*' -s 2>&1 | grep -E 'MESSAGE|ERROR|test cases|Status'
exit "${PIPESTATUS[0]}"
