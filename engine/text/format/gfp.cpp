#include "text/format/gfp.h"

#include <string_view>

#include "mm/page_alloc/gfp.h"

namespace mm {

namespace {

struct AllocFlagName {
  unsigned mask;
  std::string_view name;
};

constexpr AllocFlagName kAllocNames[] = {
    {alloc::NO_WATERMARKS, "ALLOC_NO_WATERMARKS"},
    {alloc::OOM, "ALLOC_OOM"},
    {alloc::NON_BLOCK, "ALLOC_NON_BLOCK"},
    {alloc::MIN_RESERVE, "ALLOC_MIN_RESERVE"},
    {alloc::CPUSET, "ALLOC_CPUSET"},
    {alloc::CMA, "ALLOC_CMA"},
    {alloc::NOFRAGMENT, "ALLOC_NOFRAGMENT"},
    {alloc::HIGHATOMIC, "ALLOC_HIGHATOMIC"},
    {alloc::KSWAPD, "ALLOC_KSWAPD"},
};

constexpr std::string_view kWmarkFlags[] = {"ALLOC_WMARK_MIN", "ALLOC_WMARK_LOW", "ALLOC_WMARK_HIGH", ""};

}  // namespace

std::string format_alloc_flags(unsigned a) {
  std::string s((a & alloc::NO_WATERMARKS) ? std::string_view() : kWmarkFlags[a & alloc::WMARK_MASK]);
  for (const AllocFlagName& n : kAllocNames)
    if (a & n.mask) {
      if (!s.empty()) s += '|';
      s += n.name;
    }
  return s;
}

}  // namespace mm
