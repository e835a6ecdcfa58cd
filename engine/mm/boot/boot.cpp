// The boot executor: runs a BootPlan against a fresh Machine, one plan
// operation at a time, each to the phase function named after the kernel's
// (phases.h), then the caller's after-each hook.
//
// The order is the plan's; for the engine's model and for a real log it is
// the order x86_64 6.1 runs them (setup_arch, start_kernel,
// kernel_init_freeable, the initcalls, free_initmem):
//   e820 -> memblock_add; early reservations and allocations; x86_numa_init;
//   memblock_find_dma_reserve; sparse_init's allocations; free_area_init;
//   build_all_zonelists; percpu and hash-table allocations; mem_init (then
//   kmem_cache_init); page_alloc_init_late; init_per_zone_wmark_min;
//   efi_free_boot_services; hugepage_init; free_initrd_mem; free_initmem.
// setup_arch's phase closes when mem_init starts (start_kernel's mm_init).
#include <optional>

#include "mm/boot/boot.h"

#include "mm/boot/phases.h"
#include "mm/slab/slub.h"

namespace mm {

namespace {

// setup_arch as a phase that ends when mem_init begins, or with the boot.
class SetupArchPhase {
 public:
  // `resumed_open`: a checkpoint left the phase open (not opened again).
  explicit SetupArchPhase(Trace& t, bool resumed = false, bool resumed_open = false)
      : t_(t), open_(resumed ? resumed_open && t.on() : t.on()) {
    if (open_ && !resumed) t_.begin(Ev::setup_arch);
  }
  bool open() const { return open_; }
  ~SetupArchPhase() { close(); }
  SetupArchPhase(const SetupArchPhase&) = delete;
  SetupArchPhase& operator=(const SetupArchPhase&) = delete;
  void close() {
    if (open_) t_.end();
    open_ = false;
  }

 private:
  Trace& t_;
  bool open_;
};

// One plan operation, run: the std::visit target.
struct RunOp {
  Machine& m;
  phase::BootState& st;
  SetupArchPhase& setup_arch;
  phase::OpUnits* units = nullptr;  // the ops that run in units report through it

  Status operator()(const MemblockAdd& o) {
    m.memblock.add(o.base, o.size, MEMBLOCK_NO_NODE, &m.trace, o.caller);
    return {};
  }
  Status operator()(const MemblockTrim&) {
    m.memblock.trim_memory(PAGE_SIZE, &m.trace);
    return {};
  }
  Status operator()(const MemblockReserve& o) {
    m.memblock.reserve(o.base, o.size, &m.trace, o.caller);
    return {};
  }
  Status operator()(const MemblockRemove& o) {
    m.memblock.remove(o.base, o.size, &m.trace, o.caller);
    return {};
  }
  Status operator()(const MemblockPhysFree& o) {
    phase::memblock_phys_free(m, st, o);
    return {};
  }
  Status operator()(const MemblockAlloc& o) { return phase::memblock_alloc(m, st, o); }
  Status operator()(const LargeSystemHash& o) { return phase::alloc_large_system_hash(m, o); }
  Status operator()(const SetCurrentLimit& o) {
    m.memblock.current_limit = o.limit;  // kernel: memblock_set_current_limit()
    return {};
  }
  Status operator()(const Printk& o) {
    m.printk(o.text);
    return {};
  }
  Status operator()(const NumaInit&) {
    phase::x86_numa_init(m);
    return {};
  }
  Status operator()(const DmaReserve&) {
    phase::memblock_find_dma_reserve(m);
    return {};
  }
  Status operator()(const FreeAreaInit&) {
    if (m.nodes.empty()) phase::x86_numa_init(m);  // a log cut short before NUMA setup
    return phase::free_area_init(m);
  }
  Status operator()(const BuildZonelists&) {
    phase::build_all_zonelists(m);
    return {};
  }
  Status operator()(const MemInit&) {
    setup_arch.close();
    if (!phase::mem_init(m, *units)) return {};  // stopped half-way (units->stopped)
    kmem_cache_init(m);                          // start_kernel's mm_init() runs it right after mem_init()
    return {};
  }
  Status operator()(const PageAllocInitLate& op) {
    if (!phase::page_alloc_init_late(m, *units)) return {};  // stopped half-way
    if (m.spec.version == KernelVersion::v6_12) {
      // 6.12 prints "Memory:" here, once every page is in the buddy allocator.
      phase::early_boot_allocations(m, op.available_kb);
      phase::mem_init_print_info(m);
    }
    return {};
  }
  Status operator()(const InitWmarks&) {
    phase::init_per_zone_wmark_min(m);
    return {};
  }
  Status operator()(const Khugepaged&) {
    phase::hugepage_init(m);
    return {};
  }
  Status operator()(const FreeInitrd& o) {
    phase::free_reserved(m, "initrd", o.base, o.size);  // kernel: free_initrd_mem()
    return {};
  }
  Status operator()(const FreeReserved& o) {
    if (o.pieces.empty())
      phase::free_reserved(m, o.what, o.base, o.size);
    else
      phase::efi_free_boot_services(m, st, o);
    return {};
  }
};

// Where a boot stands between two ops, for a checkpoint: the op to run
// next, whether setup_arch is still open, and the memblock allocations
// later ops name; inside an op that runs in units, also where that op
// stands (v[1..4]: its OpUnits::Place; v[1] == 0 between ops).
Resume boot_resume(std::size_t next, const SetupArchPhase& setup_arch, const phase::BootState& st,
                   const phase::OpUnits::Place& inside = {}) {
  Resume r;
  r.loop = ResumeLoop::BootOps;
  r.unit = next;
  r.v[0] = setup_arch.open() ? 1 : 0;
  for (std::size_t k = 0; k < inside.size(); ++k) r.v[k + 1] = inside[k];
  r.extra.assign(st.allocations.begin(), st.allocations.end());
  return r;
}

Status run(Machine& m, const BootPlan& plan, const BootStepHook& after_each) {
  const Resume* from = take_resume(m, ResumeLoop::BootOps);
  if (!from) {
    phase::setup_machine(m, plan.spec);
    for (const std::string& n : plan.notes) m.printk(n);
    phase::e820__print_table(m);
    phase::e820__print_edits(m);
  }
  auto describe = [&](EventRef& e) { e.spec(plan.spec.description); };
  std::optional<TraceScope> start_kernel;
  if (from)
    start_kernel.emplace(m.trace, TraceScope::Adopt{});
  else
    start_kernel.emplace(m.trace, Ev::start_kernel, describe);
  SetupArchPhase setup_arch(m.trace, from != nullptr, from && from->v[0]);
  phase::BootState st;
  if (from) st.allocations.assign(from->extra.begin(), from->extra.end());
  RunOp run_op{m, st, setup_arch};
  const std::size_t first = from ? from->unit : 0;
  // A checkpoint inside an op: the replay resumes that op at its unit.
  const phase::OpUnits::Place inside =
      from ? phase::OpUnits::Place{from->v[1], from->v[2], from->v[3], from->v[4]} : phase::OpUnits::Place{};
  for (std::size_t i = first; i < plan.ops.size(); ++i) {
    const BootOp& op = plan.ops[i];
    // Between two ops (a checkpoint may be taken) only when someone listens.
    if (i > first && m.units.p && !unit_boundary(m, boot_resume(i, setup_arch, st))) return {};
    phase::OpUnits units;
    if (i == first && inside[0]) units.from = &inside;
    if (m.units.p)
      units.between = [&m, &setup_arch, &st, i](const phase::OpUnits::Place& p) {
        return unit_boundary(m, boot_resume(i, setup_arch, st, p));
      };
    run_op.units = &units;
    if (Status s = std::visit(run_op, op); !s) return Diagnostic{plan.source, source_line(op), 0, s.diag().message};
    if (units.stopped) return {};  // a replay that has what it came for
    if (after_each) after_each(m, op);
  }
  setup_arch.close();
  if (m.nodes.empty() || m.totalram_pages == 0)
    return Diagnostic{plan.source, 0, 0, "boot: the plan never handed memory to the buddy allocator"};
  return {};
}

}  // namespace

Status boot_continue(Machine& m, const BootPlan& plan) { return run(m, plan, {}); }

Expected<std::unique_ptr<Machine>> boot(const BootPlan& plan, bool trace, const BootStepHook& after_each,
                                        const MachineCreatedHook& on_create) {
  auto m = std::make_unique<Machine>();
  m->trace.enable(trace);
  // Handing memory to the buddy allocator records a free (and most often a
  // merge) per pageblock: three records per two pageblocks of RAM.
  if (trace) m->trace.reserve(4096 + 2 * (plan.spec.usable_bytes() >> (PAGE_SHIFT + pageblock_order)));
  if (on_create) on_create(*m);
  if (Status s = run(*m, plan, after_each); !s) return s.diag();
  return m;
}

}  // namespace mm
