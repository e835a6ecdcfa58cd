// Bad input: every mistake is a Diagnostic that says where and why, and
// nothing crashes. Also the scenario language.
#include <doctest/doctest.h>

#include "session/playground.h"
#include "session/scenario.h"
#include "test_util.h"
#include "text/parse/dmesg.h"

using namespace mm;

namespace {
const char* kMini =
    "[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
    "[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x0000000007ffffff] usable\n";

// The notes a plan carries about its command line (not the one that says
// the log has no memblock=debug lines).
std::vector<std::string> cmdline_notes(const BootPlan& p) {
  std::vector<std::string> out;
  for (const std::string& n : p.notes)
    if (n.find("memblock=debug") == std::string::npos) out.push_back(n);
  return out;
}

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

    auto q = plan_from_dmesg(
        "memblock_reserve: [0x1000-0x0fff] x+1/2\nBIOS-e820: [mem 0x0-0x9fbff] usable\n"
        "BIOS-e820: [mem 0x100000-0x7ffffff] usable\n",
        "q.txt");
    REQUIRE_FALSE(q);
    CHECK(q.diag().line == 1);
    CHECK(q.diag().message.find("ends before it starts") != std::string::npos);

    auto none = plan_from_dmesg("hello\nworld\n", "x.txt");
    REQUIRE_FALSE(none);
    CHECK(none.diag().message.find("BIOS-e820") != std::string::npos);

    auto huge = plan_from_dmesg("BIOS-e820: [mem 0x0-0x9fbff] usable\nBIOS-e820: [mem 0x100000-0xfffffffffff] usable\n",
                                "h.txt");
    REQUIRE_FALSE(huge);
    // At the entry that goes over, in K as the kernel counts memory, naming the limit.
    CHECK(huge.diag().line == 2);
    CHECK(huge.diag().col == 12);
    CHECK(huge.diag().message.find("17179868799K of usable RAM") != std::string::npos);
    CHECK(huge.diag().message.find("4294967296K (4T)") != std::string::npos);

    auto types = plan_from_dmesg("BIOS-e820: [mem 0x0-0x9fbff] bogus\n", "t.txt");
    REQUIRE_FALSE(types);
    CHECK(types.diag().col == 30);
  }

  TEST_CASE("memory e820__memblock_setup adds outside the log's e820 map is refused at its line") {
    // The m1g-smp2 capture with 1 GiB more added at 4G: memblock would hold
    // RAM no zone of that boot spans.
    const auto read = mmtest::read_file(mmtest::reference_dir() + "/m1g-smp2/dmesg.txt");
    REQUIRE(read);
    const std::string& log = *read;
    std::string edited;
    int line = 0, at = 0;
    for (const std::string& l : mmtest::lines(log)) {
      edited += l + "\n";
      ++line;
      if (!at && l.find("memblock_add: [0x0000000000100000-") != std::string::npos) {
        edited +=
            "[    0.022513] memblock_add: [0x0000000100000000-0x000000013fffffff] e820__memblock_setup+0x65/0x7d\n";
        at = ++line;
      }
    }
    REQUIRE(at > 0);
    auto p = plan_from_dmesg(edited, "edited.txt");
    REQUIRE_FALSE(p);
    CHECK(p.diag().line == at);
    CHECK(p.diag().col == 30);  // the range
    CHECK(p.diag().message.find("covers 0x100000000, which is not usable RAM in the e820 table of this log") !=
          std::string::npos);
    CHECK(plan_from_dmesg(log, "m1g-smp2/dmesg.txt"));  // the log as it was boots
  }

  TEST_CASE("nodes whose memory interleaves are refused at the SRAT line that makes them overlap") {
    // The numa2 capture with its first 640K given to node 1: node 1 then has
    // RAM below and above node 0 (a libFuzzer finding: it booted into zones
    // whose managed pages exceeded their present ones).
    const auto read = mmtest::read_file(mmtest::reference_dir() + "/numa2-m2g-smp2/dmesg.txt");
    REQUIRE(read);
    std::string edited;
    int line = 0, at = 0;
    for (std::string l : mmtest::lines(*read)) {
      ++line;
      if (const auto k = l.find("ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]"); k != std::string::npos)
        l.replace(k + 17, 1, "1");
      if (l.find("ACPI: SRAT: Node 1 PXM 1 [mem 0x40000000-") != std::string::npos) at = line;
      edited += l + "\n";
    }
    REQUIRE(at > 0);
    auto p = plan_from_dmesg(edited, "numa.txt");
    REQUIRE_FALSE(p);
    CHECK(p.diag().line == at);
    // Node 1's RAM starts at 0x1000: page 0 is reserved in the kernel's e820
    // table (trim_bios_range), which is what memblock and the nodes get.
    CHECK(p.diag().message ==
          "with this range node 1's RAM spans [mem 0x1000-0x7ffdffff], across node 0's [mem 0x100000-0x3fffffff]: "
          "nodes whose memory interleaves are not modelled");
    CHECK(plan_from_dmesg(*read, "numa.txt"));
  }

  TEST_CASE("a SRAT that leaves RAM outside every node is not used, as numa_meminfo_cover_memory decides") {
    // The numa2 capture without node 0's [1M, 1G): only 1024 MB of 2047 MB
    // are in a node. The kernel drops the SRAT and boots one node (a libFuzzer
    // finding: this booted two nodes into broken zones).
    const auto read = mmtest::read_file(mmtest::reference_dir() + "/numa2-m2g-smp2/dmesg.txt");
    REQUIRE(read);
    std::string edited;
    for (const std::string& l : mmtest::lines(*read))
      if (l.find("ACPI: SRAT: Node 0 PXM 0 [mem 0x00100000-0x3fffffff]") == std::string::npos) edited += l + "\n";
    auto p = plan_from_dmesg(edited, "numa.txt");
    REQUIRE_MESSAGE(p, (p ? std::string() : p.diag().str()));
    CHECK(p->spec.nodes.size() <= 1);
    bool noted = false;
    for (const std::string& n : p->notes)
      noted = noted || n.find("NUMA: nodes only cover 1024MB of your 2047MB") != std::string::npos;
    CHECK_MESSAGE(noted, (p->notes.empty() ? std::string("no notes") : p->notes.back()));
    auto m = mmtest::boot_checked(*p);
    CHECK(m->nodes.size() == 1);
  }

  TEST_CASE("a SRAT that leaves under 1 MiB of RAM in no node is refused at its last memory line") {
    // The numa2 capture with node 1 ending 704K short of the e820 RAM: the
    // kernel keeps such a SRAT (1 MiB of slack), and those pages get no node
    // (a libFuzzer finding: DMA32 booted with managed > present).
    const auto read = mmtest::read_file(mmtest::reference_dir() + "/numa2-m2g-smp2/dmesg.txt");
    REQUIRE(read);
    std::string edited;
    int line = 0, at = 0;
    for (std::string l : mmtest::lines(*read)) {
      ++line;
      if (const auto k = l.find("ACPI: SRAT: Node 1 PXM 1 [mem 0x40000000-0x7fffffff]"); k != std::string::npos) {
        l.replace(k + 43, 8, "7ff2ffff");
        at = line;
      }
      edited += l + "\n";
    }
    REQUIRE(at > 0);
    auto p = plan_from_dmesg(edited, "numa.txt");
    REQUIRE_FALSE(p);
    CHECK(p.diag().line == at);
    CHECK_MESSAGE(p.diag().message.find("leave RAM [mem 0x7ff30000-0x7ffdffff] in no node") != std::string::npos,
                  p.diag().message);
  }

  TEST_CASE("the command line's kernelcore= and movablecore= are read as the kernel reads them") {
    // A log's command line: the value as memparse()/simple_strtoull() take it.
    auto knobs = [](const std::string& cmdline) {
      auto p = plan_from_dmesg("[    0.000000] Command line: console=ttyS0 " + cmdline + "\n" + kMini, "c.txt");
      REQUIRE_MESSAGE(p, (p ? std::string() : p.diag().str()));
      return std::make_pair(p->spec.knobs, cmdline_notes(*p));
    };
    CHECK(knobs("kernelcore=1G").first.kernelcore == 1ull << 30);
    CHECK(knobs("kernelcore=1G").second.empty());
    CHECK(knobs("kernelcore=0x40000000").first.kernelcore == 1ull << 30);  // base 0: hex
    CHECK(knobs("kernelcore=010M").first.kernelcore == 8ull << 20);        // ... and octal
    CHECK(knobs("movablecore=512m").first.movablecore == 512ull << 20);
    CHECK(knobs("kernelcore=\"256M\"").first.kernelcore == 256ull << 20);  // quotes are not part of the value
    CHECK(knobs("kernelcore=30%").first.kernelcore_percent == 30);
    CHECK(knobs("kernelcore=30%").second.empty());
    // The last one wins; a size clears an earlier percentage.
    auto last = knobs("kernelcore=30% kernelcore=2G").first;
    CHECK(last.kernelcore == 2ull << 30);
    CHECK(last.kernelcore_percent == 0);
    // After "--" the parameters are init's, not the kernel's.
    CHECK(knobs("kernelcore=1G -- kernelcore=2G").first.kernelcore == 1ull << 30);
    CHECK(knobs("xkernelcore=1G").first.kernelcore == 0);
    // Without "Command line:" start_kernel's "Kernel command line:" is used.
    auto k = plan_from_dmesg(std::string(kMini) + "[    0.010000] Kernel command line: movablecore=25%\n", "k.txt");
    REQUIRE(k);
    CHECK(k->spec.knobs.movablecore_percent == 25);
  }

  TEST_CASE("a malformed kernelcore= is taken as the kernel takes it, with a note at its line and column") {
    // The kernel never rejects these values: cmdline_parse_core() returns 0
    // for any string, memparse() reads what it can and ignores the rest, so
    // the log has no warning. The importer boots what the kernel booted and
    // leaves a note (in the boot log) pointing at the value.
    auto plan = [](const std::string& param) {
      auto p = plan_from_dmesg("[    0.000000] Command line: nokaslr " + param + "\n" + kMini, "m.txt");
      REQUIRE_MESSAGE(p, (p ? std::string() : p.diag().str()));
      p->notes = cmdline_notes(*p);
      return *p;
    };
    auto frac = plan("kernelcore=1.5G");
    CHECK(frac.spec.knobs.kernelcore == 1);  // "1", then '.' is no suffix: one byte, zero pages
    REQUIRE(frac.notes.size() == 1);
    // Column 50: the '.' after "[    0.000000] Command line: nokaslr kernelcore=1".
    CHECK(frac.notes[0].find("m.txt:1:50: kernelcore=1.5G: the kernel reads only '1'") != std::string::npos);
    auto m = mmtest::boot_checked(frac);
    CHECK_FALSE(m->nodes[0].zones[idx(ZoneType::Movable)].populated());
    CHECK(mmtest::matching(m->log, "m.txt:1:50: kernelcore=1.5G").size() == 1);

    auto word = plan("kernelcore=abc");
    CHECK(word.spec.knobs.kernelcore == 0);
    REQUIRE(word.notes.size() == 1);
    CHECK(word.notes[0].find("m.txt:1:49: kernelcore=abc: not a number") != std::string::npos);
    // An unparsable value still replaces an earlier good one, as in the kernel.
    CHECK(plan("kernelcore=1G kernelcore=junk").spec.knobs.kernelcore == 0);

    auto suffix = plan("movablecore=1GB");  // memparse takes "1G" and ignores the 'B'
    CHECK(suffix.spec.knobs.movablecore == 1ull << 30);
    REQUIRE(suffix.notes.size() == 1);
    CHECK(suffix.notes[0].find("reads only '1G'") != std::string::npos);

    auto over = plan("kernelcore=150%");
    CHECK(over.spec.knobs.kernelcore_percent == 150);
    REQUIRE(over.notes.size() == 1);
    CHECK(over.notes[0].find("WARN_ON") != std::string::npos);
    CHECK_FALSE(mmtest::boot_checked(over)->nodes[0].zones[idx(ZoneType::Movable)].populated());

    auto bare = plan("kernelcore movablecore");
    CHECK(bare.spec.knobs.kernelcore == 0);
    REQUIRE(bare.notes.size() == 2);
    CHECK(bare.notes[0].find("m.txt:1:38: kernelcore: without a value") != std::string::npos);
    CHECK(bare.notes[1].find("Malformed early option 'movablecore'") != std::string::npos);

    auto mirror = plan("kernelcore=mirror");
    CHECK(mirror.spec.knobs.kernelcore_mirror);
    REQUIRE(mirror.notes.size() == 1);
    CHECK(mirror.notes[0].find("from 4G up becomes ZONE_MOVABLE") != std::string::npos);

    auto thp = plan("transparent_hugepage=never");
    CHECK_FALSE(thp.spec.knobs.transparent_hugepage);
    auto thp_bad = plan("transparent_hugepage=sometimes");
    CHECK(thp_bad.spec.knobs.transparent_hugepage);
    REQUIRE(thp_bad.notes.size() == 1);
    CHECK(thp_bad.notes[0].find("cannot parse, ignored") != std::string::npos);
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
      if (s)
        CHECK(pg.check().empty());
      else
        CHECK_FALSE(s.diag().message.empty());
    }
  }

  TEST_CASE("scenario: expectations pass and fail with their line and column") {
    auto r =
        run("# a comment\n"
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
    CHECK(a.diag().str().rfind(
              "s.mm:2:1: error: unknown statement 'prco': did you mean 'proc'? (statements: machine, dmesg, proc,",
              0) == 0);
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
