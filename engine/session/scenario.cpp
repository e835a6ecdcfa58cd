// Running scenarios: the loop, the dispatch, and the statements about the
// machine as a whole (boot, /proc, the log, expectations).
#include "session/scenario.h"

#include "mm/core/machine.h"
#include "session/playground.h"
#include "session/scenario_exec.h"

namespace mm {

namespace exec {

void Run::check_invariants(stmt::Pos at) {
  for (const std::string& v : pg.check()) {
    ++r.violations;
    fail(at, "invariant violated: " + v);
  }
}

// A new machine: the handles named pages and objects of the one it replaced.
void forget_handles(SessionState& state) {
  state.pages.clear();
  state.objects.clear();
}

Status run(Run& x, const stmt::Machine& s) {
  Status b = x.pg.boot_spec(s.spec, s.text, x.pg.boot_options());
  if (!b)
    x.fail(s.at, b.diag().message);
  else
    forget_handles(x.state);
  return b;
}

Status run(Run& x, const stmt::Dmesg& s) {
  auto text = x.ctx.load && *x.ctx.load ? (*x.ctx.load)(s.path) : std::nullopt;
  if (!text) {
    x.fail(s.at, "cannot read '" + s.path + "'");
    return x.r.failures.back();
  }
  Status b = x.pg.boot_dmesg(*text, s.path, x.pg.boot_options());
  if (!b)
    x.r.failures.push_back(b.diag());  // where in the log it went wrong
  else
    forget_handles(x.state);
  return b;
}

Status run(Run& x, const stmt::Proc& s) {
  std::string out;
  if (Status p = x.pg.proc(s.view, out); !p)
    x.fail(s.at, p.diag().message);
  else
    x.r.output += out;
  return {};
}

Status run(Run& x, const stmt::Log&) {
  x.r.output += x.pg.boot_log();
  return {};
}

Status run(Run&, const stmt::Check&) { return {}; }  // run_statement checks after every `check`

Status run(Run& x, const stmt::Echo& s) {
  x.r.output += s.text + "\n";
  return {};
}

Status run(Run& x, const stmt::ExpectFigure& s) {
  auto v = figure_value(x.machine(), x.state, s.figure);
  if (!v) {
    ++x.r.expects_failed;
    x.fail(s.at, "expect failed: " + v.diag().message);
  } else if (compare(*v, s.op, s.value)) {
    ++x.r.expects_passed;
  } else {
    ++x.r.expects_failed;
    x.fail(s.at, "expect failed: " + s.text + " is " + std::to_string(*v) + ", expected " + std::string(name(s.op)) +
                     " " + std::to_string(s.value));
  }
  return {};
}

Status run(Run& x, const stmt::ExpectContains& s) {
  std::string hay;
  if (!s.proc)
    hay = x.pg.boot_log();
  else if (Status p = x.pg.proc(*s.proc, hay); !p) {
    x.fail(s.at, p.diag().message);
    return {};
  }
  if (hay.find(s.needle) != std::string::npos) {
    ++x.r.expects_passed;
  } else {
    ++x.r.expects_failed;
    const std::string where = s.proc ? std::string(name(*s.proc)) : "log";
    x.fail(s.at, "expect failed: " + where + " does not contain \"" + s.needle + "\"");
  }
  return {};
}

}  // namespace exec

Status run_statement(Playground& pg, const Statement& st, SessionState& state, ScenarioResult& r,
                     const RunContext& ctx) {
  exec::Run x{pg, state, r, ctx};
  if (Status s = std::visit([&](const auto& one) { return exec::run(x, one); }, st); !s) return s;
  if (!pg.booted()) return {};
  if (std::holds_alternative<stmt::Check>(st)) {
    x.check_invariants(position(st));
  } else if (ctx.check_each_step && !only_looks(st)) {
    // A full check walks every frame and task (0.4 ms on 1 GiB, 12 ms on
    // 8 GiB with 200 tasks): after each of the first 16 changes, then after
    // changes 32, 64, 128, ... and after the last one (run_scenario), so a
    // long run costs a log of its length in checks and a broken invariant
    // is still caught, near its statement in a short one. (`check` asks
    // for one anywhere.)
    const std::size_t n = ++r.changes;
    if (n <= 16 || (n & (n - 1)) == 0) {
      x.check_invariants(position(st));
      r.checked_changes = n;
    }
  }
  return {};
}

ScenarioResult run_scenario(const Scenario& s, const FileLoader& load, bool check_each_step, Playground* into) {
  ScenarioResult r;
  Playground own;
  Playground& pg = into ? *into : own;
  SessionState state;
  const RunContext ctx{s.source, &load, check_each_step};
  const Statement* last_change = nullptr;
  for (const Statement& st : s.stmts) {
    if (!run_statement(pg, st, state, r, ctx)) return r;
    if (!only_looks(st)) last_change = &st;
  }
  if (check_each_step && r.checked_changes != r.changes && last_change && pg.booted()) {
    exec::Run x{pg, state, r, ctx};
    x.check_invariants(position(*last_change));
  }
  return r;
}

}  // namespace mm
