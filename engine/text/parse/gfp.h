// Reading a gfp mask from text: the kernel's flag names (as %pGg prints
// them) joined by '|', or a hex number, with a suggestion for a near miss.
#pragma once

#include <string_view>

#include "mm/core/diag.h"
#include "mm/page_alloc/gfp.h"

namespace mm {

// "GFP_KERNEL|__GFP_ZERO", "0x400dc0", "GFP_HIGHUSER_MOVABLE | __GFP_COMP":
// names joined by '|', or a number. Errors carry a 1-based column; an
// unknown name suggests the closest one ("did you mean __GFP_ZERO?").
Expected<gfp_t> parse_gfp(std::string_view text);

}  // namespace mm
