// The engine's own model of what an x86_64 Linux 6.1 boot reserves and
// allocates from memblock, for machines given as shorthand (or logs without
// memblock=debug). It follows the order and the sizes the reference captures
// show for Debian's kernel under qemu:
//
//   early_reserve_memory: first 64K, kernel image, initrd, BIOS area
//   e820__memblock_setup: memblock_add of usable RAM, trimmed to pages
//   reserve_real_mode (28K below 1M), the first 1M, init_mem_mapping's buffer
//   NUMA: NODE_DATA per node; sparse_init: section roots, usemaps, memmap
//   (2M of struct pages per 128M section), vmemmap page tables
//   small boot allocations (ACPI, IO-APIC, firmware map, cpumasks)
//   setup_percpu: one embedded first chunk per node, unused unit tails freed
//   dentry and inode hash tables (single node: hashdist is off)
//   mem_init, then the late frees: SMP alternatives, initrd, decrypted bss,
//   init sections, the text/rodata and rodata/data gaps.
#include <algorithm>

#include "mm/boot/boot.h"

namespace mm {

namespace {

BootOp op(BootOpKind k) {
  BootOp o;
  o.kind = k;
  return o;
}

BootOp reserve(Phys base, Phys size, std::string caller) {
  BootOp o = op(BootOpKind::MemblockReserve);
  o.base = base;
  o.size = size;
  o.caller = std::move(caller);
  return o;
}

BootOp alloc(const char* fn, Phys size, Phys align, int nid, Phys from, Phys max, std::string caller,
             bool exact = false) {
  BootOp o = op(BootOpKind::MemblockAlloc);
  o.fn = fn;
  o.size = size;
  o.align = align;
  o.nid = nid;
  o.min_addr = from;
  o.max_addr = max;
  o.caller = std::move(caller);
  o.exact_nid = exact;
  return o;
}

BootOp printk(std::string s) {
  BootOp o = op(BootOpKind::Printk);
  o.what = std::move(s);
  return o;
}

std::string hex10(u64 v) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%08llx", static_cast<unsigned long long>(v));
  return b;
}

// Present 128M sections of a node (sparse_init works per section).
std::vector<u64> node_sections(const MachineSpec& s, const NodeSpec& n) {
  std::vector<u64> secs;
  for (const auto& [a, b] : n.ranges) {
    // Only RAM the e820 map calls usable has a memmap.
    for (const E820Entry& e : s.e820) {
      if (e.type != E820Type::Usable) continue;
      Phys lo = std::max(a, e.addr), hi = std::min(b, e.end());
      if (lo >= hi) continue;
      for (u64 sec = lo >> SECTION_SIZE_BITS; sec <= (hi - 1) >> SECTION_SIZE_BITS; ++sec) secs.push_back(sec);
    }
  }
  std::sort(secs.begin(), secs.end());
  secs.erase(std::unique(secs.begin(), secs.end()), secs.end());
  return secs;
}

}  // namespace

std::optional<std::pair<Phys, Phys>> kernel_piece(const KernelImage& k, std::string_view what, u64 kb) {
  const Phys text_end = round_up(k.start + (k.code_kb << 10), PAGE_SIZE);
  const Phys rodata = round_up(text_end, 2ull << 20);
  const Phys rodata_end = round_up(rodata + (k.rodata_kb << 10), PAGE_SIZE);
  const Phys data = round_up(rodata_end, 2ull << 20);
  const Phys init = round_up(data + (k.rwdata_kb << 10), PAGE_SIZE);
  const Phys init_end = init + (k.init_kb << 10);
  const Phys smp_locks = round_up(init_end, PAGE_SIZE);
  const Phys decrypted = round_up(smp_locks + (k.smp_alternatives_kb << 10), 2ull << 20);
  const Phys size = kb << 10;
  Phys base;
  if (what == "unused kernel image (text/rodata gap)") base = text_end;
  else if (what == "unused kernel image (rodata/data gap)") base = rodata_end;
  else if (what == "unused kernel image (initmem)" || what == "unused kernel") base = init;
  else if (what == "SMP alternatives") base = smp_locks;
  else if (what == "unused decrypted") base = decrypted;
  else return std::nullopt;
  // Never reach past the image's own reservation.
  const Phys end = std::min(base + size, k.start + k.reserved_size);
  if (base >= end) return std::nullopt;
  return std::make_pair(base, end - base);
}

BootPlan plan_from_spec(const MachineSpec& spec) {
  BootPlan p;
  p.spec = spec;
  p.source = spec.description;
  auto& ops = p.ops;
  const KernelImage& k = spec.kernel;
  Phys max_addr = 0;
  for (const E820Entry& e : spec.e820)
    if (e.type == E820Type::Usable) max_addr = std::max(max_addr, e.end());
  Phys low_top = 0;  // end of the usable range holding the kernel (below 4G)
  for (const E820Entry& e : spec.e820)
    if (e.type == E820Type::Usable && e.addr <= k.start && e.end() > k.start) low_top = e.end();
  low_top = round_down(low_top, PAGE_SIZE);

  // early_reserve_memory(): before memblock=debug is parsed.
  ops.push_back(reserve(0, 0x10000, ""));
  ops.push_back(reserve(k.start, k.reserved_size, ""));
  if (spec.initrd_size) ops.push_back(reserve(spec.initrd_start, spec.initrd_size, ""));
  ops.push_back(reserve(0x9f000, 0x100000 - 0x9f000, ""));  // EBDA up to 1M
  ops.push_back(reserve(0xf5ba0, 0x10, "smp_scan_config"));
  ops.push_back(reserve(k.start + k.reserved_size - 0x11000, 0x11000, "setup_arch"));  // brk

  // e820__memblock_setup(): usable RAM, page 0 and the legacy hole removed.
  BootOp lim = op(BootOpKind::SetCurrentLimit);
  lim.base = 0x100000;  // ISA_END_ADDRESS
  ops.push_back(lim);
  for (const E820Entry& e : spec.e820) {
    if (e.type != E820Type::Usable) continue;
    Phys s = std::max<Phys>(e.addr, 0x1000), end = e.end();
    if (s < 0x100000 && end > 0xa0000) end = std::min<Phys>(end, 0xa0000);
    if (s >= end) continue;
    BootOp a = op(BootOpKind::MemblockAdd);
    a.base = s;
    a.size = end - s;
    a.caller = "e820__memblock_setup";
    ops.push_back(a);
  }
  ops.push_back(op(BootOpKind::MemblockTrim));

  // reserve_real_mode(), then the whole first megabyte.
  ops.push_back(alloc("memblock_phys_alloc_range", 28672, 0x1000, NUMA_NO_NODE, 0, 0x100000, "reserve_real_mode"));
  ops.push_back(reserve(0, 0x100000, "setup_arch"));
  // init_mem_mapping(): a 2M page-table buffer found and given back.
  {
    BootOp a = alloc("memblock_phys_alloc_range", 2 << 20, 2 << 20, NUMA_NO_NODE, 0x100000, low_top,
                     "init_mem_mapping");
    a.may_fail = true;  // small machines: no 2M block free, the kernel maps in smaller steps
    ops.push_back(a);
    BootOp f = op(BootOpKind::MemblockPhysFree);
    f.what = "last_alloc";  // resolved below
    f.size = 2 << 20;
    f.caller = "init_mem_mapping";
    ops.push_back(f);
  }
  BootOp lim2 = op(BootOpKind::SetCurrentLimit);
  lim2.base = max_addr;
  ops.push_back(lim2);
  if (spec.initrd_size)
    ops.push_back(printk("RAMDISK: [mem " + hex10(spec.initrd_start) + "-" +
                         hex10(spec.initrd_start + spec.initrd_size - 1) + "]"));
  // ACPI tables live in the e820-reserved top of low RAM: reserved, no RAM lost.
  ops.push_back(reserve(low_top, 0x1b33, "acpi_reserve_initial_tables"));

  ops.push_back(op(BootOpKind::NumaInit));
  std::vector<NodeSpec> nodes = spec.nodes;
  if (nodes.empty()) {
    NodeSpec n;
    n.ranges.push_back({0, max_addr});
    for (unsigned c = 0; c < spec.cpus; ++c) n.cpus.push_back(static_cast<int>(c));
    nodes.push_back(n);
  }
  for (const NodeSpec& n : nodes) {
    if (n.ranges.empty()) continue;  // memoryless: its pg_data_t lives elsewhere
    BootOp a = alloc("memblock_phys_alloc_try_nid", 0x2b000, 64, n.id, 0, 0, "alloc_node_data");
    a.what = "NODE_DATA";
    ops.push_back(a);
  }
  ops.push_back(op(BootOpKind::DmaReserve));

  // sparse_init(): mem_section roots, then per node the usemaps, one 2M
  // block of struct pages per present section, and vmemmap page tables.
  ops.push_back(alloc("memblock_alloc_try_nid", 32768, 64, NUMA_NO_NODE, 0, 0, "sparse_init"));
  for (const NodeSpec& n : nodes) {
    std::vector<u64> secs = node_sections(spec, n);
    if (secs.empty()) continue;
    u64 last_root = ~u64{0};
    for (u64 s : secs)
      if (s / 128 != last_root) {
        last_root = s / 128;
        ops.push_back(alloc("memblock_alloc_try_nid", 4096, 64, n.id, 0, 0, "sparse_index_alloc"));
      }
    const Phys sec_base = secs.front() << SECTION_SIZE_BITS;
    ops.push_back(alloc("memblock_alloc_try_nid", 56 * secs.size(), 64, n.id, sec_base,
                        sec_base + (1ull << SECTION_SIZE_BITS), "sparse_init_nid"));
    ops.push_back(alloc("memblock_alloc_exact_nid_raw", secs.size() * (2ull << 20), 2ull << 20, n.id, 0x1000000, 0,
                        "sparse_init_nid", true));
    const u64 pmd_pages = 1 + (secs.size() * (2ull << 20) - 1) / (1ull << 30);
    for (u64 i = 0; i < 1 + pmd_pages; ++i)
      ops.push_back(alloc("memblock_alloc_try_nid_raw", 4096, 4096, n.id, 0x1000000, 0, "vmemmap_alloc_block_zero"));
  }
  ops.push_back(op(BootOpKind::FreeAreaInit));

  // Small early allocations: HPET, IO-APIC, e820 resources, firmware map,
  // nosave regions, saved command lines.
  for (Phys sz : {73, 75, 512, 104, 104, 104, 104, 104, 104, 104, 32, 32})
    ops.push_back(alloc("memblock_alloc_try_nid", sz, 64, NUMA_NO_NODE, 0, 0, "setup_arch"));
  ops.push_back(printk("smpboot: Allowing " + std::to_string(spec.cpus) + " CPUs, 0 hotplug CPUs"));
  for (Phys sz : {76, 76}) ops.push_back(alloc("memblock_alloc_try_nid", sz, 64, NUMA_NO_NODE, 0, 0, "start_kernel"));

  // setup_per_cpu_areas(): pcpu_embed_first_chunk with 2M atoms. Units per
  // allocation: the largest count that divides the atom and wastes no more
  // than a third of the CPUs (pcpu_build_alloc_info).
  {
    const u64 unit_min = 217088 + 8192 + 28672;  // static + reserved + dynamic
    const u64 atom = 2ull << 20;
    std::vector<unsigned> group_cnt;
    std::vector<int> group_node;
    for (const NodeSpec& n : nodes)
      if (!n.cpus.empty()) {
        group_cnt.push_back(static_cast<unsigned>(n.cpus.size()));
        group_node.push_back(n.id);
      }
    if (group_cnt.empty()) {
      group_cnt.push_back(spec.cpus);
      group_node.push_back(0);
    }
    const u64 max_upa = atom / std::max<u64>(unit_min, 32768);
    u64 best_upa = 1, last_allocs = ~u64{0};
    for (u64 upa = max_upa; upa; --upa) {
      if (atom % upa || (atom / upa) % PAGE_SIZE) continue;
      u64 allocs = 0, wasted = 0;
      for (unsigned c : group_cnt) {
        u64 a = (c + upa - 1) / upa;
        allocs += a;
        wasted += a * upa - c;
      }
      if (wasted > spec.cpus / 3) continue;
      if (allocs > last_allocs) break;
      last_allocs = allocs;
      best_upa = upa;
    }
    const u64 unit = atom / best_upa;
    ops.push_back(alloc("memblock_alloc_try_nid", 4096, 4096, NUMA_NO_NODE, 0, 0, "pcpu_build_alloc_info"));
    size_t build_info_op = ops.size() - 1;
    ops.push_back(alloc("memblock_alloc_try_nid", 4096, 64, NUMA_NO_NODE, 0, 0, "pcpu_embed_first_chunk"));
    size_t embed_op = ops.size() - 1;
    for (size_t g = 0; g < group_cnt.size(); ++g) {
      const u64 units = (group_cnt[g] + best_upa - 1) / best_upa * best_upa;
      BootOp a = alloc("memblock_alloc_try_nid", units * unit, atom, group_node[g], 0x1000000, 0, "pcpu_fc_alloc");
      a.what = "percpu";
      ops.push_back(a);
      // pcpu_embed_first_chunk gives back each unit's unused tail, and whole
      // units that no CPU uses.
      for (u64 u = 0; u < units; ++u) {
        BootOp f = op(BootOpKind::MemblockPhysFree);
        f.what = "percpu_tail";
        f.base = u < group_cnt[g] ? u * unit + round_up(unit_min, PAGE_SIZE) : u * unit;  // offset in the chunk
        f.size = u < group_cnt[g] ? unit - round_up(unit_min, PAGE_SIZE) : unit;
        f.caller = "pcpu_embed_first_chunk";
        if (f.size) ops.push_back(f);
      }
    }
    ops.push_back(printk("percpu: Embedded 62 pages/cpu s217088 r8192 d28672 u" + std::to_string(unit)));
    for (Phys sz : {8, 8, 8, 16, 352, 144, 256, 264, 64})
      ops.push_back(alloc("memblock_alloc_try_nid", sz, 64, NUMA_NO_NODE, 0, 0, "pcpu_setup_first_chunk"));
    for (size_t g = 0; g < group_cnt.size(); ++g)
      for (Phys sz : {144, 896, 904, 224})
        ops.push_back(alloc("memblock_alloc_try_nid", sz, 64, NUMA_NO_NODE, 0, 0, "pcpu_alloc_first_chunk"));
    for (size_t i : {build_info_op, embed_op}) {
      BootOp f = op(BootOpKind::MemblockPhysFree);
      f.what = "free_alloc#" + std::to_string(i);
      f.size = 4096;
      f.caller = "pcpu_embed_first_chunk";
      ops.push_back(f);
    }
  }
  for (int i = 0; i < 5; ++i)
    ops.push_back(alloc("memblock_alloc_try_nid", 8, 64, NUMA_NO_NODE, 0, 0, "alloc_bootmem_cpumask_var"));
  ops.push_back(op(BootOpKind::BuildZonelists));
  // Hash tables sized from nr_kernel_pages; NUMA machines spread them with
  // vmalloc later (hashdist), so only a single node takes them from memblock.
  if (nodes.size() <= 1) {
    BootOp d = alloc("memblock_alloc_try_nid", 0, 64, NUMA_NO_NODE, 0, 0, "alloc_large_system_hash");
    d.what = "hash:Dentry cache:13";
    ops.push_back(d);
    BootOp i = d;
    i.what = "hash:Inode-cache:14";
    ops.push_back(i);
  }
  for (int i = 0; i < 3; ++i)
    ops.push_back(alloc("memblock_alloc_try_nid", 4096, 4096, NUMA_NO_NODE, 0, 0, "spp_getpage"));
  ops.push_back(op(BootOpKind::MemInit));

  auto late = [&](const char* what, u64 kb) {
    auto piece = kernel_piece(k, what, kb);
    if (!piece) return;
    BootOp f = op(BootOpKind::FreeReserved);
    f.what = what;
    f.base = piece->first;
    f.size = piece->second;
    f.kb = kb;
    ops.push_back(f);
  };
  late("SMP alternatives", k.smp_alternatives_kb);
  ops.push_back(op(BootOpKind::PageAllocInitLate));
  ops.push_back(op(BootOpKind::InitWmarks));
  ops.push_back(op(BootOpKind::Khugepaged));
  if (spec.initrd_size) {
    BootOp f = op(BootOpKind::FreeInitrd);
    f.base = spec.initrd_start;
    f.size = spec.initrd_size;
    ops.push_back(f);
  }
  late("unused decrypted", k.decrypted_kb);
  late("unused kernel image (initmem)", k.init_kb);
  late("unused kernel image (text/rodata gap)", k.text_rodata_gap_kb);
  late("unused kernel image (rodata/data gap)", k.rodata_data_gap_kb);
  return p;
}

}  // namespace mm
