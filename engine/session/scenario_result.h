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
  bool ok() const { return failures.empty(); }
};

}  // namespace mm
