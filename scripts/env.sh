# Sourced by the other scripts: the environment every build and test step shares.
# (CMakePresets.json sets the same variables for `cmake --preset wasm`.)

MM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MM_ROOT

# Emscripten: a writable cache inside build/ (seeded from Debian's read-only
# one by cmake/EmscriptenCache.cmake), so root and non-root users both work.
export EM_CACHE="$MM_ROOT/build/em-cache"
export EM_FROZEN_CACHE=""
# emscripten 3.1.6's JS optimizer needs acorn, which Debian keeps here.
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"
# Tools never ask questions on CI.
export DEBIAN_FRONTEND=noninteractive
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

mm_log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
