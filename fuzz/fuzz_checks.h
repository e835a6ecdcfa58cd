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
//   scenario   scenarios whose machines add up to more than kFuzzMaxScenarioRam,
//              or have many statements after a boot, or more page allocations
//              in their alloc/repeat statements than kFuzzMaxScenarioAllocs,
//              are parsed only
//   gfp        masks longer than kFuzzMaxGfpBytes are parsed only
//   oom        logs longer than kFuzzMaxOomBytes are not read; a log whose
//              reports need its boot part (a memory-policy or cpuset OOM) and
//              whose usable RAM exceeds kFuzzMaxDmesgRam is parsed only
// `max_ram` lets the regression test lower these for its time budget.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "session/playground.h"
#include "session/scenario.h"
#include "text/parse/dmesg.h"
#include "text/parse/gfp.h"
#include "text/parse/oom_replay.h"
#include "text/parse/shorthand.h"

namespace mm_fuzz {

inline constexpr std::uint64_t kFuzzMaxShorthandRam = 8ull << 30;
inline constexpr std::uint64_t kFuzzMaxDmesgRam = 4ull << 30;
inline constexpr std::uint64_t kFuzzMaxScenarioRam = 4ull << 30;
inline constexpr std::size_t kFuzzMaxScenarioStmts = 256;
inline constexpr std::size_t kFuzzMaxOomBytes = 1u << 20;
inline constexpr std::size_t kFuzzMaxGfpBytes = 4096;
// One longest repeat (999999) runs; several of them are minutes of work.
inline constexpr std::uint64_t kFuzzMaxScenarioAllocs = 1'000'000;

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
  std::uint64_t total_ram = 0, allocs = 0;
  for (const mm::Statement& st : sc->stmts) {
    if (const auto* boot = std::get_if<mm::stmt::Machine>(&st)) total_ram += boot->spec.usable_bytes();
    if (const auto* a = std::get_if<mm::stmt::Alloc>(&st)) allocs += static_cast<std::uint64_t>(a->repeat);
  }
  if (total_ram > max_ram || sc->stmts.size() > kFuzzMaxScenarioStmts || allocs > kFuzzMaxScenarioAllocs) {
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

// One ranking against the rules of mm/oom_kill.c, recomputed here in 128
// bits (an oracle independent of the engine's saturating helpers).
inline std::string check_ranking(const mm::OomReport& rep, const mm::OomRanking& k, std::size_t n) {
  __extension__ using i128 = __int128;
  const std::string where = "oom report " + std::to_string(n + 1) + " (line " + std::to_string(rep.line) + "): ";
  const i128 lmax = static_cast<i128>(std::numeric_limits<long long>::max());
  const i128 lmin = static_cast<i128>(std::numeric_limits<long long>::min());
  auto clamp = [&](i128 v) { return static_cast<long long>(v > lmax ? lmax : v < lmin ? lmin : v); };
  if (k.rows.size() != rep.tasks.size()) return where + "rows and task table differ in size";
  std::vector<bool> seen(k.rows.size());
  if (k.order.size() != k.rows.size()) return where + "the preference order is not a permutation of the rows";
  for (std::size_t i : k.order) {
    if (i >= seen.size() || seen[i]) return where + "the preference order is not a permutation of the rows";
    seen[i] = true;
  }
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < k.rows.size(); ++i) {
    const mm::OomRankRow& row = k.rows[i];
    const mm::OomTaskRow& t = rep.tasks[row.task];
    if (row.task != i) return where + "row " + std::to_string(i) + " scores another task";
    const bool candidate = t.oom_score_adj != mm::OOM_SCORE_ADJ_MIN;
    if (row.badness.has_value() != candidate) return where + "pid " + std::to_string(t.pid) + ": candidacy is wrong";
    if (!candidate) continue;
    // oom_badness(): rss + swapents + pgtables_bytes / PAGE_SIZE + adj * (totalpages / 1000).
    auto badness = [&](std::uint64_t totalpages) {
      return clamp(static_cast<i128>(t.rss) + static_cast<i128>(t.swapents) +
                   static_cast<i128>(t.pgtables_bytes / static_cast<long long>(mm::PAGE_SIZE)) +
                   static_cast<i128>(t.oom_score_adj) * static_cast<i128>(totalpages / 1000));
    };
    if (*row.badness != badness(k.totalpages))
      return where + "pid " + std::to_string(t.pid) + ": badness " + std::to_string(*row.badness) + " is not the sum";
    // /proc/PID/oom_score scores again over the whole machine's totalpages.
    if (k.global_totalpages && *k.global_totalpages) {
      if (!row.oom_score) return where + "pid " + std::to_string(t.pid) + ": no oom_score";
      const i128 score =
          (1000 + static_cast<i128>(badness(*k.global_totalpages)) * 1000 / static_cast<i128>(*k.global_totalpages)) *
          2 / 3;
      const unsigned long long w = score < 0                          ? 0
                                   : score > static_cast<i128>(~0ULL) ? ~0ULL
                                                                      : static_cast<unsigned long long>(score);
      if (*row.oom_score != w) return where + "pid " + std::to_string(t.pid) + ": oom_score is not the kernel's";
    }
    // select_bad_process(): the highest, ">=" giving a tie to the later task.
    if (!best || *row.badness >= *k.rows[*best].badness) best = i;
  }
  if (k.chosen != best) return where + "the chosen task is not the highest badness (later on a tie)";
  if (best && k.order.front() != *best) return where + "the preference order does not start with the chosen task";
  for (std::size_t j = 1; j < k.order.size(); ++j) {
    const auto& a = k.rows[k.order[j - 1]].badness;
    const auto& b = k.rows[k.order[j]].badness;
    if (!a && b) return where + "a non-candidate is ranked before a candidate";
    if (a && b && *a < *b) return where + "the preference order is not by badness";
  }
  return {};
}

inline Result check_oom(std::string_view text, std::uint64_t max_ram = kFuzzMaxDmesgRam) {
  Result r;
  if (text.size() > kFuzzMaxOomBytes) {
    r.skipped = true;
    return r;
  }
  auto log = mm::parse_oom_log(text, "fuzz.oom");
  if (!log) {
    r.violation = bad_diag(log.diag(), "oom");
    return r;
  }
  if (log->reports.empty()) {
    r.violation = "oom: a parsed log with no report";
    return r;
  }
  bool needs_boot = false;
  for (const mm::OomReport& rep : log->reports)
    needs_boot =
        needs_boot || rep.constraint == mm::OomConstraint::MemoryPolicy || rep.constraint == mm::OomConstraint::Cpuset;
  mm::OomNodePages boot;
  if (needs_boot) {
    auto plan = mm::plan_from_dmesg(text, "fuzz.oom");
    if (plan && plan->spec.usable_bytes() > max_ram) {
      r.skipped = true;
      return r;
    }
    boot = mm::oom_node_pages_from_boot(text, "fuzz.oom");
  }
  std::vector<mm::OomRanking> rankings;
  for (std::size_t n = 0; n < log->reports.size(); ++n) {
    auto k = mm::rank_oom_report(log->reports[n], boot, "fuzz.oom");
    if (!k) {
      r.violation = bad_diag(k.diag(), "oom rank");
      return r;
    }
    if (std::string v = check_ranking(log->reports[n], *k, n); !v.empty()) {
      r.violation = v;
      return r;
    }
    rankings.push_back(std::move(*k));
  }
  r.booted = true;
  const std::string text_out = mm::format_oom_replay(*log, rankings, boot);
  if (text_out.find("== OOM 1 of " + std::to_string(log->reports.size()) + " ") == std::string::npos)
    r.violation = "oom: the replay text does not open with its first report";
  // The one-call replay (what mmsim prints) agrees; it boots again, so only
  // when no boot is needed.
  if (r.violation.empty() && !needs_boot) {
    auto whole = mm::oom_replay(text, "fuzz.oom");
    if (!whole)
      r.violation = "oom: oom_replay failed where its parts succeeded: " + whole.diag().str();
    else if (*whole != text_out)
      r.violation = "oom: oom_replay's text differs from its parts'";
  }
  return r;
}

// A gfp mask: parse_gfp's refusal points inside the text; an accepted mask
// has only __GFP_BITS_MASK bits, prints (%pGg) as text that parses back to
// itself, and an allocation with it on a small machine either succeeds or
// is refused with a Diagnostic, never breaking an invariant (the machine is
// one for all inputs: the allocation is undone after each).
inline Result check_gfp(std::string_view text) {
  Result r;
  auto g = mm::parse_gfp(text);
  if (!g) {
    r.violation = bad_diag(g.diag(), "gfp");
    if (r.violation.empty() && (g.diag().col < 1 || static_cast<std::size_t>(g.diag().col) > text.size() + 1))
      r.violation = "gfp: the refusal's column is outside the text: " + g.diag().str();
    return r;
  }
  if (*g & ~mm::gfp::BITS_MASK) return Result{"gfp: an accepted mask has bits above __GFP_BITS_MASK"};
  // %pGg prints nothing for 0 (an OOM report reads "gfp_mask=0x0()"): the
  // mask as text is then its number.
  const std::string shown = mm::format_gfp(*g);
  const std::string printed = shown.empty() ? "0x0" : shown;
  if (shown.empty() && *g != 0) return Result{"gfp: format_gfp printed nothing for a nonzero mask"};
  auto again = mm::parse_gfp(printed);
  if (!again) return Result{"gfp: format_gfp's \"" + printed + "\" does not parse: " + again.diag().str()};
  if (*again != *g) return Result{"gfp: format_gfp's \"" + printed + "\" parses to another mask"};
  if (text.size() > kFuzzMaxGfpBytes) {
    r.skipped = true;
    return r;
  }
  static mm::Playground pg;
  if (!pg.booted() && !pg.boot_shorthand("ram=128M cpus=2", "<fuzz>")) return Result{"gfp: the machine does not boot"};
  const std::string st = "alloc g order=" + std::to_string(text.size() % 4) + " gfp=" + printed;
  auto res = pg.run_command(st, "fuzz.gfp");
  if (!res) return Result{bad_diag(res.diag(), "gfp statement")};  // e.g. GFP_ZONE_BAD, refused before it runs
  for (const mm::Diagnostic& d : res->failures) {
    if (d.message.find("invariant violated") != std::string::npos) return Result{"gfp: " + st + ": " + d.str()};
    if (std::string b = bad_diag(d, "gfp alloc"); !b.empty()) return Result{b};
  }
  if (res->operations > 0 && !pg.undo()) return Result{"gfp: the allocation cannot be undone"};
  if (std::vector<std::string> v = pg.check(); !v.empty()) return Result{"gfp: " + st + ", undone: " + join(v)};
  r.booted = true;
  return r;
}

}  // namespace mm_fuzz
