#include "mm/pressure/oom.h"

namespace mm {

std::optional<long long> oom_badness(const TaskMem& t, u64 totalpages) {
  if (t.unkillable || t.oom_score_adj == OOM_SCORE_ADJ_MIN) return std::nullopt;
  long long points = t.rss() + t.swapents + t.pgtables_bytes / static_cast<long long>(PAGE_SIZE);
  // adj *= totalpages / 1000: the division happens first.
  points += static_cast<long long>(t.oom_score_adj) * static_cast<long long>(totalpages / 1000);
  return points;
}

unsigned long long proc_oom_score(const TaskMem& t, u64 totalpages) {
  auto b = oom_badness(t, totalpages);
  if (!b || totalpages == 0) return 0;
  const long long points = (1000 + *b * 1000 / static_cast<long long>(totalpages)) * 2 / 3;
  return points < 0 ? 0 : static_cast<unsigned long long>(points);
}

}  // namespace mm
