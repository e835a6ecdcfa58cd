// SLUB and kmalloc as specifications. Slabs are drawn one char per object:
//   '#' allocated   'c' free on the CPU freelist   '.' free on the slab's freelist
// Freelist randomisation is switched off in the pictures (addresses in
// order) and on in the property tests (Debian's setting).
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <regex>

#include "mm/page_alloc/alloc.h"
#include "mm/slab/slub.h"
#include "session/playground.h"
#include "session/scenario.h"
#include "test_util.h"
#include "text/format/narration.h"
#include "text/format/slabinfo.h"
#include "text/parse/dmesg.h"

using namespace mm;

namespace {

void check(const Machine& m) {
  auto v = check_invariants(m);
  INFO((v.empty() ? std::string() : v.front()));
  REQUIRE(v.empty());
}

std::unique_ptr<Machine> small(const std::string& spec = "ram=256M cpus=2") {
  auto m = mmtest::boot_spec(spec);
  slub_set_freelist_random(*m, false, 1);
  return m;
}

u32 cache(const Machine& m, const char* name) {
  auto id = find_cache(m, name);
  REQUIRE(id);
  return *id;
}

KmallocOutcome km(Machine& m, u64 size, gfp_t g = gfp::GFP_KERNEL, int cpu = 0) {
  auto o = kmalloc(m, size, g, cpu);
  REQUIRE_MESSAGE(o, (o ? std::string() : o.diag().str()));
  REQUIRE(o->ok);
  check(m);
  return *o;
}

const Slab& slab_at(const Machine& m, Pfn pfn) { return m.slub->slabs.at(pfn); }
const KmemCache& kc(const Machine& m, u32 id) { return *cache_of(m, id); }

// The codes recorded since the trace was last cleared (End records left out).
std::vector<Ev> codes(const Machine& m) {
  std::vector<Ev> v;
  for (const Event& e : m.trace.events())
    if (e.kind != EventKind::End) v.push_back(e.code);
  return v;
}
bool has(const std::vector<Ev>& v, Ev code) { return std::find(v.begin(), v.end(), code) != v.end(); }

// The first record of `code` (it must be there).
const Event& first(const Machine& m, Ev code) {
  for (const Event& e : m.trace.events())
    if (e.code == code && e.kind != EventKind::End) return e;
  FAIL("no " << spec(code).code << " event");
  return m.trace.events().front();
}
std::string str(const Machine& m, const Event& e, Arg a) { return m.trace.string_at(static_cast<size_t>(e.get(a))); }

// SLUB's codes: the slab section of events.def, first to last.
bool slub_code(Ev c) { return c >= Ev::kmem_cache_init && c <= Ev::free_to_partial_list; }

// The trace as `mmsim --trace` prints it, keeping only SLUB's own records
// (the page allocator's, nested inside, are another subsystem's to pin down).
std::vector<std::string> slub_lines(const Machine& m) {
  std::vector<std::string> v;
  for (const Event& e : m.trace.events())
    if (slub_code(e.code)) v.push_back(to_string(e, m.trace));
  return v;
}

u64 total_free(const Machine& m) {
  u64 n = 0;
  for (const Node& nd : m.nodes)
    for (const Zone& z : nd.zones) n += z.nr_free_pages;
  return n;
}

}  // namespace

TEST_SUITE("slub") {
  TEST_CASE("geometry: every kmalloc cache of every capture, from its dmesg") {
    int compared = 0;
    for (const std::string& cap : mmtest::captures()) {
      const std::string dir = mmtest::reference_dir() + "/" + cap;
      auto dmesg = mmtest::read_file(dir + "/dmesg.txt");
      auto info = mmtest::read_file(dir + "/slabinfo.txt");
      if (!dmesg || !info) continue;
      Playground pg;
      Status b = pg.boot_dmesg(*dmesg, cap);
      REQUIRE_MESSAGE(b, b.str());
      std::string ours;
      REQUIRE(pg.proc("slabinfo", ours));
      CHECK(ours.rfind("slabinfo - version: 2.1\n# name            <active_objs>", 0) == 0);
      std::map<std::string, std::string> mine;
      for (const std::string& l : mmtest::lines(ours)) {
        std::istringstream in(l);
        std::string name, a, n, objsize, per, pages;
        in >> name >> a >> n >> objsize >> per >> pages;
        mine[name] = objsize + " " + per + " " + pages;
      }
      static const std::regex kmalloc_re("^(kmalloc-|kmalloc-rcl-|kmalloc-cg-|dma-kmalloc-)");
      for (const std::string& l : mmtest::lines(*info)) {
        std::istringstream in(l);
        std::string name, a, n, objsize, per, pages;
        in >> name >> a >> n >> objsize >> per >> pages;
        if (!std::regex_search(name, kmalloc_re) && name != "kmem_cache" && name != "kmem_cache_node") continue;
        const std::string want = objsize + " " + per + " " + pages;
        const std::string got = mine.count(name) ? mine[name] : "missing";
        CAPTURE(cap);
        CAPTURE(name);
        CHECK(got == want);
        ++compared;
      }
      // The boot line.
      const std::string log = pg.boot_log();
      auto want_line = mmtest::matching(mmtest::dmesg_lines(*dmesg), "^SLUB: HWalign");
      REQUIRE(want_line.size() == 1);
      CHECK(log.find(want_line[0]) != std::string::npos);
      CHECK(pg.check().empty());
    }
    CHECK(compared >= 3 * 54);
  }

  TEST_CASE("geometry: other CPU counts follow min_objects = 4 * (fls(cpus) + 1)") {
    // kmalloc-1k .. 8k are where the CPU count shows: the order grows until
    // min_objects fit (at most order 3).
    struct Row {
      unsigned cpus;
      u32 min_objects;
      Order o512, o1k, o2k, o4k;
    };
    const Row rows[] = {
        {1, 8, 0, 1, 2, 3}, {2, 12, 1, 2, 3, 3}, {4, 16, 1, 2, 3, 3}, {8, 20, 2, 3, 3, 3}, {64, 32, 2, 3, 3, 3}};
    for (const Row& r : rows) {
      CAPTURE(r.cpus);
      CHECK(slub_min_objects(r.cpus, r.cpus) == r.min_objects);
      auto m = mmtest::boot_spec("ram=512M cpus=" + std::to_string(r.cpus));
      for (const auto& row : {std::pair<const char*, Order>{"kmalloc-512", r.o512},
                              {"kmalloc-1k", r.o1k},
                              {"kmalloc-2k", r.o2k},
                              {"kmalloc-4k", r.o4k}}) {
        // Named copies: clang 14 cannot capture structured bindings in CHECK.
        const char* name = row.first;
        const Order order = row.second;
        const CacheGeometry g = kc(*m, cache(*m, name)).g;
        CAPTURE(name);
        CHECK(g.order == order);
        CHECK(static_cast<u64>(g.order) == static_cast<u64>(calculate_order(g.size, r.min_objects)));
      }
      CHECK(mmtest::matching(
                m->log, "^SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=" + std::to_string(r.cpus) + ", Nodes=1$")
                .size() == 1);
    }
    // The formula against its own definition, for odd sizes too.
    for (u32 size : {8u, 24u, 96u, 192u, 200u, 640u, 1216u, 2176u, 3000u, 9000u})
      for (unsigned cpus : {1u, 2u, 4u, 8u, 64u}) {
        const int order = calculate_order(size, slub_min_objects(cpus, cpus));
        REQUIRE(order >= 0);
        const u64 slab = PAGE_SIZE << order;
        CHECK(slab / size >= 1);
        if (size * 4 <= (PAGE_SIZE << SLUB_MAX_ORDER)) CHECK(order <= static_cast<int>(SLUB_MAX_ORDER));
      }
  }

  TEST_CASE("the classic: kmem_cache_create(\"figo_object\", 20, 8, 0)") {
    //  object 20 -> word aligned 24; free pointer at ALIGN_DOWN(20/2, 8) = 8;
    //  4096 / 24 = 170 objects per order-0 slab, 16 bytes left over.
    auto m = small();
    auto id = kmem_cache_create(*m, "figo_object", 20, 8, 0);
    REQUIRE(id);
    const CacheGeometry g = kc(*m, *id).g;
    CHECK(g.object_size == 20);
    CHECK(g.size == 24);
    CHECK(g.align == 8);
    CHECK(g.offset == 8);
    CHECK(g.inuse == 24);
    CHECK(g.order == 0);
    CHECK(g.objects == 170);
    CHECK(g.min_partial == 5);
    CHECK(g.cpu_partial == 120);
    CHECK(g.cpu_partial_slabs == 2);
    check(*m);
    std::string info = proc_slabinfo(*m);
    CHECK(info.find("figo_object            0      0     24  170    1 : tunables    0    0    0 : slabdata      0      "
                    "0      0") != std::string::npos);
    // HWCACHE_ALIGN: 20 <= 32 so the line is halved to 32.
    auto hw = kmem_cache_create(*m, "figo_hw", 20, 0, slabf::HWCACHE_ALIGN);
    REQUIRE(hw);
    CHECK(kc(*m, *hw).g.size == 32);
    CHECK(kc(*m, *hw).g.objects == 128);
    // Debug flags move things: red zone and poison put the free pointer after the object.
    auto dbg = kmem_cache_create(*m, "figo_debug", 20, 8, slabf::RED_ZONE | slabf::POISON | slabf::STORE_USER);
    REQUIRE(dbg);
    const CacheGeometry d = kc(*m, *dbg).g;
    CHECK(d.inuse == 24);   // 20 -> 24 leaves room for the red zone
    CHECK(d.offset == 24);  // poison: free pointer outside
    CHECK(d.red_left_pad == 8);
    CHECK(d.size == 24 + 8 + 64 + 8 + 8);  // + fp + 2 tracks + right pad + left red zone
    CHECK(d.cpu_partial == 0);
    check(*m);
  }

  TEST_CASE("merging: a compatible cache becomes an alias, destroy drops a reference") {
    auto m = small();
    auto a = kmem_cache_create(*m, "figo_a", 20, 8, 0);
    auto b = kmem_cache_create(*m, "figo_b", 24, 0, 0);                       // same 24-byte slot
    auto c = kmem_cache_create(*m, "figo_c", 20, 8, slabf::RECLAIM_ACCOUNT);  // different accounting
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(c);
    CHECK(*a == *b);
    CHECK(*c != *a);
    CHECK(kc(*m, *a).refcount == 2);
    CHECK(kc(*m, *a).g.object_size == 24);
    CHECK(find_cache(*m, "figo_b") == std::optional<u32>(*a));
    // kmalloc caches never take aliases (usersize / refcount -1).
    auto k = kmem_cache_create(*m, "like_kmalloc_64", 64, 0, 0);
    REQUIRE(k);
    CHECK(kc(*m, *k).name == "like_kmalloc_64");
    REQUIRE(kmem_cache_destroy(*m, "figo_b"));
    CHECK(kc(*m, *a).refcount == 1);
    CHECK_FALSE(find_cache(*m, "figo_b"));
    CHECK(kmem_cache_destroy(*m, "figo_a"));
    CHECK_FALSE(find_cache(*m, "figo_a"));
    check(*m);
  }

  TEST_CASE("kmalloc(100): size_index picks kmalloc-128; fast path pops the CPU freelist") {
    auto m = small();
    const u32 k128 = cache(*m, "kmalloc-128");
    CHECK(kmalloc_slab(*m, 100, gfp::GFP_KERNEL) == k128);
    CHECK(kc(*m, kmalloc_slab(*m, 72, gfp::GFP_KERNEL)).name == "kmalloc-96");
    CHECK(kc(*m, kmalloc_slab(*m, 136, gfp::GFP_KERNEL)).name == "kmalloc-192");
    CHECK(kc(*m, kmalloc_slab(*m, 193, gfp::GFP_KERNEL)).name == "kmalloc-256");
    CHECK(kc(*m, kmalloc_slab(*m, 100, gfp::GFP_KERNEL | gfp::RECLAIMABLE)).name == "kmalloc-rcl-128");
    CHECK(kc(*m, kmalloc_slab(*m, 100, gfp::GFP_KERNEL_ACCOUNT)).name == "kmalloc-cg-128");
    CHECK(kc(*m, kmalloc_slab(*m, 100, gfp::GFP_KERNEL | gfp::DMA)).name == "dma-kmalloc-128");
    CHECK(kmalloc_slab(*m, 8193, gfp::GFP_KERNEL) == NO_CACHE);

    m->trace.enable(true);
    // First kmalloc: no CPU slab, nothing partial: a new slab.
    //   [################################]  ->  [#ccccccccccccccccccccccccccccccc]
    auto a = km(*m, 100);
    CHECK(a.cache == k128);
    CHECK(a.index == 0);
    const auto f1 = codes(*m);
    CHECK(has(f1, Ev::kmalloc_slab));
    CHECK(has(f1, Ev::slab_alloc_slow));
    CHECK(has(f1, Ev::allocate_slab));
    CHECK(has(f1, Ev::new_slab));
    CHECK(has(f1, Ev::load_freelist));
    // The page allocator's events nest inside allocate_slab.
    bool nested = false;
    for (const Event& e : m->trace.events())
      nested = nested || (e.function() == "__alloc_pages" && e.depth > first(*m, Ev::allocate_slab).depth);
    CHECK(nested);
    CHECK(slab_picture(slab_at(*m, a.pfn)) == "#" + std::string(31, 'c'));
    CHECK(a.addr == PAGE_OFFSET + PFN_PHYS(a.pfn));
    CHECK(m->mem.owner_of(a.pfn) == Owner::Slab);
    // Second: the fast path, the next object in address order.
    m->trace.clear();
    auto b = km(*m, 100);
    CHECK(b.index == 1);
    CHECK(b.addr == a.addr + 128);
    CHECK(codes(*m) == std::vector<Ev>{Ev::kmalloc, Ev::kmalloc_slab, Ev::slab_alloc_fast});
    CHECK(*ksize(*m, b.addr) == 128);
    // kfree on the same CPU: back on the CPU freelist, head first.
    m->trace.clear();
    REQUIRE(kfree(*m, a.addr, 0));
    CHECK(has(codes(*m), Ev::slab_free_fast));
    CHECK(slab_picture(slab_at(*m, a.pfn)) == "c#" + std::string(30, 'c'));
    CHECK(m->slub->caches[k128].cpu[0].freelist.front() == 0);
    check(*m);
  }

  TEST_CASE("slow path stages: CPU slab full -> CPU partial -> node partial -> new slab") {
    auto m = small("ram=256M cpus=1");
    const u32 id = *kmem_cache_create(*m, "stage", 1024, 0, 0);  // 1 CPU: 8 objects, order 1
    const CacheGeometry g = kc(*m, id).g;
    REQUIRE(g.objects == 8);
    auto alloc = [&](int cpu = 0) {
      auto o = kmem_cache_alloc(*m, id, gfp::GFP_KERNEL, cpu);
      REQUIRE(o);
      REQUIRE(o->ok);
      check(*m);
      return *o;
    };
    // Fill two slabs: A full (listed nowhere), B is the CPU slab and full too.
    std::vector<KmallocOutcome> objs;
    for (int i = 0; i < 16; ++i) objs.push_back(alloc());
    const Pfn A = objs[0].pfn, B = objs[8].pfn;
    CHECK(slab_at(*m, A).place == SlabPlace::Full);
    CHECK(slab_at(*m, B).place == SlabPlace::CpuSlab);
    // Free one object of A: a full slab gets a free object -> frozen onto
    // the CPU partial list.  A: [.#######]
    m->trace.enable(true);
    REQUIRE(kmem_cache_free(*m, id, objs[0].addr, 0));
    CHECK(has(codes(*m), Ev::slab_free_slow));
    CHECK(has(codes(*m), Ev::put_cpu_partial));
    CHECK(slab_at(*m, A).place == SlabPlace::CpuPartial);
    CHECK(slab_picture(slab_at(*m, A)) == ".#######");
    // Next allocation: B is full, so the CPU partial slab A becomes the CPU slab.
    m->trace.clear();
    auto x = alloc();
    CHECK(x.pfn == A);
    CHECK(x.index == 0);
    CHECK(has(codes(*m), Ev::deactivate_bypass));
    CHECK(has(codes(*m), Ev::cpu_partial_alloc));
    CHECK(slab_at(*m, B).place == SlabPlace::Full);
    // A node partial slab: flush the CPU after freeing into B.
    REQUIRE(kmem_cache_free(*m, id, objs[9].addr, 0));  // B -> CPU partial
    REQUIRE(kmem_cache_shrink(*m, id));                 // flush: B to the node list
    CHECK(slab_at(*m, B).place == SlabPlace::NodePartial);
    CHECK(slab_at(*m, A).place == SlabPlace::Full);
    m->trace.clear();
    auto y = alloc();
    CHECK(y.pfn == B);
    CHECK(has(codes(*m), Ev::get_partial_node));
    CHECK(has(codes(*m), Ev::acquire_slab));
    // All full again: the next one needs a new slab.
    m->trace.clear();
    auto z = alloc();
    CHECK(z.pfn != A);
    CHECK(z.pfn != B);
    CHECK(has(codes(*m), Ev::allocate_slab));
    check(*m);
  }

  TEST_CASE("get_partial_node also fills the CPU partial list") {
    // kmalloc-4k on 2 CPUs: 8 objects, cpu_partial 6 -> 2 slabs; it moves
    // slabs until more than 2/2 = 1 went to the CPU partial list.
    auto m = small();
    const u32 id = cache(*m, "kmalloc-4k");
    REQUIRE(kc(*m, id).g.cpu_partial_slabs == 2);
    std::vector<KmallocOutcome> objs;
    for (int i = 0; i < 8 * 5; ++i) objs.push_back(km(*m, 4096));
    // One object freed per slab, then flush: 5 partial slabs on the node (min_partial 6).
    for (int s = 0; s < 5; ++s) REQUIRE(kfree(*m, objs[static_cast<size_t>(s * 8)].addr, 1));
    REQUIRE(kmem_cache_shrink(*m, id));
    check(*m);
    CHECK(kc(*m, id).node[0].partial.size() == 5);
    m->trace.enable(true);
    km(*m, 4096);
    // One became the CPU slab, two went to the CPU partial list.
    CHECK(kc(*m, id).cpu[0].slab != NO_SLAB);
    CHECK(kc(*m, id).cpu[0].partial.size() == 2);
    CHECK(kc(*m, id).node[0].partial.size() == 2);
  }

  TEST_CASE("CPU partial overflow: the list is unfrozen to the node when full") {
    auto m = small();
    const u32 id = cache(*m, "kmalloc-4k");  // cpu_partial_slabs 2
    std::vector<KmallocOutcome> objs;
    for (int i = 0; i < 8 * 4; ++i) objs.push_back(km(*m, 4096));
    // Free one object in each of the three full slabs that are not the CPU slab.
    m->trace.enable(true);
    REQUIRE(kfree(*m, objs[0].addr));
    REQUIRE(kfree(*m, objs[8].addr));
    CHECK(kc(*m, id).cpu[0].partial.size() == 2);
    CHECK(kc(*m, id).node[0].partial.empty());
    m->trace.clear();
    REQUIRE(kfree(*m, objs[16].addr));  // the list holds 2 >= 2: unfreeze both first
    CHECK(has(codes(*m), Ev::put_cpu_partial_drain));
    CHECK(has(codes(*m), Ev::unfreeze_partials));
    CHECK(kc(*m, id).cpu[0].partial == std::vector<Pfn>{objs[16].pfn});
    CHECK(kc(*m, id).node[0].partial == (std::vector<Pfn>{objs[8].pfn, objs[0].pfn}));
    check(*m);
  }

  TEST_CASE("an empty slab is discarded only when the node keeps min_partial partial slabs") {
    auto m = small();
    const u32 id = *kmem_cache_create(*m, "empties", 2048, 0, 0);  // 16 per order-3 slab, min_partial 5
    const CacheGeometry g = kc(*m, id).g;
    const u32 per = g.objects;
    std::vector<std::vector<KmallocOutcome>> slabs(7);
    for (auto& s : slabs)
      for (u32 i = 0; i < per; ++i) s.push_back(*kmem_cache_alloc(*m, id, gfp::GFP_KERNEL, 0));
    // Make 6 slabs partial on the node: free one object each, flush.
    for (size_t s = 0; s < 6; ++s) REQUIRE(kmem_cache_free(*m, id, slabs[s][0].addr, 1));
    REQUIRE(kmem_cache_shrink(*m, id));
    REQUIRE(kc(*m, id).node[0].partial.size() == 6);
    // Empty slab 0 completely (from CPU 1, which owns none of them):
    // 6 >= min_partial 5 -> the last free discards it.
    const u64 before = total_free(*m);
    m->trace.enable(true);
    for (u32 i = 1; i < per; ++i) REQUIRE(kmem_cache_free(*m, id, slabs[0][i].addr, 1));
    {
      // The last free: __slab_free finds the slab empty with 6 >= 5 partial
      // slabs on the node, takes it off the list, and discard_slab gives its
      // order-3 pages back.
      const Event& why = first(*m, Ev::slab_free_discard);
      CHECK(why.pfn == slabs[0][0].pfn);
      CHECK(why.node == 0);
      CHECK(why.get(Arg::partial) == 6);
      CHECK(why.get(Arg::min_partial) == 5);
      const Event& gone = first(*m, Ev::discard_slab);
      CHECK(gone.pfn == slabs[0][0].pfn);
      CHECK(gone.order == static_cast<int>(g.order));
      CHECK(str(*m, gone, Arg::cache) == "empties");
      CHECK(gone.seq > why.seq);
      // Every free before it was a plain __slab_free onto the node partial slab.
      const auto c = codes(*m);
      CHECK(std::count(c.begin(), c.end(), Ev::slab_free_slow) == static_cast<long>(per - 1));
      CHECK_FALSE(has(c, Ev::slab_free_fast));
      CHECK_FALSE(has(c, Ev::slab_free_keep_empty));
    }
    CHECK(kc(*m, id).node[0].partial.size() == 5);
    CHECK_FALSE(m->slub->slabs.count(slabs[0][0].pfn));
    drain_all_pages(*m);
    CHECK(total_free(*m) >= before);
    // Now 5 partial slabs: emptying slab 1 keeps... 5 >= 5, discarded too;
    // after that 4 < 5: slab 2 stays, empty, on the list.
    for (u32 i = 1; i < per; ++i) REQUIRE(kmem_cache_free(*m, id, slabs[1][i].addr, 1));
    CHECK(kc(*m, id).node[0].partial.size() == 4);
    m->trace.clear();
    for (u32 i = 1; i < per; ++i) REQUIRE(kmem_cache_free(*m, id, slabs[2][i].addr, 1));
    CHECK(kc(*m, id).node[0].partial.size() == 4);
    CHECK(slab_at(*m, slabs[2][0].pfn).inuse == 0);
    CHECK_FALSE(has(codes(*m), Ev::discard_slab));
    const Event& stays = first(*m, Ev::slab_free_keep_empty);
    CHECK(stays.pfn == slabs[2][0].pfn);
    CHECK(stays.get(Arg::partial) == 4);
    CHECK(stays.get(Arg::min_partial) == 5);
    check(*m);
  }

  TEST_CASE("large kmalloc goes straight to the buddy allocator as a compound page") {
    auto m = small();
    m->trace.enable(true);
    auto o = km(*m, 10000);
    CHECK(o.cache == NO_CACHE);
    CHECK(has(codes(*m), Ev::kmalloc_large));
    CHECK(m->mem.order_of(o.pfn) == 2);  // 10000 bytes -> 16 KiB
    CHECK(*ksize(*m, o.addr) == 16384);
    CHECK(slab_unreclaimable_pages(*m) >= 4);
    CHECK_FALSE(kfree(*m, o.addr + 4096));  // not its start
    REQUIRE(kfree(*m, o.addr));
    CHECK(m->slub->large.empty());
    auto huge = kmalloc(*m, KMALLOC_MAX_SIZE + 1, gfp::GFP_KERNEL, 0);
    REQUIRE(huge);
    CHECK_FALSE(huge->ok);
    auto zero = km(*m, 0);
    CHECK(zero.addr == ZERO_SIZE_PTR);
    CHECK(kfree(*m, zero.addr));
    check(*m);
  }

  TEST_CASE("bad frees are diagnostics that change nothing") {
    auto m = small();
    auto a = km(*m, 100);
    auto figo = *kmem_cache_create(*m, "figo_object", 20, 8, 0);
    auto f = *kmem_cache_alloc(*m, figo, gfp::GFP_KERNEL, 0);
    const SlubState before = *m->slub.get();
    auto same = [&] {
      CHECK(m->slub->slabs.size() == before.slabs.size());
      CHECK(slab_picture(slab_at(*m, a.pfn)) == slab_picture(before.slabs.at(a.pfn)));
      check(*m);
    };
    Status s = kfree(*m, a.addr + 8);
    REQUIRE_FALSE(s);
    CHECK(s.diag().message.find("Invalid object pointer") != std::string::npos);
    same();
    s = kmem_cache_free(*m, figo, a.addr, 0);
    REQUIRE_FALSE(s);
    CHECK(s.diag().message == "kmem_cache_free: Wrong slab cache. figo_object but object is from kmalloc-128");
    same();
    REQUIRE(kfree(*m, a.addr));
    s = kfree(*m, a.addr);
    REQUIRE_FALSE(s);
    CHECK(s.diag().message.find("BUG kmalloc-128 (Not tainted): Object already free") != std::string::npos);
    check(*m);
    CHECK_FALSE(kfree(*m, 0x1234));
    // Destroying a cache with live objects refuses and keeps it.
    s = kmem_cache_destroy(*m, "figo_object");
    REQUIRE_FALSE(s);
    CHECK(s.diag().message.find("Slab cache still has objects") != std::string::npos);
    CHECK(find_cache(*m, "figo_object"));
    REQUIRE(kmem_cache_free(*m, figo, f.addr, 0));
    REQUIRE(kmem_cache_destroy(*m, "figo_object"));
    CHECK_FALSE(kmem_cache_create(*m, "kmalloc-64", 64, 0, 0));  // duplicate name
    CHECK_FALSE(kmem_cache_create(*m, "bad", 64, 3, 0));         // align not a power of two
    CHECK_FALSE(kmem_cache_create(*m, "bad", 64, 0, slabf::KMALLOC));
    check(*m);
  }

  TEST_CASE("property: random kmalloc/kfree/kmem_cache traffic keeps every invariant; freeing all restores the buddy") {
    for (u64 seed : {1ull, 2ull, 3ull}) {
      CAPTURE(seed);
      auto m = mmtest::boot_spec("ram=256M cpus=2");
      slub_set_freelist_random(*m, true, seed);
      drain_all_pages(*m);
      std::vector<std::array<u64, MAX_ORDER>> prior;
      for (const Node& n : m->nodes)
        for (const Zone& z : n.zones) {
          std::array<u64, MAX_ORDER> a{};
          for (unsigned o = 0; o < MAX_ORDER; ++o) a[o] = z.free_area[o].nr_free;
          prior.push_back(a);
        }
      const u64 free_before = total_free(*m);
      std::mt19937_64 rng(seed);
      const u32 figo = *kmem_cache_create(*m, "figo_object", 20, 8, 0);
      const u32 dbg = *kmem_cache_create(*m, "figo_debug", 200, 0, slabf::RED_ZONE | slabf::STORE_USER);
      struct Live {
        u64 addr;
        u32 cache;  // NO_CACHE: kmalloc
      };
      std::vector<Live> live;
      const u64 sizes[] = {8, 20, 64, 96, 100, 192, 500, 1000, 3000, 4096, 8192, 9000, 30000};
      const gfp_t gfps[] = {gfp::GFP_KERNEL, gfp::GFP_KERNEL_ACCOUNT, gfp::GFP_KERNEL | gfp::RECLAIMABLE,
                            gfp::GFP_KERNEL | gfp::DMA, gfp::GFP_ATOMIC};
      for (int step = 0; step < 1500; ++step) {
        const int cpu = static_cast<int>(rng() % 2);
        const unsigned op = static_cast<unsigned>(rng() % 10);
        if (op < 4 || live.empty()) {
          auto o = kmalloc(*m, sizes[rng() % std::size(sizes)], gfps[rng() % std::size(gfps)], cpu);
          REQUIRE(o);
          if (o->ok && o->addr != ZERO_SIZE_PTR) live.push_back({o->addr, NO_CACHE});
        } else if (op < 6) {
          const u32 c = rng() % 3 ? figo : dbg;
          auto o = kmem_cache_alloc(*m, c, gfp::GFP_KERNEL, cpu);
          REQUIRE(o);
          if (o->ok) live.push_back({o->addr, c});
        } else if (op < 9) {
          const size_t i = rng() % live.size();
          const Live l = live[i];
          live.erase(live.begin() + static_cast<long>(i));
          Status s = l.cache == NO_CACHE ? kfree(*m, l.addr, cpu) : kmem_cache_free(*m, l.cache, l.addr, cpu);
          REQUIRE_MESSAGE(s, s.str());
        } else {
          // A double free must be refused and change nothing.
          const auto slabs = m->slub->slabs.size();
          if (!live.empty()) {
            const Live l = live.back();
            if (l.cache != NO_CACHE) {
              REQUIRE(kmem_cache_free(*m, l.cache, l.addr, cpu));
              live.pop_back();
              CHECK_FALSE(kmem_cache_free(*m, l.cache, l.addr, cpu));
              (void)slabs;
            }
          }
        }
        auto v = check_invariants(*m);
        INFO("step " << step << ": " << (v.empty() ? std::string() : v.front()));
        REQUIRE(v.empty());
      }
      for (const Live& l : live)
        REQUIRE((l.cache == NO_CACHE ? kfree(*m, l.addr, 0) : kmem_cache_free(*m, l.cache, l.addr, 0)));
      REQUIRE(kmem_cache_destroy(*m, "figo_object"));
      REQUIRE(kmem_cache_destroy(*m, "figo_debug"));
      kmem_cache_shrink_all(*m);
      drain_all_pages(*m);
      check(*m);
      // Only the boot caches' slabs remain, exactly as many pages as before.
      CHECK(total_free(*m) == free_before);
      size_t zi = 0;
      for (const Node& n : m->nodes)
        for (const Zone& z : n.zones) {
          std::array<u64, MAX_ORDER> a{};
          for (unsigned o = 0; o < MAX_ORDER; ++o) a[o] = z.free_area[o].nr_free;
          CHECK(a == prior[zi]);
          ++zi;
        }
    }
  }

  TEST_CASE("determinism and snapshots: same seed, same events; a copied machine is independent") {
    auto run = [](u64 seed) {
      auto m = mmtest::boot_spec("ram=256M cpus=2");
      slub_set_freelist_random(*m, true, seed);
      m->trace.enable(true);
      for (int i = 0; i < 50; ++i) (void)kmalloc(*m, 8u + static_cast<u64>(i) * 40u, gfp::GFP_KERNEL, i % 2);
      std::vector<std::string> out;
      for (const Event& e : m->trace.events()) out.push_back(to_string(e, m->trace));
      return std::make_pair(out, std::move(m));
    };
    auto ra = run(7);
    auto rb = run(7);
    CHECK(ra.first == rb.first);
    CHECK(ra.first != run(8).first);
    // The records themselves, field by field (strings by their text).
    const Machine& am = *ra.second;
    const Machine& bm = *rb.second;
    const auto& ea = am.trace.events();
    const auto& eb = bm.trace.events();
    REQUIRE(ea.size() == eb.size());
    for (size_t i = 0; i < ea.size(); ++i) {
      CAPTURE(i);
      const Event& x = ea[i];
      const Event& y = eb[i];
      REQUIRE(x.code == y.code);
      CHECK((x.kind == y.kind && x.depth == y.depth && x.pfn == y.pfn && x.order == y.order && x.node == y.node &&
             x.cpu == y.cpu && x.zone == y.zone && x.mt == y.mt));
      const EventSpec& sp = x.spec();
      for (unsigned k = 0; k < sp.nargs; ++k) {
        const Arg arg = sp.args[k];
        if (kArgInfo[static_cast<unsigned>(arg)].type == ArgType::kStr)
          CHECK(str(am, x, arg) == str(bm, y, arg));
        else
          CHECK(x.get(arg) == y.get(arg));
      }
    }
    auto m = small();
    auto a = km(*m, 100);
    Machine copy = *m;
    REQUIRE(kfree(*m, a.addr));
    CHECK(slab_picture(copy.slub->slabs.at(a.pfn))[0] == '#');
    CHECK(slab_picture(m->slub->slabs.at(a.pfn))[0] == 'c');
  }

  TEST_CASE("scenario statements and figures") {
    const char* text =
        "machine ram=256M cpus=2\n"
        "kmem_cache_create figo_object 20 align=8\n"
        "expect cache figo_object objsize == 24\n"
        "expect cache figo_object objperslab == 170\n"
        "expect cache kmalloc-128 pagesperslab == 1\n"
        "kmalloc p 100\n"
        "kmalloc p 100 gfp=GFP_KERNEL_ACCOUNT cpu=1\n"
        "kmem_cache_alloc f figo_object\n"
        "expect cache kmalloc-128 num_slabs == 1\n"
        "expect cache kmalloc-cg-128 active_objs == 32\n"
        "expect proc slabinfo contains \"figo_object\"\n"
        "kfree p\n"
        "kmem_cache_free f\n"
        "kmem_cache_shrink kmalloc-128\n"
        "expect cache kmalloc-128 num_slabs == 0\n"
        "kmem_cache_destroy figo_object\n";
    auto sc = parse_scenario(text, "s.mm");
    REQUIRE_MESSAGE(sc, (sc ? std::string() : sc.diag().str()));
    auto r = run_scenario(*sc, {});
    INFO((r.failures.empty() ? std::string() : r.failures.front().str()));
    CHECK(r.ok());
    CHECK(r.expects_passed == 7);
    auto bad = parse_scenario("machine ram=256M\nkmem_cache_create x 20 flags=SLAB_NOPE\n", "b.mm");
    REQUIRE_FALSE(bad);
    CHECK(bad.diag().line == 2);
    CHECK(bad.diag().message.find("unknown slab flag 'SLAB_NOPE'") != std::string::npos);
  }
  // ---- the typed trace ---------------------------------------------------------------------------

  TEST_CASE("kmalloc records where its object came from: a new slab, the CPU slab, a partial slab") {
    auto m = small("ram=256M cpus=1");
    const u32 k1 = cache(*m, "kmalloc-1k");
    const CacheGeometry g = kc(*m, k1).g;
    REQUIRE(kc(*m, k1).node[0].nr_slabs == 0);
    m->trace.enable(true);

    // A new slab: nothing on any list, so ___slab_alloc goes to the buddy allocator.
    auto a = km(*m, 1000);
    {
      const auto c = codes(*m);
      CHECK_FALSE(has(c, Ev::slab_alloc_fast));
      CHECK_FALSE(has(c, Ev::get_partial_node));
      const Event& pick = first(*m, Ev::kmalloc_slab);
      CHECK(str(*m, pick, Arg::cache) == "kmalloc-1k");
      CHECK(pick.get(Arg::size) == 1000);
      CHECK(pick.get(Arg::table) == 0);  // > 192: fls(999) = 10
      CHECK(pick.get(Arg::kmalloc_idx) == 10);
      const Event& slow = first(*m, Ev::slab_alloc_slow);
      CHECK(slow.cpu == 0);
      const Event& grow = first(*m, Ev::allocate_slab);
      CHECK(grow.kind == EventKind::Begin);
      CHECK(grow.order == static_cast<int>(g.order));
      CHECK(grow.get(Arg::objects) == g.objects);
      const Event& made = first(*m, Ev::new_slab);
      CHECK(made.pfn == a.pfn);
      CHECK(made.order == static_cast<int>(g.order));
      CHECK(made.node == 0);
      CHECK(made.get(Arg::objects) == g.objects);
      CHECK(made.get(Arg::shuffled) == 0);
      CHECK(made.get(Arg::index) == 0);
      const Event& load = first(*m, Ev::load_freelist);
      CHECK(load.seq > made.seq);
      CHECK(load.pfn == a.pfn);
      CHECK(load.get(Arg::index) == 0);
      CHECK(static_cast<u64>(load.get(Arg::addr)) == a.addr);
      CHECK(load.get(Arg::free_objects) == g.objects - 1);
      CHECK(narrate(load, m->trace) ==
            "kmalloc-1k: object 0 at 0x" +
                [&] {
                  char b[24];
                  std::snprintf(b, sizeof b, "%llx", static_cast<unsigned long long>(a.addr));
                  return std::string(b);
                }() +
                " from the CPU slab (" + std::to_string(g.objects - 1) + " left on the CPU freelist)");
    }

    // The CPU slab: the fast path pops c->freelist, nothing else.
    std::vector<KmallocOutcome> objs{a};
    for (u32 i = 1; i < g.objects; ++i) {
      m->trace.clear();
      objs.push_back(km(*m, 1000));
      REQUIRE(codes(*m) == (std::vector<Ev>{Ev::kmalloc, Ev::kmalloc_slab, Ev::slab_alloc_fast}));
      const Event& pop = first(*m, Ev::slab_alloc_fast);
      CHECK(pop.pfn == a.pfn);
      CHECK(pop.cpu == 0);
      CHECK(pop.get(Arg::index) == i);
      CHECK(static_cast<u64>(pop.get(Arg::addr)) == objs.back().addr);
      CHECK(pop.get(Arg::free_objects) == g.objects - 1 - i);
    }
    // The CPU slab is full now. A free into it from... this CPU is the fast
    // path; instead free into a slab that is not the CPU slab: fill a second
    // slab, then free object 0 of the first (full, on no list).
    for (u32 i = 0; i < g.objects; ++i) objs.push_back(km(*m, 1000));
    const Pfn A = a.pfn, B = objs.back().pfn;
    REQUIRE(B != A);
    REQUIRE(slab_at(*m, A).place == SlabPlace::Full);

    // A CPU partial slab: the freed-into full slab is frozen onto the CPU
    // partial list; the next kmalloc drops the full CPU slab and takes it.
    m->trace.clear();
    REQUIRE(kfree(*m, a.addr, 0));
    {
      const Event& put = first(*m, Ev::put_cpu_partial);
      CHECK(put.pfn == A);
      CHECK(put.get(Arg::inuse) == g.objects - 1);
      CHECK(put.get(Arg::partial) == 1);
      CHECK(put.get(Arg::max) == g.cpu_partial_slabs);
    }
    m->trace.clear();
    auto x = km(*m, 1000);
    CHECK(x.pfn == A);
    CHECK(x.index == 0);
    CHECK(codes(*m) == (std::vector<Ev>{Ev::kmalloc, Ev::kmalloc_slab, Ev::slab_alloc_slow, Ev::deactivate_bypass,
                                        Ev::cpu_partial_alloc, Ev::alloc_refill, Ev::load_freelist}));
    CHECK(first(*m, Ev::deactivate_bypass).pfn == B);
    CHECK(first(*m, Ev::cpu_partial_alloc).pfn == A);
    CHECK(first(*m, Ev::cpu_partial_alloc).get(Arg::free_objects) == 1);
    CHECK(first(*m, Ev::cpu_partial_alloc).get(Arg::partial) == 0);
    CHECK(first(*m, Ev::alloc_refill).get(Arg::free_objects) == 1);
    CHECK(first(*m, Ev::load_freelist).get(Arg::free_objects) == 0);

    // A node partial slab: free one object of B (full: to the CPU partial
    // list), flush the CPU (B to the node list), kmalloc again.
    REQUIRE(kfree(*m, objs[g.objects + 3].addr, 0));
    REQUIRE(kmem_cache_shrink(*m, k1));
    REQUIRE(slab_at(*m, B).place == SlabPlace::NodePartial);
    m->trace.clear();
    auto y = km(*m, 1000);
    CHECK(y.pfn == B);
    CHECK(y.index == 3);
    CHECK(codes(*m) == (std::vector<Ev>{Ev::kmalloc, Ev::kmalloc_slab, Ev::slab_alloc_slow, Ev::get_partial_node,
                                        Ev::acquire_slab, Ev::load_freelist}));
    const Event& node = first(*m, Ev::get_partial_node);
    CHECK(node.node == 0);
    CHECK(node.get(Arg::partial) == 1);
    const Event& acq = first(*m, Ev::acquire_slab);
    CHECK(acq.pfn == B);
    CHECK(acq.cpu == 0);
    CHECK(acq.get(Arg::free_objects) == 1);
    CHECK(first(*m, Ev::load_freelist).get(Arg::index) == 3);
  }

  TEST_CASE("golden trace: the fast paths, and a free from another CPU into a frozen slab") {
    auto m = small();
    auto a = km(*m, 100);
    auto hexa = [](u64 v) {
      char b[24];
      std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
      return std::string(b);
    };
    m->trace.enable(true);
    auto b = km(*m, 100);
    REQUIRE(kfree(*m, a.addr, 0));
    REQUIRE(kfree(*m, b.addr, 1));
    const std::string P = std::to_string(a.pfn);
    const std::vector<std::string> want = {
        "> kmalloc: kmalloc(100, GFP_KERNEL) on CPU 0",
        "  - kmalloc_slab: 100 bytes -> size_index[(100 - 1) / 8 = 12] = 7 -> kmalloc-128",
        "  - slab_alloc_node: kmalloc-128: fast path: pop object 1 at " + hexa(b.addr) +
            " from CPU 0's freelist (30 left)",
        "<",
        "> kfree: kfree(" + hexa(a.addr) + "): object 0 of kmalloc-128 (slab at pfn " + P + ")",
        "  - do_slab_free: kmalloc-128: fast path: object 0 is in CPU 0's slab: push it on the CPU freelist (31 free)",
        "<",
        "> kfree: kfree(" + hexa(b.addr) + "): object 1 of kmalloc-128 (slab at pfn " + P + ")",
        "  > __slab_free: kmalloc-128: object 1 is not in CPU 1's slab: back onto its slab at pfn " + P +
            " (31/32 in use)",
        "    - __slab_free: the slab is frozen (a CPU owns it): nothing else to do",
        "  <",
        "<",
    };
    CHECK(slub_lines(*m) == want);
    // The same records in Chinese.
    const Event& frozen = first(*m, Ev::slab_free_frozen);
    CHECK(frozen.pfn == a.pfn);
    CHECK(narrate(first(*m, Ev::slab_free_slow), m->trace, Lang::zh) ==
          "kmalloc-128：对象 1 不在 CPU 1 的当前 slab 里，慢速路径把它放回所属 slab（pfn " + P + "，现 31/32 在用）。");
    // The object freed from CPU 1 is on the slab's own freelist: CPU 0 takes
    // it back with get_freelist once its c->freelist runs dry.
    for (int i = 0; i < 31; ++i) km(*m, 100);
    m->trace.clear();
    auto c = km(*m, 100);
    CHECK(c.index == 1);
    CHECK(first(*m, Ev::alloc_refill).pfn == a.pfn);
    CHECK(first(*m, Ev::alloc_refill).get(Arg::free_objects) == 1);
  }

  TEST_CASE("flushing a CPU slab: full (on no list), with free objects (node partial), empty (discarded)") {
    auto m = small();
    // With free objects: one object taken, the flush puts the slab on the node list.
    const u32 one = *kmem_cache_create(*m, "flush_one", 1024, 0, 0);
    auto o = kmem_cache_alloc(*m, one, gfp::GFP_KERNEL, 0);
    REQUIRE(o);
    m->trace.enable(true);
    REQUIRE(kmem_cache_shrink(*m, one));
    {
      const Event& d = first(*m, Ev::deactivate_to_partial);
      CHECK(d.pfn == o->pfn);
      CHECK(d.cpu == 0);
      CHECK(d.get(Arg::inuse) == 1);
      const Event& add = first(*m, Ev::add_partial);
      CHECK(add.seq > d.seq);
      CHECK(add.pfn == o->pfn);
      CHECK(add.get(Arg::partial) == 1);
      CHECK(slab_at(*m, o->pfn).place == SlabPlace::NodePartial);
    }
    m->trace.enable(false);
    m->trace.clear();

    const u32 id = *kmem_cache_create(*m, "flush", 2048, 0, 0);  // 16 per slab, min_partial 5, cpu_partial_slabs 3
    const CacheGeometry g = kc(*m, id).g;
    REQUIRE(g.min_partial == 5);
    std::vector<std::vector<KmallocOutcome>> slabs(7);
    for (auto& sl : slabs)
      for (u32 i = 0; i < g.objects; ++i) sl.push_back(*kmem_cache_alloc(*m, id, gfp::GFP_KERNEL, 0));
    for (size_t k = 0; k < 6; ++k) REQUIRE(kmem_cache_free(*m, id, slabs[k][0].addr, 1));
    // Full: slab 6 is CPU 0's slab with every object taken.
    m->trace.enable(true);
    REQUIRE(kmem_cache_shrink(*m, id));
    const Pfn last = slabs[6][0].pfn;
    CHECK(first(*m, Ev::deactivate_full).pfn == last);
    CHECK(first(*m, Ev::deactivate_full).get(Arg::inuse) == g.objects);
    CHECK(slab_at(*m, last).place == SlabPlace::Full);
    REQUIRE(kc(*m, id).node[0].partial.size() == 6);
    // Empty: free every object of slab 6 on CPU 0 (its first free freezes it
    // onto CPU 0's partial list), allocate one (the slab becomes CPU 0's
    // slab) and free it: every object is on c->freelist. The flush finds it
    // empty with 6 >= min_partial 5 partial slabs on the node: discard.
    for (const KmallocOutcome& x : slabs[6]) REQUIRE(kmem_cache_free(*m, id, x.addr, 0));
    auto again = *kmem_cache_alloc(*m, id, gfp::GFP_KERNEL, 0);
    REQUIRE(again.pfn == last);
    REQUIRE(kmem_cache_free(*m, id, again.addr, 0));
    m->trace.clear();
    REQUIRE(kmem_cache_shrink(*m, id));
    const Event& e = first(*m, Ev::deactivate_empty);
    CHECK(e.pfn == last);
    CHECK(e.cpu == 0);
    CHECK(e.node == 0);
    CHECK(e.get(Arg::partial) == 6);
    CHECK(e.get(Arg::min_partial) == 5);
    CHECK(first(*m, Ev::discard_slab).pfn == last);
    CHECK_FALSE(m->slub->slabs.count(last));
    check(*m);
  }

  TEST_CASE("debug caches: one object at a time, the slabs stay on the node lists") {
    auto m = small();
    const u32 id = *kmem_cache_create(*m, "figo_debug", 20, 8, slabf::RED_ZONE | slabf::POISON | slabf::STORE_USER);
    m->trace.enable(true);
    auto a = *kmem_cache_alloc(*m, id, gfp::GFP_KERNEL, 0);
    {
      const Event& e = first(*m, Ev::alloc_single_from_new_slab);
      CHECK(e.pfn == a.pfn);
      CHECK(e.get(Arg::index) == 0);
      CHECK(static_cast<u64>(e.get(Arg::addr)) == a.addr);
      const Event& add = first(*m, Ev::add_partial);
      CHECK(add.seq > e.seq);
      CHECK(add.get(Arg::inuse) == 1);
      CHECK(add.get(Arg::tail) == 0);
    }
    m->trace.clear();
    auto b = *kmem_cache_alloc(*m, id, gfp::GFP_KERNEL, 0);
    {
      const Event& e = first(*m, Ev::alloc_single_from_partial);
      CHECK(e.pfn == a.pfn);
      CHECK(e.get(Arg::index) == 1);
      CHECK(static_cast<u64>(e.get(Arg::addr)) == b.addr);
      CHECK(e.get(Arg::inuse) == 2);
      CHECK(e.get(Arg::objects) == kc(*m, id).g.objects);
      CHECK_FALSE(has(codes(*m), Ev::slab_alloc_slow));
    }
    m->trace.clear();
    REQUIRE(kmem_cache_free(*m, id, a.addr, 1));
    const Event& f = first(*m, Ev::free_to_partial_list);
    CHECK(f.pfn == a.pfn);
    CHECK(f.get(Arg::index) == 0);
    CHECK(f.get(Arg::inuse) == 1);
    CHECK_FALSE(has(codes(*m), Ev::slab_free_fast));
    CHECK(slab_at(*m, a.pfn).place == SlabPlace::NodePartial);
    check(*m);
  }

  TEST_CASE("kmalloc's edges: size 0, NULL, large, too large, a gfp it fixes") {
    auto m = small();
    m->trace.enable(true);
    CHECK(km(*m, 0).addr == ZERO_SIZE_PTR);
    CHECK(codes(*m) == (std::vector<Ev>{Ev::kmalloc, Ev::kmalloc_zero}));
    m->trace.clear();
    REQUIRE(kfree(*m, ZERO_SIZE_PTR));
    REQUIRE(codes(*m) == std::vector<Ev>{Ev::kfree_null});
    CHECK(first(*m, Ev::kfree_null).get(Arg::addr) == static_cast<std::int64_t>(ZERO_SIZE_PTR));
    CHECK(narrate(first(*m, Ev::kfree_null), m->trace) == "kfree(0x10): NULL or ZERO_SIZE_PTR: nothing to do");

    m->trace.clear();
    auto big = km(*m, 10000);
    const Event& large = first(*m, Ev::kmalloc_large);
    CHECK(large.order == 2);
    CHECK(large.get(Arg::size) == 10000);
    CHECK(large.get(Arg::max) == static_cast<std::int64_t>(KMALLOC_MAX_CACHE_SIZE));
    m->trace.clear();
    REQUIRE(kfree(*m, big.addr, 1));
    const Event& back = first(*m, Ev::free_large_kmalloc);
    CHECK(back.kind == EventKind::Begin);
    CHECK(back.pfn == big.pfn);
    CHECK(back.order == 2);
    CHECK(back.cpu == 1);
    CHECK(static_cast<u64>(back.get(Arg::addr)) == big.addr);

    m->trace.clear();
    auto huge = kmalloc(*m, KMALLOC_MAX_SIZE + 1, gfp::GFP_KERNEL, 0);
    REQUIRE(huge);
    CHECK_FALSE(huge->ok);
    const Event& w = first(*m, Ev::kmalloc_large_too_big);
    CHECK(w.kind == EventKind::Warn);
    CHECK(static_cast<u64>(w.get(Arg::size)) == KMALLOC_MAX_SIZE + 1);
    CHECK(static_cast<u64>(w.get(Arg::max)) == KMALLOC_MAX_SIZE);

    // __GFP_HIGHMEM is in GFP_SLAB_BUG_MASK: where a slab needs pages
    // (new_slab), kmalloc_fix_flags() warns in the log and strips it; an
    // object an existing slab has passes without a word, as in the kernel.
    auto count_fix = [&] {
      std::size_t n = 0;
      for (const std::string& l : m->log)
        n += l == "Unexpected gfp: 0x2 (__GFP_HIGHMEM). Fixing up to gfp: 0xcc0 (GFP_KERNEL). Fix your code!";
      return n;
    };
    (void)km(*m, 100, gfp::GFP_KERNEL);  // kmalloc-128 has a CPU slab with free objects
    m->trace.clear();
    const std::size_t before = count_fix();
    auto quiet = km(*m, 100, gfp::GFP_KERNEL | gfp::HIGHMEM);
    CHECK(kc(*m, quiet.cache).name == "kmalloc-128");
    CHECK(count_fix() == before);
    CHECK(std::none_of(m->trace.events().begin(), m->trace.events().end(),
                       [](const Event& e) { return e.code == Ev::kmalloc_fix_flags; }));
    // Until a new slab is needed: then one warning, in the log and as an event.
    const u32 per_slab = kc(*m, quiet.cache).g.objects;
    for (u32 i = 0; i <= per_slab && count_fix() == before; ++i) (void)km(*m, 100, gfp::GFP_KERNEL | gfp::HIGHMEM);
    CHECK(count_fix() == before + 1);
    const Event& fix = first(*m, Ev::kmalloc_fix_flags);
    CHECK(fix.kind == EventKind::Warn);
    CHECK(static_cast<gfp_t>(fix.get(Arg::invalid)) == gfp::HIGHMEM);
    CHECK(static_cast<gfp_t>(fix.get(Arg::gfp)) == gfp::GFP_KERNEL);
    CHECK(narrate(fix, m->trace) == "Unexpected gfp: __GFP_HIGHMEM. Fixing up to gfp: GFP_KERNEL. Fix your code!");
    // kmalloc_order() for a large kmalloc warns every time it allocates.
    (void)km(*m, 3 * PAGE_SIZE, gfp::GFP_KERNEL | gfp::HIGHMEM);
    CHECK(count_fix() == before + 2);
    check(*m);
  }

  TEST_CASE("under pressure: a slab falls back to its minimum order, then SLUB runs out of memory") {
    auto m = small("ram=128M cpus=1");
    const u32 id = *kmem_cache_create(*m, "pressure", 1024, 0, 0);
    const CacheGeometry g = kc(*m, id).g;
    REQUIRE(g.order > g.min_order);
    // Take every free page (__GFP_MEMALLOC: below the watermarks too) ...
    auto take_all = [&] {
      std::vector<Pfn> v;
      for (;;) {
        AllocRequest r;
        r.gfp = gfp::GFP_ATOMIC | gfp::MEMALLOC | gfp::NOWARN;
        auto o = alloc_pages(*m, r);
        REQUIRE(o);
        if (!o->ok) break;
        v.push_back(o->pfn);
      }
      return v;
    };
    std::vector<Pfn> taken = take_all();
    REQUIRE(taken.size() > 1000);
    // ... and give back every other one: plenty of free pages, none of
    // them with a free buddy.
    std::sort(taken.begin(), taken.end());
    std::vector<Pfn> kept;
    for (size_t i = 0; i < taken.size(); ++i) {
      if (i % 2)
        REQUIRE(free_pages(*m, taken[i], 0, 0));
      else
        kept.push_back(taken[i]);
    }
    drain_all_pages(*m);
    m->trace.enable(true);
    auto a = kmem_cache_alloc(*m, id, gfp::GFP_KERNEL, 0);
    REQUIRE(a);
    REQUIRE(a->ok);
    const Event& fb = first(*m, Ev::allocate_slab_fallback);
    CHECK(fb.get(Arg::from_order) == g.order);
    CHECK(fb.order == static_cast<int>(g.min_order));
    CHECK(first(*m, Ev::new_slab).order == static_cast<int>(g.min_order));
    CHECK(slab_at(*m, a->pfn).order == g.min_order);
    CHECK(slab_at(*m, a->pfn).objects == g.min_objects);
    check(*m);

    // Now nothing at all: take the rest, then ask for more objects than
    // the slab holds with a mask that may not reclaim.
    m->trace.enable(false);
    take_all();
    m->trace.enable(true);
    m->trace.clear();
    bool failed = false;
    for (u32 i = 0; i < g.min_objects + 1 && !failed; ++i) {
      auto o = kmem_cache_alloc(*m, id, gfp::GFP_NOWAIT, 0);
      REQUIRE(o);
      failed = !o->ok;
    }
    REQUIRE(failed);
    const Event& oom = first(*m, Ev::slab_out_of_memory);
    CHECK(oom.kind == EventKind::Warn);
    CHECK(oom.node == NUMA_NO_NODE);
    CHECK(str(*m, oom, Arg::cache) == "pressure");
    CHECK(static_cast<gfp_t>(oom.get(Arg::gfp)) == gfp::GFP_NOWAIT);
    CHECK(narrate(oom, m->trace) == "SLUB: Unable to allocate memory on node -1, gfp=GFP_NOWAIT (cache: pressure)");
    check(*m);
  }

  TEST_CASE("boot: kmem_cache_init bootstraps two caches, then creates every kmalloc cache") {
    auto m = mmtest::boot_spec("ram=256M cpus=2", true);
    std::vector<const Event*> v;
    for (const Event& e : m->trace.events())
      if (slub_code(e.code) && e.kind != EventKind::End) v.push_back(&e);
    REQUIRE(!v.empty());
    CHECK(v.front()->code == Ev::kmem_cache_init);
    CHECK(v.front()->kind == EventKind::Begin);
    const SlubState& st = *m->slub;
    const KmemCache& kn = st.caches[st.kmem_cache_node];
    const Event& early = first(*m, Ev::early_kmem_cache_node_alloc);
    CHECK(early.node == 0);
    CHECK(early.get(Arg::index) == 0);
    CHECK(static_cast<u64>(early.get(Arg::addr)) == kn.node[0].obj);
    // bootstrap(): the two caches' CPU slabs are flushed to the node lists.
    CHECK(has(codes(*m), Ev::deactivate_to_partial));
    int created = 0;
    for (const Event* e : v)
      if (e->code == Ev::create_kmalloc_cache) {
        ++created;
        const KmemCache& s = kc(*m, cache(*m, str(*m, *e, Arg::cache).c_str()));
        CHECK(e->order == static_cast<int>(s.g.order));
        CHECK(e->get(Arg::objects) == s.g.objects);
        CHECK(e->get(Arg::size) == s.g.size);
      }
    CHECK(created == 4 * 13);  // 8 .. 8k plus 96 and 192, for each of the four types
  }

  TEST_CASE("kmem_cache_create records its layout; an alias, a shared destroy, a shrink, a destroy") {
    auto m = small();
    m->trace.enable(true);
    const u32 id = *kmem_cache_create(*m, "figo_object", 20, 8, slabf::HWCACHE_ALIGN);
    const CacheGeometry g = kc(*m, id).g;
    const Event& create = first(*m, Ev::kmem_cache_create);
    CHECK(create.kind == EventKind::Begin);
    CHECK(str(*m, create, Arg::cache) == "figo_object");
    CHECK(create.get(Arg::size) == 20);
    CHECK(create.get(Arg::align) == 8);
    CHECK(create.get(Arg::flags) == slabf::HWCACHE_ALIGN);
    CHECK(narrate(create, m->trace) == "kmem_cache_create(\"figo_object\", 20, 8, SLAB_HWCACHE_ALIGN)");
    const Event& sizes = first(*m, Ev::calculate_sizes);
    CHECK(sizes.get(Arg::object_size) == g.object_size);
    CHECK(sizes.get(Arg::align) == g.align);
    CHECK(sizes.get(Arg::size) == g.size);
    CHECK(sizes.get(Arg::offset) == g.offset);
    const Event& open = first(*m, Ev::kmem_cache_open);
    CHECK(open.order == static_cast<int>(g.order));
    CHECK(open.get(Arg::objects) == g.objects);
    CHECK(open.get(Arg::min_order) == g.min_order);
    CHECK(open.get(Arg::min_partial) == g.min_partial);
    CHECK(open.get(Arg::cpu_partial) == g.cpu_partial);
    CHECK(open.get(Arg::count) == g.cpu_partial_slabs);

    m->trace.clear();
    REQUIRE(*kmem_cache_create(*m, "figo_b", 32, 0, 0) == id);
    const Event& alias = first(*m, Ev::kmem_cache_alias);
    CHECK(str(*m, alias, Arg::name) == "figo_b");
    CHECK(str(*m, alias, Arg::cache) == "figo_object");
    CHECK(alias.get(Arg::size) == g.size);
    CHECK(alias.get(Arg::refcount) == 2);
    CHECK_FALSE(has(codes(*m), Ev::calculate_sizes));

    m->trace.clear();
    REQUIRE(kmem_cache_destroy(*m, "figo_b"));
    const Event& shared = first(*m, Ev::kmem_cache_destroy_shared);
    CHECK(str(*m, shared, Arg::name) == "figo_b");
    CHECK(shared.get(Arg::refcount) == 1);
    CHECK(kc(*m, id).refcount == 1);

    // One object on CPU 1; the shrink flushes CPU 1's slab to the node list.
    auto o = *kmem_cache_alloc(*m, id, gfp::GFP_KERNEL, 1);
    m->trace.clear();
    REQUIRE(kmem_cache_shrink(*m, id));
    CHECK(str(*m, first(*m, Ev::kmem_cache_shrink), Arg::cache) == "figo_object");
    CHECK(first(*m, Ev::deactivate_to_partial).cpu == 1);
    CHECK_FALSE(has(codes(*m), Ev::discard_slab));
    // Freed, the slab is empty, but 1 < min_partial: it stays for destroy to free.
    m->trace.clear();
    REQUIRE(kmem_cache_free(*m, id, o.addr, 0));
    CHECK(first(*m, Ev::slab_free_keep_empty).get(Arg::partial) == 1);
    m->trace.clear();
    REQUIRE(kmem_cache_destroy(*m, "figo_object"));
    CHECK(str(*m, first(*m, Ev::kmem_cache_destroy), Arg::cache) == "figo_object");
    CHECK(first(*m, Ev::discard_slab).pfn == o.pfn);
    check(*m);
  }
}
