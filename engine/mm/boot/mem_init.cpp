// From memblock to the buddy allocator, and the initcalls that size what
// the allocator keeps free:
//
//   mem_init              memblock_free_all: every free memblock range goes
//                         to the buddy lists in the largest aligned blocks
//                         (pages past a node's first deferred pfn wait);
//                         preallocate_vmalloc_pages; the "Memory:" line
//   page_alloc_init_late  deferred_init_memmap: the rest, pageblock by pageblock
//   init_per_zone_wmark_min, hugepage_init: min_free_kbytes and watermarks
//   free_reserved_area    the late frees (initrd, init sections, gaps)
#include <algorithm>
#include <cstdio>
#include <optional>

#include "mm/boot/phases.h"
#include "mm/page_alloc/page_alloc.h"

namespace mm {

std::vector<std::pair<Pfn, Order>> free_pages_memory_blocks(Pfn start, Pfn end) {
  std::vector<std::pair<Pfn, Order>> out;
  while (start < end) {
    Order order = start ? std::min<Order>(MAX_ORDER - 1, ffs_order(start)) : MAX_ORDER - 1;
    while (start + (Pfn{1} << order) > end) --order;
    out.push_back({start, order});
    start += Pfn{1} << order;
  }
  return out;
}

unsigned large_system_hash_shift(u64 nr_kernel_pages, unsigned scale) {
  u64 n = round_up(nr_kernel_pages, (1u << 20) / PAGE_SIZE);
  if (scale > PAGE_SHIFT)
    n >>= (scale - PAGE_SHIFT);
  else
    n <<= (PAGE_SHIFT - scale);
  n = roundup_pow_of_two(std::max<u64>(n, 1));
  return ffs_order(n);
}

namespace phase {

namespace {

// Whether pfn lies past its node's first deferred pfn.
bool deferred(const Machine& m, Pfn pfn) {
  for (const Node& n : m.nodes)
    if (pfn >= n.node_start_pfn && pfn < n.node_start_pfn + n.node_spanned_pages) return pfn >= n.first_deferred_pfn;
  return false;
}

// kernel: memmap_init_reserved_pages(): reserved ranges keep PageReserved.
void memmap_init_reserved_pages(Machine& m) {
  for (const MemblockRegion& r : m.memblock.reserved.regions)
    m.mem.replace(std::min(PFN_DOWN(r.base), m.mem.nr), std::min(PFN_UP(r.end()), m.mem.nr), FrameState::Uninit,
                  FrameState::Reserved);
}

// The loops of this file that report their units (OpUnits::Place[0]).
constexpr u64 kFreeAllUnits = 1;   // memblock_free_all: {kind, free range, next block's pfn, pages so far}
constexpr u64 kDeferredUnits = 2;  // page_alloc_init_late: {kind, node index, free range, next pageblock's pfn}

// Skips the first unit of a run (a fresh loop's first, or the one a replay
// resumes at: its boundary was reported before the checkpoint) and reports
// every later one.
class UnitCounter {
 public:
  explicit UnitCounter(OpUnits& u) : u_(u) {}
  bool next(const OpUnits::Place& p) {
    if (first_) {
      first_ = false;
      return true;
    }
    return u_.at(p);
  }

 private:
  OpUnits& u_;
  bool first_ = true;
};

// kernel: memblock_free_all() -> free_low_memory_core_early() ->
// __free_pages_memory() per free range: each range in the largest aligned
// blocks (memblock_free_pages() leaves deferred pages for later). Adds the
// pages it hands over to `count` (deferred ones included, as the kernel
// counts them); false when stopped between two blocks.
bool memblock_free_all(Machine& m, OpUnits& u, u64& count) {
  const OpUnits::Place* from = u.resuming(kFreeAllUnits);
  if (from) {
    count = (*from)[3];
  } else {
    for (Node& n : m.nodes)
      for (Zone& z : n.zones) z.managed_pages = 0;  // reset_all_zones_managed_pages
    memmap_init_reserved_pages(m);
    count = 0;
  }
  UnitCounter units(u);
  const std::vector<FreeRange> ranges = m.memblock.free_ranges();
  for (u64 r = from ? (*from)[1] : 0; r < ranges.size(); ++r) {
    const Pfn s = PFN_UP(ranges[r].start), e = std::min(PFN_DOWN(ranges[r].end), m.max_low_pfn);
    if (s >= e) continue;
    const Pfn at = from && r == (*from)[1] ? (*from)[2] : s;
    std::optional<TraceScope> scope;  // __free_pages_memory of this range
    if (at == s) {
      if (!units.next({kFreeAllUnits, r, s, count})) return false;
      count += e - s;
      scope.emplace(m.trace, Ev::free_pages_memory, [&](EventRef& ev) { ev.start(s).last_pfn(e - 1); });
    } else {
      scope.emplace(m.trace, TraceScope::Adopt{});
    }
    for (auto [pfn, order] : free_pages_memory_blocks(at, e)) {
      if (pfn != s && !units.next({kFreeAllUnits, r, pfn, count})) return false;
      if (!deferred(m, pfn)) free_pages_core(m, pfn, order);
    }
  }
  return true;
}

// An order-0 GFP_KERNEL allocation during boot: the first zone of CPU 0's
// zonelist that has a free page (watermarks are not set up yet).
void alloc_boot_page(Machine& m, Owner owner) {
  const Node& n = m.nodes[static_cast<size_t>(m.cpu_to_node.empty() ? 0 : m.cpu_to_node[0])];
  for (const ZoneRef& r : n.zonelist_fallback) {
    if (idx(r.zone) > idx(ZoneType::Normal)) continue;
    Zone& z = m.zone(r);
    if (auto p = rmqueue(m, z, 0, MigrateType::Unmovable)) {
      prep_new_page(m, *p, 0, owner);
      return;
    }
  }
}

// kernel: preallocate_vmalloc_pages(): one PUD page for each of the 64 PGD
// entries of the vmalloc area (4-level paging), from the buddy allocator
// now that it has pages.
void preallocate_vmalloc_pages(Machine& m) {
  constexpr int kVmallocPgdEntries = 64;
  TraceScope scope(m.trace, Ev::preallocate_vmalloc_pages, [&](EventRef& e) { e.count(kVmallocPgdEntries); });
  for (int i = 0; i < kVmallocPgdEntries; ++i) alloc_boot_page(m, Owner::PageTable);
}

// deferred_init_memmap's frees: a whole aligned pageblock goes as one
// pageblock_order block, anything else page by page (each pageblock start
// marked movable on the way).
void deferred_free_range(Machine& m, Pfn pfn, u64 nr) {
  if (!nr) return;
  if (nr == pageblock_nr_pages && (pfn & (pageblock_nr_pages - 1)) == 0) {
    m.mem.set_block_mt(pfn, MigrateType::Movable);
    free_pages_core(m, pfn, pageblock_order);
    return;
  }
  for (u64 i = 0; i < nr; ++i) {
    if (((pfn + i) & (pageblock_nr_pages - 1)) == 0) m.mem.set_block_mt(pfn + i, MigrateType::Movable);
    free_pages_core(m, pfn + i, 0);
  }
}

// kernel: deferred_init_memmap() of one node: its free ranges from the
// first deferred pfn on, cut at pageblock boundaries (deferred_free_pages:
// one unit each), then what is left is reserved memory. `from`: a replay
// resumes in this node.
bool deferred_init_memmap(Machine& m, std::size_t node, const OpUnits::Place* from, UnitCounter& units) {
  Node& n = m.nodes[node];
  std::optional<TraceScope> scope;
  if (from)
    scope.emplace(m.trace, TraceScope::Adopt{});
  else
    scope.emplace(m.trace, Ev::deferred_init_memmap, [&](EventRef& e) { e.node(n.id).start(n.first_deferred_pfn); });
  const std::vector<FreeRange> ranges = m.memblock.free_ranges(n.id);
  for (u64 r = from ? (*from)[2] : 0; r < ranges.size(); ++r) {
    const Pfn s = std::max(PFN_UP(ranges[r].start), n.first_deferred_pfn), e = PFN_DOWN(ranges[r].end);
    for (Pfn pfn = from && r == (*from)[2] ? (*from)[3] : s; pfn < e;) {
      if (!units.next({kDeferredUnits, node, r, pfn})) return false;
      const Pfn chunk_end = std::min(e, (pfn | (pageblock_nr_pages - 1)) + 1);
      deferred_free_range(m, pfn, chunk_end - pfn);
      pfn = chunk_end;
    }
  }
  const Pfn end = std::min<Pfn>(n.node_start_pfn + n.node_spanned_pages, m.mem.nr);
  if (n.first_deferred_pfn < end) m.mem.replace(n.first_deferred_pfn, end, FrameState::Uninit, FrameState::Reserved);
  m.printk("node " + std::to_string(n.id) + " deferred pages initialised in 0ms");
  return true;
}

// The recommendation set_recommended_min_free_kbytes() makes, in KiB:
// 2 free pageblocks per zone plus MIGRATE_PCPTYPES^2 for fallbacks, at most
// 5% of the pages.
u64 recommended_min_free_kbytes(const Machine& m, u64& nr_zones) {
  nr_zones = 0;
  for (const Node& n : m.nodes)
    for (const Zone& z : n.zones)
      if (z.populated() && idx(z.type) <= idx(ZoneType::Normal)) ++nr_zones;
  u64 rec = u64{pageblock_nr_pages} * nr_zones * 2;
  rec += u64{pageblock_nr_pages} * nr_zones * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
  rec = std::min(rec, nr_free_zone_pages(m, ZoneType::Normal) / 20);
  return rec << (PAGE_SHIFT - 10);
}

// kernel: set_recommended_min_free_kbytes()
void set_recommended_min_free_kbytes(Machine& m) {
  TraceScope scope(m.trace, Ev::set_recommended_min_free_kbytes);
  u64 nr_zones = 0;
  const u64 rec = recommended_min_free_kbytes(m, nr_zones);
  if (rec > static_cast<u64>(m.min_free_kbytes)) {
    if (m.spec.knobs.user_min_free_kbytes >= 0)
      m.printk("raising min_free_kbytes from " + std::to_string(m.min_free_kbytes) + " to " + std::to_string(rec) +
               " to help transparent hugepage allocations");
    const int old_kb = m.min_free_kbytes;
    m.min_free_kbytes = static_cast<int>(rec);
    if (auto e = m.trace.step(Ev::min_free_kbytes_raised)) e.old_kb(old_kb).kb(rec).count(nr_zones);
  }
  setup_per_zone_wmarks(m);
}

// transparent_hugepage=never: no khugepaged, but hugepage_init() still runs
// set_recommended_min_free_kbytes(), which with THP off recomputes the sqrt
// rule (now that the high watermarks are set) and resets the watermarks.
// kernel: set_recommended_min_free_kbytes(), !hugepage_flags_enabled()
void recompute_min_free_kbytes(Machine& m) {
  TraceScope scope(m.trace, Ev::recompute_min_free_kbytes);
  calculate_min_free_kbytes(m);
  setup_per_zone_wmarks(m);
}

}  // namespace

// kernel: mem_init_print_info()
void mem_init_print_info(Machine& m) {
  u64 physpages = 0, nr_free = 0;
  for (const Node& n : m.nodes)
    for (const Zone& z : n.zones) {
      physpages += z.present_pages;
      nr_free += z.nr_free_pages;
    }
  const KernelImage& k = m.spec.kernel;
  char b[320];
  std::snprintf(b, sizeof b,
                "Memory: %lluK/%lluK available (%lluK kernel code, %lluK rwdata, %lluK rodata, %lluK init, "
                "%lluK bss, %lluK reserved, 0K cma-reserved)",
                static_cast<unsigned long long>(nr_free << 2), static_cast<unsigned long long>(physpages << 2),
                static_cast<unsigned long long>(k.code_kb), static_cast<unsigned long long>(k.rwdata_kb),
                static_cast<unsigned long long>(k.rodata_kb), static_cast<unsigned long long>(k.init_kb),
                static_cast<unsigned long long>(k.bss_kb),
                static_cast<unsigned long long>((physpages - m.totalram_pages) << 2));
  m.printk(b);
}

u64 early_boot_estimate(const Machine& m) {
  // Fitted to the 6.12 captures (821 pages with 1 CPU, 908 with 2, 2861
  // with 2 nodes of 1 CPU each): a base, each CPU's stacks and per-CPU
  // chunks, each further node's per-node caches.
  return 734 + 87 * u64{m.nr_cpus} + 1953 * (m.nodes.empty() ? 0 : m.nodes.size() - 1);
}

void early_boot_allocations(Machine& m, u64 available_kb) {
  u64 nr_free = 0;
  for (const Node& n : m.nodes)
    for (const Zone& z : n.zones) nr_free += z.nr_free_pages;
  const u64 target =
      available_kb ? available_kb >> (PAGE_SHIFT - 10) : nr_free - std::min(nr_free, early_boot_estimate(m));
  if (target >= nr_free) return;
  TraceScope scope(m.trace, Ev::early_boot_allocations, [&](EventRef& e) { e.pages(nr_free - target).free(target); });
  for (u64 i = target; i < nr_free; ++i) alloc_boot_page(m, Owner::Kernel);
}

// kernel: mem_init()
bool mem_init(Machine& m, OpUnits& u) {
  std::optional<TraceScope> scope;
  if (u.resuming(kFreeAllUnits))
    scope.emplace(m.trace, TraceScope::Adopt{});
  else
    scope.emplace(m.trace, Ev::mem_init);
  u64 count = 0;
  if (!memblock_free_all(m, u, count)) return false;
  m.totalram_pages += count;
  m.buddy_online = true;
  preallocate_vmalloc_pages(m);
  if (m.spec.version == KernelVersion::v6_1) mem_init_print_info(m);  // 6.12: page_alloc_init_late prints it
  return true;
}

// kernel: page_alloc_init_late()
bool page_alloc_init_late(Machine& m, OpUnits& u) {
  const OpUnits::Place* from = u.resuming(kDeferredUnits);
  std::optional<TraceScope> scope;
  if (from)
    scope.emplace(m.trace, TraceScope::Adopt{});
  else
    scope.emplace(m.trace, Ev::page_alloc_init_late);
  UnitCounter units(u);
  for (std::size_t i = from ? (*from)[1] : 0; i < m.nodes.size(); ++i) {
    Node& n = m.nodes[i];
    const bool resumed_here = from && i == (*from)[1];
    if (!resumed_here) {
      if (n.deferred_done) continue;
      n.deferred_done = true;
      if (n.first_deferred_pfn == ~Pfn{0}) continue;
    }
    if (!deferred_init_memmap(m, i, resumed_here ? from : nullptr, units)) return false;
  }
  return true;
}

// kernel: init_per_zone_wmark_min()
void init_per_zone_wmark_min(Machine& m) {
  TraceScope scope(m.trace, Ev::init_per_zone_wmark_min);
  calculate_min_free_kbytes(m);
  setup_per_zone_wmarks(m);
  setup_per_zone_lowmem_reserve(m);
}

// kernel: hugepage_init() -> start_stop_khugepaged()
void hugepage_init(Machine& m) {
  if (m.totalram_pages < (u64{512} << (20 - PAGE_SHIFT))) return;  // THP stays off below 512M
  if (!m.spec.knobs.transparent_hugepage) {
    recompute_min_free_kbytes(m);
    return;
  }
  m.thp_enabled = true;
  set_recommended_min_free_kbytes(m);
}

// kernel: free_reserved_area(), with its "Freeing <what> memory: NK" line.
void free_reserved(Machine& m, std::string_view what, Phys base, Phys size) {
  const Pfn s = PFN_UP(base), e = PFN_DOWN(base + size);
  const std::string label(what);
  const u64 n = s < e ? free_reserved_area(m, s, e, label.c_str()) : 0;
  m.printk("Freeing " + label + " memory: " + std::to_string(n << (PAGE_SHIFT - 10)) + "K");
}

// kernel: efi_free_boot_services(): every boot-services range it kept goes
// to the buddy allocator; the line sums what was freed, in KiB.
void efi_free_boot_services(Machine& m, const BootState& st, const FreeReserved& op) {
  u64 pages = 0;
  for (const auto& piece : op.pieces) {
    const Phys base = st.allocation(piece.first);
    if (!base) continue;  // that piece found no room
    pages += free_reserved_area(m, PFN_UP(base), PFN_DOWN(base + piece.second), "EFI boot services");
  }
  if (pages) m.printk("efi: Freeing EFI boot services memory: " + std::to_string(pages << (PAGE_SHIFT - 10)) + "K");
}

}  // namespace phase
}  // namespace mm
