// gfp masks as Linux 6.1 (Debian's 6.1.192, which carries the ALLOC_MIN_RESERVE
// / ALLOC_NON_BLOCK rework that replaced ALLOC_HARDER) defines them: the bit
// values, the named combinations, gfp_zone(), gfp_migratetype(),
// gfp_to_alloc_flags(), and the "%pGg" printing the kernel uses in its
// warnings ("GFP_KERNEL|__GFP_ZERO").
//
// Reading a mask from text (with suggestions for typos) is in
// text/parse/gfp.h; ALLOC_* flags as words are in text/format/gfp.h.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "mm/core/diag.h"
#include "mm/core/types.h"

namespace mm {

using gfp_t = u32;

namespace gfp {
inline constexpr gfp_t DMA = 0x01, HIGHMEM = 0x02, DMA32 = 0x04, MOVABLE = 0x08, RECLAIMABLE = 0x10, HIGH = 0x20,
                       IO = 0x40, FS = 0x80, ZERO = 0x100, ATOMIC = 0x200, DIRECT_RECLAIM = 0x400,
                       KSWAPD_RECLAIM = 0x800, WRITE = 0x1000, NOWARN = 0x2000, RETRY_MAYFAIL = 0x4000, NOFAIL = 0x8000,
                       NORETRY = 0x10000, MEMALLOC = 0x20000, COMP = 0x40000, NOMEMALLOC = 0x80000, HARDWALL = 0x100000,
                       THISNODE = 0x200000, ACCOUNT = 0x400000, ZEROTAGS = 0x800000;
inline constexpr gfp_t ZONEMASK = DMA | HIGHMEM | DMA32 | MOVABLE;
inline constexpr gfp_t RECLAIM = DIRECT_RECLAIM | KSWAPD_RECLAIM;
inline constexpr gfp_t BITS_MASK = (1u << 27) - 1;

inline constexpr gfp_t GFP_ATOMIC = HIGH | ATOMIC | KSWAPD_RECLAIM;
inline constexpr gfp_t GFP_KERNEL = RECLAIM | IO | FS;
inline constexpr gfp_t GFP_KERNEL_ACCOUNT = GFP_KERNEL | ACCOUNT;
inline constexpr gfp_t GFP_NOWAIT = KSWAPD_RECLAIM;
inline constexpr gfp_t GFP_NOIO = RECLAIM;
inline constexpr gfp_t GFP_NOFS = RECLAIM | IO;
inline constexpr gfp_t GFP_USER = RECLAIM | IO | FS | HARDWALL;
inline constexpr gfp_t GFP_DMA = DMA;
inline constexpr gfp_t GFP_DMA32 = DMA32;
inline constexpr gfp_t GFP_HIGHUSER = GFP_USER | HIGHMEM;
inline constexpr gfp_t GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | MOVABLE;  // KASAN bits are 0 on Debian
inline constexpr gfp_t GFP_TRANSHUGE_LIGHT = (GFP_HIGHUSER_MOVABLE | COMP | NOMEMALLOC | NOWARN) & ~RECLAIM;
inline constexpr gfp_t GFP_TRANSHUGE = GFP_TRANSHUGE_LIGHT | DIRECT_RECLAIM;
}  // namespace gfp

// alloc_flags (mm/internal.h).
namespace alloc {
inline constexpr unsigned WMARK_MIN = 0, WMARK_LOW = 1, WMARK_HIGH = 2, NO_WATERMARKS = 0x04, WMARK_MASK = 0x03,
                          OOM = 0x08, NON_BLOCK = 0x10, MIN_RESERVE = 0x20, CPUSET = 0x40, CMA = 0x80,
                          NOFRAGMENT = 0x100, HIGHATOMIC = 0x200, KSWAPD = 0x800;
inline constexpr unsigned RESERVES = NON_BLOCK | MIN_RESERVE | HIGHATOMIC | OOM;
}  // namespace alloc

// The flag names of __def_gfpflag_names (include/trace/events/mmflags.h), in
// its order: the printer takes the first entry whose bits are all set,
// clears them and goes on. The parser reads the same names.
struct GfpFlagName {
  gfp_t mask;
  std::string_view name;
};
std::span<const GfpFlagName> gfp_flag_names();

// The kernel's %pGg: named combinations first, then single flags, then any
// leftover bits in hex; "0x0" style prefix not included (see format_gfp_full).
std::string format_gfp(gfp_t g);
// "0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO)" as OOM reports print it.
std::string format_gfp_full(gfp_t g);

// gfp_zone(): the highest zone the mask allows; nullopt for the combinations
// GFP_ZONE_BAD forbids (e.g. __GFP_DMA|__GFP_DMA32). A kernel without
// CONFIG_ZONE_DMA (zone_dma false) reads __GFP_DMA as ZONE_NORMAL
// (OPT_ZONE_DMA), with or without __GFP_MOVABLE; the bad pairs stay bad.
std::optional<ZoneType> gfp_zone(gfp_t g, bool zone_dma = true);
// gfp_migratetype(): MOVABLE/RECLAIMABLE mobility bits, Unmovable otherwise.
MigrateType gfp_migratetype(gfp_t g, bool mobility_disabled);
unsigned gfp_to_alloc_flags(gfp_t g, Order order);
// Validates a mask for an allocation; a message when the kernel would warn
// or BUG (bad zone bits, MOVABLE|RECLAIMABLE, NOFAIL above order 1, ...).
std::optional<std::string> gfp_check(gfp_t g, Order order);

}  // namespace mm
