// /proc renderers: the kernel's exact formats (mm/vmstat.c), read from the
// machine's state and nothing else.
#pragma once

#include <string>

#include "mm/core/machine.h"
#include "text/format/proc_pressure.h"  // meminfo, oom_score, the tasks table

namespace mm {

std::string proc_zoneinfo(const Machine& m);
std::string proc_buddyinfo(const Machine& m);
std::string proc_pagetypeinfo(const Machine& m);
// memblock's "MEMBLOCK configuration:" dump of the final state.
std::string proc_memblock(const Machine& m);
// A crash-style `kmem -f` summary: per zone, order and migrate type, blocks and pages.
std::string proc_kmem_f(const Machine& m);

// calculate_normal_threshold(): the per-CPU vmstat drift allowed per zone.
int stat_threshold(const Machine& m, const Zone& z);

}  // namespace mm
