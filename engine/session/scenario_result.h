// What running a scenario gives back (kept apart so that playground.h need
// not include the executor, session/scenario.h).
#pragma once

#include <string>
#include <vector>

#include "mm/core/diag.h"

namespace mm {

struct ScenarioResult {
  std::string output;                // what proc/log/echo/slab printed
  std::vector<Diagnostic> failures;  // failed expectations, boot errors
  int expects_passed = 0;
  int expects_failed = 0;
  // Operations the run put on the timeline (statements that only look, and
  // statements that failed, put none).
  std::size_t operations = 0;
  int violations = 0;  // check_invariants() findings among the failures
  // Statements that changed the machine, and how many of them had been
  // when the invariants were last checked (run_statement's schedule).
  std::size_t changes = 0, checked_changes = 0;
  bool ok() const { return failures.empty(); }
  // A failure that is neither an expectation nor an invariant is a
  // statement the engine refused: bad input.
  bool bad_input() const {
    return failures.size() > static_cast<std::size_t>(expects_failed) + static_cast<std::size_t>(violations);
  }
  // The one exit-code rule of the CLI (docs/cli-and-scenarios.md): 0 all
  // held, 1 an expectation or an invariant failed, 2 bad input (which wins).
  int exit_code() const { return bad_input() ? 2 : ok() ? 0 : 1; }
};

}  // namespace mm
