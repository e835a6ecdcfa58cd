// __ratelimit over the model's clock, and the reports it limits: warn_alloc
// (nopage_rs: 10 s, burst 1) and the OOM killer's dump_header (oom_rs: 5 s,
// burst 10), as lib/ratelimit.c, mm/page_alloc.c and mm/oom_kill.c of 6.1
// define them.
#include <doctest/doctest.h>

#include <regex>

#include "mm/core/ratelimit.h"
#include "mm/page_alloc/alloc.h"
#include "mm/pressure/task.h"
#include "test_util.h"

using namespace mm;

namespace {

// Sum of N over "FUNC: N callbacks suppressed" lines, and how many there are.
std::pair<u64, size_t> suppressed(const Machine& m, const std::string& func) {
  const std::regex re("^" + func + ": ([0-9]+) callbacks suppressed$");
  u64 sum = 0;
  size_t lines = 0;
  for (const std::string& l : m.log) {
    std::smatch g;
    if (std::regex_match(l, g, re)) {
      sum += std::stoull(g[1].str());
      ++lines;
    }
  }
  return {sum, lines};
}

size_t count(const Machine& m, const std::string& re) { return mmtest::matching(m.log, re).size(); }

size_t events(const Machine& m, Ev code) {
  size_t n = 0;
  for (const Event& e : m.trace.events()) n += e.code == code;
  return n;
}

AllocOutcome take(Machine& m, gfp_t g) {
  AllocRequest r;
  r.gfp = g;
  auto o = alloc_pages(m, r);
  REQUIRE(o);
  return *o;
}

}  // namespace

TEST_SUITE("ratelimit") {
  TEST_CASE("___ratelimit: burst calls per interval, the rest counted and reported once the interval is over") {
    auto m = mmtest::boot_spec("ram=128M cpus=1", true);
    RatelimitState rs{2 * HZ, 3};
    const size_t log0 = m->log.size();
    const u64 t0 = m->clock.ns;
    for (int i = 0; i < 3; ++i) CHECK(ratelimit(*m, rs, "f"));
    CHECK_FALSE(ratelimit(*m, rs, "f"));
    CHECK_FALSE(ratelimit(*m, rs, "f"));
    CHECK(rs.missed == 2);
    // begin + interval is not yet "before jiffies": still the same interval.
    m->clock.ns = t0 + 2 * HZ * NSEC_PER_JIFFY;
    CHECK_FALSE(ratelimit(*m, rs, "f"));
    CHECK(m->log.size() == log0);  // nothing printed while the interval lasts
    // One jiffy later a new interval begins: the missed calls in one line.
    m->clock.ns += NSEC_PER_JIFFY;
    CHECK(ratelimit(*m, rs, "f"));
    REQUIRE(m->log.size() == log0 + 1);
    CHECK(m->log.back() == "f: 3 callbacks suppressed");
    CHECK(rs.missed == 0);
    CHECK(rs.printed == 1);
    CHECK(events(*m, Ev::ratelimit_held) == 3);
    CHECK(events(*m, Ev::ratelimit_missed) == 1);
    // No missed call, no line.
    m->clock.ns += 10 * HZ * NSEC_PER_JIFFY;
    CHECK(ratelimit(*m, rs, "f"));
    CHECK(m->log.size() == log0 + 1);
    // interval 0: no limit at all.
    RatelimitState off{0, 1};
    for (int i = 0; i < 5; ++i) CHECK(ratelimit(*m, off, "g"));
    // The kernel's own settings.
    CHECK(m->nopage_rs.interval == 10 * HZ);
    CHECK(m->nopage_rs.burst == 1);
    CHECK(m->oom_rs.interval == 5 * HZ);
    CHECK(m->oom_rs.burst == 10);
  }

  TEST_CASE("the clock moves with page-allocator requests only") {
    auto m = mmtest::boot_spec("ram=128M cpus=1");
    const u64 t0 = m->clock.ns;
    for (int i = 0; i < 100; ++i) REQUIRE(take(*m, gfp::GFP_KERNEL).ok);
    CHECK(m->clock.ns == t0 + 100 * kAllocRequestNs);
    AllocRequest bad;
    bad.cpu = 5;
    CHECK_FALSE(alloc_pages(*m, bad));  // refused before it is a request
    CHECK(m->clock.ns == t0 + 100 * kAllocRequestNs);
  }

  TEST_CASE("999999 failing allocations: a few reports, then callbacks suppressed; every failure accounted for") {
    auto m = mmtest::boot_spec("ram=1G cpus=2");
    const size_t log0 = m->log.size();
    u64 failed = 0;
    for (int i = 0; i < 999999; ++i) failed += !take(*m, gfp::GFP_KERNEL).ok;
    REQUIRE(failed > 500000);
    // 10 model seconds in all (10 us a request), failures from about 2.5 s:
    // one warn_alloc (its next interval would begin at 12.5 s), and two
    // intervals of OOM reports with no killable task.
    CHECK(count(*m, ": page allocation failure: order:0, mode:0xcc0\\(GFP_KERNEL\\)") == 1);
    CHECK(1 + static_cast<u64>(m->nopage_rs.missed) == failed);
    const size_t reports = count(*m, "^Out of memory and no killable processes\\.\\.\\.$");
    CHECK(reports == 20);
    CHECK(count(*m, " invoked oom-killer: ") == reports);
    const auto [sum, lines] = suppressed(*m, "out_of_memory");
    CHECK(lines == 1);
    // Each failure ran the OOM killer once: printed, suppressed, or still pending.
    CHECK(reports + sum + static_cast<u64>(m->oom_no_victim_rs.missed) == failed);
    CHECK(m->log.size() - log0 < 1000);
    CHECK(check_invariants(*m).empty());
  }

  TEST_CASE("OOM kills: every kill line printed, dump_header only within oom_rs") {
#ifdef __EMSCRIPTEN__
    // The ~10 M events of this run are past what wasm32's heap can record
    // (the trace's ceiling would cut them): the same run, unrecorded.
    constexpr bool traced = false;
#else
    constexpr bool traced = true;
#endif
    auto m = mmtest::boot_spec("ram=128M cpus=1", traced);
    m->trace.set_limit(0);  // every event, to count the held-back reports below
    for (int i = 0; i < 48; ++i) {
      SpawnRequest r;
      r.name = "t" + std::to_string(i);
      r.anon = u64{100} << 20;
      (void)spawn(*m, r);
    }
    REQUIRE(m->pressure);
    const u64 kills = m->pressure->oom_kills;
    REQUIRE(kills > 20);
    CHECK(count(*m, "^Out of memory: Killed process ") == kills);
    CHECK(count(*m, "^oom_reaper: reaped process ") == kills);
    const size_t headers = count(*m, " invoked oom-killer: ");
    CHECK(headers < kills);
    CHECK(count(*m, "^oom-kill:constraint=") == headers);  // the summary belongs to dump_header
    const auto [sum, lines] = suppressed(*m, "oom_kill_process");
    CHECK(lines >= 1);
    // Ten reports in each interval that ran out of its burst, the first of the next after its line.
    CHECK(headers >= 10 * lines + 1);
    CHECK(headers <= 10 * (lines + 1));
    CHECK(headers + sum + static_cast<u64>(m->oom_rs.missed) == kills);
    // The line comes right before the first report of its new interval.
    for (size_t i = 0; i + 1 < m->log.size(); ++i)
      if (m->log[i].rfind("oom_kill_process: ", 0) == 0)
        CHECK(m->log[i + 1].find(" invoked oom-killer: ") != std::string::npos);
    if (traced) {
      CHECK(events(*m, Ev::ratelimit_held) == sum + static_cast<u64>(m->oom_rs.missed));
      CHECK(events(*m, Ev::ratelimit_missed) == lines);
    }
    CHECK(check_invariants(*m).empty());
  }

  TEST_CASE("a machine copy carries the clock and the limits: both go on alike") {
    auto m = mmtest::boot_spec("ram=128M cpus=1");
    while (take(*m, gfp::GFP_KERNEL | gfp::NORETRY | gfp::NOWARN).ok) {}
    for (int i = 0; i < 50; ++i) (void)take(*m, gfp::GFP_KERNEL | gfp::NORETRY);  // warned once, 49 missed
    REQUIRE(m->nopage_rs.missed == 49);
    Machine copy = *m;
    CHECK(copy.clock.ns == m->clock.ns);
    CHECK(copy.nopage_rs.missed == 49);
    auto go_on = [](Machine& x) {
      x.clock.ns += 11 * NSEC_PER_SEC;  // past nopage_rs's 10 s
      (void)take(x, gfp::GFP_KERNEL | gfp::NORETRY);
    };
    go_on(*m);
    go_on(copy);
    CHECK(m->log.size() == copy.log.size());
    CHECK(m->log.back() == copy.log.back());
    CHECK(count(*m, "^warn_alloc: 49 callbacks suppressed$") == 1);
    CHECK(count(copy, "^warn_alloc: 49 callbacks suppressed$") == 1);
  }
}
