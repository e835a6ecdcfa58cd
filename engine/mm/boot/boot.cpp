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
//   hugepage_init; free_initrd_mem; free_initmem.
// setup_arch's phase closes when mem_init starts (start_kernel's mm_init).
#include "mm/boot/boot.h"

#include "mm/boot/phases.h"
#include "mm/slab/slub.h"

namespace mm {

namespace {

// setup_arch as a phase that ends when mem_init begins, or with the boot.
class SetupArchPhase {
 public:
  explicit SetupArchPhase(Trace& t) : t_(t), open_(t.on()) {
    if (open_) t_.begin(Ev::setup_arch);
  }
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
    phase::mem_init(m);
    kmem_cache_init(m);  // start_kernel's mm_init() runs it right after mem_init()
    return {};
  }
  Status operator()(const PageAllocInitLate&) {
    phase::page_alloc_init_late(m);
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
    phase::free_reserved(m, o.what, o.base, o.size);
    return {};
  }
};

Status run(Machine& m, const BootPlan& plan, const BootStepHook& after_each) {
  phase::setup_machine(m, plan.spec);
  for (const std::string& n : plan.notes) m.printk(n);
  phase::e820__print_table(m);
  TraceScope start_kernel(m.trace, Ev::start_kernel, [&](EventRef& e) { e.spec(plan.spec.description); });
  SetupArchPhase setup_arch(m.trace);
  phase::BootState st;
  RunOp run_op{m, st, setup_arch};
  for (const BootOp& op : plan.ops) {
    if (Status s = std::visit(run_op, op); !s) return Diagnostic{plan.source, source_line(op), 0, s.diag().message};
    if (after_each) after_each(m, op);
  }
  setup_arch.close();
  if (m.nodes.empty() || m.totalram_pages == 0)
    return Diagnostic{plan.source, 0, 0, "boot: the plan never handed memory to the buddy allocator"};
  return {};
}

}  // namespace

Expected<std::unique_ptr<Machine>> boot(const BootPlan& plan, bool trace, const BootStepHook& after_each,
                                        const MachineCreatedHook& on_create) {
  auto m = std::make_unique<Machine>();
  m->trace.enable(trace);
  if (on_create) on_create(*m);
  if (Status s = run(*m, plan, after_each); !s) return s.diag();
  return m;
}

}  // namespace mm
