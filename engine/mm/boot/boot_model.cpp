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
//   mem_init, then the late frees: SMP alternatives, EFI boot services,
//   initrd, decrypted bss, init sections, the text/rodata and rodata/data
//   gaps.
// A log adds what it shows: the firmware tables reserved after memblock
// setup (before NUMA setup), and the EFI boot-services memory its
// efi_free_boot_services line sizes (reserved just before mem_init).
#include <algorithm>
#include <cstdio>

#include "mm/boot/boot.h"

namespace mm {

namespace {

// What the model's steps share: the plan being written and the machine's
// layout as the kernel would see it at that point.
struct ModelPlan {
  BootPlan& plan;
  const MachineSpec& spec;
  Phys max_addr = 0;                 // end of the highest usable RAM
  Phys low_top = 0;                  // end of the usable range holding the kernel (below 4G), page aligned
  std::vector<NodeSpec> nodes = {};  // the spec's nodes, or the one node NUMA setup fakes
  AllocId next_id = 1;
  std::vector<std::pair<AllocId, Phys>> efi_pieces = {};  // the boot-services memory reserved, freed later

  void push(BootOp op) { plan.ops.push_back(std::move(op)); }
  MemblockAlloc& alloc(MemblockAllocFn fn, Phys size, Phys align, int nid, Phys from, Phys max, std::string caller,
                       bool exact = false) {
    MemblockAlloc a;
    a.fn = fn;
    a.size = size;
    a.align = align;
    a.nid = nid;
    a.min_addr = from;
    a.max_addr = max;
    a.caller = std::move(caller);
    a.exact_nid = exact;
    plan.ops.push_back(std::move(a));
    return std::get<MemblockAlloc>(plan.ops.back());
  }
  // The same, named so that a later free can give (part of) it back.
  AllocId alloc_kept(MemblockAllocFn fn, Phys size, Phys align, int nid, Phys from, Phys max, std::string caller) {
    MemblockAlloc& a = alloc(fn, size, align, nid, from, max, std::move(caller));
    a.id = next_id++;
    return a.id;
  }
  void small_allocs(std::initializer_list<Phys> sizes, const char* caller) {
    for (Phys sz : sizes) alloc(MemblockAllocFn::alloc_try_nid, sz, 64, NUMA_NO_NODE, 0, 0, caller);
  }
  void reserve(Phys base, Phys size, std::string caller) { push(MemblockReserve{base, size, std::move(caller)}); }
  void free_part(AllocId id, Phys offset, Phys size, std::string caller) {
    push(MemblockPhysFree{AllocRef{id, offset}, size, std::move(caller)});
  }
  void printk(std::string s) { push(Printk{std::move(s)}); }
};

std::string hex10(u64 v) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%08llx", static_cast<unsigned long long>(v));
  return b;
}

// Present 128M sections of a node (sparse_init works per section).
std::vector<u64> node_sections(const MachineSpec& s, const NodeSpec& n) {
  std::vector<u64> secs;
  const std::vector<E820Entry> table = s.e820_table();
  for (const auto& [a, b] : n.ranges) {
    // Only RAM the kernel's e820 table calls usable has a memmap.
    for (const E820Entry& e : table) {
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

// early_reserve_memory(): before memblock=debug is parsed, so the log
// shows none of these.
void early_reserve_memory(ModelPlan& p) {
  const KernelImage& k = p.spec.kernel;
  p.reserve(0, 0x10000, "");
  p.reserve(k.start, k.reserved_size, "");
  if (p.spec.initrd_size) p.reserve(p.spec.initrd_start, p.spec.initrd_size, "");
  p.reserve(0x9f000, 0x100000 - 0x9f000, "");  // EBDA up to 1M
  p.reserve(0xf5ba0, 0x10, "smp_scan_config");
  p.reserve(k.start + k.reserved_size - 0x11000, 0x11000, "setup_arch");  // brk
}

// e820__memblock_setup(): the usable RAM of the kernel's e820 table (page 0
// and the legacy hole already out of it), trimmed to whole pages.
void e820__memblock_setup(ModelPlan& p) {
  p.push(SetCurrentLimit{0x100000});  // ISA_END_ADDRESS
  for (const auto& [base, size] : e820_memblock_ranges(p.spec)) p.push(MemblockAdd{base, size, "e820__memblock_setup"});
  p.push(MemblockTrim{});
}

// reserve_real_mode() (28K below 1M), then the whole first megabyte, and
// init_mem_mapping's 2M page-table buffer, found and given back. After it
// everything is mapped: allocations may go anywhere.
void reserve_real_mode_and_map(ModelPlan& p) {
  p.alloc(MemblockAllocFn::phys_alloc_range, 28672, 0x1000, NUMA_NO_NODE, 0, 0x100000, "reserve_real_mode");
  p.reserve(0, 0x100000, "setup_arch");
  MemblockAlloc& buf = p.alloc(MemblockAllocFn::phys_alloc_range, 2 << 20, 2 << 20, NUMA_NO_NODE, 0x100000, p.low_top,
                               "init_mem_mapping");
  buf.may_fail = true;  // small machines: no 2M block free, the kernel maps in smaller steps
  buf.id = p.next_id++;
  const AllocId id = buf.id;
  p.free_part(id, 0, 2 << 20, "init_mem_mapping");
  p.push(SetCurrentLimit{p.max_addr});
}

// The initrd's line, and the ACPI tables in the e820-reserved top of low
// RAM (reserved, no RAM lost).
void reserve_initrd_and_acpi(ModelPlan& p) {
  if (p.spec.initrd_size)
    p.printk("RAMDISK: [mem " + hex10(p.spec.initrd_start) + "-" + hex10(p.spec.initrd_start + p.spec.initrd_size - 1) +
             "]");
  p.reserve(p.low_top, 0x1b33, "acpi_reserve_initial_tables");
}

// initmem_init(): NUMA setup, then alloc_node_data for every node with memory.
void initmem_init(ModelPlan& p) {
  p.push(NumaInit{});
  if (p.spec.config.numa && p.spec.numa_distance_table && !p.spec.nodes.empty()) {
    // numa_alloc_distance(), from the SLIT's first numa_set_distance: a
    // byte per pair of the node ids parsed, page aligned, top-down.
    int cnt = 0;
    for (const NodeSpec& n : p.spec.nodes) cnt = std::max(cnt, n.id + 1);
    p.alloc(MemblockAllocFn::phys_alloc_range, static_cast<Phys>(cnt) * static_cast<Phys>(cnt), PAGE_SIZE, NUMA_NO_NODE,
            0, p.max_addr, "numa_alloc_distance");
  }
  for (const NodeSpec& n : p.nodes) {
    if (!p.spec.config.numa) break;  // !CONFIG_NUMA: the one pg_data_t is static (contig_page_data)
    if (n.ranges.empty()) continue;  // memoryless: its pg_data_t lives elsewhere
    // 6.1 rounds pg_data_t up to a page (0x2b000 on Debian's build); 6.12
    // (mm/numa.c) only to a cache line: 0x2a980 on every 6.12 build seen
    // without a smaller one of its own (Debian's, Ubuntu's configuration,
    // the qemu captures). A log's NODE_DATA line gives its build's.
    const u64 nd_size = p.spec.node_data_size                    ? p.spec.node_data_size
                        : p.spec.version == KernelVersion::v6_12 ? 0x2a980
                                                                 : 0x2b000;
    MemblockAlloc& a = p.alloc(MemblockAllocFn::phys_alloc_try_nid, nd_size, 64, n.id, 0, 0, "alloc_node_data");
    a.purpose = AllocPurpose::NodeData;
  }
  p.push(DmaReserve{});
}

// sparse_init(): mem_section roots, then per node the usemaps, one 2M
// block of struct pages per present section, and vmemmap page tables.
void sparse_init(ModelPlan& p) {
  p.alloc(MemblockAllocFn::alloc_try_nid, 32768, 64, NUMA_NO_NODE, 0, 0, "sparse_init");
  for (const NodeSpec& n : p.nodes) {
    const std::vector<u64> secs = node_sections(p.spec, n);
    if (secs.empty()) continue;
    u64 last_root = ~u64{0};
    for (u64 s : secs)
      if (s / 128 != last_root) {
        last_root = s / 128;
        p.alloc(MemblockAllocFn::alloc_try_nid, 4096, 64, n.id, 0, 0, "sparse_index_alloc");
      }
    const Phys sec_base = secs.front() << SECTION_SIZE_BITS;
    p.alloc(MemblockAllocFn::alloc_try_nid, 56 * secs.size(), 64, n.id, sec_base,
            sec_base + (1ull << SECTION_SIZE_BITS), "sparse_init_nid");
    p.alloc(MemblockAllocFn::alloc_exact_nid_raw, secs.size() * (2ull << 20), 2ull << 20, n.id, 0x1000000, 0,
            "sparse_init_nid", true);
    const u64 pmd_pages = 1 + (secs.size() * (2ull << 20) - 1) / (1ull << 30);
    for (u64 i = 0; i < 1 + pmd_pages; ++i)
      p.alloc(MemblockAllocFn::alloc_try_nid_raw, 4096, 4096, n.id, 0x1000000, 0, "vmemmap_alloc_block_zero");
  }
}

// The rest of setup_arch's small allocations (HPET, IO-APIC, e820
// resources, firmware map, nosave regions), the CPU count, and
// start_kernel's saved command lines.
void late_setup_arch_allocs(ModelPlan& p) {
  p.small_allocs({73, 75, 512, 104, 104, 104, 104, 104, 104, 104, 32, 32}, "setup_arch");
  p.printk("smpboot: Allowing " + std::to_string(p.spec.cpus) + " CPUs, 0 hotplug CPUs");
  p.small_allocs({76, 76}, "start_kernel");
}

// The first chunk's geometry: one group per node with CPUs, and the unit
// size pcpu_build_alloc_info chooses.
struct PercpuLayout {
  static constexpr u64 kAtom = 2ull << 20;
  u64 unit_min = 0;  // static + reserved + dynamic
  std::vector<unsigned> group_cnt;
  std::vector<int> group_node;
  u64 upa = 1;  // units per allocation
  u64 unit() const { return kAtom / upa; }
};

// pcpu_build_alloc_info(): units per allocation is the largest count that
// divides the atom and wastes no more than a third of the CPUs.
PercpuLayout pcpu_build_alloc_info(const ModelPlan& p) {
  PercpuLayout l;
  const PercpuSizes& s = p.spec.percpu;
  l.unit_min = s.static_size + s.reserved_size + s.dyn_size;
  for (const NodeSpec& n : p.nodes)
    if (!n.cpus.empty()) {
      l.group_cnt.push_back(static_cast<unsigned>(n.cpus.size()));
      l.group_node.push_back(n.id);
    }
  if (l.group_cnt.empty()) {
    l.group_cnt.push_back(p.spec.cpus);
    l.group_node.push_back(0);
  }
  const u64 max_upa = PercpuLayout::kAtom / std::max<u64>(l.unit_min, 32768);
  u64 last_allocs = ~u64{0};
  for (u64 upa = max_upa; upa; --upa) {
    if (PercpuLayout::kAtom % upa || (PercpuLayout::kAtom / upa) % PAGE_SIZE) continue;
    u64 allocs = 0, wasted = 0;
    for (unsigned c : l.group_cnt) {
      const u64 a = (c + upa - 1) / upa;
      allocs += a;
      wasted += a * upa - c;
    }
    if (wasted > p.spec.cpus / 3) continue;
    if (allocs > last_allocs) break;
    last_allocs = allocs;
    l.upa = upa;
  }
  return l;
}

// setup_per_cpu_areas(): pcpu_embed_first_chunk with 2M atoms. Each
// group's chunk gives back every unit's unused tail and whole units no CPU
// uses; the build-info scratch pages go back at the end.
void setup_per_cpu_areas(ModelPlan& p) {
  const PercpuLayout l = pcpu_build_alloc_info(p);
  const u64 unit = l.unit();
  const u64 used = round_up(l.unit_min, PAGE_SIZE);
  const AllocId build_info =
      p.alloc_kept(MemblockAllocFn::alloc_try_nid, 4096, 4096, NUMA_NO_NODE, 0, 0, "pcpu_build_alloc_info");
  const AllocId embed =
      p.alloc_kept(MemblockAllocFn::alloc_try_nid, 4096, 64, NUMA_NO_NODE, 0, 0, "pcpu_embed_first_chunk");
  for (size_t g = 0; g < l.group_cnt.size(); ++g) {
    const u64 units = (l.group_cnt[g] + l.upa - 1) / l.upa * l.upa;
    const AllocId chunk = p.alloc_kept(MemblockAllocFn::alloc_try_nid, units * unit, PercpuLayout::kAtom,
                                       l.group_node[g], 0x1000000, 0, "pcpu_fc_alloc");
    for (u64 u = 0; u < units; ++u) {
      const bool has_cpu = u < l.group_cnt[g];
      const Phys size = has_cpu ? unit - used : unit;
      if (size) p.free_part(chunk, has_cpu ? u * unit + used : u * unit, size, "pcpu_embed_first_chunk");
    }
  }
  const PercpuSizes& s = p.spec.percpu;
  p.printk("percpu: Embedded " + std::to_string(used >> PAGE_SHIFT) + " pages/cpu s" + std::to_string(s.static_size) +
           " r" + std::to_string(s.reserved_size) + " d" + std::to_string(s.dyn_size) + " u" + std::to_string(unit));
  p.small_allocs({8, 8, 8, 16, 352, 144, 256, 264, 64}, "pcpu_setup_first_chunk");
  for (size_t g = 0; g < l.group_cnt.size(); ++g) p.small_allocs({144, 896, 904, 224}, "pcpu_alloc_first_chunk");
  for (AllocId id : {build_info, embed}) p.free_part(id, 0, 4096, "pcpu_embed_first_chunk");
}

// mem_init's pci_iommu_alloc() -> swiotlb_init_remap(): the bounce buffer
// from low memory (memblock_alloc_low: below 4 GiB, top-down), or where the
// log's "software IO TLB: mapped" line says it went; then its slot array
// (one 24-byte io_tlb_slot per 2 KiB slab) and its lock areas (16 bytes
// each), from anywhere.
void swiotlb_init(ModelPlan& p) {
  const SwiotlbSpec& s = p.spec.swiotlb;
  if (!swiotlb_enabled(p.spec)) return;
  const u64 nslabs = s.size >> 11;  // IO_TLB_SHIFT
  if (s.logged_base)
    p.reserve(s.logged_base, round_up(s.size, PAGE_SIZE), "swiotlb_init_remap");
  else
    p.alloc(MemblockAllocFn::alloc_try_nid, round_up(s.size, PAGE_SIZE), PAGE_SIZE, NUMA_NO_NODE, 0, 0xffffffff,
            "swiotlb_memblock_alloc");
  p.alloc(MemblockAllocFn::alloc_try_nid, round_up(nslabs * 24, PAGE_SIZE), PAGE_SIZE, NUMA_NO_NODE, 0, 0,
          "swiotlb_init_remap");
  p.alloc(MemblockAllocFn::alloc_try_nid, 16 * swiotlb_nareas(p.spec), 64, NUMA_NO_NODE, 0, 0, "swiotlb_init_remap");
}

// The RAM the log shows the firmware's tables took after memblock setup
// (efi_mem_reserve, e820__memblock_alloc_reserved): reserved for good.
void reserve_firmware_tables(ModelPlan& p) {
  for (const auto& r : p.spec.firmware_reserved) p.reserve(r.first, r.second, "efi_mem_reserve");
}

// efi_reserve_boot_services(): the EFI boot-services code and data stay
// reserved until efi_free_boot_services(). A log without efi=debug says
// only how much was freed, not where; the model takes that much from the
// free RAM below 4 GiB (where firmware allocates), top-down, in pieces of
// at most 2 MiB, after every other early reservation (so none of the log's
// own addresses moves), just before mem_init.
void reserve_efi_boot_services(ModelPlan& p) {
  Phys left = p.spec.efi_boot_services_kb << 10;
  while (left) {
    const Phys piece = std::min<Phys>(left, 2ull << 20);
    MemblockAlloc& a = p.alloc(MemblockAllocFn::phys_alloc_range, piece, PAGE_SIZE, NUMA_NO_NODE, 0x100000,
                               0x100000000ull, "efi_reserve_boot_services");
    a.may_fail = true;
    a.id = p.next_id++;
    p.efi_pieces.emplace_back(a.id, piece);
    left -= piece;
  }
}

// The cpumasks, zonelists, and vfs_caches_init_early's hash tables: sized
// from nr_kernel_pages; NUMA machines spread them with vmalloc later
// (hashdist), so only a single node takes them from memblock. Then the
// early page-table pages, and mm_init's mem_init.
void mm_init(ModelPlan& p) {
  for (int i = 0; i < 5; ++i)
    p.alloc(MemblockAllocFn::alloc_try_nid, 8, 64, NUMA_NO_NODE, 0, 0, "alloc_bootmem_cpumask_var");
  p.push(BuildZonelists{});
  if (p.nodes.size() <= 1) {
    p.push(LargeSystemHash{"Dentry cache", 13});
    p.push(LargeSystemHash{"Inode-cache", 14});
  }
  for (int i = 0; i < 3; ++i) p.alloc(MemblockAllocFn::alloc_try_nid, 4096, 4096, NUMA_NO_NODE, 0, 0, "spp_getpage");
  swiotlb_init(p);
  reserve_efi_boot_services(p);
  p.push(MemInit{});
}

// free_reserved_area of a part of the kernel image the model knows.
void free_kernel_piece(ModelPlan& p, const char* what, u64 kb) {
  if (auto piece = kernel_piece(p.spec.kernel, what, kb)) p.push(FreeReserved{what, piece->first, piece->second, kb});
}

// After mem_init: alternative_instructions frees the SMP alternatives; the
// initcalls (deferred struct pages, watermarks, khugepaged); then
// free_initrd_mem, free_initmem and mark_rodata_ro's gaps.
void late_frees_and_initcalls(ModelPlan& p) {
  const KernelImage& k = p.spec.kernel;
  free_kernel_piece(p, "SMP alternatives", k.smp_alternatives_kb);
  p.push(PageAllocInitLate{});
  p.push(InitWmarks{});
  if (!p.efi_pieces.empty()) {
    FreeReserved efi;
    efi.what = "EFI boot services";
    efi.kb = p.spec.efi_boot_services_kb;
    efi.pieces = p.efi_pieces;
    p.push(std::move(efi));
  }
  p.push(Khugepaged{});
  if (p.spec.initrd_size) p.push(FreeInitrd{p.spec.initrd_start, p.spec.initrd_size});
  free_kernel_piece(p, "unused decrypted", k.decrypted_kb);
  free_kernel_piece(p, "unused kernel image (initmem)", k.init_kb);
  free_kernel_piece(p, "unused kernel image (text/rodata gap)", k.text_rodata_gap_kb);
  free_kernel_piece(p, "unused kernel image (rodata/data gap)", k.rodata_data_gap_kb);
}

// The model's view of the machine before the first step.
ModelPlan model_plan(BootPlan& plan, const MachineSpec& spec) {
  ModelPlan p{plan, spec};
  p.max_addr = spec.usable_end();
  for (const E820Entry& e : spec.e820_table())
    if (e.type == E820Type::Usable && e.addr <= spec.kernel.start && e.end() > spec.kernel.start) p.low_top = e.end();
  p.low_top = round_down(p.low_top, PAGE_SIZE);
  p.nodes = spec.nodes;
  if (p.nodes.empty()) {
    NodeSpec n;
    n.ranges.push_back({0, p.max_addr});
    for (unsigned c = 0; c < spec.cpus; ++c) n.cpus.push_back(static_cast<int>(c));
    p.nodes.push_back(n);
  }
  return p;
}

// relocate_initrd(): an initrd the edits left outside RAM (mem= below it, a
// memmap= hole over it) is copied to the top of the RAM below 4G, where a
// top-down memblock search finds room first.
void relocate_initrd(MachineSpec& spec) {
  if (!spec.initrd_size) return;
  const std::vector<E820Entry> table = spec.e820_table();
  Phys top = 0;
  for (const E820Entry& e : table) {
    if (e.type != E820Type::Usable) continue;
    if (e.addr <= spec.initrd_start && spec.initrd_start + spec.initrd_size <= e.end()) return;
    if (e.addr < (1ull << 32)) top = std::max(top, round_down(std::min<Phys>(e.end(), 1ull << 32), PAGE_SIZE));
  }
  if (top >= spec.initrd_size) spec.initrd_start = round_down(top - spec.initrd_size, PAGE_SIZE);
}

}  // namespace

std::vector<std::pair<Phys, Phys>> e820_memblock_ranges(const MachineSpec& spec) {
  std::vector<std::pair<Phys, Phys>> out;
  for (const E820Entry& e : spec.e820_table()) {
    if (e.type != E820Type::Usable || e.size == 0) continue;
    out.emplace_back(e.addr, e.size);
  }
  return out;
}

bool swiotlb_enabled(const MachineSpec& spec) {
  switch (spec.swiotlb.mode) {
    case SwiotlbSpec::Mode::On: return true;
    case SwiotlbSpec::Mode::Off: return false;
    case SwiotlbSpec::Mode::Auto: break;
  }
  return spec.usable_end() > (4ull << 30);  // pci_swiotlb_detect: max_possible_pfn > MAX_DMA32_PFN
}

unsigned swiotlb_nareas(const MachineSpec& spec) {
  if (spec.swiotlb.nareas) return spec.swiotlb.nareas;
  return static_cast<unsigned>(roundup_pow_of_two(std::max(1u, spec.cpus)));  // swiotlb_adjust_nareas
}

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
  if (what == "unused kernel image (text/rodata gap)")
    base = text_end;
  else if (what == "unused kernel image (rodata/data gap)")
    base = rodata_end;
  else if (what == "unused kernel image (initmem)" || what == "unused kernel")
    base = init;
  else if (what == "SMP alternatives")
    base = smp_locks;
  else if (what == "unused decrypted")
    base = decrypted;
  else
    return std::nullopt;
  // Never reach past the image's own reservation.
  const Phys end = std::min(base + size, k.start + k.reserved_size);
  if (base >= end) return std::nullopt;
  return std::make_pair(base, end - base);
}

BootPlan plan_from_spec(const MachineSpec& spec) {
  BootPlan plan;
  plan.spec = spec;
  relocate_initrd(plan.spec);
  plan.source = spec.description;
  if (spec.version == KernelVersion::v6_12)
    plan.notes.push_back(
        "mm-playground: Linux 6.12 profile: the pages the early boot takes before \"Memory:\" (slab caches, "
        "stacks, page tables) are the model's estimate, fitted to real 6.12 boots");
  ModelPlan p = model_plan(plan, plan.spec);
  early_reserve_memory(p);
  e820__memblock_setup(p);
  reserve_real_mode_and_map(p);
  reserve_initrd_and_acpi(p);
  reserve_firmware_tables(p);
  initmem_init(p);
  sparse_init(p);
  p.push(FreeAreaInit{});
  late_setup_arch_allocs(p);
  setup_per_cpu_areas(p);
  mm_init(p);
  late_frees_and_initcalls(p);
  return plan;
}

}  // namespace mm
