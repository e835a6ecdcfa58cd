// Property: a session fed random statements, many of them hostile (frees
// of frames it does not own, of the wrong order, of reserved or slab or
// task pages; double kfree; kmem_cache_free to the wrong cache; kill of
// nobody; CPUs the machine lacks), with undo and redo mixed in, never sees
// a broken invariant, and a refused statement changes nothing.
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

#include "session/playground.h"

using namespace mm;

namespace {

std::size_t steps_wanted() {
  const char* env = std::getenv("MM_HOSTILE_STEPS");
  if (!env || !*env) return 1500;
  const long long n = std::atoll(env);
  return n > 0 ? static_cast<std::size_t>(n) : 1500;
}

// What a refused statement must leave as it was: the buddy lists, the
// counters, the tasks, the slabs.
std::string fingerprint(const Playground& pg) {
  std::string out;
  for (const char* view : {"buddyinfo", "zoneinfo", "slabinfo"}) {
    std::string one;
    (void)pg.proc(view, one);
    out += one;
  }
  return out;
}

struct Driver {
  std::mt19937_64 rng;
  Playground pg;
  std::size_t frames = 0;

  explicit Driver(u64 seed) : rng(seed) {}

  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); }
  std::string name(const char* stem) { return std::string(stem) + std::to_string(pick(4)); }

  // One random statement of the scenario language (hostile about half the time).
  std::string statement() {
    switch (pick(16)) {
      case 0: return "alloc " + name("a") + " order=" + std::to_string(pick(5));
      case 1: return "alloc " + name("a") + " order=" + std::to_string(pick(3)) + " gfp=GFP_HIGHUSER_MOVABLE";
      case 2: return "free " + name("a");
      case 3: {  // a frame anywhere, any order: mostly not the caller's to free
        const std::size_t pfn = pick(frames);
        return "free pfn=" + std::to_string(pfn) + " order=" + std::to_string(pick(4));
      }
      case 4: return "kmalloc " + name("p") + " " + std::to_string(8 + pick(3000));
      case 5: return "kfree " + name("p");  // double kfree and never-allocated names too
      case 6: return "kmem_cache_create " + name("c") + " " + std::to_string(16 + pick(500));
      case 7: return "kmem_cache_alloc " + name("o") + " " + name("c");
      case 8: return "kmem_cache_free " + name("o");
      case 9: return "kmem_cache_destroy " + name("c");
      case 10: return "spawn " + name("t") + " anon=" + std::to_string(1 + pick(24)) + "M";
      case 11: return "kill " + name("t");
      case 12: return "grow " + name("t") + " anon=" + std::to_string(1 + pick(8)) + "M";
      case 13: return "alloc " + name("a") + " order=0 cpu=" + std::to_string(pick(4));  // cpus=2: 2, 3 refused
      case 14: return "drain all";
      default: return "kmem_cache_shrink kmalloc-" + std::to_string(8 << pick(6));
    }
  }
};

}  // namespace

TEST_SUITE("hostile") {
  TEST_CASE("hostile statements and undo/redo never break an invariant; a refused statement changes nothing") {
    const std::size_t steps = steps_wanted();
    const char* seed = std::getenv("MM_HOSTILE_SEED");
    Driver d(seed && *seed ? std::strtoull(seed, nullptr, 10) : 20261202);
    // A bounded history keeps a long run's memory flat.
    d.pg.set_history_budget(std::size_t{32} << 20);
    REQUIRE(d.pg.boot_shorthand("ram=256M cpus=2", "<machine>"));
    d.frames = d.pg.frame_count();
    std::size_t refused = 0, ran = 0, undos = 0, redos = 0, boots = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < steps; ++i) {
      const std::size_t what = d.pick(40);
      if (what == 0) {
        undos += d.pg.undo();
        // Undone back to before the boot: redo it (statements need a machine).
        if (!d.pg.booted()) redos += d.pg.redo();
        REQUIRE(d.pg.booted());
      } else if (what == 1) {
        redos += d.pg.redo();
      } else if (what == 2 && d.pick(50) == 0) {  // now and then a fresh machine (names are forgotten)
        REQUIRE(d.pg.boot_shorthand("ram=256M cpus=2", "<machine>"));
        ++boots;
      } else {
        const std::string st = d.statement();
        CAPTURE(i);
        CAPTURE(st);
        const std::string before = fingerprint(d.pg);
        auto r = d.pg.run_command(st, "hostile");
        REQUIRE_MESSAGE(r, (r ? std::string() : r.diag().str()));
        // The command checks the invariants after its statement itself (and
        // would take a violating statement back): a violation is a failure.
        for (const Diagnostic& f : r->failures)
          if (f.message.find("invariant violated") != std::string::npos) FAIL_CHECK("step " << i << ": " << f.str());
        REQUIRE(r->violations == 0);
        if (r->operations == 0 && !r->ok()) {
          ++refused;
          CHECK(fingerprint(d.pg) == before);
        } else {
          ++ran;
        }
        continue;
      }
      const auto v = d.pg.check();  // after an undo, a redo or a boot
      if (!v.empty()) {
        FAIL_CHECK("step " << i << ": " << v.front());
        break;
      }
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    MESSAGE(steps << " steps in " << s << " s: " << ran << " ran, " << refused << " refused, " << undos << " undos, "
                  << redos << " redos, " << boots << " boots");
    CHECK(refused > steps / 10);  // the driver is hostile enough to matter
    CHECK(ran > steps / 5);
  }
}
