#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/CMakeLists.txt) and runs each for a while.
# Not part of CI.
#
#   bash scripts/fuzz.sh                      every target, FUZZ_SECONDS (60) each
#   FUZZ_SECONDS=600 bash scripts/fuzz.sh dmesg scenario
#   bash scripts/fuzz.sh --merge              also fold new inputs into fuzz/corpus/
#
# Targets: shorthand dmesg scenario oom gfp steps. Each starts from fuzz/corpus/<target>
# (read-only) plus fuzz/regressions/<target>, and keeps what it finds in
# build/fuzz/work/<target>; crashes and violated invariants are saved in
# build/fuzz/artifacts/<target>/ (crash-*, timeout-*, oom-*, leak-*).
# Reproduce one with: build/fuzz/fuzz_<target> FILE
# Once fixed, copy it into fuzz/regressions/<target>/ under a descriptive
# name; tests/engine/fuzz_corpus_test.cpp replays every such file.
#
# Environment: FUZZ_SECONDS (60), FUZZ_JOBS (1: targets one after another;
# 2: two at a time), FUZZ_RSS_MB (2048), FUZZ_TIMEOUT (10 s per input),
# FUZZ_MERGE_MAX_LEN (4096: --merge cuts new corpus files to this size).
# Exit status: 1 when a target left a new artifact, else 0.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MM_ROOT"

seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
merge=0
targets=()
for a in "$@"; do
  case $a in
    --merge) merge=1 ;;
    shorthand | dmesg | scenario | oom | gfp | steps) targets+=("$a") ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "fuzz.sh: unknown argument '$a' (targets: shorthand dmesg scenario oom gfp steps; --merge)" >&2; exit 2 ;;
  esac
done
((${#targets[@]})) || targets=(shorthand dmesg scenario oom gfp steps)

# clang with libFuzzer and the sanitizer runtimes (Debian 12: clang-14 and
# libclang-rt-14-dev).
need=()
command -v clang++ >/dev/null 2>&1 || need+=(clang)
if ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  ver=$(clang++ --version 2>/dev/null | sed -nE 's/.*clang version ([0-9]+).*/\1/p' | head -n 1)
  need+=("libclang-rt-${ver:-14}-dev")
fi
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v make >/dev/null 2>&1 || need+=(make)
if ((${#need[@]})); then
  mm_log "installing Debian packages: ${need[*]}"
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || { echo "fuzz.sh: need root or sudo to install: ${need[*]}" >&2; exit 1; }
    sudo=(sudo -n)
  fi
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq "${need[@]}" </dev/null || exit 1
fi

build=build/fuzz
mm_log "building the fuzzers in $build"
cmake -S fuzz -B "$build" -DCMAKE_CXX_COMPILER=clang++ >/dev/null || exit 1
cmake --build "$build" -j2 -- --no-print-directory >/dev/null || { cmake --build "$build" -j1; exit 1; }

run_one() {  # target -> runs it, prints a summary line
  local t=$1 work=$build/work/$1 art=$build/artifacts/$1 log=$build/logs/$1.log
  mkdir -p "$work" "$art" "$build/logs" "fuzz/regressions/$t"
  local before
  before=$(ls "$art" | wc -l)
  local extra=()
  [[ -f fuzz/dict/$t.dict ]] && extra+=("-dict=fuzz/dict/$t.dict")
  "$build/fuzz_$t" "$work" "fuzz/corpus/$t" "fuzz/regressions/$t" "${extra[@]}" \
    -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
    -artifact_prefix="$art/" -print_final_stats=1 -close_fd_mask=1 >"$log" 2>&1
  local rc=$? after
  after=$(ls "$art" | wc -l)
  local stats
  stats=$(grep -E '^stat::(number_of_executed_units|new_units_added)' "$log" | tr '\n' ' ')
  echo "$t: exit $rc, ${seconds}s, $stats, corpus $(ls "$work" | wc -l) files, $((after - before)) new artifact(s)"
  if ((after > before)); then
    grep -m1 -E '^==[0-9]+==ERROR|^fuzz_[a-z]+: |runtime error|ERROR: libFuzzer' "$log" | sed 's/^/    /'
    grep -m8 -E '^ +#[0-9]+ ' "$log" | sed 's/^/    /'
    ls -t "$art" | head -n $((after - before)) | sed "s|^|    reproducer: $art/|"
    return 1
  fi
  return 0
}

status=0
if ((jobs > 1)); then
  pids=()
  for t in "${targets[@]}"; do
    run_one "$t" > "$build/logs/$t.summary" &
    pids+=($!)
    if ((${#pids[@]} >= jobs)); then wait "${pids[0]}" || status=1; pids=("${pids[@]:1}"); fi
  done
  for p in "${pids[@]}"; do wait "$p" || status=1; done
  for t in "${targets[@]}"; do cat "$build/logs/$t.summary"; done
else
  for t in "${targets[@]}"; do run_one "$t" || status=1; done
fi

if ((merge)); then
  for t in "${targets[@]}"; do
    # -merge=1 into a fresh folder keeps a small set with the same coverage.
    # The hand-written seeds (descriptive names) stay; of the fuzzer's own
    # finds (40-hex names) only those that add coverage are kept.
    fresh=$build/merged/$t
    rm -rf "$fresh" && mkdir -p "$fresh"
    find "fuzz/corpus/$t" -maxdepth 1 -type f ! -regex '.*/[0-9a-f]\{40\}' -exec cp {} "$fresh/" \;
    # -max_len keeps the fuzzer's finds small (they are cut to that size;
    # the hand-written seeds, e.g. the real logs, are kept whole).
    "$build/fuzz_$t" -merge=1 -max_len="${FUZZ_MERGE_MAX_LEN:-4096}" "$fresh" "fuzz/corpus/$t" "$build/work/$t" \
      -timeout="${FUZZ_TIMEOUT:-10}" \
      -rss_limit_mb="${FUZZ_RSS_MB:-2048}" >"$build/logs/$t.merge.log" 2>&1 || { status=1; continue; }
    rm -rf "fuzz/corpus/$t" && cp -r "$fresh" "fuzz/corpus/$t"
    echo "$t: merged corpus $(ls "fuzz/corpus/$t" | wc -l) files, $(du -sh "fuzz/corpus/$t" | cut -f1)"
  done
fi
exit $status
