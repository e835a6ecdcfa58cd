// /proc/zoneinfo, /proc/buddyinfo, /proc/pagetypeinfo in 6.1's formats.
#include "text/format/proc.h"

#include <cstdio>
#include <string_view>

namespace mm {

namespace {

// Counter names in the order 6.1 prints them (vmstat_text[]).
constexpr std::string_view kNodeStats[] = {"nr_inactive_anon",
                                           "nr_active_anon",
                                           "nr_inactive_file",
                                           "nr_active_file",
                                           "nr_unevictable",
                                           "nr_slab_reclaimable",
                                           "nr_slab_unreclaimable",
                                           "nr_isolated_anon",
                                           "nr_isolated_file",
                                           "workingset_nodes",
                                           "workingset_refault_anon",
                                           "workingset_refault_file",
                                           "workingset_activate_anon",
                                           "workingset_activate_file",
                                           "workingset_restore_anon",
                                           "workingset_restore_file",
                                           "workingset_nodereclaim",
                                           "nr_anon_pages",
                                           "nr_mapped",
                                           "nr_file_pages",
                                           "nr_dirty",
                                           "nr_writeback",
                                           "nr_writeback_temp",
                                           "nr_shmem",
                                           "nr_shmem_hugepages",
                                           "nr_shmem_pmdmapped",
                                           "nr_file_hugepages",
                                           "nr_file_pmdmapped",
                                           "nr_anon_transparent_hugepages",
                                           "nr_vmscan_write",
                                           "nr_vmscan_immediate_reclaim",
                                           "nr_dirtied",
                                           "nr_written",
                                           "nr_throttled_written",
                                           "nr_kernel_misc_reclaimable",
                                           "nr_foll_pin_acquired",
                                           "nr_foll_pin_released",
                                           "nr_kernel_stack",
                                           "nr_page_table_pages",
                                           "nr_sec_page_table_pages",
                                           "nr_iommu_pages",  // 6.12
                                           "nr_swapcached",
                                           "pgpromote_success",
                                           "pgpromote_candidate",
                                           "pgdemote_kswapd",  // 6.12, with the two below
                                           "pgdemote_direct",
                                           "pgdemote_khugepaged"};
constexpr std::string_view kZoneStats[] = {"nr_free_pages",
                                           "nr_zone_inactive_anon",
                                           "nr_zone_active_anon",
                                           "nr_zone_inactive_file",
                                           "nr_zone_active_file",
                                           "nr_zone_unevictable",
                                           "nr_zone_write_pending",
                                           "nr_mlock",
                                           "nr_bounce",
                                           "nr_zspages",
                                           "nr_free_cma",
                                           "nr_unaccepted"};  // 6.12
constexpr std::string_view kNumaStats[] = {"numa_hit",        "numa_miss",  "numa_foreign",
                                           "numa_interleave", "numa_local", "numa_other"};

void appendf(std::string& s, const char* fmt, auto... args) {
  char b[256];
  std::snprintf(b, sizeof b, fmt, args...);
  s += b;
}

std::string zname(const Zone& z) { return std::string(z.name()); }

int fls(unsigned long long x) {
  int n = 0;
  while (x) {
    ++n;
    x >>= 1;
  }
  return n;
}

u64 zone_stat(const Zone& z, size_t i) { return i == 0 ? z.nr_free_pages : 0; }

// The counters 6.12 added to those tables, which a 6.1 profile leaves out.
bool stat_in(KernelVersion v, std::string_view name) {
  if (v == KernelVersion::v6_12) return true;
  return name != "nr_iommu_pages" && name != "nr_unaccepted" && name.rfind("pgdemote_", 0) != 0;
}

}  // namespace

int stat_threshold(const Machine& m, const Zone& z) {
  const u64 mem = z.managed_pages >> (27 - PAGE_SHIFT);  // 128M units
  int t = 2 * fls(m.nr_cpus) * (1 + fls(mem));
  return t < 125 ? t : 125;
}

std::string proc_zoneinfo(const Machine& m) {
  std::string s;
  for (const Node& n : m.nodes) {
    bool first_populated = true;
    for (const Zone& z : n.zones) {
      if (!m.spec.config.has_zone(z.type)) continue;  // a zone the kernel was not built with has no entry
      appendf(s, "Node %d, zone %8s", n.id, zname(z).c_str());
      if (z.populated() && first_populated) {
        first_populated = false;
        s += "\n  per-node stats";
        for (std::string_view name : kNodeStats)
          if (stat_in(m.spec.version, name)) appendf(s, "\n      %-12s %lu", std::string(name).c_str(), 0ul);
      }
      appendf(s,
              "\n  pages free     %llu\n        boost    %llu\n        min      %llu\n        low      %llu\n        "
              "high     %llu",
              static_cast<unsigned long long>(z.nr_free_pages), static_cast<unsigned long long>(z.watermark_boost),
              static_cast<unsigned long long>(z.min_wmark()), static_cast<unsigned long long>(z.low_wmark()),
              static_cast<unsigned long long>(z.high_wmark()));
      if (m.spec.version == KernelVersion::v6_12)
        appendf(s, "\n        promo    %llu",
                static_cast<unsigned long long>(z.watermark[WMARK_PROMO] + z.watermark_boost));
      appendf(s, "\n        spanned  %llu\n        present  %llu\n        managed  %llu\n        cma      %lu",
              static_cast<unsigned long long>(z.spanned_pages), static_cast<unsigned long long>(z.present_pages),
              static_cast<unsigned long long>(z.managed_pages), 0ul);
      // One entry per zone the kernel has (its MAX_NR_ZONES), in zone order.
      const char* sep = "\n        protection: (";
      for (size_t i = 0; i < MAX_NR_ZONES; ++i) {
        if (!m.spec.config.has_zone(static_cast<ZoneType>(i))) continue;
        appendf(s, "%s%llu", sep, static_cast<unsigned long long>(z.lowmem_reserve[i]));
        sep = ", ";
      }
      s += ')';
      if (!z.populated()) {
        s += '\n';
        continue;
      }
      for (size_t i = 0; i < std::size(kZoneStats); ++i)
        if (stat_in(m.spec.version, kZoneStats[i]))
          appendf(s, "\n      %-12s %llu", std::string(kZoneStats[i]).c_str(),
                  static_cast<unsigned long long>(zone_stat(z, i)));
      for (size_t i = 0; i < std::size(kNumaStats); ++i)
        appendf(s, "\n      %-12s %llu", std::string(kNumaStats[i]).c_str(),
                static_cast<unsigned long long>(z.numa_events[i]));
      s += "\n  pagesets";
      const int threshold = stat_threshold(m, z);
      for (size_t cpu = 0; cpu < z.pcp.size(); ++cpu) {
        const PerCpuPages& p = z.pcp[cpu];
        appendf(s, "\n    cpu: %zu\n              count: %d\n              high:  %d\n              batch: %d", cpu,
                p.count, p.high, p.batch);
        appendf(s, "\n  vm stats threshold: %d", threshold);
      }
      appendf(s, "\n  node_unreclaimable:  %u\n  start_pfn:           %llu\n", 0u,
              static_cast<unsigned long long>(z.zone_start_pfn));
    }
  }
  return s;
}

std::string proc_buddyinfo(const Machine& m) {
  std::string s;
  for (const Node& n : m.nodes)
    for (const Zone& z : n.zones) {
      if (!z.populated()) continue;
      appendf(s, "Node %d, zone %8s ", n.id, zname(z).c_str());
      for (unsigned o = 0; o < MAX_ORDER; ++o)
        appendf(s, "%6llu ", static_cast<unsigned long long>(z.free_area[o].nr_free));
      s += '\n';
    }
  return s;
}

std::string proc_pagetypeinfo(const Machine& m) {
  std::string s;
  for (const Node& n : m.nodes) {
    if (!n.has_memory()) continue;
    appendf(s, "Page block order: %u\n", pageblock_order);
    appendf(s, "Pages per block:  %u\n", pageblock_nr_pages);
    s += '\n';
    appendf(s, "%-43s ", "Free pages count per migrate type at order");
    for (unsigned o = 0; o < MAX_ORDER; ++o) appendf(s, "%6u ", o);
    s += '\n';
    for (const Zone& z : n.zones) {
      if (!z.populated()) continue;
      for (unsigned t = 0; t < MIGRATE_TYPES; ++t) {
        appendf(s, "Node %4d, zone %8s, type %12s ", n.id, zname(z).c_str(), std::string(kMigrateTypeNames[t]).c_str());
        for (unsigned o = 0; o < MAX_ORDER; ++o) {
          const u64 c = z.free_area[o].free_list[t].count;
          appendf(s, "%s%6llu ", c >= 100000 ? ">" : "", static_cast<unsigned long long>(c >= 100000 ? 100000 : c));
        }
        s += '\n';
      }
    }
    appendf(s, "\n%-23s", "Number of blocks type ");
    for (unsigned t = 0; t < MIGRATE_TYPES; ++t) appendf(s, "%12s ", std::string(kMigrateTypeNames[t]).c_str());
    s += '\n';
    for (const Zone& z : n.zones) {
      if (!z.populated()) continue;
      u64 count[MIGRATE_TYPES] = {};
      for (Pfn p = z.zone_start_pfn; p < z.end_pfn(); p += pageblock_nr_pages) {
        // pfn_to_online_page(): the section must hold memory.
        const Pfn sec = round_down(p, PAGES_PER_SECTION);
        bool online = false;
        for (Pfn q = sec; q < sec + PAGES_PER_SECTION && q < m.mem.nr; q += pageblock_nr_pages)
          if (m.mem.st(q) != FrameState::Hole ||
              m.mem.st(std::min(q + pageblock_nr_pages - 1, m.mem.nr - 1)) != FrameState::Hole) {
            online = true;
            break;
          }
        if (!online || p >= m.mem.nr || m.page_zone(p) != &z) continue;
        ++count[idx(m.mem.block_mt(p))];
      }
      appendf(s, "Node %d, zone %8s ", n.id, zname(z).c_str());
      for (unsigned t = 0; t < MIGRATE_TYPES; ++t) appendf(s, "%12llu ", static_cast<unsigned long long>(count[t]));
      s += '\n';
    }
  }
  return s;
}

std::string proc_memblock(const Machine& m) {
  std::string s;
  for (const std::string& l : m.memblock.dump()) s += l + '\n';
  return s;
}

std::string proc_kmem_f(const Machine& m) {
  std::string s;
  for (const Node& n : m.nodes)
    for (const Zone& z : n.zones) {
      if (!z.populated()) continue;
      appendf(s, "NODE %d  ZONE %s  managed %llu  free %llu\n", n.id, zname(z).c_str(),
              static_cast<unsigned long long>(z.managed_pages), static_cast<unsigned long long>(z.nr_free_pages));
      appendf(s, "AREA    SIZE  %-12s %8s %8s\n", "TYPE", "BLOCKS", "PAGES");
      for (unsigned o = 0; o < MAX_ORDER; ++o)
        for (unsigned t = 0; t < MIGRATE_TYPES; ++t) {
          const u64 c = z.free_area[o].free_list[t].count;
          if (!c) continue;
          appendf(s, "%4u  %5lluk  %-12s %8llu %8llu\n", o, static_cast<unsigned long long>(4ull << o),
                  std::string(kMigrateTypeNames[t]).c_str(), static_cast<unsigned long long>(c),
                  static_cast<unsigned long long>(c << o));
        }
      s += '\n';
    }
  return s;
}

}  // namespace mm
