// Property: a session fed random statements, many of them hostile, with
// undo and redo mixed in, never sees a broken invariant, and a refused
// statement changes nothing. The driver is fuzz/hostile_steps.h (shared
// with the libFuzzer target fuzz_steps); here its choices come from a
// seeded RNG.
//
// The suite runs MM_HOSTILE_STEPS statements (default 1500; MM_HOSTILE_SEED
// picks another sequence); the benchmark
// run is `MM_HOSTILE_STEPS=1000000 build/asan/engine_tests -tc='hostile*'`
// (scripts/hostile.sh, figures in docs/performance.md).
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <string>

#include "../../fuzz/hostile_steps.h"

using namespace mm;

namespace {

std::size_t steps_wanted() {
  const char* env = std::getenv("MM_HOSTILE_STEPS");
  if (!env || !*env) return 1500;
  const long long n = std::atoll(env);
  return n > 0 ? static_cast<std::size_t>(n) : 1500;
}

struct RngPick {
  std::mt19937_64 rng;
  std::size_t operator()(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); }
};

}  // namespace

TEST_SUITE("hostile") {
  TEST_CASE("hostile statements and undo/redo never break an invariant; a refused statement changes nothing") {
    const std::size_t steps = steps_wanted();
    const char* seed = std::getenv("MM_HOSTILE_SEED");
    RngPick pick{std::mt19937_64(seed && *seed ? std::strtoull(seed, nullptr, 10) : 20261202)};
    Playground pg;
    // A bounded history keeps a long run's memory flat.
    pg.set_history_budget(std::size_t{32} << 20);
    REQUIRE(pg.boot_shorthand(mm_fuzz::kHostileMachine, "<machine>"));
    mm_fuzz::HostileTally t;
    std::string last;
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < steps; ++i) {
      const std::string v = mm_fuzz::hostile_step(pg, pick, t, last);
      if (!v.empty()) {
        FAIL_CHECK("step " << i << (last.empty() ? std::string() : " (" + last + ")") << ": " << v);
        break;
      }
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    MESSAGE(steps << " steps in " << s << " s: " << t.ran << " ran, " << t.refused << " refused, " << t.undos
                  << " undos, " << t.redos << " redos, " << t.boots << " boots");
    CHECK(t.refused > steps / 10);  // the driver is hostile enough to matter
    CHECK(t.ran > steps / 5);
  }
}
