// The page allocator's entry points (mm/page_alloc.c, Linux 6.1):
//
//   alloc_pages -> __alloc_pages: prepare_alloc_pages (gfp_zone, zonelist,
//     migratetype, preferred zone), alloc_flags_nofragment, then
//     get_page_from_freelist walking the zonelist: zone_watermark_fast at
//     the low watermark, rmqueue -> per-CPU list (refilled by rmqueue_bulk)
//     or the buddy lists (rmqueue_buddy), prep_new_page, highatomic
//     reservation. When no zone passes, 6.1 enters __alloc_pages_slowpath;
//     until the memory-pressure model exists the engine reports that step
//     and fails the request cleanly.
//   free_pages -> __free_pages: orders a pcp list can hold go to the CPU's
//     list (free_unref_page), spilling a batch back to the buddy lists
//     (free_pcppages_bulk) when the list passes `high`; larger orders go
//     straight to __free_one_page.
//
// Only the pcp helpers here touch PerCpuPages::count.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "mm/core/diag.h"
#include "mm/core/machine.h"
#include "mm/page_alloc/gfp.h"

namespace mm {

struct AllocRequest {
  gfp_t gfp = gfp::GFP_KERNEL;
  Order order = 0;
  int cpu = 0;
  int nid = NUMA_NO_NODE;  // preferred node; default: the CPU's node
  // Who will own the pages; default: user memory (on the LRU, movable) for
  // movable masks, kernel memory otherwise.
  std::optional<Owner> owner;
  int pid = 0;                // the allocating task ("current"); 0: kernel context
  std::vector<int> nodemask;  // MPOL_BIND nodes; empty: every node
};

// Why an allocation failed: a fact. The words (English and 中文) are in the
// text layer (text/format/reasons.def, failure_text() in text/format/reasons.h);
// each reason also has its failure event, Ev::alloc_fail_<reason>.
enum class AllocFailure : std::uint8_t {
  none,
  no_zone,            // prepare_alloc_pages: the mask allows no zone of the zonelist
  task_killed,        // the allocating task was gone when the slow path looked again
  no_direct_reclaim,  // the mask may not sleep to reclaim (no __GFP_DIRECT_RECLAIM)
  noretry,            // __GFP_NORETRY: one round of reclaim only
  costly,             // order > PAGE_ALLOC_COSTLY_ORDER without __GFP_RETRY_MAYFAIL
  oom_victim,         // the OOM killer chose the allocating task itself
  nothing_to_free,    // reclaim and the OOM killer found nothing
  oom_costly,         // __alloc_pages_may_oom: costly orders never invoke the OOM killer
  oom_retry_mayfail,  // ... nor __GFP_RETRY_MAYFAIL / __GFP_THISNODE requests
  oom_lowmem,         // ... nor requests limited to DMA/DMA32
};
inline constexpr unsigned kAllocFailures = 11;
// The reasons' codes, as AllocResult.reason and the catalogue name them.
inline constexpr std::array<std::string_view, kAllocFailures> kAllocFailureCodes = {
    "none",       "no_zone",         "task_killed", "no_direct_reclaim", "noretry",   "costly",
    "oom_victim", "nothing_to_free", "oom_costly",  "oom_retry_mayfail", "oom_lowmem"};

struct AllocOutcome {
  bool ok = false;
  Pfn pfn = 0;
  Order order = 0;
  ZoneRef zone{0, ZoneType::DMA};
  AllocFailure reason = AllocFailure::none;  // why not, when !ok
  // The request as the reason's words need it: its mask and the node it ran on.
  gfp_t gfp = 0;
  int nid = NUMA_NO_NODE;
};

// A request the kernel would refuse outright (bad gfp, order >= MAX_ORDER,
// no such CPU or node) is a Diagnostic; running out of memory is an outcome.
Expected<AllocOutcome> alloc_pages(Machine& m, const AllocRequest& r);
// Frees what alloc_pages returned; anything else (a pfn that is not the
// head of a live allocation, a wrong order) is a Diagnostic and changes nothing.
Status free_pages(Machine& m, Pfn pfn, Order order, int cpu);
// drain_local_pages / drain_all_pages: empty per-CPU lists into the buddy.
void drain_local_pages(Machine& m, int cpu, Zone* only = nullptr);
void drain_all_pages(Machine& m, Zone* only = nullptr);

// What a watermark check saw, as numbers: the request passes when
//   free - unusable > mark + reserve
// and, for order > 0, some free list of a usable type holds a block of the
// request's order or larger.
struct WatermarkCheck {
  long long free = 0;      // free pages as counted (NR_FREE_PAGES, or that + reclaimable)
  long long unusable = 0;  // (2^order - 1), + nr_reserved_highatomic unless ALLOC_RESERVES
  long long mark = 0;      // the watermark after the ALLOC_* reserve adjustments
  long long reserve = 0;   // lowmem_reserve[] of the request's highest zone
  bool ok = false;
  // order > 0 and the numbers met: the order and list of the free block
  // found (block_order -1: none).
  int block_order = -1;
  MigrateType block_mt = MigrateType::Unmovable;

  long long usable() const { return free - unusable; }
  bool met() const { return usable() > mark + reserve; }
};

// __zone_watermark_ok(): does `z` keep `mark` (+ lowmem_reserve for the
// request's highest zone) after this allocation, with `free_pages` free?
WatermarkCheck zone_watermark_check(const Zone& z, Order order, u64 mark, ZoneType highest, unsigned alloc_flags,
                                    long long free_pages);
bool zone_watermark_ok(const Machine& m, const Zone& z, Order order, u64 mark, ZoneType highest, unsigned alloc_flags,
                       long long free_pages);
// zone_watermark_fast(): the order-0 shortcut, then __zone_watermark_ok
// (and, for an atomic order-0 request, once more without the boost). The
// facts are those of the check that decided.
WatermarkCheck zone_watermark_fast(const Zone& z, Order order, u64 mark, ZoneType highest, unsigned alloc_flags,
                                   gfp_t g);

// The pcp list a page of (migratetype, order) lives on.
unsigned order_to_pindex(MigrateType mt, Order order);
Order pindex_to_order(unsigned pindex);
bool pcp_allowed_order(Order order);

// A live allocation's head, or nullopt: for callers that hold pfns.
bool is_allocation_head(const Machine& m, Pfn pfn);

}  // namespace mm
