#include "mm/page_alloc/gfp.h"

#include <cctype>
#include <algorithm>
#include <cstdio>
#include <vector>

namespace mm {

namespace {

struct Name {
  gfp_t mask;
  const char* name;
};

// The order of __def_gfpflag_names (include/trace/events/mmflags.h): the
// printer takes the first entry whose bits are all set, clears them, goes on.
constexpr Name kGfpNames[] = {
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

// Extra spellings accepted on input only.
constexpr Name kAliases[] = {{gfp::DMA, "__GFP_DMA"}, {gfp::DMA32, "__GFP_DMA32"}};

constexpr Name kAllocNames[] = {
    {alloc::NO_WATERMARKS, "ALLOC_NO_WATERMARKS"}, {alloc::OOM, "ALLOC_OOM"},
    {alloc::NON_BLOCK, "ALLOC_NON_BLOCK"},         {alloc::MIN_RESERVE, "ALLOC_MIN_RESERVE"},
    {alloc::CPUSET, "ALLOC_CPUSET"},               {alloc::CMA, "ALLOC_CMA"},
    {alloc::NOFRAGMENT, "ALLOC_NOFRAGMENT"},       {alloc::HIGHATOMIC, "ALLOC_HIGHATOMIC"},
    {alloc::KSWAPD, "ALLOC_KSWAPD"},
};

}  // namespace

Expected<gfp_t> parse_gfp(std::string_view text) {
  gfp_t g = 0;
  size_t i = 0;
  bool any = false;
  while (i <= text.size()) {
    size_t bar = text.find('|', i);
    std::string_view part = text.substr(i, bar == std::string_view::npos ? text.size() - i : bar - i);
    size_t lead = 0;
    while (lead < part.size() && std::isspace(static_cast<unsigned char>(part[lead]))) ++lead;
    size_t end = part.size();
    while (end > lead && std::isspace(static_cast<unsigned char>(part[end - 1]))) --end;
    std::string_view word = part.substr(lead, end - lead);
    const int col = static_cast<int>(i + lead) + 1;
    if (word.empty()) return Diagnostic{"", 1, col, "empty gfp flag (two '|' in a row?)"};
    bool found = false;
    if (word.size() > 2 && word[0] == '0' && (word[1] == 'x' || word[1] == 'X')) {
      u64 v = 0;
      for (size_t k = 2; k < word.size(); ++k) {
        int c = std::tolower(static_cast<unsigned char>(word[k]));
        if (!std::isxdigit(c) || v > 0xfffffff) return Diagnostic{"", 1, col, "bad hex gfp mask '" + std::string(word) + "'"};
        v = v * 16 + static_cast<u64>(c <= '9' ? c - '0' : c - 'a' + 10);
      }
      g |= static_cast<gfp_t>(v);
      found = true;
    }
    for (const Name& n : kGfpNames)
      if (!found && word == n.name) {
        g |= n.mask;
        found = true;
      }
    for (const Name& n : kAliases)
      if (!found && word == n.name) {
        g |= n.mask;
        found = true;
      }
    if (!found) {
      // Suggest the closest name (Levenshtein distance up to 3).
      auto dist = [](std::string_view a, std::string_view b) {
        std::vector<size_t> row(b.size() + 1);
        for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
        for (size_t i2 = 1; i2 <= a.size(); ++i2) {
          size_t diag = row[0];
          row[0] = i2;
          for (size_t j = 1; j <= b.size(); ++j) {
            size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i2 - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
          }
        }
        return row[b.size()];
      };
      std::string hint;
      size_t best = 4;
      for (const Name& n : kGfpNames)
        if (size_t d = dist(word, n.name); d < best) {
          best = d;
          hint = std::string(" (did you mean ") + n.name + "?)";
        }
      return Diagnostic{"", 1, col, "unknown gfp flag '" + std::string(word) + "'" + hint};
    }
    any = true;
    if (bar == std::string_view::npos) break;
    i = bar + 1;
  }
  if (!any) return Diagnostic{"", 1, 1, "empty gfp mask"};
  if (g & ~gfp::BITS_MASK) return Diagnostic{"", 1, 1, "gfp mask has bits above __GFP_BITS_MASK"};
  return g;
}

std::string format_gfp(gfp_t g) {
  std::string s;
  for (const Name& n : kGfpNames) {
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

std::string format_alloc_flags(unsigned a) {
  static const char* wm[] = {"ALLOC_WMARK_MIN", "ALLOC_WMARK_LOW", "ALLOC_WMARK_HIGH"};
  std::string s = (a & alloc::NO_WATERMARKS) ? "" : wm[a & alloc::WMARK_MASK];
  for (const Name& n : kAllocNames)
    if (a & n.mask) s += (s.empty() ? "" : "|") + std::string(n.name);
  return s;
}

std::optional<ZoneType> gfp_zone(gfp_t g) {
  const unsigned bits = g & gfp::ZONEMASK;
  switch (bits) {
    case 0: return ZoneType::Normal;
    case gfp::DMA: return ZoneType::DMA;
    case gfp::HIGHMEM: return ZoneType::Normal;  // no highmem on x86_64
    case gfp::DMA32: return ZoneType::DMA32;
    case gfp::MOVABLE: return ZoneType::Normal;
    case gfp::MOVABLE | gfp::DMA: return ZoneType::DMA;
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
