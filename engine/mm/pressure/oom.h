// The OOM killer's arithmetic (mm/oom_kill.c, fs/proc/base.c, Linux 6.1).
//
//   oom_badness = rss (anon + file + shmem) + swap entries + page-table pages
//                 + oom_score_adj * (totalpages / 1000)
//   a task with oom_score_adj -1000, a kernel thread or init is no candidate;
//   /proc/PID/oom_score = (1000 + badness * 1000 / totalpages) * 2 / 3
//   (0 for a task that is no candidate).
//   select_bad_process: candidates in for_each_process order; the highest
//   badness wins, and ">=" gives a tie to the task met later.
// There is no root bonus any more (removed in 4.17) and the adj term uses
// integer division of totalpages first, as the kernel does.
//
// The engine's out_of_memory() and the OOM report replay both rank tasks
// with these functions, so the two cannot disagree.
#pragma once

#include <cstddef>
#include <limits>
#include <optional>
#include <vector>

#include "mm/core/types.h"

namespace mm {

inline constexpr int OOM_SCORE_ADJ_MIN = -1000;
inline constexpr int OOM_SCORE_ADJ_MAX = 1000;

// Page counts from a replayed report can be far beyond any machine's; the
// sums and products below saturate at the ends of long long instead of
// overflowing (the parser refuses counts no kernel could hold, this keeps
// the arithmetic defined whatever a caller passes).
inline long long sat_add(long long a, long long b) {
  long long r = 0;
  if (!__builtin_add_overflow(a, b, &r)) return r;
  return b > 0 ? std::numeric_limits<long long>::max() : std::numeric_limits<long long>::min();
}
inline long long sat_mul(long long a, long long b) {
  long long r = 0;
  if (!__builtin_mul_overflow(a, b, &r)) return r;
  return (a > 0) == (b > 0) ? std::numeric_limits<long long>::max() : std::numeric_limits<long long>::min();
}
inline u64 sat_add(u64 a, u64 b) { return a > ~u64{0} - b ? ~u64{0} : a + b; }

// What oom_badness reads of a task's mm.
struct TaskMem {
  long long rss_anon = 0, rss_file = 0, rss_shmem = 0;  // pages
  long long swapents = 0;                               // pages
  long long pgtables_bytes = 0;
  int oom_score_adj = 0;
  bool unkillable = false;  // kernel thread, init, or no mm
  long long rss() const { return sat_add(sat_add(rss_anon, rss_file), rss_shmem); }
};

// oom_badness() term by term: what the narration and the replay's table show.
struct Badness {
  long long rss = 0, swapents = 0, pgtables = 0;  // pages
  long long adj = 0;                              // oom_score_adj
  long long adj_unit = 0;                         // totalpages / 1000: the pages one adj point is worth
  std::optional<long long> points;                // nullopt: not a candidate (LONG_MIN in the kernel)

  long long pages() const { return sat_add(sat_add(rss, swapents), pgtables); }  // the memory part
  long long adj_term() const { return sat_mul(adj, adj_unit); }
};
Badness oom_badness_terms(const TaskMem& t, u64 totalpages);

// nullopt: not a candidate.
std::optional<long long> oom_badness(const TaskMem& t, u64 totalpages);
// What /proc/PID/oom_score prints.
unsigned long long proc_oom_score(const TaskMem& t, u64 totalpages);

// select_bad_process() over tasks in list order (points[i]: nullopt for a
// task that is no candidate): the index chosen, if any.
std::optional<std::size_t> select_bad_process(const std::vector<std::optional<long long>>& points);
// The same rule as a ranking: candidates by badness, highest first, a later
// task before an earlier one on a tie (so the chosen one comes first), then
// the tasks that are no candidate in list order.
std::vector<std::size_t> oom_preference_order(const std::vector<std::optional<long long>>& points);

// constrained_alloc()'s totalpages: the whole machine (CONSTRAINT_NONE), or
// swap plus the present pages of the allowed nodes (a memory policy or a
// cpuset), or a memory cgroup's limit (never 0).
inline u64 oom_totalpages_global(u64 totalram_pages, u64 swap_pages) { return sat_add(totalram_pages, swap_pages); }
u64 oom_totalpages_nodes(u64 swap_pages, const std::vector<u64>& node_present_pages);
inline u64 oom_totalpages_memcg(u64 limit_pages) { return limit_pages ? limit_pages : 1; }

}  // namespace mm
