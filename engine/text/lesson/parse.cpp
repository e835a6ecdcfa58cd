// Reading a lesson file (the format: lesson.h, docs/lessons.md).
//
// One pass sorts the lines: lesson words (title, step, ask, en: ...) fill
// the lesson; a line that starts with a statement word of the scenario
// language is copied, at its own line and column, into an otherwise blank
// scenario text. The scenario parser then reads that text, so a bad
// statement is reported exactly as `mmsim check` reports it, and each
// statement goes back to the step its line belongs to.
#include <algorithm>
#include <array>
#include <cctype>
#include <map>

#include "text/lesson/lesson.h"
#include "text/scenario/args.h"
#include "text/scenario/parse.h"
#include "text/scenario/parse_statements.h"
#include "text/scenario/suggest.h"

namespace mm {

namespace {

using namespace lesson;
using scenario::Line;

constexpr std::array<std::string_view, 14> kKeywords = {"lesson", "title",  "intro",  "linux61", "linux612",
                                                        "step",   "en:",    "zh:",    "show",    "stop",
                                                        "ask",    "choice", "answer", "explain"};

bool is_statement_word(std::string_view w) {
  for (std::string_view s : statement_words())
    if (s == w) return true;
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Everything after word k of the raw line (prose keeps its '#').
std::string_view raw_rest(std::string_view raw, const Line& l, std::size_t k) {
  const std::size_t off = static_cast<std::size_t>(l.words[k].col - 1) + l.words[k].text.size();
  return off >= raw.size() ? std::string_view() : trim(raw.substr(off));
}

// English lines join with a space, Chinese ones without; an empty line of
// text starts a new paragraph.
void append(std::string& to, std::string_view more, Lang lang) {
  if (more.empty()) {
    if (!to.empty()) to += "\n";
    return;
  }
  if (!to.empty() && to.back() != '\n' && lang == Lang::en) to += ' ';
  to += more;
}

bool valid_id(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

const std::vector<std::string_view>& event_codes() {
  static const std::vector<std::string_view> v = [] {
    std::vector<std::string_view> s;
    for (const EventSpec& e : kEventSpecs) s.push_back(e.code);
    return s;
  }();
  return v;
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  Expected<Lesson> run() {
    les_.source = std::string(source_);
    std::optional<Diagnostic> mine;
    int line_no = 0;
    for (std::size_t pos = 0; pos <= text_.size();) {
      std::size_t nl = text_.find('\n', pos);
      if (nl == std::string_view::npos) nl = text_.size();
      std::string_view raw = text_.substr(pos, nl - pos);
      if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
      pos = nl + 1;
      ++line_no;
      scenario_ += '\n';
      if (mine) continue;
      const Line l = scenario::split_line(raw, source_, line_no);
      if (l.words.empty()) continue;
      if (Status s = line(raw, l); !s) mine = s.diag();
    }
    if (!mine && les_.id.empty())
      mine = Diagnostic{std::string(source_), 1, 1, "a lesson starts with 'lesson ID' (e.g. 'lesson buddy')"};
    // The statements, read by the scenario parser at their own lines.
    auto sc = parse_scenario(scenario_, source_);
    if (!sc && (!mine || sc.diag().line <= mine->line)) return sc.diag();
    if (mine) return *mine;
    for (mm::Statement& st : sc->stmts) {
      const int ln = position(st).line;
      lesson::Statement s{std::move(st), std::string(stmt_text_[ln])};
      const int owner = stmt_owner_[ln];
      if (owner < 0)
        les_.setup.push_back(std::move(s));
      else
        les_.steps[static_cast<std::size_t>(owner)].stmts.push_back(std::move(s));
    }
    return std::move(les_);
  }

 private:
  Diagnostic err(const Line& l, std::size_t k, std::string msg) const {
    return l.error(l.words[std::min(k, l.words.size() - 1)].col, std::move(msg));
  }
  Pos pos(const Line& l, std::size_t k) const { return {l.number, l.words[k].col}; }
  Step* step() { return les_.steps.empty() ? nullptr : &les_.steps.back(); }
  Question* question() {
    Step* s = step();
    return s && in_question_ && !s->questions.empty() ? &s->questions.back() : nullptr;
  }

  Status line(std::string_view raw, const Line& l) {
    const std::string_view w = l.words[0].text;
    if (les_.id.empty() && w != "lesson") return err(l, 0, "a lesson starts with 'lesson ID' (e.g. 'lesson buddy')");
    if (is_statement_word(w)) return statement(raw, l);
    if (w == "lesson") return lesson_line(l);
    if (w == "title") return header_text(raw, l, les_.title);
    if (w == "intro") return header_text(raw, l, les_.intro);
    if (w == "linux61") return header_text(raw, l, les_.linux61);
    if (w == "linux612") return header_text(raw, l, les_.linux612);
    if (w == "step") return step_line(l);
    if (w == "en:" || w == "zh:") return text_line(raw, l);
    if (w == "show") return show_line(l);
    if (w == "stop") return stop_line(l);
    if (w == "ask") return ask_line(l);
    if (w == "choice") return choice_line(raw, l);
    if (w == "answer") return answer_line(l);
    if (w == "explain") return explain_line(raw, l);
    std::vector<std::string_view> all(kKeywords.begin(), kKeywords.end());
    for (std::string_view s : statement_words()) all.push_back(s);
    return err(l, 0, unknown_word("word", w, all, "lesson words and statements"));
  }

  Status statement(std::string_view raw, const Line& l) {
    if (in_question_)
      return err(l, 0, "a step's statements come before its first 'ask' (start a new 'step' to run more)");
    scenario_.pop_back();  // this line's newline, put back after the line
    scenario_ += raw;
    scenario_ += '\n';
    stmt_owner_[l.number] = les_.steps.empty() ? -1 : static_cast<int>(les_.steps.size() - 1);
    stmt_text_[l.number] = std::string(l.code);
    return {};
  }

  Status lesson_line(const Line& l) {
    if (!les_.id.empty()) return err(l, 0, "a second 'lesson' line (one lesson per file)");
    if (l.words.size() != 2) return err(l, 0, "expected: lesson ID");
    if (!valid_id(l.words[1].text))
      return err(l, 1, "a lesson id is made of a-z, 0-9, '-' and '_' (got '" + std::string(l.words[1].text) + "')");
    les_.id = std::string(l.words[1].text);
    les_.id_at = pos(l, 1);
    les_.title.at = les_.intro.at = les_.linux61.at = les_.linux612.at = pos(l, 0);
    return {};
  }

  // "WORD en: text" / "WORD zh: text", into `t`.
  Status lang_text(std::string_view raw, const Line& l, std::size_t k, Text& t, std::string_view usage) {
    if (l.words.size() <= k || (l.words[k].text != "en:" && l.words[k].text != "zh:"))
      return err(l, k, "expected: " + std::string(usage));
    const Lang lang = l.words[k].text == "zh:" ? Lang::zh : Lang::en;
    append(lang == Lang::zh ? t.words.zh : t.words.en, raw_rest(raw, l, k), lang);
    (lang == Lang::zh ? t.zh_at : t.en_at) = pos(l, k);
    return {};
  }

  Status header_text(std::string_view raw, const Line& l, Text& t) {
    const std::string w(l.words[0].text);
    if (!les_.steps.empty()) return err(l, 0, "'" + w + "' belongs before the first 'step'");
    return lang_text(raw, l, 1, t, w + " en: TEXT | " + w + " zh: TEXT");
  }

  Status step_line(const Line& l) {
    if (l.words.size() > 2) return err(l, 2, "expected: step [NAME]");
    Step s;
    s.at = pos(l, 0);
    s.text.at = s.at;
    if (l.words.size() == 2) s.name = std::string(l.words[1].text);
    for (const Step& o : les_.steps)
      if (!s.name.empty() && o.name == s.name)
        return err(l, 1, "a second step named '" + s.name + "' (line " + std::to_string(o.at.line) + ")");
    les_.steps.push_back(std::move(s));
    in_question_ = false;
    return {};
  }

  Status text_line(std::string_view raw, const Line& l) {
    if (Question* q = question()) return lang_text(raw, l, 0, q->prompt, "en: TEXT");
    if (Step* s = step()) return lang_text(raw, l, 0, s->text, "en: TEXT");
    return err(l, 0,
               "'" + std::string(l.words[0].text) +
                   "' text belongs to a step or a question (before the first step, write 'intro en: ...')");
  }

  Status need_step(const Line& l) {
    if (!step()) return err(l, 0, "'" + std::string(l.words[0].text) + "' belongs to a step: start one with 'step'");
    return {};
  }

  Status show_line(const Line& l) {
    if (Status s = need_step(l); !s) return s;
    if (step()->show) return err(l, 0, "a second 'show' in this step");
    if (l.words.size() < 2) return err(l, 0, "expected: show VIEW [KEY=VALUE...]");
    const std::string_view v = l.words[1].text;
    if (std::find(std::begin(kShowViews), std::end(kShowViews), v) == std::end(kShowViews))
      return err(l, 1, unknown_word("view", v, kShowViews, "views"));
    Show sh{pos(l, 0), std::string(v), {}};
    for (std::size_t k = 2; k < l.words.size(); ++k) {
      const std::string_view kv = l.words[k].text;
      const std::size_t eq = kv.find('=');
      if (eq == std::string_view::npos || eq == 0 || eq + 1 == kv.size())
        return err(l, k, "expected KEY=VALUE after the view (e.g. zone=DMA32), got '" + std::string(kv) + "'");
      const std::string_view key = kv.substr(0, eq);
      // The compiled lesson's `show` object holds the view under "view".
      if (key == "view")
        return err(l, k,
                   "'view=' would hide the view '" + std::string(v) + "'; name a /proc file with file= (e.g. " +
                       "show proc file=zoneinfo)");
      for (const auto& [seen, value] : sh.details)
        if (seen == key) return err(l, k, "'" + std::string(key) + "=' given twice");
      const std::string_view value = kv.substr(eq + 1);
      if (v == "proc" && key == "file" &&
          std::find(kProcViewNames.begin(), kProcViewNames.end(), value) == kProcViewNames.end())
        return err(l, k, unknown_word("/proc file", value, kProcViewNames, "/proc files"));
      sh.details.emplace_back(std::string(key), std::string(value));
    }
    step()->show = std::move(sh);
    return {};
  }

  Expected<Ev> code_at(const Line& l, std::size_t k) const {
    if (k >= l.words.size()) return err(l, k, "expected an event code (e.g. expand_split)");
    if (auto c = event_code_named(l.words[k].text)) return *c;
    return err(l, k, unknown_word("event", l.words[k].text, event_codes(), "events"));
  }

  // N (1-based) or `last` (0).
  Status nth_at(const Line& l, std::size_t k, int& out) const {
    const std::string_view w = l.words[k].text;
    if (w == "last") {
      out = 0;
      return {};
    }
    long long n = 0;
    if (Status s = scenario::arg(l, k).whole(n, 1, 1'000'000, "an occurrence (1, 2, ... or last)"); !s) return s;
    out = static_cast<int>(n);
    return {};
  }

  Status stop_line(const Line& l) {
    if (Status s = need_step(l); !s) return s;
    if (step()->stop) return err(l, 0, "a second 'stop' in this step (a step pauses once)");
    if (l.words.size() < 2 || l.words.size() > 3) return err(l, 0, "expected: stop EVENT [N|last]");
    auto c = code_at(l, 1);
    if (!c) return c.diag();
    Stop st{pos(l, 1), *c, 1};
    if (l.words.size() == 3)
      if (Status s = nth_at(l, 2, st.nth); !s) return s;
    step()->stop = st;
    return {};
  }

  Status ask_line(const Line& l) {
    if (Status s = need_step(l); !s) return s;
    static constexpr std::string_view kinds[] = {"choice", "number"};
    if (l.words.size() != 2) return err(l, 0, "expected: ask choice | ask number");
    const std::string_view k = l.words[1].text;
    if (k != "choice" && k != "number") return err(l, 1, unknown_word("question kind", k, kinds, "kinds"));
    Question q;
    q.at = pos(l, 0);
    q.kind = k == "choice" ? QuestionKind::choice : QuestionKind::number;
    q.prompt.at = q.explain.at = q.at;
    step()->questions.push_back(std::move(q));
    in_question_ = true;
    return {};
  }

  Status need_question(const Line& l) {
    if (!question())
      return err(l, 0, "'" + std::string(l.words[0].text) + "' belongs to a question: start one with 'ask'");
    return {};
  }

  Status choice_line(std::string_view raw, const Line& l) {
    if (Status s = need_question(l); !s) return s;
    Question& q = *question();
    if (q.kind != QuestionKind::choice) return err(l, 0, "a number question has no choices");
    const std::string_view c = raw_rest(raw, l, 0);
    if (c.empty()) return err(l, 0, "expected: choice TEXT");
    for (const std::string& o : q.choices)
      if (o == c) return err(l, 1, "the same choice twice");
    q.choices.emplace_back(c);
    q.choice_at.push_back(pos(l, 1));
    return {};
  }

  Status answer_line(const Line& l) {
    if (Status s = need_question(l); !s) return s;
    Question& q = *question();
    if (q.answer) return err(l, 0, "a second 'answer' for this question");
    static constexpr std::string_view usage =
        "answer figure FIGURE | count EVENT | arg EVENT ARG [N|last] | args EVENT ARG";
    if (l.words.size() < 2) return err(l, 0, std::string("expected: ") + std::string(usage));
    Answer a;
    a.at = pos(l, 1);
    a.text = std::string(l.rest_after(0).text);
    const std::string_view kind = l.words[1].text;
    if (kind == "figure") {
      if (l.words.size() < 3) return err(l, 1, "expected a figure after 'figure' (as 'expect' names it)");
      auto f = scenario::parse_figure(l, 2, l.words.size());
      if (!f) return f.diag();
      a.kind = AnswerKind::figure;
      a.figure = std::move(*f);
    } else if (kind == "count") {
      if (l.words.size() != 3) return err(l, 1, "expected: answer count EVENT");
      auto c = code_at(l, 2);
      if (!c) return c.diag();
      a.kind = AnswerKind::count;
      a.code = *c;
    } else if (kind == "arg" || kind == "args") {
      const bool one = kind == "arg";
      if (l.words.size() < 4 || l.words.size() > (one ? 5u : 4u))
        return err(l, 1, one ? "expected: answer arg EVENT ARG [N|last]" : "expected: answer args EVENT ARG");
      auto c = code_at(l, 2);
      if (!c) return c.diag();
      a.kind = one ? AnswerKind::arg : AnswerKind::args;
      a.code = *c;
      const EventSpec& sp = spec(*c);
      auto ar = event_arg_named(l.words[3].text);
      if (!ar || !sp.declares(*ar)) {
        std::vector<std::string_view> names;
        for (unsigned i = 0; i < sp.nargs; ++i) names.push_back(kArgInfo[static_cast<unsigned>(sp.args[i])].name);
        return err(l, 3, unknown_word(std::string(sp.code) + " argument", l.words[3].text, names, "its arguments"));
      }
      a.arg = *ar;
      if (one && l.words.size() == 5)
        if (Status s = nth_at(l, 4, a.nth); !s) return s;
    } else {
      return err(l, 1, unknown_word("answer source", kind, kAnswerKindNames, "answer sources"));
    }
    if (q.kind == QuestionKind::number && a.kind == AnswerKind::args)
      return err(l, 1, "'args' gives a list: a number question needs one number (figure, count or arg)");
    q.answer = std::move(a);
    return {};
  }

  Status explain_line(std::string_view raw, const Line& l) {
    if (Status s = need_question(l); !s) return s;
    return lang_text(raw, l, 1, question()->explain, "explain en: TEXT | explain zh: TEXT");
  }

  std::string_view text_;
  std::string_view source_;
  Lesson les_;
  bool in_question_ = false;
  std::string scenario_;
  std::map<int, int> stmt_owner_;  // line -> step index (-1: the setup)
  std::map<int, std::string> stmt_text_;
};

}  // namespace

std::optional<Ev> event_code_named(std::string_view code) {
  for (unsigned i = 0; i < kEventCodes; ++i)
    if (kEventSpecs[i].code == code) return static_cast<Ev>(i);
  return std::nullopt;
}

std::optional<mm::Arg> event_arg_named(std::string_view name) {
  for (unsigned i = 0; i < kArgCount; ++i)
    if (kArgInfo[i].name == name) return static_cast<mm::Arg>(i);
  return std::nullopt;
}

Expected<Lesson> parse_lesson(std::string_view text, std::string_view source) { return Parser(text, source).run(); }

std::vector<Diagnostic> lesson_completeness(const Lesson& l) {
  std::vector<Diagnostic> out;
  auto at = [&](Pos p, std::string msg) { out.push_back(Diagnostic{l.source, p.line, p.col, std::move(msg)}); };
  auto both = [&](const Text& t, const std::string& what) {
    if (t.words.en.empty() && t.words.zh.empty()) {
      at(t.at, what + " is missing (write it in English and Chinese: 'en:' and 'zh:')");
      return;
    }
    if (t.words.en.empty()) at(t.zh_at, what + " has no English text ('en:')");
    if (t.words.zh.empty()) at(t.en_at, what + " has no Chinese text ('zh:')");
  };
  both(l.title, "the title");
  both(l.intro, "the intro");
  both(l.linux61, "the note on Linux 6.1 ('linux61')");
  // What changed in 6.12: optional, but in both languages when written.
  if (!l.linux612.words.en.empty() || !l.linux612.words.zh.empty())
    both(l.linux612, "the note on Linux 6.12 ('linux612')");
  if (l.steps.empty()) at(l.id_at, "the lesson has no steps");
  for (std::size_t i = 0; i < l.steps.size(); ++i) {
    const Step& s = l.steps[i];
    const std::string name = "step " + std::to_string(i + 1) + (s.name.empty() ? "" : " (" + s.name + ")");
    both(s.text, "the text of " + name);
    for (std::size_t j = 0; j < s.questions.size(); ++j) {
      const Question& q = s.questions[j];
      const std::string qn = "question " + std::to_string(j + 1) + " of " + name;
      both(q.prompt, qn);
      both(q.explain, "the explanation of " + qn);
      if (!q.answer) at(q.at, qn + " has no 'answer' (where the engine finds it)");
      if (q.kind == QuestionKind::choice && q.choices.size() < 2) at(q.at, qn + " needs at least two choices");
    }
  }
  return out;
}

}  // namespace mm
