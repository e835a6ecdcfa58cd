// The checks the fuzzers run on one input, shared with the regression test
// (tests/engine/fuzz_corpus_test.cpp) so a corpus file is judged the same way
// by both. Every function takes arbitrary bytes and returns what went wrong:
// an empty string when the input was handled correctly (rejected with a
// sensible Diagnostic, skipped as too costly, or booted with every invariant
// holding), else a description of the violation. A crash, an abort, a hang
// or undefined behaviour is of course also a failure; the sanitizers and
// libFuzzer catch those.
//
// Bounds that keep one input cheap (each fuzzing iteration stays fast):
//   shorthand  inputs whose ram exceeds kFuzzMaxShorthandRam are parsed only
//   dmesg      logs whose usable RAM exceeds kFuzzMaxDmesgRam are parsed only
//   scenario   scenarios whose machines add up to more than kFuzzMaxScenarioRam
//              or have many statements after a boot are parsed only
// `max_ram` lets the regression test lower these for its time budget.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "session/playground.h"
#include "session/scenario.h"
#include "text/parse/dmesg.h"
#include "text/parse/shorthand.h"

namespace mm_fuzz {

inline constexpr std::uint64_t kFuzzMaxShorthandRam = 8ull << 30;
inline constexpr std::uint64_t kFuzzMaxDmesgRam = 4ull << 30;
inline constexpr std::uint64_t kFuzzMaxScenarioRam = 4ull << 30;
inline constexpr std::size_t kFuzzMaxScenarioStmts = 256;

struct Result {
  std::string violation;  // empty: fine
  bool booted = false;    // an input got as far as a successful boot
  bool skipped = false;   // parsed, but too costly to boot
};

// A Diagnostic must say something.
inline std::string bad_diag(const mm::Diagnostic& d, std::string_view what) {
  if (d.message.empty()) return std::string(what) + ": a Diagnostic without a message";
  if (d.line < 0 || d.col < 0) return std::string(what) + ": a Diagnostic with a negative position: " + d.str();
  return {};
}

inline std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : "; ") + x;
  return s;
}

// After a successful boot: invariants, and every read-only view must work.
inline std::string after_boot(mm::Playground& pg, std::string_view what) {
  if (!pg.booted()) return std::string(what) + ": boot reported success but no machine";
  std::vector<std::string> v = pg.check();
  if (!v.empty()) return std::string(what) + ": invariant violated after boot: " + join(v);
  for (std::string_view name : mm::Playground::proc_names()) {
    std::string out;
    mm::Status s = pg.proc(name, out);
    if (!s) return std::string(what) + ": proc " + std::string(name) + " failed: " + s.str();
  }
  (void)pg.boot_log();
  if (pg.frame_count() && !pg.frame_state()) return std::string(what) + ": frame_state() is null";
  return {};
}

inline Result check_shorthand(std::string_view text, std::uint64_t max_ram = kFuzzMaxShorthandRam) {
  Result r;
  auto spec = mm::parse_shorthand(text);
  if (!spec) {
    r.violation = bad_diag(spec.diag(), "shorthand");
    return r;
  }
  if (spec->usable_bytes() > max_ram) {
    r.skipped = true;
    return r;
  }
  mm::Playground pg;
  mm::Status s = pg.boot_shorthand(text, "<fuzz>");
  if (!s) {
    // A machine the model cannot boot (too small for its reservations) is
    // a Diagnostic, and the Playground stays empty.
    r.violation = bad_diag(s.diag(), "shorthand boot");
    if (r.violation.empty() && pg.booted()) r.violation = "shorthand: failed boot left a machine behind";
    return r;
  }
  r.booted = true;
  r.violation = after_boot(pg, "shorthand");
  return r;
}

inline Result check_dmesg(std::string_view text, std::uint64_t max_ram = kFuzzMaxDmesgRam) {
  Result r;
  auto plan = mm::plan_from_dmesg(text, "fuzz.dmesg");
  if (!plan) {
    r.violation = bad_diag(plan.diag(), "dmesg");
    return r;
  }
  if (plan->spec.usable_bytes() > max_ram) {
    r.skipped = true;
    return r;
  }
  mm::Playground pg;
  mm::Status s = pg.boot_dmesg(text, "fuzz.dmesg");
  if (!s) {
    r.violation = bad_diag(s.diag(), "dmesg boot");
    if (r.violation.empty() && pg.booted()) r.violation = "dmesg: failed boot left a machine behind";
    return r;
  }
  r.booted = true;
  r.violation = after_boot(pg, "dmesg");
  return r;
}

inline Result check_scenario(std::string_view text, std::uint64_t max_ram = kFuzzMaxScenarioRam) {
  Result r;
  auto sc = mm::parse_scenario(text, "fuzz.scenario");
  if (!sc) {
    r.violation = bad_diag(sc.diag(), "scenario");
    return r;
  }
  // Bound the work: the RAM of all machines booted, and the statements run
  // (each runs check_invariants over the whole memmap).
  std::uint64_t total_ram = 0;
  for (const mm::Statement& st : sc->stmts)
    if (const auto* boot = std::get_if<mm::stmt::Machine>(&st)) total_ram += boot->spec.usable_bytes();
  if (total_ram > max_ram || sc->stmts.size() > kFuzzMaxScenarioStmts) {
    r.skipped = true;
    return r;
  }
  const mm::FileLoader no_files = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  mm::ScenarioResult res = mm::run_scenario(*sc, no_files, true);
  for (const mm::Diagnostic& d : res.failures) {
    if (d.message.rfind("invariant violated", 0) == 0) {
      r.violation = "scenario: " + d.str();
      return r;
    }
    if (std::string b = bad_diag(d, "scenario failure"); !b.empty()) {
      r.violation = b;
      return r;
    }
  }
  r.booted = true;
  return r;
}

}  // namespace mm_fuzz
