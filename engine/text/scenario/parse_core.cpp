// machine, dmesg, proc, log, check, echo.
#include "text/parse/shorthand.h"
#include "text/scenario/parse_statements.h"

namespace mm::scenario {

Expected<Statement> parse_machine(const Line& l, const StatementKind&) {
  const Word spec = l.rest_after(0);
  auto p = parse_shorthand(spec.text);
  if (!p) return l.error(spec.col + p.diag().col - 1, p.diag().message);
  return Statement{stmt::Machine{{l.number, spec.col}, std::string(spec.text), std::move(*p)}};
}

Expected<Statement> parse_dmesg(const Line& l, const StatementKind& k) {
  if (l.words.size() != 2) return l.error(l.words[0].col, "expected: " + std::string(k.usage));
  return Statement{stmt::Dmesg{l.pos(1), std::string(l.words[1].text)}};
}

Expected<ProcView> proc_view(const Arg& a) {
  if (auto v = lookup<ProcView>(kProcViewNames, a.text)) return *v;
  return a.line.error(a.col, unknown_word("/proc view", a.text, kProcViewNames, "/proc views"));
}

Expected<Statement> parse_proc(const Line& l, const StatementKind& k) {
  if (l.words.size() != 2) return l.error(l.words[0].col, "expected: " + std::string(k.usage));
  auto v = proc_view(arg(l, 1));
  if (!v) return v.diag();
  return Statement{stmt::Proc{l.pos(1), *v}};
}

Expected<Statement> parse_log(const Line& l, const StatementKind& k) {
  if (Status s = no_more_words(l, 1, k.usage); !s) return s.diag();
  return Statement{stmt::Log{l.pos(0)}};
}

Expected<Statement> parse_check(const Line& l, const StatementKind& k) {
  if (Status s = no_more_words(l, 1, k.usage); !s) return s.diag();
  return Statement{stmt::Check{l.pos(0)}};
}

Expected<Statement> parse_echo(const Line& l, const StatementKind&) {
  return Statement{stmt::Echo{l.pos(0), std::string(l.rest_after(0).text)}};
}

}  // namespace mm::scenario
