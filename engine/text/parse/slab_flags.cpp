#include "text/parse/slab_flags.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "mm/slab/slub.h"

namespace mm {

Expected<u32> parse_slab_flags(std::string_view text) {
  u32 flags = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t bar = text.find('|', pos);
    std::string_view w = text.substr(pos, bar == std::string_view::npos ? text.size() - pos : bar - pos);
    const int col = static_cast<int>(pos) + 1;
    while (!w.empty() && w.front() == ' ') w.remove_prefix(1);
    while (!w.empty() && w.back() == ' ') w.remove_suffix(1);
    if (w.empty()) return Diagnostic{"", 0, col, "expected a SLAB_* flag"};
    bool found = false;
    for (const SlabFlagName& f : kSlabFlagNames)
      if (w == f.name) {
        flags |= f.bit;
        found = true;
      }
    if (!found) {
      const bool hex = w.size() > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X');
      std::string_view digits = hex ? w.substr(2) : w;
      const bool ok = !digits.empty() && digits.size() <= 8 && std::all_of(digits.begin(), digits.end(), [&](char c) {
        return hex ? std::isxdigit(static_cast<unsigned char>(c)) != 0 : (c >= '0' && c <= '9');
      });
      if (!ok) return Diagnostic{"", 0, col, "unknown slab flag '" + std::string(w) + "'"};
      flags |= static_cast<u32>(std::stoul(std::string(digits), nullptr, hex ? 16 : 10));
    }
    if (bar == std::string_view::npos) break;
    pos = bar + 1;
  }
  return flags;
}

}  // namespace mm
