// Stepping back through operations: undo to the origin gives the state of
// the start, bit for bit; redo replays forward to the same end state.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "mm/pressure/task.h"
#include "mm/slab/slub.h"
#include "session/playground.h"
#include "session/scenario.h"
#include "test_util.h"
#include "text/format/narration.h"
#include "text/format/proc.h"
#include "text/format/slabinfo.h"

using namespace mm;

namespace {

// Every piece of machine state the engine keeps, compared exactly.
void require_same(const Machine& a, const Machine& b) {
  REQUIRE(a.mem.word == b.mem.word);
  REQUIRE(a.mem.lru_next == b.mem.lru_next);
  REQUIRE(a.mem.lru_prev == b.mem.lru_prev);
  REQUIRE(a.mem.pageblock_mt == b.mem.pageblock_mt);
  REQUIRE(a.mem.pflags == b.mem.pflags);
  REQUIRE(a.mem.owner_id == b.mem.owner_id);
  REQUIRE(a.mem.mapper == b.mem.mapper);
  REQUIRE(a.memblock.memory.regions == b.memblock.memory.regions);
  REQUIRE(a.memblock.reserved.regions == b.memblock.reserved.regions);
  REQUIRE(a.nodes.size() == b.nodes.size());
  for (size_t n = 0; n < a.nodes.size(); ++n)
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
      const Zone& x = a.nodes[n].zones[z];
      const Zone& y = b.nodes[n].zones[z];
      REQUIRE(x.managed_pages == y.managed_pages);
      REQUIRE(x.nr_free_pages == y.nr_free_pages);
      REQUIRE(x.watermark == y.watermark);
      REQUIRE(x.watermark_boost == y.watermark_boost);
      REQUIRE(x.nr_reserved_highatomic == y.nr_reserved_highatomic);
      REQUIRE(x.numa_events == y.numa_events);
      for (unsigned o = 0; o < MAX_ORDER; ++o)
        for (unsigned t = 0; t < MIGRATE_TYPES; ++t) {
          REQUIRE(x.free_area[o].free_list[t].head == y.free_area[o].free_list[t].head);
          REQUIRE(x.free_area[o].free_list[t].count == y.free_area[o].free_list[t].count);
        }
      REQUIRE(x.pcp.size() == y.pcp.size());
      for (size_t c = 0; c < x.pcp.size(); ++c) {
        REQUIRE(x.pcp[c].count == y.pcp[c].count);
        REQUIRE(x.pcp[c].free_factor == y.pcp[c].free_factor);
        for (unsigned l = 0; l < NR_PCP_LISTS; ++l) REQUIRE(x.pcp[c].lists[l].head == y.pcp[c].lists[l].head);
      }
    }
  REQUIRE(a.totalram_pages == b.totalram_pages);
  REQUIRE(a.min_free_kbytes == b.min_free_kbytes);
  REQUIRE(a.log == b.log);
  REQUIRE(static_cast<bool>(a.pressure) == static_cast<bool>(b.pressure));
  REQUIRE(proc_slabinfo(a) == proc_slabinfo(b));
  REQUIRE(proc_tasks(a) == proc_tasks(b));
  REQUIRE(proc_meminfo(a) == proc_meminfo(b));
}

}  // namespace

TEST_SUITE("undo") {
  TEST_CASE("undo to the origin restores the start bit for bit; redo returns to the end") {
    Playground pg;
    REQUIRE(pg.boot_shorthand("ram=256M cpus=2", "<machine>"));
    const Machine origin = *pg.machine();  // a deep copy
    // A mixed session: pages, slab objects, tasks under pressure, drains.
    AllocRequest r;
    r.order = 3;
    auto a = pg.alloc_pages(r);
    REQUIRE(a);
    REQUIRE(a->ok);
    REQUIRE(pg.kmalloc(100));
    auto sc =
        pg.run_scenario("spawn A anon=60M adj=500\nspawn B anon=60M\nspawn T anon=1G\nexpect oom_kills >= 1\n", "s.mm");
    REQUIRE(sc);
    CHECK(sc->ok());
    REQUIRE(pg.free_block(a->pfn, 0));
    REQUIRE(pg.drain(-1));
    const Machine end = *pg.machine();
    // boot, alloc, kmalloc, the scenario's three spawns (its expect is no
    // operation), free, drain
    CHECK(pg.undo_depth() == 8);
    CHECK(pg.history().back() == "drain_all_pages");
    const auto ops = pg.timeline();
    CHECK(ops[3].label == "spawn A anon=60M adj=500");
    CHECK(ops[5].label == "spawn T anon=1G");
    CHECK((ops[3].group == ops[4].group && ops[4].group == ops[5].group));
    CHECK(ops[2].group != ops[3].group);
    CHECK(ops[6].group != ops[5].group);
    // Each step back passes the invariants; the seventh lands on the origin.
    for (int i = 0; i < 7; ++i) {
      REQUIRE(pg.undo());
      CHECK(pg.check().empty());
    }
    require_same(*pg.machine(), origin);
    // One more undo goes to "no machine"; the original boot comes back by redo.
    REQUIRE(pg.undo());
    CHECK_FALSE(pg.booted());
    CHECK_FALSE(pg.undo());
    for (int i = 0; i < 8; ++i) REQUIRE(pg.redo());
    CHECK_FALSE(pg.redo());
    require_same(*pg.machine(), end);
    // A group goes back and forth as one: the scenario's three spawns.
    REQUIRE(pg.undo());
    REQUIRE(pg.undo());
    REQUIRE(pg.undo_group());
    CHECK(pg.undo_depth() == 3);
    REQUIRE(pg.redo_group());
    CHECK(pg.undo_depth() == 6);
  }

  TEST_CASE("snapshots are independent copies, and a failed operation leaves no step") {
    Playground pg;
    REQUIRE(pg.boot_shorthand("ram=256M cpus=1", "<machine>"));
    const std::size_t depth = pg.undo_depth();
    CHECK_FALSE(pg.free_pages(12345, 0));  // not an allocation: refused, nothing recorded
    CHECK_FALSE(pg.boot_shorthand("ram=1Q", "<machine>"));
    CHECK(pg.undo_depth() == depth);
    Machine copy = *pg.machine();
    REQUIRE(pg.run_scenario("spawn X anon=20M\n", "s.mm"));
    CHECK(find_task(*pg.machine(), "X") != nullptr);
    CHECK(find_task(copy, "X") == nullptr);  // the copy did not see the task: deep, not shared
    REQUIRE(pg.undo());
    require_same(*pg.machine(), copy);
  }
}

// The timeline: a cursor between any two events of any operation. Inside an
// operation the state is rebuilt by replaying it from the snapshot before.
namespace {

Playground traced_session() {
  Playground pg;
  BootOptions traced;
  traced.trace = true;
  REQUIRE(pg.boot_shorthand("ram=128M cpus=2", "<machine>", traced));
  AllocRequest r;
  r.order = 2;  // from the pcp-less path: splits an order-10 block step by step
  REQUIRE(pg.alloc_pages(r));
  REQUIRE(pg.kmalloc(200));
  REQUIRE(pg.run_scenario("spawn A anon=8M\n", "cmd"));
  return pg;
}

// The events a machine's trace holds, as text (fn, ids, numbers, sentence).
std::vector<std::string> trace_text(const Machine& m, std::size_t from, std::size_t to) {
  std::vector<std::string> v;
  const auto& ev = m.trace.events();
  for (std::size_t i = from; i < to && i < ev.size(); ++i) {
    std::string line = to_string(ev[i], m.trace) + " pfn=" + std::to_string(ev[i].pfn);
    for (std::int64_t n : ev[i].num) line += " " + std::to_string(n);
    v.push_back(line);
  }
  return v;
}

}  // namespace

TEST_SUITE("timeline") {
  TEST_CASE("every operation is on the timeline with the events it emitted") {
    Playground pg = traced_session();
    const auto ops = pg.timeline();
    REQUIRE(ops.size() == 4);
    CHECK(ops[0].label == "boot ram=128M cpus=2");
    CHECK(ops[1].label == "alloc_pages(GFP_KERNEL, 2)");
    CHECK(ops[2].label == "kmalloc(200)");
    CHECK(ops[3].label == "spawn A anon=8M");  // a one-line scenario is named by its line
    for (const auto& op : ops) CHECK(op.events > 0);
    // The events of an operation are its own: the alloc's begin with the allocator.
    auto alloc = pg.op_events(1, 0, ops[1].events);
    REQUIRE(alloc.size() == ops[1].events);
    CHECK(alloc.front().function() == "__alloc_pages");
    const Playground::Cursor c = pg.cursor();
    CHECK(c.at_end);
    CHECK(c.op == 3);
    CHECK(c.pos == ops[3].events);
  }

  TEST_CASE("operation boundaries meet: the end of one is the start of the next, bit for bit") {
    Playground pg = traced_session();
    const auto ops = pg.timeline();
    for (std::size_t i = 0; i + 1 < ops.size(); ++i) {
      CAPTURE(i);
      REQUIRE(pg.seek(i, ops[i].events));
      const Machine end_of_i = *pg.view();
      REQUIRE(pg.seek(i + 1, 0));
      require_same(*pg.view(), end_of_i);
    }
    REQUIRE(pg.seek(0, 0));
    CHECK(pg.view() == nullptr);  // before the first boot there is no machine
    CHECK(pg.frame_count() == 0);
  }

  TEST_CASE("inside an operation the replay retraces the recorded events exactly") {
    Playground pg = traced_session();
    const auto ops = pg.timeline();
    for (std::size_t op = 1; op < ops.size(); ++op) {
      // Every position of a short operation; about 40 spread over a long
      // one (each seek replays the operation up to the cursor).
      const std::size_t stride = std::max<std::size_t>(1, ops[op].events / 40);
      for (std::size_t pos = 1; pos < ops[op].events; pos += stride) {
        CAPTURE(op);
        CAPTURE(pos);
        REQUIRE(pg.seek(op, pos));
        const Machine* v = pg.view();
        REQUIRE(v != nullptr);
        // The replayed machine recorded exactly the events before the cursor.
        REQUIRE(pg.seek(op, ops[op].events));
        const Machine after = *pg.view();
        REQUIRE(pg.seek(op, pos));
        const std::size_t first = after.trace.events().size() - ops[op].events;
        CHECK(pg.view()->trace.events().size() == first + pos);
        CHECK(trace_text(*pg.view(), first, first + pos) == trace_text(after, first, first + pos));
      }
    }
  }

  TEST_CASE("stepping through an allocation shows the states in between, and the same place twice is the same state") {
    Playground pg = traced_session();
    const auto ops = pg.timeline();
    std::set<std::vector<std::uint8_t>> states;
    for (std::size_t pos = 0; pos <= ops[1].events; ++pos) {
      REQUIRE(pg.seek(1, pos));
      const MemMap& mem = pg.view()->mem;
      std::vector<std::uint8_t> st(mem.nr);
      for (Pfn p = 0; p < mem.nr; ++p) st[p] = static_cast<std::uint8_t>(mem.st(p));
      states.insert(st);
    }
    // Before, after, and at least one split or list move between them.
    CHECK(states.size() >= 3);
    REQUIRE(pg.seek(1, ops[1].events / 2));
    const Machine once = *pg.view();
    REQUIRE(pg.seek(3, 1));
    REQUIRE(pg.seek(1, ops[1].events / 2));
    require_same(*pg.view(), once);
    // A boot can be stepped too: half way through, part of memory is not free yet.
    REQUIRE(pg.seek(0, ops[0].events / 2));
    REQUIRE(pg.view() != nullptr);
    pg.seek_end();
    CHECK(pg.cursor().at_end);
  }

  TEST_CASE("reads follow the cursor; acting in the past discards the future") {
    Playground pg = traced_session();
    std::string live;
    REQUIRE(pg.proc("tasks", live));
    REQUIRE(pg.seek(3, 0));  // before "spawn A"
    std::string past;
    REQUIRE(pg.proc("tasks", past));
    CHECK(live.find(" A") != std::string::npos);
    CHECK(past.find(" A") == std::string::npos);
    const Machine shown = *pg.view();
    // A new operation starts from the state on screen: "spawn A" is gone.
    REQUIRE(pg.drain(-1));
    const auto ops = pg.timeline();
    REQUIRE(ops.size() == 4);
    CHECK(ops[3].label == "drain_all_pages");
    CHECK(pg.redo_depth() == 0);
    REQUIRE(pg.undo());
    require_same(*pg.machine(), shown);
    CHECK_FALSE(pg.seek(9, 0));  // past the timeline: refused, cursor unchanged
  }

  TEST_CASE(
      "a scenario is one operation per statement, in one group; its machine boots with the playground's options") {
    Playground pg;
    BootOptions traced;
    traced.trace = true;
    pg.set_boot_options(traced);
    auto r = pg.run_scenario("# a comment\nmachine ram=128M cpus=1\nspawn A anon=8M\n", "s.mm");
    REQUIRE(r);
    CHECK(r->ok());
    const auto ops = pg.timeline();
    REQUIRE(ops.size() == 2);  // the comment is nothing
    CHECK(ops[0].label == "machine ram=128M cpus=1");
    CHECK(ops[1].label == "spawn A anon=8M");
    CHECK(ops[0].group == ops[1].group);
    CHECK(ops[0].events > 1000);  // the boot's events
    CHECK(ops[1].events > 100);   // the spawn's faults
    REQUIRE(pg.seek(0, ops[0].events - 1));
    REQUIRE(pg.view() != nullptr);
    CHECK(pg.view()->trace.events().size() == ops[0].events - 1);
    REQUIRE(pg.seek(1, 5));
    CHECK(pg.view()->trace.events().size() == ops[0].events + 5);
  }

  TEST_CASE("undo to the origin after wandering the timeline restores the boot bit for bit") {
    Playground pg = traced_session();
    REQUIRE(pg.seek(1, 0));
    const Machine boot_state = *pg.view();
    REQUIRE(pg.seek(2, 3));
    pg.seek_end();
    while (pg.undo_depth() > 1) REQUIRE(pg.undo());
    require_same(*pg.machine(), boot_state);
  }
}

// The command box: statements on the running machine that remember the
// names they give, and leave nothing when they fail.
TEST_SUITE("session") {
  TEST_CASE("a command's names live on: kmalloc p in one command, kfree p in the next") {
    Playground pg;
    REQUIRE(pg.boot_shorthand("ram=256M cpus=2", "<machine>"));
    auto a = pg.run_command("kmalloc p 200", "cmd");
    REQUIRE(a);
    CHECK(a->ok());
    REQUIRE(pg.session() != nullptr);
    REQUIRE(pg.session()->objects.count("p") == 1);
    const u64 addr = pg.session()->objects.at("p").front().first;
    CHECK(slab_of(*pg.machine(), addr) != nullptr);
    auto f = pg.run_command("kfree p", "cmd");
    REQUIRE(f);
    CHECK(f->ok());
    CHECK(pg.session()->objects.count("p") == 0);
    // p was freed: a second kfree names nothing, and says so.
    auto again = pg.run_command("kfree p", "cmd");
    REQUIRE(again);
    REQUIRE_FALSE(again->ok());
    CHECK(again->failures.front().message.find("'p'") != std::string::npos);
  }

  TEST_CASE("a failed command is not an operation and changes nothing") {
    Playground pg;
    REQUIRE(pg.boot_shorthand("ram=256M cpus=1", "<machine>"));
    REQUIRE(pg.run_command("spawn A anon=8M", "cmd"));
    const std::size_t depth = pg.undo_depth();
    const Machine before = *pg.machine();
    // The first statement runs, the second fails: the spawn of B is undone too.
    auto r = pg.run_command("spawn B anon=8M\nkill nobody", "cmd");
    REQUIRE(r);
    REQUIRE_FALSE(r->ok());
    CHECK(r->failures.front().line == 2);
    CHECK(pg.undo_depth() == depth);
    CHECK(find_task(*pg.machine(), "B") == nullptr);
    require_same(*pg.machine(), before);
    // Undo takes back the last real operation, the spawn of A.
    REQUIRE(pg.undo());
    CHECK(find_task(*pg.machine(), "A") == nullptr);
  }

  TEST_CASE("undo and redo take a command's names back and forth; a boot forgets them") {
    Playground pg;
    REQUIRE(pg.boot_shorthand("ram=256M cpus=1", "<machine>"));
    REQUIRE(pg.run_command("alloc a order=2", "cmd"));
    REQUIRE(pg.run_command("kmalloc p 64", "cmd"));
    REQUIRE(pg.undo());  // the kmalloc: p is gone, a stays
    REQUIRE(pg.session() != nullptr);
    CHECK(pg.session()->objects.count("p") == 0);
    CHECK(pg.session()->pages.count("a") == 1);
    auto f = pg.run_command("kfree p", "cmd");
    REQUIRE(f);
    CHECK_FALSE(f->ok());
    REQUIRE(pg.redo_depth() == 1);  // a failed command discards no future
    REQUIRE(pg.redo());
    CHECK(pg.session()->objects.count("p") == 1);
    REQUIRE(pg.run_command("free a", "cmd"));
    CHECK(pg.session()->pages.count("a") == 0);
    REQUIRE(pg.boot_shorthand("ram=128M cpus=1", "<machine>"));
    CHECK(pg.session() == nullptr);
    auto k = pg.run_command("kfree p", "cmd");
    REQUIRE(k);
    CHECK_FALSE(k->ok());
  }

  TEST_CASE("a command can be stepped through: its replay runs with the names it had") {
    Playground pg;
    BootOptions traced;
    traced.trace = true;
    REQUIRE(pg.boot_shorthand("ram=128M cpus=1", "<machine>", traced));
    REQUIRE(pg.run_command("kmalloc p 4000", "cmd"));
    REQUIRE(pg.run_command("kfree p", "cmd"));
    const auto ops = pg.timeline();
    REQUIRE(ops.size() == 3);
    REQUIRE(ops[2].events > 2);
    // Inside the kfree the replay must find p (from the state before it).
    REQUIRE(pg.seek(2, ops[2].events - 1));
    REQUIRE(pg.view() != nullptr);
    CHECK(pg.view()->trace.events().back().code == pg.op_events(2, ops[2].events - 2, 1).front().code);
  }
}

TEST_SUITE("timeline") {
  // Long operations keep checkpoints while they run; a seek resumes the
  // loop from the last one before the cursor. The state it shows must be
  // the one a replay from the operation's start shows, at every position
  // tried, in each kind of resumable loop: the boot's ops, a read, a
  // spawn's faults (with reclaim), a repeat.
  TEST_CASE("a seek resumed from a checkpoint shows exactly what a replay from the start shows") {
    const char* scenario =
        "machine ram=128M cpus=2\n"
        "read big size=40M\n"
        "spawn hog anon=90M\n"
        "repeat 300 alloc x order=0\n";
    auto make = [&](std::size_t spacing) {
      Playground pg;
      pg.set_checkpoint_spacing(spacing);
      pg.set_boot_options(BootOptions{true});
      auto r = pg.run_scenario(scenario, "s.mm");
      REQUIRE(r);
      REQUIRE(r->ok());
      return pg;
    };
    Playground with = make(97), without = make(0);
    const auto ops = with.timeline();
    REQUIRE(ops.size() == 4);
    REQUIRE(without.timeline().size() == 4);
    for (std::size_t op = 0; op < ops.size(); ++op) {
      CAPTURE(op);
      REQUIRE(ops[op].events > 300);
      // Positions spread over the operation, a run of neighbours forward (a
      // seek goes on from where the last one stopped), a few back, and
      // forward again across a checkpoint.
      std::vector<std::size_t> at;
      for (std::size_t k = 1; k < 12; ++k) at.push_back(ops[op].events * k / 12);
      for (std::size_t k = 0; k < 40; ++k) at.push_back(ops[op].events / 2 + k);
      for (std::size_t k = 0; k < 5; ++k) at.push_back(ops[op].events / 2 + 30 - 7 * k);
      for (std::size_t k = 0; k < 300; k += 3) at.push_back(ops[op].events / 3 + k);
      for (std::size_t pos : at) {
        CAPTURE(pos);
        REQUIRE(with.seek(op, pos));
        REQUIRE(without.seek(op, pos));
        const Machine* a = with.view();
        const Machine* b = without.view();
        REQUIRE((a && b));
        REQUIRE(a->trace.events().size() == b->trace.events().size());
        const Event& ea = a->trace.events().back();
        const Event& eb = b->trace.events().back();
        REQUIRE(ea.code == eb.code);
        REQUIRE(ea.seq == eb.seq);
        require_same(*a, *b);
      }
    }
    // The checkpoints are memory the history holds: counted, and bounded.
    CHECK(with.history_bytes() > without.history_bytes());
  }

  // A replay records what was recorded before: the view a seek shows
  // shares the operation's stored events instead of a copy of the whole
  // trace (which cost a copy of a million events per step).
  TEST_CASE("a seek's view shares the recorded events with the machine after the operation") {
    Playground pg;
    pg.set_checkpoint_spacing(101);
    pg.set_boot_options(BootOptions{true});
    REQUIRE(pg.run_scenario("machine ram=128M cpus=2\nread big size=20M\nspawn hog anon=20M\n", "s.mm"));
    const auto ops = pg.timeline();
    REQUIRE(ops.size() == 3);
    const void* store = pg.machine()->trace.events_store();
    for (std::size_t op = 0; op < ops.size(); ++op)
      for (std::size_t k = 1; k < 8; ++k) {
        CAPTURE(op);
        CAPTURE(k);
        REQUIRE(pg.seek(op, ops[op].events * k / 8));
        const Machine* v = pg.view();
        REQUIRE(v != nullptr);
        if (op > 0) CHECK(v->trace.events_store() == store);
      }
  }

  // The narration's breadcrumbs come from op_crumbs, which walks back from
  // the event by depth instead of reading the operation from its start:
  // at every event of a boot, an allocation with pcp refill and a scenario,
  // they are the 'begin' records a forward walk finds open.
  TEST_CASE("op_crumbs gives the phases a forward walk finds open, at every event") {
    Playground pg;
    pg.set_boot_options(BootOptions{true});
    REQUIRE(pg.run_scenario("machine ram=128M cpus=2\nalloc a order=3\nspawn t anon=8M\nkmalloc p 300\n", "s.mm"));
    const auto ops = pg.timeline();
    REQUIRE(ops.size() == 4);
    std::size_t checked = 0;
    for (std::size_t op = 0; op < ops.size(); ++op) {
      const std::vector<Event> evs = pg.op_events(op, 0, ops[op].events);
      std::vector<Event> open;
      for (std::size_t i = 0; i < evs.size(); ++i) {
        CAPTURE(op);
        CAPTURE(i);
        const std::vector<Event> got = pg.op_crumbs(op, i);
        REQUIRE(got.size() == open.size());
        for (std::size_t k = 0; k < got.size(); ++k) REQUIRE(got[k].seq == open[k].seq);
        if (evs[i].kind == EventKind::Begin) open.push_back(evs[i]);
        if (evs[i].kind == EventKind::End && !open.empty()) open.pop_back();
        ++checked;
      }
      CHECK(pg.op_crumbs(op, ops[op].events).empty());  // past the end: none
    }
    CHECK(checked > 5000);
    CHECK(pg.op_crumbs(ops.size(), 0).empty());
  }

  // The boot's two long loops run in units of their own (a block of
  // memblock_free_all, a pageblock of deferred_init_memmap), so that a step
  // inside a large machine's boot resumes close by. Each kind is tried at
  // positions spread over it, with checkpoints 61 events apart.
  TEST_CASE("a boot resumed inside memblock_free_all and deferred_init_memmap shows what a replay shows") {
    auto make = [](std::size_t spacing) {
      Playground pg;
      pg.set_checkpoint_spacing(spacing);
      REQUIRE(pg.boot_shorthand("ram=1G cpus=2", "<machine>", BootOptions{true}));
      return pg;
    };
    Playground with = make(61), without = make(0);
    const std::size_t n = with.timeline()[0].events;
    const std::vector<Event> evs = with.op_events(0, 0, n);
    // Positions (after event k) whose event lies inside each loop.
    std::vector<std::size_t> in_free_all, in_deferred;
    std::vector<Ev> open;
    for (std::size_t k = 0; k < evs.size(); ++k) {
      const Event& e = evs[k];
      if (e.kind == EventKind::Begin) open.push_back(e.code);
      const bool inside_free_all = std::find(open.begin(), open.end(), Ev::free_pages_memory) != open.end();
      const bool inside_deferred = std::find(open.begin(), open.end(), Ev::deferred_init_memmap) != open.end();
      if (inside_free_all) in_free_all.push_back(k + 1);
      if (inside_deferred) in_deferred.push_back(k + 1);
      if (e.kind == EventKind::End && !open.empty()) open.pop_back();
    }
    REQUIRE(in_free_all.size() > 50);
    REQUIRE(in_deferred.size() > 500);
    // Checkpoints fall inside both loops (a seek there need not replay the loop).
    const std::vector<std::size_t> cps = with.checkpoints_of(0);
    auto has_checkpoint_in = [&](const std::vector<std::size_t>& positions) {
      return std::any_of(cps.begin(), cps.end(), [&](std::size_t at) {
        return std::binary_search(positions.begin(), positions.end(), at + 1);
      });
    };
    CHECK(has_checkpoint_in(in_free_all));
    CHECK(has_checkpoint_in(in_deferred));
    for (const auto* positions : {&in_free_all, &in_deferred}) {
      for (std::size_t j = 1; j < 10; ++j) {
        const std::size_t pos = (*positions)[positions->size() * j / 10];
        CAPTURE(pos);
        REQUIRE(with.seek(0, pos));
        REQUIRE(without.seek(0, pos));
        const Machine* a = with.view();
        const Machine* b = without.view();
        REQUIRE((a && b));
        REQUIRE(a->trace.events().size() == b->trace.events().size());
        REQUIRE(a->trace.events().back().seq == b->trace.events().back().seq);
        REQUIRE(a->totalram_pages == b->totalram_pages);
        require_same(*a, *b);
      }
    }
    // And the boot still ends where it did.
    with.seek_end();
    without.seek_end();
    require_same(*with.machine(), *without.machine());
  }
}

TEST_SUITE("scenario") {
  // `free pfn=` is a statement a link or a scenario can hold: it refuses a
  // block that a slab or a task keeps books on, as the page's click does,
  // and the machine stays whole.
  TEST_CASE("free pfn= refuses a slab's page and a task's page; nothing is corrupted") {
    Playground pg;
    REQUIRE(pg.boot_shorthand("ram=128M cpus=1", "<machine>"));
    REQUIRE(pg.run_command("kmalloc p 100\nspawn t anon=4M", "cmd"));
    auto head_owned_by = [&](Owner o) {
      const Machine& m = *pg.machine();
      for (Pfn p = 0; p < m.mem.nr; ++p)
        if (m.mem.st(p) == FrameState::Alloc && m.mem.owner_of(p) == o) return p;
      return Pfn{0};
    };
    for (Owner o : {Owner::Slab, Owner::User}) {
      const Pfn pfn = head_owned_by(o);
      REQUIRE(pfn != 0);
      const std::size_t depth = pg.undo_depth();
      auto r = pg.run_command("free pfn=" + std::to_string(pfn) + " order=0", "cmd");
      REQUIRE(r);
      REQUIRE_FALSE(r->ok());
      CHECK(r->failures.front().message.find("free: pfn " + std::to_string(pfn)) == 0);
      CHECK(pg.undo_depth() == depth);  // no operation
    }
    REQUIRE(pg.run_command("kmalloc q 100\nkill t\nspawn u anon=8M", "cmd"));
    CHECK(pg.check().empty());
  }
}
