// The same machine booted as Linux 6.1 and as Linux 6.12, and every figure
// that differs between the two boots, each with the reason (the words are
// text/format/kernel_diff.def). mmsim's `boot --compare`, the page's compare
// view and the wasm binding `compareKernels` all read this list.
#pragma once

#include <string>
#include <vector>

#include "mm/core/diag.h"
#include "mm/core/machine_spec.h"
#include "text/format/kernel_diff.h"

namespace mm {

struct KernelDifference {
  std::string what;         // "Node 0 DMA32 managed", "log: Memory:", "zoneinfo: nr_iommu_pages"
  std::string v6_1, v6_12;  // the figure or line under each ("" where one has none)
  KernelDiff why = KernelDiff::other;
};

// Boots `spec` under both profiles (each with its own Debian image) and
// lists what differs, zone by zone (spans, managed, watermarks, protection,
// pcp batch and high), then the globals, the boot lines and the zoneinfo
// fields one prints and the other does not. Fails when either boot does.
Expected<std::vector<KernelDifference>> compare_kernels(const MachineSpec& spec);

// One line per difference: "what: 6.1 -> 6.12 (why)".
std::string format_kernel_differences(const std::vector<KernelDifference>& d, Lang lang);
// [{"what","v6_1","v6_12","why"}], why a code of the catalogue's kernelDiffs.
std::string kernel_differences_json(const std::vector<KernelDifference>& d);

}  // namespace mm
