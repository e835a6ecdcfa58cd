// Reclaim and the OOM killer (mm/vmscan.c, mm/oom_kill.c), as steps.
//
// shrink_node: for priority 12 down to 0, scan size >> priority pages from
//   the tail of each evictable inactive list (file always, anon only with
//   swap space), ageing the active list first when the inactive one is too
//   small (inactive * sqrt(10 * GiB) < active). A referenced page gets a
//   second pass (activated, or rotated if unmapped); others are reclaimed:
//   clean file pages are dropped (unmapped first), anon pages go to swap.
// kswapd (balance_pgdat): woken when a zone of the node is below low (or its
//   watermark was boosted), reclaims until some eligible zone is above high
//   (+ boost), then clears the boost. Runs synchronously, as a step group.
// direct reclaim (try_to_free_pages): SWAP_CLUSTER_MAX (32) pages from the
//   nodes of the zonelist, in the allocating task's context.
// out_of_memory: constrained_alloc, select_bad_process (oom_badness; on a
//   tie the task met later wins), dump_header (the kernel's report in the
//   log), oom_kill_process (victim + every task sharing its mm), the oom
//   reaper.
//
// Events (events.def, "memory pressure"): a kswapd_wake phase per wakeup
// ending in kswapd_sleep; a direct_reclaim phase; lru_age and lru_scan with
// their counts; an out_of_memory phase holding, per task, oom_badness (the
// memory part) and oom_badness_adj (the adj part and the points), or
// oom_skip, then oom_kill (or the oom_no_victim warning).
#pragma once

#include <string>
#include <vector>

#include "mm/core/machine.h"
#include "mm/page_alloc/gfp.h"

namespace mm {

inline constexpr int DEF_PRIORITY = 12;
inline constexpr int MAX_RECLAIM_RETRIES = 16;

// Pages reclaim could still free in a zone (zone_reclaimable_pages).
u64 zone_reclaimable_pages(const Machine& m, const Zone& z);
// wakeup_kswapd for every node of the zonelist that is not balanced.
void wake_all_kswapds(Machine& m, Order order, gfp_t g, const std::vector<ZoneRef>& zonelist, ZoneType highest);
// Direct reclaim; returns pages reclaimed.
u64 try_to_free_pages(Machine& m, gfp_t g, Order order, const std::vector<ZoneRef>& zonelist, ZoneType highest,
                      const std::vector<int>& nodemask = {});

struct OomControl {
  gfp_t gfp = 0;
  Order order = 0;
  int current_pid = 0;        // the allocating task (0: a kernel context)
  std::vector<int> nodemask;  // empty: all nodes
  const std::vector<ZoneRef>* zonelist = nullptr;
};
// Returns true when it freed memory or decided the caller may retry.
bool out_of_memory(Machine& m, const OomControl& oc);
// "comm: page allocation failure: order:N, mode:0x...(...), nodemask=(null)..."
void warn_alloc(Machine& m, gfp_t g, Order order, int current_pid);

}  // namespace mm
