// The page allocator of 6.1, as specifications. Free lists are drawn as
// "order: pfn pfn ..." (Movable lists unless said otherwise).
#include <doctest/doctest.h>

#include <cstdio>
#include <functional>
#include <random>

#include "mm/page_alloc/alloc.h"
#include "mm/page_alloc/gfp.h"
#include "mm/pressure/task.h"
#include "test_util.h"
#include "text/format/gfp.h"
#include "text/format/narration.h"
#include "text/format/proc.h"
#include "text/format/reasons.h"
#include "text/parse/gfp.h"

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

// An event as its typed record, no words: "code name=value ..." in the
// catalogue's argument order, raw numbers (zone as node/zone index, mt
// and types as their index, gfp in hex); "end code" for a phase's end.
std::string typed(const Event& e) {
  const EventSpec& s = e.spec();
  if (e.kind == EventKind::End) return "end " + std::string(s.code);
  std::string out(s.code);
  for (unsigned i = 0; i < s.nargs; ++i) {
    const Arg a = s.args[i];
    const ArgInfo& info = kArgInfo[static_cast<unsigned>(a)];
    out += ' ';
    out += info.name;
    out += '=';
    if (a == Arg::zone)
      out += std::to_string(e.node) + "/" + std::to_string(e.zone);
    else if (info.type == ArgType::kGfp || info.type == ArgType::kAllocFlags) {
      char b[16];
      std::snprintf(b, sizeof b, "%#llx", static_cast<unsigned long long>(e.get(a)));
      out += b;
    } else
      out += std::to_string(e.get(a));
  }
  return out;
}

std::vector<std::string> typed_lines(const Machine& m) {
  std::vector<std::string> v;
  for (const Event& e : m.trace.events()) v.push_back(typed(e));
  return v;
}

// The machine as it is when each event is recorded: `probe` read just
// before the record is pushed. Events are emitted after their effect, so
// this is the state right after the step an event describes.
struct AtRecord final : TraceObserver {
  AtRecord(Machine& machine, std::function<long long(const Machine&)> p) : m(machine), probe(std::move(p)) {
    m.trace.set_observer(this);
  }
  ~AtRecord() { m.trace.set_observer(nullptr); }
  void on_record(const Trace&, std::size_t index) override {
    at.resize(index + 1);
    at[index] = probe(m);
  }
  Machine& m;
  std::function<long long(const Machine&)> probe;
  std::vector<long long> at;
};

// Every event that carries pcp_count says what the CPU's lists hold as it is recorded.
void check_pcp_counts(const Machine& m, const AtRecord& pcp) {
  const auto& ev = m.trace.events();
  REQUIRE(pcp.at.size() == ev.size());
  for (std::size_t k = 0; k < ev.size(); ++k) {
    if (ev[k].kind == EventKind::End || !ev[k].spec().declares(Arg::pcp_count)) continue;
    CAPTURE(typed(ev[k]));
    CHECK(pcp.at[k] == ev[k].get(Arg::pcp_count));
  }
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
    // A 1 MB word: quoted cut short, no suggestion (no name is within 3 edits).
    auto huge = parse_gfp("GFP_KERNEL|" + std::string(1 << 20, 'X'));
    REQUIRE_FALSE(huge);
    CHECK(huge.diag().col == 12);
    CHECK(huge.diag().message == "unknown gfp flag '" + std::string(48, 'X') + "...' (1048576 characters)");
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

  TEST_CASE("a frame's word: state, order and list type of every list head, links at both ends of a zone") {
    namespace fw = frame_word;
    static_assert(sizeof(fw::Word) == 8);
    for (FrameState s : {FrameState::Buddy, FrameState::Pcp})
      for (Order o = 0; o < MAX_ORDER; ++o)
        for (unsigned t = 0; t < MIGRATE_TYPES; ++t) {
          CAPTURE(static_cast<int>(s));
          CAPTURE(o);
          CAPTURE(t);
          const auto mt = static_cast<MigrateType>(t);
          const fw::Word head = fw::list_head(s, o, mt, 7);
          const fw::Word tail = fw::other(fw::tail_state(s), o, static_cast<std::uint8_t>(t));
          CHECK(fw::is_list_head(head));
          CHECK(fw::state(head, tail) == s);
          CHECK(fw::order(head, tail) == o);
          CHECK(fw::aux(head, tail) == t);
          CHECK(fw::state(tail, tail) == fw::tail_state(s));
          CHECK(fw::order(tail, tail) == o);
          // Links at the ends of their range leave the rest alone.
          const fw::Word linked = fw::with_prev(fw::with_next(head, fw::kLinkMask), 0);
          CHECK(fw::next_off(linked) == fw::kLinkMask);
          CHECK(fw::prev_off(linked) == 0);
          CHECK(fw::state(linked, tail) == s);
          CHECK(fw::aux(linked, tail) == t);
        }
    for (FrameState s : {FrameState::Hole, FrameState::Reserved, FrameState::Uninit, FrameState::Alloc}) {
      const fw::Word w = fw::other(s, 3, static_cast<std::uint8_t>(Owner::Slab));
      CHECK_FALSE(fw::is_list_head(w));
      CHECK(fw::state(w, 0) == s);
      CHECK(fw::order(w, 0) == 3);
      CHECK(fw::aux(w, 0) == static_cast<std::uint8_t>(Owner::Slab));
    }
  }

  TEST_CASE("moving a free block to another list keeps its links, order and tails; the tails name the new list") {
    Machine m = tiny(32);
    auto o = take(m, gfp::GFP_HIGHUSER_MOVABLE, 1);  // lists 1: 2, 2: 4, 3: 8, 4: 16
    REQUIRE(o.ok);
    Zone& z = *m.page_zone(8);
    move_to_free_list(m, z, 8, 3, MigrateType::Movable, MigrateType::Reclaimable);
    move_to_free_list(m, z, 2, 1, MigrateType::Movable, MigrateType::Unmovable);
    CHECK(m.mem.st(8) == FrameState::Buddy);
    CHECK(m.mem.order_of(8) == 3);
    CHECK(m.mem.list_mt(8) == MigrateType::Reclaimable);
    for (Pfn p = 9; p < 16; ++p) {
      CHECK(m.mem.st(p) == FrameState::BuddyTail);
      CHECK(m.mem.list_mt(p) == MigrateType::Reclaimable);
      CHECK(m.mem.order_of(p) == 3);
    }
    CHECK(m.mem.list_mt(2) == MigrateType::Unmovable);
    check(m);
    check(m);
  }

  TEST_CASE("an order-0 pcp page carries its pcp migrate type in its head word alone") {
    Machine m = tiny(64, 4, 8);
    auto a = take(m, gfp::GFP_KERNEL, 0);
    REQUIRE(a.ok);
    CHECK(m.mem.owner_of(a.pfn) == Owner::Kernel);
    REQUIRE(free_pages(m, a.pfn, 0, 0));
    CHECK(m.mem.st(a.pfn) == FrameState::Pcp);
    CHECK(m.mem.order_of(a.pfn) == 0);
    CHECK(m.mem.list_mt(a.pfn) == m.mem.block_mt(a.pfn));  // set_pcppage_migratetype()
    CHECK(m.mem.owner_of(a.pfn) == Owner::None);
    check(m);
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
    const Event* steal = nullptr;
    for (const Event& e : m.trace.events())
      if (e.code == Ev::fallback_steal) steal = &e;
    REQUIRE(steal);
    CHECK(steal->get(Arg::free) == 128);
    CHECK(steal->get(Arg::alike) == 0);
    CHECK_FALSE(steal->get(Arg::claim));
    CHECK(steal->mt == static_cast<int>(idx(MigrateType::Unmovable)));
    CHECK(narrate(*steal, m.trace) == "128 free + 0 alike pages in the pageblock: take the free pages only");
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
    const WatermarkCheck c =
        zone_watermark_check(z, 0, 0, ZoneType::Normal, alloc::WMARK_LOW, static_cast<long long>(z.nr_free_pages));
    CHECK(c.free == static_cast<long long>(z.nr_free_pages));
    CHECK(c.unusable == static_cast<long long>(pageblock_nr_pages));
    CHECK(c.usable() == static_cast<long long>(z.nr_free_pages - pageblock_nr_pages));
    // ... an atomic one may use it.
    CHECK(zone_watermark_check(z, 0, 0, ZoneType::Normal, alloc::WMARK_MIN | alloc::HIGHATOMIC,
                               static_cast<long long>(z.nr_free_pages))
              .unusable == 0);
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
    // Some DMA32 check failed on the reserve alone: usable > mark, but not > mark + lowmem_reserve.
    bool protected_by_reserve = false;
    for (const Event& e : m->trace.events())
      if (e.code == Ev::wmark_fail && e.zone == static_cast<int>(idx(ZoneType::DMA32)) &&
          e.get(Arg::reserve) == static_cast<std::int64_t>(reserve) && e.get(Arg::usable) > e.get(Arg::mark))
        protected_by_reserve = true;
    CHECK(protected_by_reserve);
    CHECK(k.reason == AllocFailure::nothing_to_free);  // no task to kill either
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
    auto before = m.mem.word;
    auto wrong_order = free_pages(m, a.pfn, 1, 0);
    CHECK_FALSE(wrong_order);
    CHECK(wrong_order.diag().message.find("allocated with order 2, not order 1") != std::string::npos);
    auto tail = free_pages(m, a.pfn + 1, 0, 0);
    CHECK(tail.diag().message.find("inside the order-2 allocation that starts at pfn " + std::to_string(a.pfn)) !=
          std::string::npos);
    auto never = free_pages(m, a.pfn + 8, 0, 0);
    CHECK(never.diag().message.find("double free") != std::string::npos);
    CHECK(free_pages(m, 1000, 0, 0).diag().message.find("beyond the last page frame") != std::string::npos);
    CHECK(m.mem.word == before);
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
        "  - zone_watermark_fast: low watermark check, Node 0 DMA: free 8 - unusable 1 (2^order - 1 for the request's "
        "order, + the highatomic reserve unless it may use it) = 7 > low 0 + lowmem_reserve 0 = 0, and an order-3 "
        "block is free on the Movable list: ok",
        "  > rmqueue_bulk: cpu 0: the Movable order-1 pcp list of Node 0 DMA is empty: refill 1 from the buddy lists",
        "    - __rmqueue_smallest: take pfn 0 from the Movable order-3 list for an order-1 request",
        "    - expand: split: upper half pfn 4 (order 2) goes to the Movable order-2 list; it is the buddy of the "
        "lower "
        "half: 0 ^ (1 << 2) = 4",
        "    - expand: split: upper half pfn 2 (order 1) goes to the Movable order-1 list; it is the buddy of the "
        "lower "
        "half: 0 ^ (1 << 1) = 2",
        "    - rmqueue_bulk: cpu 0: 1 order-1 blocks onto the tail of the Movable pcp list (2 pages on this CPU's "
        "lists)",
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
        "  - free_unref_page: cpu 0: pfn 0 (order 0) onto the Movable pcp list: count 1 >= high 1 -> free a batch to "
        "the buddy lists",
        "  > free_pcppages_bulk: cpu 0: return 1 of 1 pcp pages of Node 0 DMA to the buddy lists",
        "    - __free_one_page: merge pfn 0 with its buddy 1 = 0 ^ (1 << 0) at order 0 -> order 1 block at 0 = 0 & 1",
        "    - __free_one_page: merge pfn 0 with its buddy 2 = 0 ^ (1 << 1) at order 1 -> order 2 block at 0 = 0 & 2",
        "    - __free_one_page: free pfn 0 order 0: merged into block pfn 0 order 2 to the head of the Movable list",
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
      const gfp_t masks[] = {gfp::GFP_KERNEL,
                             gfp::GFP_HIGHUSER_MOVABLE,
                             gfp::GFP_KERNEL | gfp::RECLAIMABLE,
                             gfp::GFP_KERNEL | gfp::DMA32,
                             gfp::GFP_NOWAIT,
                             gfp::GFP_KERNEL | gfp::THISNODE};
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

  TEST_CASE("typed golden: an order-0 allocation refills the pcp list in a batch, then takes its head") {
    // 16 free pages (one order-4 block), pcp batch 4: rmqueue_bulk takes
    // four order-0 blocks off the buddy lists (splitting the order-4 block)
    // onto the tail of the Movable list; rmqueue_pcplist takes the head.
    Machine m = tiny(16, 4, 8);
    m.trace.enable(true);
    AtRecord pcp(m, [](const Machine& x) { return x.nodes[0].zones[0].pcp[0].count; });
    auto a = take(m, gfp::GFP_HIGHUSER_MOVABLE, 0);
    REQUIRE(a.ok);
    CHECK(a.pfn == 0);
    const std::vector<std::string> want = {
        "alloc_pages gfp=0x100cca order=0 cpu=0 node=0 pages=1",
        "alloc_prepare zone=0/0 order=0 mt=1 highest=3 alloc_flags=0x801",
        "wmark_ok zone=0/0 order=0 wmark=1 free=16 unusable=0 usable=16 mark=0 reserve=0",
        "pcp_refill zone=0/0 order=0 mt=1 cpu=0 count=4",
        "rmqueue_smallest zone=0/0 pfn=0 order=4 mt=1 req_order=0",
        "expand_split zone=0/0 pfn=8 order=3 mt=1",
        "expand_split zone=0/0 pfn=4 order=2 mt=1",
        "expand_split zone=0/0 pfn=2 order=1 mt=1",
        "expand_split zone=0/0 pfn=1 order=0 mt=1",
        "rmqueue_smallest zone=0/0 pfn=1 order=0 mt=1 req_order=0",
        "rmqueue_smallest zone=0/0 pfn=2 order=1 mt=1 req_order=0",
        "expand_split zone=0/0 pfn=3 order=0 mt=1",
        "rmqueue_smallest zone=0/0 pfn=3 order=0 mt=1 req_order=0",
        "pcp_refilled zone=0/0 order=0 mt=1 cpu=0 count=4 pcp_count=4",
        "end pcp_refill",
        "pcp_take zone=0/0 pfn=0 order=0 mt=1 cpu=0 pcp_count=3",
        "alloc_done zone=0/0 pfn=0 order=0 pages=1",
        "end alloc_pages",
    };
    CHECK(typed_lines(m) == want);
    check_pcp_counts(m, pcp);
    // The words, from the same records.
    const auto& ev = m.trace.events();
    CHECK(narrate(ev[13], m.trace) ==
          "cpu 0: 4 order-0 blocks onto the tail of the Movable pcp list (4 pages on this CPU's lists)");
    CHECK(narrate(ev[15], m.trace) ==
          "cpu 0: take pfn 0 from the Movable order-0 pcp list (3 pages left on this CPU's lists)");
    CHECK(narrate(ev[16], m.trace) == "pfn 0 (order 0, 1 page) from Node 0 DMA");
    CHECK(narrate(ev[15], m.trace, Lang::zh).find("还剩 3 页") != std::string::npos);
  }

  TEST_CASE("typed golden: a free that reaches pcp high spills a batch, and the batch merges") {
    // batch 2, high 4. Four order-0 pages 0..3 come from two refills; freed
    // in order they sit on the pcp list as 3 2 1 0 (each at the head). The
    // fourth free makes count 4 >= high 4: nr_pcp_free gives the batch (2),
    // taken from the list's tail: pfn 0 (its buddy 1 is still on the pcp
    // list: no merge), then pfn 1, which merges with 0 into an order-1 block
    // (to the tail: its order-2 buddy's buddy, pfn 4, is free).
    Machine m = tiny(16, 2, 4);
    std::vector<Pfn> got;
    for (int i = 0; i < 4; ++i) got.push_back(take(m, gfp::GFP_HIGHUSER_MOVABLE, 0).pfn);
    CHECK(got == std::vector<Pfn>{0, 1, 2, 3});
    for (int i = 0; i < 3; ++i) REQUIRE(free_pages(m, got[static_cast<size_t>(i)], 0, 0));
    m.trace.enable(true);
    AtRecord pcp(m, [](const Machine& x) { return x.nodes[0].zones[0].pcp[0].count; });
    REQUIRE(free_pages(m, 3, 0, 0));
    check(m);
    const std::vector<std::string> want = {
        "free_pages pfn=3 order=0 cpu=0 pages=1",
        "pcp_free zone=0/0 pfn=3 order=0 mt=1 cpu=0 pcp_count=4 high=4 spill=1",
        "pcp_drain zone=0/0 cpu=0 count=2 pcp_count=4",
        "buddy_free zone=0/0 pfn=0 order=0 mt=1 start=0 from_order=0 grew=0 tail=0",
        "buddy_merge zone=0/0 pfn=1 order=0 mt=1 buddy=0 merged=0 to_order=1",
        "buddy_free zone=0/0 pfn=0 order=1 mt=1 start=1 from_order=0 grew=1 tail=1",
        "end pcp_drain",
        "end free_pages",
    };
    CHECK(typed_lines(m) == want);
    check_pcp_counts(m, pcp);
    CHECK(m.nodes[0].zones[0].pcp[0].count == 2);
    CHECK(lists(m) == "1: 0\n2: 4\n3: 8\n");
    CHECK(to_string(m.trace.events()[1], m.trace) ==
          "  - free_unref_page: cpu 0: pfn 3 (order 0) onto the Movable pcp list: count 4 >= high 4 -> free a batch to "
          "the buddy lists");
  }

  TEST_CASE("typed golden: an unmovable request falls back to a movable pageblock half free, and claims it") {
    //   M . M . M . ...   256 free, 256 movable (user) pages: the fallback
    // moves the 256 free pages to the Unmovable lists; 256 + 0 alike >= 256
    // (half a pageblock), so the pageblock becomes Unmovable.
    Machine m = tiny(512);
    std::vector<Pfn> pages;
    for (int i = 0; i < 512; ++i) pages.push_back(take(m, gfp::GFP_HIGHUSER_MOVABLE, 0).pfn);
    for (Pfn p : pages)
      if (p % 2) REQUIRE(free_pages(m, p, 0, 0));
    drain_all_pages(m);
    m.trace.enable(true);
    AtRecord block(m, [](const Machine& x) { return static_cast<long long>(idx(x.mem.block_mt(0))); });
    auto u = take(m, gfp::GFP_KERNEL, 0);
    REQUIRE(u.ok);
    const auto& ev = m.trace.events();
    std::size_t f = 0, s = 0;
    for (std::size_t k = 0; k < ev.size(); ++k) {
      if (ev[k].code == Ev::fallback) f = k;
      if (ev[k].code == Ev::fallback_steal) s = k;
    }
    REQUIRE(f);
    REQUIRE(s == f + 1);
    CHECK(typed(ev[f]) == "fallback zone=0/0 pfn=" + std::to_string(ev[f].pfn) + " order=0 mt=1 to_mt=0");
    CHECK(ev[f].pfn % 2 == 1);
    CHECK(typed(ev[s]) ==
          "fallback_steal zone=0/0 pfn=" + std::to_string(ev[f].pfn) + " mt=0 free=256 alike=0 claim=1");
    // The pageblock is Unmovable right after the steal, not before the fallback's find.
    CHECK(block.at[f] == static_cast<long long>(idx(MigrateType::Movable)));
    CHECK(block.at[s] == static_cast<long long>(idx(MigrateType::Unmovable)));
    CHECK(narrate(ev[f], m.trace) ==
          "no Unmovable block: fall back to the Movable order-0 block at pfn " + std::to_string(ev[f].pfn));
    CHECK(narrate(ev[s], m.trace) == "256 free + 0 alike pages in the pageblock: claim the pageblock");
  }

  TEST_CASE("typed golden: a block of a pageblock or more is claimed whole, after it moved") {
    Machine m = tiny(2048);
    m.trace.enable(true);
    AtRecord list(m, [](const Machine& x) {
      return static_cast<long long>(
          x.nodes[0].zones[0].free_area[MAX_ORDER - 1].free_list[idx(MigrateType::Unmovable)].count);
    });
    REQUIRE(take(m, gfp::GFP_KERNEL, 0).ok);
    const auto& ev = m.trace.events();
    std::size_t c = 0;
    for (std::size_t k = 0; k < ev.size(); ++k)
      if (ev[k].code == Ev::fallback_claim_block) c = k;
    REQUIRE(c);
    CHECK(typed(ev[c - 1]) == "fallback zone=0/0 pfn=0 order=10 mt=1 to_mt=0");
    CHECK(typed(ev[c]) == "fallback_claim_block zone=0/0 pfn=0 order=10 mt=0");
    CHECK(list.at[c - 1] == 0);
    CHECK(list.at[c] == 1);  // on the Unmovable order-10 list when the event says so
    CHECK(narrate(ev[c], m.trace) == "order-10 block at pfn 0 is at least a pageblock: claim all of it for Unmovable");
  }

  TEST_CASE("typed golden: a watermark check that fails and one that passes, with their numbers") {
    // 2048 free pages; low 3000 fails the fast path, min 100 passes in the slow path.
    Machine m = tiny(2048);
    Zone& z = m.nodes[0].zones[0];
    z.watermark[WMARK_MIN] = 100;
    z.watermark[WMARK_LOW] = 3000;
    z.watermark[WMARK_HIGH] = 3500;
    m.trace.enable(true);
    REQUIRE(take(m, gfp::GFP_KERNEL, 0).ok);
    std::vector<const Event*> checks;
    for (const Event& e : m.trace.events())
      if (e.spec().fn == "zone_watermark_fast") checks.push_back(&e);
    REQUIRE(checks.size() == 2);
    CHECK(typed(*checks[0]) ==
          "wmark_fail zone=0/0 order=0 wmark=1 free=2048 unusable=0 usable=2048 mark=3000 reserve=0");
    CHECK(typed(*checks[1]) == "wmark_ok zone=0/0 order=0 wmark=0 free=2048 unusable=0 usable=2048 mark=100 reserve=0");
    CHECK(to_string(*checks[0], m.trace) ==
          "  - zone_watermark_fast: low watermark check, Node 0 DMA: free 2048 - unusable 0 (2^0 - 1 = 0) = 2048 <= "
          "low 3000 + lowmem_reserve 0 = 3000: watermark not met");
    CHECK(narrate(*checks[1], m.trace) ==
          "min watermark check, Node 0 DMA: free 2048 - unusable 0 (2^0 - 1 = 0) = 2048 > min 100 + lowmem_reserve 0 = "
          "100: ok");
    CHECK(narrate(*checks[1], m.trace, Lang::zh).find("2048 > min 水位线 100") != std::string::npos);

    // An atomic order-2 request: 3 pages unusable, and its min is lowered by
    // ALLOC_MIN_RESERVE (100 - 50) and ALLOC_NON_BLOCK (50 - 12) to 38.
    m.trace.clear();
    REQUIRE(take(m, gfp::GFP_ATOMIC, 2).ok);
    checks.clear();
    for (const Event& e : m.trace.events())
      if (e.spec().fn == "zone_watermark_fast") checks.push_back(&e);
    REQUIRE(checks.size() == 2);
    const long long free = checks[0]->get(Arg::free);
    CHECK(typed(*checks[0]) == "wmark_fail zone=0/0 order=2 wmark=1 free=" + std::to_string(free) +
                                   " unusable=3 usable=" + std::to_string(free - 3) + " mark=3000 reserve=0");
    CHECK(checks[1]->code == Ev::wmark_ok_block);
    CHECK(checks[1]->get(Arg::mark) == 38);
    CHECK(checks[1]->get(Arg::unusable) == 3);
    CHECK(checks[1]->order >= 2);  // the free block found: its order and list
    CHECK(narrate(*checks[1], m.trace).find("> min 38 + lowmem_reserve 0 = 38, and an order-") != std::string::npos);
    // The failed check of that request: 2^2 - 1 = 3 pages of an order-2 block's worth are not counted.
    CHECK(narrate(*checks[0], m.trace)
              .find(" - unusable 3 (2^2 - 1 = 3) = " + std::to_string(free - 3) + " <= low 3000") != std::string::npos);
  }

  TEST_CASE("a watermark check shows free - (2^order - 1) even when it goes below zero, and says why") {
    // 100 free pages, an order-8 request: 255 pages of an order-8 block's
    // worth cannot serve it. An old sentence printed "free -155".
    Machine m = tiny(512);
    const Zone& z = m.nodes[0].zones[0];
    while (z.nr_free_pages > 100) REQUIRE(take(m, gfp::GFP_HIGHUSER_MOVABLE, 0).ok);
    m.trace.enable(true);
    auto big = take(m, gfp::GFP_KERNEL, 8);
    CHECK_FALSE(big.ok);
    const Event& first = *std::find_if(m.trace.events().begin(), m.trace.events().end(),
                                       [](const Event& e) { return e.spec().fn == "zone_watermark_fast"; });
    CHECK(typed(first) == "wmark_fail zone=0/0 order=8 wmark=1 free=100 unusable=255 usable=-155 mark=0 reserve=0");
    CHECK(
        narrate(first, m.trace) ==
        "low watermark check, Node 0 DMA: free 100 - unusable 255 (2^8 - 1 = 255) = -155 (below zero: fewer free pages "
        "than the 255 this check cannot count) <= low 0 + lowmem_reserve 0 = 0: watermark not met");
    CHECK(narrate(first, m.trace, Lang::zh).find("= -155（小于零") != std::string::npos);
    // Costly, so no retries: the reason is a fact, its words come from the text layer.
    CHECK(big.reason == AllocFailure::costly);
    CHECK(failure_text(big) == "order 8 is costly (> PAGE_ALLOC_COSTLY_ORDER): no retries, no OOM");
    CHECK(failure_text(big, Lang::zh).find("8 阶属于高开销阶") == 0);
    bool compact = false, warned = false;
    for (const Event& e : m.trace.events()) {
      compact = compact || e.code == Ev::compact_skipped;
      if (e.code == Ev::alloc_fail_costly) {
        warned = true;
        CHECK(to_string(e, m.trace) ==
              "    - warn_alloc: page allocation failure: order 8 is costly (> PAGE_ALLOC_COSTLY_ORDER): no retries, "
              "no OOM");
      }
    }
    CHECK(compact);
    CHECK(warned);
  }

  TEST_CASE("enough pages but no block of the order: the free-area scan fails the check") {
    //   16 pages: A . A A A . A A A . A A A . A A   ('.' free)
    Machine m = tiny(16);
    std::vector<Pfn> p;
    for (int i = 0; i < 16; ++i) p.push_back(take(m, gfp::GFP_HIGHUSER_MOVABLE, 0).pfn);
    for (Pfn x : p)
      if (x % 4 == 1) REQUIRE(free_pages(m, x, 0, 0));
    drain_all_pages(m);
    m.trace.enable(true);
    CHECK_FALSE(take(m, gfp::GFP_HIGHUSER_MOVABLE, 1).ok);
    const Event& first = *std::find_if(m.trace.events().begin(), m.trace.events().end(),
                                       [](const Event& e) { return e.spec().fn == "zone_watermark_fast"; });
    CHECK(typed(first) == "wmark_no_block zone=0/0 order=1 wmark=1 free=4 unusable=1 usable=3 mark=0 reserve=0");
    CHECK(
        narrate(first, m.trace) ==
        "low watermark check, Node 0 DMA: free 4 - unusable 1 (2^1 - 1 = 1) = 3 > low 0 + lowmem_reserve 0 = 0, but no "
        "free block of order 1 or more: fail");
  }

  TEST_CASE("every failure reason is a fact with its event, and its words in both languages") {
    // A 256M machine full of unkillable memory: each request gives up for its own reason.
    auto m = mmtest::boot_spec("ram=256M cpus=1");
    SpawnRequest hog;
    hog.name = "hog";
    hog.anon = 180ull << 20;
    hog.oom_score_adj = -1000;
    REQUIRE(spawn(*m, hog));
    auto take_with = [&](gfp_t g, Order o, int pid = 0) {
      AllocRequest r;
      r.gfp = g;
      r.order = o;
      r.pid = pid;
      auto out = alloc_pages(*m, r);
      REQUIRE(out);
      return *out;
    };
    while (take_with(gfp::GFP_KERNEL | gfp::NORETRY | gfp::NOWARN, 0).ok) {}
    m->trace.clear();
    m->trace.enable(true);
    struct Case {
      gfp_t gfp;
      Order order;
      int pid;
      AllocFailure why;
      Ev code;
      const char* en;
    };
    const Case cases[] = {
        {gfp::GFP_NOWAIT, 0, 0, AllocFailure::no_direct_reclaim, Ev::alloc_fail_no_direct_reclaim,
         "the request may not sleep to reclaim (no __GFP_DIRECT_RECLAIM)"},
        {gfp::GFP_KERNEL, 0, 4242, AllocFailure::task_killed, Ev::alloc_fail_task_killed,
         "the allocating task was killed while it waited"},
        {gfp::GFP_KERNEL | gfp::RETRY_MAYFAIL, 0, 0, AllocFailure::oom_retry_mayfail, Ev::alloc_fail_oom_retry_mayfail,
         "__GFP_RETRY_MAYFAIL / __GFP_THISNODE requests do not invoke the OOM killer"},
        {gfp::GFP_KERNEL | gfp::RETRY_MAYFAIL, 4, 0, AllocFailure::oom_costly, Ev::alloc_fail_oom_costly,
         "costly orders never invoke the OOM killer"},
        {gfp::GFP_KERNEL | gfp::DMA32, 0, 0, AllocFailure::oom_lowmem, Ev::alloc_fail_oom_lowmem,
         "a lowmem (DMA/DMA32-only) request does not invoke the OOM killer"},
        {gfp::GFP_KERNEL | gfp::NORETRY, 0, 0, AllocFailure::noretry, Ev::alloc_fail_noretry,
         "__GFP_NORETRY: one round of reclaim was all it asked for"},
    };
    for (const Case& c : cases) {
      CAPTURE(kAllocFailureCodes[static_cast<unsigned>(c.why)]);
      m->trace.clear();
      const AllocOutcome o = take_with(c.gfp, c.order, c.pid);
      CHECK_FALSE(o.ok);
      CHECK(o.reason == c.why);
      CHECK(failure_text(o) == c.en);
      CHECK(!failure_text(o, Lang::zh).empty());
      const auto& ev = m->trace.events();
      auto it = std::find_if(ev.begin(), ev.end(), [&](const Event& e) { return e.code == c.code; });
      REQUIRE(it != ev.end());
      CHECK(narrate(*it, m->trace) == std::string("page allocation failure: ") + c.en);
      CHECK(narrate(*it, m->trace, Lang::zh) == "页分配失败（page allocation failure）：" + failure_text(o, Lang::zh));
    }
    CHECK(failure_text(AllocOutcome{true}).empty());
  }

  TEST_CASE("a mask that allows no zone of the zonelist fails before any watermark") {
    Machine m = tiny(64);
    m.nodes[0].zonelist_fallback = {{0, ZoneType::DMA32}};  // a zonelist without DMA
    m.trace.enable(true);
    auto o = take(m, gfp::GFP_KERNEL | gfp::DMA, 0);
    CHECK_FALSE(o.ok);
    CHECK(o.reason == AllocFailure::no_zone);
    CHECK(failure_text(o) == "no zone on node 0's zonelist is allowed by GFP_KERNEL|GFP_DMA");
    CHECK(failure_text(o, Lang::zh) == "节点 0 的备用区域列表（zonelist）中没有 GFP_KERNEL|GFP_DMA 允许使用的内存域");
    REQUIRE(m.trace.events().size() == 3);  // the phase, the failure, the end
    CHECK(typed(m.trace.events()[1]) == "alloc_fail_no_zone order=0 gfp=0xcc1 node=0");
    CHECK(to_string(m.trace.events()[1], m.trace) ==
          "  - prepare_alloc_pages: page allocation failure: no zone on node 0's zonelist is allowed by "
          "GFP_KERNEL|GFP_DMA");
  }

  TEST_CASE("orders a pcp list cannot hold go straight to and from the buddy lists") {
    Machine m = tiny(64);
    m.trace.enable(true);
    auto a = take(m, gfp::GFP_HIGHUSER_MOVABLE, 4);
    REQUIRE(a.ok);
    const std::vector<std::string> want_alloc = {
        "alloc_pages gfp=0x100cca order=4 cpu=0 node=0 pages=16",
        "alloc_prepare zone=0/0 order=4 mt=1 highest=3 alloc_flags=0x801",
        "wmark_ok_block zone=0/0 order=6 mt=1 wmark=1 free=64 unusable=15 usable=49 mark=0 reserve=0",
        "buddy_direct zone=0/0 order=4",
        "rmqueue_smallest zone=0/0 pfn=0 order=6 mt=1 req_order=4",
        "expand_split zone=0/0 pfn=32 order=5 mt=1",
        "expand_split zone=0/0 pfn=16 order=4 mt=1",
        "end buddy_direct",
        "alloc_done zone=0/0 pfn=0 order=4 pages=16",
        "end alloc_pages",
    };
    CHECK(typed_lines(m) == want_alloc);
    m.trace.clear();
    REQUIRE(free_pages(m, a.pfn, 4, 0));
    REQUIRE(m.trace.events().size() >= 3);
    CHECK(typed(m.trace.events()[1]) == "free_too_big zone=0/0 order=4");
    CHECK(to_string(m.trace.events()[1], m.trace) ==
          "  - __free_pages_ok: order 4 is too big for a pcp list: straight to the buddy");
    CHECK(lists(m) == "6: 0\n");
  }

  TEST_CASE("with two highatomic pageblocks reserved, direct reclaim gives one back") {
    // 64K pages: the reserve may grow to managed/100 + a pageblock = 1167
    // pages, two pageblocks. min is set so that an ordinary request (for
    // which the reserve is not usable) fails, an atomic one (3/8 of min) not.
    Machine m = tiny(65536);
    Zone& z = m.nodes[0].zones[0];
    z.watermark[WMARK_MIN] = 64000;
    z.watermark[WMARK_LOW] = z.watermark[WMARK_HIGH] = 70000;
    for (int i = 0; i < 4000 && z.nr_reserved_highatomic < 2 * pageblock_nr_pages; ++i)
      REQUIRE(take(m, gfp::GFP_ATOMIC, 2).ok);
    REQUIRE(z.nr_reserved_highatomic == 2 * pageblock_nr_pages);
    z.watermark[WMARK_MIN] = z.nr_free_pages + 100;  // now only the reserve's pages would do
    m.trace.enable(true);
    auto k = take(m, gfp::GFP_KERNEL | gfp::NORETRY, 0);
    CHECK_FALSE(k.ok);
    CHECK(k.reason == AllocFailure::noretry);
    CHECK(z.nr_reserved_highatomic == pageblock_nr_pages);
    const auto& ev = m.trace.events();
    auto it = std::find_if(ev.begin(), ev.end(), [](const Event& e) { return e.code == Ev::highatomic_unreserve; });
    REQUIRE(it != ev.end());
    CHECK(it->mt == static_cast<int>(idx(MigrateType::Unmovable)));
    CHECK(m.mem.block_mt(it->pfn) == MigrateType::Unmovable);
    CHECK(narrate(*it, m.trace)
              .rfind("the highatomic pageblock at pfn " + std::to_string(it->pfn) + " goes back to Unmovable (", 0) ==
          0);
  }

  TEST_CASE("should_reclaim_retry: retries while reclaim could reach min, gives up after 16 rounds without progress") {
    // A costly request (order 4, __GFP_RETRY_MAYFAIL, no kswapd) 20000 pages
    // below min with more page cache than that: each round reclaims about
    // 32 << 4 = 512 pages, the zone could meet min if all its page cache
    // went, but costly orders count every round as one without progress:
    // after 16 retries it stops.
    auto m = mmtest::boot_spec("ram=256M cpus=1");
    REQUIRE(read_file(*m, "data.bin", 150ull << 20, 0));
    for (Zone& z : m->nodes[0].zones) {
      if (!z.populated()) continue;
      z.watermark[WMARK_MIN] = z.nr_free_pages + 20000;
      z.watermark[WMARK_LOW] = z.watermark[WMARK_HIGH] = z.watermark[WMARK_MIN] + 1000;
    }
    m->trace.enable(true);
    AllocRequest r;
    r.gfp = (gfp::GFP_KERNEL & ~gfp::KSWAPD_RECLAIM) | gfp::RETRY_MAYFAIL;
    r.order = 4;
    auto o = alloc_pages(*m, r);
    REQUIRE(o);
    CHECK_FALSE(o->ok);
    CHECK(o->reason == AllocFailure::oom_costly);
    int retries = 0;
    const Event* give_up = nullptr;
    for (const Event& e : m->trace.events()) {
      if (e.code == Ev::reclaim_retry) {
        ++retries;
        CHECK(e.get(Arg::usable) > e.get(Arg::mark) + e.get(Arg::reserve));
        CHECK(e.get(Arg::free) < e.get(Arg::mark));  // free alone would not do
      }
      if (e.code == Ev::reclaim_give_up) give_up = &e;
    }
    CHECK(retries == 16);
    REQUIRE(give_up);
    CHECK(give_up->get(Arg::count) == 17);
    CHECK(narrate(*give_up, m->trace) == "17 rounds without progress: give up (last, unreserve highatomic)");
  }

  TEST_CASE("the OOM killer may choose the allocating task itself") {
    auto m = mmtest::boot_spec("ram=256M cpus=1");
    SpawnRequest hog;
    hog.name = "hog";
    hog.anon = 180ull << 20;
    hog.oom_score_adj = -1000;
    REQUIRE(spawn(*m, hog));
    for (;;) {
      AllocRequest r;
      r.gfp = gfp::GFP_KERNEL | gfp::NORETRY | gfp::NOWARN;
      auto o = alloc_pages(*m, r);
      REQUIRE(o);
      if (!o->ok) break;
    }
    m->trace.enable(true);
    SpawnRequest victim;
    victim.name = "victim";
    victim.anon = 8ull << 20;
    victim.oom_score_adj = 1000;
    (void)spawn(*m, victim);
    CHECK_FALSE(find_task(*m, "victim"));
    const auto& ev = m->trace.events();
    auto it = std::find_if(ev.begin(), ev.end(), [](const Event& e) { return e.code == Ev::alloc_fail_oom_victim; });
    REQUIRE(it != ev.end());
    CHECK(narrate(*it, m->trace) == "page allocation failure: the allocating task was chosen by the OOM killer");
  }
}
