#include "text/scenario/suggest.h"

#include <algorithm>
#include <vector>

namespace mm {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: Levenshtein plus the swap of two neighbours
  // ("prco" is one edit from "proc").
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::size_t> d((n + 1) * (m + 1));
  auto at = [&](std::size_t i, std::size_t j) -> std::size_t& { return d[i * (m + 1) + j]; };
  for (std::size_t i = 0; i <= n; ++i) at(i, 0) = i;
  for (std::size_t j = 0; j <= m; ++j) at(0, j) = j;
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
    }
  return at(n, m);
}

std::optional<std::string_view> nearest(std::string_view word, std::span<const std::string_view> candidates) {
  if (word.empty() || word.size() > 64) return std::nullopt;
  const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
  // Among equally near ones, a candidate with the same letters in another
  // order wins ("=<" is "<=" rather than "==").
  auto same_letters = [&](std::string_view c) {
    std::string a(word), b(c);
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    return a == b;
  };
  std::optional<std::string_view> best;
  std::size_t best_d = limit + 1;
  bool best_anagram = false;
  for (std::string_view c : candidates) {
    const std::size_t d = edit_distance(word, c);
    const bool anagram = d == best_d && !best_anagram && same_letters(c);
    if (d <= limit && (d < best_d || anagram)) {
      best_d = d;
      best = c;
      best_anagram = same_letters(c);
    }
  }
  return best;
}

std::string join(std::span<const std::string_view> words, std::string_view sep) {
  std::string s;
  for (std::string_view w : words) {
    if (!s.empty()) s += sep;
    s += w;
  }
  return s;
}

std::string unknown_word(std::string_view what, std::string_view word, std::span<const std::string_view> candidates,
                         std::string_view plural, std::span<const std::string_view> shown) {
  std::string s = "unknown " + std::string(what) + " '" + std::string(word) + "'";
  if (auto n = nearest(word, candidates)) s += ": did you mean '" + std::string(*n) + "'?";
  return s + " (" + std::string(plural) + ": " + join(shown.empty() ? candidates : shown) + ")";
}

}  // namespace mm
