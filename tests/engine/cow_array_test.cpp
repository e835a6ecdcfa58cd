// CowArray: copies share chunks until one writes; a write never reaches a copy.
#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "mm/core/cow_array.h"

using mm::CowArray;

TEST_SUITE("cow array") {
  TEST_CASE("a copy shares every chunk until one side writes, and then only that chunk is cloned") {
    CowArray<std::uint32_t, 4> a(100, 7);  // chunks of 16: 7 chunks
    REQUIRE(a.chunk_count() == 7);
    CowArray<std::uint32_t, 4> b = a;
    for (std::size_t c = 0; c < 7; ++c) CHECK(a.shares_chunk(b, c));
    b.set(20, 1);  // chunk 1
    CHECK(a[20] == 7);
    CHECK(b[20] == 1);
    CHECK(!a.shares_chunk(b, 1));
    for (std::size_t c : {0u, 2u, 3u, 4u, 5u, 6u}) CHECK(a.shares_chunk(b, c));
    // Writing the original now clones nothing of b's.
    a.set(21, 9);
    CHECK(b[21] == 7);
    CHECK(a[21] == 9);
  }

  TEST_CASE("memory shares add up to the storage that exists") {
    using A = CowArray<std::uint8_t, 4>;
    A a(64, 0);  // 4 chunks, all one pattern: only a directory is stored
    CHECK(a.materialised_chunks() == 0);
    std::vector<A> copies(3, a);
    double total = a.bytes_share();
    for (auto& c : copies) total += c.bytes_share();
    CHECK(total == doctest::Approx(static_cast<double>(A::dir_bytes())).epsilon(0.01));
    copies[0].set(1, 1);  // clones the directory and materialises one chunk
    CHECK(copies[0].materialised_chunks() == 1);
    CHECK(a.materialised_chunks() == 0);
    total = a.bytes_share();
    for (auto& c : copies) total += c.bytes_share();
    CHECK(total == doctest::Approx(static_cast<double>(2 * A::dir_bytes() + A::chunk_bytes())).epsilon(0.01));
  }

  TEST_CASE("patterns: a chunk's head and tails cost nothing until a tail differs") {
    CowArray<std::uint32_t, 4> a(64, 0xffffffffu);  // chunks of 16
    a.fill_head(16, 48, 3, 4);                      // a 32-value block at 16: head 3, tails 4
    CHECK(a.materialised_chunks() == 0);
    CHECK(a[16] == 3);
    CHECK(a[17] == 4);
    CHECK(a[32] == 4);
    CHECK(a[47] == 4);
    CHECK(a[48] == 0xffffffffu);
    a.set(16, 9);  // the head of a pattern: still a pattern
    a.set(40, 4);  // what the pattern already holds
    a.set(0, 0xffffffffu);
    CHECK(a.materialised_chunks() == 0);
    a.set(20, 5);  // a tail that differs
    CHECK(a.materialised_chunks() == 1);
    CHECK(a[20] == 5);
    CHECK(a[21] == 4);
    CHECK(a[16] == 9);
    // Filling the whole chunk again makes it a pattern.
    a.fill(16, 32, 7);
    CHECK(a.materialised_chunks() == 0);
    CHECK(a[16] == 7);
    CHECK(a[31] == 7);
    // A fill that starts inside a chunk materialises it only if it changes it.
    a.fill(18, 30, 7);
    CHECK(a.materialised_chunks() == 0);
    a.fill(18, 30, 8);
    CHECK(a.materialised_chunks() == 1);
    CHECK(a[17] == 7);
    CHECK(a[18] == 8);
    CHECK(a[30] == 7);
  }

  TEST_CASE("for_each_not visits every value that differs and skips untouched chunks") {
    CowArray<std::uint8_t, 4> a(100, 0);
    a.set(33, 1);
    a.fill_head(64, 80, 2, 0);
    std::vector<std::size_t> seen;
    a.for_each_not(0, [&](std::size_t lo, std::size_t hi) {
      for (std::size_t i = lo; i < hi; ++i)
        if (a[i] != 0) seen.push_back(i);
    });
    CHECK(seen == std::vector<std::size_t>{33, 64});
    std::size_t runs = 0;
    a.for_each_not(0, [&](std::size_t, std::size_t) { ++runs; });
    CHECK(runs == 2);  // chunk 2 (materialised) and chunk 4's head
  }

  TEST_CASE("a large array costs its directories, not its size") {
    CowArray<std::uint32_t> a(std::size_t{1} << 29, 0);  // 2 TiB of frames
    CHECK(a.materialised_chunks() == 0);
    CHECK(a.bytes_share() < 10.0 * (1 << 20));
    a.set(12345678, 1);
    CHECK(a.materialised_chunks() == 1);
    CowArray<std::uint32_t> b = a;
    b.set(12345679, 2);
    CHECK(a[12345679] == 0);
    CHECK(b[12345678] == 1);
  }

  TEST_CASE("random writes to many copies never leak between them") {
    std::mt19937 rng(5);
    std::vector<CowArray<std::uint16_t, 5>> arrays;
    std::vector<std::vector<std::uint16_t>> model;
    arrays.emplace_back(1000, 0);
    model.emplace_back(1000, 0);
    for (int step = 0; step < 3000; ++step) {
      const std::size_t k = rng() % arrays.size();
      switch (rng() % 5) {
        case 0:
          if (arrays.size() < 12) {
            arrays.push_back(arrays[k]);
            model.push_back(model[k]);
          }
          break;
        case 1: {
          const std::size_t j = rng() % arrays.size();
          arrays[k] = arrays[j];
          model[k] = model[j];
          break;
        }
        case 2: {
          const std::size_t from = rng() % 1000, to = from + rng() % (1000 - from + 1);
          const auto v = static_cast<std::uint16_t>(rng() % 4);
          arrays[k].fill(from, to, v);
          for (std::size_t i = from; i < to; ++i) model[k][i] = v;
          break;
        }
        case 3: {
          // Blocks as the buddy allocator marks them: aligned, head and tails.
          const std::size_t len = std::size_t{1} << (rng() % 8), from = (rng() % (1000 / len)) * len;
          const auto h = static_cast<std::uint16_t>(rng() % 4), t = static_cast<std::uint16_t>(rng() % 4);
          arrays[k].fill_head(from, from + len, h, t);
          if (len) model[k][from] = h;
          for (std::size_t i = from + 1; i < from + len; ++i) model[k][i] = t;
          break;
        }
        default: {
          const std::size_t i = rng() % 1000;
          const auto v = static_cast<std::uint16_t>(rng() % 4);
          arrays[k].set(i, v);
          model[k][i] = v;
        }
      }
    }
    for (std::size_t k = 0; k < arrays.size(); ++k) {
      CHECK(arrays[k].to_vector() == model[k]);
      for (std::size_t i = 0; i < 1000; ++i) REQUIRE(arrays[k][i] == model[k][i]);
      for (std::size_t j = 0; j < arrays.size(); ++j) CHECK((arrays[k] == arrays[j]) == (model[k] == model[j]));
    }
  }

  TEST_CASE("moves leave the source empty; self-assignment is harmless") {
    CowArray<int, 3> a(20, 3);
    CowArray<int, 3> b = std::move(a);
    CHECK(a.size() == 0);
    CHECK(b.size() == 20);
    const CowArray<int, 3>& alias = b;
    b = alias;
    CHECK(b[19] == 3);
  }
}
