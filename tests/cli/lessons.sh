#!/usr/bin/env bash
# mmsim lesson and mmsim quiz end to end. Usage: lessons.sh MMSIM SOURCE_DIR
set -u
MMSIM=$1
SRC=$2
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
L="$SRC/lessons"

expect_rc "lesson check all" 0 "$MMSIM" lesson check all --dir "$L"
grep -q "^13 lessons, 0 failed$" "$TMP/out" && ok "13 lessons pass" || { bad "13 lessons pass"; cat "$TMP/out"; }

expect_rc "lesson list" 0 "$MMSIM" lesson list --dir "$L"
grep -q "^buddy " "$TMP/out" && grep -q "伙伴系统" "$TMP/out" && ok "list shows ids and both titles" || bad "list shows ids and both titles"
expect_rc "lesson list --json" 0 "$MMSIM" lesson list --json --dir "$L"
grep -q '"id":"pages-zones","file":"01-pages-zones.lesson","title":{"en":' "$TMP/out" && ok "list json" || bad "list json"

expect_rc "lesson show" 0 "$MMSIM" lesson show buddy --dir "$L"
grep -q "answer: 9,8,7,6,5,4" "$TMP/out" && ok "show has computed answers" || bad "show has computed answers"
expect_rc "lesson show zh" 0 "$MMSIM" lesson show buddy --lang zh --dir "$L"
grep -q "答案：9,8,7,6,5,4" "$TMP/out" && ok "show in Chinese" || bad "show in Chinese"
expect_rc "lesson show --json" 0 "$MMSIM" lesson show oom --json --dir "$L"
grep -q '"answer":"D","correct":3' "$TMP/out" && ok "show json" || bad "show json"
expect_rc "unknown lesson" 2 "$MMSIM" lesson show nope --dir "$L"

# A lesson whose choices miss the engine's answer fails the check (exit 1).
cat >"$TMP/bad.lesson" <<'LESSON'
lesson bad
title en: Bad
title zh: 坏
intro en: i
intro zh: 引
linux61 en: l
linux61 zh: 六
machine ram=128M cpus=1
step
en: s
zh: 步
kmalloc a 100
ask choice
en: q
zh: 问
choice kmalloc-64
choice kmalloc-96
answer arg kmalloc_slab cache
explain en: e
explain zh: 解
LESSON
expect_rc "wrong choices exit 1" 1 "$MMSIM" lesson check "$TMP/bad.lesson"
grep -q "bad.lesson:18:8: error: answer arg kmalloc_slab cache: the engine's answer is 'kmalloc-128', which is none of the choices" "$TMP/err" && ok "wrong choices message" || { bad "wrong choices message"; cat "$TMP/err"; }
sed -i 's/^ask choice$/ask chioce/' "$TMP/bad.lesson"
expect_rc "parse error exits 2" 2 "$MMSIM" lesson check "$TMP/bad.lesson"
grep -q "bad.lesson:13:5: error: unknown question kind 'chioce': did you mean 'choice'?" "$TMP/err" && ok "parse error message" || { bad "parse error message"; cat "$TMP/err"; }

# The scenarios in lessons/ still run as scenarios.
for f in boot-1g kswapd oom-256m slub-kmalloc; do
  expect_rc "scenario $f still runs" 0 "$MMSIM" run "$L/$f.mm"
done

# Quizzes: the same seed gives the same questions; answers on request.
expect_rc "quiz" 0 "$MMSIM" quiz --topic buddy --seed 7
cp "$TMP/out" "$TMP/q1"
expect_rc "quiz again" 0 "$MMSIM" quiz --topic buddy --seed 7
cmp -s "$TMP/out" "$TMP/q1" && ok "same seed, same questions" || bad "same seed, same questions"
grep -q "answer:" "$TMP/out" && bad "answers hidden by default" || ok "answers hidden by default"
expect_rc "quiz -c" 0 "$MMSIM" quiz --topic split --seed 7 -c --count 2
grep -q "answer:" "$TMP/out" && grep -q "split: upper half" "$TMP/out" && ok "answers with narrated events" || bad "answers with narrated events"
expect_rc "quiz --json" 0 "$MMSIM" quiz --topic buddy --seed 1 --count 3 --json --lang zh
grep -q '"topic":"buddy","seed":1,"index":0' "$TMP/out" && grep -q '"pfn":' "$TMP/out" && grep -q '"order":' "$TMP/out" && ok "quiz json" || bad "quiz json"
for t in buddy free_pages_memory split pcp gfp watermark zonelist fallback oom slab kmalloc; do
  expect_rc "quiz topic $t" 0 "$MMSIM" quiz --topic "$t" --seed 3 --count 2 --answers
done
expect_rc "unknown topic" 2 "$MMSIM" quiz --topic budy --seed 1
grep -q "did you mean 'buddy'" "$TMP/err" && ok "topic suggestion" || bad "topic suggestion"
expect_rc "no seed" 2 "$MMSIM" quiz --topic buddy

echo "$fails failed"
[ "$fails" = 0 ]
