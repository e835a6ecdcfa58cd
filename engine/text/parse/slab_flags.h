// SLAB_* flags as a scenario or the page writes them.
#pragma once

#include <string_view>

#include "mm/core/diag.h"
#include "mm/core/types.h"

namespace mm {

// "SLAB_HWCACHE_ALIGN|SLAB_RECLAIM_ACCOUNT", "0x2000" or "0"; names are
// those of kSlabFlagNames (mm/slab/slub.h). A Diagnostic's column points
// at the word it refuses.
Expected<u32> parse_slab_flags(std::string_view text);

}  // namespace mm
