// __alloc_pages and the free path, with the per-CPU page lists of 6.1 and
// 6.12's auto-tuned pcp high.
#include "mm/page_alloc/alloc.h"

#include <algorithm>

#include "mm/page_alloc/page_alloc.h"
#include "mm/pressure/reclaim.h"
#include "mm/pressure/task.h"

namespace mm {

namespace {

constexpr unsigned NR_LOWORDER_PCP_LISTS = MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1);
constexpr int PCP_BATCH_SCALE_MAX = 5;  // CONFIG_PCP_BATCH_SCALE_MAX on Debian

// ---- pcp list helpers: the only writers of PerCpuPages::count --------------

// The pcp page's word records set_pcppage_migratetype()'s type.
void pcp_add(Machine& m, PerCpuPages& pcp, unsigned pindex, Pfn p, Order order, MigrateType mt, bool tail) {
  FreeList& l = pcp.lists[pindex];
  m.mem.mark_list_block(p, order, FrameState::Pcp, mt, l.base);
  if (tail)
    list_add_tail(m.mem, l, p);
  else
    list_add(m.mem, l, p);
  pcp.count += 1 << order;
}

void pcp_del(Machine& m, PerCpuPages& pcp, unsigned pindex, Pfn p, Order order) {
  list_del(m.mem, pcp.lists[pindex], p);
  pcp.count -= 1 << order;
}

// ---- the free side of the pcp ------------------------------------------------

// free_pcppages_bulk(): give `count` pages back to the buddy lists, taking
// from the tail of the lists round-robin, starting after `pindex`. A phase:
// the frees (and merges) it makes are its steps.
void free_pcppages_bulk(Machine& m, Zone& z, int count, PerCpuPages& pcp, int pindex, int cpu) {
  count = std::min(pcp.count, count);
  if (count <= 0) return;
  TraceScope scope(m.trace, Ev::pcp_drain, [&](EventRef& e) { e.zone(z).cpu(cpu).count(count).pcp_count(pcp.count); });
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
      MigrateType mt = m.mem.list_mt(p);
      pcp_del(m, pcp, static_cast<unsigned>(pindex), p, order);
      count -= 1 << order;
      if (isolated) mt = m.mem.block_mt(p);
      free_one_page(m, z, p, order, mt, FPI_NONE);
    } while (count > 0 && !list->empty());
  }
}

bool tuned_pcp(const Machine& m) { return m.spec.version == KernelVersion::v6_12; }

// The kernel's clamp(): the upper bound is tested first, so when lo > hi
// (a low watermark above managed/8) the result is hi.
int kclamp(int v, int lo, int hi) { return v >= hi ? hi : (v <= lo ? lo : v); }

// nr_pcp_free(): how much to spill. 6.1 grows the batch (free_factor)
// while frees keep coming without allocations in between; 6.12 frees the
// run of frees it has counted (free_count).
int nr_pcp_free(const Machine& m, PerCpuPages& pcp, int high, int batch, bool free_high) {
  if (tuned_pcp(m)) {
    if (free_high) return std::min(pcp.count, batch << PCP_BATCH_SCALE_MAX);
    if (high < batch) return 1;
    return kclamp(pcp.free_count, batch, high - batch);
  }
  if (free_high) return pcp.count;
  if (high < batch) return 1;
  const int min_nr_free = batch, max_nr_free = high - batch;
  batch <<= pcp.free_factor;
  if (batch < max_nr_free && pcp.free_factor < PCP_BATCH_SCALE_MAX) ++pcp.free_factor;
  return std::clamp(batch, min_nr_free, std::max(min_nr_free, max_nr_free));
}

// Sets pcp.high and says so when it changed.
void set_pcp_high(Machine& m, const Zone& z, PerCpuPages& pcp, int cpu, int high, bool free_high) {
  if (high == pcp.high) return;
  pcp.high = high;
  if (auto e = m.trace.step(Ev::pcp_high_lower)) e.zone(z).cpu(cpu).high(high).free_high(free_high);
}

// nr_pcp_high(): the count at which this free spills. 6.12 also tunes high
// here: the bounds apply (0 becomes high_min on first use), a run of
// high-order frees or a zone below its high watermark lower it, and a
// full list raises it to fit the run of frees. ZONE_RECLAIM_ACTIVE is not
// modelled (kswapd runs as steps, not beside the allocations).
int nr_pcp_high(Machine& m, const Zone& z, PerCpuPages& pcp, int cpu, bool free_high) {
  if (!tuned_pcp(m)) return !pcp.high || free_high ? 0 : pcp.high;
  const int batch = pcp.batch;
  const int high = pcp.high = kclamp(pcp.high, pcp.high_min, pcp.high_max);
  if (high == 0) return 0;
  if (free_high) {
    set_pcp_high(m, z, pcp, cpu, std::max(high - (batch << PCP_BATCH_SCALE_MAX), pcp.high_min), true);
    return 0;
  }
  if (pcp.high_min == pcp.high_max) return high;
  if (z.below_high) {
    set_pcp_high(m, z, pcp, cpu, std::max(high - std::max(pcp.free_count, batch), pcp.high_min), false);
    return std::max(pcp.count, pcp.high_min);
  }
  if (pcp.count >= high) {
    const int need = pcp.free_count + batch;
    if (pcp.high < need) {
      pcp.high = kclamp(need, pcp.high_min, pcp.high_max);
      if (auto e = m.trace.step(Ev::pcp_high_raise)) e.zone(z).cpu(cpu).high(pcp.high).count(need);
    }
  }
  return high;
}

// 6.12: whether this free is part of a run of high-order frees (which go
// back to the buddy lists at once), counting the run as it goes. The LLC
// is assumed large enough for PCPF_FREE_HIGH_BATCH (qemu64 reports 16M).
bool count_free_612(PerCpuPages& pcp, Order order) {
  pcp.alloc_factor >>= 1;
  const int batch = pcp.batch;
  bool free_high = false;
  if (order >= 1 && order <= PAGE_ALLOC_COSTLY_ORDER) {
    free_high = pcp.free_count >= batch && pcp.prev_free_high_order && pcp.count >= batch;
    pcp.prev_free_high_order = true;
  } else {
    pcp.prev_free_high_order = false;
  }
  if (pcp.free_count < (batch << PCP_BATCH_SCALE_MAX)) pcp.free_count += 1 << order;
  return free_high;
}

void free_unref_page_commit(Machine& m, Zone& z, PerCpuPages& pcp, int cpu, Pfn p, MigrateType list_mt,
                            MigrateType page_mt, Order order) {
  const unsigned pindex = order_to_pindex(list_mt, order);
  pcp_add(m, pcp, pindex, p, order, page_mt, false);
  const bool free_high =
      tuned_pcp(m) ? count_free_612(pcp, order) : pcp.free_factor && order && order <= PAGE_ALLOC_COSTLY_ORDER;
  const int high = nr_pcp_high(m, z, pcp, cpu, free_high);
  // After pcp_add: the count includes the page just freed.
  if (auto e = m.trace.step(Ev::pcp_free))
    e.zone(z).pfn(p).order(order).mt(list_mt).cpu(cpu).pcp_count(pcp.count).high(high).spill(pcp.count >= high);
  if (pcp.count < high) return;
  free_pcppages_bulk(m, z, nr_pcp_free(m, pcp, high, pcp.batch, free_high), pcp, static_cast<int>(pindex), cpu);
  if (z.below_high &&
      zone_watermark_ok(m, z, 0, z.high_wmark(), ZoneType::Movable, 0, static_cast<long long>(z.nr_free_pages))) {
    z.below_high = false;
    if (auto e = m.trace.step(Ev::zone_below_high)) e.zone(z).below(false);
  }
}

// decay_pcp_high() (6.12): a high above high_min shrinks by an eighth (or
// to what the list holds beyond 32 batches), and the list drains to it.
void decay_pcp_high(Machine& m, Zone& z, PerCpuPages& pcp, int cpu) {
  if (pcp.high > pcp.high_min) {
    pcp.high = std::max({pcp.count - (pcp.batch << PCP_BATCH_SCALE_MAX), pcp.high - (pcp.high >> 3), pcp.high_min});
    if (auto e = m.trace.step(Ev::pcp_high_decay)) e.zone(z).cpu(cpu).high(pcp.high).pcp_count(pcp.count);
  }
  for (int to_drain = pcp.count - pcp.high; to_drain > 0;) {
    const int n = std::min(to_drain, pcp.batch);
    free_pcppages_bulk(m, z, n, pcp, 0, cpu);
    to_drain -= n;
  }
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
  TraceScope scope(m.trace, Ev::pcp_refill, [&](EventRef& e) { e.zone(z).order(order).mt(mt).cpu(cpu).count(count); });
  int allocated = 0;
  for (int i = 0; i < count; ++i) {
    auto p = rmqueue(m, z, order, mt, alloc_flags);
    if (!p) break;
    pcp_add(m, pcp, pindex, *p, order, mt, true);
    ++allocated;
  }
  // The blocks are on the pcp list now (the buddy steps above only took them off the free lists).
  if (auto e = m.trace.step(Ev::pcp_refilled))
    e.zone(z).order(order).mt(mt).cpu(cpu).count(allocated).pcp_count(pcp.count);
  return allocated;
}

// nr_pcp_alloc(): how many blocks a refill takes. 6.1 takes a batch; 6.12
// clamps high into its bounds, raises it by the refill (unless the zone is
// below its high watermark), and grows order-0 refills (alloc_factor) while
// there is room under high.
int nr_pcp_alloc(Machine& m, const Zone& z, PerCpuPages& pcp, int cpu, Order order) {
  const int base = pcp.batch;
  if (!tuned_pcp(m)) return base > 1 ? std::max(base >> order, 2) : base;
  int high = pcp.high = kclamp(pcp.high, pcp.high_min, pcp.high_max);
  if (high < base) return 1;
  int b = order ? base : base << pcp.alloc_factor;
  if (pcp.high_min != pcp.high_max && !z.below_high) {
    high = pcp.high = std::min(high + b, pcp.high_max);
    if (auto e = m.trace.step(Ev::pcp_high_raise)) e.zone(z).cpu(cpu).high(high).count(b);
  }
  if (order == 0) {
    const int max_nr = std::max(high - pcp.count - base, base);
    if (b <= max_nr && pcp.alloc_factor < PCP_BATCH_SCALE_MAX) ++pcp.alloc_factor;
    b = std::min(b, max_nr);
  }
  return b > 1 ? std::max(b >> order, 2) : b;
}

std::optional<Pfn> rmqueue_pcplist(Machine& m, Zone& z, Order order, MigrateType mt, unsigned alloc_flags, int cpu) {
  PerCpuPages& pcp = z.pcp[static_cast<size_t>(cpu)];
  if (tuned_pcp(m))
    pcp.free_count >>= 1;
  else
    pcp.free_factor >>= 1;
  const unsigned pindex = order_to_pindex(mt, order);
  FreeList& list = pcp.lists[pindex];
  if (list.empty()) {
    rmqueue_bulk(m, z, order, nr_pcp_alloc(m, z, pcp, cpu, order), pcp, pindex, mt, alloc_flags, cpu);
    if (list.empty()) return std::nullopt;
  }
  const Pfn p = list.head;
  pcp_del(m, pcp, pindex, p, order);
  if (auto e = m.trace.step(Ev::pcp_take)) e.zone(z).pfn(p).order(order).mt(mt).cpu(cpu).pcp_count(pcp.count);
  return p;
}

std::optional<Pfn> rmqueue_buddy(Machine& m, Zone& z, Order order, MigrateType mt, unsigned alloc_flags) {
  TraceScope scope(m.trace, Ev::buddy_direct, [&](EventRef& e) { e.zone(z).order(order); });
  std::optional<Pfn> p;
  if (alloc_flags & alloc::HIGHATOMIC) p = rmqueue_smallest(m, z, order, MigrateType::HighAtomic);
  if (!p) {
    p = rmqueue(m, z, order, mt, alloc_flags);
    if (!p && (alloc_flags & (alloc::OOM | alloc::NON_BLOCK)))
      p = rmqueue_smallest(m, z, order, MigrateType::HighAtomic);
  }
  return p;
}

std::optional<Pfn> rmqueue_zone(Machine& m, Zone& z, Order order, MigrateType mt, unsigned alloc_flags, int cpu) {
  std::optional<Pfn> p;
  if (pcp_allowed_order(order)) p = rmqueue_pcplist(m, z, order, mt, alloc_flags, cpu);
  if (!p) p = rmqueue_buddy(m, z, order, mt, alloc_flags);
  if (z.boosted_watermark) {
    z.boosted_watermark = false;
    if (auto e = m.trace.step(Ev::kswapd_wake_boost)) e.zone(z);
  }
  return p;
}

// reserve_highatomic_pageblock(): a high-order atomic allocation keeps its
// pageblock for later atomic requests (up to 1% of the zone + a pageblock).
// The limit: 6.1 reserves up to 1% of the zone plus a pageblock; 6.12 up to
// 1% rounded up to whole pageblocks, and nothing when 1% is less than one.
void reserve_highatomic_pageblock(Machine& m, Zone& z, Pfn p, Order order) {
  const bool v612 = m.spec.version == KernelVersion::v6_12;
  if (v612 && z.managed_pages / 100 < pageblock_nr_pages) return;
  const u64 max_managed =
      v612 ? round_up(z.managed_pages / 100, u64{pageblock_nr_pages}) : z.managed_pages / 100 + pageblock_nr_pages;
  if (z.nr_reserved_highatomic >= max_managed) return;
  const MigrateType mt = m.mem.block_mt(p);
  if (idx(mt) >= idx(MigrateType::HighAtomic)) return;
  if (v612 && order >= pageblock_order) {
    // change_pageblock_range(): the block itself, every pageblock of it.
    for (Pfn b = p; b < p + (Pfn{1} << order); b += pageblock_nr_pages) m.mem.set_block_mt(b, MigrateType::HighAtomic);
    z.nr_reserved_highatomic += Pfn{1} << order;
  } else {
    z.nr_reserved_highatomic += pageblock_nr_pages;
    m.mem.set_block_mt(p, MigrateType::HighAtomic);
    move_freepages_block(m, z, p, MigrateType::HighAtomic, nullptr);
  }
  if (auto e = m.trace.step(Ev::highatomic_reserve))
    e.zone(z).pfn(round_down(p, pageblock_nr_pages)).pages(z.nr_reserved_highatomic).max(max_managed);
}

void zone_statistics(Machine& m, Zone& preferred, Zone& z, int cpu) {
  enum { HIT, MISS, FOREIGN, INTERLEAVE, LOCAL, OTHER };
  if (z.node == preferred.node)
    ++z.numa_events[HIT];
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

// The failure event of a reason (each reason has its own code, so that a
// reader can jump from one kind of failure to the next).
Ev failure_event(AllocFailure why) {
  switch (why) {
    case AllocFailure::no_zone: return Ev::alloc_fail_no_zone;
    case AllocFailure::task_killed: return Ev::alloc_fail_task_killed;
    case AllocFailure::no_direct_reclaim: return Ev::alloc_fail_no_direct_reclaim;
    case AllocFailure::noretry: return Ev::alloc_fail_noretry;
    case AllocFailure::costly: return Ev::alloc_fail_costly;
    case AllocFailure::oom_victim: return Ev::alloc_fail_oom_victim;
    case AllocFailure::oom_costly: return Ev::alloc_fail_oom_costly;
    case AllocFailure::oom_retry_mayfail: return Ev::alloc_fail_oom_retry_mayfail;
    case AllocFailure::oom_lowmem: return Ev::alloc_fail_oom_lowmem;
    case AllocFailure::none:
    case AllocFailure::nothing_to_free: break;
  }
  return Ev::alloc_fail_nothing_to_free;
}

// The watermark check of get_page_from_freelist, as one of four shapes:
// the numbers fail; they pass (order 0); they pass and a free block of a
// usable order is found (order and list: the block's); or no such block.
void trace_watermark(Machine& m, const Zone& z, Order order, unsigned wmark, const WatermarkCheck& c) {
  const Ev code = !c.met() ? Ev::wmark_fail
                  : c.ok   ? (c.block_order >= 0 ? Ev::wmark_ok_block : Ev::wmark_ok)
                           : Ev::wmark_no_block;
  if (auto e = m.trace.step(code)) {
    if (code == Ev::wmark_ok_block)
      e.order(static_cast<Order>(c.block_order)).mt(c.block_mt);
    else
      e.order(order);
    e.zone(z).wmark(wmark).free(c.free).unusable(c.unusable).usable(c.usable()).mark(c.mark).reserve(c.reserve);
  }
}

// vmstat_update() (6.12), once a model second on every CPU: its
// refresh_cpu_vm_stats() decays the pcp high of each populated zone.
void vmstat_update(Machine& m) {
  if (m.clock.ns < m.next_vmstat_ns) return;
  m.next_vmstat_ns = m.clock.ns + NSEC_PER_SEC;
  for (Node& n : m.nodes)
    for (Zone& z : n.zones) {
      if (!z.populated()) continue;
      for (std::size_t cpu = 0; cpu < z.pcp.size(); ++cpu) decay_pcp_high(m, z, z.pcp[cpu], static_cast<int>(cpu));
    }
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

WatermarkCheck zone_watermark_check(const Zone& z, Order order, u64 mark, ZoneType highest, unsigned alloc_flags,
                                    long long free_pages) {
  WatermarkCheck c;
  c.free = free_pages;
  // __zone_watermark_unusable_free(): the pages a request of this order
  // cannot use, and the highatomic reserve unless it may dip into reserves.
  c.unusable = (1LL << order) - 1;
  if (!(alloc_flags & alloc::RESERVES)) c.unusable += static_cast<long long>(z.nr_reserved_highatomic);
  long long min = static_cast<long long>(mark);
  if (alloc_flags & alloc::RESERVES) {
    if (alloc_flags & alloc::MIN_RESERVE) {
      min -= min / 2;                                      // __GFP_HIGH: half the reserve
      if (alloc_flags & alloc::NON_BLOCK) min -= min / 4;  // atomic: a quarter more
    }
    if (alloc_flags & alloc::OOM) min -= min / 2;
  }
  c.mark = min;
  c.reserve = static_cast<long long>(z.lowmem_reserve[idx(highest)]);
  if (!c.met()) return c;
  if (!order) {
    c.ok = true;
    return c;
  }
  for (Order o = order; o < MAX_ORDER; ++o) {
    const FreeArea& a = z.free_area[o];
    if (!a.nr_free) continue;
    for (unsigned t = 0; t < MIGRATE_PCPTYPES; ++t)
      if (!a.free_list[t].empty()) {
        c.ok = true;
        c.block_order = static_cast<int>(o);
        c.block_mt = static_cast<MigrateType>(t);
        return c;
      }
    if ((alloc_flags & (alloc::HIGHATOMIC | alloc::OOM)) && !a.free_list[idx(MigrateType::HighAtomic)].empty()) {
      c.ok = true;
      c.block_order = static_cast<int>(o);
      c.block_mt = MigrateType::HighAtomic;
      return c;
    }
  }
  return c;
}

bool zone_watermark_ok(const Machine&, const Zone& z, Order order, u64 mark, ZoneType highest, unsigned alloc_flags,
                       long long free_pages) {
  return zone_watermark_check(z, order, mark, highest, alloc_flags, free_pages).ok;
}

WatermarkCheck zone_watermark_fast(const Zone& z, Order order, u64 mark, ZoneType highest, unsigned alloc_flags,
                                   gfp_t g) {
  const long long free_pages = static_cast<long long>(z.nr_free_pages);
  if (!order) {
    // The order-0 shortcut: only the highatomic reserve is unusable, and
    // the mark is taken as it is.
    WatermarkCheck c;
    c.free = free_pages;
    const long long reserved = (alloc_flags & alloc::RESERVES) ? 0 : static_cast<long long>(z.nr_reserved_highatomic);
    c.unusable = std::min(free_pages, reserved);
    c.mark = static_cast<long long>(mark);
    c.reserve = static_cast<long long>(z.lowmem_reserve[idx(highest)]);
    if (c.met()) {
      c.ok = true;
      return c;
    }
  }
  WatermarkCheck c = zone_watermark_check(z, order, mark, highest, alloc_flags, free_pages);
  if (c.ok) return c;
  // An atomic order-0 request may ignore a watermark boost.
  if (!order && (g & gfp::ATOMIC) && z.watermark_boost && (alloc_flags & alloc::WMARK_MASK) == alloc::WMARK_MIN)
    return zone_watermark_check(z, order, z.watermark[WMARK_MIN], highest, alloc_flags, free_pages);
  return c;
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
std::optional<std::pair<Pfn, ZoneRef>> get_page_from_freelist(Machine& m, const AllocRequest& r, const AllocContext& ac,
                                                              unsigned alloc_flags) {
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
      if (tuned_pcp(m) && !z.below_high &&
          !zone_watermark_fast(z, r.order, z.high_wmark(), ac.highest, alloc_flags, r.gfp).ok) {
        // 6.12: remember the zone is under its high watermark (pcp highs stop growing).
        z.below_high = true;
        if (auto e = m.trace.step(Ev::zone_below_high)) e.zone(z).below(true);
      }
      const unsigned wm = alloc_flags & alloc::WMARK_MASK;
      const u64 mark = z.watermark[wm] + z.watermark_boost;
      const WatermarkCheck c = zone_watermark_fast(z, r.order, mark, ac.highest, alloc_flags, r.gfp);
      const bool ok = c.ok;
      if (m.trace.on()) trace_watermark(m, z, r.order, wm, c);
      if (!ok && !(alloc_flags & alloc::NO_WATERMARKS)) continue;  // zone_reclaim_mode is 0: next zone
      auto p = rmqueue_zone(m, z, r.order, ac.mt, alloc_flags, r.cpu);
      if (!p) continue;
      prep_new_page(m, *p, r.order, ac.owner);
      zone_statistics(m, pz, z, r.cpu);
      if (alloc_flags & alloc::HIGHATOMIC) reserve_highatomic_pageblock(m, z, *p, r.order);
      if (auto e = m.trace.step(Ev::alloc_done)) e.zone(z).pfn(*p).order(r.order).pages(Pfn{1} << r.order);
      return std::make_pair(*p, *it);
    }
    if (retry) continue;
    if (no_fallback) {
      alloc_flags &= ~alloc::NOFRAGMENT;
      m.trace.step(Ev::alloc_nofragment_retry);
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
      if (auto e = m.trace.step(Ev::highatomic_unreserve))
        e.zone(z).pfn(round_down(page, pageblock_nr_pages)).mt(ac.mt).pages(moved);
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
  if (progress && r.order <= PAGE_ALLOC_COSTLY_ORDER)
    no_progress_loops = 0;
  else
    ++no_progress_loops;
  if (no_progress_loops > MAX_RECLAIM_RETRIES) {
    if (auto e = m.trace.step(Ev::reclaim_give_up)) e.count(no_progress_loops);
    return unreserve_highatomic_pageblock(m, ac, true);
  }
  for (const ZoneRef& zr : *ac.zonelist) {
    if (!ac.allowed(zr)) continue;
    const Zone& z = m.zone(zr);
    const u64 reclaimable = zone_reclaimable_pages(m, z);
    const long long available = static_cast<long long>(reclaimable + z.nr_free_pages);
    const WatermarkCheck c = zone_watermark_check(z, r.order, z.min_wmark(), ac.highest, alloc_flags, available);
    if (c.ok) {
      if (auto e = m.trace.step(Ev::reclaim_retry))
        e.zone(z)
            .order(r.order)
            .reclaimable(reclaimable)
            .free(z.nr_free_pages)
            .usable(c.usable())
            .mark(c.mark)
            .reserve(c.reserve);
      return true;
    }
  }
  m.trace.step(Ev::reclaim_no_retry);
  return false;
}

// __alloc_pages_may_oom(): one last try at the high watermark, then the
// OOM killer unless the request may not trigger it.
std::optional<std::pair<Pfn, ZoneRef>> alloc_pages_may_oom(Machine& m, const AllocRequest& r, const AllocContext& ac,
                                                           bool& did_some_progress, AllocFailure& why_not) {
  did_some_progress = false;
  AllocRequest hw = r;
  hw.gfp = (r.gfp | gfp::HARDWALL) & ~gfp::DIRECT_RECLAIM;
  if (auto p = get_page_from_freelist(m, hw, ac, alloc::WMARK_HIGH | alloc::CPUSET)) return p;
  if (r.order > PAGE_ALLOC_COSTLY_ORDER) {
    why_not = AllocFailure::oom_costly;
    return std::nullopt;
  }
  if (r.gfp & (gfp::RETRY_MAYFAIL | gfp::THISNODE)) {
    why_not = AllocFailure::oom_retry_mayfail;
    return std::nullopt;
  }
  if (idx(ac.highest) < idx(ZoneType::Normal)) {
    why_not = AllocFailure::oom_lowmem;
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
                                                            int nid, AllocFailure& failure) {
  const bool can_direct_reclaim = r.gfp & gfp::DIRECT_RECLAIM;
  const bool costly = r.order > PAGE_ALLOC_COSTLY_ORDER;
  unsigned alloc_flags = gfp_to_alloc_flags(r.gfp, r.order);
  TraceScope slow(m.trace, Ev::slowpath, [&](EventRef& e) { e.alloc_flags(alloc_flags); });
  // The slow path gives up: its reason, as a fact and as the failure event.
  auto give_up = [&](AllocFailure why) {
    failure = why;
    if (auto e = m.trace.step(failure_event(why))) e.order(r.order).gfp(r.gfp).node(nid);
  };
  if (alloc_flags & alloc::KSWAPD) wake_all_kswapds(m, r.order, r.gfp, *ac.zonelist, ac.highest);
  if (auto p = get_page_from_freelist(m, r, ac, alloc_flags)) return p;
  if (can_direct_reclaim && (costly || (r.order > 0 && ac.mt != MigrateType::Movable)))
    m.trace.step(Ev::compact_skipped);
  int no_progress_loops = 0;
  bool drained = false;
  AllocFailure why_no_oom = AllocFailure::none;
  for (int round = 0; round < 1000; ++round) {
    if (alloc_flags & alloc::KSWAPD) wake_all_kswapds(m, r.order, r.gfp, *ac.zonelist, ac.highest);
    // __gfp_pfmemalloc_flags(): an OOM victim may dip into the reserves.
    const Task* cur = find_task(m, r.pid);
    unsigned reserve = 0;
    if (r.gfp & gfp::MEMALLOC)
      reserve = alloc::NO_WATERMARKS;
    else if (cur && cur->oom_victim && !(r.gfp & gfp::NOMEMALLOC))
      reserve = alloc::OOM;
    if (reserve) alloc_flags = reserve | (alloc_flags & alloc::KSWAPD);
    if (auto p = get_page_from_freelist(m, r, ac, alloc_flags)) return p;
    if (r.pid && !cur) {
      give_up(AllocFailure::task_killed);
      return std::nullopt;
    }
    if (!can_direct_reclaim) {
      failure = AllocFailure::no_direct_reclaim;
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
      failure = AllocFailure::noretry;
      break;
    }
    if (costly && !(r.gfp & gfp::RETRY_MAYFAIL)) {
      failure = AllocFailure::costly;
      break;
    }
    if (should_reclaim_retry(m, r, ac, alloc_flags, progress > 0, no_progress_loops)) continue;
    bool did_some_progress = false;
    if (auto q = alloc_pages_may_oom(m, r, ac, did_some_progress, why_no_oom)) return q;
    if (r.pid && !find_task(m, r.pid)) {
      give_up(AllocFailure::oom_victim);
      return std::nullopt;
    }
    if (did_some_progress) {
      no_progress_loops = 0;
      continue;
    }
    failure = why_no_oom == AllocFailure::none ? AllocFailure::nothing_to_free : why_no_oom;
    break;
  }
  if (r.gfp & gfp::NOFAIL) {
    // __GFP_NOFAIL never returns NULL: take it from the reserves.
    if (auto p = get_page_from_freelist(m, r, ac, alloc::MIN_RESERVE)) return p;
    if (auto p = get_page_from_freelist(m, r, ac, alloc::NO_WATERMARKS)) return p;
  }
  warn_alloc(m, r.gfp, r.order, r.pid);
  give_up(failure == AllocFailure::none ? AllocFailure::nothing_to_free : failure);  // (1000 rounds: not seen)
  return std::nullopt;
}

}  // namespace

Expected<AllocOutcome> alloc_pages(Machine& m, const AllocRequest& r) {
  if (auto bad = gfp_check(r.gfp, r.order)) return Diagnostic{"", 0, 0, "alloc_pages: " + *bad};
  if (r.cpu < 0 || static_cast<unsigned>(r.cpu) >= m.nr_cpus)
    return Diagnostic{
        "", 0, 0,
        "alloc_pages: no CPU " + std::to_string(r.cpu) + " (the machine has " + std::to_string(m.nr_cpus) + ")"};
  if (r.nid != NUMA_NO_NODE && (r.nid < 0 || static_cast<size_t>(r.nid) >= m.nodes.size()))
    return Diagnostic{
        "", 0, 0,
        "alloc_pages: no node " + std::to_string(r.nid) + " (the machine has " + std::to_string(m.nodes.size()) + ")"};
  const int nid = r.nid == NUMA_NO_NODE ? m.cpu_to_node[static_cast<size_t>(r.cpu)] : r.nid;
  const Node& node = m.nodes[static_cast<size_t>(nid)];
  AllocContext ac;
  ac.highest = *gfp_zone(r.gfp, m.spec.config.zone_dma);
  ac.mt = gfp_migratetype(r.gfp, m.page_group_by_mobility_disabled);
  ac.owner = r.owner ? *r.owner : (r.gfp & gfp::MOVABLE) ? Owner::User : Owner::Kernel;
  ac.zonelist = (r.gfp & gfp::THISNODE) ? &node.zonelist_nofallback : &node.zonelist_fallback;
  ac.nodemask = &r.nodemask;
  for (int n : r.nodemask)
    if (n < 0 || static_cast<size_t>(n) >= m.nodes.size())
      return Diagnostic{"", 0, 0,
                        "alloc_pages: the nodemask names node " + std::to_string(n) + ", which does not exist"};
  // Every request the allocator takes costs the model clock (ratelimit.h).
  m.clock.ns += kAllocRequestNs;
  if (tuned_pcp(m)) vmstat_update(m);
  TraceScope scope(m.trace, Ev::alloc_pages,
                   [&](EventRef& e) { e.gfp(r.gfp).order(r.order).cpu(r.cpu).node(nid).pages(Pfn{1} << r.order); });
  AllocOutcome out;
  out.order = r.order;
  out.gfp = r.gfp;
  out.nid = nid;
  // prepare_alloc_pages(): the first zone of the zonelist the mask allows.
  for (const ZoneRef& z : *ac.zonelist)
    if (ac.allowed(z)) {
      ac.preferred = &z;
      break;
    }
  if (!ac.preferred) {
    out.reason = AllocFailure::no_zone;
    if (auto e = m.trace.step(failure_event(out.reason))) e.order(r.order).gfp(r.gfp).node(nid);
    return out;
  }
  Zone& pz = m.zone(*ac.preferred);
  const unsigned fast_flags = alloc::WMARK_LOW | alloc_flags_nofragment(m, pz, r.gfp);
  if (auto e = m.trace.step(Ev::alloc_prepare))
    e.zone(pz).order(r.order).mt(ac.mt).highest(ac.highest).alloc_flags(fast_flags);
  auto got = get_page_from_freelist(m, r, ac, fast_flags);
  if (!got) got = alloc_pages_slowpath(m, r, ac, nid, out.reason);
  if (got) {
    out.ok = true;
    out.reason = AllocFailure::none;  // __GFP_NOFAIL may succeed after a reason to give up
    out.pfn = got->first;
    out.zone = got->second;
  }
  return out;
}

Status free_pages(Machine& m, Pfn pfn, Order order, int cpu) {
  auto fail = [&](std::string msg) { return Diagnostic{"", 0, 0, "free_pages: " + msg}; };
  if (cpu < 0 || static_cast<unsigned>(cpu) >= m.nr_cpus) return fail("no CPU " + std::to_string(cpu));
  if (pfn >= m.mem.nr)
    return fail("pfn " + std::to_string(pfn) + " is beyond the last page frame (" + std::to_string(m.mem.nr - 1) + ")");
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
        what = "it is inside the order-" + std::to_string(m.mem.order_of(h)) + " allocation that starts at pfn " +
               std::to_string(h);
        break;
      }
      case FrameState::Reserved: what = "it is reserved memory the buddy allocator never owned"; break;
      default: what = "there is no memory there"; break;
    }
    return fail("pfn " + std::to_string(pfn) + " is not the first page of an allocation: " + what);
  }
  if (m.mem.order_of(pfn) != order)
    return fail("pfn " + std::to_string(pfn) + " was allocated with order " + std::to_string(m.mem.order_of(pfn)) +
                ", not order " + std::to_string(order));
  Zone* z = m.page_zone(pfn);
  if (!z) return fail("pfn " + std::to_string(pfn) + " lies in no zone");
  TraceScope scope(m.trace, Ev::free_pages,
                   [&](EventRef& e) { e.pfn(pfn).order(order).cpu(cpu).pages(Pfn{1} << order); });
  m.mem.mark_alloc(pfn, order, Owner::None);
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
    if (auto e = m.trace.step(Ev::free_too_big)) e.zone(*z).order(order);
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
  TraceScope scope(m.trace, Ev::drain_all);
  for (unsigned c = 0; c < m.nr_cpus; ++c) drain_local_pages(m, static_cast<int>(c), only);
}

}  // namespace mm
