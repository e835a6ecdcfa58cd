// The cursor shows what the narration says: at timeline position (op, k)
// the page narrates event k-1 of the operation and reads every view from
// Playground::view(). Each test here steps through whole operations and
// checks, event by event, that the state at the cursor is the state the
// event describes (the block it put on a list is on that list, the pcp
// count it names is the count, the victim it names is marked), not the
// state one step earlier or later.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "mm/core/machine.h"
#include "mm/pressure/task.h"
#include "session/playground.h"

using namespace mm;

namespace {

const Zone& zone_of(const Machine& m, const Event& e) {
  const int node = e.node >= 0 ? e.node : 0;
  return m.nodes.at(static_cast<std::size_t>(node)).zones.at(static_cast<std::size_t>(e.zone));
}

bool on_free_list(const Machine& m, const Zone& z, Pfn pfn, int order, int mt) {
  const FreeList& l = z.free_area[static_cast<std::size_t>(order)].free_list[static_cast<std::size_t>(mt)];
  for (u32 p = l.head; p != NIL && p < m.mem.nr; p = m.mem.list_next(l, p))
    if (p == pfn) return true;
  return false;
}

// Checks event `e` against the machine at the cursor that narrates it;
// counts, per code, the checks made (so a test can require coverage).
struct CursorChecker {
  std::map<std::string, int> checked;

  void check(const Machine& v, const Event& e) {
    if (e.kind == EventKind::End) return;
    const std::string code(spec(e.code).code);
    CAPTURE(code);
    CAPTURE(e.pfn);
    ++checked["seen." + code];
    if (e.spec().declares(Arg::pcp_count) && e.zone >= 0 && e.cpu >= 0) {
      const Zone& z = zone_of(v, e);
      CHECK(z.pcp.at(static_cast<std::size_t>(e.cpu)).count == e.get(Arg::pcp_count));
      ++checked[code + ".pcp_count"];
    }
    switch (e.code) {
      case Ev::expand_split:  // the upper half is on its list
      case Ev::buddy_free:    // the (merged) block is on its list
        CHECK(v.mem.st(e.pfn) == FrameState::Buddy);
        CHECK(v.mem.order_of(e.pfn) == e.order);
        CHECK(on_free_list(v, zone_of(v, e), e.pfn, e.order, e.mt));
        ++checked[code];
        break;
      case Ev::rmqueue_smallest:  // the block is off its free list (the frames stay Buddy until expand/prep)
        CHECK_FALSE(on_free_list(v, zone_of(v, e), e.pfn, e.order, e.mt));
        ++checked[code];
        break;
      case Ev::buddy_merge:  // the buddy has left its list to be merged
        CHECK_FALSE(on_free_list(v, zone_of(v, e), static_cast<Pfn>(e.get(Arg::buddy)), e.order, e.mt));
        ++checked[code];
        break;
      case Ev::alloc_done:  // the pages are the caller's
        CHECK(v.mem.st(e.pfn) == FrameState::Alloc);
        ++checked[code];
        break;
      case Ev::new_slab:  // the slab's pages are allocated
        CHECK(v.mem.st(e.pfn) == FrameState::Alloc);
        ++checked[code];
        break;
      case Ev::oom_kill: {  // the victim is marked
        const Task* t = find_task(v, static_cast<int>(e.get(Arg::pid)));
        CHECK((t == nullptr || t->oom_victim || !t->alive));
        ++checked[code];
        break;
      }
      default: break;
    }
  }
};

// Which positions of an operation of n events to visit: all of a short
// one; of a long one (each seek replays the operation up to the cursor),
// the first event of every code and about 150 more spread evenly.
std::vector<std::size_t> positions(const std::vector<Event>& events) {
  const std::size_t n = events.size();
  std::vector<std::size_t> ks;
  if (n <= 1500) {
    for (std::size_t k = 1; k <= n; ++k) ks.push_back(k);
    return ks;
  }
  std::vector<bool> seen(kEventCodes, false);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<std::size_t>(events[i].code);
    if (!seen[c]) ks.push_back(i + 1);
    seen[c] = true;
  }
  for (std::size_t k = 1; k <= n; k += n / 150) ks.push_back(k);
  std::sort(ks.begin(), ks.end());
  ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
  return ks;
}

// Steps to the positions of operation `op` of `pg` and checks each.
void step_through(Playground& pg, std::size_t op, CursorChecker& c) {
  const auto ops = pg.timeline();
  REQUIRE(op < ops.size());
  const std::size_t n = ops[op].events;
  const auto events = pg.op_events(op, 0, n);
  REQUIRE(events.size() == n);
  for (std::size_t k : positions(events)) {
    CAPTURE(op);
    CAPTURE(k);
    REQUIRE(pg.seek(op, k));
    const Machine* v = pg.view();
    REQUIRE(v != nullptr);
    c.check(*v, events[k - 1]);
    // The view's own trace ends with the narrated event, as recorded.
    REQUIRE(!v->trace.events().empty());
    CHECK(v->trace.events().back().code == events[k - 1].code);
    CHECK(v->trace.events().back().num == events[k - 1].num);
  }
  pg.seek_end();
}

Playground traced(const char* shorthand) {
  Playground pg;
  BootOptions o;
  o.trace = true;
  REQUIRE(pg.boot_shorthand(shorthand, "<machine>", o));
  return pg;
}

}  // namespace

TEST_SUITE("timeline") {
  TEST_CASE("at every step of an order-0 allocation through a pcp refill the state is the narrated one") {
    Playground pg = traced("ram=128M cpus=1");
    AllocRequest r;
    r.order = 0;
    REQUIRE(pg.alloc_pages(r));
    CursorChecker c;
    step_through(pg, 1, c);
    CHECK(c.checked["expand_split"] > 0);
    CHECK(c.checked["rmqueue_smallest"] > 0);
    CHECK(c.checked["pcp_refilled.pcp_count"] > 0);
    CHECK(c.checked["pcp_take.pcp_count"] > 0);
  }

  TEST_CASE("at every step of a free that merges buddies the state is the narrated one") {
    Playground pg = traced("ram=128M cpus=1");
    // An order above the pcp orders is freed straight to the buddy lists.
    // Allocate until one allocation had to split a larger block: freeing
    // it then merges with the halves expand() put back.
    AllocRequest r;
    r.gfp = gfp::GFP_HIGHUSER_MOVABLE;
    r.order = 6;
    Pfn split_pfn = 0;
    bool split = false;
    for (int i = 0; i < 64 && !split; ++i) {
      auto a = pg.alloc_pages(r);
      REQUIRE(a);
      REQUIRE(a->ok);
      const std::size_t op = pg.timeline().size() - 1;
      for (const Event& e : pg.op_events(op, 0, pg.timeline()[op].events))
        if (e.code == Ev::rmqueue_smallest && e.order > static_cast<int>(r.order)) split = true;
      split_pfn = a->pfn;
    }
    REQUIRE(split);
    REQUIRE(pg.free_pages(split_pfn, r.order));
    CursorChecker c;
    step_through(pg, pg.timeline().size() - 1, c);
    CHECK(c.checked["buddy_merge"] > 0);
    CHECK(c.checked["buddy_free"] > 0);
  }

  TEST_CASE("a fallback steal, a slab allocation and an OOM kill show the narrated state at every step") {
    Playground pg = traced("ram=128M cpus=1");
    // Unmovable order-3 blocks until the Unmovable lists run dry and the
    // allocator steals from another migrate type.
    REQUIRE(pg.run_scenario("repeat 120 alloc u order=3 gfp=GFP_KERNEL\n", "steal"));
    REQUIRE(pg.kmalloc(200));
    REQUIRE(pg.run_scenario("spawn hog anon=200M\n", "oom"));
    CursorChecker c;
    for (std::size_t op = 1; op < pg.timeline().size(); ++op) step_through(pg, op, c);
    CHECK(c.checked["seen.fallback"] > 0);
    CHECK(c.checked["new_slab"] > 0);
    CHECK(c.checked["oom_kill"] > 0);
    CHECK(c.checked["alloc_done"] > 0);
  }

  TEST_CASE("a full recording: one trace_full, the machine exact, the session goes on and steps to what it kept") {
    // Two sessions run the same statements; the second's recording may hold
    // only 600 more events than its boot.
    Playground full = traced("ram=128M cpus=1");
    Playground whole = traced("ram=128M cpus=1");
    const std::size_t boot_events = full.trace()->events().size();
    full.machine()->trace.set_limit(boot_events + 600);
    const char* work = "spawn a anon=20M\nkmalloc p 300\nspawn b anon=30M\n";
    for (Playground* pg : {&full, &whole}) REQUIRE(pg->run_command(work, "work"));
    const Trace& t = *full.trace();
    REQUIRE(t.full());
    CHECK(t.events().size() == boot_events + 600);
    CHECK(t.events().back().code == Ev::trace_full);
    CHECK(t.events().back().get(Arg::count) == static_cast<std::int64_t>(boot_events + 600));
    CHECK(std::count_if(t.events().begin(), t.events().end(),
                        [](const Event& e) { return e.code == Ev::trace_full; }) == 1);
    CHECK(t.dropped() > 10000);
    CHECK(t.depth() == 0);  // the phases it did not keep still closed
    // Unrecorded, the machine went exactly where the fully recorded one did.
    for (const char* view : {"zoneinfo", "buddyinfo", "meminfo", "slabinfo"}) {
      CAPTURE(view);
      std::string a, b;
      REQUIRE(full.proc(view, a));
      REQUIRE(whole.proc(view, b));
      CHECK(a == b);
    }
    CHECK(full.boot_log() == whole.boot_log());
    CHECK(full.check().empty());
    // More statements run (recording nothing), undo and redo work, and a
    // step inside the cut operation lands on the state its event narrates.
    REQUIRE(full.run_command("kmalloc q 100\n", "more"));
    CHECK(full.check().empty());
    REQUIRE(full.undo());
    REQUIRE(full.redo());
    const auto ops = full.timeline();
    std::size_t cut = 0;
    for (std::size_t op = 0; op < ops.size(); ++op)
      if (ops[op].events > 0) cut = op;
    CursorChecker c;
    step_through(full, cut, c);
    CHECK(full.check().empty());
    // A new boot records again.
    REQUIRE(full.boot_shorthand("ram=128M cpus=1", "<machine>", BootOptions{true}));
    CHECK_FALSE(full.trace()->full());
  }
}
