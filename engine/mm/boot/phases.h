// The phases of a boot, one function each, named after the kernel function
// that does the same on x86_64 6.1. The executor (boot.cpp) calls them as
// it walks a BootPlan; each takes the Machine and what it needs, nothing
// else. Private to mm/boot.
//
//   boot.cpp            the executor: one std::visit per plan operation
//   memblock_setup.cpp  e820 printout, memblock allocations and frees,
//                       x86_numa_init, memblock_find_dma_reserve
//   free_area_init.cpp  zone ranges, ZONE_MOVABLE, node and zone sizes,
//                       memmap_init with deferral
//   zonelists.cpp       build_all_zonelists
//   mem_init.cpp        mem_init (memblock_free_all), deferred struct page
//                       init, the watermark initcalls, the late frees
#pragma once

#include <array>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "mm/boot/boot.h"

namespace mm::phase {

// What one phase leaves for a later one beyond the Machine itself: where
// the allocations a later free refers to landed (by AllocId; 0 when the
// allocation failed and was allowed to).
struct BootState {
  std::vector<Phys> allocations;
  Phys allocation(AllocId id) const { return id < allocations.size() ? allocations[id] : 0; }
  void record(AllocId id, Phys at) {
    if (!id) return;
    if (allocations.size() <= id) allocations.resize(id + 1, 0);
    allocations[id] = at;
  }
};

// The kernel's "%#0*Lx" (0x and zero-padded digits, also for 0) and its
// "[mem 0x...-0x...]" ranges, for the log lines boot prints.
std::string kernel_hex(u64 v, int width);
std::string mem_range18(Phys start, Phys last);
std::string mem_range10(Phys start, Phys last);

// ---- memblock_setup.cpp ---------------------------------------------------------
// The machine before its first boot step: the spec, CPUs, max_pfn
// (e820__end_of_ram_pfn) and an uninitialised memory map.
void setup_machine(Machine& m, const MachineSpec& spec);
// "BIOS-provided physical RAM map:" and its lines.
void e820__print_table(Machine& m);
// When the command line or the log edits the map: the kernel's lines from
// parse_early_param to max_pfn (the edits' "e820: update/remove" lines, the
// "user-defined physical RAM map:", trim_bios_range's two, "last_pfn = ").
// A machine without edits prints none of them, as before they were modelled.
void e820__print_edits(Machine& m);
// memblock_alloc_try_nid() & friends: search, check a replayed result,
// reserve. Fails when nothing fits and the caller would panic.
Status memblock_alloc(Machine& m, BootState& st, const MemblockAlloc& op);
// alloc_large_system_hash(): sized from nr_kernel_pages, then memblock.
Status alloc_large_system_hash(Machine& m, const LargeSystemHash& op);
// memblock_phys_free() of a logged range or of part of an earlier allocation.
void memblock_phys_free(Machine& m, const BootState& st, const MemblockPhysFree& op);
// x86_numa_init(): the nodes (or one faked node) and memblock's nids.
void x86_numa_init(Machine& m);
// memblock_find_dma_reserve(): pages below 16M that memblock has reserved.
void memblock_find_dma_reserve(Machine& m);

// ---- free_area_init.cpp -----------------------------------------------------------
// free_area_init(): zone ranges, ZONE_MOVABLE, node and zone sizes,
// free_area_init_core's managed estimates, memmap_init.
Status free_area_init(Machine& m);

// ---- zonelists.cpp ------------------------------------------------------------------
// build_all_zonelists(): node order, zonelists, mobility grouping.
void build_all_zonelists(Machine& m);

// ---- mem_init.cpp -------------------------------------------------------------------
// mem_init and page_alloc_init_late hand millions of pages to the buddy
// allocator on a large machine, so each is a loop of units (one block, one
// pageblock) that reports between two of them, as the boot's ops do (see
// Resume in machine.h): the timeline keeps checkpoints inside them. Where
// such an op stands is four numbers, which the boot carries in its Resume.
struct OpUnits {
  using Place = std::array<u64, 4>;  // [0]: which loop (mem_init.cpp's kinds), then its own state
  const Place* from = nullptr;       // a replay resumes the op at this unit
  // Told before every unit but the first one a run does; false stops the op
  // there. Empty when nobody listens.
  std::function<bool(const Place&)> between;
  bool stopped = false;  // the op returned early because `between` said so

  const Place* resuming(u64 kind) const { return from && (*from)[0] == kind ? from : nullptr; }
  bool at(const Place& p) {
    if (!between || between(p)) return true;
    stopped = true;
    return false;
  }
};
// mem_init(): memblock_free_all, preallocate_vmalloc_pages, "Memory:".
// False when `u` stopped it half-way.
bool mem_init(Machine& m, OpUnits& u);
// page_alloc_init_late(): deferred_init_memmap of every node (false: stopped).
bool page_alloc_init_late(Machine& m, OpUnits& u);
// mem_init_print_info(): "Memory: free/present available (image parts,
// reserved, cma-reserved)". 6.1 prints it at the end of mem_init, 6.12 at
// the end of page_alloc_init_late.
void mem_init_print_info(Machine& m);
// What the kernel allocates between mem_init and 6.12's "Memory:" line
// (slab caches, ftrace's pages, kernel stacks and page tables of the early
// threads, per-CPU chunks), which the model does not itemise: order-0
// unmovable pages until NR_FREE_PAGES is `available_kb` (a log's figure),
// or the model's estimate when that is 0.
void early_boot_allocations(Machine& m, u64 available_kb);
// The model's estimate of those pages on a machine without a log.
u64 early_boot_estimate(const Machine& m);
// init_per_zone_wmark_min(): min_free_kbytes, watermarks, lowmem_reserve.
void init_per_zone_wmark_min(Machine& m);
// hugepage_init() -> set_recommended_min_free_kbytes(), from 512M with THP.
void hugepage_init(Machine& m);
// free_reserved_area() of [base, base+size) and its "Freeing <what> memory:" line.
void free_reserved(Machine& m, std::string_view what, Phys base, Phys size);
// efi_free_boot_services(): the model's boot-services pieces to the buddy
// allocator, with the kernel's line.
void efi_free_boot_services(Machine& m, const BootState& st, const FreeReserved& op);

}  // namespace mm::phase
