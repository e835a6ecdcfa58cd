// Seeded quiz questions, OSTEP-homework style: the same topic and seed give
// the same questions; the answers are computed by the engine, by running
// the operation the question describes on a copy of a booted machine (an
// allocation, a split, a fallback, kmalloc, kmem_cache_create, spawning
// tasks) or by calling the model's own function (find_buddy_pfn,
// free_pages_memory_blocks, zone_watermark_check), never by a second
// formula. The explanation is the narrated events where there are some.
//
//   mmsim quiz --topic buddy --seed 7 [--count 5] [--answers|-c] [--lang zh] [--json]
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mm/core/diag.h"
#include "mm/core/types.h"
#include "text/lesson/lesson.h"

namespace mm {

struct QuizQuestion {
  std::string topic;
  u64 seed = 0;
  int index = 0;        // 0-based within the seed's questions
  std::string machine;  // the shorthand the answer was computed on ("" when none)
  Bilingual question;
  std::vector<std::string> choices;  // empty: answer with a number or a list
  std::string answer;
  Bilingual explanation;
  // The numbers the question is about, by name (pfn, order, size, ...).
  std::vector<std::pair<std::string, long long>> numbers;
  long long number(std::string_view name, long long otherwise = -1) const {
    for (const auto& [k, v] : numbers)
      if (k == name) return v;
    return otherwise;
  }
};

// The topics, in the order `mmsim quiz --help` lists them.
std::span<const std::string_view> quiz_topics();

// `count` questions of `topic` for `seed` (distinct from each other). An
// unknown topic is a Diagnostic naming the nearest one.
Expected<std::vector<QuizQuestion>> make_quiz(std::string_view topic, u64 seed, int count = 5);

// The shorthand machines the generators use, booted once per process and
// copied for each question (exposed for tests that recompute answers).
const struct Machine& quiz_machine(const std::string& spec);

std::string quiz_text(const std::vector<QuizQuestion>& qs, Lang lang, bool answers);
std::string quiz_json(const std::vector<QuizQuestion>& qs, Lang lang);

}  // namespace mm
