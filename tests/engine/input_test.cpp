// Bad input: every mistake is a Diagnostic that says where and why, and
// nothing crashes. Also the scenario language.
#include <doctest/doctest.h>

#include "text/parse/dmesg.h"
#include "session/playground.h"
#include "session/scenario.h"
#include "test_util.h"

using namespace mm;

namespace {
const char* kMini =
    "[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
    "[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x0000000007ffffff] usable\n";

ScenarioResult run(const std::string& text) {
  auto sc = parse_scenario(text, "t.mm");
  REQUIRE_MESSAGE(sc, (sc ? std::string() : sc.diag().str()));
  return run_scenario(*sc, [](const std::string&) { return std::nullopt; });
}
}  // namespace

TEST_SUITE("input") {
  TEST_CASE("a minimal log boots with the model") {
    auto plan = plan_from_dmesg(kMini, "mini.txt");
    REQUIRE(plan);
    auto m = mmtest::boot_checked(*plan);
    CHECK(m->max_pfn == 0x8000);
  }

  TEST_CASE("malformed dmesg lines point at the line and column") {
    std::string bad = std::string(kMini) + "[    0.000000] BIOS-e820: [mem 0x00000000zz-0x1] usable\n";
    auto p = plan_from_dmesg(bad, "bad.txt");
    REQUIRE_FALSE(p);
    CHECK(p.diag().file == "bad.txt");
    CHECK(p.diag().line == 3);
    CHECK(p.diag().col == 42);  // the first "z"
    CHECK(p.diag().str().rfind("bad.txt:3:42: error: ", 0) == 0);

    auto q = plan_from_dmesg("memblock_reserve: [0x1000-0x0fff] x+1/2\nBIOS-e820: [mem 0x0-0x9fbff] usable\n"
                             "BIOS-e820: [mem 0x100000-0x7ffffff] usable\n",
                             "q.txt");
    REQUIRE_FALSE(q);
    CHECK(q.diag().line == 1);
    CHECK(q.diag().message.find("ends before it starts") != std::string::npos);

    auto none = plan_from_dmesg("hello\nworld\n", "x.txt");
    REQUIRE_FALSE(none);
    CHECK(none.diag().message.find("BIOS-e820") != std::string::npos);

    auto huge = plan_from_dmesg("BIOS-e820: [mem 0x0-0x9fbff] usable\nBIOS-e820: [mem 0x100000-0xfffffffffff] usable\n", "h.txt");
    REQUIRE_FALSE(huge);
    CHECK(huge.diag().message.find("64G") != std::string::npos);

    auto types = plan_from_dmesg("BIOS-e820: [mem 0x0-0x9fbff] bogus\n", "t.txt");
    REQUIRE_FALSE(types);
    CHECK(types.diag().col == 30);
  }

  TEST_CASE("garbage never crashes the importer or the boot") {
    std::string real = *mmtest::read_file(mmtest::reference_dir() + "/m1g-smp2/dmesg.txt");
    // Cut the log at many places, and flip characters: every result is a
    // clean boot or a Diagnostic.
    unsigned seed = 12345;
    for (int i = 0; i < 40; ++i) {
      std::string t = real.substr(0, real.size() * static_cast<size_t>(i + 1) / 41);
      for (int k = 0; k < i; ++k) {
        seed = seed * 1103515245 + 12345;
        size_t pos = (seed >> 8) % t.size();
        t[pos] = "0x[]-: \n9f"[seed % 10];
      }
      Playground pg;
      Status s = pg.boot_dmesg(t, "cut.txt");
      if (s) CHECK(pg.check().empty());
      else CHECK_FALSE(s.diag().message.empty());
    }
  }

  TEST_CASE("scenario: expectations pass and fail with their line and column") {
    auto r = run("# a comment\n"
                 "machine ram=256M cpus=1\n"
                 "expect zone DMA32 spanned == 61408\n"
                 "expect zone DMA managed > 0   # trailing comment\n"
                 "expect node 0 zone DMA32 pcp.batch == 15\n"
                 "expect zone DMA protection[1] == 181\n"
                 "expect min_free_kbytes != 0\n"
                 "expect log contains \"Built 1 zonelists\"\n"
                 "expect proc buddyinfo contains \"zone    DMA32\"\n"
                 "expect zone DMA32 managed == 1\n");
    CHECK(r.expects_passed == 7);
    CHECK(r.expects_failed == 1);
    REQUIRE(r.failures.size() == 1);
    CHECK(r.failures[0].line == 10);
    CHECK(r.failures[0].col == 8);
    CHECK(r.failures[0].message.find("is 48847") != std::string::npos);
  }

  TEST_CASE("scenario: proc, log and echo print") {
    auto r = run("machine ram=128M cpus=1\necho hello\nproc buddyinfo\n");
    CHECK(r.ok());
    CHECK(r.output.rfind("hello\nNode 0, zone      DMA", 0) == 0);
  }

  TEST_CASE("scenario: typos are caught by check, with FILE:LINE:COL") {
    auto bad = [](const std::string& text) { return parse_scenario(text, "s.mm"); };
    auto a = bad("machine ram=1G cpus=2\nprco zoneinfo\n");
    REQUIRE_FALSE(a);
    CHECK(a.diag().str().rfind("s.mm:2:1: error: unknown statement 'prco': did you mean 'proc'? (statements: machine, dmesg, proc,", 0) == 0);
    auto b = bad("machine ram=1G cpsu=2\n");
    REQUIRE_FALSE(b);
    CHECK(b.diag().line == 1);
    CHECK(b.diag().col == 16);
    auto c = bad("machine ram=1G\nexpect zone DMA33 managed == 1\n");
    REQUIRE_FALSE(c);
    CHECK(c.diag().col == 13);
    auto d = bad("machine ram=1G\nexpect zone DMA32 managed =< 1\n");
    REQUIRE_FALSE(d);
    CHECK(d.diag().col == 27);
    auto e = bad("proc zoneinfo\n");
    REQUIRE_FALSE(e);
    CHECK(e.diag().message.find("needs a machine") != std::string::npos);
    auto f = bad("machine ram=1G\nexpect zone DMA32 managd == 1\n");
    REQUIRE_FALSE(f);
    CHECK(f.diag().col == 19);
    auto g = bad("machine ram=1G\nproc slabinfoo\n");
    REQUIRE_FALSE(g);
    CHECK(g.diag().col == 6);
  }

  TEST_CASE("scenario: a dmesg the loader cannot read is a failure, not a crash") {
    auto sc = parse_scenario("dmesg nowhere.txt\nproc zoneinfo\n", "s.mm");
    REQUIRE(sc);
    auto r = run_scenario(*sc, [](const std::string&) { return std::nullopt; });
    REQUIRE(r.failures.size() == 1);
    CHECK(r.failures[0].message.find("cannot read") != std::string::npos);
  }
}
