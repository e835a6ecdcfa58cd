// ALLOC_* flags (mm/internal.h) as words: the kernel never prints them, so
// unlike a gfp mask's %pGg they are the engine's own words, made at the edge.
#pragma once

#include <string>

namespace mm {

// "ALLOC_WMARK_LOW|ALLOC_KSWAPD": the watermark first (none with
// ALLOC_NO_WATERMARKS), then every other flag set.
std::string format_alloc_flags(unsigned alloc_flags);

}  // namespace mm
