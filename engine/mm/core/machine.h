// The machine's state, as plain data: memblock, the memory map (one compact
// entry per page frame, struct page reduced to what the allocators need),
// pageblock migrate types, nodes (pg_data_t) with their zones, free areas
// and per-CPU page lists. Lists are intrusive and index-based (list_head over
// pfns), so the whole state can be copied, compared and snapshotted.
//
// Invariants (checked literally by check_invariants(), see invariants.cpp):
//   every pfn below max_pfn is in exactly one place: a hole, reserved, not yet
//     initialised (deferred), part of a free buddy block, on a pcp list, or
//     allocated;
//   for every zone: sum(nr_free[o] << o) + pcp pages + allocated pages
//     + reserved-but-managed pages == managed_pages;
//   free blocks are aligned to their order and lie in their zone; a free block
//     never has a free buddy of the same order in the buddy lists (they
//     would have merged) unless a pageblock-type rule forbids the merge;
//   FreeArea::nr_free == sum of its lists' lengths; zone.nr_free_pages equals
//     the pages on its buddy lists (isolated lists excluded).
#pragma once

#include <array>
#include <cassert>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mm/boot/memblock.h"
#include "mm/core/cow_array.h"
#include "mm/core/event.h"
#include "mm/core/frame_word.h"
#include "mm/core/machine_spec.h"
#include "mm/core/ratelimit.h"
#include "mm/core/types.h"

namespace mm {

inline constexpr u32 NIL = 0xffffffffu;

// A doubly linked list of frames: its links live in the frames' words
// (MemMap::word for free and pcp lists, MemMap::lru_next/lru_prev for the
// LRU), head and tail are pfns.
struct FreeList {
  u32 head = NIL, tail = NIL;
  u32 base = 0;  // free and pcp lists: their zone's list_base, links are offsets from it
  u64 count = 0;
  bool empty() const { return head == NIL; }
};

struct MemMap {
  Pfn nr = 0;  // frames 0 .. nr-1 are described (nr == max_pfn)
  // The allocator's hot state, one word per frame (frame_word.h). Read it
  // through st()/order_of()/owner_of()/list_mt(); write it through the
  // mark_* helpers and the list primitives (page_alloc.h).
  CowArray<frame_word::Word> word;
  CowArray<std::uint8_t> pageblock_mt;  // MigrateType per pageblock
  // page_zone() in O(1): node * MAX_NR_ZONES + zone of each pageblock, or
  // kMixedBlock when a pageblock straddles zones (then a search decides).
  static constexpr std::uint16_t kMixedBlock = 0xffff;
  CowArray<std::uint16_t> block_zone;
  // Allocated pages only (task.h): LRU/active/referenced/file bits, the
  // owning pid or file id, the pid that maps a page-cache page, and the
  // LRU list links (page->lru while the page is allocated).
  CowArray<std::uint8_t> pflags;
  CowArray<u32> owner_id;
  CowArray<u32> mapper;
  CowArray<u32> lru_next, lru_prev;

  void resize(Pfn n);

  // ---- reading a frame ---------------------------------------------------
  FrameState st(Pfn p) const {
    const auto w = word[p];
    return frame_word::tag(w) == frame_word::kHeadTag ? frame_word::state(w, word[p + 1]) : frame_word::state(w, 0);
  }
  // The order of the block whose head or tail p is (0 for lone frames).
  Order order_of(Pfn p) const {
    const auto w = word[p];
    return frame_word::tag(w) == frame_word::kHeadTag ? frame_word::order(w, word[p + 1]) : frame_word::order(w, 0);
  }
  // Who owns an allocated frame (head or tail); None for any other frame.
  Owner owner_of(Pfn p) const {
    const FrameState s = st(p);
    if (s != FrameState::Alloc && s != FrameState::AllocTail) return Owner::None;
    return static_cast<Owner>(frame_word::aux(word[p], 0));
  }
  // The list a free head is on, or a pcp page's set_pcppage_migratetype().
  MigrateType list_mt(Pfn p) const {
    const auto w = word[p];
    return static_cast<MigrateType>(frame_word::aux(w, frame_word::tag(w) == frame_word::kHeadTag ? word[p + 1] : 0));
  }
  MigrateType block_mt(Pfn p) const { return static_cast<MigrateType>(pageblock_mt[p >> pageblock_order]); }

  // ---- writing a frame ---------------------------------------------------
  // A lone frame (Hole, Reserved, Uninit).
  void set(Pfn p, FrameState s) { word.set(p, frame_word::other(s)); }
  void fill(Pfn from, Pfn to, FrameState s) { word.fill(from, to, frame_word::other(s)); }
  // Every lone frame in state a within [from, to) becomes b.
  void replace(Pfn from, Pfn to, FrameState a, FrameState b) {
    word.replace(from, to, frame_word::other(a), frame_word::other(b));
  }
  // An allocated block: prep_new_page().
  void mark_alloc(Pfn p, Order order, Owner owner) {
    const auto o = static_cast<std::uint8_t>(owner);
    word.fill_head(p, p + (Pfn{1} << order), frame_word::other(FrameState::Alloc, order, o),
                   frame_word::other(FrameState::AllocTail, order, o));
  }
  // A free (Buddy) or pcp (Pcp) block about to go on a list of `base`'s
  // zone: no links yet. Whole chunks stay patterns.
  void mark_list_block(Pfn p, Order order, FrameState head, MigrateType mt, u32 base) {
    assert(p >= base && p - base < frame_word::kMaxListSpan && "a zone spans at most kMaxListSpan frames");
    word.fill_head(p, p + (Pfn{1} << order), frame_word::list_head(head, order, mt, p - base),
                   frame_word::other(frame_word::tail_state(head), order, static_cast<std::uint8_t>(idx(mt))));
  }
  // A linked head's migrate type changes (move_to_free_list); links stay.
  void set_list_mt(Pfn p, MigrateType mt);
  void set_block_mt(Pfn p, MigrateType m) { pageblock_mt.set(p >> pageblock_order, static_cast<std::uint8_t>(m)); }

  // ---- list links (page_alloc.h's primitives use these) ------------------
  u32 list_next(const FreeList& l, Pfn p) const { return link(l, p, frame_word::next_off(word[p])); }
  u32 list_prev(const FreeList& l, Pfn p) const { return link(l, p, frame_word::prev_off(word[p])); }
  void set_list_next(const FreeList& l, Pfn p, u32 to) {
    word.set(p, frame_word::with_next(word[p], offset(l, p, to)));
  }
  void set_list_prev(const FreeList& l, Pfn p, u32 to) {
    word.set(p, frame_word::with_prev(word[p], offset(l, p, to)));
  }

  // Calls f(p) for every frame in state s, in pfn order. Chunks kept as a
  // pattern cost one test each, so a scan of a 2 TiB machine skips the
  // memory nothing has touched.
  template <class F>
  void for_each_in_state(FrameState s, F&& f) const {
    using A = CowArray<frame_word::Word>;
    static_assert(A::kChunk == 1024);
    for (std::size_t c = 0; c < word.chunk_count(); ++c) {
      const Pfn lo = Pfn{c} << 10, hi = lo + word.chunk_size(c);
      frame_word::Word head = 0, rest = 0;
      if (word.is_pattern(c, &head, &rest)) {
        if (frame_word::state(head, rest) == s) f(lo);
        if (frame_word::state(rest, rest) == s)
          for (Pfn p = lo + 1; p < hi; ++p) f(p);
        continue;
      }
      for (Pfn p = lo; p < hi; ++p)
        if (st(p) == s) f(p);
    }
  }
  // The end of the run of frames in the state of `from`, at most `to`; a
  // chunk kept as a pattern is crossed at once.
  Pfn run_end(Pfn from, Pfn to) const {
    const FrameState v = st(from);
    Pfn p = from + 1;
    while (p < to) {
      const std::size_t c = static_cast<std::size_t>(p >> 10);
      const Pfn lo = Pfn{c} << 10, hi = std::min<Pfn>(to, lo + word.chunk_size(c));
      frame_word::Word head = 0, rest = 0;
      if (word.is_pattern(c, &head, &rest)) {
        if (p == lo && frame_word::state(head, rest) != v) return p;
        if (frame_word::state(rest, rest) != v) return std::max(p, lo + 1) < hi ? std::max(p, lo + 1) : hi;
        p = hi;
        continue;
      }
      for (; p < hi; ++p)
        if (st(p) != v) return p;
    }
    return std::min(p, to);
  }
  // Frames in state s within [from, to), counted a chunk at a time where
  // a chunk is a pattern.
  u64 count_in_state(FrameState s, Pfn from, Pfn to) const {
    u64 n = 0;
    for (Pfn p = from; p < to;) {
      const std::size_t c = static_cast<std::size_t>(p >> 10);
      const Pfn lo = Pfn{c} << 10, hi = std::min<Pfn>(to, lo + word.chunk_size(c));
      frame_word::Word head = 0, rest = 0;
      if (word.is_pattern(c, &head, &rest)) {
        if (p == lo) n += frame_word::state(head, rest) == s;
        n += frame_word::state(rest, rest) == s ? hi - std::max(p, lo + 1) : 0;
      } else {
        for (Pfn q = p; q < hi; ++q) n += st(q) == s;
      }
      p = hi;
    }
    return n;
  }
  // The frames' states, one byte each, for the page: copies only the chunks
  // `shadow` does not share with this map, then shares them all.
  void export_states(CowArray<frame_word::Word>& shadow, std::vector<std::uint8_t>& out) const;

 private:
  static u32 link(const FreeList& l, Pfn p, u64 off) {
    const u64 to = l.base + off;
    return to == p ? NIL : static_cast<u32>(to);
  }
  static u64 offset(const FreeList& l, Pfn p, u32 to) {
    const Pfn target = to == NIL ? p : to;
    assert(target >= l.base && target - l.base < frame_word::kMaxListSpan && "a link leaves its zone");
    return target - l.base;
  }
};

struct FreeArea {
  std::array<FreeList, MIGRATE_TYPES> free_list;
  u64 nr_free = 0;  // blocks on all lists of this order
};

// 6.1: one list per (order <= PAGE_ALLOC_COSTLY_ORDER, pcp migrate type) plus
// two for THP-sized (pageblock order) pages: unmovable-ish and movable.
inline constexpr unsigned NR_PCP_THP = 2;
inline constexpr unsigned NR_PCP_LISTS = MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1) + NR_PCP_THP;

struct PerCpuPages {
  int count = 0;  // pages on all lists (owner: the pcp helpers)
  int high = 0;   // 6.1: fixed by zone_pcp_update; 6.12: tuned within [high_min, high_max]
  int batch = 0;
  int free_factor = 0;  // grows while frees outpace allocations (6.1 batch scaling)
  // 6.12's auto-tuning (alloc.cpp: nr_pcp_high, nr_pcp_alloc, decay_pcp_high).
  int high_min = 0, high_max = 0;
  int free_count = 0;                 // pages freed in a row (halved by each allocation)
  int alloc_factor = 0;               // refills grow as batch << alloc_factor (halved by each free)
  bool prev_free_high_order = false;  // PCPF_PREV_FREE_HIGH_ORDER
  std::array<FreeList, NR_PCP_LISTS> lists;
};

enum Wmark { WMARK_MIN = 0, WMARK_LOW = 1, WMARK_HIGH = 2, WMARK_PROMO = 3, NR_WMARK = 4 };

struct Zone {
  int node = 0;
  ZoneType type = ZoneType::DMA;
  Pfn zone_start_pfn = 0;
  u64 spanned_pages = 0;
  u32 list_base = 0;  // the zone's lowest pfn of RAM: its lists' links are offsets from it
  u64 present_pages = 0;
  u64 managed_pages = 0;
  u64 early_managed = 0;  // zone_init_internals()' estimate before the buddy has pages
  std::array<u64, NR_WMARK> watermark{};
  u64 watermark_boost = 0;
  std::array<u64, MAX_NR_ZONES> lowmem_reserve{};
  std::array<FreeArea, MAX_ORDER> free_area{};
  u64 nr_free_pages = 0;  // vmstat NR_FREE_PAGES (owner: mod_zone_freepage_state)
  u64 nr_reserved_highatomic = 0;
  u64 nr_isolate_pageblock = 0;    // has_isolate_pageblock(): no isolation is modelled yet
  bool boosted_watermark = false;  // ZONE_BOOSTED_WATERMARK: wake kswapd after this allocation
  // NUMA event counters (zone_statistics): hit, miss, foreign, interleave, local, other.
  std::array<u64, 6> numa_events{};
  int pageset_high = 0, pageset_batch = 0;  // 6.12: pageset_high is pageset_high_min
  int pageset_high_max = 0;                 // 6.12
  bool below_high = false;                  // ZONE_BELOW_HIGH (6.12): free pages under the high watermark
  std::vector<PerCpuPages> pcp;             // one per possible CPU

  bool populated() const { return present_pages != 0; }
  Pfn end_pfn() const { return zone_start_pfn + spanned_pages; }
  bool spans(Pfn p) const { return p >= zone_start_pfn && p < end_pfn(); }
  u64 min_wmark() const { return watermark[WMARK_MIN] + watermark_boost; }
  u64 low_wmark() const { return watermark[WMARK_LOW] + watermark_boost; }
  u64 high_wmark() const { return watermark[WMARK_HIGH] + watermark_boost; }
  std::string_view name() const { return kZoneNames[idx(type)]; }
};

inline EventRef& EventRef::zone(const Zone& z) { return zone(z.node, z.type); }

struct ZoneRef {
  int node;
  ZoneType zone;
};

struct Node {
  int id = 0;
  Pfn node_start_pfn = 0;
  u64 node_spanned_pages = 0;
  u64 node_present_pages = 0;
  std::array<Zone, MAX_NR_ZONES> zones;
  std::vector<int> cpus;
  Pfn first_deferred_pfn = ~Pfn{0};
  bool deferred_done = false;
  std::vector<int> node_order;               // fallback order of nodes (build_zonelists)
  std::vector<ZoneRef> zonelist_fallback;    // ZONELIST_FALLBACK, highest zone first per node
  std::vector<ZoneRef> zonelist_nofallback;  // ZONELIST_NOFALLBACK (__GFP_THISNODE)
  bool has_memory() const { return node_present_pages != 0; }
};

// A pointer to state that Machine copies share until one of them changes it
// (copy-on-write): reading through a const Machine never copies; the first
// access through a non-const one after a copy clones the object. T may be
// incomplete here: the cloning member is defined (deep_ptr_impl.h) and
// instantiated in the .cpp that owns T.
template <class T>
struct DeepPtr {
  std::shared_ptr<T> p;
  const T* get() const { return p.get(); }
  const T* operator->() const { return p.get(); }
  const T& operator*() const { return *p; }
  T* get() { return unshare(); }
  T* operator->() { return unshare(); }
  T& operator*() { return *unshare(); }
  explicit operator bool() const { return p != nullptr; }
  // Whether two machines still share the object (history accounting).
  bool shared_with(const DeepPtr& o) const { return p == o.p; }

 private:
  T* unshare();
};

// ---- Long operations in units (the timeline's checkpoints) -----------------
// A loop that can run long (the ops of a boot, the pages of a read or of a
// fault-in, the allocations of a repeat) reports to the machine's UnitHook
// between two of its units. The hook may keep a checkpoint there: a copy of
// the machine and a Resume, from which a replay goes on with the loop
// instead of running the whole operation again. Units hold no references
// into the machine across the boundary, so the copy is a consistent state.
struct Machine;
enum class ResumeLoop : std::uint8_t { None, BootOps, ReadFile, Grow, AllocRepeat };
struct Resume {
  ResumeLoop loop = ResumeLoop::None;
  u64 unit = 0;            // the next unit to run
  std::array<u64, 6> v{};  // the loop's own small state
  std::vector<u64> extra;  // and the rest (a boot's memblock allocations)
};
class UnitHook {
 public:
  // Called before unit `next.unit` (never before a loop's first); false
  // asks the loop to stop there (a replay that has what it came for).
  virtual bool between(const Machine& m, const Resume& next) = 0;

 protected:
  ~UnitHook() = default;
};
// A pointer a Machine copy does not take along (it belongs to whoever runs
// this one machine).
template <class T>
struct Transient {
  T* p = nullptr;
  Transient() = default;
  Transient(const Transient&) {}
  Transient& operator=(const Transient&) {
    p = nullptr;
    return *this;
  }
};

struct PressureState;  // tasks, page cache, LRU, swap (task.h)
struct SlubState;      // the slab allocator (slub.h)
using SlubPtr = DeepPtr<SlubState>;

struct Machine {
  MachineSpec spec;
  Memblock memblock;
  MemMap mem;
  std::vector<Node> nodes;  // dense, index == node id
  unsigned nr_cpus = 1;
  std::vector<int> cpu_to_node;
  Pfn max_pfn = 0, max_low_pfn = 0;

  // Global counters, each with one owner.
  u64 totalram_pages = 0;   // memblock_free_all, free_reserved_area
  u64 nr_kernel_pages = 0;  // free_area_init_core estimate
  u64 nr_all_pages = 0;
  u64 dma_reserve = 0;     // memblock_find_dma_reserve
  u64 vm_total_pages = 0;  // build_all_zonelists
  u64 totalreserve_pages = 0;
  bool page_group_by_mobility_disabled = false;
  int min_free_kbytes = 1024;
  bool thp_enabled = false;   // hugepage_init() found >= 512 MiB
  bool buddy_online = false;  // mem_init has run: managed pages are live counts

  DeepPtr<PressureState> pressure;  // created with the first task or file

  SharedLog<std::string> log;  // the boot log, kernel line formats (copies share it)
  // The model's clock (work done, ratelimit.h) and the rate limits of the
  // reports a failing loop repeats, each as the kernel defines its own.
  ModelClock clock;
  u64 next_vmstat_ns = NSEC_PER_SEC;     // 6.12: when vmstat_update next decays the pcp highs (once a second)
  RatelimitState nopage_rs{10 * HZ, 1};  // warn_alloc()
  RatelimitState oom_rs{};               // oom_kill_process(): dump_header()
  // A report with no killable task: the kernel panics after it and never
  // prints a second; the engine goes on, so it limits those too (ratelimit.h).
  RatelimitState oom_no_victim_rs{};
  // Replaying a real log: allocations where the engine's memblock search
  // disagreed with where the kernel put them (expected to stay empty).
  std::vector<std::string> replay_mismatches;
  Trace trace;
  SlubPtr slub;                         // SLUB hook: empty until kmem_cache_init (slub.h)
  Transient<UnitHook> units;            // told between the units of long loops
  Transient<const Resume> resume_from;  // where a replay's loop starts (taken by that loop)

  Zone& zone(ZoneRef r) { return nodes[static_cast<size_t>(r.node)].zones[idx(r.zone)]; }
  const Zone& zone(ZoneRef r) const { return nodes[static_cast<size_t>(r.node)].zones[idx(r.zone)]; }
  Zone* page_zone(Pfn pfn);
  const Zone* page_zone(Pfn pfn) const;
  void index_zones();             // fills mem.block_zone once zones are sized
  void printk(std::string line);  // appends to log and, when tracing, emits a "printk" step
  // A copy taken in the middle of an operation (the timeline's capture of a
  // narrated moment) calls this: the code still running may hold references
  // into the slab and pressure state it shares, so the copy takes clones of
  // its own and leaves the running machine its objects.
  void take_own_objects();
};

// Between two units of a long loop: false when the loop should stop.
inline bool unit_boundary(const Machine& m, const Resume& next) { return !m.units.p || m.units.p->between(m, next); }
// The resume point of `loop`, when a replay starts this machine there; the
// loop takes it (nothing else resumes from it).
inline const Resume* take_resume(Machine& m, ResumeLoop loop) {
  const Resume* r = m.resume_from.p;
  if (!r || r->loop != loop) return nullptr;
  m.resume_from.p = nullptr;
  return r;
}
inline bool resuming(const Machine& m, ResumeLoop loop) { return m.resume_from.p && m.resume_from.p->loop == loop; }

// Violated invariants as sentences; empty when all hold (check/invariants.cpp).
//   Cheap: the counters against each other, in time proportional to the
//     number of lists and zones (every FreeArea's nr_free against its lists'
//     counts, NR_FREE_PAGES against them, pcp counts, spanned >= present >=
//     managed, watermarks ordered, memblock sorted and merged). Cheap enough
//     to run after every operation in debug builds.
//   Full: everything, walking every list and every page frame (each pfn in
//     exactly one place, managed == free + pcp + allocated, no unmerged
//     buddies, tasks and slabs). The property tests run it after every step.
enum class CheckLevel : std::uint8_t { Cheap, Full };
std::vector<std::string> check_invariants(const Machine& m, CheckLevel level = CheckLevel::Full);

}  // namespace mm
