// "Did you mean ...?": the nearest word of a vocabulary to a misspelt one,
// and the one message every unknown word of the scenario language gets.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mm {

// Edits (insert, delete, replace, swap two neighbours) from a to b.
std::size_t edit_distance(std::string_view a, std::string_view b);
// The candidate nearest to `word` when it is close enough to be a typo of
// it (at most one edit for short words, about one per three letters for
// longer ones); the first of equally near ones.
std::optional<std::string_view> nearest(std::string_view word, std::span<const std::string_view> candidates);
// "a, b, c".
std::string join(std::span<const std::string_view> words, std::string_view sep = ", ");
// "unknown WHAT 'word': did you mean 'x'? (PLURAL: a, b, c)", without the
// suggestion when none is close. `shown` is the list printed (how the
// candidates are written, when that differs from what is matched).
std::string unknown_word(std::string_view what, std::string_view word, std::span<const std::string_view> candidates,
                         std::string_view plural, std::span<const std::string_view> shown = {});

}  // namespace mm
