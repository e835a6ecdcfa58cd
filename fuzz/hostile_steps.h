// Random statement sequences against check_invariants(), shared by the
// hostile property test (tests/engine/hostile_test.cpp: choices from a
// seeded RNG, 1,500 steps in the suite, 1,000,000 under ASan in
// scripts/hostile.sh) and the libFuzzer target fuzz_steps (choices from
// the fuzzer's bytes). About half the statements are hostile: frees of
// frames the session does not own, of the wrong order, of reserved, slab
// or task pages; double kfree; kmem_cache_free to a destroyed cache; kill
// of nobody; CPUs the machine lacks. Undo, redo and fresh boots are mixed
// in. The property: no invariant ever breaks, and a refused statement
// changes nothing (buddyinfo, zoneinfo and slabinfo are as before).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "session/playground.h"

namespace mm_fuzz {

// The machine every sequence runs on (small: a step costs an invariant
// check over the whole memmap).
inline constexpr std::string_view kHostileMachine = "ram=256M cpus=2";

// What a refused statement must leave as it was.
inline std::string hostile_fingerprint(const mm::Playground& pg) {
  std::string out;
  for (const char* view : {"buddyinfo", "zoneinfo", "slabinfo"}) {
    std::string one;
    (void)pg.proc(view, one);
    out += one;
  }
  return out;
}

// One statement of the scenario language; pick(n) returns a choice in [0, n).
template <class Pick>
std::string hostile_statement(Pick& pick, std::size_t frames) {
  auto name = [&](const char* stem) { return std::string(stem) + std::to_string(pick(4)); };
  switch (pick(16)) {
    case 0: return "alloc " + name("a") + " order=" + std::to_string(pick(5));
    case 1: return "alloc " + name("a") + " order=" + std::to_string(pick(3)) + " gfp=GFP_HIGHUSER_MOVABLE";
    case 2: return "free " + name("a");
    case 3: {  // a frame anywhere, any order: mostly not the caller's to free
      const std::size_t pfn = pick(frames ? frames : 1);
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

struct HostileTally {
  std::size_t ran = 0, refused = 0, undos = 0, redos = 0, boots = 0;
};

// One step: an undo, a redo, now and then a fresh boot, else a statement.
// Returns what went wrong ("" when the step kept every promise); `last`
// is the statement run (empty for the other kinds), for the report.
template <class Pick>
std::string hostile_step(mm::Playground& pg, Pick& pick, HostileTally& t, std::string& last,
                         std::string_view machine = kHostileMachine) {
  last.clear();
  const std::size_t what = pick(40);
  if (what == 0) {
    t.undos += pg.undo();
    // Undone back to before the boot: redo it (statements need a machine).
    if (!pg.booted()) t.redos += pg.redo();
    if (!pg.booted()) return "undo then redo left no machine";
  } else if (what == 1) {
    t.redos += pg.redo();
  } else if (what == 2 && pick(50) == 0) {  // a fresh machine (names are forgotten)
    if (mm::Status s = pg.boot_shorthand(machine, "<machine>"); !s) return "boot: " + s.str();
    ++t.boots;
  } else {
    last = hostile_statement(pick, pg.frame_count());
    const std::string before = hostile_fingerprint(pg);
    auto r = pg.run_command(last, "hostile");
    if (!r) return "run_command refused the whole text: " + r.diag().str();
    // The command checks the invariants after its statement itself (and
    // takes a violating statement back): a violation is a failure.
    for (const mm::Diagnostic& f : r->failures)
      if (f.message.find("invariant violated") != std::string::npos) return f.str();
    if (r->violations != 0) return "the command counted an invariant violation";
    if (r->operations == 0 && !r->ok()) {
      ++t.refused;
      if (hostile_fingerprint(pg) != before) return "a refused statement changed the machine";
    } else {
      ++t.ran;
    }
    return {};
  }
  // After an undo, a redo or a boot.
  const std::vector<std::string> v = pg.check();
  return v.empty() ? std::string() : "invariant violated: " + v.front();
}

// The fuzzer's choices: the input's bytes, one or two per pick; the
// sequence ends when they run out.
struct BytePick {
  const std::uint8_t* data;
  std::size_t size, pos = 0;
  bool done() const { return pos >= size; }
  std::size_t operator()(std::size_t n) {
    std::size_t v = 0;
    for (std::size_t span = 1; span < n && !done(); span <<= 8) v = (v << 8) | data[pos++];
    return n ? v % n : 0;
  }
};

// The machine of fuzz_steps (smaller than the property test's: it boots
// once per input).
inline constexpr std::string_view kFuzzStepsMachine = "ram=128M cpus=2";
inline constexpr std::size_t kFuzzMaxSteps = 64;  // a boot costs about as much as 30 steps

// fuzz_steps's check on one input: a fresh machine, then steps until the
// bytes run out. Returns the violation, or "" (with the step's statement).
inline std::string check_steps(const std::uint8_t* data, std::size_t size) {
  mm::Playground pg;
  pg.set_history_budget(std::size_t{8} << 20);
  if (mm::Status s = pg.boot_shorthand(kFuzzStepsMachine, "<machine>"); !s) return "boot: " + s.str();
  BytePick pick{data, size};
  HostileTally t;
  std::string last;
  for (std::size_t i = 0; i < kFuzzMaxSteps && !pick.done(); ++i)
    if (std::string v = hostile_step(pg, pick, t, last, kFuzzStepsMachine); !v.empty())
      return "step " + std::to_string(i) + (last.empty() ? std::string() : " (" + last + ")") + ": " + v;
  return {};
}

}  // namespace mm_fuzz
