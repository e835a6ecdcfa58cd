// Stepping back through operations: undo to the origin gives the state of
// the start, bit for bit; redo replays forward to the same end state.
#include <doctest/doctest.h>

#include "mm/playground.h"
#include "mm/proc.h"
#include "mm/slub.h"
#include "mm/task.h"
#include "test_util.h"

using namespace mm;

namespace {

// Every piece of machine state the engine keeps, compared exactly.
void require_same(const Machine& a, const Machine& b) {
  REQUIRE(a.mem.state == b.mem.state);
  REQUIRE(a.mem.order == b.mem.order);
  REQUIRE(a.mem.owner == b.mem.owner);
  REQUIRE(a.mem.next == b.mem.next);
  REQUIRE(a.mem.prev == b.mem.prev);
  REQUIRE(a.mem.pageblock_mt == b.mem.pageblock_mt);
  REQUIRE(a.mem.pflags == b.mem.pflags);
  REQUIRE(a.mem.owner_id == b.mem.owner_id);
  REQUIRE(a.mem.mapper == b.mem.mapper);
  REQUIRE(a.memblock.memory.regions == b.memblock.memory.regions);
  REQUIRE(a.memblock.reserved.regions == b.memblock.reserved.regions);
  REQUIRE(a.nodes.size() == b.nodes.size());
  for (size_t n = 0; n < a.nodes.size(); ++n)
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
      const Zone& x = a.nodes[n].zones[z];
      const Zone& y = b.nodes[n].zones[z];
      REQUIRE(x.managed_pages == y.managed_pages);
      REQUIRE(x.nr_free_pages == y.nr_free_pages);
      REQUIRE(x.watermark == y.watermark);
      REQUIRE(x.watermark_boost == y.watermark_boost);
      REQUIRE(x.nr_reserved_highatomic == y.nr_reserved_highatomic);
      REQUIRE(x.numa_events == y.numa_events);
      for (unsigned o = 0; o < MAX_ORDER; ++o)
        for (unsigned t = 0; t < MIGRATE_TYPES; ++t) {
          REQUIRE(x.free_area[o].free_list[t].head == y.free_area[o].free_list[t].head);
          REQUIRE(x.free_area[o].free_list[t].count == y.free_area[o].free_list[t].count);
        }
      REQUIRE(x.pcp.size() == y.pcp.size());
      for (size_t c = 0; c < x.pcp.size(); ++c) {
        REQUIRE(x.pcp[c].count == y.pcp[c].count);
        REQUIRE(x.pcp[c].free_factor == y.pcp[c].free_factor);
        for (unsigned l = 0; l < NR_PCP_LISTS; ++l) REQUIRE(x.pcp[c].lists[l].head == y.pcp[c].lists[l].head);
      }
    }
  REQUIRE(a.totalram_pages == b.totalram_pages);
  REQUIRE(a.min_free_kbytes == b.min_free_kbytes);
  REQUIRE(a.log == b.log);
  REQUIRE(static_cast<bool>(a.pressure) == static_cast<bool>(b.pressure));
  REQUIRE(proc_slabinfo(a) == proc_slabinfo(b));
  REQUIRE(proc_tasks(a) == proc_tasks(b));
  REQUIRE(proc_meminfo(a) == proc_meminfo(b));
}

}  // namespace

TEST_SUITE("undo") {
  TEST_CASE("undo to the origin restores the start bit for bit; redo returns to the end") {
    Playground pg;
    REQUIRE(pg.boot_shorthand("ram=256M cpus=2", "<machine>"));
    const Machine origin = *pg.machine();  // a deep copy
    // A mixed session: pages, slab objects, tasks under pressure, drains.
    AllocRequest r;
    r.order = 3;
    auto a = pg.alloc_pages(r);
    REQUIRE(a);
    REQUIRE(a->ok);
    REQUIRE(pg.kmalloc(100));
    auto sc = pg.run_scenario("spawn A anon=60M adj=500\nspawn B anon=60M\nspawn T anon=1G\nexpect oom_kills >= 1\n", "s.mm");
    REQUIRE(sc);
    CHECK(sc->ok());
    REQUIRE(pg.free_block(a->pfn, 0));
    REQUIRE(pg.drain(-1));
    const Machine end = *pg.machine();
    CHECK(pg.undo_depth() == 6);  // boot, alloc, kmalloc, scenario, free, drain
    CHECK(pg.history().back() == "drain_all_pages");
    // Each step back passes the invariants; the fifth lands on the origin.
    for (int i = 0; i < 5; ++i) {
      REQUIRE(pg.undo());
      CHECK(pg.check().empty());
    }
    require_same(*pg.machine(), origin);
    // One more undo goes to "no machine"; the original boot comes back by redo.
    REQUIRE(pg.undo());
    CHECK_FALSE(pg.booted());
    CHECK_FALSE(pg.undo());
    for (int i = 0; i < 6; ++i) REQUIRE(pg.redo());
    CHECK_FALSE(pg.redo());
    require_same(*pg.machine(), end);
  }

  TEST_CASE("snapshots are independent copies, and a failed operation leaves no step") {
    Playground pg;
    REQUIRE(pg.boot_shorthand("ram=256M cpus=1", "<machine>"));
    const std::size_t depth = pg.undo_depth();
    CHECK_FALSE(pg.free_pages(12345, 0));  // not an allocation: refused, nothing recorded
    CHECK_FALSE(pg.boot_shorthand("ram=1Q", "<machine>"));
    CHECK(pg.undo_depth() == depth);
    Machine copy = *pg.machine();
    REQUIRE(pg.run_scenario("spawn X anon=20M\n", "s.mm"));
    CHECK(find_task(*pg.machine(), "X") != nullptr);
    CHECK(find_task(copy, "X") == nullptr);  // the copy did not see the task: deep, not shared
    REQUIRE(pg.undo());
    require_same(*pg.machine(), copy);
  }
}
