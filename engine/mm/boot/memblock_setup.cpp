// setup_arch's part of a boot: the firmware's e820 table, the memblock
// allocations and frees a plan states, NUMA setup and the DMA reserve.
#include <algorithm>
#include <cstdio>

#include "mm/boot/phases.h"

namespace mm {

namespace {

// The catalogue code of an allocation function: named after it.
Ev alloc_event(MemblockAllocFn fn) {
  switch (fn) {
    case MemblockAllocFn::alloc_try_nid: return Ev::memblock_alloc_try_nid;
    case MemblockAllocFn::alloc_try_nid_raw: return Ev::memblock_alloc_try_nid_raw;
    case MemblockAllocFn::alloc_exact_nid_raw: return Ev::memblock_alloc_exact_nid_raw;
    case MemblockAllocFn::phys_alloc_range: return Ev::memblock_phys_alloc_range;
    case MemblockAllocFn::phys_alloc_try_nid: return Ev::memblock_phys_alloc_try_nid;
  }
  return Ev::memblock_alloc_try_nid;
}

}  // namespace

std::string_view memblock_alloc_fn_name(MemblockAllocFn fn) { return spec(alloc_event(fn)).fn; }

namespace phase {

namespace {

// Where memblock_alloc_range_nid() finds room for the request, without
// reserving it: the node first, then any node unless exact_nid; the
// memblock_alloc*() family is capped at current_limit and retried without
// its lower bound. 0 when nothing fits.
Phys find_room(const Memblock& mb, const MemblockAlloc& op) {
  const bool internal = goes_through_alloc_internal(op.fn);
  const Phys max_addr = internal ? std::min(op.max_addr, mb.current_limit) : op.max_addr;
  auto search = [&](Phys min_addr) {
    Phys f = mb.find_in_range_node(op.size, op.align, min_addr, max_addr, op.nid);
    if (!f && op.nid != NUMA_NO_NODE && !op.exact_nid)
      f = mb.find_in_range_node(op.size, op.align, min_addr, max_addr, NUMA_NO_NODE);
    return f;
  };
  Phys f = search(op.min_addr);
  if (!f && internal && op.min_addr) f = search(0);
  return f;
}

// A replayed allocation the engine's search would have put elsewhere: the
// replay follows the kernel, and says so.
void note_mismatch(Machine& m, const MemblockAlloc& op, Phys kernel, Phys ours) {
  m.replay_mismatches.push_back(std::string(memblock_alloc_fn_name(op.fn)) + " of " + std::to_string(op.size) +
                                " bytes (" + op.caller + "): the kernel placed it at " + hex18(kernel) +
                                ", the engine's search gives " + hex18(ours));
  if (auto e = m.trace.warn(Ev::memblock_alloc_mismatch)) e.base(kernel).found(ours);
}

}  // namespace

std::string kernel_hex(u64 v, int width) {
  char b[40];
  std::snprintf(b, sizeof b, "0x%0*llx", width - 2, static_cast<unsigned long long>(v));
  return b;
}
std::string mem_range18(Phys start, Phys last) {
  return "[mem " + kernel_hex(start, 18) + "-" + kernel_hex(last, 18) + "]";
}
std::string mem_range10(Phys start, Phys last) {
  return "[mem " + kernel_hex(start, 10) + "-" + kernel_hex(last, 10) + "]";
}

void setup_machine(Machine& m, const MachineSpec& spec) {
  m.spec = spec;
  m.nr_cpus = std::max(1u, spec.cpus);
  m.max_pfn = e820_setup(spec).max_pfn;  // e820__end_of_ram_pfn() of the kernel's table
  m.max_low_pfn = m.max_pfn;             // x86_64: init_mem_mapping maps everything
  m.mem.resize(m.max_pfn);
}

void e820__print_table(Machine& m) {
  m.printk("BIOS-provided physical RAM map:");
  for (const E820Entry& e : m.spec.e820)
    m.printk("BIOS-e820: " + mem_range18(e.addr, e.end() - 1) + " " + std::string(e820_type_name(e.type)));
}

namespace {

// "e820: update [mem 0x00000000-0x00000fff] usable ==> reserved",
// "e820: remove [mem 0x000a0000-0x000fffff] usable"; a removal of any type
// names none (the kernel's line then ends in the space before it).
std::string e820_change_line(const E820Change& c) {
  std::string s = std::string("e820: ") + (c.remove ? "remove " : "update ") + mem_range10(c.start, c.end - 1) + " ";
  if (!c.remove) return s + std::string(e820_type_name(c.from)) + " ==> " + std::string(e820_type_name(c.to));
  return c.check_type ? s + std::string(e820_type_name(c.from)) : s;
}

void print_changes(Machine& m, const E820Setup& s, E820Setup::Stage stage) {
  for (const E820Setup::Printed& p : s.printed)
    if (p.stage == stage) m.printk(e820_change_line(p.change));
}

// e820_end_pfn()'s line.
void print_last_pfn(Machine& m, Pfn last) {
  m.printk("last_pfn = " + kernel_hex(last, 3) + " max_arch_pfn = " + kernel_hex(kMaxArchPfn, 3));
}

}  // namespace

void e820__print_edits(Machine& m) {
  const E820Setup s = e820_setup(m.spec);
  if (!s.edited) return;
  print_changes(m, s, E820Setup::Stage::EarlyParam);
  if (s.userdef) {  // e820__finish_early_params()
    m.printk("user-defined physical RAM map:");
    for (const E820Entry& e : s.user)
      m.printk("user: " + mem_range18(e.addr, e.end() - 1) + " " + std::string(e820_type_name(e.type)));
  }
  if (s.kernel_not_ram) m.printk(".text .data .bss are not marked as E820_TYPE_RAM!");
  print_changes(m, s, E820Setup::Stage::KernelRange);
  print_changes(m, s, E820Setup::Stage::Trim);
  print_last_pfn(m, s.max_pfn_before_late);
  const bool late = std::any_of(s.printed.begin(), s.printed.end(),
                                [](const E820Setup::Printed& p) { return p.stage == E820Setup::Stage::AfterTrim; });
  if (late) {
    print_changes(m, s, E820Setup::Stage::AfterTrim);
    print_last_pfn(m, s.max_pfn);
  }
  if (s.max_pfn > (Pfn{1} << (32 - PAGE_SHIFT))) print_last_pfn(m, s.max_low_pfn);  // e820__end_of_low_ram_pfn()
}

// kernel: memblock_alloc_try_nid(), memblock_phys_alloc_range(), ...
Status memblock_alloc(Machine& m, BootState& st, const MemblockAlloc& op) {
  Phys at = 0;
  {
    TraceScope scope(m.trace, alloc_event(op.fn), [&](EventRef& e) {
      e.node(op.nid).size(op.size).align(op.align).min_addr(op.min_addr).max_addr(op.max_addr).caller(op.caller);
    });
    const Phys ours = find_room(m.memblock, op);
    at = op.logged ? *op.logged : ours;
    if (op.logged && ours != at) note_mismatch(m, op, at, ours);
    if (!at && !op.may_fail)
      return Diagnostic{"", 0, 0,
                        "boot: " + std::string(memblock_alloc_fn_name(op.fn)) + " could not find " +
                            std::to_string(op.size) + " bytes for " + op.caller +
                            " (the kernel would panic here: the machine is too small)"};
    st.record(op.id, at);
    if (!at) {
      if (auto e = m.trace.step(Ev::memblock_alloc_none)) e.size(op.size);
      return {};
    }
    m.memblock.reserve(at, op.size, &m.trace, "memblock_alloc_range_nid");
  }
  if (op.purpose == AllocPurpose::NodeData)
    m.printk("NODE_DATA(" + std::to_string(op.nid) + ") allocated " + mem_range10(at, at + op.size - 1));
  return {};
}

// kernel: alloc_large_system_hash(). One hlist_bl_head (8 bytes) per
// bucket; the bucket count is low memory >> scale, rounded up to a power
// of two.
Status alloc_large_system_hash(Machine& m, const LargeSystemHash& op) {
  const unsigned shift = large_system_hash_shift(m.nr_kernel_pages, op.scale);
  MemblockAlloc a;
  a.fn = MemblockAllocFn::alloc_try_nid;
  a.size = u64{8} << shift;
  a.align = 64;
  a.caller = "alloc_large_system_hash";
  a.line = op.line;
  BootState unused;
  if (Status s = memblock_alloc(m, unused, a); !s) return s;
  unsigned order = 0;
  while ((PAGE_SIZE << order) < a.size) ++order;
  m.printk(op.name + " hash table entries: " + std::to_string(u64{1} << shift) + " (order: " + std::to_string(order) +
           ", " + std::to_string(a.size) + " bytes, linear)");
  return {};
}

// kernel: memblock_phys_free()
void memblock_phys_free(Machine& m, const BootState& st, const MemblockPhysFree& op) {
  Phys base = 0;
  if (const Phys* at = std::get_if<Phys>(&op.base)) {
    base = *at;
  } else {
    const AllocRef& ref = std::get<AllocRef>(op.base);
    const Phys got = st.allocation(ref.id);
    if (!got) return;  // the allocation it gives back did not happen
    base = got + ref.offset;
  }
  m.memblock.phys_free(base, op.size, &m.trace, op.caller);
}

namespace {

// dummy_numa_init(): without a NUMA configuration, one node spans [0, max_pfn).
// A kernel built without CONFIG_NUMA has the one node and says nothing.
std::vector<NodeSpec> fake_node(Machine& m) {
  const Phys end = PFN_PHYS(m.max_pfn);
  if (m.spec.config.numa) {
    m.printk("No NUMA configuration found");
    m.printk("Faking a node at " + mem_range18(0, end - 1));
  }
  NodeSpec n;
  n.ranges.push_back({0, end});
  for (unsigned c = 0; c < m.nr_cpus; ++c) n.cpus.push_back(static_cast<int>(c));
  return {n};
}

// numa_cleanup_meminfo(): a node's blocks merge when nothing lies between,
// the first taking in each next one in turn (a line per merge).
void print_merged_blocks(Machine& m, const std::vector<NodeSpec>& nodes) {
  for (const NodeSpec& n : nodes) {
    if (n.ranges.size() < 2) continue;
    std::pair<Phys, Phys> a = n.ranges[0];
    for (size_t i = 1; i < n.ranges.size(); ++i) {
      const auto& b = n.ranges[i];
      const std::pair<Phys, Phys> merged{std::min(a.first, b.first), std::max(a.second, b.second)};
      m.printk("NUMA: Node " + std::to_string(n.id) + " " + mem_range10(a.first, a.second - 1) + " + " +
               mem_range10(b.first, b.second - 1) + " -> " + mem_range10(merged.first, merged.second - 1));
      a = merged;
    }
  }
}

// numa_register_memblks(): the nodes exist, their CPUs map to them, and
// memblock.memory carries their nids.
void register_nodes(Machine& m, const std::vector<NodeSpec>& nodes) {
  m.nodes.resize(nodes.size());
  m.cpu_to_node.assign(m.nr_cpus, 0);
  for (size_t i = 0; i < nodes.size(); ++i) {
    Node& n = m.nodes[i];
    n.id = static_cast<int>(i);
    n.cpus = nodes[i].cpus;
    for (int c : n.cpus)
      if (c >= 0 && static_cast<unsigned>(c) < m.nr_cpus) m.cpu_to_node[static_cast<size_t>(c)] = n.id;
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
      n.zones[z].node = n.id;
      n.zones[z].type = static_cast<ZoneType>(z);
    }
    for (const auto& r : nodes[i].ranges) m.memblock.set_node(r.first, r.second - r.first, n.id, &m.trace);
  }
  // Memory no node claims goes to node 0 (numa_meminfo_cover_memory would
  // refuse the table; we stay useful instead).
  for (MemblockRegion& r : m.memblock.memory.regions)
    if (r.nid == MEMBLOCK_NO_NODE) r.nid = 0;
  m.memblock.memory.merge_regions();
}

}  // namespace

// kernel: x86_numa_init() -> numa_init(x86_acpi_numa_init or dummy_numa_init)
void x86_numa_init(Machine& m) {
  const bool fake = m.spec.nodes.empty();
  TraceScope scope(m.trace, Ev::x86_numa_init,
                   [&](EventRef& e) { e.count(fake ? 1 : m.spec.nodes.size()).fake(fake); });
  std::vector<NodeSpec> nodes = fake ? fake_node(m) : m.spec.nodes;
  if (!fake && m.spec.version == KernelVersion::v6_12 && !m.memblock.memory.regions.empty()) {
    // 6.12's numa_cleanup_meminfo() trims every block to memblock's RAM
    // from its first byte (memblock_start_of_DRAM), 6.1's from 0.
    const Phys low = m.memblock.memory.regions.front().base;
    for (NodeSpec& n : nodes)
      for (auto& r : n.ranges) r.first = std::min(std::max(r.first, low), r.second);
  }
  if (!fake) print_merged_blocks(m, nodes);
  register_nodes(m, nodes);
}

// kernel: memblock_find_dma_reserve()
void memblock_find_dma_reserve(Machine& m) {
  if (m.spec.version != KernelVersion::v6_1) return;  // gone by 6.12, with the memmap estimate it served
  u64 nr_pages = 0, nr_free = 0;
  for (const MemblockRegion& r : m.memblock.memory.regions) {
    Pfn s = std::min(PFN_UP(r.base), MAX_DMA_PFN), e = std::min(PFN_DOWN(r.end()), MAX_DMA_PFN);
    if (s < e) nr_pages += e - s;
  }
  for (const FreeRange& f : m.memblock.free_ranges()) {
    Pfn s = std::min(PFN_UP(f.start), MAX_DMA_PFN), e = std::min(PFN_DOWN(f.end), MAX_DMA_PFN);
    if (s < e) nr_free += e - s;
  }
  m.dma_reserve = nr_pages - nr_free;
  if (auto e = m.trace.step(Ev::dma_reserve)) e.pages(nr_pages).free(nr_free).dma_reserve(m.dma_reserve);
}

}  // namespace phase
}  // namespace mm
