// Running scenarios (the language: text/scenario/statement.h; parsing:
// text/scenario/parse.h) on a Playground, one statement at a time.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mm/core/diag.h"
#include "mm/core/types.h"
#include "session/scenario_result.h"
#include "text/scenario/parse.h"
#include "text/scenario/statement.h"

namespace mm {

class Playground;

using FileLoader = std::function<std::optional<std::string>(const std::string& path)>;

// What the statements of one run refer to by name besides the machine:
// the handles of alloc and kmalloc/kmem_cache_alloc, and the run's counts.
// Tasks and slab caches are named in the machine itself (find_task,
// find_cache), so they need no entry here.
struct SessionState {
  std::map<std::string, std::vector<std::pair<Pfn, Order>>> pages;          // alloc NAME, newest last
  std::map<std::string, std::vector<std::pair<u64, std::string>>> objects;  // kmalloc NAME: (address, cache)
  long long allocs_ok = 0, allocs_failed = 0;

  // A block freed by its pfn (`free pfn=`, a click, freePages) is no longer
  // its name's: a later `free NAME` would free whoever got the pages next.
  // True when a name held it.
  bool forget_block(Pfn pfn) {
    for (auto it = pages.begin(); it != pages.end(); ++it) {
      auto& blocks = it->second;
      for (auto b = blocks.begin(); b != blocks.end(); ++b)
        if (b->first == pfn) {
          blocks.erase(b);
          if (blocks.empty()) pages.erase(it);
          return true;
        }
    }
    return false;
  }
};

struct RunContext {
  std::string_view source;           // names the file in failures
  const FileLoader* load = nullptr;  // reads `dmesg PATH`; null: no files
  bool check_each_step = true;       // check_invariants() after the statement
};

// Runs one statement on pg: what it prints is appended to r.output, its
// failures (failed expectations, refused requests, invariant violations) to
// r.failures. A Diagnostic back means the run cannot go on (a machine did
// not boot); it is in r.failures too.
Status run_statement(Playground& pg, const Statement& st, SessionState& state, ScenarioResult& r,
                     const RunContext& ctx);

// Runs every statement. `check_each_step` runs check_invariants() after
// every statement (`check` always does). `into`: run on that Playground and
// leave its machine there (the page keeps the result on screen); by default
// a private one is used.
ScenarioResult run_scenario(const Scenario& s, const FileLoader& load, bool check_each_step = true,
                            Playground* into = nullptr);

}  // namespace mm
