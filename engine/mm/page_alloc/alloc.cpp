// __alloc_pages and the free path, with the per-CPU page lists of 6.1.
#include "mm/page_alloc/alloc.h"

#include <algorithm>
#include <cstdio>

#include "mm/page_alloc/page_alloc.h"
#include "mm/pressure/reclaim.h"
#include "mm/pressure/task.h"

namespace mm {

namespace {

constexpr unsigned NR_LOWORDER_PCP_LISTS = MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1);
constexpr int PCP_BATCH_SCALE_MAX = 5;  // CONFIG_PCP_BATCH_SCALE_MAX on Debian

std::string zname(const Zone& z) { return "Node " + std::to_string(z.node) + " " + std::string(z.name()); }

// Emits a step when tracing; `make_text` runs only then.
template <class MakeText>
Event* ev(Machine& m, const char* fn, MakeText&& make_text, const Zone* z = nullptr) {
  if (!m.trace.on()) return nullptr;
  Event& e = m.trace.step(fn, std::string(make_text()));
  if (z) {
    e.node = static_cast<std::int16_t>(z->node);
    e.zone = static_cast<std::int8_t>(idx(z->type));
  }
  return &e;
}

// ---- pcp list helpers: the only writers of PerCpuPages::count --------------

void mark_pcp(MemMap& mem, Pfn p, Order order, MigrateType mt) {
  mem.set(p, FrameState::Pcp);
  mem.order[p] = static_cast<std::uint8_t>(order);
  mem.owner[p] = static_cast<std::uint8_t>(idx(mt));  // set_pcppage_migratetype()
  for (Pfn q = p + 1; q < p + (Pfn{1} << order); ++q) mem.set(q, FrameState::PcpTail);
}

void pcp_add(Machine& m, PerCpuPages& pcp, unsigned pindex, Pfn p, Order order, MigrateType mt, bool tail) {
  mark_pcp(m.mem, p, order, mt);
  if (tail) list_add_tail(m.mem, pcp.lists[pindex], p);
  else list_add(m.mem, pcp.lists[pindex], p);
  pcp.count += 1 << order;
}

void pcp_del(Machine& m, PerCpuPages& pcp, unsigned pindex, Pfn p, Order order) {
  list_del(m.mem, pcp.lists[pindex], p);
  pcp.count -= 1 << order;
}

// ---- the free side of the pcp ------------------------------------------------

// free_pcppages_bulk(): give `count` pages back to the buddy lists, taking
// from the tail of the lists round-robin, starting after `pindex`.
void free_pcppages_bulk(Machine& m, Zone& z, int count, PerCpuPages& pcp, int pindex, int cpu) {
  count = std::min(pcp.count, count);
  if (count <= 0) return;
  if (Event* e = ev(m, "free_pcppages_bulk",
                    [&] { return "cpu " + std::to_string(cpu) + ": return " + std::to_string(count) + " of " +
                        std::to_string(pcp.count) + " pcp pages of " + zname(z) + " to the buddy lists"; },
                    &z)) {
    e->cpu = static_cast<std::int16_t>(cpu);
    e->a = static_cast<u64>(count);
    e->b = static_cast<u64>(pcp.count);
  }
  const bool isolated = z.nr_isolate_pageblock > 0;
  int min_pindex = 0, max_pindex = NR_PCP_LISTS - 1;
  pindex -= 1;
  while (count > 0) {
    FreeList* list = nullptr;
    for (;;) {
      if (++pindex > max_pindex) pindex = min_pindex;
      list = &pcp.lists[static_cast<size_t>(pindex)];
      if (!list->empty()) break;
      if (pindex == max_pindex) --max_pindex;
      if (pindex == min_pindex) ++min_pindex;
    }
    const Order order = pindex_to_order(static_cast<unsigned>(pindex));
    do {
      const Pfn p = list->tail;
      MigrateType mt = static_cast<MigrateType>(m.mem.owner[p]);
      pcp_del(m, pcp, static_cast<unsigned>(pindex), p, order);
      count -= 1 << order;
      if (isolated) mt = m.mem.block_mt(p);
      free_one_page(m, z, p, order, mt, FPI_NONE);
    } while (count > 0 && !list->empty());
  }
}

// nr_pcp_free(): how much to spill. 6.1 grows the batch (free_factor)
// while frees keep coming without allocations in between.
int nr_pcp_free(PerCpuPages& pcp, int high, int batch, bool free_high) {
  if (free_high) return pcp.count;
  if (high < batch) return 1;
  const int min_nr_free = batch, max_nr_free = high - batch;
  batch <<= pcp.free_factor;
  if (batch < max_nr_free && pcp.free_factor < PCP_BATCH_SCALE_MAX) ++pcp.free_factor;
  return std::clamp(batch, min_nr_free, std::max(min_nr_free, max_nr_free));
}

int nr_pcp_high(const PerCpuPages& pcp, bool free_high) {
  if (!pcp.high || free_high) return 0;
  return pcp.high;  // ZONE_RECLAIM_ACTIVE is not set without reclaim
}

void free_unref_page_commit(Machine& m, Zone& z, PerCpuPages& pcp, int cpu, Pfn p, MigrateType list_mt,
                            MigrateType page_mt, Order order) {
  const unsigned pindex = order_to_pindex(list_mt, order);
  pcp_add(m, pcp, pindex, p, order, page_mt, false);
  const bool free_high = pcp.free_factor && order && order <= PAGE_ALLOC_COSTLY_ORDER;
  const int high = nr_pcp_high(pcp, free_high);
  if (Event* e = ev(m, "free_unref_page",
                    [&] { return "cpu " + std::to_string(cpu) + ": pfn " + std::to_string(p) + " (order " + std::to_string(order) +
                        ") onto the " + std::string(kMigrateTypeNames[idx(list_mt)]) + " pcp list: count " +
                        std::to_string(pcp.count) + (pcp.count >= high ? " >= high " : " < high ") +
                        std::to_string(high); },
                    &z)) {
    e->pfn = p;
    e->order = static_cast<std::int8_t>(order);
    e->cpu = static_cast<std::int16_t>(cpu);
    e->mt = static_cast<std::int8_t>(idx(list_mt));
    e->a = static_cast<u64>(pcp.count);
    e->b = static_cast<u64>(high);
  }
  if (pcp.count >= high) free_pcppages_bulk(m, z, nr_pcp_free(pcp, high, pcp.batch, free_high), pcp, static_cast<int>(pindex), cpu);
}

void free_one_page_locked(Machine& m, Zone& z, Pfn p, Order order, MigrateType mt) {
  if (mt == MigrateType::Isolate || z.nr_isolate_pageblock > 0) mt = m.mem.block_mt(p);
  free_one_page(m, z, p, order, mt, FPI_NONE);
}

// ---- the allocation side -----------------------------------------------------

// rmqueue_bulk(): `count` blocks of `order` from the buddy lists onto the
// pcp list, in order (list_add_tail), each tagged with the requested type.
int rmqueue_bulk(Machine& m, Zone& z, Order order, int count, PerCpuPages& pcp, unsigned pindex, MigrateType mt,
                 unsigned alloc_flags, int cpu) {
  TraceScope scope(m.trace, "rmqueue_bulk",
                   [&] { return "cpu " + std::to_string(cpu) + ": the " + std::string(kMigrateTypeNames[idx(mt)]) + " order-" +
                       std::to_string(order) + " pcp list of " + zname(z) + " is empty: refill " +
                       std::to_string(count) + " from the buddy lists"; });
  int allocated = 0;
  for (int i = 0; i < count; ++i) {
    auto p = rmqueue(m, z, order, mt, alloc_flags);
    if (!p) break;
    pcp_add(m, pcp, pindex, *p, order, mt, true);
    ++allocated;
  }
  return allocated;
}

std::optional<Pfn> rmqueue_pcplist(Machine& m, Zone& z, Order order, MigrateType mt, unsigned alloc_flags, int cpu) {
  PerCpuPages& pcp = z.pcp[static_cast<size_t>(cpu)];
  pcp.free_factor >>= 1;
  const unsigned pindex = order_to_pindex(mt, order);
  FreeList& list = pcp.lists[pindex];
  if (list.empty()) {
    int batch = pcp.batch;
    if (batch > 1) batch = std::max(batch >> order, 2);
    rmqueue_bulk(m, z, order, batch, pcp, pindex, mt, alloc_flags, cpu);
    if (list.empty()) return std::nullopt;
  }
  const Pfn p = list.head;
  pcp_del(m, pcp, pindex, p, order);
  if (Event* e = ev(m, "rmqueue_pcplist",
                    [&] { return "cpu " + std::to_string(cpu) + ": take pfn " + std::to_string(p) + " from the " +
                        std::string(kMigrateTypeNames[idx(mt)]) + " order-" + std::to_string(order) +
                        " pcp list (" + std::to_string(pcp.count) + " pages left on this CPU's lists)"; },
                    &z)) {
    e->pfn = p;
    e->order = static_cast<std::int8_t>(order);
    e->cpu = static_cast<std::int16_t>(cpu);
    e->mt = static_cast<std::int8_t>(idx(mt));
    e->a = static_cast<u64>(pcp.count);
  }
  return p;
}

std::optional<Pfn> rmqueue_buddy(Machine& m, Zone& z, Order order, MigrateType mt, unsigned alloc_flags) {
  TraceScope scope(m.trace, "rmqueue_buddy", [&] { return "order-" + std::to_string(order) + " block straight from the buddy lists of " + zname(z); });
  std::optional<Pfn> p;
  if (alloc_flags & alloc::HIGHATOMIC) p = rmqueue_smallest(m, z, order, MigrateType::HighAtomic);
  if (!p) {
    p = rmqueue(m, z, order, mt, alloc_flags);
    if (!p && (alloc_flags & (alloc::OOM | alloc::NON_BLOCK))) p = rmqueue_smallest(m, z, order, MigrateType::HighAtomic);
  }
  return p;
}

std::optional<Pfn> rmqueue_zone(Machine& m, Zone& z, Order order, MigrateType mt, unsigned alloc_flags, int cpu) {
  std::optional<Pfn> p;
  if (pcp_allowed_order(order)) p = rmqueue_pcplist(m, z, order, mt, alloc_flags, cpu);
  if (!p) p = rmqueue_buddy(m, z, order, mt, alloc_flags);
  if (z.boosted_watermark) {
    z.boosted_watermark = false;
    ev(m, "wakeup_kswapd", [&] { return "the watermark of " + zname(z) + " was boosted: kswapd is woken to reclaim the boost"; }, &z);
  }
  return p;
}

// reserve_highatomic_pageblock(): a high-order atomic allocation keeps its
// pageblock for later atomic requests (up to 1% of the zone + a pageblock).
void reserve_highatomic_pageblock(Machine& m, Zone& z, Pfn p) {
  const u64 max_managed = z.managed_pages / 100 + pageblock_nr_pages;
  if (z.nr_reserved_highatomic >= max_managed) return;
  const MigrateType mt = m.mem.block_mt(p);
  if (idx(mt) >= idx(MigrateType::HighAtomic)) return;
  z.nr_reserved_highatomic += pageblock_nr_pages;
  m.mem.set_block_mt(p, MigrateType::HighAtomic);
  move_freepages_block(m, z, p, MigrateType::HighAtomic, nullptr);
  if (Event* e = ev(m, "reserve_highatomic_pageblock",
                    [&] { return "the pageblock at pfn " + std::to_string(round_down(p, pageblock_nr_pages)) +
                        " becomes MIGRATE_HIGHATOMIC (" + std::to_string(z.nr_reserved_highatomic) + " pages reserved, at most " +
                        std::to_string(max_managed) + ")"; },
                    &z)) {
    e->pfn = round_down(p, pageblock_nr_pages);
    e->a = z.nr_reserved_highatomic;
  }
}

void zone_statistics(Machine& m, Zone& preferred, Zone& z, int cpu) {
  enum { HIT, MISS, FOREIGN, INTERLEAVE, LOCAL, OTHER };
  if (z.node == preferred.node) ++z.numa_events[HIT];
  else {
    ++z.numa_events[MISS];
    ++preferred.numa_events[FOREIGN];
  }
  ++z.numa_events[z.node == m.cpu_to_node[static_cast<size_t>(cpu)] ? LOCAL : OTHER];
}

unsigned alloc_flags_nofragment(const Machine& m, const Zone& preferred, gfp_t g) {
  unsigned a = g & gfp::KSWAPD_RECLAIM;  // == ALLOC_KSWAPD
  if (preferred.type != ZoneType::Normal) return a;
  const Zone& below = m.nodes[static_cast<size_t>(preferred.node)].zones[idx(ZoneType::DMA32)];
  if (m.nodes.size() > 1 && !below.populated()) return a;
  return a | alloc::NOFRAGMENT;
}

}  // namespace

unsigned order_to_pindex(MigrateType mt, Order order) {
  if (order > PAGE_ALLOC_COSTLY_ORDER) return NR_LOWORDER_PCP_LISTS + (mt == MigrateType::Movable ? 1 : 0);
  return MIGRATE_PCPTYPES * order + idx(mt);
}

Order pindex_to_order(unsigned pindex) {
  if (pindex >= NR_LOWORDER_PCP_LISTS) return pageblock_order;
  return pindex / MIGRATE_PCPTYPES;
}

bool pcp_allowed_order(Order order) { return order <= PAGE_ALLOC_COSTLY_ORDER || order == pageblock_order; }

bool is_allocation_head(const Machine& m, Pfn pfn) { return pfn < m.mem.nr && m.mem.st(pfn) == FrameState::Alloc; }

bool zone_watermark_ok(const Machine&, const Zone& z, Order order, u64 mark, ZoneType highest, unsigned alloc_flags,
                       long long free_pages, std::string* why) {
  long long min = static_cast<long long>(mark);
  // __zone_watermark_unusable_free(): the pages a request of this order
  // cannot use, and the highatomic reserve unless it may dip into reserves.
  long long unusable = (1LL << order) - 1;
  if (!(alloc_flags & alloc::RESERVES)) unusable += static_cast<long long>(z.nr_reserved_highatomic);
  free_pages -= unusable;
  if (alloc_flags & alloc::RESERVES) {
    if (alloc_flags & alloc::MIN_RESERVE) {
      min -= min / 2;  // __GFP_HIGH: half the reserve
      if (alloc_flags & alloc::NON_BLOCK) min -= min / 4;  // atomic: a quarter more
    }
    if (alloc_flags & alloc::OOM) min -= min / 2;
  }
  const long long reserve = static_cast<long long>(z.lowmem_reserve[idx(highest)]);
  auto say = [&](bool ok, const std::string& tail) {
    if (why)
      *why = zname(z) + ": free " + std::to_string(free_pages) + (free_pages > min + reserve ? " > " : " <= ") +
             "mark " + std::to_string(min) + " + lowmem_reserve " + std::to_string(reserve) + tail;
    return ok;
  };
  if (free_pages <= min + reserve) return say(false, ": watermark not met");
  if (!order) return say(true, ": ok");
  for (Order o = order; o < MAX_ORDER; ++o) {
    const FreeArea& a = z.free_area[o];
    if (!a.nr_free) continue;
    for (unsigned t = 0; t < MIGRATE_PCPTYPES; ++t)
      if (!a.free_list[t].empty()) return say(true, ", and an order-" + std::to_string(o) + " block is free: ok");
    if ((alloc_flags & (alloc::HIGHATOMIC | alloc::OOM)) && !a.free_list[idx(MigrateType::HighAtomic)].empty())
      return say(true, ", and a highatomic order-" + std::to_string(o) + " block is free: ok");
  }
  return say(false, ", but no free block of order " + std::to_string(order) + " or more: fail");
}

bool zone_watermark_fast(const Machine& m, const Zone& z, Order order, u64 mark, ZoneType highest, unsigned alloc_flags,
                         gfp_t g, std::string* why) {
  const long long free_pages = static_cast<long long>(z.nr_free_pages);
  if (!order) {
    long long reserved = (alloc_flags & alloc::RESERVES) ? 0 : static_cast<long long>(z.nr_reserved_highatomic);
    long long usable = free_pages - std::min(free_pages, reserved);
    if (usable > static_cast<long long>(mark + z.lowmem_reserve[idx(highest)])) {
      if (why)
        *why = zname(z) + ": free " + std::to_string(usable) + " > mark " + std::to_string(mark) + " + lowmem_reserve " +
               std::to_string(z.lowmem_reserve[idx(highest)]) + ": ok";
      return true;
    }
  }
  if (zone_watermark_ok(m, z, order, mark, highest, alloc_flags, free_pages, why)) return true;
  // An atomic order-0 request may ignore a watermark boost.
  if (!order && (g & gfp::ATOMIC) && z.watermark_boost && (alloc_flags & alloc::WMARK_MASK) == alloc::WMARK_MIN)
    return zone_watermark_ok(m, z, order, z.watermark[WMARK_MIN], highest, alloc_flags, free_pages, why);
  return false;
}

namespace {

// What prepare_alloc_pages() works out once for a request.
struct AllocContext {
  const std::vector<ZoneRef>* zonelist = nullptr;
  const std::vector<int>* nodemask = nullptr;  // empty or null: all nodes
  bool allowed(const ZoneRef& z) const {
    if (idx(z.zone) > idx(highest)) return false;
    return !nodemask || nodemask->empty() || std::find(nodemask->begin(), nodemask->end(), z.node) != nodemask->end();
  }
  const ZoneRef* preferred = nullptr;
  ZoneType highest = ZoneType::Normal;
  MigrateType mt = MigrateType::Unmovable;
  Owner owner = Owner::Kernel;
};

// get_page_from_freelist(): walk the zonelist from the preferred zone, take
// the first zone whose watermark check passes and that has the pages.
std::optional<std::pair<Pfn, ZoneRef>> get_page_from_freelist(Machine& m, const AllocRequest& r,
                                                              const AllocContext& ac, unsigned alloc_flags) {
  const std::vector<ZoneRef>& zonelist = *ac.zonelist;
  Zone& pz = m.zone(*ac.preferred);
  for (;;) {
    const bool no_fallback = alloc_flags & alloc::NOFRAGMENT;
    bool retry = false;
    for (auto it = zonelist.begin() + (ac.preferred - zonelist.data()); it != zonelist.end(); ++it) {
      if (!ac.allowed(*it)) continue;
      Zone& z = m.zone(*it);
      if (no_fallback && m.nodes.size() > 1 && &z != &pz && z.node != pz.node) {
        alloc_flags &= ~alloc::NOFRAGMENT;  // prefer fragmenting locally over a remote node
        retry = true;
        break;
      }
      const unsigned wm = alloc_flags & alloc::WMARK_MASK;
      const u64 mark = z.watermark[wm] + z.watermark_boost;
      std::string why;
      const bool ok = zone_watermark_fast(m, z, r.order, mark, ac.highest, alloc_flags, r.gfp, m.trace.on() ? &why : nullptr);
      if (Event* e = ev(m, "zone_watermark_fast",
                        [&] { return std::string(wm == alloc::WMARK_LOW ? "low" : wm == alloc::WMARK_MIN ? "min" : "high") +
                            " watermark check, " + why; },
                        &z)) {
        e->a = z.nr_free_pages;
        e->b = mark;
        e->c = z.lowmem_reserve[idx(ac.highest)];
      }
      if (!ok && !(alloc_flags & alloc::NO_WATERMARKS)) continue;  // zone_reclaim_mode is 0: next zone
      auto p = rmqueue_zone(m, z, r.order, ac.mt, alloc_flags, r.cpu);
      if (!p) continue;
      prep_new_page(m, *p, r.order, ac.owner);
      zone_statistics(m, pz, z, r.cpu);
      if (alloc_flags & alloc::HIGHATOMIC) reserve_highatomic_pageblock(m, z, *p);
      if (Event* e = ev(m, "prep_new_page",
                        [&] { return "pfn " + std::to_string(*p) + " (order " + std::to_string(r.order) + ", " +
                            std::to_string(1u << r.order) + (r.order ? " pages" : " page") + ") from " + zname(z); },
                        &z)) {
        e->pfn = *p;
        e->order = static_cast<std::int8_t>(r.order);
      }
      return std::make_pair(*p, *it);
    }
    if (retry) continue;
    if (no_fallback) {
      alloc_flags &= ~alloc::NOFRAGMENT;
      ev(m, "get_page_from_freelist", [&] { return "no zone could serve without mixing pageblock types: retry allowing it"; });
      continue;
    }
    return std::nullopt;
  }
}

}  // namespace

namespace {

// unreserve_highatomic_pageblock(): give a highatomic pageblock back to the
// request's migrate type before reclaim gives up (force) or along the way.
bool unreserve_highatomic_pageblock(Machine& m, const AllocContext& ac, bool force) {
  for (const ZoneRef& r : *ac.zonelist) {
    if (!ac.allowed(r)) continue;
    Zone& z = m.zone(r);
    if (!force && z.nr_reserved_highatomic <= pageblock_nr_pages) continue;
    for (Order o = 0; o < MAX_ORDER; ++o) {
      const FreeList& l = z.free_area[o].free_list[idx(MigrateType::HighAtomic)];
      if (l.empty()) continue;
      const Pfn page = l.head;
      if (m.mem.block_mt(page) == MigrateType::HighAtomic) {
        const u64 size = std::min<u64>(pageblock_nr_pages, z.nr_reserved_highatomic);
        z.nr_reserved_highatomic -= size;
      }
      m.mem.set_block_mt(page, ac.mt);
      const u64 moved = move_freepages_block(m, z, page, ac.mt, nullptr);
      ev(m, "unreserve_highatomic_pageblock", [&] {
        return "the highatomic pageblock at pfn " + std::to_string(round_down(page, pageblock_nr_pages)) + " goes back to " +
               std::string(kMigrateTypeNames[idx(ac.mt)]) + " (" + std::to_string(moved) + " free pages)";
      }, &z);
      if (moved) return true;
    }
  }
  return false;
}

// should_reclaim_retry(): retry while some zone could meet its min
// watermark if everything reclaimable were reclaimed, and reclaim keeps
// making progress (at most MAX_RECLAIM_RETRIES rounds without).
bool should_reclaim_retry(Machine& m, const AllocRequest& r, const AllocContext& ac, unsigned alloc_flags,
                          bool progress, int& no_progress_loops) {
  if (progress && r.order <= PAGE_ALLOC_COSTLY_ORDER) no_progress_loops = 0;
  else ++no_progress_loops;
  if (no_progress_loops > MAX_RECLAIM_RETRIES) {
    ev(m, "should_reclaim_retry", [&] { return std::to_string(no_progress_loops) + " rounds without progress: give up (last, unreserve highatomic)"; });
    return unreserve_highatomic_pageblock(m, ac, true);
  }
  for (const ZoneRef& zr : *ac.zonelist) {
    if (!ac.allowed(zr)) continue;
    const Zone& z = m.zone(zr);
    const u64 reclaimable = zone_reclaimable_pages(m, z);
    const long long available = static_cast<long long>(reclaimable + z.nr_free_pages);
    std::string why;
    if (zone_watermark_ok(m, z, r.order, z.min_wmark(), ac.highest, alloc_flags, available, m.trace.on() ? &why : nullptr)) {
      ev(m, "should_reclaim_retry", [&] {
        return "retry: " + std::to_string(reclaimable) + " reclaimable + free would meet min: " + why;
      }, &z);
      return true;
    }
  }
  ev(m, "should_reclaim_retry", [&] { return std::string("no zone could meet its min watermark even after reclaim"); });
  return false;
}

// __alloc_pages_may_oom(): one last try at the high watermark, then the
// OOM killer unless the request may not trigger it.
std::optional<std::pair<Pfn, ZoneRef>> alloc_pages_may_oom(Machine& m, const AllocRequest& r, const AllocContext& ac,
                                                           bool& did_some_progress, std::string& why_not) {
  did_some_progress = false;
  AllocRequest hw = r;
  hw.gfp = (r.gfp | gfp::HARDWALL) & ~gfp::DIRECT_RECLAIM;
  if (auto p = get_page_from_freelist(m, hw, ac, alloc::WMARK_HIGH | alloc::CPUSET)) return p;
  if (r.order > PAGE_ALLOC_COSTLY_ORDER) {
    why_not = "costly orders never invoke the OOM killer";
    return std::nullopt;
  }
  if (r.gfp & (gfp::RETRY_MAYFAIL | gfp::THISNODE)) {
    why_not = "__GFP_RETRY_MAYFAIL / __GFP_THISNODE requests do not invoke the OOM killer";
    return std::nullopt;
  }
  if (idx(ac.highest) < idx(ZoneType::Normal)) {
    why_not = "a lowmem (DMA/DMA32-only) request does not invoke the OOM killer";
    return std::nullopt;
  }
  OomControl oc;
  oc.gfp = r.gfp;
  oc.order = r.order;
  oc.current_pid = r.pid;
  oc.zonelist = ac.zonelist;
  oc.nodemask = r.nodemask;
  if (out_of_memory(m, oc) || (r.gfp & gfp::NOFAIL)) {
    did_some_progress = true;
    if (r.gfp & gfp::NOFAIL) return get_page_from_freelist(m, r, ac, alloc::NO_WATERMARKS);
  }
  return std::nullopt;
}

// __alloc_pages_slowpath(), Linux 6.1. Compaction is named and skipped.
std::optional<std::pair<Pfn, ZoneRef>> alloc_pages_slowpath(Machine& m, const AllocRequest& r, const AllocContext& ac,
                                                            std::string& failure) {
  const bool can_direct_reclaim = r.gfp & gfp::DIRECT_RECLAIM;
  const bool costly = r.order > PAGE_ALLOC_COSTLY_ORDER;
  unsigned alloc_flags = gfp_to_alloc_flags(r.gfp, r.order);
  TraceScope slow(m.trace, "__alloc_pages_slowpath",
                  [&] { return "the fast path failed: retry with " + format_alloc_flags(alloc_flags); });
  if (alloc_flags & alloc::KSWAPD) wake_all_kswapds(m, r.order, r.gfp, *ac.zonelist, ac.highest);
  if (auto p = get_page_from_freelist(m, r, ac, alloc_flags)) return p;
  if (can_direct_reclaim && (costly || (r.order > 0 && ac.mt != MigrateType::Movable)))
    ev(m, "__alloc_pages_direct_compact", [] { return std::string("compaction would run here: not modelled, skipped"); });
  int no_progress_loops = 0;
  bool drained = false;
  std::string why_no_oom;
  for (int round = 0; round < 1000; ++round) {
    if (alloc_flags & alloc::KSWAPD) wake_all_kswapds(m, r.order, r.gfp, *ac.zonelist, ac.highest);
    // __gfp_pfmemalloc_flags(): an OOM victim may dip into the reserves.
    const Task* cur = find_task(m, r.pid);
    unsigned reserve = 0;
    if (r.gfp & gfp::MEMALLOC) reserve = alloc::NO_WATERMARKS;
    else if (cur && cur->oom_victim && !(r.gfp & gfp::NOMEMALLOC)) reserve = alloc::OOM;
    if (reserve) alloc_flags = reserve | (alloc_flags & alloc::KSWAPD);
    if (auto p = get_page_from_freelist(m, r, ac, alloc_flags)) return p;
    if (r.pid && !cur) {
      failure = "the allocating task was killed while it waited";
      return std::nullopt;
    }
    if (!can_direct_reclaim) {
      failure = "the request may not sleep to reclaim (no __GFP_DIRECT_RECLAIM)";
      break;
    }
    // __alloc_pages_direct_reclaim()
    const u64 progress = try_to_free_pages(m, r.gfp, r.order, *ac.zonelist, ac.highest, r.nodemask);
    auto p = get_page_from_freelist(m, r, ac, alloc_flags);
    if (!p && !drained) {
      unreserve_highatomic_pageblock(m, ac, false);
      drain_all_pages(m);
      drained = true;
      p = get_page_from_freelist(m, r, ac, alloc_flags);
    }
    if (p) return p;
    if (r.gfp & gfp::NORETRY) {
      failure = "__GFP_NORETRY: one round of reclaim was all it asked for";
      break;
    }
    if (costly && !(r.gfp & gfp::RETRY_MAYFAIL)) {
      failure = "order " + std::to_string(r.order) + " is costly (> PAGE_ALLOC_COSTLY_ORDER): no retries, no OOM";
      break;
    }
    if (should_reclaim_retry(m, r, ac, alloc_flags, progress > 0, no_progress_loops)) continue;
    bool did_some_progress = false;
    if (auto q = alloc_pages_may_oom(m, r, ac, did_some_progress, why_no_oom)) return q;
    if (r.pid && !find_task(m, r.pid)) {
      failure = "the allocating task was chosen by the OOM killer";
      return std::nullopt;
    }
    if (did_some_progress) {
      no_progress_loops = 0;
      continue;
    }
    failure = why_no_oom.empty() ? "reclaim and the OOM killer found nothing to free" : why_no_oom;
    break;
  }
  if (r.gfp & gfp::NOFAIL) {
    // __GFP_NOFAIL never returns NULL: take it from the reserves.
    if (auto p = get_page_from_freelist(m, r, ac, alloc::MIN_RESERVE)) return p;
    if (auto p = get_page_from_freelist(m, r, ac, alloc::NO_WATERMARKS)) return p;
  }
  warn_alloc(m, r.gfp, r.order, r.pid);
  ev(m, "warn_alloc", [&] { return "page allocation failure: " + failure; });
  return std::nullopt;
}

}  // namespace

Expected<AllocOutcome> alloc_pages(Machine& m, const AllocRequest& r) {
  if (auto bad = gfp_check(r.gfp, r.order)) return Diagnostic{"", 0, 0, "alloc_pages: " + *bad};
  if (r.cpu < 0 || static_cast<unsigned>(r.cpu) >= m.nr_cpus)
    return Diagnostic{"", 0, 0, "alloc_pages: no CPU " + std::to_string(r.cpu) + " (the machine has " + std::to_string(m.nr_cpus) + ")"};
  if (r.nid != NUMA_NO_NODE && (r.nid < 0 || static_cast<size_t>(r.nid) >= m.nodes.size()))
    return Diagnostic{"", 0, 0, "alloc_pages: no node " + std::to_string(r.nid) + " (the machine has " + std::to_string(m.nodes.size()) + ")"};
  const int nid = r.nid == NUMA_NO_NODE ? m.cpu_to_node[static_cast<size_t>(r.cpu)] : r.nid;
  const Node& node = m.nodes[static_cast<size_t>(nid)];
  AllocContext ac;
  ac.highest = *gfp_zone(r.gfp);
  ac.mt = gfp_migratetype(r.gfp, m.page_group_by_mobility_disabled);
  ac.owner = r.owner ? *r.owner : (r.gfp & gfp::MOVABLE) ? Owner::User : Owner::Kernel;
  ac.zonelist = (r.gfp & gfp::THISNODE) ? &node.zonelist_nofallback : &node.zonelist_fallback;
  ac.nodemask = &r.nodemask;
  for (int n : r.nodemask)
    if (n < 0 || static_cast<size_t>(n) >= m.nodes.size())
      return Diagnostic{"", 0, 0, "alloc_pages: the nodemask names node " + std::to_string(n) + ", which does not exist"};
  TraceScope scope(m.trace, "__alloc_pages",
                   [&] { return "alloc_pages(" + format_gfp(r.gfp) + ", order " + std::to_string(r.order) + ") on CPU " +
                       std::to_string(r.cpu) + ", node " + std::to_string(nid); });
  AllocOutcome out;
  out.order = r.order;
  // prepare_alloc_pages(): the first zone of the zonelist the mask allows.
  for (const ZoneRef& z : *ac.zonelist)
    if (ac.allowed(z)) {
      ac.preferred = &z;
      break;
    }
  if (!ac.preferred) {
    out.failure = "no zone on node " + std::to_string(nid) + "'s zonelist is allowed by " + format_gfp(r.gfp);
    ev(m, "prepare_alloc_pages", [&] { return out.failure; });
    return out;
  }
  Zone& pz = m.zone(*ac.preferred);
  const unsigned fast_flags = alloc::WMARK_LOW | alloc_flags_nofragment(m, pz, r.gfp);
  if (Event* e = ev(m, "prepare_alloc_pages",
                    [&] { return "gfp_zone = " + std::string(kZoneNames[idx(ac.highest)]) + ", migratetype " +
                        std::string(kMigrateTypeNames[idx(ac.mt)]) + ", preferred zone " + zname(pz) + ", alloc_flags " +
                        format_alloc_flags(fast_flags); },
                    &pz)) {
    e->mt = static_cast<std::int8_t>(idx(ac.mt));
    e->order = static_cast<std::int8_t>(r.order);
  }
  auto got = get_page_from_freelist(m, r, ac, fast_flags);
  if (!got) got = alloc_pages_slowpath(m, r, ac, out.failure);
  if (got) {
    out.ok = true;
    out.pfn = got->first;
    out.zone = got->second;
  }
  return out;
}

Status free_pages(Machine& m, Pfn pfn, Order order, int cpu) {
  auto fail = [&](std::string msg) { return Diagnostic{"", 0, 0, "free_pages: " + msg}; };
  if (cpu < 0 || static_cast<unsigned>(cpu) >= m.nr_cpus) return fail("no CPU " + std::to_string(cpu));
  if (pfn >= m.mem.nr) return fail("pfn " + std::to_string(pfn) + " is beyond the last page frame (" + std::to_string(m.mem.nr - 1) + ")");
  const FrameState s = m.mem.st(pfn);
  if (s != FrameState::Alloc) {
    std::string what;
    switch (s) {
      case FrameState::Buddy:
      case FrameState::BuddyTail: what = "it is free (on the buddy lists): a double free?"; break;
      case FrameState::Pcp:
      case FrameState::PcpTail: what = "it is free (on a per-CPU list): a double free?"; break;
      case FrameState::AllocTail: {
        Pfn h = pfn;
        while (h > 0 && m.mem.st(h) == FrameState::AllocTail) --h;
        what = "it is inside the order-" + std::to_string(m.mem.order[h]) + " allocation that starts at pfn " + std::to_string(h);
        break;
      }
      case FrameState::Reserved: what = "it is reserved memory the buddy allocator never owned"; break;
      default: what = "there is no memory there"; break;
    }
    return fail("pfn " + std::to_string(pfn) + " is not the first page of an allocation: " + what);
  }
  if (m.mem.order[pfn] != order)
    return fail("pfn " + std::to_string(pfn) + " was allocated with order " + std::to_string(m.mem.order[pfn]) +
                ", not order " + std::to_string(order));
  Zone* z = m.page_zone(pfn);
  if (!z) return fail("pfn " + std::to_string(pfn) + " lies in no zone");
  TraceScope scope(m.trace, "__free_pages", [&] { return "free pfn " + std::to_string(pfn) + " order " + std::to_string(order) + " on CPU " + std::to_string(cpu); });
  for (Pfn p = pfn; p < pfn + (Pfn{1} << order); ++p) m.mem.owner[p] = 0;
  const MigrateType mt = m.mem.block_mt(pfn);
  if (pcp_allowed_order(order)) {
    // free_unref_page(): highatomic pages ride the movable list but keep
    // their type for when they go back to the buddy.
    if (mt == MigrateType::Isolate) {
      free_one_page_locked(m, *z, pfn, order, mt);
      return {};
    }
    const MigrateType list_mt = idx(mt) >= MIGRATE_PCPTYPES ? MigrateType::Movable : mt;
    free_unref_page_commit(m, *z, z->pcp[static_cast<size_t>(cpu)], cpu, pfn, list_mt, mt, order);
  } else {
    ev(m, "__free_pages_ok", [&] { return "order " + std::to_string(order) + " is too big for a pcp list: straight to the buddy"; }, z);
    free_one_page_locked(m, *z, pfn, order, mt);
  }
  return {};
}

void drain_local_pages(Machine& m, int cpu, Zone* only) {
  for (Node& n : m.nodes)
    for (Zone& z : n.zones) {
      if (!z.populated() || (only && only != &z)) continue;
      PerCpuPages& pcp = z.pcp[static_cast<size_t>(cpu)];
      while (pcp.count) {
        const int to_drain = std::min(pcp.count, pcp.batch << PCP_BATCH_SCALE_MAX);
        free_pcppages_bulk(m, z, to_drain, pcp, 0, cpu);
      }
    }
}

void drain_all_pages(Machine& m, Zone* only) {
  TraceScope scope(m.trace, "drain_all_pages", [&] { return "every CPU gives its per-CPU pages back"; });
  for (unsigned c = 0; c < m.nr_cpus; ++c) drain_local_pages(m, static_cast<int>(c), only);
}

}  // namespace mm
