// Lessons and quizzes for the page: the shipped lessons (compiled into the
// module by cmake/EmbedLessons.cmake, so the page needs no file system and
// no request), a lesson text compiled as `mmsim lesson show --json` does,
// and seeded quizzes as `mmsim quiz --json` prints them. No semantics: the
// lesson runner and the quiz generators are engine/session's.
#include <cmath>
#include <string>
#include <string_view>

#include "convert.h"
#include "embedded_lessons.h"
#include "session/lesson.h"
#include "session/quiz.h"
#include "text/format/json.h"
#include "text/scenario/suggest.h"

using emscripten::val;

namespace mmwasm {
namespace {

// The shipped lessons' files name no other file; a teacher's text in a
// link has none to read either (the page has no file system).
std::optional<std::string> no_files(const std::string&) { return std::nullopt; }

const EmbeddedLesson* find_embedded(std::string_view id) {
  for (const EmbeddedLesson& e : kEmbeddedLessons) {
    auto l = mm::parse_lesson(e.text, e.file);
    if (l && l->id == id) return &e;
  }
  return nullptr;
}

std::vector<std::string> embedded_ids() {
  std::vector<std::string> ids;
  for (const EmbeddedLesson& e : kEmbeddedLessons)
    if (auto l = mm::parse_lesson(e.text, e.file)) ids.push_back(l->id);
  return ids;
}

}  // namespace

std::string Engine::lessons() const {
  mm::Json j;
  j.open('[');
  for (const EmbeddedLesson& e : kEmbeddedLessons) {
    auto l = mm::parse_lesson(e.text, e.file);
    if (!l) continue;  // tests/wasm/bindings.test.mjs: every shipped lesson parses
    std::size_t questions = 0;
    for (const auto& s : l->steps) questions += s.questions.size();
    j.open('{').field("id", l->id).field("file", std::string(e.file));
    j.key("title").open('{').field("en", l->title.words.en).field("zh", l->title.words.zh).close('}');
    j.field("steps", l->steps.size()).field("questions", questions).close('}');
  }
  j.close(']');
  return j.take();
}

TextResult Engine::lesson_source(const std::string& id) const {
  if (const EmbeddedLesson* e = find_embedded(id)) return {true, e->text, {}};
  const std::vector<std::string> ids = embedded_ids();
  const std::vector<std::string_view> words(ids.begin(), ids.end());
  return {false, {}, "error: " + mm::unknown_word("lesson", id, words, "lessons")};
}

LessonResult Engine::compile_lesson(const std::string& text, const std::string& source) const {
  const std::string name = source.empty() ? "<lesson>" : source;
  mm::LessonCheck c = mm::check_lesson(text, name, no_files);
  LessonResult r;
  r.ok = c.ok();
  if (c.lesson) r.json = mm::lesson_json(*c.lesson, c.run);
  for (const mm::Diagnostic& d : c.problems) {
    if (!r.error.empty()) r.error += '\n';
    r.error += d.str();
  }
  return r;
}

val Engine::quiz_topics() const {
  val out = val::array();
  unsigned i = 0;
  for (std::string_view t : mm::quiz_topics()) out.set(i++, std::string(t));
  return out;
}

TextResult Engine::quiz(const std::string& topic, double seed, double count, const std::string& lang) const {
  auto whole = [](double v, double lo, double hi) {
    return std::isfinite(v) && v == std::floor(v) && v >= lo && v <= hi;
  };
  if (!whole(seed, 0, 9007199254740991.0))
    return {false, {}, "error: seed must be a whole number from 0 to 9007199254740991"};
  if (!whole(count, 1, 50)) return {false, {}, "error: count must be a whole number from 1 to 50"};
  if (lang != "en" && lang != "zh") return {false, {}, "error: lang must be en or zh, got '" + lang + "'"};
  auto qs = mm::make_quiz(topic, static_cast<mm::u64>(seed), static_cast<int>(count));
  if (!qs) return {false, {}, qs.diag().str()};
  return {true, mm::quiz_json(*qs, lang == "zh" ? mm::Lang::zh : mm::Lang::en), {}};
}

}  // namespace mmwasm
