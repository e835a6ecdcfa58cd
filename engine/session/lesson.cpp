// Running a lesson and computing its answers (lesson.h).
//
//   playground (traced boots) <- setup statements
//   for each step:
//     mark = events recorded so far
//     run the step's statements (expects and invariants checked as in a scenario)
//     the step's events = events after mark (all of a new machine's, when it rebooted)
//     stop   = the Nth event of its code among them
//     answer = a figure of the machine now, or arguments of those events
#include "session/lesson.h"

#include <algorithm>
#include <cctype>

#include "mm/core/machine.h"
#include "session/playground.h"
#include "session/scenario_exec.h"
#include "text/format/json.h"
#include "text/format/narration.h"

namespace mm {

namespace {

using namespace lesson;

Diagnostic at(const Lesson& l, Pos p, std::string msg) { return Diagnostic{l.source, p.line, p.col, std::move(msg)}; }

std::string ordinal(int n) {
  if (n == 0) return "last";
  const int m = n % 100;
  const char* suf = (m >= 11 && m <= 13) ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
  return std::to_string(n) + suf;
}

bool numeric(ArgType t) {
  switch (t) {
    case ArgType::kPfn:
    case ArgType::kOrder:
    case ArgType::kNode:
    case ArgType::kCpu:
    case ArgType::kCount:
    case ArgType::kSigned:
    case ArgType::kBytes:
    case ArgType::kPid:
    case ArgType::kBool: return true;
    default: return false;
  }
}

// Choices and answers compare without regard to spacing: "4, 3,2" == "4,3,2".
std::string normal(std::string_view s) {
  std::string out;
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  return out;
}

struct StepEvents {
  const Trace* trace = nullptr;
  std::vector<const Event*> all;  // Begin, Step and Warn records (End records are not events one stops at)
  std::vector<const Event*> of(Ev code) const {
    std::vector<const Event*> v;
    for (const Event* e : all)
      if (e->code == code) v.push_back(e);
    return v;
  }
};

Bilingual narrated(const Event& e, const Trace& t) { return {narrate(e, t, Lang::en), narrate(e, t, Lang::zh)}; }

constexpr std::size_t kEvidence = 8;

void compute(const Lesson& l, const Question& q, const Machine& m, const SessionState& st, const StepEvents& ev,
             const StepResult& sr, QuestionResult& out, std::vector<Diagnostic>& fails) {
  const Answer& a = *q.answer;
  auto fail = [&](std::string msg) { fails.push_back(at(l, a.at, "answer " + a.text + ": " + std::move(msg))); };
  switch (a.kind) {
    case AnswerKind::figure: {
      auto v = exec::figure_value(m, st, a.figure);
      if (!v) return fail(v.diag().message);
      out.number = *v;
      out.answer = std::to_string(*v);
      if (sr.stop) out.evidence.push_back(sr.stop_narration);
      break;
    }
    case AnswerKind::count: {
      const auto v = ev.of(a.code);
      out.number = static_cast<long long>(v.size());
      out.answer = std::to_string(v.size());
      for (std::size_t i = 0; i < v.size() && i < kEvidence; ++i) out.evidence.push_back(narrated(*v[i], *ev.trace));
      break;
    }
    case AnswerKind::arg:
    case AnswerKind::args: {
      const auto v = ev.of(a.code);
      if (v.empty()) return fail("the step records no " + std::string(spec(a.code).code) + " event");
      const bool num = numeric(kArgInfo[static_cast<unsigned>(a.arg)].type);
      auto value = [&](const Event& e) {
        return num ? std::to_string(e.get(a.arg)) : format_arg(e, a.arg, *ev.trace, Lang::en);
      };
      if (a.kind == AnswerKind::arg) {
        if (a.nth > static_cast<int>(v.size()))
          return fail("the step records only " + std::to_string(v.size()) + " " + std::string(spec(a.code).code) +
                      " events, not a " + ordinal(a.nth));
        const Event& e = *v[a.nth == 0 ? v.size() - 1 : static_cast<std::size_t>(a.nth - 1)];
        out.answer = value(e);
        if (num) out.number = e.get(a.arg);
        out.evidence.push_back(narrated(e, *ev.trace));
      } else {
        for (std::size_t i = 0; i < v.size(); ++i) {
          out.answer += (i ? "," : "") + value(*v[i]);
          if (i < kEvidence) out.evidence.push_back(narrated(*v[i], *ev.trace));
        }
      }
      break;
    }
  }
  out.computed = true;
  if (q.kind == QuestionKind::number && !out.number)
    return fail("a number question, but the engine's answer '" + out.answer + "' is not a number");
  if (q.kind == QuestionKind::choice) {
    std::vector<int> hits;
    for (std::size_t i = 0; i < q.choices.size(); ++i)
      if (normal(q.choices[i]) == normal(out.answer)) hits.push_back(static_cast<int>(i));
    if (hits.empty()) return fail("the engine's answer is '" + out.answer + "', which is none of the choices");
    if (hits.size() > 1) return fail("the engine's answer '" + out.answer + "' matches more than one choice");
    out.correct = hits[0];
  }
}

}  // namespace

LessonRun run_lesson(const Lesson& l, const FileLoader& load) {
  LessonRun out;
  Playground pg;
  pg.set_boot_options({true});
  SessionState st;
  ScenarioResult sr;
  const RunContext ctx{l.source, &load, true};
  auto run_all = [&](const std::vector<lesson::Statement>& v) {
    for (const lesson::Statement& s : v)
      if (!run_statement(pg, s.stmt, st, sr, ctx)) return false;
    return true;
  };
  bool alive = run_all(l.setup);
  for (const Step& step : l.steps) {
    StepResult res;
    res.questions.resize(step.questions.size());
    out.questions += static_cast<int>(step.questions.size());
    if (!alive) {
      out.steps.push_back(std::move(res));
      continue;
    }
    const Machine* before_m = pg.machine();
    std::size_t mark = before_m ? before_m->trace.events().size() : 0;
    const std::size_t out_mark = sr.output.size();
    alive = run_all(step.stmts);
    res.output = sr.output.substr(out_mark);
    const Machine* m = pg.machine();
    if (!alive || !m) {
      out.steps.push_back(std::move(res));
      continue;
    }
    const std::span<const Event> evs = m->trace.events();
    if (m != before_m || mark > evs.size()) mark = 0;  // a new machine: all of its events are the step's
    StepEvents ev;
    ev.trace = &m->trace;
    for (std::size_t i = mark; i < evs.size(); ++i)
      if (evs[i].kind != EventKind::End) ev.all.push_back(&evs[i]);
    res.events = evs.size() - mark;
    if (step.stop) {
      const auto v = ev.of(step.stop->code);
      const std::string code(spec(step.stop->code).code);
      if (v.empty())
        out.failures.push_back(at(l, step.stop->at, "stop: the step records no " + code + " event"));
      else if (step.stop->nth > static_cast<int>(v.size()))
        out.failures.push_back(at(l, step.stop->at,
                                  "stop: the step records only " + std::to_string(v.size()) + " " + code +
                                      " events, not a " + ordinal(step.stop->nth)));
      else {
        const Event* e = v[step.stop->nth == 0 ? v.size() - 1 : static_cast<std::size_t>(step.stop->nth - 1)];
        res.stop = static_cast<std::size_t>(e - evs.data()) - mark;
        res.stop_narration = narrated(*e, m->trace);
      }
    }
    for (std::size_t j = 0; j < step.questions.size(); ++j)
      if (step.questions[j].answer) compute(l, step.questions[j], *m, st, ev, res, res.questions[j], out.failures);
    out.steps.push_back(std::move(res));
  }
  out.expects_passed = sr.expects_passed;
  // Statement failures first, in file order, then stops and answers.
  std::vector<Diagnostic> all = sr.failures;
  all.insert(all.end(), out.failures.begin(), out.failures.end());
  out.failures = std::move(all);
  return out;
}

LessonCheck check_lesson(std::string_view text, std::string_view source, const FileLoader& load) {
  LessonCheck c;
  auto l = parse_lesson(text, source);
  if (!l) {
    c.problems.push_back(l.diag());
    return c;
  }
  c.problems = lesson_completeness(*l);
  c.run = run_lesson(*l, load);
  c.problems.insert(c.problems.end(), c.run.failures.begin(), c.run.failures.end());
  c.lesson = std::move(*l);
  return c;
}

// ---- the walk-through ----------------------------------------------------------------

namespace {

void indent(std::string& out, std::string_view text, std::string_view pad) {
  std::size_t p = 0;
  while (p <= text.size()) {
    std::size_t nl = text.find('\n', p);
    if (nl == std::string_view::npos) nl = text.size();
    out += pad;
    out += text.substr(p, nl - p);
    out += '\n';
    p = nl + 1;
  }
}

}  // namespace

std::string lesson_walkthrough(const Lesson& l, const LessonRun& r, Lang lang) {
  const bool zh = lang == Lang::zh;
  std::string out;
  out += l.id + ": " + l.title.words.in(lang) + "\n";
  indent(out, l.intro.words.in(lang), "  ");
  if (!l.linux61.words.in(lang).empty()) {
    out += zh ? "  Linux 6.1：\n" : "  Linux 6.1:\n";
    indent(out, l.linux61.words.in(lang), "    ");
  }
  if (!l.linux612.words.in(lang).empty()) {
    out += zh ? "  Linux 6.12 的变化：\n" : "  What changed in Linux 6.12:\n";
    indent(out, l.linux612.words.in(lang), "    ");
  }
  if (!l.setup.empty()) {
    out += zh ? "  准备：\n" : "  Setup:\n";
    for (const lesson::Statement& s : l.setup) out += "    > " + s.text + "\n";
  }
  for (std::size_t i = 0; i < l.steps.size(); ++i) {
    const Step& s = l.steps[i];
    const StepResult* sr = i < r.steps.size() ? &r.steps[i] : nullptr;
    out += "\n" + std::string(zh ? "第 " : "Step ") + std::to_string(i + 1) + "/" + std::to_string(l.steps.size()) +
           (zh ? " 步" : "") + (s.name.empty() ? "" : " (" + s.name + ")") + "\n";
    indent(out, s.text.words.in(lang), "  ");
    if (s.show) {
      out += "  show: " + s.show->view;
      for (const auto& [k, v] : s.show->details) out += " " + k + "=" + v;
      out += "\n";
    }
    for (const lesson::Statement& st : s.stmts) out += "  > " + st.text + "\n";
    if (s.stop) {
      out += std::string(zh ? "  暂停于：" : "  stop: ") + std::string(spec(s.stop->code).code) + " #" +
             (s.stop->nth ? std::to_string(s.stop->nth) : std::string("last"));
      if (sr && sr->stop)
        out += " (" + std::string(zh ? "事件 " : "event ") + std::to_string(*sr->stop + 1) + "/" +
               std::to_string(sr->events) + "): " + sr->stop_narration.in(lang);
      out += "\n";
    }
    for (std::size_t j = 0; j < s.questions.size(); ++j) {
      const Question& q = s.questions[j];
      const QuestionResult* qr = sr && j < sr->questions.size() ? &sr->questions[j] : nullptr;
      out += "  Q" + std::to_string(j + 1) + ": " + q.prompt.words.in(lang) + "\n";
      for (std::size_t k = 0; k < q.choices.size(); ++k) {
        const bool right = qr && qr->correct == static_cast<int>(k);
        out += std::string("     ") + static_cast<char>('a' + k) + ") " + q.choices[k] + (right ? "   <=" : "") + "\n";
      }
      out += std::string(zh ? "     答案：" : "     answer: ") +
             (qr && qr->computed ? qr->answer : std::string(zh ? "（未算出）" : "(not computed)")) + "   [" +
             (q.answer ? q.answer->text : "") + "]\n";
      if (!q.explain.words.in(lang).empty()) indent(out, q.explain.words.in(lang), "     ");
      if (qr)
        for (const Bilingual& e : qr->evidence) out += "       - " + e.in(lang) + "\n";
    }
  }
  return out;
}

// ---- JSON ----------------------------------------------------------------------------------

namespace {

void bilingual(Json& j, std::string_view k, const Bilingual& b) {
  j.key(k).open('{').field("en", b.en).field("zh", b.zh).close('}');
}

std::string_view kind_name(QuestionKind k) { return k == QuestionKind::choice ? "choice" : "number"; }

}  // namespace

std::string lesson_json(const Lesson& l, const LessonRun& r) {
  Json j;
  j.open('{').field("id", l.id);
  bilingual(j, "title", l.title.words);
  bilingual(j, "intro", l.intro.words);
  bilingual(j, "linux61", l.linux61.words);
  bilingual(j, "linux612", l.linux612.words);
  j.key("setup").open('[');
  for (const lesson::Statement& s : l.setup) j.str(s.text);
  j.close(']');
  j.field("ok", r.ok());
  j.key("steps").open('[');
  for (std::size_t i = 0; i < l.steps.size(); ++i) {
    const Step& s = l.steps[i];
    const StepResult* sr = i < r.steps.size() ? &r.steps[i] : nullptr;
    j.open('{').field("name", s.name).field("line", s.at.line);
    bilingual(j, "text", s.text.words);
    j.key("statements").open('[');
    for (const lesson::Statement& st : s.stmts) j.str(st.text);
    j.close(']');
    j.key("show");
    if (s.show) {
      j.open('{').field("view", s.show->view);
      for (const auto& [k, v] : s.show->details) j.field(k, v);
      j.close('}');
    } else {
      j.str("");
    }
    j.field("events", sr ? static_cast<long long>(sr->events) : 0LL);
    j.key("stop");
    if (s.stop) {
      j.open('{').field("code", spec(s.stop->code).code).field("nth", s.stop->nth);
      j.field("event", sr && sr->stop ? static_cast<long long>(*sr->stop) : -1LL);
      if (sr && sr->stop) bilingual(j, "narration", sr->stop_narration);
      j.close('}');
    } else {
      j.str("");
    }
    j.key("questions").open('[');
    for (std::size_t k = 0; k < s.questions.size(); ++k) {
      const Question& q = s.questions[k];
      const QuestionResult* qr = sr && k < sr->questions.size() ? &sr->questions[k] : nullptr;
      j.open('{').field("kind", kind_name(q.kind));
      bilingual(j, "prompt", q.prompt.words);
      j.key("choices").open('[');
      for (const std::string& c : q.choices) j.str(c);
      j.close(']');
      j.field("source", q.answer ? q.answer->text : "");
      j.field("computed", qr && qr->computed);
      j.field("answer", qr ? qr->answer : "");
      if (qr && qr->number) j.field("number", *qr->number);
      if (q.kind == QuestionKind::choice) j.field("correct", qr ? qr->correct : -1);
      bilingual(j, "explain", q.explain.words);
      j.key("evidence").open('[');
      if (qr)
        for (const Bilingual& e : qr->evidence) {
          j.open('{').field("en", e.en).field("zh", e.zh).close('}');
        }
      j.close(']');
      j.close('}');
    }
    j.close(']');
    j.close('}');
  }
  j.close(']');
  j.close('}');
  return j.take();
}

}  // namespace mm
