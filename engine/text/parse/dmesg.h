// Importing a real kernel log. From a 6.1 x86_64 boot log the importer takes
// the BIOS-e820 map, the e820 edits (the command line's mem= and memmap=,
// and the log's "e820: update/remove" lines printed before memblock gets
// the table: those the kernel prints for the edits the engine makes itself
// are recognised, the others applied in order), the NUMA setup (SRAT lines
// or "No NUMA configuration found"), the CPU count, the command line's
// memory parameters (kernelcore=, movablecore=, numa=off,
// transparent_hugepage=, mem=, memmap=, parsed as the kernel parses them),
// the RAMDISK and "Memory:" lines, and,
// when the kernel ran with memblock=debug, every memblock_add /
// memblock_reserve / allocation request / memblock_phys_free line in order,
// plus the late "Freeing ... memory: NK" lines. The result is
// a BootPlan the executor replays; without memblock=debug lines the plan is
// the engine's own model of the reservations, and the boot log says so.
#pragma once

#include <string_view>

#include "mm/boot/boot.h"
#include "mm/core/diag.h"

namespace mm {

// `source` is the file name used in diagnostics (FILE:LINE:COL).
Expected<BootPlan> plan_from_dmesg(std::string_view text, std::string_view source);

}  // namespace mm
