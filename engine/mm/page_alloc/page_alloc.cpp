// Buddy free lists, merging and splitting (after mm/page_alloc.c).
#include "mm/page_alloc/page_alloc.h"

#include <algorithm>
#include <cassert>

namespace mm {

// ---- list primitives -------------------------------------------------------

namespace {

// Links of the free and pcp lists: in the frames' words, relative to the
// list's base.
struct WordLinks {
  MemMap& mem;
  const FreeList& l;
  u32 next(u32 p) const { return mem.list_next(l, p); }
  u32 prev(u32 p) const { return mem.list_prev(l, p); }
  void set_next(u32 p, u32 v) const { mem.set_list_next(l, p, v); }
  void set_prev(u32 p, u32 v) const { mem.set_list_prev(l, p, v); }
};
// Links of the LRU lists: arrays of their own (an allocated page has no
// free-list links to share them with here).
struct LruLinks {
  MemMap& mem;
  u32 next(u32 p) const { return mem.lru_next[p]; }
  u32 prev(u32 p) const { return mem.lru_prev[p]; }
  void set_next(u32 p, u32 v) const { mem.lru_next.set(p, v); }
  void set_prev(u32 p, u32 v) const { mem.lru_prev.set(p, v); }
};

template <class Links>
void add_head(const Links& k, FreeList& l, u32 i) {
  k.set_prev(i, NIL);
  k.set_next(i, l.head);
  if (l.head != NIL)
    k.set_prev(l.head, i);
  else
    l.tail = i;
  l.head = i;
  ++l.count;
}

template <class Links>
void add_tail(const Links& k, FreeList& l, u32 i) {
  k.set_next(i, NIL);
  k.set_prev(i, l.tail);
  if (l.tail != NIL)
    k.set_next(l.tail, i);
  else
    l.head = i;
  l.tail = i;
  ++l.count;
}

template <class Links>
void del(const Links& k, FreeList& l, u32 i) {
  const u32 n = k.next(i), pr = k.prev(i);
  if (pr != NIL)
    k.set_next(pr, n);
  else
    l.head = n;
  if (n != NIL)
    k.set_prev(n, pr);
  else
    l.tail = pr;
  k.set_next(i, NIL);
  k.set_prev(i, NIL);
  assert(l.count > 0 && "list_del: empty list");
  --l.count;
}

}  // namespace

void list_add(MemMap& mem, FreeList& l, Pfn p) { add_head(WordLinks{mem, l}, l, static_cast<u32>(p)); }
void list_add_tail(MemMap& mem, FreeList& l, Pfn p) { add_tail(WordLinks{mem, l}, l, static_cast<u32>(p)); }
void list_del(MemMap& mem, FreeList& l, Pfn p) { del(WordLinks{mem, l}, l, static_cast<u32>(p)); }
void lru_list_add(MemMap& mem, FreeList& l, Pfn p) { add_head(LruLinks{mem}, l, static_cast<u32>(p)); }
void lru_list_del(MemMap& mem, FreeList& l, Pfn p) { del(LruLinks{mem}, l, static_cast<u32>(p)); }

// ---- free-list helpers (the only writers of nr_free) -----------------------

namespace {

// PageBuddy(buddy) && buddy_order(buddy) == order && same zone.
bool page_is_buddy(const Machine& m, const Zone& z, Pfn buddy, Order order) {
  if (buddy >= m.mem.nr || !z.spans(buddy)) return false;
  return m.mem.st(buddy) == FrameState::Buddy && m.mem.order_of(buddy) == order;
}

bool migratetype_is_mergeable(MigrateType mt) { return idx(mt) < idx(MigrateType::HighAtomic); }

// __mod_zone_freepage_state(): NR_FREE_PAGES, isolated blocks excluded.
void mod_zone_freepage_state(Zone& z, long long pages, MigrateType mt) {
  if (mt == MigrateType::Isolate) return;
  z.nr_free_pages = static_cast<u64>(static_cast<long long>(z.nr_free_pages) + pages);
}

// buddy_merge_likely(): if the block one order up is likely to merge soon,
// put this one at the tail so it is not handed out first.
bool buddy_merge_likely(const Machine& m, const Zone& z, Pfn pfn, Pfn buddy_pfn, Order order) {
  if (order >= MAX_ORDER - 2) return false;
  const Pfn higher = buddy_pfn & pfn;
  return page_is_buddy(m, z, find_buddy_pfn(higher, order + 1), order + 1);
}

}  // namespace

// Marks the block free (PageBuddy, its order, its list's type) and links it.
void add_to_free_list(Machine& m, Zone& z, Pfn p, Order order, MigrateType mt) {
  FreeArea& area = z.free_area[order];
  FreeList& l = area.free_list[idx(mt)];
  m.mem.mark_list_block(p, order, FrameState::Buddy, mt, l.base);
  list_add(m.mem, l, p);
  ++area.nr_free;
}

void add_to_free_list_tail(Machine& m, Zone& z, Pfn p, Order order, MigrateType mt) {
  FreeArea& area = z.free_area[order];
  FreeList& l = area.free_list[idx(mt)];
  m.mem.mark_list_block(p, order, FrameState::Buddy, mt, l.base);
  list_add_tail(m.mem, l, p);
  ++area.nr_free;
}

void del_page_from_free_list(Machine& m, Zone& z, Pfn p, Order order, MigrateType mt) {
  FreeArea& area = z.free_area[order];
  list_del(m.mem, area.free_list[idx(mt)], p);
  --area.nr_free;
}

void move_to_free_list(Machine& m, Zone& z, Pfn p, Order order, MigrateType from, MigrateType to) {
  FreeArea& area = z.free_area[order];
  list_del(m.mem, area.free_list[idx(from)], p);
  list_add_tail(m.mem, area.free_list[idx(to)], p);
  m.mem.set_list_mt(p, to);
}

namespace {
// Which list a free head is on: its word records it (free pages have no
// owner), so merging finds it in O(1).
MigrateType list_of(const Machine& m, const Zone&, Pfn p, Order) { return m.mem.list_mt(p); }
}  // namespace

void free_one_page(Machine& m, Zone& z, Pfn pfn, Order order, MigrateType mt, unsigned fpi) {
  assert((pfn & ((Pfn{1} << order) - 1)) == 0 && "__free_one_page: misaligned block");
  mod_zone_freepage_state(z, static_cast<long long>(1) << order, mt);
  Pfn buddy_pfn = 0;
  const Pfn start_pfn = pfn;
  const Order start_order = order;
  while (order < MAX_ORDER - 1) {
    buddy_pfn = find_buddy_pfn(pfn, order);
    if (!page_is_buddy(m, z, buddy_pfn, order)) break;
    if (order >= pageblock_order) {
      // Do not merge a block that has no fallbacks (highatomic, isolate)
      // with an ordinary one.
      MigrateType buddy_mt = m.mem.block_mt(buddy_pfn);
      if (mt != buddy_mt && (!migratetype_is_mergeable(mt) || !migratetype_is_mergeable(buddy_mt))) break;
    }
    MigrateType buddy_list = list_of(m, z, buddy_pfn, order);
    del_page_from_free_list(m, z, buddy_pfn, order, buddy_list);
    if (auto e = m.trace.step(Ev::buddy_merge))
      e.zone(z).pfn(pfn).order(order).mt(mt).buddy(buddy_pfn).merged(buddy_pfn & pfn).to_order(order + 1);
    pfn &= buddy_pfn;
    ++order;
  }
  if (order < MAX_ORDER - 1) buddy_pfn = find_buddy_pfn(pfn, order);
  const bool to_tail = (fpi & FPI_TO_TAIL) || buddy_merge_likely(m, z, pfn, buddy_pfn, order);
  if (to_tail)
    add_to_free_list_tail(m, z, pfn, order, mt);
  else
    add_to_free_list(m, z, pfn, order, mt);
  if (auto e = m.trace.step(Ev::buddy_free))
    e.zone(z)
        .pfn(pfn)
        .order(order)
        .mt(mt)
        .start(start_pfn)
        .from_order(start_order)
        .grew(order > start_order)
        .tail(to_tail);
}

void free_pages_core(Machine& m, Pfn pfn, Order order) {
  Zone* z = m.page_zone(pfn);
  assert(z && "__free_pages_core: pfn outside every zone");
  z->managed_pages += Pfn{1} << order;
  free_one_page(m, *z, pfn, order, m.mem.block_mt(pfn), FPI_TO_TAIL);
}

u64 free_reserved_area(Machine& m, Pfn start, Pfn end, const char* what) {
  u64 n = 0;
  for (Pfn p = start; p < end && p < m.mem.nr; ++p) {
    if (m.mem.st(p) != FrameState::Reserved) continue;  // never free twice
    Zone* z = m.page_zone(p);
    if (!z) continue;
    // free_reserved_page(): managed grows, the page goes through the free
    // path as an order-0 page.
    z->managed_pages += 1;
    ++m.totalram_pages;
    free_one_page(m, *z, p, 0, m.mem.block_mt(p), FPI_NONE);
    ++n;
  }
  if (auto e = m.trace.step(Ev::free_reserved)) e.pfn(start).what(what).pages(n);
  return n;
}

namespace {
constexpr unsigned kAllocNofragment = 0x100, kAllocKswapd = 0x800;  // see gfp.h: alloc::

// expand(): split a block of order `high` down to `low`, giving the upper
// halves back to the free lists of `mt`.
void expand(Machine& m, Zone& z, Pfn page, Order low, Order high, MigrateType mt) {
  while (high > low) {
    --high;
    const Pfn half = page + (Pfn{1} << high);
    add_to_free_list(m, z, half, high, mt);
    if (auto e = m.trace.step(Ev::expand_split)) e.zone(z).pfn(half).order(high).mt(mt);
  }
}

constexpr MigrateType kFallbacks[MIGRATE_PCPTYPES][2] = {
    {MigrateType::Reclaimable, MigrateType::Movable},    // Unmovable
    {MigrateType::Reclaimable, MigrateType::Unmovable},  // Movable
    {MigrateType::Unmovable, MigrateType::Movable},      // Reclaimable
};

bool can_steal_fallback(const Machine& m, Order order, MigrateType start_mt) {
  if (order >= pageblock_order) return true;
  return order >= pageblock_order / 2 || start_mt == MigrateType::Reclaimable || start_mt == MigrateType::Unmovable ||
         m.page_group_by_mobility_disabled;
}

int find_suitable_fallback(const Machine& m, const FreeArea& area, Order order, MigrateType mt, bool* can_steal) {
  if (area.nr_free == 0 || idx(mt) >= MIGRATE_PCPTYPES) return -1;
  for (MigrateType f : kFallbacks[idx(mt)]) {
    if (area.free_list[idx(f)].empty()) continue;
    *can_steal = can_steal_fallback(m, order, mt);
    return static_cast<int>(idx(f));
  }
  return -1;
}

}  // namespace

// move_freepages_block(): move every free block of the pageblock holding
// `pfn` to `mt`'s lists; returns free pages moved, counts movable pages.
u64 move_freepages_block(Machine& m, Zone& z, Pfn pfn, MigrateType mt, u64* movable) {
  Pfn start = round_down(pfn, pageblock_nr_pages);
  Pfn end = start + pageblock_nr_pages - 1;
  if (!z.spans(start)) start = pfn;
  if (!z.spans(end)) return 0;
  u64 moved = 0;
  if (movable) *movable = 0;
  for (Pfn p = start; p <= end;) {
    const FrameState s = m.mem.st(p);
    if (s == FrameState::Alloc) {
      if (movable && (m.mem.owner_of(p) == Owner::User || m.mem.owner_of(p) == Owner::PageCache)) ++*movable;
      p += Pfn{1} << m.mem.order_of(p);  // its tails are neither free nor counted
      continue;
    }
    if (s != FrameState::Buddy) {
      p = m.mem.run_end(p, end + 1);  // holes, reserved, pcp pages, stray tails
      continue;
    }
    const Order o = m.mem.order_of(p);
    MigrateType from = list_of(m, z, p, o);
    move_to_free_list(m, z, p, o, from, mt);
    p += Pfn{1} << o;
    moved += Pfn{1} << o;
  }
  return moved;
}

namespace {
// boost_watermark(): a fragmenting fallback raises the zone's watermarks by
// a pageblock (up to watermark_boost_factor of high) so kswapd reclaims a
// little more and the next fallbacks find whole free pageblocks.
bool boost_watermark(Machine& m, Zone& z) {
  const u64 factor = static_cast<u64>(m.spec.knobs.watermark_boost_factor);
  if (!factor) return false;
  if (u64{pageblock_nr_pages} * 4 > z.managed_pages) return false;
  u64 max_boost = z.watermark[WMARK_HIGH] * factor / 10000;
  if (!max_boost) return false;
  max_boost = std::max<u64>(pageblock_nr_pages, max_boost);
  z.watermark_boost = std::min<u64>(z.watermark_boost + pageblock_nr_pages, max_boost);
  if (auto e = m.trace.step(Ev::wmark_boost)) e.zone(z).boost(z.watermark_boost).max(max_boost);
  return true;
}

void steal_suitable_fallback(Machine& m, Zone& z, Pfn page, MigrateType start_type, MigrateType fallback,
                             bool whole_block, unsigned alloc_flags) {
  const Order current_order = m.mem.order_of(page);
  const MigrateType old_block_type = m.mem.block_mt(page);
  auto single_page = [&] { move_to_free_list(m, z, page, current_order, fallback, start_type); };
  if (old_block_type == MigrateType::HighAtomic) return single_page();
  if (current_order >= pageblock_order) {
    // change_pageblock_range(): the whole block is ours.
    for (Pfn p = page; p < page + (Pfn{1} << current_order); p += pageblock_nr_pages) m.mem.set_block_mt(p, start_type);
    single_page();
    // After the move: the block is on start_type's list, its pageblocks are start_type's.
    if (auto e = m.trace.step(Ev::fallback_claim_block)) e.zone(z).pfn(page).order(current_order).mt(start_type);
    return;
  }
  if (boost_watermark(m, z) && (alloc_flags & kAllocKswapd)) z.boosted_watermark = true;
  if (!whole_block) return single_page();
  u64 movable = 0;
  const u64 free_pages = move_freepages_block(m, z, page, start_type, &movable);
  u64 alike = 0;
  if (start_type == MigrateType::Movable)
    alike = movable;
  else if (old_block_type == MigrateType::Movable)
    alike = pageblock_nr_pages - (free_pages + movable);
  if (!free_pages) return single_page();
  const bool claim = free_pages + alike >= (1u << (pageblock_order - 1)) || m.page_group_by_mobility_disabled;
  if (claim) m.mem.set_block_mt(page, start_type);
  if (auto e = m.trace.step(Ev::fallback_steal))
    e.zone(z).pfn(page).mt(start_type).free(free_pages).alike(alike).claim(claim);
}
}  // namespace

std::optional<Pfn> rmqueue_smallest(Machine& m, Zone& z, Order order, MigrateType mt) {
  for (Order cur = order; cur < MAX_ORDER; ++cur) {
    FreeList& l = z.free_area[cur].free_list[idx(mt)];
    if (l.empty()) continue;
    const Pfn page = l.head;
    del_page_from_free_list(m, z, page, cur, mt);
    if (auto e = m.trace.step(Ev::rmqueue_smallest)) e.zone(z).pfn(page).order(cur).mt(mt).req_order(order);
    expand(m, z, page, order, cur, mt);
    mod_zone_freepage_state(z, -(static_cast<long long>(1) << order), mt);
    return page;
  }
  return std::nullopt;
}

std::optional<Pfn> rmqueue(Machine& m, Zone& z, Order order, MigrateType mt, unsigned alloc_flags) {
  // ALLOC_NOFRAGMENT: do not split another type's pageblock for a small
  // request; only whole pageblocks may be taken.
  const Order min_order = (alloc_flags & kAllocNofragment) ? pageblock_order : order;
  for (;;) {
    if (auto p = rmqueue_smallest(m, z, order, mt)) return p;
    // __rmqueue_fallback(): largest block of another type first.
    int fallback = -1;
    bool can_steal = false;
    Order cur = MAX_ORDER - 1;
    bool found = false;
    for (int o = MAX_ORDER - 1; o >= static_cast<int>(min_order); --o) {
      fallback = find_suitable_fallback(m, z.free_area[static_cast<size_t>(o)], static_cast<Order>(o), mt, &can_steal);
      if (fallback < 0) continue;
      cur = static_cast<Order>(o);
      found = true;
      if (!can_steal && mt == MigrateType::Movable && cur > order) {
        // Better to split the smallest block than to fragment a big one.
        for (Order s = order; s < MAX_ORDER; ++s) {
          fallback = find_suitable_fallback(m, z.free_area[s], s, mt, &can_steal);
          if (fallback >= 0) {
            cur = s;
            break;
          }
        }
      }
      break;
    }
    if (!found) return std::nullopt;
    const MigrateType fmt = static_cast<MigrateType>(fallback);
    const Pfn page = z.free_area[cur].free_list[idx(fmt)].head;
    // The block found (still on the fallback list: the steal below moves it).
    if (auto e = m.trace.step(Ev::fallback)) e.zone(z).pfn(page).order(cur).mt(fmt).to_mt(mt);
    steal_suitable_fallback(m, z, page, mt, fmt, can_steal, alloc_flags);
  }
}

void prep_new_page(Machine& m, Pfn pfn, Order order, Owner owner) { m.mem.mark_alloc(pfn, order, owner); }

}  // namespace mm
