// Core vocabulary of the engine: page-frame numbers, orders, migrate types,
// zone types and the constants of Linux 6.1 on x86_64 with 4 KiB pages.
//
// The names follow the kernel (include/linux/mmzone.h) so that a reader can
// cross-check; the values are those of Debian 12's generic amd64 kernel
// (CONFIG_CMA off, so there is no MIGRATE_CMA; ZONE_DEVICE on).
#pragma once

#include <array>
#include <climits>
#include <cstdint>
#include <string_view>

// Some C libraries (musl, Emscripten's) define PAGE_SIZE in <limits.h>; the
// engine's PAGE_SIZE is the x86_64 kernel's, whatever the host's is.
#ifdef PAGE_SIZE
#undef PAGE_SIZE
#endif

namespace mm {

using u64 = std::uint64_t;
using u32 = std::uint32_t;
using Phys = u64;  // a physical address
using Pfn = u64;   // a page frame number
using Order = unsigned;

inline constexpr unsigned PAGE_SHIFT = 12;
inline constexpr u64 PAGE_SIZE = u64{1} << PAGE_SHIFT;
// 6.1 meaning: orders 0 .. MAX_ORDER-1 exist (6.4 changed this to inclusive).
inline constexpr unsigned MAX_ORDER = 11;
inline constexpr unsigned MAX_ORDER_NR_PAGES = 1u << (MAX_ORDER - 1);
inline constexpr unsigned pageblock_order = 9;  // HUGETLB_PAGE_ORDER on x86_64
inline constexpr unsigned pageblock_nr_pages = 1u << pageblock_order;
inline constexpr unsigned SECTION_SIZE_BITS = 27;  // 128 MiB sections
inline constexpr unsigned PFN_SECTION_SHIFT = SECTION_SIZE_BITS - PAGE_SHIFT;
inline constexpr u64 PAGES_PER_SECTION = u64{1} << PFN_SECTION_SHIFT;
inline constexpr unsigned STRUCT_PAGE_SIZE = 64;  // sizeof(struct page)
inline constexpr unsigned PAGE_ALLOC_COSTLY_ORDER = 3;
inline constexpr unsigned SWAP_CLUSTER_MAX = 32;  // reclaim batches; the floor of a movable zone's min (6.12)
inline constexpr int NUMA_NO_NODE = -1;
inline constexpr unsigned MAX_NUMNODES = 1024;  // CONFIG_NODES_SHIFT=10
inline constexpr unsigned MAX_NODES_MODELLED = 64;
inline constexpr unsigned MAX_CPUS_MODELLED = 8192;                 // NR_CPUS of Debian's kernel
inline constexpr Pfn MAX_DMA_PFN = (16u << 20) >> PAGE_SHIFT;       // 16 MiB
inline constexpr Pfn MAX_DMA32_PFN = (u64{4} << 30) >> PAGE_SHIFT;  // 4 GiB

inline constexpr Pfn PFN_UP(Phys x) { return (x + PAGE_SIZE - 1) >> PAGE_SHIFT; }
inline constexpr Pfn PFN_DOWN(Phys x) { return x >> PAGE_SHIFT; }
inline constexpr Phys PFN_PHYS(Pfn p) { return p << PAGE_SHIFT; }

// Migrate types in 6.1 order. MIGRATE_PCPTYPES are the types that have
// per-CPU lists; HIGHATOMIC shares its slot in the pcp arrays.
enum class MigrateType : std::uint8_t {
  Unmovable = 0,
  Movable = 1,
  Reclaimable = 2,
  HighAtomic = 3,
  Isolate = 4,
};
inline constexpr unsigned MIGRATE_PCPTYPES = 3;
inline constexpr unsigned MIGRATE_TYPES = 5;
constexpr unsigned idx(MigrateType m) { return static_cast<unsigned>(m); }

// The names /proc/pagetypeinfo prints (migratetype_names[]).
inline constexpr std::array<std::string_view, MIGRATE_TYPES> kMigrateTypeNames = {"Unmovable", "Movable", "Reclaimable",
                                                                                  "HighAtomic", "Isolate"};
// The letters show_migration_types() prints in the OOM report's buddy lines.
inline constexpr std::array<char, MIGRATE_TYPES> kMigrateTypeLetters = {'U', 'M', 'E', 'H', 'I'};

enum class ZoneType : std::uint8_t { DMA = 0, DMA32 = 1, Normal = 2, Movable = 3, Device = 4 };
inline constexpr unsigned MAX_NR_ZONES = 5;
constexpr unsigned idx(ZoneType z) { return static_cast<unsigned>(z); }
inline constexpr std::array<std::string_view, MAX_NR_ZONES> kZoneNames = {"DMA", "DMA32", "Normal", "Movable",
                                                                          "Device"};

// Rounding helpers on unsigned values (round_up/round_down need a power of two).
constexpr u64 round_down(u64 x, u64 a) { return x & ~(a - 1); }
constexpr u64 round_up(u64 x, u64 a) { return (x + a - 1) & ~(a - 1); }
constexpr bool is_pow2(u64 x) { return x && !(x & (x - 1)); }
constexpr unsigned ffs_order(u64 x) {  // __ffs(): index of the lowest set bit
  unsigned n = 0;
  while (!(x & 1)) {
    x >>= 1;
    ++n;
  }
  return n;
}
constexpr u64 rounddown_pow_of_two(u64 x) {
  u64 p = 1;
  while (p * 2 <= x) p *= 2;
  return p;
}
constexpr u64 roundup_pow_of_two(u64 x) {
  u64 p = 1;
  while (p < x) p *= 2;
  return p;
}
constexpr u64 int_sqrt(u64 x) {  // floor(sqrt(x)), as lib/math/int_sqrt.c
  u64 lo = 0, hi = x < 2 ? x : (x / 2 + 1);
  while (lo < hi) {
    u64 mid = lo + (hi - lo + 1) / 2;
    if (mid <= x / mid)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

}  // namespace mm
