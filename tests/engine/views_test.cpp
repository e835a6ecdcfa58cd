// The page's views (mm/views.h) as specifications: the frame map's colours
// add up to the engine's own counters, the JSON is valid and says what
// /proc says, a frame names its owner, and only a user's own alloc_pages
// blocks may be freed by hand.
#include <doctest/doctest.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mm/page_alloc/alloc.h"
#include "mm/pressure/task.h"
#include "mm/slab/slub.h"
#include "test_util.h"
#include "text/format/proc.h"
#include "text/format/slabinfo.h"
#include "text/format/views.h"
#include "text/parse/dmesg.h"

using namespace mm;

namespace {

// ---- a minimal strict JSON reader: enough to prove the text is JSON -------------------
// Numbers must be plain integers (the contract with the page).
struct JVal {
  enum Type { Null, Bool, Num, Str, Arr, Obj } type = Null;
  bool b = false;
  long long n = 0;
  std::string s;
  std::vector<JVal> items;        // array elements, or object values
  std::vector<std::string> keys;  // object keys, parallel to items

  const JVal& operator[](std::string_view k) const {
    for (size_t i = 0; i < keys.size(); ++i)
      if (keys[i] == k) return items[i];
    FAIL("no key " << std::string(k));
    return *this;
  }
  const JVal& operator[](size_t i) const {
    REQUIRE(i < items.size());
    return items[i];
  }
  bool has(std::string_view k) const {
    for (const std::string& key : keys)
      if (key == k) return true;
    return false;
  }
  size_t size() const { return items.size(); }
};

class JReader {
 public:
  explicit JReader(std::string_view t) : t_(t) {}
  std::optional<JVal> document() {
    JVal v;
    if (!value(v, 0) || i_ != t_.size()) return std::nullopt;
    return v;
  }

 private:
  bool value(JVal& v, int depth) {
    if (depth > 64 || i_ >= t_.size()) return false;
    const char c = t_[i_];
    if (c == '{') return object(v, depth);
    if (c == '[') return array(v, depth);
    if (c == '"') return v.type = JVal::Str, string(v.s);
    if (c == '-' || (c >= '0' && c <= '9')) return number(v);
    if (word("true")) return v.type = JVal::Bool, v.b = true, true;
    if (word("false")) return v.type = JVal::Bool, true;
    if (word("null")) return true;
    return false;
  }
  bool word(std::string_view w) {
    if (t_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  bool number(JVal& v) {
    const size_t start = i_;
    if (t_[i_] == '-') ++i_;
    if (i_ >= t_.size() || t_[i_] < '0' || t_[i_] > '9') return false;
    if (t_[i_] == '0' && i_ + 1 < t_.size() && t_[i_ + 1] >= '0' && t_[i_ + 1] <= '9') return false;
    while (i_ < t_.size() && t_[i_] >= '0' && t_[i_] <= '9') ++i_;
    v.type = JVal::Num;
    v.n = std::stoll(std::string(t_.substr(start, i_ - start)));
    return true;
  }
  bool string(std::string& out) {
    ++i_;
    while (i_ < t_.size() && t_[i_] != '"') {
      const unsigned char c = static_cast<unsigned char>(t_[i_++]);
      if (c < 0x20) return false;
      if (c != '\\') {
        out += static_cast<char>(c);
        continue;
      }
      if (i_ >= t_.size()) return false;
      const char e = t_[i_++];
      switch (e) {
        case '"':
        case '\\':
        case '/': out += e; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (i_ + 4 > t_.size()) return false;
          const unsigned cp = static_cast<unsigned>(std::stoul(std::string(t_.substr(i_, 4)), nullptr, 16));
          i_ += 4;
          if (cp < 0x80) {
            out += static_cast<char>(cp);
          } else if (cp < 0x800) {
            out += static_cast<char>(0xc0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3f));
          } else {
            out += static_cast<char>(0xe0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
          }
          break;
        }
        default: return false;
      }
    }
    if (i_ >= t_.size()) return false;
    ++i_;
    return true;
  }
  bool array(JVal& v, int depth) {
    v.type = JVal::Arr;
    ++i_;
    if (i_ < t_.size() && t_[i_] == ']') return ++i_, true;
    for (;;) {
      v.items.emplace_back();
      if (!value(v.items.back(), depth + 1) || i_ >= t_.size()) return false;
      if (t_[i_] == ']') return ++i_, true;
      if (t_[i_++] != ',') return false;
    }
  }
  bool object(JVal& v, int depth) {
    v.type = JVal::Obj;
    ++i_;
    if (i_ < t_.size() && t_[i_] == '}') return ++i_, true;
    for (;;) {
      if (i_ >= t_.size() || t_[i_] != '"') return false;
      v.keys.emplace_back();
      if (!string(v.keys.back()) || i_ >= t_.size() || t_[i_++] != ':') return false;
      v.items.emplace_back();
      if (!value(v.items.back(), depth + 1) || i_ >= t_.size()) return false;
      if (t_[i_] == '}') return ++i_, true;
      if (t_[i_++] != ',') return false;
    }
  }
  std::string_view t_;
  size_t i_ = 0;
};

JVal parse(const std::string& text) {
  auto v = JReader(text).document();
  INFO(text.substr(0, 400));
  REQUIRE_MESSAGE(v, "not valid JSON");
  return *v;
}

// ---- machines ------------------------------------------------------------------------------

void check(const Machine& m) {
  auto v = check_invariants(m);
  INFO((v.empty() ? std::string() : v.front()));
  REQUIRE(v.empty());
}

AllocOutcome take(Machine& m, Order order, gfp_t g = gfp::GFP_KERNEL, int cpu = 0) {
  AllocRequest r;
  r.order = order;
  r.gfp = g;
  r.cpu = cpu;
  auto o = alloc_pages(m, r);
  REQUIRE_MESSAGE(o, (o ? std::string() : o.diag().str()));
  REQUIRE(o->ok);
  check(m);
  return *o;
}

KmallocOutcome km(Machine& m, u64 size, int cpu = 0) {
  auto o = kmalloc(m, size, gfp::GFP_KERNEL, cpu);
  REQUIRE_MESSAGE(o, (o ? std::string() : o.diag().str()));
  REQUIRE(o->ok);
  return *o;
}

int spawn_task(Machine& m, const std::string& name, u64 anon_mb, u64 file_mb = 0) {
  SpawnRequest r;
  r.name = name;
  r.anon = anon_mb << 20;
  r.file = file_mb << 20;
  auto pid = spawn(m, r);
  REQUIRE_MESSAGE(pid, (pid ? std::string() : pid.diag().str()));
  check(m);
  return *pid;
}

// The first frame in `s` whose owner is `o` (and, when nonzero, owner_id `id`).
Pfn first_frame(const Machine& m, FrameState s, std::optional<Owner> o = std::nullopt, u32 id = 0) {
  for (Pfn p = 0; p < m.mem.nr; ++p)
    if (m.mem.st(p) == s && (!o || m.mem.owner_of(p) == *o) && (!id || m.mem.owner_id[p] == id)) return p;
  FAIL("no such frame");
  return 0;
}

std::array<u64, NR_CELL_KINDS> count_cells(const Machine& m) {
  std::vector<std::uint8_t> cells;
  map_cells(m, cells);
  REQUIRE(cells.size() == m.mem.nr);
  std::array<u64, NR_CELL_KINDS> n{};
  for (std::uint8_t c : cells) {
    REQUIRE((c & 0x0f) < NR_CELL_KINDS);
    ++n[c & 0x0f];
  }
  return n;
}

u64 kind(const std::array<u64, NR_CELL_KINDS>& n, CellKind k) { return n[static_cast<size_t>(k)]; }

}  // namespace

TEST_SUITE("views") {
  TEST_CASE("view: map_cells counts what the zones count on a booted 1G machine") {
    auto m = mmtest::boot_spec("ram=1G cpus=2");
    km(*m, 64);  // a pcp page or two and some slab pages besides the boot ones
    const auto n = count_cells(*m);
    u64 buddy = 0, pcp = 0, present = 0, managed = 0;
    for (const Node& nd : m->nodes)
      for (const Zone& z : nd.zones) {
        for (unsigned o = 0; o < MAX_ORDER; ++o) buddy += z.free_area[o].nr_free << o;
        for (const PerCpuPages& p : z.pcp) pcp += static_cast<u64>(p.count);
        present += z.present_pages;
        managed += z.managed_pages;
      }
    u64 allocated = 0;
    for (Pfn p = 0; p < m->mem.nr; ++p)
      allocated += m->mem.st(p) == FrameState::Alloc || m->mem.st(p) == FrameState::AllocTail;
    CHECK(kind(n, CellKind::Free) == buddy);
    CHECK(kind(n, CellKind::Pcp) == pcp);
    CHECK(kind(n, CellKind::Pcp) > 0);
    // Present frames the buddy allocator never got are reserved (or not yet
    // initialised); everything else below max_pfn is a hole.
    CHECK(kind(n, CellKind::Reserved) + kind(n, CellKind::Uninit) == present - managed);
    CHECK(kind(n, CellKind::Hole) == m->mem.nr - present);
    // managed = free + pcp + allocated, split by owner.
    CHECK(kind(n, CellKind::Kernel) + kind(n, CellKind::PageTable) + kind(n, CellKind::Slab) + kind(n, CellKind::Anon) +
              kind(n, CellKind::PageCache) + kind(n, CellKind::Other) ==
          allocated);
    CHECK(buddy + pcp + allocated == managed);
    CHECK(kind(n, CellKind::Slab) == slab_reclaimable_pages(*m) + slab_unreclaimable_pages(*m));
    CHECK(kind(n, CellKind::PageTable) == 64);  // preallocate_vmalloc_pages
  }

  TEST_CASE("view: map_cells gives each frame of a block the block's kind and order") {
    auto m = mmtest::boot_spec("ram=1G cpus=2");
    const AllocOutcome k = take(*m, 3);
    const AllocOutcome u = take(*m, 3, gfp::GFP_HIGHUSER_MOVABLE);
    std::vector<std::uint8_t> cells;
    map_cells(*m, cells);
    for (Pfn p = k.pfn; p < k.pfn + 8; ++p) {
      CHECK(cell_kind(cells[p]) == CellKind::Kernel);
      CHECK(cell_order(cells[p]) == 3);
    }
    for (Pfn p = u.pfn; p < u.pfn + 8; ++p) {
      CHECK(cell_kind(cells[p]) == CellKind::Other);  // movable, but no task's anon memory
      CHECK(cell_order(cells[p]) == 3);
    }
    // Free blocks carry their order too: a MAX_ORDER-1 block is 1024 cells of order 10.
    const Pfn big = free_blocks(*m, 0, idx(ZoneType::DMA32), MAX_ORDER - 1, idx(MigrateType::Movable), 1).at(0);
    for (Pfn p = big; p < big + MAX_ORDER_NR_PAGES; ++p) {
      REQUIRE(cell_kind(cells[p]) == CellKind::Free);
      REQUIRE(cell_order(cells[p]) == MAX_ORDER - 1);
    }
    // Frames in no block have order 0.
    const Pfn r = first_frame(*m, FrameState::Reserved);
    CHECK(cells[r] == static_cast<std::uint8_t>(CellKind::Reserved));
  }

  TEST_CASE("view: state_json is JSON whose zones say what /proc/zoneinfo says (m1g-smp2)") {
    // Booted from the capture's own dmesg, so that the boot figures are the
    // real kernel's (the shorthand's reservations are a model, managed within 1%).
    const auto dmesg = mmtest::read_file(mmtest::reference_dir() + "/m1g-smp2/dmesg.txt");
    REQUIRE(dmesg);
    auto plan = plan_from_dmesg(*dmesg, "m1g-smp2/dmesg.txt");
    REQUIRE(plan);
    auto m = mmtest::boot_checked(*plan);
    const JVal s = parse(state_json(*m));
    CHECK(s["booted"].b);
    CHECK(s["frames"].n == static_cast<long long>(m->mem.nr));
    CHECK(s["cpus"].n == 2);
    CHECK(s["pageblockOrder"].n == 9);
    // The engine has no MIGRATE_CMA (CONFIG_CMA is off in Debian's kernel).
    REQUIRE(s["migrateTypes"].size() == MIGRATE_TYPES);
    CHECK(s["migrateTypes"][0].s == "Unmovable");
    CHECK(s["migrateTypes"][3].s == "HighAtomic");
    CHECK(s["migrateTypes"][4].s == "Isolate");

    const auto ours = mmtest::parse_zoneinfo(proc_zoneinfo(*m));
    const auto capture = mmtest::read_file(mmtest::reference_dir() + "/m1g-smp2/zoneinfo.txt");
    REQUIRE(capture);
    const auto real = mmtest::parse_zoneinfo(*capture);
    REQUIRE(s["zones"].size() == MAX_NR_ZONES);  // empty zones too
    for (const JVal& z : s["zones"].items) {
      const auto key = std::make_pair(static_cast<int>(z["node"].n), z["name"].s);
      INFO("zone " << z["name"].s);
      REQUIRE(ours.count(key));
      const auto& f = ours.at(key).f;
      CHECK(z["free"].n == f.at("free"));
      CHECK(z["min"].n == f.at("min"));
      CHECK(z["low"].n == f.at("low"));
      CHECK(z["high"].n == f.at("high"));
      CHECK(z["boost"].n == f.at("boost"));
      CHECK(z["spanned"].n == f.at("spanned"));
      CHECK(z["present"].n == f.at("present"));
      CHECK(z["managed"].n == f.at("managed"));
      REQUIRE(z["protection"].size() == MAX_NR_ZONES);
      REQUIRE(z["nrFree"].size() == MAX_ORDER);
      REQUIRE(z["freeArea"].size() == MAX_ORDER);
      long long free = 0;
      for (size_t o = 0; o < MAX_ORDER; ++o) {
        REQUIRE(z["freeArea"][o].size() == MIGRATE_TYPES);
        long long blocks = 0;
        for (const JVal& c : z["freeArea"][o].items) blocks += c.n;
        CHECK(blocks == z["nrFree"][o].n);
        free += z["nrFree"][o].n << o;
      }
      CHECK(free == z["free"].n);
      if (!f.count("start_pfn")) continue;  // an empty zone prints no pagesets
      CHECK(z["startPfn"].n == f.at("start_pfn"));
      REQUIRE(z["pcp"].size() == 2);
      for (const JVal& p : z["pcp"].items) {
        const int cpu = static_cast<int>(p["cpu"].n);
        CHECK(p["high"].n == ours.at(key).pcp.at(cpu).first);
        CHECK(p["batch"].n == ours.at(key).pcp.at(cpu).second);
        REQUIRE(p["lists"].size() == NR_PCP_LISTS);
        long long pages = 0;
        for (const JVal& l : p["lists"].items) pages += l.n;
        CHECK(pages == p["count"].n);
      }
      // The boot figures are the real kernel's too.
      REQUIRE(real.count(key));
      for (const char* k : {"spanned", "present", "managed", "min", "low", "high"})
        CHECK(z[k].n == real.at(key).f.at(k));
    }
    REQUIRE(s["nodes"].size() == 1);
    const JVal& node = s["nodes"][0];
    REQUIRE(node["zonelist"].size() == 2);
    CHECK(node["zonelist"][0].s == "Node 0 DMA32");  // highest zone first
    CHECK(node["zonelist"][1].s == "Node 0 DMA");
    CHECK(node["kswapd"].s == "sleeping");
    // The legend's counts are the map's.
    const auto cells = count_cells(*m);
    REQUIRE(s["cellCounts"].size() == NR_CELL_KINDS);
    for (size_t k = 0; k < NR_CELL_KINDS; ++k) CHECK(s["cellCounts"][k].n == static_cast<long long>(cells[k]));
  }

  TEST_CASE("view: state_json lists caches as /proc/slabinfo and tasks as /proc/<pid>/oom_score") {
    auto m = mmtest::boot_spec("ram=256M cpus=1");
    for (int i = 0; i < 3; ++i) km(*m, 64);
    const int pid = spawn_task(*m, "hog", 8);
    const JVal s = parse(state_json(*m));
    const JVal* k64 = nullptr;
    for (const JVal& c : s["caches"].items)
      if (c["name"].s == "kmalloc-64") k64 = &c;
    REQUIRE(k64);
    CHECK((*k64)["objectSize"].n == 64);
    CHECK((*k64)["size"].n == 64);
    CHECK((*k64)["objPerSlab"].n == 64);
    CHECK((*k64)["pagesPerSlab"].n == 1);
    // The same numbers in the same order as slabinfo's line.
    const std::string line = "kmalloc-64 " + std::to_string((*k64)["activeObjs"].n) + " " +
                             std::to_string((*k64)["numObjs"].n) + " 64 64 1 ";
    std::string info = proc_slabinfo(*m);
    for (size_t at; (at = info.find("  ")) != std::string::npos;) info.erase(at, 1);
    CHECK(info.find(line) != std::string::npos);

    REQUIRE(s["tasks"].size() == 1);
    const JVal& t = s["tasks"][0];
    CHECK(t["pid"].n == pid);
    CHECK(t["name"].s == "hog");
    CHECK(t["alive"].b);
    CHECK(t["rssAnon"].n == 8 * 256);
    CHECK(t["pgtables"].n == find_task(*m, pid)->pgtable_pages);
    CHECK(std::to_string(t["oomScore"].n) + "\n" == proc_pid_oom_score(*m, pid));
    CHECK(t["badness"].n == *oom_badness(task_mem(*m, *find_task(*m, pid)), oom_totalpages(*m)));
  }

  TEST_CASE("view: each node's zonelist is its ZONELIST_FALLBACK, nearest node first") {
    auto m = mmtest::boot_spec("ram=2G cpus=2 nodes=1G:0,1G:1");
    const JVal s = parse(state_json(*m));
    REQUIRE(s["nodes"].size() == 2);
    std::vector<std::string> n1;
    for (const JVal& z : s["nodes"][1]["zonelist"].items) n1.push_back(z.s);
    CHECK(n1 == std::vector<std::string>{"Node 1 DMA32", "Node 0 DMA32", "Node 0 DMA"});
    CHECK(s["nodes"][1]["startPfn"].n == static_cast<long long>(m->nodes[1].node_start_pfn));
    CHECK(s["zones"].size() == 2 * MAX_NR_ZONES);
    CHECK(s["zones"][MAX_NR_ZONES + 1]["node"].n == 1);
    CHECK(s["zones"][MAX_NR_ZONES + 1]["name"].s == "DMA32");
  }

  TEST_CASE("view: a machine that has not booted reads as empty, not as an error") {
    Machine m;
    const JVal s = parse(state_json(m));
    CHECK_FALSE(s["booted"].b);
    CHECK(s["frames"].n == 0);
    CHECK(s["zones"].size() == 0);
    const JVal f = parse(frame_info_json(m, 0));
    CHECK_FALSE(f["ok"].b);
    CHECK(f["error"].s == "pfn 0 is beyond max_pfn 0");
    CHECK_FALSE(cache_detail_json(m, "kmalloc-64"));
    CHECK(free_blocks(m, 0, 0, 0, 0, 10).empty());
    CHECK_FALSE(frame_freeable(m, 0));
    std::vector<std::uint8_t> cells(3);
    map_cells(m, cells);
    CHECK(cells.empty());
  }

  TEST_CASE("view: JSON strings are escaped, whatever bytes a name holds") {
    auto m = mmtest::boot_spec("ram=256M cpus=1");
    const std::string name = std::string("a\"b\\c\n\x01") + "\xff" + "\xc3\xa9";
    spawn_task(*m, name, 1);
    const JVal s = parse(state_json(*m));
    // The stray byte 0xff is not UTF-8: it reads back as U+FFFD; é stays é.
    CHECK(s["tasks"][0]["name"].s == "a\"b\\c\n\x01\xef\xbf\xbd\xc3\xa9");
  }

  TEST_CASE("view: frame_info_json on a hole, a free block's tail, a pcp page, a slab page and a task's page") {
    auto m = mmtest::boot_spec("ram=1G cpus=2");
    slub_set_freelist_random(*m, false, 1);
    SUBCASE("beyond max_pfn") {
      const JVal f = parse(frame_info_json(*m, m->mem.nr));
      CHECK_FALSE(f["ok"].b);
      CHECK(f["error"].s == "pfn " + std::to_string(m->mem.nr) + " is beyond max_pfn " + std::to_string(m->mem.nr));
      CHECK(f["head"].n == -1);
    }
    SUBCASE("a hole") {
      const Pfn p = first_frame(*m, FrameState::Hole);
      const JVal f = parse(frame_info_json(*m, p));
      CHECK(f["ok"].b);
      CHECK(f["pfn"].n == static_cast<long long>(p));
      CHECK(f["kind"].n == static_cast<long long>(CellKind::Hole));
      CHECK(f["zone"].s.empty());
      CHECK(f["owner"].s == "hole");
      CHECK(f["head"].n == -1);
      CHECK(f["order"].n == -1);
      CHECK_FALSE(f["freeable"].b);
    }
    SUBCASE("the tail of a free block") {
      const Pfn h = free_blocks(*m, 0, idx(ZoneType::DMA32), 4, idx(MigrateType::Movable), 1).at(0);
      const JVal f = parse(frame_info_json(*m, h + 5));
      CHECK(f["kind"].n == static_cast<long long>(CellKind::Free));
      CHECK(f["zone"].s == "DMA32");
      CHECK(f["node"].n == 0);
      CHECK(f["head"].n == static_cast<long long>(h));
      CHECK(f["order"].n == 4);
      CHECK(f["migrateType"].s == "Movable");
      CHECK(f["owner"].s == "free");
      CHECK_FALSE(f["freeable"].b);
    }
    SUBCASE("a page on CPU 1's pcp list") {
      const AllocOutcome a = take(*m, 0, gfp::GFP_KERNEL, 1);
      REQUIRE(free_pages(*m, a.pfn, 0, 1));
      REQUIRE(m->mem.st(a.pfn) == FrameState::Pcp);
      const JVal f = parse(frame_info_json(*m, a.pfn));
      CHECK(f["kind"].n == static_cast<long long>(CellKind::Pcp));
      CHECK(f["owner"].s == "pcp cpu 1");
    }
    SUBCASE("a slab page") {
      const KmallocOutcome o = km(*m, 64);
      const JVal f = parse(frame_info_json(*m, o.pfn));
      CHECK(f["kind"].n == static_cast<long long>(CellKind::Slab));
      CHECK(f["owner"].s == "slab kmalloc-64");
      CHECK(f["head"].n == static_cast<long long>(o.pfn));
      CHECK_FALSE(f["freeable"].b);
    }
    SUBCASE("a task's anon page") {
      const int pid = spawn_task(*m, "A", 1);
      const Pfn p = first_frame(*m, FrameState::Alloc, Owner::User, static_cast<u32>(pid));
      const JVal f = parse(frame_info_json(*m, p));
      CHECK(f["kind"].n == static_cast<long long>(CellKind::Anon));
      CHECK(f["owner"].s == "task " + std::to_string(pid) + " (A) anon");
      CHECK(f["order"].n == 0);
      CHECK_FALSE(f["freeable"].b);
    }
    SUBCASE("a user's alloc_pages block, by a tail frame") {
      const AllocOutcome a = take(*m, 2);
      const JVal f = parse(frame_info_json(*m, a.pfn + 3));
      CHECK(f["kind"].n == static_cast<long long>(CellKind::Kernel));
      CHECK(f["owner"].s == "kernel");
      CHECK(f["head"].n == static_cast<long long>(a.pfn));
      CHECK(f["order"].n == 2);
      CHECK(f["freeable"].b);  // freeBlock(head) frees it
    }
  }

  TEST_CASE("view: cache_detail_json shows each slab's objects in use") {
    auto m = mmtest::boot_spec("ram=256M cpus=2");
    slub_set_freelist_random(*m, false, 1);
    auto in_use = [&] {
      auto d = cache_detail_json(*m, "kmalloc-64");
      REQUIRE(d);
      const JVal j = parse(*d);
      long long used = 0;
      for (const JVal& sl : j["slabs"].items) {
        REQUIRE(sl["map"].s.size() == static_cast<size_t>(sl["objects"].n));
        for (char c : sl["map"].s) used += c == '#';
      }
      return std::make_pair(j, used);
    };
    const long long before = in_use().second;
    std::vector<KmallocOutcome> got;
    for (int i = 0; i < 5; ++i) got.push_back(km(*m, 64, 1));
    const auto [j, after] = in_use();
    CHECK(after == before + 5);
    CHECK(j["cache"]["name"].s == "kmalloc-64");
    CHECK(j["cache"]["objPerSlab"].n == 64);
    // CPU 1's slab holds the five objects, marked '#' at their indices.
    const JVal* cpu1 = nullptr;
    for (const JVal& sl : j["slabs"].items)
      if (sl["where"].s == "cpu" && sl["cpu"].n == 1) cpu1 = &sl;
    REQUIRE(cpu1);
    CHECK((*cpu1)["pfn"].n == static_cast<long long>(got[0].pfn));
    for (const KmallocOutcome& o : got) CHECK((*cpu1)["map"].s.at(o.index) == '#');
    CHECK((*cpu1)["inuse"].n == static_cast<long long>(m->slub->slabs.at(got[0].pfn).inuse));
    for (const JVal& sl : j["slabs"].items) {
      const std::string& w = sl["where"].s;
      CHECK((w == "cpu" || w == "cpu-partial" || w == "node-partial" || w == "full"));
    }
    // Freeing one object frees its slot in the map.
    REQUIRE(kfree(*m, got[2].addr, 1));
    CHECK(in_use().second == before + 4);

    auto missing = cache_detail_json(*m, "no-such\"cache");
    REQUIRE_FALSE(missing);
    CHECK(missing.diag().message == "no slab cache named 'no-such\"cache'");
  }

  TEST_CASE("view: free_blocks walks a free list from its head") {
    auto m = mmtest::boot_spec("ram=1G cpus=2");
    for (int i = 0; i < 40; ++i) take(*m, static_cast<Order>(i % 4));  // split some blocks
    const Zone& z = m->nodes[0].zones[idx(ZoneType::DMA32)];
    int lists = 0;
    for (unsigned o = 0; o < MAX_ORDER; ++o)
      for (unsigned t = 0; t < MIGRATE_TYPES; ++t) {
        const FreeList& l = z.free_area[o].free_list[t];
        const auto all = free_blocks(*m, 0, idx(ZoneType::DMA32), static_cast<int>(o), static_cast<int>(t), 1u << 20);
        REQUIRE(all.size() == l.count);
        if (all.empty()) continue;
        ++lists;
        CHECK(all.front() == l.head);
        CHECK(all.back() == l.tail);
        for (Pfn p : all) {
          REQUIRE(m->mem.st(p) == FrameState::Buddy);
          REQUIRE(m->mem.order_of(p) == o);
        }
        const auto few = free_blocks(*m, 0, idx(ZoneType::DMA32), static_cast<int>(o), static_cast<int>(t), 2);
        CHECK(few == std::vector<Pfn>(all.begin(), all.begin() + std::min<size_t>(2, all.size())));
      }
    CHECK(lists > 3);
    CHECK(free_blocks(*m, 1, 0, 0, 0, 10).empty());   // no node 1
    CHECK(free_blocks(*m, 0, 0, 11, 0, 10).empty());  // no order 11
    CHECK(free_blocks(*m, 0, 0, 0, 5, 10).empty());   // no migrate type 5
  }

  TEST_CASE("view: frame_freeable allows only a user's own alloc_pages blocks") {
    auto m = mmtest::boot_spec("ram=256M cpus=1");
    std::string why;
    SUBCASE("alloc_pages blocks, kernel or movable, by their head only") {
      const AllocOutcome k = take(*m, 3);
      const AllocOutcome u = take(*m, 0, gfp::GFP_HIGHUSER_MOVABLE);
      CHECK(frame_freeable(*m, k.pfn, &why));
      CHECK(why.empty());
      CHECK(frame_freeable(*m, u.pfn));
      CHECK_FALSE(frame_freeable(*m, k.pfn + 1, &why));
      CHECK(why == "pfn " + std::to_string(k.pfn + 1) + " is inside the order-3 block at pfn " + std::to_string(k.pfn) +
                       "; free it by its first page");
    }
    SUBCASE("a slab page: kfree its objects") {
      const KmallocOutcome o = km(*m, 64);
      CHECK_FALSE(frame_freeable(*m, o.pfn, &why));
      CHECK(why == "pfn " + std::to_string(o.pfn) + " belongs to slab cache kmalloc-64; kfree its objects instead");
    }
    SUBCASE("a kmalloc_large block: kfree it") {
      const KmallocOutcome o = km(*m, 64 << 10);
      CHECK_FALSE(frame_freeable(*m, o.pfn, &why));
      CHECK(why.find("kmalloc_large") != std::string::npos);
      CHECK(why.find("kfree 0xffff888") != std::string::npos);
    }
    SUBCASE("a task's anon page, its page table, a page-cache page") {
      const int pid = spawn_task(*m, "A", 1);
      const Pfn anon = first_frame(*m, FrameState::Alloc, Owner::User, static_cast<u32>(pid));
      CHECK_FALSE(frame_freeable(*m, anon, &why));
      CHECK(why == "pfn " + std::to_string(anon) + " is an anonymous page of task " + std::to_string(pid) +
                       " (A); it is freed when the task exits or reclaim swaps it out");
      const Pfn pt = find_task(*m, pid)->pgtables.at(0);
      CHECK_FALSE(frame_freeable(*m, pt, &why));
      CHECK(why.find("page table of task " + std::to_string(pid) + " (A)") != std::string::npos);
      REQUIRE(read_file(*m, "data.bin", 1 << 20, 0));
      const Pfn pc = first_frame(*m, FrameState::Alloc, Owner::PageCache);
      CHECK_FALSE(frame_freeable(*m, pc, &why));
      CHECK(why == "pfn " + std::to_string(pc) + " is a page-cache page of data.bin; drop_caches or reclaim frees it");
    }
    SUBCASE("the kernel's own pages: reserved, boot page tables") {
      const Pfn r = first_frame(*m, FrameState::Reserved);
      CHECK_FALSE(frame_freeable(*m, r, &why));
      CHECK(why.find("is reserved") != std::string::npos);
      const Pfn pt = first_frame(*m, FrameState::Alloc, Owner::PageTable);
      CHECK_FALSE(frame_freeable(*m, pt, &why));
      CHECK(why.find("kernel page table") != std::string::npos);
    }
    SUBCASE("free frames, holes and pfns past the end") {
      const Pfn f = free_blocks(*m, 0, idx(ZoneType::DMA32), MAX_ORDER - 1, idx(MigrateType::Movable), 1).at(0);
      CHECK_FALSE(frame_freeable(*m, f, &why));
      CHECK(why.find("already free") != std::string::npos);
      CHECK_FALSE(frame_freeable(*m, first_frame(*m, FrameState::Hole), &why));
      CHECK(why.find("hole") != std::string::npos);
      CHECK_FALSE(frame_freeable(*m, m->mem.nr, &why));
      CHECK(why.find("beyond max_pfn") != std::string::npos);
    }
  }
}
