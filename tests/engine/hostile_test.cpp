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
#include <deque>
#include <random>
#include <string>

#include "../../fuzz/hostile_steps.h"
#include "mm/core/machine.h"
#include "session/scenario.h"

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
    std::deque<std::string> recent;  // the statements before a failure, to reproduce it by hand
    const auto t0 = std::chrono::steady_clock::now();
    std::size_t done = 0;
    for (std::size_t i = 0; i < steps; ++i, ++done) {
      const mm_fuzz::HostileTally before = t;
      const std::string v = mm_fuzz::hostile_step(pg, pick, t, last);
      const char* kind = t.undos != before.undos   ? "undo"
                         : t.redos != before.redos ? "redo"
                         : t.boots != before.boots ? "boot"
                                                   : nullptr;
      if (!kind && last.empty()) kind = "undo or redo with nothing to take back";
      recent.push_back(std::to_string(i) + ": " + (kind ? std::string(kind) : last));
      if (recent.size() > 40) recent.pop_front();
      if (!v.empty()) {
        std::string history;
        for (const std::string& r : recent) history += "\n  " + r;
        FAIL_CHECK("step " << i << (last.empty() ? std::string() : " (" + last + ")") << ": " << v
                           << "\nthe steps before it:" << history);
        break;
      }
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    MESSAGE(done << " of " << steps << " steps in " << s << " s: " << t.ran << " ran, " << t.refused << " refused, "
                 << t.undos << " undos, " << t.redos << " redos, " << t.boots << " boots");
    CHECK(t.refused > steps / 10);  // the driver is hostile enough to matter
    CHECK(t.ran > steps / 5);
  }
}

TEST_SUITE("hostile") {
  TEST_CASE("a block freed by its pfn leaves its name: a later free of the name cannot free someone else's pages") {
    // Found by the 500,000-step ASan run (seed 20261202, step 94013): `free
    // pfn=` of a named block kept it in the name, a task then faulted the
    // page in, and `free a3` freed the task's page from under its LRU.
    Playground pg;
    REQUIRE(pg.boot_shorthand("ram=256M cpus=1", "<m>"));
    REQUIRE(pg.run_command("alloc a order=0 gfp=GFP_HIGHUSER_MOVABLE\nalloc a order=0", "t"));
    REQUIRE(pg.session());
    const auto blocks = pg.session()->pages.at("a");
    REQUIRE(blocks.size() == 2);
    auto r = pg.run_command("free pfn=" + std::to_string(blocks[0].first) + " order=0", "t");
    REQUIRE(r);
    CHECK(r->ok());
    CHECK(pg.session()->pages.at("a").size() == 1);
    REQUIRE(pg.run_command("spawn t anon=8M", "t"));
    r = pg.run_command("free a", "t");
    REQUIRE(r);
    CHECK(r->ok());
    CHECK(r->violations == 0);
    CHECK(pg.check().empty());
    CHECK(pg.session()->pages.count("a") == 0);
    // The same through the page's free (a click, freePages): the name forgets it too.
    REQUIRE(pg.run_command("alloc b order=1", "t"));
    const Pfn b = pg.session()->pages.at("b")[0].first;
    REQUIRE(pg.free_pages(b, 1, 0));
    CHECK(pg.session()->pages.count("b") == 0);
    // And undo gives the block and its name back together.
    REQUIRE(pg.undo());
    CHECK(pg.session()->pages.at("b").size() == 1);
    CHECK(pg.check().empty());
  }

  TEST_CASE("freePages refuses what someone else keeps books on, as a click does") {
    Playground pg;
    REQUIRE(pg.boot_shorthand("ram=256M cpus=1", "<m>"));
    REQUIRE(pg.run_command("spawn t anon=4M", "t"));
    // A page of the task: the first user page on the map.
    const Machine& m = *pg.machine();
    Pfn user = 0;
    for (Pfn p = 0; p < m.mem.nr && !user; ++p)
      if (m.mem.st(p) == FrameState::Alloc && m.mem.owner_of(p) == Owner::User) user = p;
    REQUIRE(user);
    const std::string before = mm_fuzz::hostile_fingerprint(pg);
    Status s = pg.free_pages(user, 0, 0);
    REQUIRE_FALSE(s);
    CHECK(s.diag().message.find("free_pages: pfn " + std::to_string(user) + " is an anonymous page of") == 0);
    CHECK(mm_fuzz::hostile_fingerprint(pg) == before);
    CHECK(pg.check().empty());
  }
}
