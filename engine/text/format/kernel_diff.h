// Why a figure differs between the two kernel profiles, in words (the
// table is kernel_diff.def; session/compare.h finds the differences).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "text/format/narration.h"

namespace mm {

enum class KernelDiff : std::uint8_t {
#define MM_KERNEL_DIFF(code, en, zh) code,
#include "text/format/kernel_diff.def"
#undef MM_KERNEL_DIFF
};

inline constexpr std::array<std::string_view, 0
#define MM_KERNEL_DIFF(code, en, zh) +1
#include "text/format/kernel_diff.def"
#undef MM_KERNEL_DIFF
                            >
    kKernelDiffCodes = {
#define MM_KERNEL_DIFF(code, en, zh) #code,
#include "text/format/kernel_diff.def"
#undef MM_KERNEL_DIFF
};

std::string_view kernel_diff_code(KernelDiff d);
const Words& kernel_diff_words(KernelDiff d);

}  // namespace mm
