# Shared by the CLI test scripts (sourced): a scratch folder, a failure
# count, and the ok/bad/expect_rc reporters.
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
expect_rc() {  # expect_rc NAME WANT CMD...
  local name=$1 want=$2
  shift 2
  "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  if [ "$rc" = "$want" ]; then ok "$name"; else bad "$name (exit $rc, want $want)"; cat "$TMP/err"; fi
}
