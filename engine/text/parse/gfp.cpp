#include "text/parse/gfp.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace mm {

namespace {

// Spellings accepted on input only (%pGg prints GFP_DMA / GFP_DMA32).
constexpr GfpFlagName kAliases[] = {{gfp::DMA, "__GFP_DMA"}, {gfp::DMA32, "__GFP_DMA32"}};

// Levenshtein distance, for the suggestion.
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::optional<gfp_t> named(std::string_view word) {
  for (const GfpFlagName& n : gfp_flag_names())
    if (word == n.name) return n.mask;
  for (const GfpFlagName& n : kAliases)
    if (word == n.name) return n.mask;
  return std::nullopt;
}

// A word as an error quotes it: a long one is cut, with its length.
std::string quoted(std::string_view word) {
  constexpr std::size_t kShown = 48;
  if (word.size() <= kShown) return "'" + std::string(word) + "'";
  return "'" + std::string(word.substr(0, kShown)) + "...' (" + std::to_string(word.size()) + " characters)";
}

}  // namespace

Expected<gfp_t> parse_gfp(std::string_view text) {
  gfp_t g = 0;
  std::size_t i = 0;
  bool any = false;
  while (i <= text.size()) {
    const std::size_t bar = text.find('|', i);
    const std::string_view part = text.substr(i, bar == std::string_view::npos ? text.size() - i : bar - i);
    std::size_t lead = 0;
    while (lead < part.size() && std::isspace(static_cast<unsigned char>(part[lead]))) ++lead;
    std::size_t end = part.size();
    while (end > lead && std::isspace(static_cast<unsigned char>(part[end - 1]))) --end;
    const std::string_view word = part.substr(lead, end - lead);
    const int col = static_cast<int>(i + lead) + 1;
    if (word.empty()) return Diagnostic{"", 1, col, "empty gfp flag (two '|' in a row?)"};
    if (word.size() > 2 && word[0] == '0' && (word[1] == 'x' || word[1] == 'X')) {
      u64 v = 0;
      for (std::size_t k = 2; k < word.size(); ++k) {
        const int c = std::tolower(static_cast<unsigned char>(word[k]));
        if (!std::isxdigit(c) || v > 0xfffffff) return Diagnostic{"", 1, col, "bad hex gfp mask " + quoted(word)};
        v = v * 16 + static_cast<u64>(c <= '9' ? c - '0' : c - 'a' + 10);
      }
      g |= static_cast<gfp_t>(v);
    } else if (auto mask = named(word)) {
      g |= *mask;
    } else {
      // Suggest the closest name (edit distance up to 3). The distance is
      // at least the difference in length, so a word far longer than every
      // name is not compared (a 1 MB word would cost seconds).
      std::string hint;
      std::size_t best = 4;
      for (const GfpFlagName& n : gfp_flag_names())
        if (word.size() >= n.name.size() + best || n.name.size() >= word.size() + best) {
          continue;
        } else if (const std::size_t d = distance(word, n.name); d < best) {
          best = d;
          hint = " (did you mean " + std::string(n.name) + "?)";
        }
      return Diagnostic{"", 1, col, "unknown gfp flag " + quoted(word) + hint};
    }
    any = true;
    if (bar == std::string_view::npos) break;
    i = bar + 1;
  }
  if (!any) return Diagnostic{"", 1, 1, "empty gfp mask"};
  if (g & ~gfp::BITS_MASK) return Diagnostic{"", 1, 1, "gfp mask has bits above __GFP_BITS_MASK"};
  return g;
}

}  // namespace mm
