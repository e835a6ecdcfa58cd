#!/usr/bin/env bash
# mmsim end to end: boot, /proc output, scenarios, and the exit codes and
# FILE:LINE:COL messages of bad input. Usage: mmsim.sh MMSIM SOURCE_DIR
set -u
MMSIM=$1
SRC=$2
REF="$SRC/../shared/reference/linux-6.1"
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

expect_rc "boot shorthand" 0 "$MMSIM" boot --machine "ram=1G cpus=2" --proc buddyinfo --check
grep -q "^Node 0, zone    DMA32" "$TMP/out" && ok "buddyinfo printed" || bad "buddyinfo printed"

expect_rc "boot a real dmesg" 0 "$MMSIM" boot --dmesg "$REF/m1g-smp2/dmesg.txt" --proc zoneinfo --log --check
grep -q "managed  242034" "$TMP/out" && ok "managed matches the capture" || bad "managed matches the capture"
grep -q "^Built 1 zonelists, mobility grouping on.  Total pages: 257760$" "$TMP/out" && ok "Built line" || bad "Built line"
[ ! -s "$TMP/err" ] && ok "no replay mismatch notes" || { bad "no replay mismatch notes"; cat "$TMP/err"; }

expect_rc "boot the kernelcore=1G capture" 0 "$MMSIM" boot --dmesg "$REF/kcore-m2g-smp2/dmesg.txt" --proc zoneinfo --log --check
grep -q "^  Node 0: 0x0000000040400000$" "$TMP/out" && ok "Movable zone start" || bad "Movable zone start"
grep -q "^Node 0, zone  Movable" "$TMP/out" && grep -q "managed  251944" "$TMP/out" && ok "Movable zone managed" || bad "Movable zone managed"

REF612="$SRC/../shared/reference/linux-6.12"
expect_rc "boot a 6.12 dmesg" 0 "$MMSIM" boot --dmesg "$REF612/m1g-smp2/dmesg.txt" --proc zoneinfo --log --check
head -n 1 "$TMP/out" | grep -q "^mm-playground: Linux 6.12.117+deb12-amd64: booted with the engine's Linux 6.12 profile$" &&
  ok "6.12 profile named first" || bad "6.12 profile named first"
grep -q "managed  243790" "$TMP/out" && grep -q "^        promo    19400$" "$TMP/out" && ok "6.12 zoneinfo" || bad "6.12 zoneinfo"
grep -q "^Memory: 978416K/1048056K available" "$TMP/out" && ok "6.12 Memory: line" || bad "6.12 Memory: line"
expect_rc "compare kernels" 0 "$MMSIM" compare --machine "ram=1G cpus=2"
grep -q "figures differ between Linux 6.1 and Linux 6.12" "$TMP/out" && grep -q "^Node 0 DMA32 managed: 242033 -> 243796" "$TMP/out" &&
  ok "compare lists managed" || { bad "compare lists managed"; head -3 "$TMP/out"; }
expect_rc "compare in Chinese" 0 "$MMSIM" compare --machine "ram=1G cpus=2" --lang zh
grep -q "6.12 的内核映像更小" "$TMP/out" && ok "compare words in Chinese" || bad "compare words in Chinese"
expect_rc "compare: bad machine" 2 "$MMSIM" compare --machine "ram=1G kernel=6.6"
grep -q "^<machine>:1:15: error: kernel=6.6 is not modelled" "$TMP/err" && ok "compare: bad machine message" || { bad "compare: bad machine message"; cat "$TMP/err"; }
expect_rc "compare: no machine" 2 "$MMSIM" compare

expect_rc "trace prints nested events" 0 "$MMSIM" boot --machine "ram=256M cpus=1" --trace
grep -q "^  > mem_init" "$TMP/out" && grep -q "__free_one_page: merge" "$TMP/out" && ok "trace content" || bad "trace content"

expect_rc "typo in machine" 2 "$MMSIM" boot --machine "ram=1G cpsu=2"
grep -q "^<machine>:1:8: error: unknown key 'cpsu'" "$TMP/err" && ok "typo message" || { bad "typo message"; cat "$TMP/err"; }
expect_rc "absurd RAM" 2 "$MMSIM" boot --machine "ram=100T"
grep -q "too large" "$TMP/err" && ok "absurd RAM message" || bad "absurd RAM message"

printf 'BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\nBIOS-e820: [mem 0x0-0xZZ] usable\n' >"$TMP/bad.txt"
expect_rc "malformed dmesg" 2 "$MMSIM" boot --dmesg "$TMP/bad.txt"
grep -q "bad.txt:2:" "$TMP/err" && ok "malformed dmesg position" || { bad "malformed dmesg position"; cat "$TMP/err"; }
expect_rc "missing file" 2 "$MMSIM" boot --dmesg "$TMP/nope.txt"
expect_rc "unknown proc" 2 "$MMSIM" boot --machine "ram=1G" --proc slabinfox
expect_rc "no command" 2 "$MMSIM"
expect_rc "help" 0 "$MMSIM" --help

expect_rc "lesson runs" 0 "$MMSIM" run "$SRC/lessons/boot-1g.mm"
grep -q "12 expectations passed, 0 failed" "$TMP/err" && ok "lesson expectations" || { bad "lesson expectations"; cat "$TMP/err"; }
expect_rc "lesson checks" 0 "$MMSIM" check "$SRC/lessons/boot-1g.mm"

printf 'machine ram=1G cpus=2\nexpect zone DMA32 managed == 5\n' >"$TMP/fail.mm"
expect_rc "failed expectation exits 1" 1 "$MMSIM" run "$TMP/fail.mm"
grep -q "fail.mm:2:8: error: expect failed: zone DMA32 managed is" "$TMP/err" && ok "failed expectation message" || { bad "failed expectation message"; cat "$TMP/err"; }

printf 'machine ram=1G cpus=2\nproc zoneinf\n' >"$TMP/typo.mm"
expect_rc "scenario typo exits 2" 2 "$MMSIM" check "$TMP/typo.mm"
grep -q "typo.mm:2:6: error: unknown /proc view 'zoneinf'" "$TMP/err" && ok "scenario typo message" || { bad "scenario typo message"; cat "$TMP/err"; }

printf 'machine ram=1G cpus=2\n  kmaloc obj 64\n' >"$TMP/stmt.mm"
expect_rc "unknown statement exits 2" 2 "$MMSIM" check "$TMP/stmt.mm"
grep -q "stmt.mm:2:3: error: unknown statement 'kmaloc': did you mean 'kmalloc'? (statements: machine, dmesg, proc, " "$TMP/err" \
  && ok "unknown statement suggests the nearest" || { bad "unknown statement suggests the nearest"; cat "$TMP/err"; }

cp "$REF/numa2-m2g-smp2/dmesg.txt" "$TMP/numa.txt"
printf 'dmesg numa.txt\nexpect nodes == 2\nexpect node 1 zone DMA32 managed == 257897\nexpect node 1 zone DMA32 pcp.high == 10837\n' >"$TMP/numa.mm"
expect_rc "scenario boots a dmesg relative to itself" 0 "$MMSIM" run "$TMP/numa.mm"

# OOM replay: the capture's three kills, in order, all matching the kernel.
expect_rc "oom replay of the capture" 0 "$MMSIM" oom --replay "$REF/oom-m256-smp1/dmesg.txt"
[ "$(grep -o '^Out of memory: Killed process [0-9]*' "$TMP/out" | awk '{print $6}' | tr '\n' ' ')" = "109 107 162 " ] \
  && ok "oom replay victims 109 107 162" || { bad "oom replay victims 109 107 162"; cat "$TMP/out"; }
grep -q "3 of 3 match the kernel's choice" "$TMP/out" && ok "oom replay matches the kernel" || bad "oom replay matches the kernel"
printf 'hog invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0\nTasks state (memory values in pages):\n[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n[    106]     0   106     7927     78z4   102400        0             0 hog\n' >"$TMP/badoom.txt"
expect_rc "malformed oom report exits 2" 2 "$MMSIM" oom --replay "$TMP/badoom.txt"
grep -q "badoom.txt:4:38: error:" "$TMP/err" && ok "malformed oom report position" || { bad "malformed oom report position"; cat "$TMP/err"; }
expect_rc "a log without an OOM report exits 2" 2 "$MMSIM" oom --replay "$REF/m1g-smp2/dmesg.txt"
grep -q "dmesg.txt:1:1: error: no OOM report in this log" "$TMP/err" && ok "no OOM report message at line 1" || { bad "no OOM report message at line 1"; cat "$TMP/err"; }
: >"$TMP/empty.txt"
expect_rc "an empty log exits 2" 2 "$MMSIM" oom --replay "$TMP/empty.txt"
grep -q "empty.txt:1:1: error: no OOM report" "$TMP/err" && ok "empty log: line 1" || { bad "empty log: line 1"; cat "$TMP/err"; }
expect_rc "oom without --replay" 2 "$MMSIM" oom
# Counts no kernel could hold (2^52 pages, 2^64 bytes) exit 2 at the number.
oom_head='hog invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0\nMem-Info:\n'
oom_rows='Tasks state (memory values in pages):\n[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n'
oom_tail='oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=hog,pid=106,uid=0\n'
huge_oom() {  # huge_oom NAME RAM_LINE ROW WANT
  printf "${oom_head}Total swap = 0kB\n%s\n0 pages reserved\n${oom_rows}%s\n${oom_tail}" "$2" "$3" >"$TMP/huge.txt"
  expect_rc "oom replay refuses $1" 2 "$MMSIM" oom --replay "$TMP/huge.txt"
  grep -q "^$4 is more than a 64-bit kernel can hold: at most 2^52 pages (4503599627370496, 2^64 bytes)$" "$TMP/err" \
    && ok "$1: position and bound" || { bad "$1: position and bound"; cat "$TMP/err"; }
}
huge_oom "rss 2^62" "100000 pages RAM" "[    106]     0   106     7927 4611686018427387904   102400        0             0 hog" \
  "$TMP/huge.txt:8:32: error: rss (pages) 4611686018427387904 pages"
huge_oom "swapents 2^63-1" "100000 pages RAM" "[    106]     0   106     7927     7804   102400 9223372036854775807             0 hog" \
  "$TMP/huge.txt:8:50: error: swapents (pages) 9223372036854775807 pages"
huge_oom "pages RAM 5e16" "50000000000000000 pages RAM" "[    106]     0   106     7927     7804   102400        0             0 hog" \
  "$TMP/huge.txt:4:1: error: 50000000000000000 pages RAM"
printf "${oom_head}Total swap = 0kB\n4503599627370496 pages RAM\n0 pages reserved\n${oom_rows}%s\n${oom_tail}" \
  "[    106]     0   106     7927 4503599627370496   102400 4503599627370496          1000 hog" >"$TMP/max.txt"
expect_rc "oom replay takes the largest counts a kernel can hold" 0 "$MMSIM" oom --replay "$TMP/max.txt"

# A loop that fails forever prints what the kernel's ratelimits let through.
printf 'machine ram=1G cpus=2\nrepeat 999999 alloc x\nlog\n' >"$TMP/fail-loop.mm"
expect_rc "999999 failing allocations finish" 0 timeout 60 "$MMSIM" run "$TMP/fail-loop.mm"
[ "$(grep -c ': page allocation failure: order:0' "$TMP/out")" = 1 ] && [ "$(wc -l <"$TMP/out")" -lt 2000 ] \
  && grep -q '^out_of_memory: [0-9]* callbacks suppressed$' "$TMP/out" \
  && ok "failing loop: a bounded log with callbacks suppressed" || { bad "failing loop: a bounded log with callbacks suppressed"; wc -l "$TMP/out"; }
printf 'machine ram=1G\nrepeat 1000000 alloc x\n' >"$TMP/big-repeat.mm"
expect_rc "repeat past its bound exits 2" 2 "$MMSIM" check "$TMP/big-repeat.mm"
grep -q "big-repeat.mm:2:8: error: .*1 to 999999" "$TMP/err" && ok "repeat bound message" || { bad "repeat bound message"; cat "$TMP/err"; }

# One exit-code rule: 0 all held, 1 an expectation (or invariant) failed,
# 2 bad input, and a refused statement is bad input even among failed
# expectations. Each with FILE:LINE:COL.
refused() {  # refused NAME FILE-CONTENT WHERE-AND-WHY
  printf "$2" >"$TMP/refused.mm"
  expect_rc "$1 exits 2" 2 "$MMSIM" run "$TMP/refused.mm"
  grep -q "refused.mm:$3" "$TMP/err" && ok "$1: where and why" || { bad "$1: where and why"; cat "$TMP/err"; }
}
refused "double kfree" 'machine ram=128M cpus=1\nkmalloc p 100\nkfree p\nkfree p\n' "4:7: error: kfree: 'p' holds no object"
refused "kfree of a name never allocated" 'machine ram=128M cpus=1\nkfree q\n' "2:7: error: kfree: 'q' holds no object"
refused "free of a pfn nobody allocated" 'machine ram=128M cpus=1\nfree pfn=0 order=0\n' "2:1: error: free_pages: pfn 0"
refused "a CPU the machine lacks" 'machine ram=128M cpus=1\nalloc a order=0 cpu=5\n' "2:1: error: alloc_pages: no CPU 5"
refused "a dmesg file that is not there" 'dmesg /nonexistent/boot.txt\n' "1:7: error: cannot read"
refused "a refusal among failed expectations" 'machine ram=128M cpus=1\nexpect cpus == 2\nkfree q\n' "3:7: error: kfree"
expect_rc "a scenario that never ends (/dev/zero) exits 2" 2 timeout 60 "$MMSIM" run /dev/zero
grep -q "^/dev/zero: error: larger than 128 MiB" "$TMP/err" && ok "/dev/zero: the input limit" || { bad "/dev/zero: the input limit"; cat "$TMP/err"; }
refused "dmesg /dev/zero" 'dmesg /dev/zero\n' "1:7: error: cannot read '/dev/zero'"
printf 'machine ram=128M\necho a\000b\n' >"$TMP/nul.mm"
expect_rc "a NUL byte in a scenario exits 2" 2 "$MMSIM" run "$TMP/nul.mm"
grep -q "nul.mm:2:7: error: a NUL byte" "$TMP/err" && ok "NUL byte: where and why" || { bad "NUL byte: where and why"; cat "$TMP/err"; }
expect_rc "--machine with an empty value exits 2" 2 "$MMSIM" boot --machine ""
grep -q "^<machine>:1:1: error: empty machine description" "$TMP/err" && ok "empty --machine: where and why" || { bad "empty --machine: where and why"; cat "$TMP/err"; }
expect_rc "a machine the boot cannot bring up exits 2" 2 "$MMSIM" boot --machine "nodes=64 ram=1G"
grep -q "^<machine>:1:1: error: boot: memblock_alloc" "$TMP/err" && ok "unbootable machine: where and why" || { bad "unbootable machine: where and why"; cat "$TMP/err"; }
expect_rc "ram given twice under two names exits 2" 2 "$MMSIM" boot --machine "ram=1G m=4G"
grep -q "^<machine>:1:8: error: 'm' (another name for 'ram') given twice" "$TMP/err" && ok "alias given twice: where and why" || { bad "alias given twice: where and why"; cat "$TMP/err"; }

# Every shipped lesson runs clean: its expectations are the lesson's claims.
for lesson in "$SRC"/lessons/*.mm; do
  expect_rc "lesson $(basename "$lesson")" 0 "$MMSIM" run "$lesson"
done

echo "mmsim: $fails failed"
[ "$fails" = 0 ]
