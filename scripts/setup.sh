#!/usr/bin/env bash
# Installs what the build and the tests need, and nothing twice:
#   Debian packages: cmake g++ make nodejs npm emscripten doctest-dev chromium clang-format
#                    fonts-wqy-microhei (a CJK font: without one Chromium draws the
#                    中文 page, and its screenshots, as boxes)
#   npm packages:    `npm ci` when node_modules is missing or older than the lock file
# Safe to run again and again (CI=true, no stdin, as root or with sudo).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MM_ROOT"

# A package counts as present when dpkg has it or when the command it provides
# already exists (e.g. a nodesource nodejs bundles its own npm).
declare -A provides=(
  [cmake]=cmake [g++]=g++ [make]=make [nodejs]=node [npm]=npm
  [emscripten]=em++ [doctest-dev]="" [chromium]=chromium [clang-format]=clang-format-14
  [fonts-wqy-microhei]=""
)
missing=()
for pkg in cmake g++ make nodejs npm emscripten doctest-dev chromium clang-format fonts-wqy-microhei; do
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then continue; fi
  cmd="${provides[$pkg]}"
  if [[ -n "$cmd" ]] && command -v "$cmd" >/dev/null 2>&1; then continue; fi
  missing+=("$pkg")
done

if ((${#missing[@]})); then
  mm_log "installing Debian packages: ${missing[*]}"
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo -n)
  fi
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq "${missing[@]}" </dev/null
fi

# npm ci wipes node_modules, so only when needed: npm records what it
# installed in node_modules/.package-lock.json.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ||
      package.json -nt node_modules/.package-lock.json ]]; then
  mm_log "npm ci"
  npm ci --no-audit --no-fund </dev/null
fi
