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

#include <optional>
#include <vector>
#include <string>

#include "mm/core/diag.h"
#include "mm/page_alloc/gfp.h"
#include "mm/core/machine.h"

namespace mm {

struct AllocRequest {
  gfp_t gfp = gfp::GFP_KERNEL;
  Order order = 0;
  int cpu = 0;
  int nid = NUMA_NO_NODE;  // preferred node; default: the CPU's node
  // Who will own the pages; default: user memory (on the LRU, movable) for
  // movable masks, kernel memory otherwise.
  std::optional<Owner> owner;
  int pid = 0;  // the allocating task ("current"); 0: kernel context
  std::vector<int> nodemask;  // MPOL_BIND nodes; empty: every node
};

struct AllocOutcome {
  bool ok = false;
  Pfn pfn = 0;
  Order order = 0;
  ZoneRef zone{0, ZoneType::DMA};
  std::string failure;  // why not, when !ok
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

// __zone_watermark_ok(): does `z` keep `mark` (+ lowmem_reserve for the
// request's highest zone) after this allocation? `why` explains the numbers.
bool zone_watermark_ok(const Machine& m, const Zone& z, Order order, u64 mark, ZoneType highest, unsigned alloc_flags,
                       long long free_pages, std::string* why = nullptr);
// zone_watermark_fast(): the order-0 shortcut, then __zone_watermark_ok.
bool zone_watermark_fast(const Machine& m, const Zone& z, Order order, u64 mark, ZoneType highest,
                         unsigned alloc_flags, gfp_t g, std::string* why = nullptr);

// The pcp list a page of (migratetype, order) lives on.
unsigned order_to_pindex(MigrateType mt, Order order);
Order pindex_to_order(unsigned pindex);
bool pcp_allowed_order(Order order);

// A live allocation's head, or nullopt: for callers that hold pfns.
bool is_allocation_head(const Machine& m, Pfn pfn);

}  // namespace mm
