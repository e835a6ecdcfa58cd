// SLUB, the slab allocator of Linux 6.1 (mm/slub.c, mm/slab_common.c), and
// kmalloc on top of it.
//
// A cache (struct kmem_cache) hands out objects of one size. Its objects live
// in slabs: compound pages from the buddy allocator (Owner::Slab), cut into
// `objects` slots of `size` bytes. A free object holds a pointer to the next
// free object at `offset`: that singly linked chain is the freelist.
//
// Where a slab can be, for one cache:
//
//   CPU slab       c->slab: the CPU pops objects from c->freelist without a lock
//                  (the fast path); the slab is "frozen" (owned by that CPU).
//   CPU partial    c->partial: frozen slabs with free objects, kept for this CPU
//                  (at most cpu_partial_slabs of them).
//   node partial   n->partial: unfrozen slabs with some objects free.
//   full           on no list (SLUB only lists full slabs when debugging).
//
// Allocation (slab_alloc_node -> ___slab_alloc):
//   1. c->freelist has an object: pop it (fast path).
//   2. the CPU slab's own freelist (remote frees) has objects: take them all.
//   3. the first CPU partial slab becomes the CPU slab.
//   4. get_partial_node: the first node partial slab becomes the CPU slab,
//      and more are moved to the CPU partial list (up to half of
//      cpu_partial_slabs).
//   5. new_slab: pages of the cache's order from the buddy allocator
//      (without reclaim), falling back to the minimum order.
// Free (do_slab_free -> __slab_free):
//   the CPU slab's object goes on c->freelist (fast path); otherwise onto
//   its slab's freelist. A full slab that gets a free object is frozen onto
//   the CPU partial list (which is flushed to the node when it is already
//   full); an empty slab on the node list is discarded to the buddy
//   allocator once the node keeps min_partial partial slabs.
//
// Caches with debug flags (SLAB_RED_ZONE, SLAB_POISON, SLAB_STORE_USER,
// SLAB_CONSISTENCY_CHECKS) take 6.1's debug path: no CPU slabs, every object
// comes from and goes back to the node lists.
//
// Objects are named by their kernel virtual address in the direct map
// (PAGE_OFFSET + physical address, as the nokaslr captures print them).
//
// Invariants (check_slub_invariants, called from check_invariants):
//   every object of every slab is in exactly one state: allocated, on its
//     slab's freelist, or on the freelist of the CPU whose CPU slab it is;
//   slab.inuse + |slab.freelist| == objects, inuse <= objects;
//   a slab is in exactly one place (CPU slab, CPU partial, node partial,
//     node full, or listed nowhere when full) and frozen iff it is a CPU
//     slab or CPU partial slab;
//   n.nr_slabs / n.total_objects equal the slabs that live on node n;
//   every slab's pages are an allocation of its order with Owner::Slab in
//     the page allocator, and every Owner::Slab allocation is a slab.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mm/core/diag.h"
#include "mm/core/machine.h"
#include "mm/page_alloc/gfp.h"

namespace mm {

// SLAB_* flags (include/linux/slab.h, 6.1 values).
namespace slabf {
inline constexpr u32 CONSISTENCY_CHECKS = 0x100, RED_ZONE = 0x400, POISON = 0x800, KMALLOC = 0x1000,
                     HWCACHE_ALIGN = 0x2000, CACHE_DMA = 0x4000, CACHE_DMA32 = 0x8000, STORE_USER = 0x10000,
                     RECLAIM_ACCOUNT = 0x20000, PANIC = 0x40000, TYPESAFE_BY_RCU = 0x80000, ACCOUNT = 0x4000000,
                     OBJECT_POISON = 0x80000000u;  // __OBJECT_POISON (slub.c internal)
inline constexpr u32 DEBUG_FLAGS = RED_ZONE | POISON | STORE_USER | CONSISTENCY_CHECKS;
inline constexpr u32 NEVER_MERGE = RED_ZONE | POISON | STORE_USER | TYPESAFE_BY_RCU;
inline constexpr u32 MERGE_SAME = RECLAIM_ACCOUNT | CACHE_DMA | CACHE_DMA32 | ACCOUNT;
// What kmem_cache_create accepts from a caller.
inline constexpr u32 PERMITTED = CONSISTENCY_CHECKS | RED_ZONE | POISON | HWCACHE_ALIGN | CACHE_DMA | CACHE_DMA32 |
                                 STORE_USER | RECLAIM_ACCOUNT | PANIC | TYPESAFE_BY_RCU | ACCOUNT;
}  // namespace slabf

// The flags' names as the kernel spells them (text/parse/slab_flags.h reads
// them, text/format/slabinfo.h writes them).
struct SlabFlagName {
  std::string_view name;
  u32 bit;
};
inline constexpr std::array<SlabFlagName, 13> kSlabFlagNames = {{
    {"SLAB_CONSISTENCY_CHECKS", slabf::CONSISTENCY_CHECKS},
    {"SLAB_RED_ZONE", slabf::RED_ZONE},
    {"SLAB_POISON", slabf::POISON},
    {"SLAB_KMALLOC", slabf::KMALLOC},
    {"SLAB_HWCACHE_ALIGN", slabf::HWCACHE_ALIGN},
    {"SLAB_CACHE_DMA", slabf::CACHE_DMA},
    {"SLAB_CACHE_DMA32", slabf::CACHE_DMA32},
    {"SLAB_STORE_USER", slabf::STORE_USER},
    {"SLAB_RECLAIM_ACCOUNT", slabf::RECLAIM_ACCOUNT},
    {"SLAB_PANIC", slabf::PANIC},
    {"SLAB_TYPESAFE_BY_RCU", slabf::TYPESAFE_BY_RCU},
    {"SLAB_ACCOUNT", slabf::ACCOUNT},
    {"__OBJECT_POISON", slabf::OBJECT_POISON},
}};

inline constexpr u64 PAGE_OFFSET = 0xffff888000000000ull;  // x86_64 direct map, 4-level, nokaslr
inline constexpr u64 ZERO_SIZE_PTR = 16;                   // kmalloc(0)
inline constexpr unsigned KMALLOC_SHIFT_LOW = 3, KMALLOC_SHIFT_HIGH = PAGE_SHIFT + 1;  // 8 .. 8k
inline constexpr u64 KMALLOC_MAX_CACHE_SIZE = u64{1} << KMALLOC_SHIFT_HIGH;
inline constexpr u64 KMALLOC_MAX_SIZE = u64{1} << (MAX_ORDER - 1 + PAGE_SHIFT);
inline constexpr unsigned SLUB_MAX_ORDER = PAGE_ALLOC_COSTLY_ORDER;  // slub_max_order
inline constexpr unsigned CACHE_LINE_SIZE = 64;
enum KmallocType : unsigned {
  KMALLOC_NORMAL = 0,
  KMALLOC_CGROUP = 1,
  KMALLOC_RECLAIM = 2,
  KMALLOC_DMA = 3,
  NR_KMALLOC_TYPES = 4
};

// The layout calculate_sizes() and friends compute for a cache.
struct CacheGeometry {
  u32 object_size = 0;  // what the caller asked for
  u32 size = 0;         // slot size: object, free pointer, debug data, padding
  u32 align = 0;
  u32 inuse = 0;   // offset of the metadata after the object
  u32 offset = 0;  // where a free object keeps its free pointer
  u32 red_left_pad = 0;
  u32 flags = 0;    // after kmem_cache_flags and __OBJECT_POISON
  Order order = 0;  // oo: preferred order and its object count
  u32 objects = 0;
  Order min_order = 0;  // min: the fallback order
  u32 min_objects = 0;
  gfp_t allocflags = 0;
  u32 min_partial = 0;
  u32 cpu_partial = 0;        // objects (the sysfs figure)
  u32 cpu_partial_slabs = 0;  // what 6.1 really limits
};

// calculate_alignment() (slab_common.c).
u32 calculate_alignment(u32 flags, u32 align, u32 size);
// min_objects for calculate_order: 4 * (fls(nr_cpus) + 1), where a single
// present CPU falls back to nr_cpu_ids.
u32 slub_min_objects(unsigned nr_present_cpus, unsigned nr_cpu_ids);
// calculate_order(): the waste-fraction loop over orders 0..slub_max_order.
int calculate_order(u32 size, u32 min_objects);
// kmem_cache_open(): calculate_sizes + min_partial + set_cpu_partial for a
// cache whose alignment is already `align`. nullopt when no object fits.
std::optional<CacheGeometry> compute_geometry(u32 object_size, u32 align, u32 flags, unsigned nr_cpus);

// ---- state ---------------------------------------------------------------

inline constexpr u32 NO_CACHE = 0xffffffffu;
inline constexpr Pfn NO_SLAB = ~Pfn{0};

enum class ObjState : std::uint8_t { SlabFree = 0, CpuFree = 1, Allocated = 2 };
enum class SlabPlace : std::uint8_t { CpuSlab, CpuPartial, NodePartial, NodeFull, Full };
// "cpu slab", "cpu partial", "node partial", "node full", "full".
const char* to_string(SlabPlace p);

// struct slab: one slab's pages and objects.
struct Slab {
  Pfn pfn = 0;
  Order order = 0;
  u32 cache = NO_CACHE;
  int node = 0;
  u32 objects = 0;
  u32 inuse = 0;  // objects not on slab.freelist (a CPU slab counts its c->freelist as in use)
  bool frozen = false;
  SlabPlace place = SlabPlace::Full;
  int cpu = -1;                 // CPU slab / CPU partial: which CPU
  std::vector<u32> freelist;    // object indices, head first
  std::vector<ObjState> state;  // per object
};

struct KmemCacheCpu {
  Pfn slab = NO_SLAB;
  std::vector<u32> freelist;  // c->freelist: objects of c->slab, head first
  std::vector<Pfn> partial;   // c->partial, head first
};

struct KmemCacheNode {
  bool present = false;      // a kmem_cache_node exists for this node
  std::vector<Pfn> partial;  // n->partial, head first
  std::vector<Pfn> full;     // n->full (SLAB_STORE_USER caches only)
  u64 nr_slabs = 0, total_objects = 0;
  u64 obj = 0;  // address of the struct kmem_cache_node object
};

struct KmemCache {
  std::string name;
  bool alive = true;
  int refcount = 1;  // -1: never merge (boot and kmalloc-normal caches)
  u32 usersize = 0;  // kmalloc caches: the whole object is usercopy
  CacheGeometry g;
  std::vector<std::string> aliases;  // names merged into this cache
  std::vector<KmemCacheCpu> cpu;
  std::vector<KmemCacheNode> node;
  std::vector<u32> random_seq;  // SLAB_FREELIST_RANDOM: object indices
  u64 obj = 0;                  // address of its struct kmem_cache object
  bool debug() const { return g.flags & slabf::DEBUG_FLAGS; }
};

struct LargeKmalloc {
  Order order = 0;
  u64 size = 0;  // requested
};

struct SlubState {
  std::vector<KmemCache> caches;      // index == cache id; destroyed ones stay, !alive
  std::vector<u32> list;              // slab_caches, head (newest) first
  std::map<Pfn, Slab> slabs;          // every slab, by first pfn
  std::map<Pfn, LargeKmalloc> large;  // kmalloc_large pages, by first pfn
  std::array<std::array<u32, KMALLOC_SHIFT_HIGH + 1>, NR_KMALLOC_TYPES> kmalloc_caches{};
  std::array<std::uint8_t, 24> size_index{};
  u32 kmem_cache = NO_CACHE, kmem_cache_node = NO_CACHE;
  unsigned nr_cpu_ids = 1, nr_node_ids = 1;
  bool up = false;              // slab_state == UP: kmalloc works
  bool freelist_random = true;  // CONFIG_SLAB_FREELIST_RANDOM (Debian: y)
  u64 rng = 0x5eedu;            // splitmix64 state behind get_random_*()
};

// kmem_cache_init(): boot caches, bootstrap, the kmalloc caches, random
// sequences; prints the "SLUB: HWalign=..." line. Runs once, after mem_init.
void kmem_cache_init(Machine& m);
// Switches freelist randomisation (new slabs only) and reseeds it.
void slub_set_freelist_random(Machine& m, bool on, u64 seed);

struct KmallocOutcome {
  bool ok = false;
  u64 addr = 0;
  u32 cache = NO_CACHE;  // NO_CACHE for kmalloc_large and kmalloc(0)
  Pfn pfn = 0;           // the slab's (or the large allocation's) first pfn
  u32 index = 0;         // object index in its slab
  std::string failure;
};

// kmalloc_slab(): the cache serving `size` for `gfp`; NO_CACHE for 0 and
// for sizes above KMALLOC_MAX_CACHE_SIZE.
u32 kmalloc_slab(const Machine& m, u64 size, gfp_t gfp);
// kmalloc_type(): which of the kmalloc arrays serves the mask (zone_dma:
// CONFIG_ZONE_DMA, without which __GFP_DMA picks no array of its own).
KmallocType kmalloc_type(gfp_t gfp, bool zone_dma = true);
Expected<KmallocOutcome> kmalloc(Machine& m, u64 size, gfp_t gfp, int cpu = 0);
Status kfree(Machine& m, u64 addr, int cpu = 0);
Expected<u64> ksize(const Machine& m, u64 addr);

Expected<u32> kmem_cache_create(Machine& m, std::string_view name, u32 size, u32 align, u32 flags);
Expected<KmallocOutcome> kmem_cache_alloc(Machine& m, u32 cache, gfp_t gfp, int cpu = 0);
Status kmem_cache_free(Machine& m, u32 cache, u64 addr, int cpu = 0);
// By name: destroying an alias drops that name and a reference.
Status kmem_cache_destroy(Machine& m, std::string_view name);
Status kmem_cache_shrink(Machine& m, u32 cache);
// Flushes every CPU slab and CPU partial list of every cache, then shrinks
// every cache (what dropping slab caches on memory offline does).
void kmem_cache_shrink_all(Machine& m);

// A cache by name or alias; nullopt when there is none.
std::optional<u32> find_cache(const Machine& m, std::string_view name);
const KmemCache* cache_of(const Machine& m, u32 id);
const Slab* slab_of(const Machine& m, u64 addr);  // the slab an address lies in
// The address of object `i` of slab `sl` (after the left red zone).
u64 object_address(const KmemCache& s, const Slab& sl, u32 i);

// What /proc/slabinfo counts for one cache (text/format/slabinfo.h prints
// it): objects on node partial slabs' freelists are the free ones; CPU
// slabs and CPU partial slabs count as in use, as count_partial() sees it.
struct SlabinfoCounts {
  u64 active_objs = 0, num_objs = 0, slabs = 0;
};
SlabinfoCounts slabinfo_counts(const SlubState& st, const KmemCache& s);

// Pages in slabs (NR_SLAB_RECLAIMABLE_B / NR_SLAB_UNRECLAIMABLE_B in pages;
// kmalloc_large pages count as unreclaimable, as in 6.1).
u64 slab_reclaimable_pages(const Machine& m);
u64 slab_unreclaimable_pages(const Machine& m);

std::vector<std::string> check_slub_invariants(const Machine& m);

}  // namespace mm
