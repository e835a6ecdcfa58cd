#!/usr/bin/env bash
# Sets up, builds the engine to WebAssembly and the page, then serves it:
#   bash scripts/serve.sh            # http://127.0.0.1:8080/ (or the next free port)
#   PORT=9000 bash scripts/serve.sh  # exactly that port
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MM_ROOT"

bash scripts/setup.sh
[[ -f build/wasm/CMakeCache.txt ]] || { mm_log "configure wasm"; cmake --preset wasm; }
mm_log "build wasm (mm_wasm)"
cmake --build --preset wasm --target mm_wasm mm_wasm_single
mm_log "build page"
node scripts/build-web.mjs
exec node scripts/serve.mjs build/web
