// free_area_init(): from memblock's view of memory to nodes and zones.
//
//   zone ranges       max_zone_pfn per zone: DMA below 16M, DMA32 below 4G,
//                     Normal above; each zone starts where the one below ends
//                     (without CONFIG_ZONE_DMA, DMA32 starts at the first RAM)
//   ZONE_MOVABLE      kernelcore=/movablecore= (sizes, N%) or kernelcore=mirror
//                     carve it out of the highest zone with a range
//   node and zones    calculate_node_totalpages: spans (zone_spanned_pages_in_node,
//                     adjust_zone_range_for_zone_movable) and present pages
//   managed estimate  free_area_init_core: present - memmap (- dma_reserve
//                     off the kernel's zone 0: DMA, or DMA32 without ZONE_DMA)
//   memmap_init       every present page gets its struct page, except the
//                     tail of each node's last zone (deferred init)
#include <algorithm>
#include <array>
#include <cstdio>

#include "mm/boot/phases.h"

namespace mm {

u64 calc_memmap_size(u64 spanned, u64 present) {
  u64 pages = spanned;
  if (spanned > present + (present >> 4)) pages = present;  // SPARSEMEM: holes cost no memmap
  return round_up(pages * STRUCT_PAGE_SIZE, PAGE_SIZE) >> PAGE_SHIFT;
}

namespace phase {

namespace {

// The zone boundaries free_area_init works with.
struct ZoneLayout {
  std::array<Pfn, MAX_NR_ZONES> lo{}, hi{};       // [lo[z], hi[z]): zone z's range (ZONE_MOVABLE apart)
  std::vector<Pfn> movable_start;                 // per node: where ZONE_MOVABLE starts (0: none)
  unsigned movable_zone = idx(ZoneType::Normal);  // the zone ZONE_MOVABLE is carved out of
};

// Memory added after NUMA setup (a log can say so) or claimed by a node that
// does not exist belongs to node 0, as numa_init's fallback does.
void adopt_orphan_memory(Machine& m) {
  for (MemblockRegion& r : m.memblock.memory.regions)
    if (r.nid < 0 || static_cast<size_t>(r.nid) >= m.nodes.size()) r.nid = 0;
  m.memblock.memory.merge_regions();
}

// zone_sizes_init()'s max_zone_pfn, and the "Zone ranges:" lines.
ZoneLayout zone_ranges(Machine& m) {
  std::array<Pfn, MAX_NR_ZONES> max_zone_pfn{};
  // Without CONFIG_ZONE_DMA zone_sizes_init() sets no DMA limit: the slot
  // stays 0, its range is empty at the first RAM and DMA32 begins there.
  if (m.spec.config.zone_dma) max_zone_pfn[idx(ZoneType::DMA)] = std::min(MAX_DMA_PFN, m.max_low_pfn);
  max_zone_pfn[idx(ZoneType::DMA32)] = std::min(MAX_DMA32_PFN, m.max_low_pfn);
  max_zone_pfn[idx(ZoneType::Normal)] = m.max_low_pfn;
  ZoneLayout zl;
  Pfn start = PFN_UP(m.memblock.memory.regions.front().base);
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    if (z == idx(ZoneType::Movable)) continue;
    const Pfn end = std::max(max_zone_pfn[z], start);
    zl.lo[z] = start;
    zl.hi[z] = end;
    start = end;
  }
  m.printk("Zone ranges:");
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    if (z == idx(ZoneType::Movable)) continue;
    if (!m.spec.config.has_zone(static_cast<ZoneType>(z))) continue;  // no ZONE_DMA / ZONE_DEVICE built in
    char b[64];
    std::snprintf(b, sizeof b, "  %-8s ", std::string(kZoneNames[z]).c_str());
    m.printk(std::string(b) +
             (zl.lo[z] == zl.hi[z] ? "empty" : mem_range18(PFN_PHYS(zl.lo[z]), PFN_PHYS(zl.hi[z]) - 1)));
  }
  return zl;
}

// The node's memory as for_each_mem_pfn_range() walks it: whole pages,
// empty blocks skipped.
std::vector<std::pair<Pfn, Pfn>> pfn_ranges(const Machine& m, int nid) {
  std::vector<std::pair<Pfn, Pfn>> out;
  for (const MemblockRegion& r : m.memblock.memory.regions)
    if (r.nid == nid && PFN_UP(r.base) < PFN_DOWN(r.end())) out.push_back({PFN_UP(r.base), PFN_DOWN(r.end())});
  return out;
}

// The highest zone whose architectural range is not empty; ZONE_MOVABLE is
// carved out of it. kernel: find_usable_zone_for_movable()
unsigned usable_zone_for_movable(const ZoneLayout& zl) {
  for (unsigned z = MAX_NR_ZONES; z-- > 0;)
    if (z != idx(ZoneType::Movable) && zl.hi[z] > zl.lo[z]) return z;
  return idx(ZoneType::DMA);
}

// kernelcore=mirror: memory the firmware marked mirrored stays kernel
// memory, the rest from 4G up is movable. Only EFI's memory map can mark
// mirrors (memblock_mark_mirror from efi_find_mirror) and the machines the
// model boots have a BIOS e820 map, so no block is mirrored: every block
// starting at or above 4G opens ZONE_MOVABLE, as 6.1 does on such a machine.
void movable_from_mirror(Machine& m, std::vector<Pfn>& zmp) {
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
bool spread_kernelcore(const Machine& m, std::vector<Pfn>& zmp, Pfn usable_startpfn) {
  const Knobs& k = m.spec.knobs;
  // early_calculate_totalpages(): all memory, and which nodes have some.
  u64 totalpages = 0;
  std::vector<int> mem_nodes;
  for (const Node& n : m.nodes) {
    auto ranges = pfn_ranges(m, n.id);
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
      for (auto [start, end] : pfn_ranges(m, nid)) {
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

// Where ZONE_MOVABLE starts in each node (0: it has none), from
// kernelcore= / movablecore= as sizes, percentages or kernelcore=mirror.
// kernel: find_zone_movable_pfns_for_nodes()
void find_zone_movable_pfns_for_nodes(Machine& m, ZoneLayout& zl) {
  std::vector<Pfn>& zmp = zl.movable_start;
  zmp.assign(m.nodes.size(), 0);
  zl.movable_zone = usable_zone_for_movable(zl);
  if (m.spec.knobs.kernelcore_mirror) {
    movable_from_mirror(m, zmp);
  } else if (!spread_kernelcore(m, zmp, zl.lo[zl.movable_zone])) {
    return;  // the kernel's "goto out": no rounding
  }
  // Every node's ZONE_MOVABLE starts on a MAX_ORDER boundary, and a start
  // at or past the node's end is no ZONE_MOVABLE at all.
  for (size_t nid = 0; nid < zmp.size(); ++nid) {
    zmp[nid] = round_up(zmp[nid], MAX_ORDER_NR_PAGES);
    Pfn end = 0;
    for (auto [s, e] : pfn_ranges(m, static_cast<int>(nid))) end = std::max(end, e);
    if (zmp[nid] >= end) zmp[nid] = 0;
  }
}

void print_node_ranges(Machine& m, const ZoneLayout& zl) {
  m.printk("Movable zone start for each node");
  for (size_t n = 0; n < zl.movable_start.size(); ++n)
    if (zl.movable_start[n])
      m.printk("  Node " + std::to_string(n) + ": " + kernel_hex(PFN_PHYS(zl.movable_start[n]), 18));
  m.printk("Early memory node ranges");
  for (const MemblockRegion& r : m.memblock.memory.regions) {
    char b[32];
    std::snprintf(b, sizeof b, "  node %3d: ", r.nid);
    m.printk(b + mem_range18(PFN_PHYS(PFN_UP(r.base)), PFN_PHYS(PFN_DOWN(r.end())) - 1));
  }
}

// Pages of node nid's memory in [s, e).
u64 pages_in_memory(const Machine& m, int nid, Pfn s, Pfn e) {
  u64 n = 0;
  for (const MemblockRegion& r : m.memblock.memory.regions) {
    if (r.nid != nid) continue;
    const Pfn a = std::max(PFN_UP(r.base), s), b = std::min(PFN_DOWN(r.end()), e);
    if (a < b) n += b - a;
  }
  return n;
}

// ZONE_MOVABLE takes the node's memory from zmp up to the end of the
// movable zone's range; the zones below stop where it starts.
// kernel: adjust_zone_range_for_zone_movable()
void adjust_zone_range_for_zone_movable(Machine& m, const Node& n, const ZoneLayout& zl, unsigned z, Pfn ne, Pfn zmp,
                                        Pfn& zs, Pfn& ze) {
  if (!zmp) return;
  if (z == idx(ZoneType::Movable)) {
    zs = zmp;
    ze = std::min(ne, zl.hi[zl.movable_zone]);
  } else if (zs < zmp && ze > zmp) {
    // With kernelcore=mirror 6.1 leaves this zone whole and counts its
    // unmirrored pages as absent instead, so the pages from zmp up would
    // sit in two zones' spans; the model cuts the zone as for a size.
    if (m.spec.knobs.kernelcore_mirror)
      m.printk("mm-playground: kernelcore=mirror: node " + std::to_string(n.id) +
               "'s ZONE_MOVABLE starts inside zone " + std::string(kZoneNames[z]) +
               "; 6.1 would keep that zone's span whole with no present pages, the model ends the zone where "
               "ZONE_MOVABLE starts");
    ze = zmp;
  } else if (zs >= zmp) {
    zs = ze;  // the whole range is ZONE_MOVABLE's
  }
}

// [start, end) of zone z in the node [ns, ne); (0, 0) when it spans nothing.
// kernel: zone_spanned_pages_in_node()
std::pair<Pfn, Pfn> zone_span(Machine& m, const Node& n, const ZoneLayout& zl, unsigned z, Pfn zmp, Pfn ns, Pfn ne) {
  if (!ns && !ne) return {0, 0};
  Pfn zs = std::clamp(ns, zl.lo[z], zl.hi[z]), ze = std::clamp(ne, zl.lo[z], zl.hi[z]);
  adjust_zone_range_for_zone_movable(m, n, zl, z, ne, zmp, zs, ze);
  if (ze < ns || zs > ne) return {0, 0};
  ze = std::min(ze, ne);
  zs = std::max(zs, ns);
  if (ze <= zs) return {0, 0};
  return {zs, ze};
}

// kernel: calculate_node_totalpages() (with free_area_init_node's line):
// the node's span, each zone's span and present pages.
void calculate_node_totalpages(Machine& m, Node& n, const ZoneLayout& zl) {
  Pfn ns = ~Pfn{0}, ne = 0;
  for (const MemblockRegion& r : m.memblock.memory.regions)
    if (r.nid == n.id) {
      ns = std::min(ns, PFN_UP(r.base));
      ne = std::max(ne, PFN_DOWN(r.end()));
    }
  if (ne == 0) {
    ns = ne = 0;
    // 6.1 brings CPUs' nodes online after free_area_init, so a memoryless
    // node is still offline here; 6.12 onlines them first, and
    // free_area_init_node says it itself.
    if (m.spec.version == KernelVersion::v6_12)
      m.printk("Initmem setup node " + std::to_string(n.id) + " as memoryless");
    else
      m.printk("Initializing node " + std::to_string(n.id) + " as memoryless");
  } else {
    m.printk("Initmem setup node " + std::to_string(n.id) + " " + mem_range18(PFN_PHYS(ns), PFN_PHYS(ne) - 1));
  }
  n.node_start_pfn = ns;
  n.node_spanned_pages = ne - ns;
  n.node_present_pages = 0;
  const Pfn movable_start = zl.movable_start.empty() ? 0 : zl.movable_start[static_cast<size_t>(n.id)];
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    Zone& zone = n.zones[z];
    const auto [zs, ze] = zone_span(m, n, zl, z, movable_start, ns, ne);
    zone.zone_start_pfn = zs;
    zone.spanned_pages = ze - zs;
    zone.present_pages = ze > zs ? pages_in_memory(m, n.id, zs, ze) : 0;
    n.node_present_pages += zone.present_pages;
  }
}

// kernel: calc_nr_kernel_pages() (6.12): the pages memblock still has free,
// all of them below any highmem (x86_64 has none).
void calc_nr_kernel_pages(Machine& m) {
  for (const FreeRange& f : m.memblock.free_ranges()) {
    const Pfn s = PFN_UP(f.start), e = PFN_DOWN(f.end);
    if (s >= e) continue;
    m.nr_all_pages += e - s;
    m.nr_kernel_pages += e - s;
  }
}

// The zone's free and pcp lists link their frames as offsets from its
// lowest pfn of RAM (frame_word.h): they only ever hold frames of RAM, and
// RAM may start far above the zone's start (qemu's 1 TiB layout puts a
// 4 TiB machine's ZONE_NORMAL at 4 GiB, its RAM from 1 TiB). False when
// the zone's RAM spans more than the links reach.
bool set_list_bases(const Machine& m, const Node& n, Zone& zone) {
  Pfn lo = zone.end_pfn(), hi = zone.zone_start_pfn;
  for (const MemblockRegion& r : m.memblock.memory.regions) {
    if (r.nid != n.id) continue;
    const Pfn s = std::max(PFN_UP(r.base), zone.zone_start_pfn), e = std::min(PFN_DOWN(r.end()), zone.end_pfn());
    if (s >= e) continue;
    lo = std::min(lo, s);
    hi = std::max(hi, e);
  }
  if (lo >= hi) lo = zone.zone_start_pfn;
  if (hi > lo && hi - lo > frame_word::kMaxListSpan) return false;
  zone.list_base = static_cast<u32>(lo);
  for (FreeArea& a : zone.free_area)
    for (FreeList& l : a.free_list) l.base = zone.list_base;
  for (PerCpuPages& p : zone.pcp)
    for (FreeList& l : p.lists) l.base = zone.list_base;
  return true;
}

// kernel: free_area_init_core(): the boot pagesets and the early estimate
// of managed pages: present - memmap, and the DMA reserve off ZONE_DMA.
void free_area_init_core(Machine& m, Node& n) {
  for (Zone& zone : n.zones) {
    // An empty zone keeps the shared boot_pageset, never a per-CPU set of
    // its own: on a 64-node 8192-CPU machine that is most of the zones.
    zone.pcp.assign(zone.present_pages ? m.nr_cpus : 0, PerCpuPages{});
    for (PerCpuPages& p : zone.pcp) p.batch = 1;  // boot_pageset: batch 1, high 0
    u64 freesize = zone.present_pages;
    u64 memmap = 0;
    if (m.spec.version == KernelVersion::v6_1) {
      memmap = calc_memmap_size(zone.spanned_pages, zone.present_pages);
      if (freesize >= memmap) freesize -= memmap;
      // The kernel takes dma_reserve off node_zones[0], whatever zone that is.
      if (zone.type == m.spec.config.lowest_zone() && freesize > m.dma_reserve) freesize -= m.dma_reserve;
      m.nr_kernel_pages += freesize;
      m.nr_all_pages += freesize;
    }  // 6.12: zone_init_internals() takes the present pages; calc_nr_kernel_pages() counts the rest
    zone.managed_pages = freesize;
    zone.early_managed = freesize;
    if (zone.spanned_pages)
      if (auto e = m.trace.step(Ev::zone_size))
        e.zone(zone).pfn(zone.zone_start_pfn).spanned(zone.spanned_pages).present(zone.present_pages).memmap(memmap);
  }
}

// Whether a 128M section holding `pfn` has any memory (a section without
// memory has no memmap at all).
bool section_present(const Machine& m, Pfn pfn) {
  const Pfn s = round_down(pfn, PAGES_PER_SECTION), e = s + PAGES_PER_SECTION;
  for (const MemblockRegion& r : m.memblock.memory.regions)
    if (PFN_DOWN(r.base) < e && PFN_UP(r.end()) > s) return true;
  return false;
}

// kernel: defer_init(): in the last zone of a node, one section's worth of
// pages is initialised and the rest deferred from the next section boundary.
Pfn first_deferred_pfn(const Machine& m, const Node& n, const Zone& z) {
  if (!m.spec.knobs.deferred_struct_page_init) return ~Pfn{0};
  if (z.end_pfn() < n.node_start_pfn + n.node_spanned_pages) return ~Pfn{0};
  u64 count = 0;
  for (const MemblockRegion& r : m.memblock.memory.regions) {
    if (r.nid != n.id) continue;
    const Pfn s = std::max(PFN_UP(r.base), z.zone_start_pfn), e = std::min(PFN_DOWN(r.end()), z.end_pfn());
    if (s >= e) continue;
    // pfn p is the (count + p - s + 1)-th page initialised in this zone.
    const Pfn threshold = count >= PAGES_PER_SECTION ? s : s + PAGES_PER_SECTION - count;
    const Pfn cand = round_up(threshold, PAGES_PER_SECTION);
    if (cand < e) return cand;
    count += e - s;
  }
  return ~Pfn{0};
}

// "On node N, zone Z: K pages in unavailable ranges": the holes of present
// sections between [s, e).
void print_unavailable(Machine& m, Pfn s, Pfn e, unsigned zone, int nid) {
  // Section by section: a section is present or not as a whole.
  u64 cnt = 0;
  for (Pfn sec = round_down(s, PAGES_PER_SECTION); sec < e; sec += PAGES_PER_SECTION)
    if (section_present(m, sec)) cnt += std::min<Pfn>(e, sec + PAGES_PER_SECTION) - std::max(s, sec);
  if (cnt)
    m.printk("On node " + std::to_string(nid) + ", zone " + std::string(kZoneNames[zone]) + ": " + std::to_string(cnt) +
             " pages in unavailable ranges");
}

// kernel: memmap_init(): a struct page for every present page below its
// node's first deferred pfn (reserved until mem_init frees it); the rest
// waits for deferred_init_memmap.
void memmap_init(Machine& m) {
  for (Node& n : m.nodes) {
    n.first_deferred_pfn = ~Pfn{0};
    for (Zone& z : n.zones)
      if (z.populated()) n.first_deferred_pfn = std::min(n.first_deferred_pfn, first_deferred_pfn(m, n, z));
  }
  std::vector<u64> initialised(m.nodes.size(), 0);
  Pfn hole = 0;
  unsigned last_zone = 0;
  int last_nid = 0;
  for (const MemblockRegion& r : m.memblock.memory.regions) {
    Node& n = m.nodes[static_cast<size_t>(r.nid)];
    for (unsigned zi = 0; zi < MAX_NR_ZONES; ++zi) {
      const Zone& z = n.zones[zi];
      if (!z.populated()) continue;
      const Pfn s = std::clamp(PFN_UP(r.base), z.zone_start_pfn, z.end_pfn());
      const Pfn e = std::clamp(PFN_DOWN(r.end()), z.zone_start_pfn, z.end_pfn());
      if (s >= e) continue;
      const Pfn split = std::clamp(n.first_deferred_pfn, s, e);
      m.mem.fill(s, split, FrameState::Reserved);
      m.mem.fill(split, e, FrameState::Uninit);
      initialised[static_cast<size_t>(n.id)] += split - s;
      if (hole < s) print_unavailable(m, hole, s, zi, n.id);
      hole = e;
      last_zone = zi;
      last_nid = n.id;
    }
  }
  const Pfn end = round_up(m.max_pfn, PAGES_PER_SECTION);
  if (hole < end) print_unavailable(m, hole, end, last_zone, last_nid);
  if (!m.trace.on()) return;
  for (const Node& n : m.nodes) {
    if (!n.node_present_pages) continue;
    const bool deferred = n.first_deferred_pfn != ~Pfn{0};
    if (auto e = m.trace.step(Ev::memmap_init)) {
      e.node(n.id).pages(initialised[static_cast<size_t>(n.id)]).deferred(deferred);
      if (deferred) e.start(n.first_deferred_pfn);
    }
  }
}

}  // namespace

// kernel: free_area_init()
Status free_area_init(Machine& m) {
  TraceScope scope(m.trace, Ev::free_area_init);
  adopt_orphan_memory(m);
  if (m.memblock.memory.regions.empty()) return Diagnostic{"", 0, 0, "boot: no usable memory in the e820 map"};
  ZoneLayout zl = zone_ranges(m);
  find_zone_movable_pfns_for_nodes(m, zl);
  print_node_ranges(m, zl);
  for (Node& n : m.nodes) {
    calculate_node_totalpages(m, n, zl);
    free_area_init_core(m, n);
    for (Zone& z : n.zones)
      if (!set_list_bases(m, n, z))
        return Diagnostic{"", 0, 0,
                          "boot: the RAM of zone " + std::string(z.name()) + " of node " + std::to_string(n.id) +
                              " spans more than " + std::to_string(frame_word::kMaxListSpan << 2) +
                              "K (4 TiB), the most one zone's free lists reach in the model"};
  }
  if (m.spec.version == KernelVersion::v6_12) calc_nr_kernel_pages(m);
  m.index_zones();
  memmap_init(m);
  return {};
}

}  // namespace phase
}  // namespace mm
