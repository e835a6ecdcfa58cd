#!/usr/bin/env bash
# Rewrites every C++ file in git to .clang-format's style (the test command checks it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format-14 -i
