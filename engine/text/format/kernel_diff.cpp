#include "text/format/kernel_diff.h"

namespace mm {

namespace {

constexpr Words kWords[] = {
#define MM_KERNEL_DIFF(code, en, zh) Words{en, zh},
#include "text/format/kernel_diff.def"
#undef MM_KERNEL_DIFF
};
static_assert(std::size(kWords) == kKernelDiffCodes.size());

}  // namespace

std::string_view kernel_diff_code(KernelDiff d) { return kKernelDiffCodes[static_cast<std::size_t>(d)]; }
const Words& kernel_diff_words(KernelDiff d) { return kWords[static_cast<std::size_t>(d)]; }

}  // namespace mm
