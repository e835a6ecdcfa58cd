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

  TEST_CASE("memory shares add up to the chunks that exist") {
    CowArray<std::uint8_t, 4> a(64, 0);                                  // 4 chunks
    const double one = static_cast<double>(sizeof(std::uint32_t) + 16);  // a chunk with its count
    std::vector<CowArray<std::uint8_t, 4>> copies(3, a);
    double total = a.bytes_share();
    for (auto& c : copies) total += c.bytes_share();
    CHECK(total == doctest::Approx(4 * one).epsilon(0.01));
    copies[0].set(0, 1);
    total = a.bytes_share();
    for (auto& c : copies) total += c.bytes_share();
    CHECK(total == doctest::Approx(5 * one).epsilon(0.01));
  }

  TEST_CASE("random writes to many copies never leak between them") {
    std::mt19937 rng(5);
    std::vector<CowArray<std::uint16_t, 5>> arrays;
    std::vector<std::vector<std::uint16_t>> model;
    arrays.emplace_back(1000, 0);
    model.emplace_back(1000, 0);
    for (int step = 0; step < 3000; ++step) {
      const std::size_t k = rng() % arrays.size();
      switch (rng() % 4) {
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
          const auto v = static_cast<std::uint16_t>(rng());
          arrays[k].fill(from, to, v);
          for (std::size_t i = from; i < to; ++i) model[k][i] = v;
          break;
        }
        default: {
          const std::size_t i = rng() % 1000;
          const auto v = static_cast<std::uint16_t>(rng());
          arrays[k].set(i, v);
          model[k][i] = v;
        }
      }
    }
    for (std::size_t k = 0; k < arrays.size(); ++k) CHECK(arrays[k].to_vector() == model[k]);
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
