#!/usr/bin/env bash
# Byte-for-byte comparison of two mmsim binaries on every way a dmesg gets in:
#   bash scripts/compare-dmesg-import.sh OLD_MMSIM NEW_MMSIM [WORK_DIR]
# Inputs: the captures (linux-6.1 and linux-6.12), the dmesg fuzz corpus and
# regressions, and mutations of the captures (deterministic: truncated,
# deleted, duplicated and swapped lines, swapped and replaced digits, garbage
# prefixes, cut tails). For each input both binaries run
#   boot --dmesg F --log --proc <every view> --slab kmalloc-128 --check
#   boot --dmesg F --trace
#   oom --replay F
# and stdout, stderr and the exit code of each are kept. Exit 0 when the two
# trees are identical; otherwise the diff is printed and the exit code is 1.
# MUTATIONS=N sets the number of mutated inputs (400); MM_REFERENCE the
# folder holding linux-6.1/ and linux-6.12/ (../shared/reference).
# Typical use, before and after a change to the importer:
#   cp build/native/mmsim /tmp/mmsim-before   # built at the base commit
#   ... change, rebuild ...
#   bash scripts/compare-dmesg-import.sh /tmp/mmsim-before build/native/mmsim
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 OLD_MMSIM NEW_MMSIM [WORK_DIR]" >&2
  exit 2
fi
OLD=$(realpath "$1")
NEW=$(realpath "$2")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${3:-$(mktemp -d)}
REF=${MM_REFERENCE:-$ROOT/../shared/reference}
mkdir -p "$WORK"
WORK=$(realpath "$WORK")
IN="$WORK/inputs"
rm -rf "$IN" "$WORK/old" "$WORK/new"
mkdir -p "$IN"

# Inputs are copied under one directory so both binaries see the same paths
# (they appear in FILE:LINE:COL messages).
for f in "$REF"/linux-6.1/*/dmesg*.txt "$REF"/linux-6.12/*/dmesg*.txt; do
  [ -f "$f" ] || continue
  v=$(basename "$(dirname "$(dirname "$f")")")
  cp "$f" "$IN/capture-$v-$(basename "$(dirname "$f")").txt"
done
for f in "$ROOT"/fuzz/corpus/dmesg/* "$ROOT"/fuzz/regressions/dmesg/*; do
  [ -f "$f" ] || continue
  cp "$f" "$IN/$(basename "$(dirname "$(dirname "$f")")")-$(basename "$f")"
done

python3 - "$IN" "${MUTATIONS:-400}" <<'EOF'
import glob, os, random, sys
out, count = sys.argv[1], int(sys.argv[2])
captures = sorted(glob.glob(os.path.join(out, "capture-*.txt")))
rng = random.Random(20240610)
# Lines the importer reads, so mutations land where they matter.
keys = ("BIOS-e820", "e820:", "memblock_", "reserved[", "MEMBLOCK", "SRAT", "NUMA", "NODE_DATA", "smpboot",
        "setup_percpu", "RAMDISK", "Memory:", "Freeing", "Zone ranges", "Built ", "Command line", "deferred")
def interesting(lines):
    return [i for i, l in enumerate(lines) if any(k in l for k in keys)] or list(range(len(lines)))
def digits(s):
    return [i for i, c in enumerate(s) if c in "0123456789abcdefx"]
kinds = ["truncate", "delete", "duplicate", "swap_lines", "swap_digits", "replace_digit", "garbage", "cut_tail",
         "delete_many", "strip_prefix", "insert_char", "cmdline", "inject"]
# Lines at the edges of the importer's matchers.
edges = ["setup_arch: node 0 deferred pages initialised in 1ms", "Built 1 nodes deferred pages initialised",
         "Built 1 zonelists", "memblock_add [0x100000-0x1fffff]", "memblock_bogus: [0x1000-0x1fff] x+0x1/0x2",
         "memblock_add_node: [0x0000000000100000-0x00000000001fffff] nid=0 flags=0 x+0x1/0x2",
         "memblock_free: [0x0000000002000000-0x0000000002000fff] x+0x1/0x2",
         "memblock_free_late: [0x0000000002000000-0x0000000002000fff] x+0x1/0x2",
         "memblock_remove: [0x0000000030000000-0x0000000030000fff] x+0x1/0x2",
         "memblock_add: [0x0000000030000000-0x0000000030000fff] x+0x1/0x2",
         "memblock_phys_alloc_try_nid: 4096 bytes align=0x1000 nid=0 from=0x0 max_addr=0x0 x+0x1/0x2",
         "memblock_alloc_try_nid: 64 bytes align=0x40 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 y+0x1/0x2",
         "memblock_reserve: [0x0000000003000000-0x000000000300003f] memblock_alloc_range_nid+0xb0/0x11e",
         "memblock_phys_free: [0x0000000003000000-0x0000000003000fff] init_mem_mapping+0x1/0x2",
         "MEMBLOCK configuration:", " reserved[0x9]\t[0x0000000005000000-0x0000000005000fff], 0x1000 bytes flags: 0x0",
         " memory.cnt  = 0x3", "Freeing initrd memory: 100K", "Freeing unused kernel image (initmem) memory: 2824K",
         "Freeing strange memory: 4K", "Freeing SMP alternatives memory: 36K", "Freeing bad memory: xK",
         "Zone ranges:", "Memory: 1K/2K available", "No NUMA configuration found", "NUMA: whatever",
         "NODE_DATA(0) allocated [mem 0x3ffd5000-0x3fffffff]", "NODE_DATA(x)", "RAMDISK: [mem 0x1-0x0]",
         "SRAT: PXM 0 -> APIC 0x00", "SRAT: PXM 1 -> APIC 0x01 -> Node 1", "smpboot: Allowing 4 CPUs, 0 hotplug CPUs",
         "setup_percpu: NR_CPUS:64 nr_cpumask_bits:64 nr_cpu_ids:3 nr_node_ids:1",
         "Kernel command line: kernelcore=512M", "Command line: movablecore=256M numa=off",
         "e820: update [mem 0x00000000-0x00000fff] usable ==> reserved", "node 0 deferred pages initialised in 4ms"]
params = ["kernelcore=1G", "kernelcore=1.5G", "kernelcore=50%", "kernelcore=150%", "kernelcore=mirror", "kernelcore",
          "movablecore=0x20000000", "movablecore=abc", "movablecore", "movablecore=010M", "numa=off", "numa=offx",
          "transparent_hugepage=never", "transparent_hugepage=always", "transparent_hugepage=bogus",
          "kernel-core=256M", '"kernelcore=512M"', 'kernelcore="300M"', "--", "movable_core=25%"]
for n in range(count):
    src = captures[n % len(captures)]
    lines = open(src, encoding="utf-8", errors="surrogateescape").read().split("\n")
    kind = kinds[n % len(kinds)]
    for _ in range(1 + rng.randrange(3)):
        idx = interesting(lines)
        i = rng.choice(idx)
        l = lines[i]
        if kind == "truncate" and l:
            lines[i] = l[: rng.randrange(len(l))]
        elif kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, l)
        elif kind == "swap_lines":
            j = rng.choice(idx)
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "swap_digits":
            d = digits(l)
            if len(d) >= 2:
                a = rng.randrange(len(d) - 1)
                p, q = d[a], d[a + 1]
                s = list(l)
                s[p], s[q] = s[q], s[p]
                lines[i] = "".join(s)
        elif kind == "replace_digit":
            d = digits(l)
            if d:
                p = rng.choice(d)
                lines[i] = l[:p] + rng.choice("0123456789abcdefgx-]") + l[p + 1 :]
        elif kind == "garbage":
            lines[i] = rng.choice(["<6>", "[", "]", "\x00", "\xff", "zz ", "BIOS-e820: ", "memblock_", "Memory: ",
                                   "Freeing ", "NODE_DATA(", "\t", "<12345>", "[ 0.1] "]) + l
        elif kind == "cut_tail":
            lines = lines[: max(1, i)]
        elif kind == "delete_many":
            j = min(len(lines), i + rng.randrange(1, 60))
            del lines[i:j]
        elif kind == "strip_prefix":
            k = l.find("] ")
            lines[i] = l[k + 2 :] if k >= 0 else l.lstrip("<0123456789>")
        elif kind == "cmdline":
            for c in [k for k, x in enumerate(lines) if "ommand line: " in x]:
                lines[c] = lines[c] + " " + " ".join(rng.choice(params) for _ in range(1 + rng.randrange(3)))
        elif kind == "inject":
            lines.insert(rng.randrange(len(lines) + 1), rng.choice(["", "[    0.000000] ", "<6>"]) + rng.choice(edges))
        elif kind == "insert_char":
            p = rng.randrange(len(l) + 1)
            lines[i] = l[:p] + rng.choice(" :=[]-0x9\r") + l[p:]
        if not lines:
            lines = [""]
    name = "mutated-%03d-%s-%s" % (n, kind, os.path.basename(src)[len("capture-") :])
    with open(os.path.join(out, name), "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
        f.write("\n".join(lines))
# Every edge line, three times, next to a line the importer reads.
for e, edge in enumerate(edges):
    for j in range(3):
        src = captures[(3 * e + j) % len(captures)]
        lines = open(src, encoding="utf-8", errors="surrogateescape").read().split("\n")
        i = rng.choice(interesting(lines)) + rng.randrange(2)
        lines.insert(i, rng.choice(["", "[    0.000000] ", "<6>"]) + edge)
        name = "edge-%02d-%d-%s" % (e, j, os.path.basename(src)[len("capture-") :])
        with open(os.path.join(out, name), "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
            f.write("\n".join(lines))
EOF

VIEWS=(--proc zoneinfo --proc buddyinfo --proc pagetypeinfo --proc memblock --proc kmem-f --proc slabinfo)
run_all() {  # binary, output dir
  local bin=$1 dir=$2 f name
  mkdir -p "$dir"
  for f in "$IN"/*; do
    name=$(basename "$f")
    (
      cd "$IN"
      set +e
      "$bin" boot --dmesg "$name" --log "${VIEWS[@]}" --slab kmalloc-128 --check >"$dir/$name.boot.out" 2>"$dir/$name.boot.err"
      echo $? >"$dir/$name.boot.rc"
      "$bin" boot --dmesg "$name" --trace >"$dir/$name.trace.out" 2>"$dir/$name.trace.err"
      echo $? >"$dir/$name.trace.rc"
      "$bin" oom --replay "$name" >"$dir/$name.oom.out" 2>"$dir/$name.oom.err"
      echo $? >"$dir/$name.oom.rc"
    )
  done
}
run_all "$OLD" "$WORK/old"
run_all "$NEW" "$WORK/new"

inputs=$(find "$IN" -type f | wc -l)
errors=$(grep -l -v '^0$' "$WORK"/old/*.boot.rc | wc -l)
echo "inputs: $inputs ($errors rejected or failing), outputs compared: $(find "$WORK/old" -type f | wc -l)"
if diff -r "$WORK/old" "$WORK/new"; then
  echo "identical"
else
  echo "DIFFERENT"
  exit 1
fi
