// memblock, as specifications. Pictures use one character per 4 KiB page
// from address 0: '#' memory, 'r' reserved memory, '.' nothing.
#include <doctest/doctest.h>

#include "mm/boot/memblock.h"
#include "test_util.h"
#include "text/format/narration.h"

using mm::Memblock;
using mm::MemblockRegion;

namespace {
constexpr mm::Phys P = mm::PAGE_SIZE;

std::vector<std::pair<mm::Phys, mm::Phys>> spans(const mm::MemblockType& t) {
  std::vector<std::pair<mm::Phys, mm::Phys>> v;
  for (const MemblockRegion& r : t.regions) v.push_back({r.base / P, r.end() / P});
  return v;
}

// Renders pages [0, n) as the pictures in the comments.
std::string picture(const Memblock& mb, unsigned n) {
  std::string s;
  for (unsigned p = 0; p < n; ++p) {
    bool mem = mb.memory.overlaps(p * P, P), res = mb.reserved.overlaps(p * P, P);
    s += res ? 'r' : mem ? '#' : '.';
  }
  return s;
}
}  // namespace

TEST_SUITE("memblock") {
  TEST_CASE("memblock_add merges touching regions of the same node") {
    // add [1,4) then [4,6): one region [1,6)
    //   .#####..
    Memblock mb;
    mb.add(1 * P, 3 * P, 0, nullptr);
    mb.add(4 * P, 2 * P, 0, nullptr);
    CHECK(spans(mb.memory) == std::vector<std::pair<mm::Phys, mm::Phys>>{{1, 6}});
    CHECK(picture(mb, 8) == ".#####..");
    CHECK(mb.memory.total_size == 5 * P);
    CHECK(mb.check().empty());
  }

  TEST_CASE("memblock_add keeps regions of different nodes apart") {
    Memblock mb;
    mb.add(0, 4 * P, 0, nullptr);
    mb.add(4 * P, 4 * P, 1, nullptr);
    CHECK(mb.memory.regions.size() == 2);
    CHECK(mb.check().empty());
  }

  TEST_CASE("memblock_add of an overlapping range only adds the uncovered parts") {
    // [2,4) and [6,8) exist; add [0,10): pieces [0,2) [4,6) [8,10) fill in,
    // and everything merges into [0,10).
    Memblock mb;
    mb.add(2 * P, 2 * P, 0, nullptr);
    mb.add(6 * P, 2 * P, 0, nullptr);
    mb.add(0, 10 * P, 0, nullptr);
    CHECK(spans(mb.memory) == std::vector<std::pair<mm::Phys, mm::Phys>>{{0, 10}});
    CHECK(mb.memory.total_size == 10 * P);
  }

  TEST_CASE("memblock_reserve and memblock_phys_free split and join") {
    //   memory   ##########
    //   reserve    rrrr        [2,6)
    //   free         rr        [4,6) given back
    //   result   ##rr######
    Memblock mb;
    mb.add(0, 10 * P, 0, nullptr);
    mb.reserve(2 * P, 4 * P, nullptr);
    CHECK(picture(mb, 10) == "##rrrr####");
    mb.phys_free(4 * P, 2 * P, nullptr);
    CHECK(picture(mb, 10) == "##rr######");
    CHECK(spans(mb.reserved) == std::vector<std::pair<mm::Phys, mm::Phys>>{{2, 4}});
    // Freeing the middle of a reservation splits it in two.
    mb.reserve(0, 10 * P, nullptr);
    mb.phys_free(3 * P, 2 * P, nullptr);
    CHECK(picture(mb, 10) == "rrr##rrrrr");
    CHECK(mb.reserved.regions.size() == 2);
    CHECK(mb.check().empty());
  }

  TEST_CASE("memblock_remove takes memory away") {
    Memblock mb;
    mb.add(0, 8 * P, 0, nullptr);
    mb.remove(2 * P, 2 * P, nullptr);
    CHECK(picture(mb, 8) == "##..####");
    CHECK(mb.memory.total_size == 6 * P);
  }

  TEST_CASE("free ranges are memory minus reserved, per node") {
    //   node 0: ####  node 1: ####
    //   reserved    rr
    Memblock mb;
    mb.add(0, 4 * P, 0, nullptr);
    mb.add(4 * P, 4 * P, 1, nullptr);
    mb.reserve(3 * P, 2 * P, nullptr);
    auto all = mb.free_ranges();
    REQUIRE(all.size() == 2);
    CHECK(all[0].start == 0);
    CHECK(all[0].end == 3 * P);
    CHECK(all[1].start == 5 * P);
    CHECK(all[1].nid == 1);
    auto n1 = mb.free_ranges(1);
    REQUIRE(n1.size() == 1);
    CHECK(n1[0].start == 5 * P);
  }

  TEST_CASE("top-down allocation takes the highest fitting range, aligned down") {
    //   memory  ################   [0,16)
    //   reserved            rrrr   [12,16)
    //   alloc 2 pages -> [10,12)
    Memblock mb;
    mb.add(0, 16 * P, 0, nullptr);
    mb.reserve(12 * P, 4 * P, nullptr);
    mb.current_limit = mm::MEMBLOCK_ALLOC_ANYWHERE;
    mm::Phys a = mb.alloc_range_nid(2 * P, P, 0, 16 * P, mm::NUMA_NO_NODE, false, nullptr);
    CHECK(a == 10 * P);
    // A 4-page aligned request of 3 pages rounds down to a multiple of 4.
    mm::Phys b = mb.alloc_range_nid(3 * P, 4 * P, 0, 16 * P, mm::NUMA_NO_NODE, false, nullptr);
    CHECK(b == 4 * P);
    CHECK(picture(mb, 16) == "####rrr###rrrrrr");
  }

  TEST_CASE("the first page is never handed out") {
    Memblock mb;
    mb.add(0, 4 * P, 0, nullptr);
    mb.reserve(1 * P, 3 * P, nullptr);
    CHECK(mb.alloc_range_nid(P, P, 0, 4 * P, mm::NUMA_NO_NODE, false, nullptr) == 0);
  }

  TEST_CASE("bottom-up allocation takes the lowest fitting range") {
    Memblock mb;
    mb.bottom_up = true;
    mb.add(0, 16 * P, 0, nullptr);
    mb.reserve(1 * P, 2 * P, nullptr);
    CHECK(mb.alloc_range_nid(2 * P, P, 0, 16 * P, mm::NUMA_NO_NODE, false, nullptr) == 3 * P);
  }

  TEST_CASE("a node-bound allocation falls back to any node unless exact") {
    Memblock mb;
    mb.add(0, 8 * P, 0, nullptr);
    mb.add(8 * P, 2 * P, 1, nullptr);
    mb.reserve(8 * P, 2 * P, nullptr);  // node 1 is full
    CHECK(mb.alloc_range_nid(P, P, 0, 16 * P, 1, true, nullptr) == 0);
    CHECK(mb.alloc_range_nid(P, P, 0, 16 * P, 1, false, nullptr) == 7 * P);
  }

  TEST_CASE("alloc_try_nid caps at current_limit and retries without the lower bound") {
    Memblock mb;
    mb.add(0, 16 * P, 0, nullptr);
    mb.current_limit = 8 * P;
    // min_addr above everything below the limit: the retry from 0 succeeds.
    CHECK(mb.alloc_try_nid(P, P, 10 * P, 0, mm::NUMA_NO_NODE, false, nullptr) == 7 * P);
  }

  TEST_CASE("trim shrinks regions to whole pages and leaves total_size alone") {
    // The kernel's first dump shows memory size 0x3ff7ec00: e820's usable end
    // 0x9fbff is not page aligned, and trimming does not update total_size.
    Memblock mb;
    mb.add(0x1000, 0x9fc00 - 0x1000, mm::MEMBLOCK_NO_NODE, nullptr);
    mb.trim_memory(P);
    CHECK(mb.memory.regions[0].end() == 0x9f000);
    CHECK(mb.memory.total_size == 0x9ec00);
  }

  TEST_CASE("the dump reads like the kernel's MEMBLOCK configuration") {
    Memblock mb;
    mb.add(0x1000, 0x9e000, 0, nullptr);
    mb.reserve(0, 0x10000, nullptr);
    auto d = mb.dump();
    REQUIRE(d.size() == 6);
    CHECK(d[0] == "MEMBLOCK configuration:");
    CHECK(d[1] == " memory size = 0x000000000009e000 reserved size = 0x0000000000010000");
    CHECK(d[2] == " memory.cnt  = 0x1");
    CHECK(d[3] ==
          " memory[0x0]\t[0x0000000000001000-0x000000000009efff], 0x000000000009e000 bytes on node 0 flags: 0x0");
    CHECK(d[5] == " reserved[0x0]\t[0x0000000000000000-0x000000000000ffff], 0x0000000000010000 bytes flags: 0x0");
  }

  TEST_CASE("operations emit events named after the kernel functions") {
    mm::Trace t;
    t.enable(true);
    Memblock mb;
    mb.add(0, 4 * P, 0, &t, "e820__memblock_setup+0x65/0x7d");
    mb.reserve(P, P, &t, "setup_arch");
    mb.phys_free(P, P, &t);
    mb.remove(3 * P, P, &t);
    REQUIRE(t.events().size() == 4);
    const mm::Event& add = t.events()[0];
    CHECK(add.code == mm::Ev::memblock_add);
    CHECK(add.function() == "memblock_add");
    CHECK(add.get(mm::Arg::base) == 0);
    CHECK(add.get(mm::Arg::size) == static_cast<std::int64_t>(4 * P));
    CHECK(mm::to_string(add, t) ==
          "- memblock_add: [0x0000000000000000-0x0000000000003fff] e820__memblock_setup+0x65/0x7d");
    const mm::Event& res = t.events()[1];
    CHECK(res.code == mm::Ev::memblock_reserve);
    CHECK(res.get(mm::Arg::base) == static_cast<std::int64_t>(P));
    CHECK(res.get(mm::Arg::size) == static_cast<std::int64_t>(P));
    CHECK(res.get(mm::Arg::last) == static_cast<std::int64_t>(2 * P - 1));
    CHECK(t.string_at(static_cast<size_t>(res.get(mm::Arg::caller))) == "setup_arch");
    CHECK(t.events()[2].code == mm::Ev::memblock_phys_free);
    CHECK(t.events()[3].code == mm::Ev::memblock_remove);
    // No caller: the Chinese leaves the caller out rather than naming nobody.
    CHECK(mm::narrate(t.events()[2], t, mm::Lang::zh).find("调用者") == std::string::npos);
    CHECK(mm::narrate(res, t, mm::Lang::zh).find("（调用者 setup_arch）") != std::string::npos);
  }

  TEST_CASE("an event describes the regions as they are after the step") {
    // The page shows the state right after event k next to event k: the
    // reserve's event is recorded once memblock.reserved holds the range.
    Memblock mb;
    mm::Trace t;
    t.enable(true);
    struct Seen : mm::TraceObserver {
      const Memblock* mb;
      std::vector<size_t> reserved_before;
      void on_record(const mm::Trace&, std::size_t) override { reserved_before.push_back(mb->reserved.regions.size()); }
    } seen;
    seen.mb = &mb;
    t.set_observer(&seen);
    mb.add(0, 8 * P, 0, &t);
    mb.reserve(2 * P, P, &t);
    mb.trim_memory(P, &t);
    mb.set_node(0, 8 * P, 1, &t);
    REQUIRE(seen.reserved_before.size() == 4);
    CHECK(seen.reserved_before[1] == 1);  // the reserve happened before its event
    CHECK(t.events()[2].code == mm::Ev::memblock_trim_memory);
    CHECK(t.events()[3].code == mm::Ev::memblock_set_node);
    CHECK(t.events()[3].node == 1);
    CHECK(mb.memory.regions[0].nid == 1);
  }
}
