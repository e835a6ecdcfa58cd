#include "mm/page_alloc/gfp.h"

#include <cstdio>

namespace mm {

namespace {

// The order of __def_gfpflag_names (include/trace/events/mmflags.h): the
// printer takes the first entry whose bits are all set, clears them, goes on.
constexpr GfpFlagName kGfpNames[] = {
    {gfp::GFP_TRANSHUGE, "GFP_TRANSHUGE"},
    {gfp::GFP_TRANSHUGE_LIGHT, "GFP_TRANSHUGE_LIGHT"},
    {gfp::GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE"},
    {gfp::GFP_HIGHUSER, "GFP_HIGHUSER"},
    {gfp::GFP_USER, "GFP_USER"},
    {gfp::GFP_KERNEL_ACCOUNT, "GFP_KERNEL_ACCOUNT"},
    {gfp::GFP_KERNEL, "GFP_KERNEL"},
    {gfp::GFP_NOFS, "GFP_NOFS"},
    {gfp::GFP_ATOMIC, "GFP_ATOMIC"},
    {gfp::GFP_NOIO, "GFP_NOIO"},
    {gfp::GFP_NOWAIT, "GFP_NOWAIT"},
    {gfp::GFP_DMA, "GFP_DMA"},
    {gfp::HIGHMEM, "__GFP_HIGHMEM"},
    {gfp::GFP_DMA32, "GFP_DMA32"},
    {gfp::HIGH, "__GFP_HIGH"},
    {gfp::ATOMIC, "__GFP_ATOMIC"},
    {gfp::IO, "__GFP_IO"},
    {gfp::FS, "__GFP_FS"},
    {gfp::NOWARN, "__GFP_NOWARN"},
    {gfp::RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL"},
    {gfp::NOFAIL, "__GFP_NOFAIL"},
    {gfp::NORETRY, "__GFP_NORETRY"},
    {gfp::COMP, "__GFP_COMP"},
    {gfp::ZERO, "__GFP_ZERO"},
    {gfp::NOMEMALLOC, "__GFP_NOMEMALLOC"},
    {gfp::MEMALLOC, "__GFP_MEMALLOC"},
    {gfp::HARDWALL, "__GFP_HARDWALL"},
    {gfp::THISNODE, "__GFP_THISNODE"},
    {gfp::RECLAIMABLE, "__GFP_RECLAIMABLE"},
    {gfp::MOVABLE, "__GFP_MOVABLE"},
    {gfp::ACCOUNT, "__GFP_ACCOUNT"},
    {gfp::WRITE, "__GFP_WRITE"},
    {gfp::RECLAIM, "__GFP_RECLAIM"},
    {gfp::DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM"},
    {gfp::KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM"},
    {gfp::ZEROTAGS, "__GFP_ZEROTAGS"},
};

}  // namespace

std::span<const GfpFlagName> gfp_flag_names() { return kGfpNames; }

std::string format_gfp(gfp_t g) {
  std::string s;
  for (const GfpFlagName& n : kGfpNames) {
    if ((g & n.mask) != n.mask) continue;
    g &= ~n.mask;
    if (!s.empty()) s += '|';
    s += n.name;
  }
  if (g) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%x", g);
    if (!s.empty()) s += '|';
    s += b;
  }
  return s;
}

std::string format_gfp_full(gfp_t g) {
  char b[16];
  std::snprintf(b, sizeof b, "%#x", g);
  return std::string(b) + "(" + format_gfp(g) + ")";
}

std::optional<ZoneType> gfp_zone(gfp_t g, bool zone_dma) {
  const unsigned bits = g & gfp::ZONEMASK;
  const ZoneType opt_zone_dma = zone_dma ? ZoneType::DMA : ZoneType::Normal;  // OPT_ZONE_DMA
  switch (bits) {
    case 0: return ZoneType::Normal;
    case gfp::DMA: return opt_zone_dma;
    case gfp::HIGHMEM: return ZoneType::Normal;  // no highmem on x86_64
    case gfp::DMA32: return ZoneType::DMA32;
    case gfp::MOVABLE: return ZoneType::Normal;
    case gfp::MOVABLE | gfp::DMA: return opt_zone_dma;
    case gfp::MOVABLE | gfp::HIGHMEM: return ZoneType::Movable;
    case gfp::MOVABLE | gfp::DMA32: return ZoneType::DMA32;
    default: return std::nullopt;  // GFP_ZONE_BAD
  }
}

MigrateType gfp_migratetype(gfp_t g, bool mobility_disabled) {
  if (mobility_disabled) return MigrateType::Unmovable;
  return static_cast<MigrateType>((g & (gfp::MOVABLE | gfp::RECLAIMABLE)) >> 3);
}

unsigned gfp_to_alloc_flags(gfp_t g, Order order) {
  unsigned a = alloc::WMARK_MIN | alloc::CPUSET;
  a |= g & (gfp::HIGH | gfp::KSWAPD_RECLAIM);  // == ALLOC_MIN_RESERVE, ALLOC_KSWAPD
  if (!(g & gfp::DIRECT_RECLAIM)) {
    if (!(g & gfp::NOMEMALLOC)) {
      a |= alloc::NON_BLOCK;
      if (order > 0 && (a & alloc::MIN_RESERVE)) a |= alloc::HIGHATOMIC;
    }
    if (a & alloc::MIN_RESERVE) a &= ~alloc::CPUSET;
  }
  return a;
}

std::optional<std::string> gfp_check(gfp_t g, Order order) {
  if (order >= MAX_ORDER)
    return "order " + std::to_string(order) + " is too large: 6.1's largest block is order " +
           std::to_string(MAX_ORDER - 1) + " (MAX_ORDER - 1)";
  if (!gfp_zone(g)) return "the zone bits of " + format_gfp(g) + " ask for two zones at once (GFP_ZONE_BAD)";
  if ((g & (gfp::MOVABLE | gfp::RECLAIMABLE)) == (gfp::MOVABLE | gfp::RECLAIMABLE))
    return "__GFP_MOVABLE and __GFP_RECLAIMABLE together name no migrate type";
  if ((g & gfp::MEMALLOC) && (g & gfp::NOMEMALLOC)) return "__GFP_MEMALLOC and __GFP_NOMEMALLOC contradict each other";
  return std::nullopt;
}

}  // namespace mm
