// Booting machines: zone sizing, holes, zonelists, the boot's events, and
// invariants after every boot step on machines of many shapes.
#include <doctest/doctest.h>

#include "session/playground.h"
#include "test_util.h"
#include "text/format/narration.h"
#include "text/format/proc.h"
#include "text/parse/dmesg.h"
#include "text/parse/shorthand.h"

#include <array>
#include <set>

using namespace mm;

namespace {
const Zone& zone(const Machine& m, int node, ZoneType t) { return m.nodes[static_cast<size_t>(node)].zones[idx(t)]; }
}  // namespace

TEST_SUITE("boot") {
  TEST_CASE("qemu's e820 map: RAM above 3.5G moves the split to 3G and the rest above 4G") {
    u64 below = 0;
    auto m = qemu_pc_e820(5ull << 30, &below);
    CHECK(below == 3ull << 30);
    bool high = false;
    for (const E820Entry& e : m)
      if (e.type == E820Type::Usable && e.addr == (4ull << 30)) high = e.size == (2ull << 30);
    CHECK(high);
    qemu_pc_e820(3ull << 30, &below);  // 3G fits below 3.5G: no split
    CHECK(below == 3ull << 30);
    qemu_pc_e820(0xe0000000ull, &below);
    CHECK(below == 0xc0000000ull);
  }

  TEST_CASE("qemu's e820 map: RAM that would reach the HyperTransport hole starts at 1 TiB") {
    auto usable_above_4g = [](u64 ram) {
      std::vector<E820Entry> out;
      for (const E820Entry& e : qemu_pc_e820(ram))
        if (e.type == E820Type::Usable && e.addr >= (4ull << 30)) out.push_back(e);
      return out;
    };
    constexpr u64 G = 1ull << 30;
    // 1009G: the rest ends at 1010G and the 2G PCI hole after it at
    // 1012G - 1, just below AMD_HT_START (0xfd00000000 = 1012G): stays.
    auto stay = usable_above_4g(1009 * G);
    REQUIRE(stay.size() == 1);
    CHECK(stay[0].addr == 4 * G);
    CHECK(stay[0].size == 1006 * G);
    // 1 MiB more and the hole would end past it: the RAM moves to 1T,
    // after the reserved HT range in the map's address order.
    auto moved = usable_above_4g(1009 * G + (1ull << 20));
    REQUIRE(moved.size() == 1);
    CHECK(moved[0].addr == 1ull << 40);
    CHECK(moved[0].size == 1006 * G + (1ull << 20));
    const auto map = qemu_pc_e820(2ull << 40);
    REQUIRE(map.size() == 8);
    CHECK(map[6] == E820Entry{0xfd00000000ull, 0x300000000ull, E820Type::Reserved});
    CHECK(map[7] == E820Entry{1ull << 40, (2ull << 40) - 3 * G, E820Type::Usable});
    // All of ram= is RAM (nothing overlaps the reserved range), less the
    // EBDA, the BIOS area, the ACPI tables and page 0 (trim_bios_range).
    MachineSpec s;
    s.e820 = map;
    CHECK(s.usable_bytes() == (2ull << 40) - 0x20000 - 0x100000 + 0x9fc00 - 0x1000);
    // The shorthand's nodes follow (qemu's SRAT uses the same start).
    auto spec = parse_shorthand("ram=2T cpus=4 nodes=2");
    REQUIRE(spec);
    REQUIRE(spec->nodes.size() == 2);
    CHECK(spec->nodes[0].ranges.back().second == (1ull << 40) + (1ull << 40) - 3 * G);
    CHECK(spec->nodes[1].ranges.front().first == (1ull << 40) + (1ull << 40) - 3 * G);
    CHECK(spec->nodes[1].ranges.back().second == (1ull << 40) + (2ull << 40) - 3 * G);
  }

  TEST_CASE("the e820 walk: memblock gets usable RAM without page 0 and the legacy hole") {
    MachineSpec s;
    s.e820 = {{0, 0x9fc00, E820Type::Usable},
              {0x9fc00, 0x400, E820Type::Reserved},
              {0xf0000, 0x10000, E820Type::Reserved},
              {0x100000, 0x3fee0000, E820Type::Usable},
              {0x3ffe0000, 0x20000, E820Type::Reserved},
              {0x100000000ull, 0x40000800, E820Type::Usable}};  // not page aligned at its end
    const std::vector<std::pair<Phys, Phys>> want = {
        {0x1000, 0x9ec00}, {0x100000, 0x3fee0000}, {0x100000000ull, 0x40000800}};
    CHECK(e820_memblock_ranges(s) == want);
    CHECK(s.usable_end() == 0x140000800ull);
    // The kernel's table: trim_bios_range made page 0 reserved.
    CHECK(s.usable_bytes() == 0x9ec00 + 0x3fee0000 + 0x40000800ull);

    // Usable RAM inside the legacy hole or only in page 0 gives memblock
    // nothing; the one range left is the kernel image, which
    // e820_add_kernel_range puts back as RAM when the map has none there.
    MachineSpec hole;
    hole.e820 = {{0, 0x1000, E820Type::Usable}, {0xa0000, 0x20000, E820Type::Usable}};
    const KernelImage& k = hole.kernel;
    CHECK(e820_memblock_ranges(hole) == std::vector<std::pair<Phys, Phys>>{{k.start, k.reserved_size}});
    CHECK(hole.usable_end() == k.start + k.reserved_size);

    // The model's plan adds exactly these ranges.
    MachineSpec q;
    q.e820 = qemu_pc_e820(1ull << 30);
    std::vector<std::pair<Phys, Phys>> added;
    for (const BootOp& op : plan_from_spec(q).ops)
      if (const auto* a = std::get_if<MemblockAdd>(&op)) added.emplace_back(a->base, a->size);
    CHECK(added == e820_memblock_ranges(q));
    CHECK(added.size() == 2);
  }

  TEST_CASE("zone sizing with holes: a 5G machine has DMA, DMA32 and Normal") {
    // RAM: [4K, 640K) [1M, 3G-128K) and [4G, 6G). ZONE_DMA below 16M,
    // ZONE_DMA32 below 4G, ZONE_NORMAL above; the legacy hole and page 0
    // are "unavailable ranges", the PCI hole below 4G is no section at all.
    auto m = mmtest::boot_spec("ram=5G cpus=4");
    const Zone& dma = zone(*m, 0, ZoneType::DMA);
    const Zone& dma32 = zone(*m, 0, ZoneType::DMA32);
    const Zone& normal = zone(*m, 0, ZoneType::Normal);
    CHECK(dma.zone_start_pfn == 1);
    CHECK(dma.spanned_pages == 4095);
    CHECK(dma.present_pages == 3998);
    CHECK(dma32.zone_start_pfn == 4096);
    CHECK(dma32.spanned_pages == 0x100000 - 4096);  // spans up to 4G ...
    CHECK(dma32.present_pages == 0xbffe0 - 4096);   // ... but RAM stops below the PCI hole
    CHECK(normal.zone_start_pfn == 0x100000);
    CHECK(normal.spanned_pages == 0x80000);
    auto log = mmtest::lines([&] {
      std::string s;
      for (auto& l : m->log) s += l + "\n";
      return s;
    }());
    CHECK(mmtest::matching(log, "unavailable ranges") ==
          std::vector<std::string>{"On node 0, zone DMA: 1 pages in unavailable ranges",
                                   "On node 0, zone DMA: 97 pages in unavailable ranges",
                                   "On node 0, zone Normal: 32 pages in unavailable ranges"});
    CHECK(mmtest::matching(log, "^  Normal ") ==
          std::vector<std::string>{"  Normal   [mem 0x0000000100000000-0x000000017fffffff]"});
    // Watermarks: every zone's share of min_free_kbytes is proportional.
    CHECK(normal.watermark[WMARK_MIN] > dma.watermark[WMARK_MIN]);
    CHECK(dma.lowmem_reserve[idx(ZoneType::Normal)] > dma.lowmem_reserve[idx(ZoneType::DMA32)]);
  }

  TEST_CASE("zonelists on a 3-node machine follow the distance table") {
    //            0    1    2
    //   node 0  10   20   40
    //   node 1  20   10   20
    //   node 2  40   20   10
    auto s = parse_shorthand("ram=3G cpus=3 nodes=1G,1G,1G distance=10,20,40;20,10,20;40,20,10");
    REQUIRE(s);
    CHECK(s->distance == std::vector<std::vector<int>>{{10, 20, 40}, {20, 10, 20}, {40, 20, 10}});
    auto m = mmtest::boot_checked(plan_from_spec(*s));
    CHECK(m->nodes[0].node_order == std::vector<int>{0, 1, 2});
    CHECK(m->nodes[1].node_order == std::vector<int>{1, 2, 0});
    CHECK(m->nodes[2].node_order == std::vector<int>{2, 1, 0});
    // Node 1's general zonelist: its own zones high to low, then node 2's, then node 0's.
    std::vector<std::string> zl;
    for (const ZoneRef& r : m->nodes[1].zonelist_fallback)
      zl.push_back(std::to_string(r.node) + ":" + std::string(kZoneNames[idx(r.zone)]));
    CHECK(zl == std::vector<std::string>{"1:DMA32", "2:DMA32", "0:DMA32", "0:DMA"});
    // __GFP_THISNODE lists only the node's own zones.
    CHECK(m->nodes[1].zonelist_nofallback.size() == 1);
    CHECK(mmtest::matching(m->log, "^Fallback order") == std::vector<std::string>{"Fallback order for Node 0: 0 1 2 ",
                                                                                  "Fallback order for Node 1: 1 2 0 ",
                                                                                  "Fallback order for Node 2: 2 1 0 "});
  }

  TEST_CASE("equal distances: node_load spreads the first remote choice round-robin") {
    auto m = mmtest::boot_spec("ram=4G cpus=4 nodes=4");
    CHECK(m->nodes[0].node_order == std::vector<int>{0, 1, 2, 3});
    CHECK(m->nodes[1].node_order == std::vector<int>{1, 2, 3, 0});
    CHECK(m->nodes[2].node_order == std::vector<int>{2, 3, 0, 1});
    CHECK(m->nodes[3].node_order == std::vector<int>{3, 0, 1, 2});
  }

  TEST_CASE("a memoryless node gets a zonelist but no zones, and lends its CPU's pcp split to nobody") {
    auto m = mmtest::boot_spec("ram=2G cpus=4 nodes=2G:0-1,0:2-3");
    REQUIRE(m->nodes.size() == 2);
    CHECK_FALSE(m->nodes[1].has_memory());
    CHECK(m->nodes[1].node_order == std::vector<int>{1, 0});  // itself first, memory or not
    CHECK(mmtest::matching(m->log, "memoryless") == std::vector<std::string>{"Initializing node 1 as memoryless"});
    // Node 0's zones split pcp high over node 0's two CPUs.
    const Zone& z = zone(*m, 0, ZoneType::DMA32);
    CHECK(z.pcp[0].high == static_cast<int>(z.low_wmark() / 2));
  }

  TEST_CASE("small machines: the min_free_kbytes sqrt rule; mobility grouping can be switched off") {
    auto m = mmtest::boot_spec("ram=96M cpus=1");
    CHECK(m->min_free_kbytes >= 128);
    CHECK(m->min_free_kbytes < 1200);  // int_sqrt(~80000 kB * 16)
    CHECK_FALSE(m->page_group_by_mobility_disabled);
    auto off = mmtest::boot_spec("ram=256M cpus=1 mobility=off");
    CHECK(off->page_group_by_mobility_disabled);
    CHECK(mmtest::matching(off->log, "^Built ").front().find("mobility grouping off") != std::string::npos);
    CHECK_FALSE(parse_shorthand("ram=64M"));
  }

  TEST_CASE("khugepaged raises min_free_kbytes from 512M of RAM, not below") {
    auto small = mmtest::boot_spec("ram=448M cpus=1");
    CHECK_FALSE(small->thp_enabled);
    auto s = parse_shorthand("ram=1G cpus=2");
    REQUIRE(s);
    auto m = mmtest::boot_checked(plan_from_spec(*s));
    CHECK(m->thp_enabled);
    CHECK(m->min_free_kbytes == 45056);  // (2 + 9) pageblocks * 2 zones * 2M
    s->knobs.transparent_hugepage = false;
    auto off = mmtest::boot_checked(plan_from_spec(*s), true);
    CHECK_FALSE(off->thp_enabled);
    CHECK(off->min_free_kbytes < 45056);
    // Without THP the sqrt rule stands: int_sqrt(lowmem_kbytes * 16) ~ 3948 for 1G.
    CHECK(off->min_free_kbytes > 3800);
    CHECK(off->min_free_kbytes < 4100);
    // hugepage_init() still runs set_recommended_min_free_kbytes(), which
    // with THP off computes min_free_kbytes again (now that the high
    // watermarks are set) and raises nothing.
    const Trace& t = off->trace;
    const auto& ev = t.events();
    size_t recomputed = 0;
    for (size_t i = 0; i < ev.size(); ++i) {
      CHECK(ev[i].code != Ev::set_recommended_min_free_kbytes);
      CHECK(ev[i].code != Ev::min_free_kbytes_raised);
      if (ev[i].code != Ev::recompute_min_free_kbytes || ev[i].kind != EventKind::Begin) continue;
      ++recomputed;
      CHECK(to_string(ev[i], t).find("THP is off: min_free_kbytes is computed again") != std::string::npos);
      CHECK(narrate(ev[i], t, Lang::zh).find("平方根") != std::string::npos);
      REQUIRE(i + 1 < ev.size());
      CHECK(ev[i + 1].code == Ev::min_free_kbytes);
      CHECK(ev[i + 1].depth == ev[i].depth + 1);
      CHECK(ev[i + 1].get(Arg::min_free_kb) == off->min_free_kbytes);
    }
    CHECK(recomputed == 1);
  }

  TEST_CASE("a user's min_free_kbytes wins over the computed one") {
    auto m = mmtest::boot_spec("ram=256M cpus=1 min_free_kbytes=8192");
    CHECK(m->min_free_kbytes == 8192);
    const Zone& z = zone(*m, 0, ZoneType::DMA32);
    const Zone& d = zone(*m, 0, ZoneType::DMA);
    CHECK(z.watermark[WMARK_MIN] + d.watermark[WMARK_MIN] <= 8192 / 4);
    CHECK(z.watermark[WMARK_MIN] + d.watermark[WMARK_MIN] >= 8192 / 4 - 1);
  }

  TEST_CASE("percpu_pagelist_high_fraction sizes pcp high from managed pages") {
    auto m = mmtest::boot_spec("ram=1G cpus=2 percpu_pagelist_high_fraction=8");
    const Zone& z = zone(*m, 0, ZoneType::DMA32);
    // Set when khugepaged last updated the limits, before the late frees
    // (initrd, initmem) added ~2300 managed pages.
    CHECK(z.pcp[0].high <= static_cast<int>(z.managed_pages / 8 / 2));
    CHECK(z.pcp[0].high >= static_cast<int>((z.managed_pages - 2400) / 8 / 2));
  }

  TEST_CASE("kernelcore= carves ZONE_MOVABLE out of the highest zone") {
    auto m = mmtest::boot_spec("ram=8G cpus=2 kernelcore=4G");
    const Zone& mov = zone(*m, 0, ZoneType::Movable);
    const Zone& normal = zone(*m, 0, ZoneType::Normal);
    CHECK(mov.populated());
    CHECK(normal.populated());
    CHECK(mov.zone_start_pfn == normal.end_pfn());
    CHECK(mov.zone_start_pfn % MAX_ORDER_NR_PAGES == 0);
    CHECK(mmtest::matching(m->log, "^  Node 0: 0x").size() == 1);
  }

  TEST_CASE("kernelcore=N% and movablecore=: the kernel's arithmetic and rounding") {
    // ram=2G: 524158 pages of memory; DMA32 (the movable zone's range) starts
    // at pfn 4096, and the 3998 pages below it can only be kernel memory.
    // 30%: 524158 * 100 * 30 / 10000 = 157247 kernel pages, so ZONE_MOVABLE
    // starts at 4096 + 157247 - 3998 = 157345, rounded up to MAX_ORDER.
    auto pct = mmtest::boot_spec("ram=2G cpus=2 kernelcore=30%");
    CHECK(zone(*pct, 0, ZoneType::Movable).zone_start_pfn == 157696);
    // movablecore=1001M is 256256 pages, rounded up to 257024 "so that
    // ZONE_MOVABLE is at least as large as requested": the kernel keeps
    // 524158 - 257024 = 267134 pages, ZONE_MOVABLE starts at 267232 -> 267264.
    auto mov = mmtest::boot_spec("ram=2G cpus=2 movablecore=1001M");
    const Zone& mz = zone(*mov, 0, ZoneType::Movable);
    CHECK(mz.zone_start_pfn == 267264);
    CHECK(mz.present_pages >= 256256);
    // A percentage in the shorthand is 0% to 100%.
    auto bad = parse_shorthand("ram=2G kernelcore=101%");
    REQUIRE_FALSE(bad);
    CHECK(bad.diag().col == 19);
  }

  TEST_CASE("kernelcore= on a node too small for its share: the rest goes to the other nodes") {
    // Node 0 has 256M, less than its half of kernelcore=1G: the kernel walks
    // the nodes again with one node fewer until the whole 1G is kernel
    // memory, so ZONE_MOVABLE starts where it does on one node (0x40400000)
    // and node 0 has none.
    auto m = mmtest::boot_spec("ram=2G cpus=2 nodes=256M,1792M kernelcore=1G");
    CHECK_FALSE(zone(*m, 0, ZoneType::Movable).populated());
    CHECK(zone(*m, 1, ZoneType::Movable).zone_start_pfn == 263168);
    u64 kernel = 0;
    for (const Node& n : m->nodes)
      for (const Zone& z : n.zones)
        if (z.type != ZoneType::Movable) kernel += z.present_pages;
    CHECK(kernel >= (1ull << 30) / PAGE_SIZE);
    CHECK(mmtest::matching(m->log, "^  Node [0-9]+: 0x") == std::vector<std::string>{"  Node 1: 0x0000000040400000"});
  }

  TEST_CASE("kernelcore=mirror on a machine without mirrored memory: everything from 4G up is movable") {
    auto m = mmtest::boot_spec("ram=6G cpus=2 kernelcore=mirror");
    const Zone& mov = zone(*m, 0, ZoneType::Movable);
    CHECK_FALSE(zone(*m, 0, ZoneType::Normal).populated());
    CHECK(mov.zone_start_pfn == 0x100000);
    CHECK(mov.present_pages == (3ull << 30) / PAGE_SIZE);
    CHECK(mmtest::matching(m->log, "^This configuration results in unmirrored kernel memory.$").size() == 1);
    CHECK(mmtest::matching(m->log, "^  Node 0: 0x") == std::vector<std::string>{"  Node 0: 0x0000000100000000"});
    // All RAM below 4G: nothing is movable, and the kernel still warns.
    auto low = mmtest::boot_spec("ram=2G cpus=2 kernelcore=mirror");
    CHECK_FALSE(zone(*low, 0, ZoneType::Movable).populated());
    CHECK(mmtest::matching(low->log, "unmirrored kernel memory").size() == 1);
  }

  TEST_CASE("deferred struct page init: one section per node's last zone, the rest later") {
    auto s = parse_shorthand("ram=1G cpus=2");
    REQUIRE(s);
    bool saw_uninit_before_late = false;
    auto hook = [&](const Machine& m, const BootOp& op) {
      if (std::holds_alternative<MemInit>(op)) {
        CHECK(m.nodes[0].first_deferred_pfn == 65536);
        for (Pfn p = 65536; p < m.mem.nr; ++p)
          if (m.mem.st(p) == FrameState::Uninit) {
            saw_uninit_before_late = true;
            break;
          }
      }
    };
    auto r = boot(plan_from_spec(*s), false, hook);
    REQUIRE(r);
    CHECK(saw_uninit_before_late);
    for (Pfn p = 0; p < r.value()->mem.nr; ++p) REQUIRE(r.value()->mem.st(p) != FrameState::Uninit);
    s->knobs.deferred_struct_page_init = false;
    auto eager = mmtest::boot_checked(plan_from_spec(*s));
    CHECK(eager->nodes[0].first_deferred_pfn == ~Pfn{0});
    // The Memory: line counts what was free before deferred init ran.
    auto with = mmtest::matching(r.value()->log, "^Memory: ").front();
    auto without = mmtest::matching(eager->log, "^Memory: ").front();
    CHECK(with != without);
  }

  TEST_CASE("invariants hold after every boot step on machines of many shapes") {
    for (const char* spec :
         {"ram=96M cpus=1", "ram=100M cpus=3", "ram=512M cpus=1", "ram=1G cpus=2", "ram=3G cpus=4", "ram=3584M cpus=2",
          "ram=4G cpus=8", "ram=6G cpus=16 nodes=2", "ram=3G cpus=3 nodes=1G,1G,1G distance=30",
          "ram=4G cpus=2 nodes=3G:0,1G:1", "ram=2G cpus=5 deferred=off", "ram=2G cpus=2 thp=off mobility=off",
          "ram=2G cpus=2 kernelcore=1G", "ram=8G cpus=4 nodes=2 movablecore=30%",
          "ram=6G cpus=2 nodes=2 kernelcore=mirror", "ram=2G cpus=2 nodes=256M,1792M kernelcore=1G"}) {
      CAPTURE(spec);
      auto m = mmtest::boot_spec(spec);
      u64 managed = 0, present = 0;
      for (const Node& n : m->nodes)
        for (const Zone& z : n.zones) {
          managed += z.managed_pages;
          present += z.present_pages;
          if (!z.populated()) continue;
          CHECK(z.watermark[WMARK_MIN] <= z.watermark[WMARK_LOW]);
          CHECK(z.watermark[WMARK_LOW] <= z.watermark[WMARK_HIGH]);
          CHECK(z.pcp[0].high >= 4 * z.pcp[0].batch);
          CHECK(z.pcp[0].batch >= 1);
        }
      // The kernel's own memory: memmap (1/64 of RAM), the image, percpu...
      CHECK(managed < present);
      // ... and no more: image (13329 pages), memmap (present/64), slack.
      CHECK(present - managed < 13329 + present / 50 + 2048);
      CHECK(m->totalram_pages == managed);
    }
  }

  TEST_CASE("machines the model cannot boot are refused with a reason") {
    CHECK_FALSE(parse_shorthand("ram=8M"));
    CHECK(parse_shorthand("ram=8M").diag().message.find("too small") != std::string::npos);
    CHECK_FALSE(parse_shorthand("ram=95M"));
    auto big = parse_shorthand("ram=5T");
    REQUIRE_FALSE(big);
    CHECK(big.diag().message == "ram=5T is too large: the model goes up to 4T");
    CHECK(big.diag().col == 5);  // the value
    CHECK(parse_shorthand("ram=4T"));
    auto cpus = parse_shorthand("ram=1G cpus=8193");
    REQUIRE_FALSE(cpus);
    CHECK(cpus.diag().message.find("8192") != std::string::npos);
    auto bad = parse_shorthand("ram=1G cpus=2 nodes=1G,2G");
    REQUIRE_FALSE(bad);
    CHECK(bad.diag().message.find("add up") != std::string::npos);
    auto dist = parse_shorthand("ram=2G nodes=2 distance=10,20;20");
    REQUIRE_FALSE(dist);
    CHECK(dist.diag().message.find("2x2") != std::string::npos);
    auto typo = parse_shorthand("ram=1G cpsu=2");
    REQUIRE_FALSE(typo);
    CHECK(typo.diag().col == 8);
    CHECK(typo.diag().message.find("unknown key 'cpsu'") != std::string::npos);
    auto badsize = parse_shorthand("ram=1Q");
    REQUIRE_FALSE(badsize);
    CHECK(badsize.diag().col == 5);
  }

  TEST_CASE("the same machine boots to the same event stream") {
    auto a = mmtest::boot_spec("ram=256M cpus=2", true);
    auto b = mmtest::boot_spec("ram=256M cpus=2", true);
    REQUIRE(a->trace.events().size() == b->trace.events().size());
    for (size_t i = 0; i < a->trace.events().size(); ++i) {
      const Event& x = a->trace.events()[i];
      const Event& y = b->trace.events()[i];
      CAPTURE(i);
      REQUIRE(mmtest::same_event(x, a->trace, y, b->trace));
      REQUIRE(to_string(x, a->trace) == to_string(y, b->trace));
    }
    CHECK(a->mem.word == b->mem.word);
  }

  TEST_CASE("boot events nest: phases, then the steps inside them") {
    auto m = mmtest::boot_spec("ram=1G cpus=1", true);
    const auto& ev = m->trace.events();
    REQUIRE_FALSE(ev.empty());
    int depth = 0;
    bool merge_inside_deferred = false, in_deferred = false;
    for (const Event& e : ev) {
      if (e.kind == EventKind::Begin) {
        CHECK(e.depth == depth);
        ++depth;
        if (std::string(e.function()) == "deferred_init_memmap") in_deferred = true;
      } else if (e.kind == EventKind::End) {
        --depth;
        CHECK(e.depth == depth);
        if (depth == 1) in_deferred = false;
      } else {
        CHECK(e.depth == depth);
        if (in_deferred && e.code == Ev::buddy_merge) merge_inside_deferred = true;
      }
    }
    CHECK(depth == 0);
    CHECK(merge_inside_deferred);  // pageblocks merging into order-10 blocks
    std::vector<std::string> top;
    for (const Event& e : ev)
      if (e.kind == EventKind::Begin && e.depth == 1) top.push_back(std::string(e.function()));
    CHECK(std::find(top.begin(), top.end(), "setup_arch") != top.end());
    CHECK(std::find(top.begin(), top.end(), "init_per_zone_wmark_min") != top.end());
    // The watermark step carries its numbers.
    bool wm = false;
    for (const Event& e : ev)
      if (e.code == Ev::wmark_step && e.zone == static_cast<int>(idx(ZoneType::DMA32)))
        wm = e.get(Arg::high) > e.get(Arg::low) && e.get(Arg::step) > 0;
    CHECK(wm);
  }

  TEST_CASE("every kind of plan operation runs through the executor") {
    // The model's plan for 256M uses most operations; a replay adds the
    // rest: a memblock_remove, a free of a logged range, an allocation the
    // kernel put elsewhere than the engine would, one that may fail and
    // does, a log line.
    auto s = parse_shorthand("ram=256M cpus=1");
    REQUIRE(s);
    BootPlan plan = plan_from_spec(*s);
    auto trim = std::find_if(plan.ops.begin(), plan.ops.end(),
                             [](const BootOp& op) { return std::holds_alternative<MemblockTrim>(op); });
    REQUIRE(trim != plan.ops.end());
    MemblockAlloc replayed;
    replayed.size = 4096;
    replayed.align = 4096;
    replayed.logged = 0x5000000;  // the engine's top-down search picks the top of RAM
    replayed.caller = "replay_test+0x1/0x2";
    replayed.line = 7;
    MemblockAlloc hopeless;
    hopeless.fn = MemblockAllocFn::phys_alloc_range;
    hopeless.size = 1ull << 40;
    hopeless.may_fail = true;
    hopeless.caller = "init_mem_mapping";
    const std::vector<BootOp> extra = {
        MemblockRemove{0x8000000, 0x1000, "remove_test"},
        MemblockReserve{0x6000000, 0x2000, "reserve_test"},
        MemblockPhysFree{Phys{0x6000000}, 0x2000, "free_test"},
        replayed,
        hopeless,
        Printk{"hello from the plan"},
    };
    plan.ops.insert(trim + 1, extra.begin(), extra.end());
    std::array<int, std::variant_size_v<BootOp>> ran{};
    size_t ops_seen = 0;
    auto hook = [&](const Machine& m, const BootOp& op) {
      ++ran[op.index()];
      ++ops_seen;
      CHECK(check_invariants(m).empty());
    };
    auto r = boot(plan, true, hook);
    REQUIRE_MESSAGE(r, (r ? std::string() : r.diag().str()));
    CHECK(ops_seen == plan.ops.size());
    for (size_t i = 0; i < ran.size(); ++i) {
      CAPTURE(i);
      CHECK(ran[i] > 0);
    }
    const Machine& m = *r.value();
    REQUIRE(m.replay_mismatches.size() == 1);
    CHECK(m.replay_mismatches[0].find("replay_test+0x1/0x2): the kernel placed it at 0x0000000005000000") !=
          std::string::npos);
    CHECK(m.memblock.is_reserved(0x5000000));        // the replay follows the kernel
    CHECK_FALSE(m.memblock.is_reserved(0x6000000));  // reserved, then freed
    CHECK(mmtest::matching(m.log, "^hello from the plan$").size() == 1);
    size_t warned = 0, none = 0;
    for (const Event& e : m.trace.events()) {
      if (e.code == Ev::memblock_alloc_mismatch) {
        ++warned;
        CHECK(e.kind == EventKind::Warn);
        CHECK(e.get(Arg::base) == 0x5000000);
        CHECK(e.get(Arg::found) != 0x5000000);
      }
      if (e.code == Ev::memblock_alloc_none) ++none;
    }
    CHECK(warned == 1);
    CHECK(none == 1);
  }

  TEST_CASE("a 256M boot: each phase a Begin/End pair named after the kernel, in the kernel's order") {
    auto m = mmtest::boot_spec("ram=256M cpus=1", true);
    const std::set<Ev> phases = {Ev::start_kernel,
                                 Ev::setup_arch,
                                 Ev::x86_numa_init,
                                 Ev::free_area_init,
                                 Ev::build_all_zonelists,
                                 Ev::mem_init,
                                 Ev::preallocate_vmalloc_pages,
                                 Ev::page_alloc_init_late,
                                 Ev::deferred_init_memmap,
                                 Ev::init_per_zone_wmark_min,
                                 Ev::set_recommended_min_free_kbytes};
    std::vector<std::string> order;
    std::vector<const Event*> open;
    for (const Event& e : m->trace.events()) {
      if (e.kind == EventKind::Begin) {
        open.push_back(&e);
        if (phases.count(e.code)) order.push_back(std::string(e.depth, ' ') + std::string(e.function()));
      } else if (e.kind == EventKind::End) {
        REQUIRE_FALSE(open.empty());
        CHECK(open.back()->code == e.code);  // an End closes the phase that opened last
        CHECK(open.back()->depth == e.depth);
        open.pop_back();
      }
    }
    CHECK(open.empty());
    // 256M: no deferred struct pages (one section of the last zone covers
    // all), no khugepaged (THP starts from 512M).
    CHECK(order == std::vector<std::string>{"start_kernel", " setup_arch", "  x86_numa_init", "  free_area_init",
                                            "  build_all_zonelists", " mem_init", "  preallocate_vmalloc_pages",
                                            " page_alloc_init_late", " init_per_zone_wmark_min"});
    // Every memblock allocation holds the reservation of what it found.
    const auto& ev = m->trace.events();
    size_t allocs = 0;
    for (size_t i = 0; i + 2 < ev.size(); ++i) {
      if (ev[i].kind != EventKind::Begin || spec(ev[i].code).motion != Motion::memblock || ev[i].code == Ev::setup_arch)
        continue;
      ++allocs;
      CHECK(ev[i + 1].code == Ev::memblock_reserve);
      CHECK(ev[i + 1].depth == ev[i].depth + 1);
      CHECK(m->trace.string_at(static_cast<size_t>(ev[i + 1].get(Arg::caller))) == "memblock_alloc_range_nid");
      CHECK(ev[i + 1].get(Arg::size) == ev[i].get(Arg::size));
      CHECK(ev[i + 2].kind == EventKind::End);
    }
    CHECK(allocs > 40);
  }

  TEST_CASE("boot events carry their figures") {
    auto m = mmtest::boot_spec("ram=1G cpus=2", true);
    const Trace& t = m->trace;
    auto first = [&](Ev code) -> const Event& {
      for (const Event& e : t.events())
        if (e.code == code) return e;
      FAIL("no event " << spec(code).code);
      return t.events().front();
    };
    const Event& sk = first(Ev::start_kernel);
    CHECK(t.string_at(static_cast<size_t>(sk.get(Arg::spec))) == "ram=1G cpus=2");
    CHECK(to_string(sk, t) == "> start_kernel: boot ram=1G cpus=2");
    const Event& dma = first(Ev::dma_reserve);
    CHECK(dma.get(Arg::dma_reserve) == static_cast<std::int64_t>(m->dma_reserve));
    CHECK(dma.get(Arg::pages) - dma.get(Arg::free) == dma.get(Arg::dma_reserve));
    const Event& zs = first(Ev::zone_size);
    const Zone& dz = m->nodes[0].zones[idx(ZoneType::DMA)];
    CHECK(zs.zone == static_cast<int>(idx(ZoneType::DMA)));
    CHECK(zs.pfn == dz.zone_start_pfn);
    CHECK(zs.get(Arg::spanned) == static_cast<std::int64_t>(dz.spanned_pages));
    CHECK(zs.get(Arg::present) == static_cast<std::int64_t>(dz.present_pages));
    CHECK(to_string(zs, t).find("Node 0 DMA: start_pfn 1, spanned 4095, present 3998, ") != std::string::npos);
    const Event& mi = first(Ev::memmap_init);
    CHECK(mi.get(Arg::deferred) == 1);
    CHECK(mi.get(Arg::start) == 65536);
    const Event& numa = first(Ev::x86_numa_init);
    CHECK(numa.get(Arg::fake) == 1);
    CHECK(narrate(numa, t, Lang::zh).find("没有 NUMA 配置") != std::string::npos);
    const Event& raised = first(Ev::min_free_kbytes_raised);
    CHECK(raised.get(Arg::kb) == 45056);
    CHECK(raised.get(Arg::count) == 2);
    CHECK(to_string(raised, t).find("min_free_kbytes ") != std::string::npos);
    const Event& fpm = first(Ev::free_pages_memory);
    CHECK(fpm.get(Arg::last_pfn) >= fpm.get(Arg::start));
    CHECK(first(Ev::deferred_init_memmap).node == 0);
    CHECK(first(Ev::set_recommended_min_free_kbytes).kind == EventKind::Begin);
  }

  TEST_CASE("a replayed NUMA log: NODE_DATA comes back as memblock_phys_alloc_try_nid") {
    auto dmesg = mmtest::read_file(mmtest::reference_dir() + "/numa2-m2g-smp2/dmesg.txt");
    REQUIRE(dmesg);
    auto plan = plan_from_dmesg(*dmesg, "numa2");
    REQUIRE(plan);
    size_t node_data = 0;
    for (const BootOp& op : plan->ops)
      if (const auto* a = std::get_if<MemblockAlloc>(&op); a && a->purpose == AllocPurpose::NodeData) {
        ++node_data;
        CHECK(a->fn == MemblockAllocFn::phys_alloc_try_nid);
        CHECK(a->logged);
        CHECK(a->line > 0);
      }
    CHECK(node_data == 2);
    auto m = mmtest::boot_checked(*plan, true);
    size_t set_node = 0, begins = 0;
    for (const Event& e : m->trace.events()) {
      set_node += e.code == Ev::memblock_set_node;
      begins += e.code == Ev::memblock_phys_alloc_try_nid && e.kind == EventKind::Begin;
      if (e.code == Ev::x86_numa_init && e.kind == EventKind::Begin) CHECK(e.get(Arg::count) == 2);
    }
    CHECK(set_node >= 2);
    CHECK(begins == 2);
  }

  TEST_CASE("shorthand: an unknown key names the nearest known one") {
    auto typo = parse_shorthand("ram=1G cpsu=2");
    REQUIRE_FALSE(typo);
    CHECK(typo.diag().col == 8);
    CHECK(typo.diag().message ==
          "unknown key 'cpsu', did you mean 'cpus'? (known: ram cpus nodes distance min_free_kbytes "
          "watermark_scale_factor watermark_boost_factor lowmem_reserve_ratio percpu_pagelist_high_fraction "
          "deferred thp mobility kernelcore movablecore initrd kernel zone_dma mem memmap)");
    CHECK(parse_shorthand("ram=1G mobilty=off").diag().message.find("did you mean 'mobility'?") != std::string::npos);
    CHECK(parse_shorthand("ram=1G defered=off").diag().message.find("did you mean 'deferred'?") != std::string::npos);
    CHECK(parse_shorthand("rma=1G").diag().message.find("did you mean 'ram'?") != std::string::npos);
    CHECK(parse_shorthand("ram=1G intird=2M").diag().message.find("did you mean 'initrd'?") != std::string::npos);
    // Nothing near: no guess.
    auto far = parse_shorthand("ram=1G colour=blue");
    REQUIRE_FALSE(far);
    CHECK(far.diag().message.rfind("unknown key 'colour' (known: ram cpus", 0) == 0);
    CHECK(shorthand_keys().size() == 19);
  }

  TEST_CASE("shorthand: one message per kind of value, naming the key") {
    auto msg = [](const char* text) { return parse_shorthand(text).diag().message; };
    CHECK(msg("ram=1G thp=maybe") == "expected on or off for thp");
    CHECK(msg("ram=1G mobility=2") == "expected on or off for mobility");
    CHECK(msg("ram=1G watermark_scale_factor=x") == "expected a whole number for watermark_scale_factor, got 'x'");
    CHECK(msg("ram=1G smp=two") == "expected a whole number for smp, got 'two'");
    CHECK(msg("ram=1G watermark_scale_factor=5000") == "watermark_scale_factor=5000 is out of range [1, 3000]");
    CHECK(msg("ram=1G kernelcore=lots") == "bad size 'lots' for kernelcore (use a number with K, M or G, like 512M)");
    CHECK(msg("ram=1G ram=2G") == "'ram' given twice (first at column 1)");
    // An alias is the same key: the last one must not win silently.
    CHECK(msg("ram=1G m=4G") == "'m' (another name for 'ram') given twice (first as 'ram' at column 1)");
    // mem= is no longer ram=: it is the kernel's parameter.
    CHECK(msg("mem=2G cpus=2") ==
          "missing ram=SIZE (for example ram=1G): mem= is the kernel's parameter that limits the RAM it uses, the "
          "machine's RAM is ram=");
    CHECK(msg("smp=2 cpus=4 ram=1G") == "'cpus' given twice (first as 'smp' at column 1)");
    CHECK(msg("ram=1G lowmem_reserve_ratio=256,x") == "bad lowmem_reserve_ratio entry 'x'");
    CHECK(msg("ram=1G lowmem_reserve_ratio=256,32,0,0,0,7") ==
          "lowmem_reserve_ratio takes at most 5 entries, one per zone type (DMA DMA32 Normal Movable Device); '7' is "
          "one more");
    CHECK(parse_shorthand("ram=1G lowmem_reserve_ratio=256,32,0,0,0,7").diag().col == 42);
    CHECK(parse_shorthand("ram=1G lowmem_reserve_ratio=256,x").diag().col == 33);
    CHECK(msg("ram=2G nodes=2 distance=10,20;20,300") == "bad distance '300' (numbers 10..254, rows separated by ';')");
    CHECK(parse_shorthand("ram=2G nodes=2 distance=10,20;20,300").diag().col == 34);
    CHECK(msg("ram=2G cpus=2 nodes=1G:0-5,1G") == "bad cpu list '0-5' (cpus are 0..1, like 0-1 or 0+2)");
    CHECK(msg("ram=2G cpus=2 nodes=1G:0,1G:0") == "cpu 0 is given to two nodes");
    // The aliases parse as their key; a trailing '+' in a cpu list names no CPU.
    auto ok = parse_shorthand("m=2G smp=3 nodes=1G:0+,1G:1+2");
    REQUIRE(ok);
    CHECK(ok->cpus == 3);
    CHECK(ok->nodes[0].cpus == std::vector<int>{0});
    CHECK(ok->nodes[1].cpus == std::vector<int>{1, 2});
    CHECK(parse_size("1.5G") == (3ull << 29));
    CHECK(parse_size("2GiB") == (2ull << 30));
    CHECK_FALSE(parse_size("1Q"));
  }

  TEST_CASE("the Playground keeps its machine when a boot fails") {
    Playground pg;
    REQUIRE(pg.boot_shorthand("ram=256M cpus=1", "<machine>"));
    Status bad = pg.boot_shorthand("ram=256M cpus=zero", "<machine>");
    CHECK_FALSE(bad);
    CHECK(bad.diag().str() == "<machine>:1:15: error: expected a whole number for cpus, got 'zero'");
    CHECK(pg.booted());
    std::string out;
    CHECK(pg.proc("buddyinfo", out));
    CHECK(out.find("Node 0, zone    DMA32") != std::string::npos);
    CHECK_FALSE(pg.proc("slabinfo2", out));
  }
}
