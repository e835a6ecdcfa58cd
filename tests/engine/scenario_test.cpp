// The scenario language: each statement parses into its own struct with
// typed fields; every bad argument points at its column; unknown words get
// the nearest known one; running a scenario is deterministic.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "mm/core/machine.h"
#include "mm/slab/slub.h"
#include "session/playground.h"
#include "session/scenario.h"
#include "text/scenario/suggest.h"

using namespace mm;

namespace {

Scenario parsed(const std::string& text) {
  auto sc = parse_scenario(text, "s.mm");
  REQUIRE_MESSAGE(sc, (sc ? std::string() : sc.diag().str()));
  return std::move(*sc);
}

// The one statement after a `machine` line.
template <class S>
S only(const std::string& line) {
  Scenario sc = parsed("machine ram=256M cpus=2\n" + line + "\n");
  REQUIRE(sc.stmts.size() == 2);
  const S* s = std::get_if<S>(&sc.stmts[1]);
  REQUIRE_MESSAGE(s, line);
  CHECK(s->at.line == 2);
  return *s;
}

Diagnostic error_of(const std::string& text) {
  auto sc = parse_scenario(text, "e.mm");
  REQUIRE_MESSAGE(!sc, text);
  return sc.diag();
}

}  // namespace

TEST_SUITE("scenario") {
  TEST_CASE("every statement kind parses into its struct with typed fields") {
    {
      Scenario sc = parsed("  machine ram=512M cpus=2 # two CPUs\n");
      const auto& m = std::get<stmt::Machine>(sc.stmts[0]);
      CHECK(m.at.line == 1);
      CHECK(m.at.col == 11);
      CHECK(m.text == "ram=512M cpus=2");
      CHECK(m.spec.cpus == 2);
      CHECK(m.spec.usable_bytes() > (400ull << 20));
    }
    {
      Scenario sc = parsed("dmesg captures/x.txt\n");
      const auto& d = std::get<stmt::Dmesg>(sc.stmts[0]);
      CHECK(d.path == "captures/x.txt");
      CHECK(d.at.col == 7);
    }
    CHECK(only<stmt::Proc>("proc kmem-f").view == ProcView::kmem_f);
    CHECK(only<stmt::Proc>("proc slabinfo").at.col == 6);
    CHECK(only<stmt::Log>("log").at.col == 1);
    CHECK(only<stmt::Check>("  check").at.col == 3);
    CHECK(only<stmt::Echo>("echo  two  words # not this").text == "two  words");
    {
      auto e = only<stmt::ExpectFigure>("expect node 0 zone DMA32 cpu1.pcp.batch >= -5");
      CHECK(e.at.col == 8);
      CHECK(e.text == "node 0 zone DMA32 cpu1.pcp.batch");
      CHECK(e.op == CmpOp::ge);
      CHECK(e.value == -5);
      const auto& z = std::get<fig::Zone>(e.figure);
      CHECK(z.node == 0);
      CHECK(z.zone == idx(ZoneType::DMA32));
      CHECK(z.field == ZoneField::pcp_batch);
      CHECK(z.cpu == 1);
    }
    {
      const auto z = std::get<fig::Zone>(only<stmt::ExpectFigure>("expect zone DMA protection[1] == 181").figure);
      CHECK(z.field == ZoneField::protection);
      CHECK(z.index == 1);
      const auto n = std::get<fig::Zone>(only<stmt::ExpectFigure>("expect zone Normal nr_free[10] > 0").figure);
      CHECK(n.field == ZoneField::nr_free);
      CHECK(n.index == 10);
      const auto b = std::get<fig::Zone>(only<stmt::ExpectFigure>("expect zone DMA32 pageblocks.Movable > 0").figure);
      CHECK(b.field == ZoneField::pageblocks);
      CHECK(b.index == static_cast<int>(idx(MigrateType::Movable)));
    }
    CHECK(std::get<fig::Global>(only<stmt::ExpectFigure>("expect min_free_kbytes != 0").figure).what ==
          GlobalFigure::min_free_kbytes);
    {
      const auto t = std::get<fig::Task>(only<stmt::ExpectFigure>("expect task hog badness < 10").figure);
      CHECK(t.task == "hog");
      CHECK(t.field == TaskField::badness);
      const auto c = std::get<fig::Cache>(only<stmt::ExpectFigure>("expect cache kmalloc-64 objperslab == 64").figure);
      CHECK(c.cache == "kmalloc-64");
      CHECK(c.field == CacheField::objperslab);
      const auto h = std::get<fig::Handle>(only<stmt::ExpectFigure>("expect a.b.count == 2").figure);
      CHECK(h.handle == "a.b");
      CHECK(h.field == HandleField::count);
    }
    {
      auto e = only<stmt::ExpectContains>("expect log contains \"Built # 1\"");
      CHECK_FALSE(e.proc);
      CHECK(e.needle == "Built # 1");
      auto p = only<stmt::ExpectContains>("expect proc buddyinfo contains \"DMA32\"");
      REQUIRE(p.proc);
      CHECK(*p.proc == ProcView::buddyinfo);
      CHECK(p.at.col == 8);
    }
    {
      auto a = only<stmt::Alloc>("alloc big order=3 gfp=GFP_KERNEL|__GFP_ZERO cpu=1 node=0");
      CHECK(a.handle == "big");
      CHECK(a.order == 3);
      CHECK(a.gfp == (gfp::GFP_KERNEL | gfp::ZERO));
      CHECK(a.cpu == 1);
      CHECK(a.node == 0);
      CHECK(a.repeat == 1);
      CHECK(a.at.col == 1);
      auto r = only<stmt::Alloc>("repeat 1000 alloc hog gfp=GFP_HIGHUSER_MOVABLE");
      CHECK(r.repeat == 1000);
      CHECK(r.handle == "hog");
      CHECK(r.gfp == gfp::GFP_HIGHUSER_MOVABLE);
      CHECK(r.at.col == 13);
      auto anon = only<stmt::Alloc>("alloc order=2");
      CHECK(anon.handle.empty());
      CHECK(anon.gfp == gfp::GFP_KERNEL);
      CHECK(anon.node == -1);
    }
    {
      auto f = only<stmt::Free>("free big cpu=1");
      CHECK(f.handle == "big");
      CHECK_FALSE(f.pfn);
      CHECK(f.cpu == 1);
      auto p = only<stmt::Free>("free pfn=4096 order=3");
      REQUIRE(p.pfn);
      CHECK(*p.pfn == 4096);
      CHECK(p.order == 3);
    }
    {
      auto d = only<stmt::Drain>("drain cpu=1");
      CHECK_FALSE(d.all);
      CHECK(d.cpu == 1);
      CHECK(d.cpu_col == 11);
      CHECK(only<stmt::Drain>("drain all").all);
    }
    {
      auto s = only<stmt::Spawn>("spawn hog anon=200M file=50M shmem=4K adj=-500 cpu=1 thread_of=web bind=0-1+3");
      CHECK(s.name == "hog");
      CHECK(s.at.col == 7);
      CHECK(s.anon == (200ull << 20));
      CHECK(s.file == (50ull << 20));
      CHECK(s.shmem == 4096);
      CHECK(s.adj == -500);
      CHECK(s.cpu == 1);
      CHECK(s.thread_of == "web");
      CHECK(s.thread_of_col == 64);
      CHECK(s.bind == std::vector<int>{0, 1, 3});
    }
    {
      auto g = only<stmt::Grow>("grow hog anon=100M");
      CHECK(g.name == "hog");
      CHECK(g.anon == (100ull << 20));
      CHECK(only<stmt::Exit>("exit hog").name == "hog");
      CHECK_FALSE(only<stmt::Exit>("exit hog").kill);
      CHECK(only<stmt::Exit>("kill hog").kill);
      auto r = only<stmt::Read>("read data.bin size=300M cpu=1");
      CHECK(r.name == "data.bin");
      CHECK(r.size == (300ull << 20));
      CHECK(r.cpu == 1);
      CHECK(only<stmt::DropCaches>("drop_caches").at.col == 1);
      CHECK(only<stmt::Swap>("swap 1G").size == (1ull << 30));
      auto o = only<stmt::OomScoreAdj>("oom_score_adj hog -1000");
      CHECK(o.name == "hog");
      CHECK(o.adj == -1000);
    }
    {
      auto k = only<stmt::Kmalloc>("kmalloc obj 100 gfp=GFP_KERNEL_ACCOUNT cpu=1");
      CHECK(k.handle == "obj");
      CHECK(k.size == 100);
      CHECK(k.gfp == gfp::GFP_KERNEL_ACCOUNT);
      CHECK(k.cpu == 1);
      CHECK(k.at.col == 9);
      auto f = only<stmt::Kfree>("kfree obj cpu=1");
      CHECK(f.handle == "obj");
      CHECK(f.cpu == 1);
      auto c =
          only<stmt::KmemCacheCreate>("kmem_cache_create figo_object 20 align=8 flags=SLAB_HWCACHE_ALIGN|SLAB_ACCOUNT");
      CHECK(c.name == "figo_object");
      CHECK(c.size == 20);
      CHECK(c.align == 8);
      CHECK(c.flags == (slabf::HWCACHE_ALIGN | slabf::ACCOUNT));
      auto a = only<stmt::KmemCacheAlloc>("kmem_cache_alloc h figo_object gfp=GFP_ATOMIC cpu=1");
      CHECK(a.handle == "h");
      CHECK(a.cache == "figo_object");
      CHECK(a.cache_col == 20);
      CHECK(a.gfp == gfp::GFP_ATOMIC);
      CHECK(a.cpu == 1);
      CHECK(only<stmt::KmemCacheFree>("kmem_cache_free h cpu=1").cpu == 1);
      CHECK(only<stmt::KmemCacheShrink>("kmem_cache_shrink kmalloc-128").cache == "kmalloc-128");
      CHECK(only<stmt::KmemCacheDestroy>("kmem_cache_destroy figo_object").cache == "figo_object");
      CHECK(only<stmt::Slab>("slab kmalloc-128").cache == "kmalloc-128");
    }
  }

  TEST_CASE("a bad value of each kind points at its column") {
    struct Case {
      const char* line;
      int col;
      const char* message;
    };
    const Case cases[] = {
        {"alloc a cpu=x", 13, "expected a CPU number (0 to 8191), got 'x'"},
        {"alloc a cpu=8192", 13, "expected a CPU number (0 to 8191), got '8192'"},
        {"alloc a node=64", 14, "expected a node number (0 to 63), got '64'"},
        {"alloc a order=11", 15, "expected an order (0 to 10), got '11'"},
        {"free pfn=-1 order=0", 10, "expected a page frame number, got '-1'"},
        {"alloc a gfp=GFP_KERNEL|GFP_KERNAL", 24, "unknown gfp flag 'GFP_KERNAL' (did you mean GFP_KERNEL?)"},
        {"repeat 0 alloc a", 8, "expected a repeat count (1 to 999999), got '0'"},
        {"spawn a anon=12Q", 14, "expected a size like 200M, got '12Q'"},
        {"spawn a adj=1001", 13, "expected an oom_score_adj (-1000 to 1000), got '1001'"},
        {"spawn a bind=1-0", 14, "expected a node list like 1, 0-1 or 0+2, got '1-0'"},
        {"spawn a thread_of=a_very_long_task_name", 19, "task names have at most 15 characters (TASK_COMM_LEN)"},
        {"spawn a_very_long_task_name", 7, "task names have at most 15 characters (TASK_COMM_LEN)"},
        {"swap 1X", 6, "expected a size like 200M, got '1X'"},
        {"oom_score_adj a x", 17, "expected an oom_score_adj (-1000 to 1000), got 'x'"},
        {"kmalloc a 1k", 11, "expected a size in bytes, got '1k'"},
        {"kmem_cache_create c 0", 21, "expected a size in bytes, got '0'"},
        {"kmem_cache_create c 8 align=3", 29, "expected an alignment (0 or a power of two up to 4096), got '3'"},
        {"kmem_cache_create c 8 flags=SLAB_NOPE", 29, "unknown slab flag 'SLAB_NOPE'"},
        {"kmalloc a 8 gfp=__GFP_MOVABLE|__GFP_RECLAIMABLE", 17, "together name no migrate type"},
        {"alloc a order=1 gfp=__GFP_DMA|__GFP_DMA32", 21, "ask for two zones at once"},
        {"expect cpus == 1x", 16, "expected a whole number, got '1x'"},
        {"expect cpus =< 1", 13, "unknown operator '=<': did you mean '<='? (operators: ==, !=, <, <=, >, >=)"},
        {"expect zone DMA32 cpu9999.pcp.high == 1", 22, "expected a CPU number (0 to 8191), got '9999'"},
        {"expect zone DMA nr_free[11] == 1", 25, "expected an order (0 to 10), got '11'"},
        {"expect zone DMA protection[5] == 1", 28, "expected a zone index (0 to 4), got '5'"},
        {"expect zone DMA pageblocks.Movible == 1", 28, "unknown migrate type 'Movible': did you mean 'Movable'?"},
        {"expect node 99 zone DMA free == 1", 13, "expected a node number (0 to 63), got '99'"},
        {"expect zone DMA free extra == 1", 22, "unexpected words after the figure"},
        {"expect proc zoneinf contains \"x\"", 13, "unknown /proc view 'zoneinf': did you mean 'zoneinfo'?"},
        {"expect log contains x", 21, "expected a quoted string after 'contains'"},
        {"proc buddyinf", 6, "unknown /proc view 'buddyinf': did you mean 'buddyinfo'?"},
        {"drain cpu=1 bogus", 13, "unexpected 'bogus' (arguments are key=value)"},
        {"log now", 5, "unexpected 'now' (expected: log)"},
        {"exit a cpu=1", 8, "unexpected 'cpu=1' (expected: exit NAME)"},
        {"kmem_cache_alloc h c=1", 20, "expected: kmem_cache_alloc HANDLE CACHE [gfp=MASK] [cpu=N]"},
        {"read f", 1, "read needs size=SIZE"},
        {"free a pfn=1 order=0", 1, "free takes a handle name or pfn=N, not both"},
        {"free pfn=1", 1, "free pfn=N needs order=N"},
    };
    for (const Case& c : cases) {
      INFO(c.line);
      const Diagnostic d = error_of(std::string("machine ram=256M\n") + c.line + "\n");
      CHECK(d.file == "e.mm");
      CHECK(d.line == 2);
      CHECK(d.col == c.col);
      CHECK(d.message.find(c.message) != std::string::npos);
    }
  }

  TEST_CASE("a NUL byte is refused where it is, not read as the end of the line") {
    using namespace std::string_literals;
    CHECK(error_of("machine ram=256M\necho a\0b\n"s).str() ==
          "e.mm:2:7: error: a NUL byte: a scenario is text (is this a binary file?)");
  }

  TEST_CASE("an unknown statement lists the language and suggests the nearest") {
    std::string all;
    for (std::string_view w : statement_words()) all += (all.empty() ? "" : ", ") + std::string(w);
    CHECK(statement_words().size() == 27);
    CHECK(all.rfind("machine, dmesg, proc, log, check, echo, expect, alloc, repeat, free, drain, spawn,", 0) == 0);
    const Diagnostic k = error_of("machine ram=256M\n  kmaloc x 8\n");
    CHECK(k.str() == "e.mm:2:3: error: unknown statement 'kmaloc': did you mean 'kmalloc'? (statements: " + all + ")");
    CHECK(error_of("machine ram=256M\nprco zoneinfo\n").message.find("did you mean 'proc'?") != std::string::npos);
    CHECK(error_of("machine ram=256M\nspwan A\n").message.find("did you mean 'spawn'?") != std::string::npos);
    CHECK(error_of("machine ram=256M\nkmem_cache_destory c\n").message.find("did you mean 'kmem_cache_destroy'?") !=
          std::string::npos);
    // Nothing close: the list alone.
    CHECK(error_of("machine ram=256M\nxyzzy\n").message == "unknown statement 'xyzzy' (statements: " + all + ")");
  }

  TEST_CASE("unknown option keys and figure names get the nearest known one") {
    auto msg = [](const std::string& line) { return error_of("machine ram=256M\n" + line + "\n"); };
    const Diagnostic o = msg("alloc a ordr=3");
    CHECK(o.col == 9);
    CHECK(o.message == "unknown argument 'ordr': did you mean 'order'? (arguments of alloc: order, gfp, cpu, node)");
    CHECK(msg("spawn a anno=1M").message.find("did you mean 'anon'?") != std::string::npos);
    CHECK(msg("kmem_cache_create c 8 flag=0").message.find("did you mean 'flags'?") != std::string::npos);
    CHECK(msg("drain cpus=1").message == "unknown argument 'cpus': did you mean 'cpu'? (arguments of drain: cpu)");
    CHECK(msg("alloc a zzz=1").message == "unknown argument 'zzz' (arguments of alloc: order, gfp, cpu, node)");
    const Diagnostic f = msg("expect min_free_kbyte == 1");
    CHECK(f.col == 8);
    CHECK(f.message.rfind(
              "unknown figure 'min_free_kbyte': did you mean 'min_free_kbytes'? (figures: min_free_kbytes, ", 0) == 0);
    CHECK(msg("expect zon DMA free == 1").message.find("did you mean 'zone'?") != std::string::npos);
    const Diagnostic z = msg("expect zone DMA33 managed == 1");
    CHECK(z.col == 13);
    CHECK(z.message == "unknown zone 'DMA33': did you mean 'DMA32'? (zones: DMA, DMA32, Normal, Movable, Device)");
    const Diagnostic zf = msg("expect zone DMA32 managd == 1");
    CHECK(zf.col == 19);
    CHECK(zf.message.rfind("unknown zone field 'managd': did you mean 'managed'? (zone fields: free, ", 0) == 0);
    CHECK(msg("expect task a oom_scor == 1").message.find("did you mean 'oom_score'?") != std::string::npos);
    CHECK(msg("expect cache c objsiz == 1").message.find("did you mean 'objsize'?") != std::string::npos);
    CHECK(msg("expect zone DMA32 qqq == 1").message.find("did you mean") == std::string::npos);
  }

  TEST_CASE("suggestions: edit distance and how near is near enough") {
    CHECK(edit_distance("kmaloc", "kmalloc") == 1);
    CHECK(edit_distance("prco", "proc") == 1);  // two neighbours swapped
    CHECK(edit_distance("", "log") == 3);
    CHECK(edit_distance("abc", "abc") == 0);
    const std::string_view words[] = {"log", "check", "echo"};
    CHECK(nearest("lgo", words) == std::optional<std::string_view>("log"));
    CHECK(nearest("chek", words) == std::optional<std::string_view>("check"));
    CHECK_FALSE(nearest("xyz", words));
    CHECK_FALSE(nearest("", words));
  }

  TEST_CASE("run_statement runs one statement on a session, keeping its handles") {
    Scenario sc = parsed(
        "machine ram=256M cpus=2\n"
        "alloc a order=2\n"
        "kmalloc p 100\n"
        "expect a.count == 1\n"
        "kfree p\n"
        "free a\n"
        "expect a.count == 0\n");
    Playground pg;
    SessionState state;
    ScenarioResult r;
    const FileLoader none;
    const RunContext ctx{"s.mm", &none, true};
    for (std::size_t i = 0; i < 3; ++i) REQUIRE(run_statement(pg, sc.stmts[i], state, r, ctx));
    CHECK(state.pages.at("a").size() == 1);
    CHECK(state.objects.at("p").size() == 1);
    CHECK(state.allocs_ok == 1);
    for (std::size_t i = 3; i < sc.stmts.size(); ++i) REQUIRE(run_statement(pg, sc.stmts[i], state, r, ctx));
    CHECK(r.ok());
    CHECK(r.expects_passed == 2);
    CHECK(state.pages.count("a") == 0);  // freed: the name is free again
    CHECK(state.objects.count("p") == 0);
    // A failure points at the statement's own column, or its argument's.
    Scenario bad =
        parsed("machine ram=256M cpus=2\ndrain cpu=5\nspawn t thread_of=nobody\nkmem_cache_alloc h nosuch\n");
    ScenarioResult rb = run_scenario(bad, none);
    REQUIRE(rb.failures.size() == 3);
    CHECK(rb.failures[0].str() == "s.mm:2:11: error: drain: no CPU 5");
    CHECK(rb.failures[1].str() == "s.mm:3:19: error: spawn: no live task named 'nobody'");
    CHECK(rb.failures[2].str() == "s.mm:4:20: error: no slab cache named 'nosuch'");
  }

  TEST_CASE("running the same scenario twice records the same typed events") {
    const char* text =
        "machine ram=128M cpus=2\n"
        "alloc a order=3 cpu=1\n"
        "repeat 20 alloc b gfp=GFP_HIGHUSER_MOVABLE\n"
        "kmem_cache_create figo 40 align=8\n"
        "kmem_cache_alloc o figo\n"
        "kmalloc k 300 cpu=1\n"
        "spawn A anon=8M\n"
        "free a\n"
        "kfree k\n"
        "drain all\n";
    // The events as data: code, kind, depth, and every declared argument
    // (strings by their text, not their index); legacy records by their numbers.
    auto typed = [&] {
      Playground pg;
      BootOptions traced;
      traced.trace = true;
      pg.set_boot_options(traced);
      auto r = pg.run_scenario(text, "det.mm");
      REQUIRE(r);
      REQUIRE_MESSAGE(r->ok(), (r->failures.empty() ? std::string() : r->failures[0].str()));
      const Trace& t = *pg.trace();
      std::vector<std::vector<std::int64_t>> v;
      std::vector<std::string> strings;
      for (const Event& e : t.events()) {
        std::vector<std::int64_t> rec = {static_cast<std::int64_t>(e.code), static_cast<std::int64_t>(e.kind), e.depth};
        const EventSpec& s = e.spec();
        for (unsigned i = 0; i < s.nargs; ++i) {
          const Arg a = s.args[i];
          if (kArgInfo[static_cast<unsigned>(a)].type == ArgType::kStr)
            strings.push_back(t.string_at(static_cast<std::size_t>(e.get(a))));
          else
            rec.push_back(e.get(a));
        }
        v.push_back(std::move(rec));
      }
      return std::make_pair(v, strings);
    };
    const auto first = typed();
    const auto second = typed();
    CHECK(first.first.size() > 1000);
    CHECK(first.first == second.first);
    CHECK(first.second == second.second);
  }
}
