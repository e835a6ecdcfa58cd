#include "mm/pressure/oom.h"

#include <algorithm>
#include <numeric>

namespace mm {

Badness oom_badness_terms(const TaskMem& t, u64 totalpages) {
  Badness b;
  b.rss = t.rss();
  b.swapents = t.swapents;
  b.pgtables = t.pgtables_bytes / static_cast<long long>(PAGE_SIZE);
  b.adj = t.oom_score_adj;
  // adj *= totalpages / 1000: the division happens first.
  b.adj_unit = static_cast<long long>(totalpages / 1000);
  if (!t.unkillable && t.oom_score_adj != OOM_SCORE_ADJ_MIN) b.points = sat_add(b.pages(), b.adj_term());
  return b;
}

std::optional<long long> oom_badness(const TaskMem& t, u64 totalpages) {
  return oom_badness_terms(t, totalpages).points;
}

unsigned long long proc_oom_score(const TaskMem& t, u64 totalpages) {
  auto b = oom_badness(t, totalpages);
  if (!b || totalpages == 0) return 0;
  // The kernel's long arithmetic, in 128 bits: badness * 1000 of a huge
  // task is past 2^63, and totalpages may be past it too.
  __extension__ using i128 = __int128;
  const i128 points = (1000 + static_cast<i128>(*b) * 1000 / static_cast<i128>(totalpages)) * 2 / 3;
  if (points < 0) return 0;
  return points > static_cast<i128>(~0ULL) ? ~0ULL : static_cast<unsigned long long>(points);
}

std::optional<std::size_t> select_bad_process(const std::vector<std::optional<long long>>& points) {
  std::optional<std::size_t> chosen;
  for (std::size_t i = 0; i < points.size(); ++i)
    if (points[i] && (!chosen || *points[i] >= *points[*chosen])) chosen = i;  // oom_evaluate_task's ">="
  return chosen;
}

std::vector<std::size_t> oom_preference_order(const std::vector<std::optional<long long>>& points) {
  std::vector<std::size_t> order(points.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& pa = points[a];
    const auto& pb = points[b];
    if (pa.has_value() != pb.has_value()) return pa.has_value();
    if (!pa) return a < b;
    if (*pa != *pb) return *pa > *pb;
    return a > b;  // the later task wins a tie
  });
  return order;
}

u64 oom_totalpages_nodes(u64 swap_pages, const std::vector<u64>& node_present_pages) {
  u64 total = swap_pages;
  for (u64 p : node_present_pages) total = sat_add(total, p);
  return total;
}

}  // namespace mm
