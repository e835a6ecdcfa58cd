// SLUB's state in words: /proc/slabinfo, the one-cache view of the
// playground (`mmsim --slab`, the page's cache dialog) and SLAB_* flag
// names. The model (mm/slab/slub.h) keeps the numbers these read.
#pragma once

#include <string>

#include "mm/slab/slub.h"

namespace mm {

// /proc/slabinfo, "slabinfo - version: 2.1" (mm/slab_common.c cache_show;
// the counts are slabinfo_counts()).
std::string proc_slabinfo(const Machine& m);

// One cache: its geometry, then every slab with each object's state and
// where its free pointer leads.
std::string slab_view(const Machine& m, u32 cache);

// One char per object: '#' allocated, '.' on the slab's freelist, 'c' on
// the CPU freelist.
std::string slab_picture(const Slab& s);

// "SLAB_HWCACHE_ALIGN|SLAB_RECLAIM_ACCOUNT", leftover bits in hex, or "0".
std::string format_slab_flags(u32 flags);

}  // namespace mm
