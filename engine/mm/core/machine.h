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
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mm/boot/memblock.h"
#include "mm/core/cow_array.h"
#include "mm/core/event.h"
#include "mm/core/machine_spec.h"
#include "mm/core/ratelimit.h"
#include "mm/core/types.h"

namespace mm {

inline constexpr u32 NIL = 0xffffffffu;

// Where one page frame is. The page renders this byte directly.
enum class FrameState : std::uint8_t {
  Hole = 0,       // no RAM here (or not present in any zone)
  Reserved = 1,   // PageReserved: memblock kept it (kernel image, memmap, ...)
  Uninit = 2,     // struct page not initialised yet (deferred init)
  Buddy = 3,      // first page of a free block on a buddy list (order in `order`)
  BuddyTail = 4,  // other pages of a free block
  Pcp = 5,        // on a per-CPU list
  Alloc = 6,      // first page of an allocation (order in `order`)
  AllocTail = 7,  // other pages of an allocation
  PcpTail = 8,    // other pages of a higher-order page on a per-CPU list
};

// Who owns an allocated frame (for the map's colours and for /proc figures).
enum class Owner : std::uint8_t { None = 0, Kernel = 1, PageTable = 2, Slab = 3, User = 4, PageCache = 5 };

struct MemMap {
  Pfn nr = 0;                           // frames 0 .. nr-1 are described (nr == max_pfn)
  CowArray<std::uint8_t> state;         // FrameState
  CowArray<std::uint8_t> order;         // buddy/allocation order of a head
  CowArray<std::uint8_t> owner;         // Owner of an allocation head
  CowArray<u32> next, prev;             // list links of a head on a free or pcp list
  CowArray<std::uint8_t> pageblock_mt;  // MigrateType per pageblock
  // page_zone() in O(1): node * MAX_NR_ZONES + zone of each pageblock, or
  // kMixedBlock when a pageblock straddles zones (then a search decides).
  static constexpr std::uint16_t kMixedBlock = 0xffff;
  CowArray<std::uint16_t> block_zone;
  // Allocated pages only (task.h): LRU/active/referenced/file bits, the
  // owning pid or file id, and the pid that maps a page-cache page.
  CowArray<std::uint8_t> pflags;
  CowArray<u32> owner_id;
  CowArray<u32> mapper;

  void resize(Pfn n);
  FrameState st(Pfn p) const { return static_cast<FrameState>(state[p]); }
  void set(Pfn p, FrameState s) { state.set(p, static_cast<std::uint8_t>(s)); }
  MigrateType block_mt(Pfn p) const { return static_cast<MigrateType>(pageblock_mt[p >> pageblock_order]); }
  void set_block_mt(Pfn p, MigrateType m) { pageblock_mt.set(p >> pageblock_order, static_cast<std::uint8_t>(m)); }

  // Calls f(p) for every frame in state s, in pfn order. Chunks kept as a
  // pattern cost one test each, so a scan of a 2 TiB machine skips the
  // memory nothing has touched.
  template <class F>
  void for_each_in_state(FrameState s, F&& f) const {
    const auto want = static_cast<std::uint8_t>(s);
    using A = CowArray<std::uint8_t>;
    for (std::size_t c = 0; c < state.chunk_count(); ++c) {
      const Pfn lo = Pfn{c} << 10, hi = lo + state.chunk_size(c);
      static_assert(A::kChunk == 1024);
      std::uint8_t head = 0, rest = 0;
      if (state.is_pattern(c, &head, &rest)) {
        if (head == want) f(lo);
        if (rest == want)
          for (Pfn p = lo + 1; p < hi; ++p) f(p);
        continue;
      }
      for (Pfn p = lo; p < hi; ++p)
        if (state[p] == want) f(p);
    }
  }
  // The end of the run of frames in the state of `from`, at most `to`; a
  // chunk kept as a pattern is crossed at once.
  Pfn run_end(Pfn from, Pfn to) const {
    const std::uint8_t v = state[from];
    Pfn p = from + 1;
    while (p < to) {
      const std::size_t c = static_cast<std::size_t>(p >> 10);
      const Pfn lo = Pfn{c} << 10, hi = std::min<Pfn>(to, lo + state.chunk_size(c));
      std::uint8_t head = 0, rest = 0;
      if (state.is_pattern(c, &head, &rest)) {
        if (p == lo && head != v) return p;
        if (rest != v) return std::max(p, lo + 1) < hi ? std::max(p, lo + 1) : hi;
        p = hi;
        continue;
      }
      for (; p < hi; ++p)
        if (state[p] != v) return p;
    }
    return std::min(p, to);
  }
  // Frames in state s within [from, to), counted a chunk at a time where
  // a chunk is a pattern.
  u64 count_in_state(FrameState s, Pfn from, Pfn to) const {
    const auto want = static_cast<std::uint8_t>(s);
    u64 n = 0;
    for (Pfn p = from; p < to;) {
      const std::size_t c = static_cast<std::size_t>(p >> 10);
      const Pfn lo = Pfn{c} << 10, hi = std::min<Pfn>(to, lo + state.chunk_size(c));
      std::uint8_t head = 0, rest = 0;
      if (state.is_pattern(c, &head, &rest)) {
        if (p == lo) n += head == want;
        n += rest == want ? hi - std::max(p, lo + 1) : 0;
      } else {
        for (Pfn q = p; q < hi; ++q) n += state[q] == want;
      }
      p = hi;
    }
    return n;
  }
};

// A doubly linked list threaded through MemMap::next/prev.
struct FreeList {
  u32 head = NIL, tail = NIL;
  u64 count = 0;
  bool empty() const { return head == NIL; }
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
