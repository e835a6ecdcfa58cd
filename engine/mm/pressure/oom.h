// The OOM killer's arithmetic (mm/oom_kill.c, fs/proc/base.c, Linux 6.1).
//
//   oom_badness = rss (anon + file + shmem) + swap entries + page-table pages
//                 + oom_score_adj * (totalpages / 1000)
//   a task with oom_score_adj -1000, a kernel thread or init is no candidate;
//   /proc/PID/oom_score = (1000 + badness * 1000 / totalpages) * 2 / 3
//   (0 for a task that is no candidate).
// There is no root bonus any more (removed in 4.17) and the adj term uses
// integer division of totalpages first, as the kernel does.
#pragma once

#include <optional>
#include <string>

#include "mm/core/types.h"

namespace mm {

inline constexpr int OOM_SCORE_ADJ_MIN = -1000;
inline constexpr int OOM_SCORE_ADJ_MAX = 1000;

// What oom_badness reads of a task's mm.
struct TaskMem {
  long long rss_anon = 0, rss_file = 0, rss_shmem = 0;  // pages
  long long swapents = 0;                              // pages
  long long pgtables_bytes = 0;
  int oom_score_adj = 0;
  bool unkillable = false;  // kernel thread, init, or no mm
  long long rss() const { return rss_anon + rss_file + rss_shmem; }
};

// nullopt: not a candidate (LONG_MIN in the kernel).
std::optional<long long> oom_badness(const TaskMem& t, u64 totalpages);
// What /proc/PID/oom_score prints.
unsigned long long proc_oom_score(const TaskMem& t, u64 totalpages);

}  // namespace mm
