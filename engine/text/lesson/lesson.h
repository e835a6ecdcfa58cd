// Lessons: a guided walk through a scenario, in English and 简体中文
// (docs/lessons.md is the reference for course authors).
//
// A lesson file (lessons/NN-name.lesson) is line oriented like a scenario:
//
//   lesson buddy                         the id (a-z, 0-9, '-')
//   title en: The buddy system           title, intro and the note on what
//   title zh: 伙伴系统                     Linux 6.1 does differently from the
//   intro en: ...                        older posts, in both languages
//   linux61 en: ...
//   machine ram=256M cpus=1              scenario statements before the first
//                                        step: the setup
//   step split                           a step (the name is optional)
//   en: An order-1 request ...           its text (lines join with a space)
//   zh: ...
//   show zones zone=DMA32                what the page shows (a hint)
//   alloc a order=1                      scenario statements: what the step runs
//   stop expand_split 1                  where the player pauses (an event code,
//                                        its Nth occurrence in the step, or last)
//   ask choice                           a question asked at the pause, before
//   en: Which orders ...?                the reveal: `choice` or `number`
//   choice 4,3,2,1                       the choices (choice questions)
//   answer args expand_split order       what the ENGINE computes as the answer
//   explain en: ...                      shown with the answer
//
// The answer is never typed in: `answer` names where the engine finds it
// after the step has run (a figure of the scenario language, or the
// arguments of the step's events), and the checker fails a choice question
// whose computed answer matches no choice, or more than one.
//
// Parsing only: session/lesson.h runs a lesson and computes the answers.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mm/core/diag.h"
#include "mm/core/event.h"
#include "text/format/narration.h"
#include "text/scenario/statement.h"

namespace mm {

struct Bilingual {
  std::string en, zh;
  const std::string& in(Lang l) const { return l == Lang::zh ? zh : en; }
  bool complete() const { return !en.empty() && !zh.empty(); }
};

namespace lesson {

struct Pos {
  int line = 0;
  int col = 0;
};

// A text in both languages and where each was written (0: not written).
struct Text {
  Bilingual words;
  Pos en_at, zh_at;
  Pos at;  // where the block it belongs to starts
};

// Where the engine finds an answer after the step has run.
enum class AnswerKind : std::uint8_t {
  figure,  // answer figure FIGURE         a figure of the scenario language (a number)
  count,   // answer count CODE            how many CODE events the step recorded
  arg,     // answer arg CODE ARG [N|last] one argument of the Nth CODE event
  args,    // answer args CODE ARG         that argument of every CODE event, "a,b,c"
};
inline constexpr std::string_view kAnswerKindNames[] = {"figure", "count", "arg", "args"};

struct Answer {
  Pos at;  // the word after `answer`
  AnswerKind kind = AnswerKind::figure;
  Figure figure;
  Ev code{};
  mm::Arg arg{};
  int nth = 1;       // 1-based; 0: the last one
  std::string text;  // as written after `answer`
};

enum class QuestionKind : std::uint8_t { choice, number };

struct Question {
  Pos at;
  QuestionKind kind = QuestionKind::choice;
  Text prompt;
  std::vector<std::string> choices;
  std::vector<Pos> choice_at;
  std::optional<Answer> answer;
  Text explain;
};

struct Stop {
  Pos at;
  Ev code{};
  int nth = 1;  // 0: the last one
};

// What the page shows (a hint it interprets): a view and key=value details.
struct Show {
  Pos at;
  std::string view;
  std::vector<std::pair<std::string, std::string>> details;
};
inline constexpr std::string_view kShowViews[] = {"map",  "zones", "buddy", "pcp",   "memblock", "zonelist",
                                                  "proc", "log",   "slab",  "tasks", "oom"};

struct Statement {
  mm::Statement stmt;
  std::string text;  // the line as written, without its comment
};

struct Step {
  Pos at;
  std::string name;  // "" when not named
  Text text;
  std::vector<Statement> stmts;
  std::optional<Stop> stop;
  std::optional<Show> show;
  std::vector<Question> questions;
};

struct Lesson {
  std::string source;  // the file name, for diagnostics
  std::string id;
  Pos id_at;
  Text title, intro, linux61;
  Text linux612;                 // optional: what changed in Linux 6.12 where it matters
  std::vector<Statement> setup;  // statements before the first step (a machine first)
  std::vector<Step> steps;
};

}  // namespace lesson

// Parses a lesson file: every problem of form (an unknown word, a bad
// scenario statement, an `answer` naming an unknown event or argument) is a
// FILE:LINE:COL Diagnostic. Whether it runs and whether both languages are
// complete is the checker's (session/lesson.h).
Expected<lesson::Lesson> parse_lesson(std::string_view text, std::string_view source);

// The problems that make a parsed lesson incomplete: a title, intro, 6.1
// note, step text, question or explanation missing in a language; a step
// without text; a choice question with fewer than two choices. Each points
// at the block it is about.
std::vector<Diagnostic> lesson_completeness(const lesson::Lesson& l);

// "expand_split" -> Ev::expand_split.
std::optional<Ev> event_code_named(std::string_view code);
std::optional<mm::Arg> event_arg_named(std::string_view name);

}  // namespace mm
