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
#include <string_view>
#include <variant>
#include <vector>

#include "mm/core/diag.h"
#include "mm/core/machine.h"
#include "mm/core/machine_spec.h"

namespace mm {

// ---- the plan's operations ------------------------------------------------------
// One struct per operation, each with only what it needs, and `line`: the
// dmesg line it came from (0 for the engine's model). Nothing in an
// operation is a string for the executor to parse: callers and labels are
// words for the trace and the log, never instructions.

// memblock_add (e820__memblock_setup, or a logged line).
struct MemblockAdd {
  Phys base = 0, size = 0;
  std::string caller;  // kernel caller as memblock=debug prints it (may be empty)
  int line = 0;
};
// memblock_trim_memory(PAGE_SIZE).
struct MemblockTrim {
  int line = 0;
};
// memblock_reserve (early reservations, or a logged line).
struct MemblockReserve {
  Phys base = 0, size = 0;
  std::string caller;
  int line = 0;
};
// memblock_remove.
struct MemblockRemove {
  Phys base = 0, size = 0;
  std::string caller;
  int line = 0;
};

// Names a MemblockAlloc of the same plan whose result a later operation
// uses (0: none). The model frees what its own allocations got.
using AllocId = unsigned;
// Where an allocation landed, plus an offset: [result + offset, ...).
struct AllocRef {
  AllocId id = 0;
  Phys offset = 0;
};

// memblock_phys_free / memblock_free: of a logged address, or of part of an
// earlier allocation (skipped when that allocation failed and could).
struct MemblockPhysFree {
  std::variant<Phys, AllocRef> base = Phys{0};
  Phys size = 0;
  std::string caller;
  int line = 0;
};

// The memblock allocation functions a boot calls (their names in the log).
enum class MemblockAllocFn : std::uint8_t {
  alloc_try_nid,        // memblock_alloc_try_nid
  alloc_try_nid_raw,    // memblock_alloc_try_nid_raw
  alloc_exact_nid_raw,  // memblock_alloc_exact_nid_raw
  phys_alloc_range,     // memblock_phys_alloc_range
  phys_alloc_try_nid,   // memblock_phys_alloc_try_nid
};
std::string_view memblock_alloc_fn_name(MemblockAllocFn fn);
// The memblock_alloc*() family (not memblock_phys_alloc*()) goes through
// memblock_alloc_internal: capped at current_limit, retried from 0.
constexpr bool goes_through_alloc_internal(MemblockAllocFn fn) {
  return fn == MemblockAllocFn::alloc_try_nid || fn == MemblockAllocFn::alloc_try_nid_raw ||
         fn == MemblockAllocFn::alloc_exact_nid_raw;
}

// What an allocation is for, when the executor does more than reserve it.
enum class AllocPurpose : std::uint8_t {
  Plain,
  NodeData,  // alloc_node_data: prints "NODE_DATA(n) allocated [mem ...]"
};

// memblock_alloc_try_nid & friends: the request as memblock=debug prints
// it, and where the real kernel put it when a log says so.
struct MemblockAlloc {
  MemblockAllocFn fn = MemblockAllocFn::alloc_try_nid;
  Phys size = 0, align = 0, min_addr = 0, max_addr = 0;
  int nid = NUMA_NO_NODE;
  bool exact_nid = false;
  bool may_fail = false;       // the kernel copes with failure (init_mem_mapping)
  std::optional<Phys> logged;  // where the real kernel put it (dmesg replay)
  std::string caller;          // kernel caller, e.g. "sparse_init+0x9f/0x23c"
  AllocPurpose purpose = AllocPurpose::Plain;
  AllocId id = 0;  // > 0: a later MemblockPhysFree refers to it
  int line = 0;
};

// alloc_large_system_hash() from memblock: one bucket per 2^scale bytes of
// low memory (sized when it runs, from nr_kernel_pages).
struct LargeSystemHash {
  std::string name;  // "Dentry cache", "Inode-cache": as the log names the table
  unsigned scale = 0;
  int line = 0;
};

// memblock_set_current_limit.
struct SetCurrentLimit {
  Phys limit = 0;
  int line = 0;
};
// A line of the kernel's log the plan states (e.g. RAMDISK:, smpboot:).
struct Printk {
  std::string text;
  int line = 0;
};
// x86_numa_init: nodes, memblock nids.
struct NumaInit {
  int line = 0;
};
// memblock_find_dma_reserve.
struct DmaReserve {
  int line = 0;
};
// free_area_init: zone ranges, node and zone sizes, memmap_init.
struct FreeAreaInit {
  int line = 0;
};
// build_all_zonelists.
struct BuildZonelists {
  int line = 0;
};
// mem_init: memblock_free_all, preallocate_vmalloc_pages, "Memory:"; then
// kmem_cache_init.
struct MemInit {
  int line = 0;
};
// page_alloc_init_late: deferred struct page init of every node. From
// 6.12 it also prints "Memory:"; `available_kb` is the figure a 6.12 log's
// line gives (0: the model's own), which the kernel's early allocations
// between mem_init and that line account for (see early_boot_allocations).
struct PageAllocInitLate {
  int line = 0;
  u64 available_kb = 0;
};
// init_per_zone_wmark_min (postcore_initcall).
struct InitWmarks {
  int line = 0;
};
// hugepage_init -> set_recommended_min_free_kbytes (subsys_initcall).
struct Khugepaged {
  int line = 0;
};
// free_initrd_mem: "Freeing initrd memory: NK".
struct FreeInitrd {
  Phys base = 0, size = 0;
  u64 kb = 0;  // the size the log printed (0 for the model)
  int line = 0;
};
// free_reserved_area: "Freeing <what> memory: NK".
struct FreeReserved {
  std::string what;  // the kernel's label: "unused kernel image (initmem)", ...
  Phys base = 0, size = 0;
  u64 kb = 0;  // the size the log printed
  int line = 0;
  // Instead of [base, base + size): pieces of the model's own allocations
  // (by id and size). efi_free_boot_services frees its ranges so, and says
  // "efi: Freeing EFI boot services memory: NK" (nothing when none was).
  std::vector<std::pair<AllocId, Phys>> pieces = {};
};

using BootOp =
    std::variant<MemblockAdd, MemblockTrim, MemblockReserve, MemblockRemove, MemblockPhysFree, MemblockAlloc,
                 LargeSystemHash, SetCurrentLimit, Printk, NumaInit, DmaReserve, FreeAreaInit, BuildZonelists, MemInit,
                 PageAllocInitLate, InitWmarks, Khugepaged, FreeInitrd, FreeReserved>;

// The dmesg line an operation came from (0 for the model).
inline int source_line(const BootOp& op) {
  return std::visit([](const auto& o) { return o.line; }, op);
}

struct BootPlan {
  MachineSpec spec;
  std::vector<BootOp> ops;
  bool from_dmesg = false;
  bool memblock_debug = false;     // the log had memblock=debug lines
  std::vector<std::string> notes;  // said at the start of the boot log
  std::string source;
};

// The engine's model of a 6.1 x86_64 boot of `spec`.
BootPlan plan_from_spec(const MachineSpec& spec);
// The RAM e820__memblock_setup() gives memblock_add: every usable entry of
// the kernel's table (MachineSpec::e820_table: the firmware map after
// mem=/memmap= and trim_bios_range, so without page 0 and [0xa0000, 1M)),
// as (base, size) pairs in address order.
std::vector<std::pair<Phys, Phys>> e820_memblock_ranges(const MachineSpec& spec);
// Whether mem_init sets up the software IO TLB, and with how many areas.
bool swiotlb_enabled(const MachineSpec& spec);
unsigned swiotlb_nareas(const MachineSpec& spec);
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

// Goes on with a boot a checkpoint stopped between two ops: `m` is that
// copy, its resume_from says where (the timeline's replays).
Status boot_continue(Machine& m, const BootPlan& plan);

// Sizing formulas, exposed for tests and the page.
u64 calc_memmap_size(u64 spanned, u64 present);
int zone_batchsize(u64 managed);
int zone_highsize(const Machine& m, const Zone& z, int batch, int fraction);
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
