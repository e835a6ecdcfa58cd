// One function per statement kind, run by run_statement (internal to the
// session: scenario.cpp dispatches, the files named below run). Each
// returns a Diagnostic only when the run cannot go on.
#pragma once

#include <string>

#include "session/playground.h"
#include "session/scenario.h"

namespace mm::exec {

struct Run {
  Playground& pg;
  SessionState& state;
  ScenarioResult& r;
  const RunContext& ctx;

  Machine& machine() { return *pg.machine(); }
  void fail(stmt::Pos at, std::string message) {
    r.failures.push_back(Diagnostic{std::string(ctx.source), at.line, at.col, std::move(message)});
  }
  void fail_at(stmt::Pos at, int col, std::string message) { fail({at.line, col ? col : at.col}, std::move(message)); }
  void check_invariants(stmt::Pos at);
};

// scenario.cpp
Status run(Run& x, const stmt::Machine& s);
Status run(Run& x, const stmt::Dmesg& s);
Status run(Run& x, const stmt::Proc& s);
Status run(Run& x, const stmt::Log& s);
Status run(Run& x, const stmt::Check& s);
Status run(Run& x, const stmt::Echo& s);
Status run(Run& x, const stmt::ExpectFigure& s);
Status run(Run& x, const stmt::ExpectContains& s);
// page_scenario.cpp
Status run(Run& x, const stmt::Alloc& s);
Status run(Run& x, const stmt::Free& s);
Status run(Run& x, const stmt::Drain& s);
// task_scenario.cpp
Status run(Run& x, const stmt::Spawn& s);
Status run(Run& x, const stmt::Grow& s);
Status run(Run& x, const stmt::Exit& s);
Status run(Run& x, const stmt::Read& s);
Status run(Run& x, const stmt::DropCaches& s);
Status run(Run& x, const stmt::Swap& s);
Status run(Run& x, const stmt::OomScoreAdj& s);
// slab_scenario.cpp
Status run(Run& x, const stmt::Kmalloc& s);
Status run(Run& x, const stmt::Kfree& s);
Status run(Run& x, const stmt::KmemCacheCreate& s);
Status run(Run& x, const stmt::KmemCacheAlloc& s);
Status run(Run& x, const stmt::KmemCacheFree& s);
Status run(Run& x, const stmt::KmemCacheShrink& s);
Status run(Run& x, const stmt::KmemCacheDestroy& s);
Status run(Run& x, const stmt::Slab& s);

// figures.cpp: the value of a figure now; a message when it has none.
Expected<long long> figure_value(const Machine& m, const SessionState& state, const Figure& f);
// slab_scenario.cpp
Expected<long long> cache_figure(const Machine& m, const fig::Cache& f);

}  // namespace mm::exec
