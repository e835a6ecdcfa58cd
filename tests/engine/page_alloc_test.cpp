// The page allocator of 6.1, as specifications. Free lists are drawn as
// "order: pfn pfn ..." (Movable lists unless said otherwise).
#include <doctest/doctest.h>

#include <random>

#include "mm/page_alloc/alloc.h"
#include "mm/page_alloc/gfp.h"
#include "text/parse/gfp.h"
#include "text/format/proc.h"
#include "test_util.h"
#include "text/format/narration.h"

using namespace mm;

namespace {

Machine tiny(Pfn pages, int batch = 1, int high = 0) { return mmtest::tiny_machine(pages, batch, high, true); }

std::string lists(const Machine& m, MigrateType mt = MigrateType::Movable, int zone = 0, int node = 0) {
  return mmtest::free_lists(m, mt, zone, node);
}

void check(const Machine& m) {
  auto v = check_invariants(m);
  INFO((v.empty() ? std::string() : v.front()));
  REQUIRE(v.empty());
}

AllocOutcome take(Machine& m, gfp_t g, Order order, int cpu = 0) {
  AllocRequest r;
  r.gfp = g;
  r.order = order;
  r.cpu = cpu;
  auto o = alloc_pages(m, r);
  REQUIRE_MESSAGE(o, (o ? std::string() : o.diag().str()));
  check(m);
  return *o;
}

std::vector<std::string> trace_lines(const Machine& m) {
  std::vector<std::string> v;
  for (const Event& e : m.trace.events())
    if (e.kind != EventKind::End) v.push_back(to_string(e, m.trace));
  return v;
}

}  // namespace

TEST_SUITE("page allocator") {
  TEST_CASE("gfp masks parse and print as the kernel prints them") {
    CHECK(*parse_gfp("GFP_KERNEL") == 0xcc0);
    CHECK(*parse_gfp("GFP_KERNEL|__GFP_ZERO") == 0xdc0);
    CHECK(*parse_gfp("0x140dca") == 0x140dca);
    CHECK(format_gfp_full(0x140dca) == "0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO)");
    CHECK(format_gfp(gfp::GFP_ATOMIC) == "GFP_ATOMIC");
    CHECK(format_gfp(gfp::GFP_KERNEL | gfp::NOWARN | gfp::NORETRY) == "GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY");
    CHECK(format_gfp(gfp::GFP_NOWAIT | gfp::DMA32) == "GFP_NOWAIT|GFP_DMA32");
    auto typo = parse_gfp("GFP_KERNEL|__GFP_ZER0");
    REQUIRE_FALSE(typo);
    CHECK(typo.diag().col == 12);
    CHECK(typo.diag().message.find("did you mean __GFP_ZERO?") != std::string::npos);
    CHECK(gfp_zone(gfp::GFP_KERNEL) == ZoneType::Normal);
    CHECK(gfp_zone(gfp::GFP_HIGHUSER_MOVABLE) == ZoneType::Movable);
    CHECK(gfp_zone(gfp::GFP_KERNEL | gfp::DMA32) == ZoneType::DMA32);
    CHECK_FALSE(gfp_zone(gfp::DMA | gfp::DMA32));
    CHECK(gfp_check(gfp::GFP_KERNEL | gfp::DMA | gfp::DMA32, 0));
    CHECK(gfp_check(gfp::GFP_KERNEL, 11));
    CHECK(gfp_migratetype(gfp::GFP_HIGHUSER_MOVABLE, false) == MigrateType::Movable);
    CHECK(gfp_migratetype(gfp::GFP_KERNEL | gfp::RECLAIMABLE, false) == MigrateType::Reclaimable);
    CHECK(gfp_migratetype(gfp::GFP_HIGHUSER_MOVABLE, true) == MigrateType::Unmovable);
    // GFP_ATOMIC: may dip into min/2 - min/8, and high orders get highatomic.
    CHECK(format_alloc_flags(gfp_to_alloc_flags(gfp::GFP_ATOMIC, 1)) ==
          "ALLOC_WMARK_MIN|ALLOC_NON_BLOCK|ALLOC_MIN_RESERVE|ALLOC_HIGHATOMIC|ALLOC_KSWAPD");
    CHECK(format_alloc_flags(gfp_to_alloc_flags(gfp::GFP_KERNEL, 0)) == "ALLOC_WMARK_MIN|ALLOC_CPUSET|ALLOC_KSWAPD");
  }

  TEST_CASE("splitting an order-5 block for an order-1 request: halves go to orders 4, 3, 2, 1") {
    //  pfn 0                            32
    //      [ order 5                      ]
    //  alloc order 1 ->
    //      [a][1][ 2  ][   3   ][     4      ]
    //       0  2  4     8        16
    Machine m = tiny(32);
    CHECK(lists(m) == "5: 0\n");
    m.trace.enable(true);
    auto o = take(m, gfp::GFP_HIGHUSER_MOVABLE, 1);
    REQUIRE(o.ok);
    CHECK(o.pfn == 0);
    CHECK(lists(m) == "1: 2\n2: 4\n3: 8\n4: 16\n");
    std::vector<Pfn> halves;
    for (const Event& e : m.trace.events())
      if (std::string(e.function()) == "expand") halves.push_back(e.pfn);
    CHECK(halves == std::vector<Pfn>{16, 8, 4, 2});
    // ... and freeing it merges all the way back.
    REQUIRE(free_pages(m, 0, 1, 0));
    drain_all_pages(m);
    check(m);
    CHECK(lists(m) == "5: 0\n");
  }

  TEST_CASE("pcp refill by batch and drain at high") {
    // batch 4, high 8: an order-0 request on an empty list pulls 4 pages.
    Machine m = tiny(64, 4, 8);
    auto a = take(m, gfp::GFP_HIGHUSER_MOVABLE, 0);
    REQUIRE(a.ok);
    const Zone& z = m.nodes[0].zones[0];
    CHECK(z.pcp[0].count == 3);
    CHECK(z.nr_free_pages == 60);  // pcp pages are not "free" for the watermarks
    // Take 3 more, then free 8: the 8th free reaches high and spills a batch.
    std::vector<Pfn> got = {a.pfn};
    for (int i = 0; i < 3; ++i) got.push_back(take(m, gfp::GFP_HIGHUSER_MOVABLE, 0).pfn);
    CHECK(z.pcp[0].count == 0);
    for (int i = 0; i < 4; ++i) got.push_back(take(m, gfp::GFP_HIGHUSER_MOVABLE, 0).pfn);
    CHECK(z.pcp[0].count == 0);
    for (size_t i = 0; i < 7; ++i) REQUIRE(free_pages(m, got[i], 0, 0));
    CHECK(z.pcp[0].count == 7);
    REQUIRE(free_pages(m, got[7], 0, 0));
    // count 8 >= high 8: nr_pcp_free gives batch (4); high - batch = 4
    // leaves no room for 6.1's batch scaling, so free_factor stays 0.
    CHECK(z.pcp[0].count == 4);
    CHECK(z.pcp[0].free_factor == 0);
    check(m);
    drain_local_pages(m, 0);
    CHECK(z.pcp[0].count == 0);
    CHECK(lists(m) == "6: 0\n");
  }

  TEST_CASE("fallback from MOVABLE into UNMOVABLE: a big block claims its pageblocks") {
    Machine m = tiny(2048);  // two order-10 blocks, four pageblocks, all Movable
    auto a = take(m, gfp::GFP_KERNEL, 0);
    REQUIRE(a.ok);
    // The largest movable block (order 10) was taken: both its pageblocks
    // are now Unmovable, the other order-10 block stays Movable.
    CHECK(m.mem.block_mt(a.pfn) == MigrateType::Unmovable);
    CHECK(m.mem.block_mt(a.pfn ^ 512) == MigrateType::Unmovable);
    CHECK(lists(m, MigrateType::Movable) == "10: 1024\n");
  }

  TEST_CASE("fallback without claiming: a few free pages in a busy pageblock are only borrowed") {
    // One pageblock full of movable (user) pages, every 4th page freed:
    //   M M M . M M M . ...   128 free, 384 movable
    // An unmovable request steals a free page; 128 free + 0 alike < 256, so
    // the pageblock stays Movable.
    Machine m = tiny(512);
    std::vector<Pfn> pages;
    for (int i = 0; i < 512; ++i) pages.push_back(take(m, gfp::GFP_HIGHUSER_MOVABLE, 0).pfn);
    for (Pfn p : pages)
      if (p % 4 == 3) REQUIRE(free_pages(m, p, 0, 0));
    drain_all_pages(m);
    const Zone& z = m.nodes[0].zones[0];
    CHECK(z.nr_free_pages == 128);
    m.trace.enable(true);
    auto u = take(m, gfp::GFP_KERNEL, 0);
    REQUIRE(u.ok);
    CHECK(m.mem.block_mt(0) == MigrateType::Movable);
    std::string steal;
    for (const Event& e : m.trace.events())
      if (std::string(e.function()) == "steal_suitable_fallback") steal = e.text;
    CHECK(steal == "128 free + 0 alike pages in the pageblock: take the free pages only");
  }

  TEST_CASE("fallback claiming a fragmented pageblock when half of it is free") {
    //   M . M . M . ...   256 free, 256 movable: 256 + 0 >= 256, claimed
    Machine m = tiny(512);
    std::vector<Pfn> pages;
    for (int i = 0; i < 512; ++i) pages.push_back(take(m, gfp::GFP_HIGHUSER_MOVABLE, 0).pfn);
    for (Pfn p : pages)
      if (p % 2) REQUIRE(free_pages(m, p, 0, 0));
    drain_all_pages(m);
    REQUIRE(take(m, gfp::GFP_KERNEL, 0).ok);
    CHECK(m.mem.block_mt(0) == MigrateType::Unmovable);
  }

  TEST_CASE("a fragmenting fallback boosts the zone's watermark and wakes kswapd") {
    // Four pageblocks (the smallest zone boosting applies to), high 100:
    // max_boost = max(pageblock, 100 * 15000 / 10000) = 512.
    Machine m = tiny(2048);
    Zone& z = m.nodes[0].zones[0];
    z.watermark[WMARK_HIGH] = 100;
    std::vector<Pfn> pages;
    for (int i = 0; i < 2048; ++i) pages.push_back(take(m, gfp::GFP_HIGHUSER_MOVABLE, 0).pfn);
    for (Pfn p : pages)
      if (p % 4 == 3) REQUIRE(free_pages(m, p, 0, 0));
    drain_all_pages(m);
    CHECK(z.watermark_boost == 0);
    m.trace.enable(true);
    REQUIRE(take(m, gfp::GFP_KERNEL, 0).ok);
    CHECK(z.watermark_boost == 512);
    CHECK(z.min_wmark() == z.watermark[WMARK_MIN] + 512);
    std::vector<std::string> fns;
    for (const Event& e : m.trace.events()) fns.push_back(std::string(e.function()));
    CHECK(std::find(fns.begin(), fns.end(), "boost_watermark") != fns.end());
    CHECK(std::find(fns.begin(), fns.end(), "wakeup_kswapd") != fns.end());
  }

  TEST_CASE("highatomic reservation: an atomic high-order request that needs the slow path keeps its pageblock") {
    // The zone is below its low watermark (the fast path fails) but above
    // min: __alloc_pages_slowpath retries with ALLOC_HIGHATOMIC and the
    // block's pageblock becomes MIGRATE_HIGHATOMIC.
    Machine m = tiny(2048);
    Zone& z = m.nodes[0].zones[0];
    z.watermark[WMARK_MIN] = 100;
    z.watermark[WMARK_LOW] = 4000;
    z.watermark[WMARK_HIGH] = 5000;
    m.trace.enable(true);
    auto a = take(m, gfp::GFP_ATOMIC, 2);
    REQUIRE(a.ok);
    CHECK(z.nr_reserved_highatomic == pageblock_nr_pages);
    CHECK(m.mem.block_mt(a.pfn) == MigrateType::HighAtomic);
    u64 ha = 0;
    for (const FreeArea& fa : z.free_area) ha += fa.free_list[idx(MigrateType::HighAtomic)].count;
    CHECK(ha > 0);
    bool slow = false;
    for (const Event& e : m.trace.events()) slow = slow || std::string(e.function()) == "__alloc_pages_slowpath";
    CHECK(slow);
    // Ordinary requests do not count the reserve as usable free memory.
    std::string why;
    zone_watermark_ok(m, z, 0, 0, ZoneType::Normal, alloc::WMARK_LOW, static_cast<long long>(z.nr_free_pages), &why);
    CHECK(why.find("free " + std::to_string(z.nr_free_pages - pageblock_nr_pages) + " ") != std::string::npos);
  }

  TEST_CASE("lowmem_reserve protects DMA32 from a request that could use Normal") {
    // 3.5G: 3G below 4G, 512M above: Normal has 131072 pages, so DMA32 keeps
    // 131072/256 = 512 pages back from requests whose highest zone is Normal.
    auto m = mmtest::boot_spec("ram=3584M cpus=1 deferred=off");
    Zone& dma32 = m->nodes[0].zones[idx(ZoneType::DMA32)];
    Zone& normal = m->nodes[0].zones[idx(ZoneType::Normal)];
    const u64 reserve = dma32.lowmem_reserve[idx(ZoneType::Normal)];
    CHECK(reserve == normal.managed_pages / 256);
    auto fill = [&](gfp_t g, std::vector<std::pair<Pfn, Order>>* keep) {
      for (Order o : {8u, 4u, 0u}) {
        for (;;) {
          AllocRequest r;
          r.gfp = g;
          r.order = o;
          auto out = alloc_pages(*m, r);
          REQUIRE(out);
          if (!out->ok) break;
          if (keep) keep->push_back({out->pfn, o});
        }
      }
    };
    // 1. DMA32 full (down to its min watermark); 2. give back enough to sit
    // inside the protected band (min, min + reserve]; 3. Normal full.
    std::vector<std::pair<Pfn, Order>> dma32_blocks;
    fill(gfp::GFP_KERNEL | gfp::DMA32, &dma32_blocks);
    while (dma32.nr_free_pages <= dma32.min_wmark() + reserve / 2) {
      REQUIRE(free_pages(*m, dma32_blocks.back().first, dma32_blocks.back().second, 0));
      dma32_blocks.pop_back();
    }
    fill(gfp::GFP_KERNEL, nullptr);
    CHECK(dma32.nr_free_pages > dma32.min_wmark());
    CHECK(dma32.nr_free_pages <= dma32.min_wmark() + reserve);
    // A Normal-capable request fails over both zones; a DMA32 one succeeds.
    m->trace.enable(true);
    auto k = take(*m, gfp::GFP_KERNEL, 0);
    CHECK_FALSE(k.ok);
    bool protected_by_reserve = false;
    for (const Event& e : m->trace.events())
      if (std::string(e.function()) == "zone_watermark_fast" && e.zone == static_cast<int>(idx(ZoneType::DMA32)) &&
          e.text.rfind("min", 0) == 0)
        protected_by_reserve = e.c == reserve && e.text.find("watermark not met") != std::string::npos;
    CHECK(protected_by_reserve);
    CHECK(k.failure.find("nothing to free") != std::string::npos);  // no task to kill either
    CHECK(take(*m, gfp::GFP_KERNEL | gfp::DMA32, 0).ok);
  }

  TEST_CASE("the fragmentation picture: 25% free, largest free block order 0") {
    //   16 pages: A . A A A . A A A . A A A . A A   ('.' free)
    Machine m = tiny(16);
    std::vector<Pfn> p;
    for (int i = 0; i < 16; ++i) p.push_back(take(m, gfp::GFP_HIGHUSER_MOVABLE, 0).pfn);
    for (Pfn x : p)
      if (x % 4 == 1) REQUIRE(free_pages(m, x, 0, 0));
    drain_all_pages(m);
    check(m);
    const Zone& z = m.nodes[0].zones[0];
    CHECK(z.nr_free_pages == 4);
    CHECK(z.free_area[0].nr_free == 4);
    for (unsigned o = 1; o < MAX_ORDER; ++o) CHECK(z.free_area[o].nr_free == 0);
    auto big = take(m, gfp::GFP_HIGHUSER_MOVABLE, 1);
    CHECK_FALSE(big.ok);  // a quarter of memory is free, yet no two pages touch
  }

  TEST_CASE("bad frees are refused and change nothing") {
    Machine m = tiny(64);
    auto a = take(m, gfp::GFP_HIGHUSER_MOVABLE, 2);
    REQUIRE(a.ok);
    auto before = m.mem.state;
    auto wrong_order = free_pages(m, a.pfn, 1, 0);
    CHECK_FALSE(wrong_order);
    CHECK(wrong_order.diag().message.find("allocated with order 2, not order 1") != std::string::npos);
    auto tail = free_pages(m, a.pfn + 1, 0, 0);
    CHECK(tail.diag().message.find("inside the order-2 allocation that starts at pfn " + std::to_string(a.pfn)) != std::string::npos);
    auto never = free_pages(m, a.pfn + 8, 0, 0);
    CHECK(never.diag().message.find("double free") != std::string::npos);
    CHECK(free_pages(m, 1000, 0, 0).diag().message.find("beyond the last page frame") != std::string::npos);
    CHECK(m.mem.state == before);
    REQUIRE(free_pages(m, a.pfn, 2, 0));
    CHECK(free_pages(m, a.pfn, 2, 0).diag().message.find("double free") != std::string::npos);
    check(m);
  }

  TEST_CASE("requests the kernel refuses are diagnostics") {
    Machine m = tiny(64);
    AllocRequest r;
    r.order = 11;
    CHECK_FALSE(alloc_pages(m, r));
    r.order = 0;
    r.cpu = 3;
    CHECK(alloc_pages(m, r).diag().message.find("no CPU 3") != std::string::npos);
    r.cpu = 0;
    r.gfp = gfp::GFP_KERNEL | gfp::DMA | gfp::DMA32;
    CHECK(alloc_pages(m, r).diag().message.find("GFP_ZONE_BAD") != std::string::npos);
  }

  TEST_CASE("golden trace: an order-1 request on a fresh 8-page zone") {
    Machine m = tiny(8, 1, 0);
    m.trace.enable(true);
    take(m, gfp::GFP_HIGHUSER_MOVABLE, 1);
    const std::vector<std::string> want = {
        "> __alloc_pages: alloc_pages(GFP_HIGHUSER_MOVABLE, order 1) on CPU 0, node 0",
        "  - prepare_alloc_pages: gfp_zone = Movable, migratetype Movable, preferred zone Node 0 DMA, alloc_flags "
        "ALLOC_WMARK_LOW|ALLOC_KSWAPD",
        "  - zone_watermark_fast: low watermark check, Node 0 DMA: free 7 > mark 0 + lowmem_reserve 0, and an order-3 "
        "block is free: ok",
        "  > rmqueue_bulk: cpu 0: the Movable order-1 pcp list of Node 0 DMA is empty: refill 1 from the buddy lists",
        "    - __rmqueue_smallest: take pfn 0 from the Movable order-3 list for an order-1 request",
        "    - expand: split: upper half pfn 4 (order 2) goes to the Movable order-2 list",
        "    - expand: split: upper half pfn 2 (order 1) goes to the Movable order-1 list",
        "  - rmqueue_pcplist: cpu 0: take pfn 0 from the Movable order-1 pcp list (0 pages left on this CPU's lists)",
        "  - prep_new_page: pfn 0 (order 1, 2 pages) from Node 0 DMA",
    };
    CHECK(trace_lines(m) == want);
  }

  TEST_CASE("golden trace: a free that merges and spills from the pcp list") {
    Machine m = tiny(4, 1, 1);
    auto a = take(m, gfp::GFP_HIGHUSER_MOVABLE, 0);
    m.trace.enable(true);
    REQUIRE(free_pages(m, a.pfn, 0, 0));
    const std::vector<std::string> want = {
        "> __free_pages: free pfn 0 order 0 on CPU 0",
        "  - free_unref_page: cpu 0: pfn 0 (order 0) onto the Movable pcp list: count 1 >= high 1",
        "  - free_pcppages_bulk: cpu 0: return 1 of 1 pcp pages of Node 0 DMA to the buddy lists",
        "  - __free_one_page: merge pfn 0 with its buddy 1 at order 0 -> order 1 block at 0",
        "  - __free_one_page: merge pfn 0 with its buddy 2 at order 1 -> order 2 block at 0",
        "  - __free_one_page: free pfn 0 order 0: merged into block pfn 0 order 2 to the head of the Movable list",
    };
    CHECK(trace_lines(m) == want);
  }

  TEST_CASE("property: random alloc/free keeps every invariant, and freeing all restores the boot state") {
    for (const char* spec : {"ram=256M cpus=2", "ram=2G cpus=2 nodes=1G:0,1G:1", "ram=3584M cpus=3"}) {
      CAPTURE(spec);
      auto m = mmtest::boot_spec(spec);
      const std::string buddy_after_boot = proc_buddyinfo(*m);
      std::mt19937 rng(42);
      std::vector<std::pair<Pfn, Order>> live;
      const gfp_t masks[] = {gfp::GFP_KERNEL, gfp::GFP_HIGHUSER_MOVABLE, gfp::GFP_KERNEL | gfp::RECLAIMABLE,
                             gfp::GFP_KERNEL | gfp::DMA32, gfp::GFP_NOWAIT, gfp::GFP_KERNEL | gfp::THISNODE};
      for (int step = 0; step < 3000; ++step) {
        const bool do_alloc = live.empty() || rng() % 100 < 60;
        const int cpu = static_cast<int>(rng() % m->nr_cpus);
        if (do_alloc) {
          AllocRequest r;
          r.gfp = masks[rng() % std::size(masks)];
          const unsigned pick = rng() % 100;
          r.order = pick < 70 ? 0 : pick < 85 ? 1 + rng() % 3 : pick < 95 ? 4 + rng() % 5 : 9 + rng() % 2;
          r.cpu = cpu;
          auto o = alloc_pages(*m, r);
          REQUIRE(o);
          if (o->ok) live.push_back({o->pfn, o->order});
        } else {
          const size_t i = rng() % live.size();
          REQUIRE(free_pages(*m, live[i].first, live[i].second, cpu));
          live[i] = live.back();
          live.pop_back();
        }
        if (step % 7 == 0 || step < 200) {
          auto v = check_invariants(*m);
          INFO("step " << step << ": " << (v.empty() ? "" : v.front()));
          REQUIRE(v.empty());
        }
      }
      for (auto [pfn, order] : live) REQUIRE(free_pages(*m, pfn, order, 0));
      drain_all_pages(*m);
      check(*m);
      CHECK(proc_buddyinfo(*m) == buddy_after_boot);
    }
  }

  TEST_CASE("determinism: the same seed gives the same event stream") {
    auto run = [] {
      auto m = mmtest::boot_spec("ram=256M cpus=2");
      m->trace.clear();
      m->trace.enable(true);
      std::mt19937 rng(7);
      std::vector<std::pair<Pfn, Order>> live;
      for (int i = 0; i < 300; ++i) {
        if (live.empty() || rng() % 2) {
          AllocRequest r;
          r.order = rng() % 4;
          r.cpu = static_cast<int>(rng() % 2);
          auto o = alloc_pages(*m, r);
          if (o && o->ok) live.push_back({o->pfn, o->order});
        } else {
          auto [p, o] = live.back();
          live.pop_back();
          free_pages(*m, p, o, 1);
        }
      }
      return trace_lines(*m);
    };
    auto a = run(), b = run();
    CHECK(a.size() > 300);
    CHECK(a == b);
  }
}
