// Large machines: up to 4 TiB, 64 nodes and 8192 CPUs, in memory that grows
// with what has been touched (CowArray patterns), with every invariant
// holding and the map aggregated beyond 16 GiB.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "mm/page_alloc/alloc.h"
#include "session/playground.h"
#include "text/format/views.h"
#include "text/parse/dmesg.h"
#include "text/parse/shorthand.h"

using namespace mm;

namespace {

double mib(std::size_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

// A server's log in the kernel's own lines: two 512 GiB nodes, 128 CPUs.
// (The layout follows a two-socket machine's e820 map: low RAM below the
// 32-bit PCI hole, the rest from 4 GiB, the second node from 512 GiB.)
std::string one_tib_log() {
  return "Linux version 6.1.0-27-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1\n"
         "Command line: BOOT_IMAGE=/boot/vmlinuz-6.1.0-27-amd64 root=/dev/sda1 ro quiet\n"
         "BIOS-provided physical RAM map:\n"
         "BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] usable\n"
         "BIOS-e820: [mem 0x00000000000a0000-0x00000000000fffff] reserved\n"
         "BIOS-e820: [mem 0x0000000000100000-0x000000006fffffff] usable\n"
         "BIOS-e820: [mem 0x0000000070000000-0x00000000ffffffff] reserved\n"
         "BIOS-e820: [mem 0x0000000100000000-0x000001008fffffff] usable\n"
         "ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x7fffffff]\n"
         "ACPI: SRAT: Node 0 PXM 0 [mem 0x100000000-0x807fffffff]\n"
         "ACPI: SRAT: Node 1 PXM 1 [mem 0x8080000000-0x1008fffffff]\n"
         "smpboot: Allowing 128 CPUs, 0 hotplug CPUs\n"
         "setup_percpu: NR_CPUS:8192 nr_cpumask_bits:128 nr_cpu_ids:128 nr_node_ids:2\n";
}

}  // namespace

TEST_SUITE("large machines") {
  TEST_CASE("ram=2T cpus=384 nodes=2 boots with every invariant holding, in far less memory than its frames") {
    Playground pg;
    REQUIRE(pg.boot_shorthand("ram=2T cpus=384 nodes=2", "<test>"));
    const Machine& m = *pg.machine();
    CHECK(m.nr_cpus == 384);
    REQUIRE(m.nodes.size() == 2);
    // 2 TiB of RAM: 3G below the PCI hole, the rest from 1 TiB (qemu's pc
    // map moves it past AMD's HyperTransport range, 0xfd00000000-0xffffffffff,
    // which RAM from 4G would reach), split evenly between the nodes.
    u64 present = 0, usable = 0;
    for (const Node& n : m.nodes) present += n.node_present_pages;
    for (const E820Entry& e : m.spec.e820_table())
      if (e.type == E820Type::Usable) usable += PFN_DOWN(e.end()) - PFN_UP(e.addr);
    CHECK(usable * PAGE_SIZE ==
          (u64{2} << 40) - 0x60000 - 0x20000 -
              0x2000);  // the legacy hole, the top 128K below 3G, page 0 and the partial page at 639K
    CHECK(m.max_pfn == ((u64{1} << 40) + (u64{2} << 40) - (u64{3} << 30)) / PAGE_SIZE);
    CHECK(present == usable);
    CHECK(m.nodes[1].zones[idx(ZoneType::Normal)].present_pages == (u64{1} << 40) / PAGE_SIZE);
    const std::vector<std::string> v = check_invariants(m, CheckLevel::Full);
    CHECK_MESSAGE(v.empty(), (v.empty() ? "" : v.front()));
    const std::size_t bytes = pg.machine_bytes();
    MESSAGE("ram=2T cpus=384 nodes=2: " << m.mem.nr << " frames, engine memory " << mib(bytes) << " MiB ("
                                        << static_cast<double>(bytes) / static_cast<double>(m.mem.nr)
                                        << " bytes per frame)");
    CHECK(bytes < (std::size_t{256} << 20));
    // What boot left materialised is the frames it touched: the memmap's
    // reservations and the page tables, not the free terabytes.
    CHECK(m.mem.word.materialised_chunks() < m.mem.word.chunk_count() / 100);
  }

  TEST_CASE("memory grows with what is touched, and a snapshot shares the rest") {
    Playground pg;
    REQUIRE(pg.boot_shorthand("ram=1T cpus=8 nodes=2", "<test>"));
    const std::size_t booted = pg.machine_bytes();
    // A thousand order-0 allocations split a few MAX_ORDER blocks (often in
    // chunks boot's reservations already materialised), and 64 order-9 ones
    // a MAX_ORDER block each: each materialises at most its block's chunk.
    for (int i = 0; i < 1000; ++i) {
      AllocRequest r;
      r.cpu = i % 8;
      REQUIRE(pg.alloc_pages(r));
    }
    const std::size_t small = pg.machine_bytes();
    for (int i = 0; i < 64; ++i) {
      AllocRequest r;
      r.order = pageblock_order;
      r.gfp = gfp::GFP_KERNEL | gfp::COMP;
      REQUIRE(pg.alloc_pages(r));
    }
    const std::size_t after = pg.machine_bytes();
    MESSAGE("ram=1T: booted " << mib(booted) << " MiB, after 1000 order-0 allocations " << mib(small)
                              << " MiB, after 64 order-9 ones " << mib(after) << " MiB");
    CHECK(small >= booted);
    CHECK(after > small);
    CHECK(after - small >= 32 * CowArray<frame_word::Word>::chunk_bytes());
    CHECK(after - booted < (std::size_t{8} << 20));
    const std::vector<std::string> v = check_invariants(*pg.machine(), CheckLevel::Full);
    CHECK_MESSAGE(v.empty(), (v.empty() ? "" : v.front()));
    // The undo history holds a snapshot per step; together they cost far
    // less than one dense copy of the frames would (20 bytes each).
    CHECK(pg.history_bytes() < pg.machine()->mem.nr * 20 / 50);
  }

  TEST_CASE("the allocator's hot state is one 8-byte word a frame, and its links reach across a 4 TiB zone") {
    // ram=4T on one node: RAM in ZONE_NORMAL runs from 1 TiB to 5 TiB - 2 GiB,
    // pfns up to 1.25 * 2^30; a free list's links are offsets from 1 TiB.
    Playground pg;
    REQUIRE(pg.boot_shorthand("ram=4T cpus=2 nodes=1", "<test>"));
    const Machine& m = *pg.machine();
    const Zone& normal = m.nodes[0].zones[idx(ZoneType::Normal)];
    CHECK(normal.end_pfn() > (Pfn{1} << 30));
    // The zone starts at 4 GiB and spans more than 2^30 frames; its RAM,
    // from 1 TiB, does not, and the links count from there.
    CHECK(normal.spanned_pages > frame_word::kMaxListSpan);
    CHECK(normal.list_base == (u64{1} << 40) / PAGE_SIZE);
    CHECK(normal.end_pfn() - normal.list_base <= frame_word::kMaxListSpan);
    const FreeList& big = normal.free_area[MAX_ORDER - 1].free_list[idx(MigrateType::Movable)];
    CHECK(big.tail >= (u32{1} << 30));  // freed low to high, to the tail
    CHECK(m.mem.list_next(big, big.tail) == NIL);
    CHECK(m.mem.list_next(big, m.mem.list_prev(big, big.tail)) == big.tail);
    // Allocations and frees on both CPUs touch the words and nothing else
    // per frame (the task arrays and LRU links stay untouched).
    for (int i = 0; i < 600; ++i) {
      AllocRequest r;
      r.cpu = i % 2;
      r.order = static_cast<Order>(i % 4);
      auto p = pg.alloc_pages(r);
      REQUIRE(p);
      REQUIRE(p->ok);
      if (i % 3 == 0) REQUIRE(pg.free_pages(p->pfn, r.order, (i + 1) % 2));
    }
    const MemMap& mem = pg.machine()->mem;
    CHECK(mem.word.materialised_chunks() > 0);
    for (std::size_t n :
         {mem.lru_next.materialised_chunks(), mem.lru_prev.materialised_chunks(), mem.pflags.materialised_chunks(),
          mem.owner_id.materialised_chunks(), mem.mapper.materialised_chunks()})
      CHECK(n == 0);
    const double per_frame = static_cast<double>(CowArray<frame_word::Word>::chunk_bytes()) / 1024.0;
    MESSAGE("ram=4T nodes=1: " << mem.word.materialised_chunks() << " chunks materialised, " << per_frame
                               << " bytes a materialised frame, engine memory " << mib(pg.machine_bytes()) << " MiB");
    CHECK(per_frame <= 8.01);
    const std::vector<std::string> v = check_invariants(*pg.machine(), CheckLevel::Full);
    CHECK_MESSAGE(v.empty(), (v.empty() ? "" : v.front()));
  }

  TEST_CASE("a 1 TiB two-node server boots from its log") {
    auto plan = plan_from_dmesg(one_tib_log(), "server-1t.txt");
    REQUIRE_MESSAGE(plan, (plan ? "" : plan.diag().str()));
    Playground pg;
    const Status booted = pg.boot_dmesg(one_tib_log(), "server-1t.txt");
    REQUIRE_MESSAGE(booted, (booted ? "" : booted.diag().str()));
    const Machine& m = *pg.machine();
    CHECK(m.nr_cpus == 128);
    REQUIRE(m.nodes.size() == 2);
    CHECK(m.nodes[1].node_start_pfn == 0x8080000000 >> PAGE_SHIFT);
    CHECK(m.nodes[1].zones[idx(ZoneType::Normal)].present_pages == (u64{0x10090000000} - 0x8080000000) >> PAGE_SHIFT);
    u64 usable = 0;
    for (const E820Entry& e : plan->spec.e820)
      if (e.type == E820Type::Usable) usable += e.size;
    // 640K + (1.75G - 1M) below 4G, 1T - 1.75G above: 1 TiB less the legacy hole's 384K.
    CHECK(usable == (u64{1} << 40) - 0x60000);
    const std::vector<std::string> v = check_invariants(m, CheckLevel::Full);
    CHECK_MESSAGE(v.empty(), (v.empty() ? "" : v.front()));
    MESSAGE("1 TiB log: engine memory " << mib(pg.machine_bytes()) << " MiB");
    CHECK(pg.machine_bytes() < (std::size_t{256} << 20));
  }

  TEST_CASE("the limits: 4 TiB, 64 nodes, 8192 CPUs, each refused beyond with its position") {
    Playground pg;
    REQUIRE(pg.boot_shorthand("ram=4T cpus=8192 nodes=64", "<test>"));
    CHECK(pg.machine()->nodes.size() == 64);
    CHECK(pg.machine()->nr_cpus == 8192);
    const std::vector<std::string> v = check_invariants(*pg.machine(), CheckLevel::Cheap);
    CHECK(v.empty());
    MESSAGE("ram=4T cpus=8192 nodes=64: engine memory " << mib(pg.machine_bytes()) << " MiB");
    auto nodes = parse_shorthand("ram=4T nodes=65");
    REQUIRE_FALSE(nodes);
    CHECK(nodes.diag().message.find("between 1 and 64") != std::string::npos);
    auto cpus = parse_shorthand("ram=1T cpus=9000");
    REQUIRE_FALSE(cpus);
    CHECK(cpus.diag().col == 13);  // the value
    // A log: the CPU count line names the limit.
    std::string log = one_tib_log();
    const std::string allowing = "smpboot: Allowing 128 CPUs";
    log.replace(log.find(allowing), allowing.size(), "smpboot: Allowing 9000 CPUs");
    auto refused = plan_from_dmesg(log, "big.txt");
    REQUIRE_FALSE(refused);
    CHECK(refused.diag().line == 12);
    CHECK(refused.diag().message.find("8192") != std::string::npos);
    // RAM above 4 GiB spanning more than a zone's lists reach (4 TiB):
    // refused at the entry that crosses, without nodes; with nodes, the
    // boot names the zone.
    const std::string sparse =
        "Linux version 6.1.0-27-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1\n"
        "BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] usable\n"
        "BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable\n"
        "BIOS-e820: [mem 0x0000000100000000-0x000000013fffffff] usable\n"
        "BIOS-e820: [mem 0x0000050000000000-0x000005003fffffff] usable\n";
    auto wide = plan_from_dmesg(sparse, "sparse.txt");
    REQUIRE_FALSE(wide);
    CHECK(wide.diag().line == 5);
    CHECK(wide.diag().message.find("ZONE_NORMAL's RAM would span more than 4294967296K") != std::string::npos);
    Playground numa;
    const Status wide_numa = numa.boot_dmesg(sparse +
                                                 "ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x7fffffff]\n"
                                                 "ACPI: SRAT: Node 0 PXM 0 [mem 0x100000000-0x5003fffffff]\n",
                                             "sparse-numa.txt");
    REQUIRE_FALSE(wide_numa);
    CHECK(wide_numa.diag().message.find("the RAM of zone Normal of node 0 spans more than") != std::string::npos);
    REQUIRE(numa.boot_shorthand("ram=1G", "<test>"));  // and the session goes on
  }

  TEST_CASE("logs of other architectures and 32-bit kernels are refused at the line that shows it") {
    auto arm = plan_from_dmesg(
        "[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x410fd083]\n"
        "[    0.000000] Linux version 6.1.0-27-arm64 (debian-kernel@lists.debian.org)\n",
        "pi.txt");
    REQUIRE_FALSE(arm);
    CHECK(arm.diag().line == 1);
    CHECK(arm.diag().col == 16);
    CHECK(arm.diag().message.find("ARM") != std::string::npos);
    auto i686 = plan_from_dmesg(
        "Linux version 6.1.0-27-686-pae (debian-kernel@lists.debian.org) (gcc-12) #1 SMP\n"
        "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
        "BIOS-e820: [mem 0x0000000000100000-0x000000003ffdffff] usable\n",
        "old.txt");
    REQUIRE_FALSE(i686);
    CHECK(i686.diag().line == 1);
    CHECK(i686.diag().message.find("32-bit") != std::string::npos);
  }

  TEST_CASE("the map of a machine above 16 GiB: aggregated cells, and windows one cell per frame") {
    Playground pg;
    REQUIRE(pg.boot_shorthand("ram=64G cpus=2", "<test>"));
    const Machine& m = *pg.machine();
    const unsigned shift = map_shift(m.mem.nr);
    CHECK(shift == 3);  // 64 GiB + the PCI hole: 17M frames, 8 per cell
    std::vector<std::uint8_t> cells;
    map_cells(m, cells);
    CHECK(cells.size() == (m.mem.nr + 7) / 8);
    // The cell of a group of frames shows the kind most of them have.
    auto window = map_cells_range(m, 0, m.mem.nr);
    CHECK_FALSE(window);             // wider than a detail view takes
    const u64 first = u64{5} << 20;  // a free region at 20 GiB
    auto w = map_cells_range(m, first, 4096);
    REQUIRE(w);
    REQUIRE(w->size() == 4096);
    for (u64 g = 0; g < 4096 / 8; ++g) {
      std::array<unsigned, 16> kinds{};
      for (u64 i = 0; i < 8; ++i) ++kinds[cell_kind((*w)[g * 8 + i]) == CellKind::Free ? 1 : 0];
      if (kinds[1] == 8) CHECK(cell_kind(cells[(first >> 3) + g]) == CellKind::Free);
    }
    // A frame's cell in the window agrees with the full-resolution map of a
    // small machine's rules: the head's kind and order for every tail.
    CHECK(cell_kind((*w)[0]) == CellKind::Free);
    CHECK(cell_order((*w)[0]) == MAX_ORDER - 1);
    CHECK_FALSE(map_cells_range(m, m.mem.nr, 1));
  }
}
