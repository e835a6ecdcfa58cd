// alloc_bench: how fast the page allocator runs, tracing off and on.
//
//   alloc_bench          (MM_BENCH_SCALE=N multiplies the operation counts)
//
// Workloads on a booted `ram=1G cpus=2` machine:
//   pcp-pair    alloc_pages(GFP_KERNEL, 0) + free, the per-CPU fast path
//   mixed       random orders 0-10, random CPUs and masks, ~4000 live blocks
//   fragmenting movable and unmovable pages interleaved: fallbacks and steals
//   kmalloc-pair kmalloc(100) + kfree, the SLUB fast path
//   kmalloc-churn 20000 live objects of random sizes 8..8k freed in random
//               order: slabs fill, go partial, are discarded (the slow paths)
// Each workload runs with tracing off, then on, in the same process (the
// machine is shared and noisy: compare within one run). Printed: ns per
// operation; with tracing on also events per operation, and what recording
// costs per event: (ns/op traced - ns/op untraced) / events per op. Events are
// cleared every 10k operations to bound memory. Times are the thread's CPU
// time natively (other load on the machine does not count), wall clock in
// wasm. Machine-readable lines:
//   bench alloc <workload> trace=<on|off>: X ns/op
//   bench alloc <workload> trace-cost: X ns/event
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "mm/boot/boot.h"
#include "mm/page_alloc/alloc.h"
#include "mm/page_alloc/gfp.h"
#include "mm/slab/slub.h"
#include "text/parse/shorthand.h"

using namespace mm;

namespace {

std::unique_ptr<Machine> fresh() {
  auto spec = parse_shorthand("ram=1G cpus=2");
  auto m = boot(plan_from_spec(*spec), false);
  if (!m) {
    std::fprintf(stderr, "boot failed: %s\n", m.diag().str().c_str());
    std::exit(1);
  }
  return std::move(m.value());
}

// The time this thread has run, in ns: on a shared machine the wall clock
// also counts the time other processes had the CPU. (Emscripten has no
// thread CPU clock: there the wall clock.)
double thread_ns() {
#if defined(CLOCK_THREAD_CPUTIME_ID) && !defined(__EMSCRIPTEN__)
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
#else
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now().time_since_epoch()).count();
#endif
}

struct Figures {
  double ns_per_op = 0;
  double events_per_op = 0;
};

template <class Body>
Figures run(const char* name, bool trace, long ops, Body body) {
  {
    // Warm up (wasm engines tier up hot code after a while), untimed.
    auto w = fresh();
    w->trace.enable(trace);
    for (long i = 0; i < ops / 4; ++i) {
      body(*w, i);
      if (trace && i % 10000 == 9999) w->trace.clear();
    }
  }
  auto m = fresh();
  m->trace.enable(trace);
  u64 events = 0;
  const double t0 = thread_ns();
  for (long i = 0; i < ops; ++i) {
    body(*m, i);
    if (trace && i % 10000 == 9999) {
      events += m->trace.events().size();
      m->trace.clear();
    }
  }
  events += m->trace.events().size();
  const double ns = thread_ns() - t0;
  Figures f{ns / static_cast<double>(ops), static_cast<double>(events) / static_cast<double>(ops)};
  std::printf("%-12s trace=%-3s %9ld ops  %9.1f ns/op", name, trace ? "on" : "off", ops, f.ns_per_op);
  if (trace)
    std::printf("  %6.1f events/op  %7.1f ns/event", f.events_per_op, f.ns_per_op / std::max(1.0, f.events_per_op));
  std::printf("\n");
  std::printf("bench alloc %s trace=%s: %.1f ns/op\n", name, trace ? "on" : "off", f.ns_per_op);
  return f;
}

bool ok(const Expected<AllocOutcome>& o) { return o && o->ok; }

void report_cost(const char* name, const Figures& off, const Figures& on) {
  const double per_event = (on.ns_per_op - off.ns_per_op) / std::max(1e-9, on.events_per_op);
  std::printf("%-12s recording costs %6.1f ns per event (%.1f events/op)\n", name, per_event, on.events_per_op);
  std::printf("bench alloc %s trace-cost: %.1f ns/event\n", name, per_event);
}

// Runs `body` with tracing off and on, `ops` operations each.
template <class Body>
void both(const char* name, long ops, Body&& body) {
  const Figures off = run(name, false, ops, body);
  const Figures on = run(name, true, ops, body);
  report_cost(name, off, on);
}

}  // namespace

int main() {
  const char* env = std::getenv("MM_BENCH_SCALE");
  const long scale = env ? std::max(1L, std::atol(env)) : 1;
  both("pcp-pair", 1000000 * scale, [](Machine& m, long) {
    AllocRequest r;
    auto o = alloc_pages(m, r);
    if (!ok(o)) std::exit(2);
    free_pages(m, o->pfn, 0, 0);
  });

  std::vector<std::pair<Pfn, Order>> live;
  std::mt19937 rng(1);
  const gfp_t masks[] = {gfp::GFP_KERNEL, gfp::GFP_HIGHUSER_MOVABLE, gfp::GFP_KERNEL | gfp::RECLAIMABLE};
  both("mixed", 300000 * scale, [&](Machine& m, long i) {
    if (i == 0) {
      live.clear();
      rng.seed(1);
    }
    if (live.size() < 4000 && (live.empty() || rng() % 2)) {
      AllocRequest r;
      r.gfp = masks[rng() % 3];
      r.order = rng() % 100 < 80 ? rng() % 4 : rng() % MAX_ORDER;
      r.cpu = static_cast<int>(rng() % 2);
      auto o = alloc_pages(m, r);
      if (ok(o)) live.push_back({o->pfn, o->order});
    } else {
      const size_t k = rng() % live.size();
      free_pages(m, live[k].first, live[k].second, static_cast<int>(rng() % 2));
      live[k] = live.back();
      live.pop_back();
    }
  });

  both("kmalloc-pair", 1000000 * scale, [](Machine& m, long) {
    auto o = kmalloc(m, 100, gfp::GFP_KERNEL, 0);
    if (!o) std::exit(3);
    kfree(m, o->addr, 0);
  });

  std::vector<u64> objs;
  std::mt19937 srng(2);
  both("kmalloc-churn", 300000 * scale, [&](Machine& m, long i) {
    if (i == 0) {
      objs.clear();
      srng.seed(2);
    }
    if (objs.size() < 20000 && (objs.empty() || srng() % 2)) {
      auto o = kmalloc(m, 8 + srng() % 8185, gfp::GFP_KERNEL, static_cast<int>(srng() % 2));
      if (o) objs.push_back(o->addr);
    } else {
      const size_t k = srng() % objs.size();
      kfree(m, objs[k], static_cast<int>(srng() % 2));
      objs[k] = objs.back();
      objs.pop_back();
    }
  });

  // Fill memory with interleaved movable and unmovable pages, free the
  // movable ones, repeat: unmovable requests keep falling back.
  std::vector<std::pair<Pfn, Order>> movable, unmovable;
  both("fragmenting", 300000 * scale, [&](Machine& m, long i) {
    if (i == 0) {
      movable.clear();
      unmovable.clear();
    }
    AllocRequest r;
    r.gfp = (i % 3) ? gfp::GFP_HIGHUSER_MOVABLE : gfp::GFP_KERNEL;
    auto o = alloc_pages(m, r);
    if (ok(o)) ((i % 3) ? movable : unmovable).push_back({o->pfn, 0});
    if (movable.size() > 20000) {
      for (auto [p, ord] : movable) free_pages(m, p, ord, 0);
      movable.clear();
    }
    if (unmovable.size() > 60000) {
      for (auto [p, ord] : unmovable) free_pages(m, p, ord, 0);
      unmovable.clear();
    }
  });
  return 0;
}
