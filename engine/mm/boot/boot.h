// Booting a machine: a BootPlan is the ordered list of what early boot does
// to memory (memblock calls, NUMA setup, zone sizing, zonelists, handing
// memory to the buddy allocator, late frees, watermarks). A plan comes either
// from the engine's own model of an x86_64 6.1 boot (plan_from_spec) or from
// a real kernel log booted with memblock=debug (plan_from_dmesg in dmesg.h);
// one executor (boot) runs both, so the two paths cannot drift apart.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mm/core/diag.h"
#include "mm/core/machine.h"
#include "mm/core/machine_spec.h"

namespace mm {

enum class BootOpKind : std::uint8_t {
  MemblockAdd,      // memblock_add (e820__memblock_setup)
  MemblockTrim,     // memblock_trim_memory(PAGE_SIZE)
  MemblockReserve,  // memblock_reserve (early reservations, or a logged line)
  MemblockPhysFree, // memblock_phys_free / memblock_free
  MemblockRemove,   // memblock_remove
  MemblockAlloc,    // memblock_alloc_try_nid & friends: request, and the logged result if any
  SetCurrentLimit,  // memblock_set_current_limit
  Printk,           // a line of the engine's own narrative (e.g. RAMDISK:)
  NumaInit,         // x86_numa_init: nodes, memblock nids
  DmaReserve,       // memblock_find_dma_reserve
  FreeAreaInit,     // free_area_init: zone ranges, node and zone sizes, memmap_init
  BuildZonelists,   // build_all_zonelists
  MemInit,          // mem_init: memblock_free_all, preallocate_vmalloc_pages, "Memory:"
  PageAllocInitLate,// deferred struct page init of every node
  InitWmarks,       // init_per_zone_wmark_min (postcore_initcall)
  Khugepaged,       // hugepage_init -> set_recommended_min_free_kbytes (subsys_initcall)
  FreeInitrd,       // free_initrd_mem
  FreeReserved,     // free_reserved_area: "Freeing <what> memory: NK"
};

struct BootOp {
  BootOpKind kind = BootOpKind::Printk;
  Phys base = 0, size = 0;
  // MemblockAlloc: the request as memblock=debug prints it.
  Phys align = 0, min_addr = 0, max_addr = 0;
  int nid = NUMA_NO_NODE;
  bool exact_nid = false;
  bool may_fail = false;       // the kernel copes with failure (init_mem_mapping)
  std::optional<Phys> logged;  // where the real kernel put it (dmesg replay)
  const char* fn = "";         // "memblock_alloc_try_nid", ...
  std::string caller;          // kernel caller, e.g. "sparse_init+0x9f/0x23c"
  std::string what;            // FreeReserved label / printk text / alloc purpose
  u64 kb = 0;                  // FreeReserved: size the log printed
  int line = 0;                // dmesg line number (0 for the model)
};

struct BootPlan {
  MachineSpec spec;
  std::vector<BootOp> ops;
  bool from_dmesg = false;
  bool memblock_debug = false;  // the log had memblock=debug lines
  std::vector<std::string> notes;  // said at the start of the boot log
  std::string source;
};

// The engine's model of a 6.1 x86_64 boot of `spec`.
BootPlan plan_from_spec(const MachineSpec& spec);
// Where the part of the kernel image that "Freeing <what> memory" gives back
// lies, for an image laid out as vmlinux.lds.S lays it out; nullopt for a
// label the model does not know. `kb` is the size the log printed.
std::optional<std::pair<Phys, Phys>> kernel_piece(const KernelImage& k, std::string_view what, u64 kb);
// Called after every op of a boot (tests check invariants there).
using BootStepHook = std::function<void(const Machine&, const BootOp&)>;

// Runs a plan. Fails (with a message) only when the plan is inconsistent,
// e.g. an allocation the machine cannot satisfy; the machine is then
// discarded.
// `on_create` sees the machine as soon as it exists, before the first boot
// step (a replay uses it to know which machine's events to watch).
using MachineCreatedHook = std::function<void(Machine&)>;
Expected<std::unique_ptr<Machine>> boot(const BootPlan& plan, bool trace, const BootStepHook& after_each = {},
                                        const MachineCreatedHook& on_create = {});

// Sizing formulas, exposed for tests and the page.
u64 calc_memmap_size(u64 spanned, u64 present);
int zone_batchsize(u64 managed);
int zone_highsize(const Machine& m, const Zone& z, int batch);
// memblock_free_all's order choice for a pfn range: (pfn, order) blocks.
std::vector<std::pair<Pfn, Order>> free_pages_memory_blocks(Pfn start, Pfn end);
// alloc_large_system_hash(): log2 of the entry count for a scale.
unsigned large_system_hash_shift(u64 nr_kernel_pages, unsigned scale);

// Watermarks and per-CPU limits (watermarks.cpp).
u64 nr_free_zone_pages(const Machine& m, ZoneType highest);
void calculate_min_free_kbytes(Machine& m);
void setup_per_zone_wmarks(Machine& m);
void setup_per_zone_lowmem_reserve(Machine& m);
void zone_pcp_update(Machine& m, Zone& z);

}  // namespace mm
