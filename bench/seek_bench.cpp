// seek_bench: what a step of the player costs inside long operations, and
// what the history of many operations holds (issue 11's time-travel targets).
//
//   seek_bench [RUNS]
//
// For each case: boot (traced, as the page boots), run the operation, then
// seek to RUNS positions spread over the operation in random order and to
// RUNS consecutive positions (what playing does), timing each seek in the
// thread's CPU time. Prints medians and maxima, and one machine-readable
// `bench seek ...` line per figure.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "mm/core/machine.h"
#include "session/playground.h"

namespace {

double now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

struct Figures {
  double random_median = 0, random_max = 0, play_median = 0, play_max = 0;
};

Figures time_seeks(mm::Playground& pg, std::size_t op, int runs) {
  const std::size_t n = pg.timeline()[op].events;
  std::mt19937_64 rng(42);
  std::vector<double> random, play;
  for (int i = 0; i < runs; ++i) {
    const std::size_t pos = 1 + rng() % (n - 1);
    const double t0 = now_ms();
    (void)pg.seek(op, pos);
    (void)pg.frame_state();
    random.push_back(now_ms() - t0);
  }
  const std::size_t start = n / 3;
  for (int i = 0; i < runs; ++i) {
    const double t0 = now_ms();
    (void)pg.seek(op, start + static_cast<std::size_t>(i));
    (void)pg.frame_state();
    play.push_back(now_ms() - t0);
  }
  pg.seek_end();
  return {median(random), *std::max_element(random.begin(), random.end()), median(play),
          *std::max_element(play.begin(), play.end())};
}

void report(const char* label, std::size_t events, const Figures& f) {
  std::printf("%-44s %9zu events  random seek median %7.2f ms (max %7.2f)  next-event median %7.2f ms (max %7.2f)\n",
              label, events, f.random_median, f.random_max, f.play_median, f.play_max);
  std::printf("bench seek %s random-median: %.2f ms\n", label, f.random_median);
  std::printf("bench seek %s next-median: %.2f ms\n", label, f.play_median);
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 21;
  if (runs < 1 || runs > 10000) {
    std::fprintf(stderr, "usage: %s [runs 1..10000]\n", argv[0]);
    return 2;
  }
  mm::BootOptions traced{true};
  {
    mm::Playground pg;
    pg.set_boot_options(traced);
    if (!pg.boot_shorthand("ram=16G cpus=2", "<bench>", traced)) return 1;
    const std::size_t op = pg.timeline().size() - 1;
    report("boot ram=16G cpus=2", pg.timeline()[op].events, time_seeks(pg, op, runs));
  }
  {
    mm::Playground pg;
    pg.set_boot_options(traced);
    auto r = pg.run_scenario("machine ram=512M cpus=2\nread big size=300M\nspawn hog anon=250M\n", "<bench>");
    if (!r) return 1;
    const auto tl = pg.timeline();
    std::size_t total = 0, longest = 0;
    for (std::size_t i = 0; i < tl.size(); ++i) {
      total += tl[i].events;
      if (tl[i].events > tl[longest].events) longest = i;
    }
    std::printf("scenario ram=512M read 300M + spawn 250M: %zu operations, %zu events\n", tl.size(), total);
    report("scenario: its longest operation", tl[longest].events, time_seeks(pg, longest, runs));
  }
  {
    mm::Playground pg;
    pg.set_boot_options(traced);
    if (!pg.boot_shorthand("ram=16G cpus=2", "<bench>", traced)) return 1;
    const double t0 = now_ms();
    for (int i = 0; i < 1000; ++i) {
      if (i % 2 == 0) {
        mm::AllocRequest r;
        r.order = static_cast<mm::Order>(i % 4);
        (void)pg.alloc_pages(r);
      } else {
        (void)pg.kmalloc(64 + static_cast<mm::u64>(i));
      }
    }
    std::printf("1000 operations on ram=16G: %.0f ms, undo depth %zu, history %.1f MiB\n", now_ms() - t0,
                pg.undo_depth(), static_cast<double>(pg.history_bytes()) / (1 << 20));
    std::printf("bench seek history-1000-ops-16G: %.1f MiB\n", static_cast<double>(pg.history_bytes()) / (1 << 20));
  }
  return 0;
}
