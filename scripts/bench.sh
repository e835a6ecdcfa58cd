#!/usr/bin/env bash
# Builds and runs the benchmarks (bench/boot_bench.cpp: boot times;
# bench/alloc_bench.cpp: page allocator workloads; bench/seek_bench.cpp:
# what a step of the timeline costs), native first,
# then the WebAssembly build under node. Not part of the test suite.
#
#   bash scripts/bench.sh [RUNS]     RUNS timed boots per case (default 5)
#
# Needs what scripts/setup.sh installs (cmake, g++, emscripten, node). The
# bench is configured standalone from bench/ in its own Release folders,
# build/bench-native and build/bench-wasm (reused when present), so it never
# changes the test builds in build/native and build/wasm; it compiles its own
# optimised copy of the engine either way.
# Exit status: 0 only when both builds and both runs succeeded.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MM_ROOT"

runs=${1:-5}
if ! [[ $runs =~ ^[0-9]+$ ]] || ((runs < 1)); then
  echo "usage: $0 [runs >= 1]" >&2
  exit 2
fi

jobs=$(nproc 2>/dev/null || echo 2)
emscripten_toolchain=/usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake
status=0
summary=()

# configure_build DIR [cmake args...]
configure_build() {
  local dir=$1
  shift
  # Configure every time (incremental): a folder from before a new bench
  # target was added must learn about it.
  cmake -S bench -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null || return 1
  cmake --build "$dir" --target boot_bench alloc_bench seek_bench -j "$jobs"
}

# run_bench LABEL COMMAND...: runs it, keeps the machine-readable lines.
run_bench() {
  local label=$1 out rc
  shift
  out=$(mktemp)
  "$@" "$runs" | tee "$out"
  rc=${PIPESTATUS[0]}
  while read -r line; do summary+=("$label: $line"); done < <(grep '^bench ' "$out")
  rm -f "$out"
  if ((rc != 0)); then
    echo "bench.sh: $label run failed (exit $rc)" >&2
    status=1
  fi
}

mm_log "native: build/bench-native"
if configure_build build/bench-native; then
  run_bench native build/bench-native/boot_bench
  run_bench native build/bench-native/alloc_bench
  run_bench native build/bench-native/seek_bench
else
  echo "bench.sh: native build failed" >&2
  status=1
fi

echo
mm_log "wasm: build/bench-wasm (node $(node --version 2>/dev/null || echo missing))"
if configure_build build/bench-wasm -DCMAKE_TOOLCHAIN_FILE="$emscripten_toolchain"; then
  # SINGLE_FILE build: node needs no flags and no wasmBinary.
  run_bench wasm node build/bench-wasm/boot_bench.js
  # Steady state: V8 first runs wasm through its baseline compiler (Liftoff)
  # and tiers hot functions up to TurboFan at times that vary run to run
  # (80-140 ns for the same pcp pair); --no-liftoff measures the optimised
  # code a page reaches after a moment of use.
  run_bench wasm node --no-liftoff build/bench-wasm/alloc_bench.js
  run_bench wasm node --no-liftoff build/bench-wasm/seek_bench.js
else
  echo "bench.sh: wasm build failed" >&2
  status=1
fi

echo
mm_log "summary ($runs runs per case)"
printf '%s\n' "${summary[@]}"
exit $status
