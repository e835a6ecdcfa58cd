// Running a lesson (the format: text/lesson/lesson.h, docs/lessons.md):
// the setup and every step's statements on one traced Playground, the
// step's stop located in the events it recorded, and every question's
// answer computed from those events and the machine after the step.
//
// `mmsim lesson check` is run_lesson + lesson_completeness; `mmsim lesson
// show` prints the walk-through and `--json` the compiled lesson the page
// can drive (lesson_json; the shape is documented in docs/lessons.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mm/core/diag.h"
#include "session/scenario.h"
#include "text/lesson/lesson.h"

namespace mm {

struct QuestionResult {
  bool computed = false;  // the engine found the answer
  std::string answer;     // as shown: a number, a name, or "a,b,c"
  std::optional<long long> number;
  int correct = -1;  // choice questions: the index of the matching choice
  // The narrated events the answer was read from (at most a few), as the
  // explanation's evidence.
  std::vector<Bilingual> evidence;
};

struct StepResult {
  std::size_t events = 0;           // events the step's statements recorded
  std::optional<std::size_t> stop;  // index of the stop event among them
  Bilingual stop_narration;         // its sentence
  std::string output;               // what the statements printed
  std::vector<QuestionResult> questions;
};

struct LessonRun {
  std::vector<StepResult> steps;
  std::vector<Diagnostic> failures;  // statements, expects, stops, answers
  int expects_passed = 0;
  int questions = 0;
  bool ok() const { return failures.empty(); }
};

// Runs the lesson from its setup. `load` reads the files `dmesg` names.
LessonRun run_lesson(const lesson::Lesson& l, const FileLoader& load);

// Everything `mmsim lesson check` reports: parse (the Diagnostic comes back
// alone), completeness in both languages, and the run.
struct LessonCheck {
  std::optional<lesson::Lesson> lesson;
  LessonRun run;
  std::vector<Diagnostic> problems;  // all of them, parse or completeness or run
  bool ok() const { return problems.empty(); }
};
LessonCheck check_lesson(std::string_view text, std::string_view source, const FileLoader& load);

// The walk-through for course authors: every step's text in `lang`, the
// statements, the stop, each question with its choices and the computed
// answer, the explanation.
std::string lesson_walkthrough(const lesson::Lesson& l, const LessonRun& r, Lang lang);
// The compiled lesson as JSON (docs/lessons.md, "The compiled lesson").
std::string lesson_json(const lesson::Lesson& l, const LessonRun& r);

}  // namespace mm
