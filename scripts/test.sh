#!/usr/bin/env bash
# Sets up, builds and runs every test, then prints one line "N passed, N failed".
#   native  ctest: engine_tests (doctest), tests/cli/*.sh against build/native/mmsim
#   debug   ctest: the same with assertions on (no NDEBUG, _GLIBCXX_ASSERTIONS)
#   asan    ctest: the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   wasm    ctest: engine_tests.js under node, wasm_bindings
#   node    tests/wasm/bindings.test.mjs and tests/web/*.test.mjs (Debian Chromium)
#   page    tests/page/*.test.mjs (the page's modules under node), then npm run
#           lint and npm run format:check (one test each)
#   style   clang-format-14 --dry-run --Werror over every C++ file in git (one test)
# Build dirs are reused when present (configure is re-run, incrementally).
# A step that cannot build counts as one
# failure and the remaining steps still run, so one run reports everything.
# Exit status: 0 only when nothing failed.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MM_ROOT"

passed=0
failed=0
failures=()
logs=build/test-logs
mkdir -p "$logs"

fail_step() {  # one failure that is not a test (configure, build)
  failed=$((failed + 1))
  failures+=("$1")
}

if ! bash scripts/setup.sh; then
  echo "setup failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# ctest prints "NN% tests passed, F tests failed out of T".
count_ctest() {
  local preset=$1 log=$2 rc=$3 line total bad
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
  if [[ -n $line ]]; then
    bad=$(sed -E 's/.* ([0-9]+) tests? failed out of.*/\1/' <<<"$line")
    total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
    passed=$((passed + total - bad))
    failed=$((failed + bad))
    while read -r name; do failures+=("$preset: $name"); done < <(sed -nE 's/^[[:space:]]+[0-9]+ - (.*) \(.*\)$/\1/p' "$log")
  elif grep -q 'No tests were found' "$log"; then
    :
  else
    fail_step "ctest $preset (exit $rc, no summary)"
  fi
}

# The targets each preset's tests need, and the ctest names that use them.
declare -A targets=([native]="engine_tests mmsim" [debug]="engine_tests mmsim" [asan]="engine_tests mmsim"
                    [wasm]="engine_tests mm_wasm mm_wasm_single mm_wasm_node")
declare -A tests_of=([engine_tests]='^engine_tests$' [mmsim]='^cli/' [mm_wasm_node]='^wasm_bindings$' [mm_wasm]='' [mm_wasm_single]='')

run_preset() {
  local preset=$1 t broken=() exclude=()
  mm_log "preset $preset"
  # Configuring an existing build dir is incremental (seconds) and picks up
  # preset changes; the build itself reuses everything already compiled.
  cmake --preset "$preset" >"$logs/configure-$preset.log" 2>&1 ||
    { cat "$logs/configure-$preset.log"; fail_step "configure $preset"; return; }
  # Keep going past a broken target, then run the tests whose targets built:
  # a suite that does not compile must not hide the others (nor run stale).
  if ! cmake --build --preset "$preset" -j 2 -- -k; then
    for t in ${targets[$preset]}; do
      cmake --build --preset "$preset" --target "$t" >/dev/null 2>&1 || broken+=("$t")
    done
    fail_step "build $preset (${broken[*]:-?})"
    for t in "${broken[@]}"; do [[ -n ${tests_of[$t]} ]] && exclude+=("${tests_of[$t]}"); done
  fi
  local filter=()
  if ((${#exclude[@]})); then filter=(-E "$(IFS='|'; echo "${exclude[*]}")"); fi
  ctest --preset "$preset" -j 2 "${filter[@]}" 2>&1 | tee "$logs/ctest-$preset.log"
  count_ctest "$preset" "$logs/ctest-$preset.log" "${PIPESTATUS[0]}"
}

for preset in native debug asan wasm; do run_preset "$preset"; done

mm_log "build page"
# MM_WEB_OFFLINE=1: the single-file offline page must build too.
MM_WEB_OFFLINE=1 node scripts/build-web.mjs || fail_step "build page"

# Every page under its Content-Security-Policy in Chromium, served and from
# file:// (no violations, no requests offline); counted as one test.
mm_log "CSP check"
if node scripts/check-web-csp.mjs build/web 2>&1 | tee "$logs/csp.log"; then
  passed=$((passed + 1))
else
  fail_step "CSP check (build/test-logs/csp.log)"
fi

# node:test with the TAP reporter ends with "# pass N", "# fail N", "# cancelled N".
mm_log "node tests (bindings, browser)"
node --test --test-reporter=tap tests/wasm/bindings.test.mjs tests/web/*.test.mjs 2>&1 | tee "$logs/node.log"
node_rc=${PIPESTATUS[0]}
tap() { sed -nE "s/^# $1 ([0-9]+)$/\1/p" "$logs/node.log" | tail -n 1; }
n_pass=$(tap pass)
n_fail=$(tap fail)
n_cancel=$(tap cancelled)
if [[ -z $n_pass || -z $n_fail ]]; then
  fail_step "node tests (exit $node_rc, no summary)"
else
  passed=$((passed + n_pass))
  failed=$((failed + n_fail + ${n_cancel:-0}))
  while read -r name; do failures+=("node: $name"); done < <(sed -nE 's/^ *not ok [0-9]+ - (.*)$/\1/p' "$logs/node.log")
  if ((node_rc != 0 && n_fail + ${n_cancel:-0} == 0)); then fail_step "node tests (exit $node_rc)"; fi
fi

# ---- the page: unit tests (tests/page, node:test over build/web/js and the
# node engine), then lint and format checks, one test each ---------------------
mm_log "page unit tests"
node --test --test-reporter=tap tests/page/*.test.mjs 2>&1 | tee "$logs/page.log"
page_rc=${PIPESTATUS[0]}
p_pass=$(sed -nE 's/^# pass ([0-9]+)$/\1/p' "$logs/page.log" | tail -n 1)
p_fail=$(sed -nE 's/^# fail ([0-9]+)$/\1/p' "$logs/page.log" | tail -n 1)
p_cancel=$(sed -nE 's/^# cancelled ([0-9]+)$/\1/p' "$logs/page.log" | tail -n 1)
if [[ -z $p_pass || -z $p_fail ]]; then
  fail_step "page unit tests (exit $page_rc, no summary)"
else
  passed=$((passed + p_pass))
  failed=$((failed + p_fail + ${p_cancel:-0}))
  while read -r name; do failures+=("page: $name"); done < <(sed -nE 's/^ *not ok [0-9]+ - (.*)$/\1/p' "$logs/page.log")
  if ((page_rc != 0 && p_fail + ${p_cancel:-0} == 0)); then fail_step "page unit tests (exit $page_rc)"; fi
fi

# ESLint over the page, its tests and scripts (eslint.config.mjs): one test.
mm_log "lint"
if npm run --silent lint >"$logs/lint.log" 2>&1; then
  passed=$((passed + 1))
else
  cat "$logs/lint.log"
  fail_step "lint (build/test-logs/lint.log)"
fi

# Prettier's check of the same files (.prettierrc.json): one test.
mm_log "format check"
if npm run --silent format:check >"$logs/format.log" 2>&1; then
  passed=$((passed + 1))
else
  cat "$logs/format.log"
  fail_step "format check: run npm run format (build/test-logs/format.log)"
fi

# clang-format over the engine, bindings, tests and benchmarks (.clang-format): one test.
mm_log "C++ format check"
if git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format-14 --dry-run --Werror >"$logs/clang-format.log" 2>&1; then
  passed=$((passed + 1))
else
  head -n 40 "$logs/clang-format.log"
  fail_step "C++ format check: run scripts/format-cpp.sh (build/test-logs/clang-format.log)"
fi

if ((${#failures[@]})); then
  echo
  echo "Failed:"
  printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
((failed == 0))
