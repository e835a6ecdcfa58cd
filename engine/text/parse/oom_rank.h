// Ranking an OOM report again: what select_bad_process() did, recomputed
// with the engine's own OOM arithmetic (mm/pressure/oom.h).
//
//   totalpages = constrained_alloc():  NONE    totalram + swap
//                                      (totalram = pages RAM - pages reserved)
//                                      MEMORY_POLICY  swap + present pages of the
//                                      nodemask's nodes; CPUSET the same over
//                                      mems_allowed; MEMCG the cgroup's limit
//   for each row of the table, in order (the kernel lists and evaluates tasks
//   in the same for_each_process order, and dump_task() leaves out exactly the
//   tasks oom_evaluate_task() skips as ineligible):
//       points = oom_badness(row, totalpages)  (none for adj -1000)
//       if points >= chosen_points: chosen = row  (ties go to the later row)
//
// Node present pages come from booting the log's boot part (plan_from_dmesg
// + boot) when the log has one, else from the report's own zone lines.
//
// The ranking is facts: numbers, the lines they were read from, and notes
// as kinds; the replay's text (text/format/oom_replay_text.h) words them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mm/core/diag.h"
#include "mm/core/types.h"
#include "mm/pressure/oom.h"
#include "text/parse/oom_report.h"

namespace mm {

// Present pages per node from the log's boot part, when it has one.
struct OomNodePages {
  std::map<int, u64> present;  // node id -> node_present_pages
  // Why the boot part gave nothing: it could not be read as a boot plan,
  // or booting the plan failed (`why` says what the importer or boot said).
  enum class Missing : std::uint8_t { None, NoBootPart, BootFailed } missing = Missing::None;
  Diagnostic why;
};
OomNodePages oom_node_pages_from_boot(std::string_view text, std::string_view source);
// Why the boot part gave nothing, in words ("" when it did not fail): for
// the diagnostics below and the replay's notes.
std::string oom_boot_missing_words(const OomNodePages& boot);

// Where one node's present pages were taken from.
enum class OomNodeSource : std::uint8_t { Boot, ZoneLines };
struct OomNodeTerm {
  int node = 0;
  u64 pages = 0;
  OomNodeSource from = OomNodeSource::Boot;
};

// What the ranking noticed and the reader should know.
enum class OomNoteKind : std::uint8_t {
  ZoneLinesDisagree,   // node, zone_pages (the report's zone lines) vs pages (the boot's)
  ZoneLinesUpTo,       // show_mem printed zones only up to `zone`: higher ones missing from the sums
  NodesFromZoneLines,  // the boot part could not be used (OomNodePages::missing)
  PolicyRowsEligible,  // CONSTRAINT_MEMORY_POLICY: every listed task is eligible
  MemcgSwapLeftOut,    // a memcg's totalpages leaves out the swap it may use
};
struct OomNote {
  OomNoteKind kind{};
  int node = 0;
  u64 zone_pages = 0, pages = 0;
  ZoneType zone = ZoneType::Normal;
};

struct OomRankRow {
  size_t task = 0;  // index into OomReport::tasks
  TaskMem mem;
  Badness terms;                                // oom_badness() term by term
  std::optional<long long> badness;             // terms.points; nullopt: not a candidate (adj -1000)
  std::optional<unsigned long long> oom_score;  // what /proc/PID/oom_score printed then
};

struct OomRanking {
  u64 totalpages = 0;
  bool approximate = false;              // totalpages not fully known (memcg)
  std::optional<u64> totalram;           // pages RAM - pages reserved
  std::optional<u64> swap;               // Total swap kB / 4
  std::optional<u64> global_totalpages;  // totalram + swap: what /proc's oom_score uses
  std::vector<OomNodeTerm> nodes;        // MEMORY_POLICY / CPUSET: the nodes counted
  std::vector<OomRankRow> rows;          // in table order
  std::optional<size_t> chosen;          // index into rows
  std::vector<size_t> order;             // rows by preference: badness down, later row first on ties
  std::vector<OomNote> notes;
  // The kernel made the same choice: it killed the chosen row's pid, or,
  // with no candidate, it found no killable task either.
  bool matches_kernel = false;
};

// The ranking of one report. `boot` may be empty (then zone lines are used).
// Fails when totalpages cannot be known (e.g. no "pages RAM" line).
Expected<OomRanking> rank_oom_report(const OomReport& r, const OomNodePages& boot, std::string_view source);

}  // namespace mm
