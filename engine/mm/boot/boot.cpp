// The boot executor: runs a BootPlan against a fresh Machine.
//
// Phases, in the order x86_64 6.1 runs them (setup_arch, start_kernel,
// kernel_init_freeable, the initcalls, free_initmem):
//   e820 -> memblock_add; early reservations and allocations; NUMA setup;
//   memblock_find_dma_reserve; sparse_init's allocations; free_area_init
//   (zone ranges, node/zone sizes, holes, memmap_init with deferral);
//   build_all_zonelists; percpu and hash-table allocations; mem_init
//   (memblock_free_all, preallocate_vmalloc_pages, "Memory:"); deferred
//   struct page init; init_per_zone_wmark_min; khugepaged's
//   set_recommended_min_free_kbytes; free_initrd_mem; free_initmem.
#include "mm/boot/boot.h"
#include "mm/slab/slub.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "mm/page_alloc/page_alloc.h"

namespace mm {

namespace {

// The kernel's "%#018Lx": 0x and zero-padded digits (unlike C, also for 0).
std::string hexw(u64 v, int width) {
  char b[40];
  std::snprintf(b, sizeof b, "0x%0*llx", width - 2, static_cast<unsigned long long>(v));
  return b;
}
std::string mem18(Phys start, Phys last) { return "[mem " + hexw(start, 18) + "-" + hexw(last, 18) + "]"; }
std::string mem10(Phys start, Phys last) { return "[mem " + hexw(start, 10) + "-" + hexw(last, 10) + "]"; }
std::string K(u64 pages) { return std::to_string(pages << (PAGE_SHIFT - 10)) + "K"; }

struct Booter {
  Booter(const BootPlan& p, Machine& mach) : plan(p), m(mach) {}
  const BootPlan& plan;
  Machine& m;
  std::vector<std::string> errors;
  BootStepHook after_each;

  Zone& zone_of(int node, ZoneType t) { return m.nodes[static_cast<size_t>(node)].zones[idx(t)]; }

  void setup() {
    m.spec = plan.spec;
    m.nr_cpus = std::max(1u, plan.spec.cpus);
    Pfn max_pfn = 0;
    for (const E820Entry& e : plan.spec.e820)
      if (e.type == E820Type::Usable) max_pfn = std::max(max_pfn, PFN_DOWN(e.end()));
    m.max_pfn = max_pfn;
    m.max_low_pfn = max_pfn;  // x86_64: init_mem_mapping maps everything
    m.mem.resize(max_pfn);
    for (const std::string& n : plan.notes) m.printk(n);
    m.printk("BIOS-provided physical RAM map:");
    for (const E820Entry& e : plan.spec.e820)
      m.printk("BIOS-e820: " + mem18(e.addr, e.end() - 1) + " " + std::string(e820_type_name(e.type)));
  }

  // ---- memblock allocations ------------------------------------------------
  Phys predict(const BootOp& op) const {
    const Memblock& mb = m.memblock;
    std::string fn = op.fn;
    bool internal = fn.rfind("memblock_alloc", 0) == 0;  // goes through memblock_alloc_internal
    Phys max_addr = op.max_addr;
    if (internal && max_addr > mb.current_limit) max_addr = mb.current_limit;
    Phys f = mb.find_in_range_node(op.size, op.align, op.min_addr, max_addr, op.nid);
    if (!f && op.nid != NUMA_NO_NODE && !op.exact_nid)
      f = mb.find_in_range_node(op.size, op.align, op.min_addr, max_addr, NUMA_NO_NODE);
    if (!f && internal && op.min_addr) {
      f = mb.find_in_range_node(op.size, op.align, 0, max_addr, op.nid);
      if (!f && op.nid != NUMA_NO_NODE && !op.exact_nid)
        f = mb.find_in_range_node(op.size, op.align, 0, max_addr, NUMA_NO_NODE);
    }
    return f;
  }

  bool do_alloc(const BootOp& op) {
    if (m.trace.on()) {
      char b[240];
      std::snprintf(b, sizeof b, "%llu bytes align=0x%llx nid=%d from=%s max_addr=%s %s",
                    static_cast<unsigned long long>(op.size), static_cast<unsigned long long>(op.align), op.nid,
                    hex18(op.min_addr).c_str(), hex18(op.max_addr).c_str(),
                    (op.what.empty() ? op.caller : op.what).c_str());
      Event& e = m.trace.step(op.fn, b);
      e.a = op.size;
      e.b = op.align;
    }
    const Phys ours = predict(op);
    Phys at = ours;
    if (op.logged) {
      at = *op.logged;
      if (ours != at) {
        std::string msg = std::string(op.fn) + " of " + std::to_string(op.size) + " bytes (" + op.caller +
                          "): the kernel placed it at " + hex18(at) + ", the engine's search gives " + hex18(ours);
        m.replay_mismatches.push_back(msg);
        m.trace.warn(op.fn, msg);
      }
    } else if (!ours && op.may_fail) {
      last_alloc = 0;
      return true;
    } else if (!ours) {
      errors.push_back("boot: " + std::string(op.fn) + " could not find " + std::to_string(op.size) +
                       " bytes for " + (op.what.empty() ? op.caller : op.what) +
                       " (the kernel would panic here: the machine is too small)");
      return false;
    }
    m.memblock.reserve(at, op.size, &m.trace, "memblock_alloc_range_nid");
    last_alloc = at;
    if (op.what == "NODE_DATA")
      m.printk("NODE_DATA(" + std::to_string(op.nid) + ") allocated " + mem10(at, at + op.size - 1));
    return true;
  }
  Phys last_alloc = 0;
  Phys last_percpu = 0;
  std::vector<Phys> op_result;

  // alloc_large_system_hash(): one bucket per 2^scale bytes of low memory,
  // rounded up to a power of two; `what` is "hash:<name>:<scale>".
  bool alloc_hash(const BootOp& op) {
    const size_t c1 = op.what.find(':'), c2 = op.what.rfind(':');
    const std::string name = op.what.substr(c1 + 1, c2 - c1 - 1);
    const unsigned scale = static_cast<unsigned>(std::stoul(op.what.substr(c2 + 1)));
    const unsigned shift = large_system_hash_shift(m.nr_kernel_pages, scale);
    BootOp a = op;
    a.size = u64{8} << shift;  // one hlist_bl_head per bucket
    a.what.clear();
    if (!do_alloc(a)) return false;
    unsigned order = 0;
    while ((PAGE_SIZE << order) < a.size) ++order;
    m.printk(name + " hash table entries: " + std::to_string(u64{1} << shift) + " (order: " + std::to_string(order) +
             ", " + std::to_string(a.size) + " bytes, linear)");
    return true;
  }

  // ---- NUMA -------------------------------------------------------------------
  void numa_init() {
    const MachineSpec& s = plan.spec;
    std::vector<NodeSpec> nodes = s.nodes;
    if (nodes.empty()) {
      m.printk("No NUMA configuration found");
      Phys end = PFN_PHYS(m.max_pfn);
      m.printk("Faking a node at " + mem18(0, end - 1));
      NodeSpec n;
      n.id = 0;
      n.ranges.push_back({0, end});
      for (unsigned c = 0; c < m.nr_cpus; ++c) n.cpus.push_back(static_cast<int>(c));
      nodes.push_back(n);
    } else {
      for (const NodeSpec& n : nodes) {
        // numa_cleanup_meminfo merges a node's blocks when nothing lies between.
        for (size_t i = 1; i < n.ranges.size(); ++i) {
          const auto& a = n.ranges[0];
          const auto& b = n.ranges[i];
          if (i == 1)
            m.printk("NUMA: Node " + std::to_string(n.id) + " " + mem10(a.first, a.second - 1) + " + " +
                     mem10(b.first, b.second - 1) + " -> " + mem10(a.first, b.second - 1));
        }
      }
    }
    m.nodes.resize(nodes.size());
    m.cpu_to_node.assign(m.nr_cpus, 0);
    for (size_t i = 0; i < nodes.size(); ++i) {
      Node& n = m.nodes[i];
      n.id = static_cast<int>(i);
      n.cpus = nodes[i].cpus;
      for (int c : n.cpus)
        if (c >= 0 && static_cast<unsigned>(c) < m.nr_cpus) m.cpu_to_node[static_cast<size_t>(c)] = n.id;
      for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
        n.zones[z].node = n.id;
        n.zones[z].type = static_cast<ZoneType>(z);
      }
      for (const auto& r : nodes[i].ranges) m.memblock.memory.set_node(r.first, r.second - r.first, n.id);
    }
    // Memory no node claims goes to node 0 (numa_meminfo_cover_memory would
    // refuse the table; we stay useful instead).
    for (MemblockRegion& r : m.memblock.memory.regions)
      if (r.nid == MEMBLOCK_NO_NODE) r.nid = 0;
    m.memblock.memory.merge_regions();
  }

  // ---- memblock_find_dma_reserve ---------------------------------------------
  void dma_reserve() {
    u64 nr_pages = 0, nr_free = 0;
    for (const MemblockRegion& r : m.memblock.memory.regions) {
      Pfn s = std::min(PFN_UP(r.base), MAX_DMA_PFN), e = std::min(PFN_DOWN(r.end()), MAX_DMA_PFN);
      if (s < e) nr_pages += e - s;
    }
    for (const FreeRange& f : m.memblock.free_ranges()) {
      Pfn s = std::min(PFN_UP(f.start), MAX_DMA_PFN), e = std::min(PFN_DOWN(f.end), MAX_DMA_PFN);
      if (s < e) nr_free += e - s;
    }
    m.dma_reserve = nr_pages - nr_free;
    if (m.trace.on()) {
      Event& e = m.trace.step("memblock_find_dma_reserve",
                              std::to_string(nr_pages) + " pages below 16M, " + std::to_string(nr_free) +
                                  " free: " + std::to_string(m.dma_reserve) + " reserved in ZONE_DMA");
      e.a = m.dma_reserve;
    }
  }

  // ---- free_area_init ----------------------------------------------------------
  bool section_present(Pfn pfn) const {
    const Pfn s = round_down(pfn, PAGES_PER_SECTION), e = s + PAGES_PER_SECTION;
    for (const MemblockRegion& r : m.memblock.memory.regions)
      if (PFN_DOWN(r.base) < e && PFN_UP(r.end()) > s) return true;
    return false;
  }

  void free_area_init() {
    TraceScope scope(m.trace, "free_area_init", [&] { return "size nodes and zones, initialise the memory map"; });
    // Memory added after NUMA setup (a log can say so) or claimed by a node
    // that does not exist belongs to node 0, as numa_init's fallback does.
    for (MemblockRegion& r : m.memblock.memory.regions)
      if (r.nid < 0 || static_cast<size_t>(r.nid) >= m.nodes.size()) r.nid = 0;
    m.memblock.memory.merge_regions();
    const auto& mem = m.memblock.memory.regions;
    if (mem.empty()) {
      errors.push_back("boot: no usable memory in the e820 map");
      return;
    }
    std::array<Pfn, MAX_NR_ZONES> max_zone_pfn{};
    max_zone_pfn[idx(ZoneType::DMA)] = std::min(MAX_DMA_PFN, m.max_low_pfn);
    max_zone_pfn[idx(ZoneType::DMA32)] = std::min(MAX_DMA32_PFN, m.max_low_pfn);
    max_zone_pfn[idx(ZoneType::Normal)] = m.max_low_pfn;
    std::array<Pfn, MAX_NR_ZONES> lo{}, hi{};
    Pfn start = PFN_UP(mem.front().base);
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
      if (z == idx(ZoneType::Movable)) continue;
      Pfn end = std::max(max_zone_pfn[z], start);
      lo[z] = start;
      hi[z] = end;
      start = end;
    }
    m.printk("Zone ranges:");
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
      if (z == idx(ZoneType::Movable)) continue;
      char b[64];
      std::snprintf(b, sizeof b, "  %-8s ", std::string(kZoneNames[z]).c_str());
      m.printk(std::string(b) + (lo[z] == hi[z] ? "empty" : mem18(PFN_PHYS(lo[z]), PFN_PHYS(hi[z]) - 1)));
    }
    std::vector<Pfn> zone_movable_pfn = find_zone_movable_pfns(lo, hi);
    m.printk("Movable zone start for each node");
    for (size_t n = 0; n < zone_movable_pfn.size(); ++n)
      if (zone_movable_pfn[n]) m.printk("  Node " + std::to_string(n) + ": " + hexw(PFN_PHYS(zone_movable_pfn[n]), 18));
    m.printk("Early memory node ranges");
    for (const MemblockRegion& r : mem) {
      char b[32];
      std::snprintf(b, sizeof b, "  node %3d: ", r.nid);
      m.printk(b + mem18(PFN_PHYS(PFN_UP(r.base)), PFN_PHYS(PFN_DOWN(r.end())) - 1));
    }
    for (Node& n : m.nodes) size_node(n, lo, hi, zone_movable_pfn);
    m.index_zones();
    memmap_init();
  }

  // The node's memory as for_each_mem_pfn_range() walks it: whole pages,
  // empty blocks skipped.
  std::vector<std::pair<Pfn, Pfn>> pfn_ranges(int nid) const {
    std::vector<std::pair<Pfn, Pfn>> out;
    for (const MemblockRegion& r : m.memblock.memory.regions)
      if (r.nid == nid && PFN_UP(r.base) < PFN_DOWN(r.end())) out.push_back({PFN_UP(r.base), PFN_DOWN(r.end())});
    return out;
  }

  // The highest zone whose architectural range is not empty; ZONE_MOVABLE is
  // carved out of it. kernel: find_usable_zone_for_movable()
  static unsigned usable_zone_for_movable(const std::array<Pfn, MAX_NR_ZONES>& lo,
                                          const std::array<Pfn, MAX_NR_ZONES>& hi) {
    for (unsigned z = MAX_NR_ZONES; z-- > 0;)
      if (z != idx(ZoneType::Movable) && hi[z] > lo[z]) return z;
    return idx(ZoneType::DMA);
  }

  // Where ZONE_MOVABLE starts in each node (0: it has none), from
  // kernelcore= / movablecore= as sizes, percentages or kernelcore=mirror.
  // kernel: find_zone_movable_pfns_for_nodes()
  std::vector<Pfn> find_zone_movable_pfns(const std::array<Pfn, MAX_NR_ZONES>& lo,
                                          const std::array<Pfn, MAX_NR_ZONES>& hi) {
    std::vector<Pfn> zmp(m.nodes.size(), 0);
    const Knobs& k = plan.spec.knobs;
    movable_zone_idx = usable_zone_for_movable(lo, hi);
    if (k.kernelcore_mirror) {
      movable_from_mirror(zmp);
    } else {
      if (!spread_kernelcore(zmp, lo[movable_zone_idx])) return zmp;  // the kernel's "goto out": no rounding
    }
    // Every node's ZONE_MOVABLE starts on a MAX_ORDER boundary, and a start
    // at or past the node's end is no ZONE_MOVABLE at all.
    for (size_t nid = 0; nid < zmp.size(); ++nid) {
      zmp[nid] = round_up(zmp[nid], MAX_ORDER_NR_PAGES);
      Pfn end = 0;
      for (auto [s, e] : pfn_ranges(static_cast<int>(nid))) end = std::max(end, e);
      if (zmp[nid] >= end) zmp[nid] = 0;
    }
    return zmp;
  }

  // kernelcore=mirror: memory the firmware marked mirrored stays kernel
  // memory, the rest from 4G up is movable. Only EFI's memory map can mark
  // mirrors (memblock_mark_mirror from efi_find_mirror) and the machines the
  // model boots have a BIOS e820 map, so no block is mirrored: every block
  // starting at or above 4G opens ZONE_MOVABLE, as 6.1 does on such a machine.
  void movable_from_mirror(std::vector<Pfn>& zmp) {
    bool mem_below_4gb_not_mirrored = false;
    for (const MemblockRegion& r : m.memblock.memory.regions) {
      const Pfn base = PFN_UP(r.base);
      if (base < PFN_DOWN(4ull << 30)) {
        mem_below_4gb_not_mirrored = true;
        continue;
      }
      Pfn& z = zmp[static_cast<size_t>(r.nid)];
      z = z ? std::min(z, base) : base;
    }
    if (mem_below_4gb_not_mirrored) m.printk("This configuration results in unmirrored kernel memory.");
  }

  // Sizes and percentages: spread the kernel's share evenly over the nodes
  // with memory, taken from the bottom of each; a node too small for its
  // share passes the rest on (the kernel's "restart" with one node less).
  // False when there is no ZONE_MOVABLE to make.
  bool spread_kernelcore(std::vector<Pfn>& zmp, Pfn usable_startpfn) {
    const Knobs& k = plan.spec.knobs;
    // early_calculate_totalpages(): all memory, and which nodes have some.
    u64 totalpages = 0;
    std::vector<int> mem_nodes;
    for (const Node& n : m.nodes) {
      auto ranges = pfn_ranges(n.id);
      for (auto [s, e] : ranges) totalpages += e - s;
      if (!ranges.empty()) mem_nodes.push_back(n.id);
    }
    u64 required_kernelcore = k.kernelcore >> PAGE_SHIFT;
    u64 required_movablecore = k.movablecore >> PAGE_SHIFT;
    // Unsigned long arithmetic, as the kernel's (a percentage over 100 only warns).
    if (k.kernelcore_percent) required_kernelcore = totalpages * 100 * k.kernelcore_percent / 10000;
    if (k.movablecore_percent) required_movablecore = totalpages * 100 * k.movablecore_percent / 10000;
    if (required_movablecore) {
      // Rounded up so that ZONE_MOVABLE is at least what was asked for.
      required_movablecore = std::min<u64>(round_up(required_movablecore, MAX_ORDER_NR_PAGES), totalpages);
      required_kernelcore = std::max(required_kernelcore, totalpages - required_movablecore);
    }
    if (!required_kernelcore || required_kernelcore >= totalpages) return false;
    u64 usable_nodes = mem_nodes.size();
    do {
      u64 kernelcore_node = required_kernelcore / usable_nodes;
      for (int nid : mem_nodes) {
        // The share shrinks once less than a full share is still needed.
        if (required_kernelcore < kernelcore_node) kernelcore_node = required_kernelcore / usable_nodes;
        u64 remaining = kernelcore_node;
        Pfn& z = zmp[static_cast<size_t>(nid)];
        for (auto [start, end] : pfn_ranges(nid)) {
          start = std::max(start, z);  // an earlier pass already counted below z
          if (start >= end) continue;
          // Memory below the movable zone's range can only be kernel memory.
          if (start < usable_startpfn) {
            const u64 kernel_pages = std::min(end, usable_startpfn) - start;
            remaining -= std::min(kernel_pages, remaining);
            required_kernelcore -= std::min(kernel_pages, required_kernelcore);
            if (end <= usable_startpfn) {
              z = end;  // so that a later pass does not count it twice
              continue;
            }
            start = usable_startpfn;
          }
          const u64 size_pages = std::min<u64>(end - start, remaining);
          z = start + size_pages;
          required_kernelcore -= std::min(required_kernelcore, size_pages);
          remaining -= size_pages;
          if (!remaining) break;
        }
      }
      --usable_nodes;
    } while (usable_nodes && required_kernelcore > usable_nodes);
    return true;
  }
  unsigned movable_zone_idx = idx(ZoneType::Normal);

  u64 pages_in_memory(int nid, Pfn s, Pfn e) const {
    u64 n = 0;
    for (const MemblockRegion& r : m.memblock.memory.regions) {
      if (r.nid != nid) continue;
      Pfn a = std::max(PFN_UP(r.base), s), b = std::min(PFN_DOWN(r.end()), e);
      if (a < b) n += b - a;
    }
    return n;
  }

  // [start, end) of zone z in the node [ns, ne); (0, 0) when it spans nothing.
  // kernel: zone_spanned_pages_in_node()
  std::pair<Pfn, Pfn> zone_span(const Node& n, unsigned z, Pfn ns, Pfn ne, const std::array<Pfn, MAX_NR_ZONES>& lo,
                                const std::array<Pfn, MAX_NR_ZONES>& hi, Pfn zmp) {
    if (!ns && !ne) return {0, 0};
    Pfn zs = std::clamp(ns, lo[z], hi[z]), ze = std::clamp(ne, lo[z], hi[z]);
    adjust_zone_range_for_zone_movable(n, z, ne, hi, zmp, zs, ze);
    if (ze < ns || zs > ne) return {0, 0};
    ze = std::min(ze, ne);
    zs = std::max(zs, ns);
    if (ze <= zs) return {0, 0};
    return {zs, ze};
  }

  // ZONE_MOVABLE takes the node's memory from zmp up to the end of the
  // movable zone's range; the zones below stop where it starts.
  // kernel: adjust_zone_range_for_zone_movable()
  void adjust_zone_range_for_zone_movable(const Node& n, unsigned z, Pfn ne, const std::array<Pfn, MAX_NR_ZONES>& hi,
                                          Pfn zmp, Pfn& zs, Pfn& ze) {
    if (!zmp) return;
    if (z == idx(ZoneType::Movable)) {
      zs = zmp;
      ze = std::min(ne, hi[movable_zone_idx]);
    } else if (zs < zmp && ze > zmp) {
      // With kernelcore=mirror 6.1 leaves this zone whole and counts its
      // unmirrored pages as absent instead, so the pages from zmp up would
      // sit in two zones' spans; the model cuts the zone as for a size.
      if (plan.spec.knobs.kernelcore_mirror)
        m.printk("mm-playground: kernelcore=mirror: node " + std::to_string(n.id) +
                 "'s ZONE_MOVABLE starts inside zone " + std::string(kZoneNames[z]) +
                 "; 6.1 would keep that zone's span whole with no present pages, the model ends the zone where "
                 "ZONE_MOVABLE starts");
      ze = zmp;
    } else if (zs >= zmp) {
      zs = ze;  // the whole range is ZONE_MOVABLE's
    }
  }

  void size_node(Node& n, const std::array<Pfn, MAX_NR_ZONES>& lo, const std::array<Pfn, MAX_NR_ZONES>& hi,
                 const std::vector<Pfn>& zmp) {
    Pfn ns = ~Pfn{0}, ne = 0;
    for (const MemblockRegion& r : m.memblock.memory.regions)
      if (r.nid == n.id) {
        ns = std::min(ns, PFN_UP(r.base));
        ne = std::max(ne, PFN_DOWN(r.end()));
      }
    if (ne == 0) {
      ns = ne = 0;
      m.printk("Initializing node " + std::to_string(n.id) + " as memoryless");
    } else {
      m.printk("Initmem setup node " + std::to_string(n.id) + " " + mem18(PFN_PHYS(ns), PFN_PHYS(ne) - 1));
    }
    n.node_start_pfn = ns;
    n.node_spanned_pages = ne - ns;
    n.node_present_pages = 0;
    const Pfn movable_start = zmp.empty() ? 0 : zmp[static_cast<size_t>(n.id)];
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
      Zone& zone = n.zones[z];
      zone.pcp.assign(m.nr_cpus, PerCpuPages{});
      for (PerCpuPages& p : zone.pcp) p.batch = 1;  // boot_pageset: batch 1, high 0
      auto [zs, ze] = zone_span(n, z, ns, ne, lo, hi, movable_start);
      zone.zone_start_pfn = zs;
      zone.spanned_pages = ze - zs;
      zone.present_pages = ze > zs ? pages_in_memory(n.id, zs, ze) : 0;
      n.node_present_pages += zone.present_pages;
      // free_area_init_core(): the early estimate of managed pages.
      u64 freesize = zone.present_pages;
      const u64 memmap = calc_memmap_size(zone.spanned_pages, zone.present_pages);
      if (freesize >= memmap) freesize -= memmap;
      if (z == 0 && freesize > m.dma_reserve) freesize -= m.dma_reserve;
      m.nr_kernel_pages += freesize;
      m.nr_all_pages += freesize;
      zone.managed_pages = freesize;
      zone.early_managed = freesize;
      if (m.trace.on() && zone.spanned_pages) {
        Event& e = m.trace.step("free_area_init_core",
                                "Node " + std::to_string(n.id) + " " + std::string(zone.name()) + ": start_pfn " +
                                    std::to_string(zs) + ", spanned " + std::to_string(zone.spanned_pages) +
                                    ", present " + std::to_string(zone.present_pages) + ", " +
                                    std::to_string(memmap) + " pages of memmap");
        e.node = static_cast<std::int16_t>(n.id);
        e.zone = static_cast<std::int8_t>(z);
        e.pfn = zs;
        e.a = zone.spanned_pages;
        e.b = zone.present_pages;
      }
    }
  }

  // defer_init(): in the last zone of a node, initialise one section's worth
  // of pages and defer the rest from the next section boundary on.
  Pfn first_deferred(const Node& n, const Zone& z) const {
    if (!plan.spec.knobs.deferred_struct_page_init) return ~Pfn{0};
    if (z.end_pfn() < n.node_start_pfn + n.node_spanned_pages) return ~Pfn{0};
    u64 count = 0;
    for (const MemblockRegion& r : m.memblock.memory.regions) {
      if (r.nid != n.id) continue;
      Pfn s = std::max(PFN_UP(r.base), z.zone_start_pfn), e = std::min(PFN_DOWN(r.end()), z.end_pfn());
      if (s >= e) continue;
      // pfn p is the (count + p - s + 1)-th page initialised in this zone.
      const Pfn threshold = count >= PAGES_PER_SECTION ? s : s + PAGES_PER_SECTION - count;
      const Pfn cand = round_up(threshold, PAGES_PER_SECTION);
      if (cand < e) return cand;
      count += e - s;
    }
    return ~Pfn{0};
  }

  void memmap_init() {
    // Which pages get a struct page now, which wait for deferred init.
    for (Node& n : m.nodes) {
      n.first_deferred_pfn = ~Pfn{0};
      for (Zone& z : n.zones)
        if (z.populated()) n.first_deferred_pfn = std::min(n.first_deferred_pfn, first_deferred(n, z));
    }
    Pfn hole = 0;
    int last_zone = 0, last_nid = 0;
    auto unavailable = [&](Pfn s, Pfn e, int zone, int nid) {
      u64 cnt = 0;
      for (Pfn p = s; p < e;) {
        if (!section_present(round_down(p, pageblock_nr_pages))) {
          p = round_down(p, pageblock_nr_pages) + pageblock_nr_pages;
          continue;
        }
        ++cnt;
        ++p;
      }
      if (cnt)
        m.printk("On node " + std::to_string(nid) + ", zone " + std::string(kZoneNames[static_cast<size_t>(zone)]) +
                 ": " + std::to_string(cnt) + " pages in unavailable ranges");
    };
    for (const MemblockRegion& r : m.memblock.memory.regions) {
      Node& n = m.nodes[static_cast<size_t>(r.nid)];
      for (unsigned zi = 0; zi < MAX_NR_ZONES; ++zi) {
        Zone& z = n.zones[zi];
        if (!z.populated()) continue;
        Pfn s = std::clamp(PFN_UP(r.base), z.zone_start_pfn, z.end_pfn());
        Pfn e = std::clamp(PFN_DOWN(r.end()), z.zone_start_pfn, z.end_pfn());
        if (s >= e) continue;
        for (Pfn p = s; p < e; ++p)
          m.mem.set(p, p >= n.first_deferred_pfn ? FrameState::Uninit : FrameState::Reserved);
        if (hole < s) unavailable(hole, s, static_cast<int>(zi), n.id);
        hole = e;
        last_zone = static_cast<int>(zi);
        last_nid = n.id;
      }
    }
    Pfn end = round_up(m.max_pfn, PAGES_PER_SECTION);
    if (hole < end) unavailable(hole, end, last_zone, last_nid);
  }

  // ---- build_all_zonelists ---------------------------------------------------
  void build_zonelists() {
    TraceScope scope(m.trace, "build_all_zonelists", [&] { return "order the zones each node falls back to"; });
    std::vector<int> node_load(m.nodes.size(), 0);
    for (Node& n : m.nodes) {
      std::vector<bool> used(m.nodes.size(), false);
      n.node_order.clear();
      int prev = n.id;
      for (;;) {
        int best = find_next_best_node(n.id, used, node_load);
        if (best < 0) break;
        if (plan.spec.node_distance(n.id, best) != plan.spec.node_distance(n.id, prev)) node_load[static_cast<size_t>(best)] += 1;
        n.node_order.push_back(best);
        prev = best;
      }
      n.zonelist_fallback.clear();
      for (int o : n.node_order) append_zones(m.nodes[static_cast<size_t>(o)], n.zonelist_fallback);
      n.zonelist_nofallback.clear();
      append_zones(n, n.zonelist_nofallback);
      std::string line = "Fallback order for Node " + std::to_string(n.id) + ": ";
      for (int o : n.node_order) line += std::to_string(o) + " ";
      m.printk(line);
    }
    for (const Node& n : m.nodes)
      for (int list = 0; list < 2; ++list)
        for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
          if (!n.zones[z].populated()) continue;
          std::string line = std::string("mminit::zonelist ") + (list ? "thisnode " : "general ") +
                             std::to_string(n.id) + ":" + std::string(kZoneNames[z]) + " = ";
          for (const ZoneRef& r : list ? n.zonelist_nofallback : n.zonelist_fallback)
            if (idx(r.zone) <= z) line += std::to_string(r.node) + ":" + std::string(kZoneNames[idx(r.zone)]) + " ";
          m.printk(line);
        }
    m.vm_total_pages = nr_free_zone_pages(m, ZoneType::Movable);
    m.page_group_by_mobility_disabled =
        !plan.spec.knobs.mobility_grouping || m.vm_total_pages < u64{pageblock_nr_pages} * MIGRATE_TYPES;
    m.printk("Built " + std::to_string(m.nodes.size()) + " zonelists, mobility grouping " +
             (m.page_group_by_mobility_disabled ? "off" : "on") + ".  Total pages: " +
             std::to_string(m.vm_total_pages));
    unsigned policy = 0;
    for (const Node& n : m.nodes)
      for (unsigned z = 0; z <= idx(ZoneType::Normal); ++z)
        if (n.zones[z].populated()) policy = std::max(policy, z);
    m.printk("Policy zone: " + std::string(kZoneNames[policy]));
  }

  void append_zones(const Node& n, std::vector<ZoneRef>& out) const {
    for (unsigned z = MAX_NR_ZONES; z-- > 0;)
      if (n.zones[z].populated()) out.push_back({n.id, static_cast<ZoneType>(z)});
  }

  int find_next_best_node(int node, std::vector<bool>& used, const std::vector<int>& node_load) const {
    if (!used[static_cast<size_t>(node)]) {
      used[static_cast<size_t>(node)] = true;
      return node;
    }
    long long min_val = 1LL << 62;
    int best = -1;
    for (const Node& cand : m.nodes) {
      if (!cand.has_memory() || used[static_cast<size_t>(cand.id)]) continue;
      long long val = plan.spec.node_distance(node, cand.id);
      val += cand.id < node;          // prefer the next node up
      if (!cand.cpus.empty()) val += 1;  // PENALTY_FOR_NODE_WITH_CPUS
      val *= MAX_NUMNODES;
      val += node_load[static_cast<size_t>(cand.id)];
      if (val < min_val) {
        min_val = val;
        best = cand.id;
      }
    }
    if (best >= 0) used[static_cast<size_t>(best)] = true;
    return best;
  }

  // ---- mem_init -----------------------------------------------------------------
  bool deferred(Pfn pfn) const {
    for (const Node& n : m.nodes)
      if (pfn >= n.node_start_pfn && pfn < n.node_start_pfn + n.node_spanned_pages) return pfn >= n.first_deferred_pfn;
    return false;
  }

  void mem_init() {
    TraceScope scope(m.trace, "mem_init", [&] { return "memblock_free_all: hand every free range to the buddy allocator"; });
    for (Node& n : m.nodes)
      for (Zone& z : n.zones) z.managed_pages = 0;  // reset_all_zones_managed_pages
    // memmap_init_reserved_pages(): reserved ranges keep PageReserved.
    for (const MemblockRegion& r : m.memblock.reserved.regions)
      for (Pfn p = PFN_DOWN(r.base); p < PFN_UP(r.end()) && p < m.mem.nr; ++p)
        if (m.mem.st(p) == FrameState::Uninit) m.mem.set(p, FrameState::Reserved);
    u64 count = 0;
    for (const FreeRange& f : m.memblock.free_ranges()) {
      Pfn s = PFN_UP(f.start), e = std::min(PFN_DOWN(f.end), m.max_low_pfn);
      if (s >= e) continue;
      count += e - s;
      TraceScope range(m.trace, "__free_pages_memory",
                       [&] { return "free pfns " + std::to_string(s) + "-" + std::to_string(e - 1) + " in the largest aligned blocks"; });
      for (auto [pfn, order] : free_pages_memory_blocks(s, e)) {
        if (deferred(pfn)) continue;  // memblock_free_pages(): deferred init frees it later
        free_pages_core(m, pfn, order);
      }
    }
    m.totalram_pages += count;
    m.buddy_online = true;
    // preallocate_vmalloc_pages(): one PUD page for each of the 64 PGD
    // entries of the vmalloc area (4-level paging), taken from the buddy
    // allocator now that it has pages.
    for (int i = 0; i < 64; ++i) alloc_boot_page(Owner::PageTable);
    u64 physpages = 0, nr_free = 0;
    for (const Node& n : m.nodes)
      for (const Zone& z : n.zones) {
        physpages += z.present_pages;
        nr_free += z.nr_free_pages;
      }
    const KernelImage& k = plan.spec.kernel;
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

  // An order-0 GFP_KERNEL allocation during boot: the first zone of CPU 0's
  // zonelist that has a free page (watermarks are not set up yet).
  void alloc_boot_page(Owner owner) {
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

  // ---- deferred struct page init (page_alloc_init_late) ---------------------
  void deferred_init() {
    for (Node& n : m.nodes) {
      if (n.deferred_done) continue;
      n.deferred_done = true;
      if (n.first_deferred_pfn == ~Pfn{0}) continue;
      TraceScope scope(m.trace, "deferred_init_memmap",
                       [&] { return "node " + std::to_string(n.id) + ": initialise and free the pages from pfn " +
                           std::to_string(n.first_deferred_pfn); });
      for (const FreeRange& f : m.memblock.free_ranges(n.id)) {
        Pfn s = std::max(PFN_UP(f.start), n.first_deferred_pfn), e = PFN_DOWN(f.end);
        if (s >= e) continue;
        deferred_free_pages(s, e);
      }
      // Whatever is still uninitialised is reserved memory of this node.
      for (Pfn p = n.first_deferred_pfn; p < n.node_start_pfn + n.node_spanned_pages && p < m.mem.nr; ++p)
        if (m.mem.st(p) == FrameState::Uninit) m.mem.set(p, FrameState::Reserved);
      m.printk("node " + std::to_string(n.id) + " deferred pages initialised in 0ms");
    }
  }

  void deferred_free_range(Pfn pfn, u64 nr) {
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

  void deferred_free_pages(Pfn pfn, Pfn end) {
    u64 nr = 0;
    for (; pfn < end; ++pfn) {
      if ((pfn & (pageblock_nr_pages - 1)) == 0) {
        deferred_free_range(pfn - nr, nr);
        nr = 1;
      } else {
        ++nr;
      }
    }
    deferred_free_range(pfn - nr, nr);
  }

  // ---- watermarks ----------------------------------------------------------------
  void init_wmarks() {
    TraceScope scope(m.trace, "init_per_zone_wmark_min", [&] { return "min_free_kbytes, watermarks, lowmem reserves"; });
    calculate_min_free_kbytes(m);
    setup_per_zone_wmarks(m);
    setup_per_zone_lowmem_reserve(m);
  }

  void khugepaged() {
    if (m.totalram_pages < (u64{512} << (20 - PAGE_SHIFT))) return;  // THP stays off below 512M
    if (!plan.spec.knobs.transparent_hugepage) {
      // transparent_hugepage=never: no khugepaged, but hugepage_init() still
      // runs set_recommended_min_free_kbytes(), which recomputes the sqrt
      // rule now that the high watermarks are set.
      TraceScope scope(m.trace, "set_recommended_min_free_kbytes",
                       [&] { return "THP is off: min_free_kbytes is computed again, without extra pageblocks"; });
      calculate_min_free_kbytes(m);
      setup_per_zone_wmarks(m);
      return;
    }
    m.thp_enabled = true;
    TraceScope scope(m.trace, "set_recommended_min_free_kbytes",
                     [&] { return "khugepaged starts and asks for free pageblocks to keep huge pages possible"; });
    u64 nr_zones = 0;
    for (const Node& n : m.nodes)
      for (const Zone& z : n.zones)
        if (z.populated() && idx(z.type) <= idx(ZoneType::Normal)) ++nr_zones;
    u64 rec = u64{pageblock_nr_pages} * nr_zones * 2;
    rec += u64{pageblock_nr_pages} * nr_zones * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
    rec = std::min(rec, nr_free_zone_pages(m, ZoneType::Normal) / 20);
    rec <<= (PAGE_SHIFT - 10);
    if (rec > static_cast<u64>(m.min_free_kbytes)) {
      if (plan.spec.knobs.user_min_free_kbytes >= 0)
        m.printk("raising min_free_kbytes from " + std::to_string(m.min_free_kbytes) + " to " + std::to_string(rec) +
                 " to help transparent hugepage allocations");
      if (m.trace.on()) {
        Event& e = m.trace.step("set_recommended_min_free_kbytes",
                                "min_free_kbytes " + std::to_string(m.min_free_kbytes) + " -> " + std::to_string(rec) +
                                    " (2 + 9 pageblocks for each of " + std::to_string(nr_zones) + " zones)");
        e.a = static_cast<u64>(m.min_free_kbytes);
        e.b = rec;
      }
      m.min_free_kbytes = static_cast<int>(rec);
    }
    setup_per_zone_wmarks(m);
  }

  // ---- late frees ------------------------------------------------------------------
  void free_reserved(const BootOp& op) {
    Pfn s = PFN_UP(op.base), e = PFN_DOWN(op.base + op.size);
    u64 n = s < e ? free_reserved_area(m, s, e, op.what.c_str()) : 0;
    m.printk("Freeing " + op.what + " memory: " + K(n));
  }

  Status run() {
    setup();
    TraceScope boot_scope(m.trace, "start_kernel", [&] { return "boot " + plan.spec.description; });
    bool in_setup_arch = true;
    if (m.trace.on()) m.trace.begin("setup_arch", "e820 and memblock: early reservations and allocations");
    auto leave_setup_arch = [&] {
      if (in_setup_arch && m.trace.on()) m.trace.end();
      in_setup_arch = false;
    };
    op_result.assign(plan.ops.size(), 0);
    for (size_t i = 0; i < plan.ops.size(); ++i) {
      const BootOp& op = plan.ops[i];
      switch (op.kind) {
        case BootOpKind::MemblockAdd: m.memblock.add(op.base, op.size, MEMBLOCK_NO_NODE, &m.trace, op.caller); break;
        case BootOpKind::MemblockTrim: m.memblock.trim_memory(PAGE_SIZE); break;
        case BootOpKind::MemblockReserve: m.memblock.reserve(op.base, op.size, &m.trace, op.caller); break;
        case BootOpKind::MemblockPhysFree: {
          // The model frees what an earlier allocation got: resolve it.
          Phys base = op.base;
          if (op.what == "last_alloc") {
            if (!last_alloc) break;  // the allocation it undoes did not happen
            base = last_alloc;
          }
          else if (op.what == "percpu_tail") base = last_percpu + op.base;
          else if (op.what.rfind("free_alloc#", 0) == 0) base = op_result[std::stoul(op.what.substr(11))];
          m.memblock.phys_free(base, op.size, &m.trace, op.caller);
          break;
        }
        case BootOpKind::MemblockRemove: m.memblock.remove(op.base, op.size, &m.trace, op.caller); break;
        case BootOpKind::MemblockAlloc: {
          if (op.what.rfind("hash:", 0) == 0) {
            if (!alloc_hash(op)) return fail(op);
            break;
          }
          if (!do_alloc(op)) return fail(op);
          op_result[i] = last_alloc;
          if (op.what == "percpu") last_percpu = last_alloc;
          break;
        }
        case BootOpKind::SetCurrentLimit: m.memblock.current_limit = op.base; break;
        case BootOpKind::Printk: m.printk(op.what); break;
        case BootOpKind::NumaInit: numa_init(); break;
        case BootOpKind::DmaReserve: dma_reserve(); break;
        case BootOpKind::FreeAreaInit:
          if (m.nodes.empty()) numa_init();
          free_area_init();
          if (!errors.empty()) return fail(op);
          break;
        case BootOpKind::BuildZonelists: build_zonelists(); break;
        case BootOpKind::MemInit:
          leave_setup_arch();
          mem_init();
          kmem_cache_init(m);  // SLUB hook: start_kernel's mm_init() runs it right after mem_init()
          break;
        case BootOpKind::PageAllocInitLate: deferred_init(); break;
        case BootOpKind::InitWmarks: init_wmarks(); break;
        case BootOpKind::Khugepaged: khugepaged(); break;
        case BootOpKind::FreeInitrd: {
          BootOp o = op;
          o.what = "initrd";
          free_reserved(o);
          break;
        }
        case BootOpKind::FreeReserved: free_reserved(op); break;
      }
      if (after_each) after_each(m, op);
    }
    leave_setup_arch();
    if (m.nodes.empty() || m.totalram_pages == 0)
      return Diagnostic{plan.source, 0, 0, "boot: the plan never handed memory to the buddy allocator"};
    return {};
  }

  Status fail(const BootOp& op) {
    return Diagnostic{plan.source, op.line, 0, errors.empty() ? std::string("boot failed") : errors.front()};
  }
};

}  // namespace

u64 calc_memmap_size(u64 spanned, u64 present) {
  u64 pages = spanned;
  if (spanned > present + (present >> 4)) pages = present;  // SPARSEMEM: holes cost no memmap
  return round_up(pages * STRUCT_PAGE_SIZE, PAGE_SIZE) >> PAGE_SHIFT;
}

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
  if (scale > PAGE_SHIFT) n >>= (scale - PAGE_SHIFT);
  else n <<= (PAGE_SHIFT - scale);
  n = roundup_pow_of_two(std::max<u64>(n, 1));
  return ffs_order(n);
}

Expected<std::unique_ptr<Machine>> boot(const BootPlan& plan, bool trace, const BootStepHook& after_each,
                                        const MachineCreatedHook& on_create) {
  auto m = std::make_unique<Machine>();
  m->trace.enable(trace);
  if (on_create) on_create(*m);
  Booter b{plan, *m};
  b.after_each = after_each;
  Status s = b.run();
  if (!s) return s.diag();
  return m;
}

}  // namespace mm
