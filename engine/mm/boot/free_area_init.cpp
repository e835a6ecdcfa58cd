// free_area_init(): from memblock's view of memory to nodes and zones.
//
//   zone ranges       max_zone_pfn per zone: DMA below 16M, DMA32 below 4G,
//                     Normal above; each zone starts where the one below ends
//   ZONE_MOVABLE      kernelcore=/movablecore= carve it out of the highest zone
//   node and zones    calculate_node_totalpages: spans and present pages
//   managed estimate  free_area_init_core: present - memmap (- dma_reserve)
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
  std::array<Pfn, MAX_NR_ZONES> lo{}, hi{};      // [lo[z], hi[z]): zone z's range (ZONE_MOVABLE apart)
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
  max_zone_pfn[idx(ZoneType::DMA)] = std::min(MAX_DMA_PFN, m.max_low_pfn);
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
    char b[64];
    std::snprintf(b, sizeof b, "  %-8s ", std::string(kZoneNames[z]).c_str());
    m.printk(std::string(b) +
             (zl.lo[z] == zl.hi[z] ? "empty" : mem_range18(PFN_PHYS(zl.lo[z]), PFN_PHYS(zl.hi[z]) - 1)));
  }
  return zl;
}

// The highest zone with memory: ZONE_MOVABLE is carved out of it.
unsigned highest_populated_zone(const Machine& m, const ZoneLayout& zl) {
  for (unsigned z = idx(ZoneType::Normal) + 1; z-- > 0;)
    for (const MemblockRegion& r : m.memblock.memory.regions)
      if (PFN_DOWN(r.end()) > zl.lo[z] && PFN_UP(r.base) < zl.hi[z]) return z;
  return idx(ZoneType::DMA);
}

// The pages the kernel must keep (kernelcore=, or all but movablecore=);
// 0 when ZONE_MOVABLE is not asked for or would take everything or nothing.
u64 required_kernelcore(const Machine& m) {
  const Knobs& k = m.spec.knobs;
  if (!k.kernelcore && !k.movablecore) return 0;
  u64 totalpages = 0;
  for (const MemblockRegion& r : m.memblock.memory.regions) totalpages += PFN_DOWN(r.end()) - PFN_UP(r.base);
  u64 required = k.kernelcore >> PAGE_SHIFT;
  if (k.movablecore) {
    const u64 mov = std::min<u64>(k.movablecore >> PAGE_SHIFT, totalpages);
    required = std::max(required, totalpages - mov);
  }
  return required >= totalpages ? 0 : required;
}

// kernel: find_zone_movable_pfns_for_nodes(), for kernelcore=/movablecore=
// given as sizes. Each node with memory keeps an even share of kernelcore,
// taken from the bottom of its memory (memory below the movable zone's range
// counts as kernel memory for free); what lies above that share becomes
// ZONE_MOVABLE, from a MAX_ORDER boundary.
void find_zone_movable_pfns_for_nodes(const Machine& m, ZoneLayout& zl) {
  zl.movable_start.assign(m.nodes.size(), 0);
  const u64 required = required_kernelcore(m);
  if (!required) return;
  const unsigned movable_zone = highest_populated_zone(m, zl);
  size_t nodes_with_mem = 0;
  for (const Node& n : m.nodes)
    if (std::any_of(m.memblock.memory.regions.begin(), m.memblock.memory.regions.end(),
                    [&](const MemblockRegion& r) { return r.nid == n.id; }))
      ++nodes_with_mem;
  const u64 per_node = required / std::max<size_t>(1, nodes_with_mem);
  for (const Node& n : m.nodes) {
    Pfn& start = zl.movable_start[static_cast<size_t>(n.id)];
    u64 left = per_node;
    for (const MemblockRegion& r : m.memblock.memory.regions) {
      if (r.nid != n.id) continue;
      Pfn s = PFN_UP(r.base);
      const Pfn e = PFN_DOWN(r.end());
      if (s < zl.lo[movable_zone]) {
        const Pfn kend = std::min(e, zl.lo[movable_zone]);
        const u64 got = kend - s;
        left = left > got ? left - got : 0;
        s = kend;
      }
      if (s >= e) continue;
      if (left == 0) {
        if (!start) start = s;
        continue;
      }
      const u64 take = std::min<u64>(left, e - s);
      left -= take;
      if (left == 0 && s + take < e && !start) start = s + take;
    }
    if (start) start = round_up(start, MAX_ORDER_NR_PAGES);
  }
  zl.movable_zone = movable_zone;
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

// A zone's [start, end) within its node [ns, ne), ZONE_MOVABLE included.
std::pair<Pfn, Pfn> zone_span(const ZoneLayout& zl, unsigned z, Pfn movable_start, Pfn ns, Pfn ne) {
  Pfn zs = 0, ze = 0;
  if (ne) {
    if (z == idx(ZoneType::Movable)) {
      if (movable_start) {
        zs = std::max(movable_start, ns);
        ze = std::min(zl.hi[zl.movable_zone], ne);
      }
    } else if (z != idx(ZoneType::Device)) {
      zs = std::max(zl.lo[z], ns);
      ze = std::min(zl.hi[z], ne);
      if (movable_start && z == zl.movable_zone) ze = std::min(ze, movable_start);
    }
  }
  if (ze <= zs) zs = ze = 0;
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
    const auto [zs, ze] = zone_span(zl, z, movable_start, ns, ne);
    zone.zone_start_pfn = zs;
    zone.spanned_pages = ze - zs;
    zone.present_pages = ze > zs ? pages_in_memory(m, n.id, zs, ze) : 0;
    n.node_present_pages += zone.present_pages;
  }
}

// kernel: free_area_init_core(): the boot pagesets and the early estimate
// of managed pages: present - memmap, and the DMA reserve off ZONE_DMA.
void free_area_init_core(Machine& m, Node& n) {
  for (Zone& zone : n.zones) {
    zone.pcp.assign(m.nr_cpus, PerCpuPages{});
    for (PerCpuPages& p : zone.pcp) p.batch = 1;  // boot_pageset: batch 1, high 0
    u64 freesize = zone.present_pages;
    const u64 memmap = calc_memmap_size(zone.spanned_pages, zone.present_pages);
    if (freesize >= memmap) freesize -= memmap;
    if (zone.type == ZoneType::DMA && freesize > m.dma_reserve) freesize -= m.dma_reserve;
    m.nr_kernel_pages += freesize;
    m.nr_all_pages += freesize;
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
  u64 cnt = 0;
  for (Pfn p = s; p < e;) {
    if (!section_present(m, round_down(p, pageblock_nr_pages))) {
      p = round_down(p, pageblock_nr_pages) + pageblock_nr_pages;
      continue;
    }
    ++cnt;
    ++p;
  }
  if (cnt)
    m.printk("On node " + std::to_string(nid) + ", zone " + std::string(kZoneNames[zone]) + ": " +
             std::to_string(cnt) + " pages in unavailable ranges");
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
      for (Pfn p = s; p < e; ++p) {
        const bool later = p >= n.first_deferred_pfn;
        m.mem.set(p, later ? FrameState::Uninit : FrameState::Reserved);
        initialised[static_cast<size_t>(n.id)] += !later;
      }
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
  }
  m.index_zones();
  memmap_init(m);
  return {};
}

}  // namespace phase
}  // namespace mm
