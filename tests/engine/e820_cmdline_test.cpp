// The command line's memory-map parameters (mem=, memmap=) and a log's
// e820 update/remove lines, against figures worked out by hand from the
// kernel's algorithm (arch/x86/kernel/e820.c): each case says how.
#include <doctest/doctest.h>

#include "mm/core/e820.h"
#include "test_util.h"
#include "text/parse/dmesg.h"
#include "text/parse/e820_params.h"

using namespace mm;

namespace {

constexpr u64 K = 1ull << 10, M = 1ull << 20, G = 1ull << 30;
constexpr u64 kTop = ~u64{0};

const Zone& zone_of(const Machine& m, ZoneType t) { return m.nodes[0].zones[idx(t)]; }

E820Edit remove_ram_from(u64 size) {
  E820Edit e;
  e.op = E820Edit::Op::Remove;
  e.start = size;
  e.size = kTop - size;
  return e;
}

E820Edit add(Phys start, u64 size, E820Type type) {
  E820Edit e;
  e.op = E820Edit::Op::Add;
  e.start = start;
  e.size = size;
  e.type = type;
  return e;
}

std::string capture(const std::string& name) {
  auto text = mmtest::read_file(mmtest::reference_dir() + "/" + name + "/dmesg.txt");
  REQUIRE(text);
  return *text;
}

// The capture with `extra` appended to its command lines.
std::string with_cmdline(std::string text, const std::string& extra) {
  for (const char* key : {"Command line: ", "Kernel command line: "}) {
    const size_t at = text.find(key);
    if (at == std::string::npos) continue;
    size_t eol = text.find('\n', at);
    while (eol > at && text[eol - 1] == ' ') --eol;  // the capture's line ends in a space
    text.insert(eol, " " + extra);
  }
  return text;
}

// The capture without memblock=debug's lines: the importer then plans the
// engine's own model of the reservations for the machine the log shows.
std::string without_memblock_lines(const std::string& text) {
  std::string out;
  for (const std::string& l : mmtest::lines(text))
    if (l.find("memblock_") == std::string::npos && l.find("MEMBLOCK") == std::string::npos &&
        l.find("]  memory") == std::string::npos && l.find("]  reserved") == std::string::npos)
      out += l + "\n";
  return out;
}

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_SUITE("e820 command line") {
  TEST_CASE("memparse and simple_strtoull read numbers as lib/cmdline.c does") {
    // Base from the prefix (0x hex, 0 octal), one suffix, wrapping shifts.
    CHECK(memparse("1G").value == G);
    CHECK(memparse("1G").used == 2);
    CHECK(memparse("0x10M").value == 16 * M);
    CHECK(memparse("010k").value == 8 * K);  // octal 10
    CHECK(memparse("12Q").value == 12);
    CHECK(memparse("12Q").used == 2);
    CHECK(memparse("K").value == 0);  // no digits, yet the suffix is taken: one character read
    CHECK(memparse("K").used == 1);
    CHECK(memparse("").used == 0);
    CHECK(memparse("0x").used == 1);  // "0" in octal; the x is not a suffix
    CHECK(memparse("1e").value == 1ull << 60);
    CHECK(memparse("16E").value == 0);  // 16 << 60 wraps
    CHECK(simple_strtoull("0x1fz").value == 31);
    CHECK(simple_strtoull("09").value == 0);  // octal stops at 9
  }

  TEST_CASE("each memmap= form gives the kernel's edit") {
    auto r = read_memmap_param(std::string_view("exactmap,640K@0,1023M@1M"));
    REQUIRE(r.findings.empty());
    REQUIRE(r.edits.size() == 3);
    CHECK(r.edits[0].op == E820Edit::Op::Exactmap);
    CHECK(r.edits[1] == add(0, 640 * K, E820Type::Usable));
    CHECK(r.edits[2] == add(M, 1023 * M, E820Type::Usable));
    CHECK(read_memmap_param(std::string_view("64M#3G")).edits == std::vector{add(3 * G, 64 * M, E820Type::ACPI)});
    CHECK(read_memmap_param(std::string_view("512M$1G")).edits == std::vector{add(G, 512 * M, E820Type::Reserved)});
    CHECK(read_memmap_param(std::string_view("8G!8G")).edits == std::vector{add(8 * G, 8 * G, E820Type::PRAM)});
    // memmap=SIZE alone is mem=SIZE: usable RAM from SIZE to the top goes.
    CHECK(read_memmap_param(std::string_view("2G")).edits == std::vector{remove_ram_from(2 * G)});
    CHECK(read_mem_param(std::string_view("2G")).edits == std::vector{remove_ram_from(2 * G)});

    // SIZE%ADDR-FROM+TO: type numbers.
    auto update = read_memmap_param(std::string_view("16M%0x1000000-1+2")).edits;
    REQUIRE(update.size() == 1);
    CHECK(update[0].op == E820Edit::Op::Update);
    CHECK(update[0].start == 16 * M);
    CHECK(update[0].size == 16 * M);
    CHECK(update[0].from == E820Type::Usable);
    CHECK(update[0].type == E820Type::Reserved);
    CHECK(read_memmap_param(std::string_view("16M%16M+12")).edits == std::vector{add(16 * M, 16 * M, E820Type::PRAM)});
    auto by_type = read_memmap_param(std::string_view("16M%16M-2")).edits;
    REQUIRE(by_type.size() == 1);
    CHECK(by_type[0].op == E820Edit::Op::Remove);
    CHECK(by_type[0].type == E820Type::Reserved);
    CHECK(by_type[0].check_type);
    auto any = read_memmap_param(std::string_view("16M%16M")).edits;
    REQUIRE(any.size() == 1);
    CHECK_FALSE(any[0].check_type);
  }

  TEST_CASE("bad values: what the kernel does with them") {
    // The edit is made, the tail ignored (parse_memmap_one's -EINVAL is dropped).
    auto tail = read_memmap_param(std::string_view("1G@2Gxyz"));
    CHECK(tail.edits == std::vector{add(2 * G, G, E820Type::Usable)});
    REQUIRE(tail.findings.size() == 1);
    CHECK(tail.findings[0].pos == 5);
    CHECK(tail.findings[0].what == "the kernel reads only '1G@2G' and silently ignores the rest");
    // No size: skipped without a word, the next entry still read.
    auto skip = read_memmap_param(std::string_view("xyz,1G$1G"));
    CHECK(skip.edits == std::vector{add(G, G, E820Type::Reserved)});
    REQUIRE(skip.findings.size() == 1);
    CHECK(skip.findings[0].pos == 0);
    // %: anything after the types refuses the entry, the map still user-defined.
    auto pct = read_memmap_param(std::string_view("16M%16M-1+2x"));
    REQUIRE(pct.edits.size() == 1);
    CHECK(pct.edits[0].op == E820Edit::Op::UserDefined);
    CHECK(pct.findings.at(0).pos == 11);
    CHECK(read_memmap_param(std::string_view("16M%16M-1+1")).findings.at(0).what.find("BUG_ON") != std::string::npos);
    CHECK(read_memmap_param(std::string_view("16M%16M-7")).findings.at(0).what.find("type 7") != std::string::npos);
    CHECK(read_memmap_param(std::nullopt).edits.empty());
    // mem=: no value and nopentium change nothing; a value read as 0 marks
    // the map user-defined and removes nothing.
    CHECK(read_mem_param(std::nullopt).edits.empty());
    auto nop = read_mem_param(std::string_view("nopentium"));
    CHECK(nop.edits.empty());
    CHECK(nop.findings.at(0).what.find("mem=nopentium ignored!") != std::string::npos);
    auto zero = read_mem_param(std::string_view("lots"));
    REQUIRE(zero.edits.size() == 1);
    CHECK(zero.edits[0].op == E820Edit::Op::UserDefined);
    auto rest = read_mem_param(std::string_view("2Gfoo"));
    CHECK(rest.edits == std::vector{remove_ram_from(2 * G)});
    CHECK(rest.findings.at(0).pos == 2);
  }

  TEST_CASE("the table's arithmetic: update, remove, sanitise, end pfn") {
    using T = E820Type;
    // An update inside an entry splits it in three (head kept, range and tail appended).
    std::vector<E820Entry> t = {{0, 100, T::Usable}};
    const E820Change c = e820__range_update(t, 40, 20, T::Usable, T::Reserved);
    CHECK(c == E820Change{false, 40, 60, T::Usable, T::Reserved, true});
    CHECK(t == std::vector<E820Entry>{{0, 40, T::Usable}, {40, 20, T::Reserved}, {60, 40, T::Usable}});
    // A removal to the top of the address space keeps the head; the clamp keeps end at 2^64-1.
    t = {{0, 100, T::Usable}, {200, 50, T::Usable}};
    CHECK(e820__range_remove(t, 50, kTop - 50, T::Usable, true).end == kTop);
    REQUIRE(e820__update_table(t));
    CHECK(t == std::vector<E820Entry>{{0, 50, T::Usable}});
    // Overlaps go to the larger type, whichever came first; neighbours of a type merge.
    t = {{0, 100, T::Usable}, {50, 100, T::Reserved}};
    REQUIRE(e820__update_table(t));
    CHECK(t == std::vector<E820Entry>{{0, 50, T::Usable}, {50, 100, T::Reserved}});
    t = {{50, 100, T::Usable}, {0, 100, T::Reserved}};
    REQUIRE(e820__update_table(t));
    CHECK(t == std::vector<E820Entry>{{0, 100, T::Reserved}, {100, 50, T::Usable}});
    t = {{10, 10, T::Usable}, {0, 10, T::Usable}};
    REQUIRE(e820__update_table(t));
    CHECK(t == std::vector<E820Entry>{{0, 20, T::Usable}});
    // Persistent memory never merges.
    t = {{0, 10, T::PRAM}, {10, 10, T::PRAM}};
    REQUIRE(e820__update_table(t));
    CHECK(t.size() == 2);
    // One entry, or one that wraps past 2^64: the table is refused.
    t = {{0, 10, T::Usable}};
    CHECK_FALSE(e820__update_table(t));
    t = {{0, 10, T::Usable}, {kTop - 5, 10, T::Usable}};
    CHECK_FALSE(e820__update_table(t));
    // 6.1 ends RAM at the last usable entry, 6.12 counts ACPI data too.
    t = {{0, G, T::Usable}, {G, 64 * M, T::ACPI}};
    CHECK(e820_end_pfn(t, kMaxArchPfn, KernelVersion::v6_1) == 0x40000);
    CHECK(e820_end_pfn(t, kMaxArchPfn, KernelVersion::v6_12) == 0x44000);
    CHECK(e820_end_pfn(t, 0x20000, KernelVersion::v6_1) == 0x20000);  // the limit cuts the entry
  }

  TEST_CASE("a machine without edits: trim_bios_range's table, and nothing printed") {
    // qemu's 1G map: [0, 0x9fc00) usable loses page 0 to "reserved";
    // nothing usable lies in 640K-1M to remove.
    auto s = parse_shorthand("ram=1G cpus=2");
    REQUIRE(s);
    const E820Setup e = e820_setup(*s);
    CHECK_FALSE(e.edited);
    CHECK_FALSE(e.userdef);
    REQUIRE(e.printed.size() == 2);
    CHECK(e.printed[0].change == E820Change{false, 0, 0x1000, E820Type::Usable, E820Type::Reserved, true});
    CHECK(e.printed[1].change == E820Change{true, 0xa0000, 0x100000, E820Type::Usable, E820Type::Usable, true});
    CHECK(e.table.front() == E820Entry{0, 0x1000, E820Type::Reserved});
    CHECK(e.max_pfn == 0x3ffe0);
    auto m = mmtest::boot_checked(plan_from_spec(*s));
    CHECK(mmtest::matching(m->log, "^(user|e820: |last_pfn)").empty());
  }

  TEST_CASE("mem=2G on 4G: the zones of a machine whose usable RAM ends at 2G") {
    // qemu -m 4G puts 3G below 4G and 1G at 4G. mem=2G removes usable RAM
    // from 2G up: [1M, 0xbffe0000) keeps [1M, 2G), [4G, 5G) goes. max_pfn
    // is 0x80000, below 4G, so there is no Normal zone and no second
    // last_pfn line. DMA32 spans and has [pfn 4096, 0x80000) = 520192.
    auto s = parse_shorthand("ram=4G cpus=2 mem=2G");
    REQUIRE(s);
    auto m = mmtest::boot_checked(plan_from_spec(*s));
    CHECK(m->max_pfn == 0x80000);
    CHECK(zone_of(*m, ZoneType::DMA32).present_pages == 520192);
    CHECK(zone_of(*m, ZoneType::DMA32).spanned_pages == 520192);
    CHECK(zone_of(*m, ZoneType::DMA).present_pages == 3998);  // [1, 0x9f) and [0x100, 0x1000)
    CHECK(zone_of(*m, ZoneType::Normal).present_pages == 0);
    CHECK(mmtest::matching(m->log, "^e820: remove \\[mem 0x80000000") ==
          std::vector<std::string>{"e820: remove [mem 0x80000000-0xfffffffffffffffe] usable"});
    CHECK(mmtest::matching(m->log, "^last_pfn") ==
          std::vector<std::string>{"last_pfn = 0x80000 max_arch_pfn = 0x400000000"});
    CHECK(mmtest::matching(m->log, "^user: ").size() == 7);
    CHECK(mmtest::matching(m->log, "^user: \\[mem 0x0000000000100000") ==
          std::vector<std::string>{"user: [mem 0x0000000000100000-0x000000007fffffff] usable"});

    // The same machine given its user map as the firmware's boots alike.
    MachineSpec same = *s;
    same.e820 = e820_setup(*s).user;
    same.e820_edits.clear();
    auto m2 = mmtest::boot_checked(plan_from_spec(same));
    for (ZoneType z : {ZoneType::DMA, ZoneType::DMA32, ZoneType::Normal}) {
      CAPTURE(static_cast<int>(z));
      CHECK(zone_of(*m, z).spanned_pages == zone_of(*m2, z).spanned_pages);
      CHECK(zone_of(*m, z).present_pages == zone_of(*m2, z).present_pages);
      CHECK(zone_of(*m, z).managed_pages == zone_of(*m2, z).managed_pages);
    }
    // Repeated mem= remove in turn: the smaller wins.
    auto twice = parse_shorthand("ram=4G mem=3G mem=2G");
    REQUIRE(twice);
    CHECK(twice->e820_edits.size() == 2);
    CHECK(twice->usable_end() == 2 * G);
  }

  TEST_CASE("memmap=512M$1G carves a reserved hole: present drops, spanned stays") {
    // [1G, 1.5G) becomes reserved inside DMA32's [1M, 0xbffe0000): 512M /
    // 4K = 131072 pages fewer present; the zone still spans to 4G.
    auto plain = mmtest::boot_spec("ram=4G cpus=2");
    auto holed = mmtest::boot_spec("ram=4G cpus=2 memmap=512M$1G");
    const Zone& a = zone_of(*plain, ZoneType::DMA32);
    const Zone& b = zone_of(*holed, ZoneType::DMA32);
    CHECK(a.present_pages - b.present_pages == 131072);
    CHECK(a.spanned_pages == b.spanned_pages);
    CHECK(zone_of(*plain, ZoneType::Normal).present_pages == zone_of(*holed, ZoneType::Normal).present_pages);
    CHECK(holed->max_pfn == plain->max_pfn);
    CHECK(mmtest::matching(holed->log, "^user: \\[mem 0x0000000040000000") ==
          std::vector<std::string>{"user: [mem 0x0000000040000000-0x000000005fffffff] reserved"});
    // Two holes in one parameter: [1G, 2G) and [2G, 0xbffe0000) (the RAM of
    // [2G, 3G)) = 262144 + 262112 pages.
    auto two = mmtest::boot_spec("ram=4G cpus=2 memmap=1G$1G,1G$2G");
    CHECK(a.present_pages - zone_of(*two, ZoneType::DMA32).present_pages == 262144 + 262112);
    // Overlaps: reserved outranks usable (the @ adds nothing), ACPI data
    // outranks reserved; either way [1G, 1.75G) is no RAM: 196608 pages.
    auto over = mmtest::boot_spec("ram=4G cpus=2 memmap=512M$1G memmap=512M@1280M memmap=512M#1280M");
    CHECK(a.present_pages - zone_of(*over, ZoneType::DMA32).present_pages == 196608);
    CHECK(mmtest::matching(over->log, "^user: \\[mem 0x0000000050000000") ==
          std::vector<std::string>{"user: [mem 0x0000000050000000-0x000000006fffffff] ACPI data"});
  }

  TEST_CASE("memmap=exactmap memmap=640K@0 memmap=1023M@1M: the user's map replaces the firmware's") {
    // Two usable entries; trim_bios_range reserves page 0 and finds nothing
    // usable in 640K-1M. DMA: [1, 0xa0) and [0x100, 0x1000) = 159 + 3840;
    // DMA32: [0x1000, 0x40000) = 258048 (qemu's 128K at the top of 1G is now RAM).
    auto m = mmtest::boot_spec("ram=1G cpus=2 memmap=exactmap memmap=640K@0 memmap=1023M@1M");
    CHECK(zone_of(*m, ZoneType::DMA).present_pages == 3999);
    CHECK(zone_of(*m, ZoneType::DMA32).present_pages == 258048);
    CHECK(m->max_pfn == 0x40000);
    CHECK(mmtest::matching(m->log, "^user") == std::vector<std::string>{
                                                   "user-defined physical RAM map:",
                                                   "user: [mem 0x0000000000000000-0x000000000009ffff] usable",
                                                   "user: [mem 0x0000000000100000-0x000000003fffffff] usable",
                                               });
    // The BIOS map is still the firmware's, printed first.
    auto bios = mmtest::matching(m->log, "^BIOS-e820: ");
    CHECK(bios.size() == 7);
    CHECK(mmtest::matching(m->log, "^e820: ") ==
          std::vector<std::string>{"e820: update [mem 0x00000000-0x00000fff] usable ==> reserved",
                                   "e820: remove [mem 0x000a0000-0x000fffff] usable"});
  }

  TEST_CASE("an image the edits leave outside RAM is put back, as e820_add_kernel_range does") {
    // memmap=64M$16M reserves the kernel's [16M, 16M + 0x3411000): the
    // kernel warns, removes the range whatever its type and adds it as RAM.
    auto m = mmtest::boot_spec("ram=1G cpus=2 memmap=64M$16M");
    CHECK(mmtest::matching(m->log, "^\\.text") ==
          std::vector<std::string>{".text .data .bss are not marked as E820_TYPE_RAM!"});
    CHECK(mmtest::matching(m->log, "^e820: remove \\[mem 0x01000000") ==
          std::vector<std::string>{"e820: remove [mem 0x01000000-0x04410fff] "});
    // The reserved hole left is [0x4411000, 80M): 0x5000000 - 0x4411000 bytes.
    auto plain = mmtest::boot_spec("ram=1G cpus=2");
    CHECK(zone_of(*plain, ZoneType::DMA32).present_pages - zone_of(*m, ZoneType::DMA32).present_pages ==
          (0x5000000 - 0x4411000) / 4096);
  }

  TEST_CASE("6.12 counts ACPI data in max_pfn: memmap=64M#1G on a 1G machine") {
    // 6.1: max_pfn stays 0x3ffe0; 6.12: the ACPI range [1G, 1G+64M) ends RAM
    // at pfn 0x44000, so the faked node and the zone range reach it.
    auto m61 = mmtest::boot_spec("ram=1G cpus=2 memmap=64M#1G");
    auto m612 = mmtest::boot_spec("ram=1G cpus=2 kernel=6.12 memmap=64M#1G");
    CHECK(m61->max_pfn == 0x3ffe0);
    CHECK(m612->max_pfn == 0x44000);
    CHECK(mmtest::matching(m612->log, "^last_pfn") ==
          std::vector<std::string>{"last_pfn = 0x44000 max_arch_pfn = 0x400000000"});
    CHECK(mmtest::matching(m612->log, "^Faking a node") ==
          std::vector<std::string>{"Faking a node at [mem 0x0000000000000000-0x0000000043ffffff]"});
    // The RAM is the same, and zones span memblock's RAM, not max_pfn.
    CHECK(zone_of(*m61, ZoneType::DMA32).present_pages == zone_of(*m612, ZoneType::DMA32).present_pages);
    CHECK(zone_of(*m61, ZoneType::DMA32).spanned_pages == zone_of(*m612, ZoneType::DMA32).spanned_pages);
  }

  TEST_CASE("shorthand: bad mem=/memmap= values are errors at their column") {
    auto diag = [](const char* text) { return parse_shorthand(text).diag(); };
    CHECK(diag("ram=1G memmap=1G@2Gx").col == 20);
    CHECK(diag("ram=1G memmap=1G@2Gx").message ==
          "bad value '1G@2Gx' for memmap: the kernel reads only '1G@2G' and silently ignores the rest");
    CHECK(diag("ram=1G mem=nopentium").col == 12);
    CHECK(diag("ram=1G mem=lots").message.find("bad value 'lots' for mem: the kernel reads this as 0") == 0);
    CHECK(diag("ram=1G memmap=4G,foo").col == 18);
    // Tables the kernel panics on, and RAM the model cannot hold: at the first such key.
    CHECK(diag("ram=1G cpus=2 memmap=exactmap memmap=1G@0").col == 15);
    CHECK(diag("ram=1G cpus=2 memmap=exactmap memmap=1G@0").message.find("Invalid user supplied memory map") !=
          std::string::npos);
    CHECK(diag("ram=1G mem=64M").col == 8);
    // mem=64M cuts the image (16M to 0x4411000): e820_add_kernel_range puts it
    // back, so RAM ends at 0x4411000 = 69700K.
    CHECK(diag("ram=1G mem=64M").message.find("ends at 69700K") != std::string::npos);
    CHECK(diag("ram=1G memmap=5T@1G").message.find("up to 4T") != std::string::npos);
  }

  TEST_CASE("every capture boots as before: its e820 lines are the kernel's own trim, applied once") {
    for (const std::string& dir : {mmtest::reference_dir(), mmtest::reference_dir("6.12")})
      for (const std::string& c : mmtest::captures(dir)) {
        CAPTURE(c);
        auto text = mmtest::read_file(dir + "/" + c + "/dmesg.txt");
        REQUIRE(text);
        auto plan = plan_from_dmesg(*text, c);
        REQUIRE(plan);
        CHECK(plan->spec.e820_edits.empty());  // both lines recognised as trim_bios_range's
        // The lines the engine would print are the capture's.
        const E820Setup s = e820_setup(plan->spec);
        std::vector<std::string> real = mmtest::matching(mmtest::dmesg_lines(*text), "^e820: (update|remove)");
        REQUIRE(real.size() == s.printed.size());
        CHECK(s.printed[0].stage == E820Setup::Stage::Trim);
        CHECK(mmtest::matching(mmtest::dmesg_lines(*text), "^last_pfn").at(0) == "last_pfn = 0x" + [&] {
          char b[32];
          std::snprintf(b, sizeof b, "%llx", static_cast<unsigned long long>(s.max_pfn));
          return std::string(b);
        }() + " max_arch_pfn = 0x400000000");
        auto m = mmtest::boot_checked(*plan);
        CHECK(mmtest::matching(m->log, "^(user|e820: |last_pfn)").empty());
      }
  }

  TEST_CASE("a log whose command line adds memmap=256M$512M boots the reduced machine") {
    // m1g-smp2: DMA32 is [pfn 0x1000, 0x3ffe0) = 258016 present. The hole
    // [512M, 768M) takes 65536 pages of it; the span stays.
    const std::string real = capture("m1g-smp2");
    auto base = plan_from_dmesg(real, "m1g-smp2/dmesg.txt");
    REQUIRE(base);
    auto m0 = mmtest::boot_checked(*base);
    const std::string edited = with_cmdline(real, "memmap=256M$512M");

    // Without memblock=debug's lines the engine plans the reservations.
    {
      auto plan = plan_from_dmesg(without_memblock_lines(edited), "m1g-smp2/dmesg.txt");
      REQUIRE_MESSAGE(plan, (plan ? std::string() : plan.diag().str()));
      REQUIRE(plan->spec.e820_edits.size() == 1);  // the log's two trim lines are not applied again
      CHECK(plan->spec.e820_edits[0] == add(512 * M, 256 * M, E820Type::Reserved));
      auto m = mmtest::boot_checked(*plan);
      CHECK(zone_of(*m, ZoneType::DMA32).present_pages == 258016 - 65536);
      CHECK(zone_of(*m, ZoneType::DMA32).spanned_pages == zone_of(*m0, ZoneType::DMA32).spanned_pages);
      CHECK(mmtest::matching(m->log, "^user: \\[mem 0x0000000020000000") ==
            std::vector<std::string>{"user: [mem 0x0000000020000000-0x000000002fffffff] reserved"});
    }
    // With them, the memblock_add the kernel would then print (two pieces).
    {
      const std::string add_line =
          "memblock_add: [0x0000000000100000-0x000000003ffdffff] e820__memblock_setup+0x65/0x7d";
      const std::string split = replace_once(
          edited, add_line,
          "memblock_add: [0x0000000000100000-0x000000001fffffff] e820__memblock_setup+0x65/0x7d\n"
          "[    0.022512] memblock_add: [0x0000000030000000-0x000000003ffdffff] e820__memblock_setup+0x65/0x7d");
      auto plan = plan_from_dmesg(split, "m1g-smp2/dmesg.txt");
      REQUIRE_MESSAGE(plan, (plan ? std::string() : plan.diag().str()));
      CHECK(plan->memblock_debug);
      auto m = mmtest::boot_checked(*plan);
      CHECK(zone_of(*m, ZoneType::DMA32).present_pages == 258016 - 65536);
      CHECK(zone_of(*m, ZoneType::DMA).present_pages == zone_of(*m0, ZoneType::DMA).present_pages);

      // The capture's own memblock_add covers the hole: refused where it is.
      auto bad = plan_from_dmesg(edited, "m1g-smp2/dmesg.txt");
      REQUIRE_FALSE(bad);
      const auto ls = mmtest::lines(edited);
      int line = 0;
      for (size_t i = 0; i < ls.size() && !line; ++i)
        if (ls[i].find(add_line) != std::string::npos) line = static_cast<int>(i) + 1;
      CHECK(bad.diag().line == line);
      CHECK(bad.diag().col == static_cast<int>(ls[static_cast<size_t>(line) - 1].find("[0x")) + 1);
      CHECK(bad.diag().message.find("covers 0x20000000") != std::string::npos);
    }
  }

  TEST_CASE("a log's mem= and its other e820 lines") {
    const std::string real = without_memblock_lines(capture("m1g-smp2"));
    // mem=512M: a remove line the kernel prints; a log that shows it does
    // not get it twice. DMA32: [0x1000, 0x20000) = 126976 pages.
    {
      std::string text = with_cmdline(real, "mem=512M");
      text = replace_once(text, "e820: update [mem 0x00000000-0x00000fff]",
                          "e820: remove [mem 0x20000000-0xfffffffffffffffe] usable\n[    0.007136] e820: update [mem "
                          "0x00000000-0x00000fff]");
      auto plan = plan_from_dmesg(text, "m.txt");
      REQUIRE(plan);
      CHECK(plan->spec.e820_edits == std::vector{remove_ram_from(512 * M)});
      auto m = mmtest::boot_checked(*plan);
      CHECK(zone_of(*m, ZoneType::DMA32).present_pages == 126976);
    }
    // An update the engine does not make itself (after trim_bios_range's
    // lines, as MTRR trimming prints it) is applied: 16M = 4096 pages fewer.
    {
      const std::string text = replace_once(real, "AGP: No AGP bridge found",
                                            "e820: update [mem 0x10000000-0x10ffffff] usable ==> reserved\n[    "
                                            "0.008505] AGP: No AGP bridge found");
      auto plan = plan_from_dmesg(text, "m.txt");
      REQUIRE(plan);
      REQUIRE(plan->spec.e820_edits.size() == 1);
      CHECK(plan->spec.e820_edits[0].after_trim);
      auto m = mmtest::boot_checked(*plan);
      CHECK(m->max_pfn == 0x3ffe0);
      CHECK(zone_of(*m, ZoneType::DMA32).present_pages == 258016 - 4096);
      CHECK(mmtest::matching(m->log, "^e820: update \\[mem 0x10000000").size() == 1);
    }
    // Bad values: the kernel's reaction as a note; mem=foo still makes the
    // map user-defined (the user map printed is the BIOS map, sanitised).
    {
      auto plan = plan_from_dmesg(with_cmdline(real, "mem=foo memmap=1G@"), "m.txt");
      REQUIRE(plan);
      bool noted = false;
      for (const std::string& n : plan->notes)
        noted = noted || (n.find("m.txt:2:") != std::string::npos &&
                          n.find("mem=foo: the kernel reads this as 0") != std::string::npos);
      CHECK(noted);
      auto m = mmtest::boot_checked(*plan);
      // [0, 1G) of RAM added over the map: the reserved pieces outrank it,
      // and it fills 640K-960K between them: one entry more than the BIOS's 7.
      CHECK(mmtest::matching(m->log, "^user: ").size() == 7 + 1);
    }
  }
}
