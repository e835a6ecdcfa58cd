// boot_bench: how long the engine takes to boot machines of several sizes.
//
//   boot_bench [N]      N timed runs per case after one warm-up (default 5)
//
// Prints a table (machine, median/min/max ms, frames, events) and then one
// machine-readable line per case:
//   bench boot ram=16G cpus=2: median 123.4 ms
// Exits non-zero when any boot fails. Built natively and with Emscripten
// (bench/CMakeLists.txt); scripts/bench.sh builds and runs both.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "session/playground.h"

#if defined(__EMSCRIPTEN__)
#include <emscripten/heap.h>
#elif defined(__unix__)
#include <sys/resource.h>
#define MM_BENCH_HAVE_RUSAGE 1
#endif

namespace {

struct Case {
  const char* spec;
  bool trace;
};

struct Result {
  std::string label;
  double median_ms = 0, min_ms = 0, max_ms = 0;
  std::size_t frames = 0, events = 0;
  double engine_mib = 0;  // Playground::machine_bytes() after the boot
  int runs = 0;
};

// One boot into a fresh Playground (so every run pays for the same work,
// including allocating the per-frame arrays). Returns the elapsed ms, or a
// negative value after printing the diagnostic.
double boot_once(const Case& c, std::size_t& frames, std::size_t& events, double& engine_mib) {
  using clock = std::chrono::steady_clock;
  mm::Playground pg;
  const auto t0 = clock::now();
  const mm::Status st = pg.boot_shorthand(c.spec, "<bench>", mm::BootOptions{.trace = c.trace});
  const auto t1 = clock::now();
  if (!st) {
    std::fprintf(stderr, "boot_bench: boot \"%s\" failed: %s\n", c.spec, st.str().c_str());
    return -1;
  }
  frames = pg.frame_count();
  events = pg.events().size();
  engine_mib = static_cast<double>(pg.machine_bytes()) / (1024.0 * 1024.0);
  return std::chrono::duration<double, std::milli>(t1 - t0).count();
  // pg (and its machine) is destroyed after the clock stopped: teardown is
  // not part of a boot.
}

bool run_case(const Case& c, int runs, Result& r) {
  r.label = std::string(c.spec) + (c.trace ? " trace" : "");
  r.runs = runs;
  std::size_t frames = 0, events = 0;
  double mib = 0;
  if (boot_once(c, frames, events, mib) < 0) return false;  // warm-up
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const double t = boot_once(c, frames, events, mib);
    if (t < 0) return false;
    ms.push_back(t);
  }
  std::sort(ms.begin(), ms.end());
  const std::size_t n = ms.size();
  r.median_ms = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
  r.min_ms = ms.front();
  r.max_ms = ms.back();
  r.frames = frames;
  r.events = events;
  r.engine_mib = mib;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  if (argc > 1) {
    char* end = nullptr;
    const long v = std::strtol(argv[1], &end, 10);
    if (end == argv[1] || *end != '\0' || v < 1 || v > 1000) {
      std::fprintf(stderr, "usage: %s [runs 1..1000]\n", argv[0]);
      return 2;
    }
    runs = static_cast<int>(v);
  }

  const Case cases[] = {
      {"ram=1G cpus=2", false},
      {"ram=4G cpus=2", false},
      {"ram=16G cpus=2", false},
      {"ram=16G cpus=8 nodes=2", false},
      {"ram=1G cpus=2", true},
      // Large machines: memory that grows with what is touched (cow_array.h).
      {"ram=1536G cpus=384 nodes=2", false},
      {"ram=2T cpus=384 nodes=2", false},
  };

#if defined(__EMSCRIPTEN__)
  const char* where = "wasm";
#else
  const char* where = "native";
#endif
  std::printf("boot_bench (%s): 1 warm-up + %d timed runs per case\n\n", where, runs);
  std::printf("%-30s %10s %10s %10s %10s %10s %10s\n", "machine", "median ms", "min ms", "max ms", "frames", "events",
              "engine MiB");

  std::vector<Result> results;
  for (const Case& c : cases) {
    Result r;
    if (!run_case(c, runs, r)) return 1;
    std::printf("%-30s %10.1f %10.1f %10.1f %10zu %10zu %10.1f\n", r.label.c_str(), r.median_ms, r.min_ms, r.max_ms,
                r.frames, r.events, r.engine_mib);
    std::fflush(stdout);
    results.push_back(r);
  }

#ifdef MM_BENCH_HAVE_RUSAGE
  struct rusage ru {};
  if (getrusage(RUSAGE_SELF, &ru) == 0) {
    std::printf("\npeak RSS: %.1f MiB\n", static_cast<double>(ru.ru_maxrss) / 1024.0);  // KiB on Linux
  }
#elif defined(__EMSCRIPTEN__)
  // Linear memory only grows, so its size now is the peak.
  std::printf("\nwasm heap: %.1f MiB\n", static_cast<double>(emscripten_get_heap_size()) / (1024.0 * 1024.0));
#endif

  std::printf("\n");
  for (const Result& r : results) {
    std::printf("bench boot %s: median %.1f ms, engine %.1f MiB\n", r.label.c_str(), r.median_ms, r.engine_mib);
  }
  return 0;
}
