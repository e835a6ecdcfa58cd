// The buddy allocator's core, as specifications on tiny machines.
// Free lists are drawn as "order: pfn pfn ..." lines (Movable lists).
#include <doctest/doctest.h>

#include "mm/page_alloc/page_alloc.h"
#include "test_util.h"

using namespace mm;

namespace {

Machine tiny_machine(Pfn pages) { return mmtest::tiny_machine(pages); }

std::string lists(const Machine& m, MigrateType mt = MigrateType::Movable, int zone = 0, int node = 0) {
  return mmtest::free_lists(m, mt, zone, node);
}

void check(const Machine& m) {
  auto v = check_invariants(m);
  INFO((v.empty() ? "" : v.front()));
  CHECK(v.empty());
}

}  // namespace

TEST_SUITE("buddy") {
  TEST_CASE("memblock_free_all picks min(MAX_ORDER-1, __ffs(pfn)) and shrinks at the range end") {
    // pfn:   1  2  3  4  5  6  7  8  9 10 11 12 13
    // order: 0  1  0  2  0  1  0  3  0  1  0  2  0   (for a long range)
    const unsigned expect[] = {0, 0, 1, 0, 2, 0, 1, 0, 3, 0, 1, 0, 2, 0};
    for (Pfn p = 1; p <= 13; ++p) CHECK(free_pages_memory_blocks(p, 1 << 20).front().second == expect[p]);
    // The range [1, 14): 1(0) 2(1) 4(2) 8(2, not 3: 8+8 > 14) 12(1).
    auto b = free_pages_memory_blocks(1, 14);
    std::vector<std::pair<Pfn, Order>> want = {{1, 0}, {2, 1}, {4, 2}, {8, 2}, {12, 1}};
    CHECK(b == want);
    // Big aligned ranges come in MAX_ORDER-1 blocks.
    CHECK(free_pages_memory_blocks(4096, 8192).size() == 4);
    CHECK(free_pages_memory_blocks(4096, 8192).front().second == MAX_ORDER - 1);
  }

  TEST_CASE("the buddy of pfn 8 at order 1 is pfn 10; freeing both gives order 2 at pfn 8") {
    CHECK(find_buddy_pfn(8, 1) == 10);
    CHECK(find_buddy_pfn(10, 1) == 8);
    CHECK(find_buddy_pfn(8, 2) == 12);
    Machine m = tiny_machine(16);
    free_pages_core(m, 8, 1);
    CHECK(lists(m) == "1: 8\n");
    check(m);
    free_pages_core(m, 10, 1);
    // 8+10 merge into order 2 at 8; its buddy 12 is not free, so it stops.
    CHECK(lists(m) == "2: 8\n");
    CHECK(m.nodes[0].zones[0].managed_pages == 4);
    CHECK(m.nodes[0].zones[0].nr_free_pages == 4);
    check(m);
  }

  TEST_CASE("merging climbs as long as buddies are free") {
    Machine m = tiny_machine(16);
    for (Pfn p : {1, 2, 3, 0}) free_pages_core(m, p, 0);
    CHECK(lists(m) == "2: 0\n");
    for (Pfn p = 4; p < 16; ++p) free_pages_core(m, p, 0);
    CHECK(lists(m) == "4: 0\n");
    check(m);
  }

  TEST_CASE("merging stops at MAX_ORDER-1") {
    Machine m = tiny_machine(2 * MAX_ORDER_NR_PAGES);
    free_pages_core(m, 0, MAX_ORDER - 1);
    free_pages_core(m, MAX_ORDER_NR_PAGES, MAX_ORDER - 1);
    CHECK(lists(m) == "10: 0 1024\n");
    check(m);
  }

  TEST_CASE("__rmqueue_smallest splits with expand: upper halves go back") {
    //   free: order 3 at 0 (pfns 0-7)
    //   alloc order 0 -> takes pfn 0; 4(order 2), 2(order 1), 1(order 0) are free
    Machine m = tiny_machine(8);
    free_pages_core(m, 0, 3);
    Zone& z = m.nodes[0].zones[0];
    m.trace.enable(true);
    auto p = rmqueue_smallest(m, z, 0, MigrateType::Movable);
    REQUIRE(p);
    CHECK(*p == 0);
    prep_new_page(m, *p, 0, Owner::Kernel);
    CHECK(lists(m) == "0: 1\n1: 2\n2: 4\n");
    // The events: one take, three splits, each naming the kernel function.
    std::vector<std::string> fns;
    for (const Event& e : m.trace.events()) fns.push_back(std::string(e.function()));
    CHECK(fns == std::vector<std::string>{"__rmqueue_smallest", "expand", "expand", "expand"});
    CHECK(m.trace.events()[1].pfn == 4);
    CHECK(m.trace.events()[1].order == 2);
    CHECK(z.nr_free_pages == 7);
    check(m);
  }

  TEST_CASE("a request no list can meet returns nothing") {
    Machine m = tiny_machine(8);
    free_pages_core(m, 0, 1);
    Zone& z = m.nodes[0].zones[0];
    CHECK_FALSE(rmqueue_smallest(m, z, 2, MigrateType::Movable));
    CHECK_FALSE(rmqueue_smallest(m, z, 0, MigrateType::Unmovable));
  }

  TEST_CASE("an unmovable request falls back to movable and claims a whole pageblock") {
    // Two pageblocks of movable free memory; an order-0 unmovable request
    // takes the largest movable block (order 10 covers both pageblocks),
    // whose size is >= pageblock_order, so every pageblock in it changes
    // type to Unmovable.
    Machine m = tiny_machine(MAX_ORDER_NR_PAGES);
    free_pages_core(m, 0, MAX_ORDER - 1);
    Zone& z = m.nodes[0].zones[0];
    auto p = rmqueue(m, z, 0, MigrateType::Unmovable);
    REQUIRE(p);
    prep_new_page(m, *p, 0, Owner::Kernel);
    CHECK(m.mem.block_mt(0) == MigrateType::Unmovable);
    CHECK(m.mem.block_mt(pageblock_nr_pages) == MigrateType::Unmovable);
    CHECK(lists(m, MigrateType::Movable).empty());
    CHECK_FALSE(lists(m, MigrateType::Unmovable).empty());
    check(m);
  }

  TEST_CASE("freed pages go to the tail when a bigger merge is likely") {
    // 0-1 free (order 1); free 3: its buddy 2 is busy, but the order-1 buddy
    // of 2-3 (pfn 0) is free, so 3 goes to the tail of the order-0 list.
    Machine m = tiny_machine(16);
    free_pages_core(m, 0, 1);
    free_pages_core(m, 8, 0);
    Zone& z = m.nodes[0].zones[0];
    z.managed_pages += 1;
    free_one_page(m, z, 3, 0, MigrateType::Movable, FPI_NONE);
    CHECK(lists(m) == "0: 8 3\n1: 0\n");
    // Without a likely merge the block goes to the head.
    z.managed_pages += 1;
    free_one_page(m, z, 13, 0, MigrateType::Movable, FPI_NONE);
    CHECK(lists(m) == "0: 13 8 3\n1: 0\n");
    check(m);
  }

  TEST_CASE("the invariant checker catches a corrupted list") {
    Machine m = tiny_machine(8);
    free_pages_core(m, 0, 3);
    CHECK(check_invariants(m).empty());
    m.nodes[0].zones[0].free_area[3].nr_free = 2;  // lie about the count
    CHECK_FALSE(check_invariants(m).empty());
  }
}
