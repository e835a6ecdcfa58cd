// check_invariants(): the equations of machine.h, checked literally, at two
// levels (machine.h: CheckLevel).
#include <string>
#include <vector>

#include "mm/core/machine.h"
#include "mm/page_alloc/alloc.h"
#include "mm/pressure/task.h"
#include "mm/slab/slub.h"

namespace mm {

namespace {
std::string where(const Zone& z) { return "Node " + std::to_string(z.node) + " " + std::string(z.name()) + ": "; }
}  // namespace

namespace {

using Fail = std::vector<std::string>;

// The counters of every zone against each other, without walking a list:
//   FreeArea::nr_free == sum over types of FreeList::count
//   NR_FREE_PAGES == sum over orders and types but Isolate of count << order
//   0 <= pcp.count, and pcp.count == sum of its lists' counts when all hold
//     order-0 pages (a list's count is blocks, pcp.count pages)
//   spanned >= present >= managed; min <= low <= high
void check_counters(const Machine& m, Fail& v) {
  auto fail = [&](std::string s) {
    if (v.size() < 50) v.push_back(std::move(s));
  };
  for (const Node& n : m.nodes)
    for (const Zone& z : n.zones) {
      u64 free_pages = 0;
      for (unsigned o = 0; o < MAX_ORDER; ++o) {
        u64 blocks = 0;
        for (unsigned t = 0; t < MIGRATE_TYPES; ++t) {
          const FreeList& l = z.free_area[o].free_list[t];
          if ((l.head == NIL) != (l.count == 0) || (l.tail == NIL) != (l.count == 0))
            fail(where(z) + "order-" + std::to_string(o) + " list's head/tail disagree with its count " +
                 std::to_string(l.count));
          blocks += l.count;
          if (t != idx(MigrateType::Isolate)) free_pages += l.count << o;
        }
        if (blocks != z.free_area[o].nr_free)
          fail(where(z) + "nr_free[" + std::to_string(o) + "] = " + std::to_string(z.free_area[o].nr_free) +
               " but its lists count " + std::to_string(blocks));
      }
      if (free_pages != z.nr_free_pages)
        fail(where(z) + "NR_FREE_PAGES " + std::to_string(z.nr_free_pages) + " != pages the free lists count " +
             std::to_string(free_pages));
      for (size_t cpu = 0; cpu < z.pcp.size(); ++cpu) {
        const PerCpuPages& pcp = z.pcp[cpu];
        long long pages = 0;
        for (unsigned i = 0; i < NR_PCP_LISTS; ++i)
          pages += static_cast<long long>(pcp.lists[i].count) << pindex_to_order(i);
        if (pcp.count < 0 || pages != pcp.count)
          fail(where(z) + "cpu " + std::to_string(cpu) + " pcp count " + std::to_string(pcp.count) +
               " != pages its lists count " + std::to_string(pages));
      }
      if (z.managed_pages > z.present_pages) fail(where(z) + "managed exceeds present");
      if (z.present_pages > z.spanned_pages) fail(where(z) + "present exceeds spanned");
      if (z.watermark[WMARK_MIN] > z.watermark[WMARK_LOW] || z.watermark[WMARK_LOW] > z.watermark[WMARK_HIGH])
        fail(where(z) + "watermarks out of order");
    }
}

}  // namespace

namespace {

// After pfn p (a hole, reserved or not yet initialised frame that passed
// its checks): the next pfn to look at. The rest of a chunk kept as one
// pattern of p's state passes the same checks when p's zone spans it.
Pfn skip_uniform(const Machine& m, Pfn p) {
  const MemMap& mem = m.mem;
  const std::size_t c = static_cast<std::size_t>(p >> 10);
  const Pfn lo = Pfn{c} << 10, hi = lo + mem.word.chunk_size(c);
  frame_word::Word head = 0, rest = 0;
  if (p + 1 >= hi || !mem.word.is_pattern(c, &head, &rest) || rest != mem.word[p]) return p + 1;
  if (frame_word::state(rest, rest) == FrameState::Hole) return hi;
  const Zone* z = m.page_zone(p);
  return z && z->end_pfn() >= hi ? hi : p + 1;
}

// The first tail in [from, to) whose word differs from the block's first
// tail (every tail carries the block's order and type), or `to`.
Pfn odd_tail(const MemMap& mem, Pfn from, Pfn to) {
  if (from >= to) return to;
  const frame_word::Word want = mem.word[from];
  const std::size_t c = static_cast<std::size_t>(from >> 10);
  if (mem.word.is_pattern(c) && to <= (Pfn{c} + 1) << 10) return to;
  for (Pfn q = from + 1; q < to; ++q)
    if (mem.word[q] != want) return q;
  return to;
}

}  // namespace

std::vector<std::string> check_invariants(const Machine& m, CheckLevel level) {
  std::vector<std::string> v;
  auto fail = [&](std::string s) {
    if (v.size() < 50) v.push_back(std::move(s));
  };
  for (std::string& s : m.memblock.check()) fail(std::move(s));
  const MemMap& mem = m.mem;
  if (mem.word.size() != mem.nr || mem.lru_next.size() != mem.nr) {
    fail("memmap arrays do not match max_pfn");
    return v;
  }
  check_counters(m, v);
  if (level == CheckLevel::Cheap) return v;
  // 1. Walk every free list: heads are Buddy with the list's order, aligned,
  //    in the zone; counts match; each head is seen once.
  // Heads seen on a list: a CowArray, so that a 2 TiB machine's walk
  // costs what its lists hold, not its size.
  CowArray<std::uint8_t> seen(mem.nr, 0);
  auto seen_before = [&seen](Pfn p) {
    const bool was = seen[p] != 0;
    seen.set(p, 1);
    return was;
  };
  for (const Node& n : m.nodes)
    for (const Zone& z : n.zones) {
      u64 free_pages = 0;
      for (unsigned o = 0; o < MAX_ORDER; ++o) {
        u64 blocks = 0;
        for (unsigned t = 0; t < MIGRATE_TYPES; ++t) {
          const FreeList& l = z.free_area[o].free_list[t];
          u64 len = 0;
          u32 prev = NIL;
          if (l.base != z.list_base) fail(where(z) + "a free list's base is not its zone's");
          for (u32 p = l.head; p != NIL; p = mem.list_next(l, p)) {
            if (p >= mem.nr || !z.spans(p)) {
              fail(where(z) + "free list link out of range");
              break;
            }
            if (mem.list_prev(l, p) != prev) fail(where(z) + "broken prev link at pfn " + std::to_string(p));
            if (seen_before(p)) {
              fail(where(z) + "pfn " + std::to_string(p) + " is on a list twice");
              break;
            }
            if (mem.st(p) != FrameState::Buddy || mem.order_of(p) != o)
              fail(where(z) + "pfn " + std::to_string(p) + " on the order-" + std::to_string(o) +
                   " list is not a free block of that order");
            if (p & ((1u << o) - 1))
              fail(where(z) + "free block at pfn " + std::to_string(p) + " is not aligned to order " +
                   std::to_string(o));
            if (!z.spans(p) || !z.spans(p + (1u << o) - 1))
              fail(where(z) + "free block at pfn " + std::to_string(p) + " leaves its zone");
            if (idx(mem.list_mt(p)) != t)
              fail(where(z) + "free block at pfn " + std::to_string(p) + " does not know its list");
            // No free buddy of the same order may sit on the lists (it would
            // have merged), unless the pageblock rule kept them apart.
            if (o < MAX_ORDER - 1) {
              const Pfn b = p ^ (Pfn{1} << o);
              if (b < mem.nr && z.spans(b) && mem.st(b) == FrameState::Buddy && mem.order_of(b) == o) {
                const bool blocked = o >= pageblock_order && mem.block_mt(b) != mem.block_mt(p) &&
                                     (idx(mem.block_mt(b)) >= idx(MigrateType::HighAtomic) ||
                                      idx(mem.block_mt(p)) >= idx(MigrateType::HighAtomic));
                if (!blocked)
                  fail(where(z) + "free buddies pfn " + std::to_string(p) + " and " + std::to_string(b) + " at order " +
                       std::to_string(o) + " did not merge");
              }
            }
            prev = p;
            ++len;
            if (len > mem.nr) break;
          }
          if (len != l.count)
            fail(where(z) + "list length " + std::to_string(len) + " != count " + std::to_string(l.count));
          if (l.tail != prev) fail(where(z) + "list tail is wrong");
          blocks += len;
          if (t != idx(MigrateType::Isolate)) free_pages += len << o;
        }
        if (blocks != z.free_area[o].nr_free)
          fail(where(z) + "nr_free[" + std::to_string(o) + "] = " + std::to_string(z.free_area[o].nr_free) +
               " but the lists hold " + std::to_string(blocks));
      }
      if (free_pages != z.nr_free_pages)
        fail(where(z) + "NR_FREE_PAGES " + std::to_string(z.nr_free_pages) + " != pages on the free lists " +
             std::to_string(free_pages));
      // pcp lists
      for (size_t cpu = 0; cpu < z.pcp.size(); ++cpu) {
        const PerCpuPages& pcp = z.pcp[cpu];
        long long pages = 0;
        for (const FreeList& l : pcp.lists) {
          if (l.base != z.list_base) fail(where(z) + "a pcp list's base is not its zone's");
          for (u32 p = l.head; p != NIL && p < mem.nr && z.spans(p); p = mem.list_next(l, p)) {
            if (seen_before(p)) fail(where(z) + "pcp page " + std::to_string(p) + " is on two lists");
            if (mem.st(p) != FrameState::Pcp)
              fail(where(z) + "page " + std::to_string(p) + " on a pcp list is not marked Pcp");
            if (idx(mem.list_mt(p)) >= MIGRATE_TYPES)
              fail(where(z) + "pcp page " + std::to_string(p) + " has no migrate type");
            pages += 1ll << mem.order_of(p);
          }
        }
        if (pages != pcp.count)
          fail(where(z) + "cpu " + std::to_string(cpu) + " pcp count " + std::to_string(pcp.count) +
               " != pages listed " + std::to_string(pages));
      }
    }
  // 2. Every pfn is in exactly one place: walk the memmap by blocks.
  std::vector<u64> in_buddy_or_pcp_or_alloc;  // per zone, pages accounted
  for (Pfn p = 0; p < mem.nr;) {
    const FrameState s = mem.st(p);
    if (s == FrameState::Buddy || s == FrameState::Alloc || s == FrameState::Pcp) {
      const Pfn end = p + (Pfn{1} << mem.order_of(p));
      const FrameState tail = s == FrameState::Buddy ? FrameState::BuddyTail
                              : s == FrameState::Pcp ? FrameState::PcpTail
                                                     : FrameState::AllocTail;
      if (s == FrameState::Buddy && !seen[p]) fail("pfn " + std::to_string(p) + " is a free block on no list");
      if (s == FrameState::Pcp && !seen[p]) fail("pfn " + std::to_string(p) + " is marked Pcp but is on no pcp list");
      const Pfn block_end = std::min<Pfn>(end, mem.nr);
      const Pfn q = p + 1 < block_end && mem.st(p + 1) == tail ? mem.run_end(p + 1, block_end) : p + 1;
      if (q < block_end)
        fail("pfn " + std::to_string(q) + " inside the block at " + std::to_string(p) +
             " is not one of its tail pages");
      else if (const Pfn t = odd_tail(mem, p + 1, block_end); t < block_end)
        fail("tail pfn " + std::to_string(t) + " of the block at " + std::to_string(p) +
             " does not carry the block's order and type");
      p = end;
      continue;
    }
    if (s == FrameState::BuddyTail || s == FrameState::AllocTail || s == FrameState::PcpTail) {
      fail("pfn " + std::to_string(p) + " is a tail page with no head");
    } else if (s != FrameState::Hole && !m.page_zone(p)) {
      fail("pfn " + std::to_string(p) + " holds memory outside every zone");
    }
    p = skip_uniform(m, p);
  }
  // 3. managed = free + pcp + allocated + reserved-after-managed, per zone.
  //    Pages become managed when freed to the buddy; since boot nothing
  //    managed is ever reserved again, so managed == free + pcp + allocated.
  for (const Node& n : m.nodes)
    for (const Zone& z : n.zones) {
      if (!z.populated() || !m.buddy_online) continue;
      u64 pcp = 0;
      for (const PerCpuPages& p : z.pcp) pcp += static_cast<u64>(p.count);
      u64 alloc = 0, isolated = 0;
      for (unsigned o = 0; o < MAX_ORDER; ++o)
        isolated += z.free_area[o].free_list[idx(MigrateType::Isolate)].count << o;
      const Pfn end = std::min<Pfn>(z.end_pfn(), mem.nr);
      alloc = mem.count_in_state(FrameState::Alloc, z.zone_start_pfn, end) +
              mem.count_in_state(FrameState::AllocTail, z.zone_start_pfn, end);
      const u64 sum = z.nr_free_pages + isolated + pcp + alloc;
      if (sum != z.managed_pages)
        fail(where(z) + "free " + std::to_string(z.nr_free_pages) + " + pcp " + std::to_string(pcp) + " + allocated " +
             std::to_string(alloc) + " = " + std::to_string(sum) + " != managed " + std::to_string(z.managed_pages));
    }
  for (std::string& s : check_tasks(m)) fail(std::move(s));
  // SLUB hook: the slab allocator's equations (slub.h).
  for (std::string& s : check_slub_invariants(m)) fail(std::move(s));
  return v;
}

}  // namespace mm
