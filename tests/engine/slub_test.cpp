// SLUB and kmalloc as specifications. Slabs are drawn one char per object:
//   '#' allocated   'c' free on the CPU freelist   '.' free on the slab's freelist
// Freelist randomisation is switched off in the pictures (addresses in
// order) and on in the property tests (Debian's setting).
#include <doctest/doctest.h>

#include <random>
#include <regex>

#include "mm/page_alloc/alloc.h"
#include "text/parse/dmesg.h"
#include "session/playground.h"
#include "session/scenario.h"
#include "mm/slab/slub.h"
#include "test_util.h"
#include "text/format/narration.h"

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

std::vector<std::string> fns(const Machine& m) {
  std::vector<std::string> v;
  for (const Event& e : m.trace.events())
    if (e.kind != EventKind::End) v.push_back(std::string(e.function()));
  return v;
}
bool has(const std::vector<std::string>& v, const char* fn) { return std::find(v.begin(), v.end(), fn) != v.end(); }

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
    const Row rows[] = {{1, 8, 0, 1, 2, 3}, {2, 12, 1, 2, 3, 3}, {4, 16, 1, 2, 3, 3}, {8, 20, 2, 3, 3, 3},
                        {64, 32, 2, 3, 3, 3}};
    for (const Row& r : rows) {
      CAPTURE(r.cpus);
      CHECK(slub_min_objects(r.cpus, r.cpus) == r.min_objects);
      auto m = mmtest::boot_spec("ram=512M cpus=" + std::to_string(r.cpus));
      for (const auto& row : {std::pair<const char*, Order>{"kmalloc-512", r.o512}, {"kmalloc-1k", r.o1k},
                              {"kmalloc-2k", r.o2k}, {"kmalloc-4k", r.o4k}}) {
        // Named copies: clang 14 cannot capture structured bindings in CHECK.
        const char* name = row.first;
        const Order order = row.second;
        const CacheGeometry g = kc(*m, cache(*m, name)).g;
        CAPTURE(name);
        CHECK(g.order == order);
        CHECK(static_cast<u64>(g.order) == static_cast<u64>(calculate_order(g.size, r.min_objects)));
      }
      CHECK(mmtest::matching(m->log, "^SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=" + std::to_string(r.cpus) +
                                         ", Nodes=1$").size() == 1);
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
    CHECK(info.find("figo_object            0      0     24  170    1 : tunables    0    0    0 : slabdata      0      0      0") !=
          std::string::npos);
    // HWCACHE_ALIGN: 20 <= 32 so the line is halved to 32.
    auto hw = kmem_cache_create(*m, "figo_hw", 20, 0, slabf::HWCACHE_ALIGN);
    REQUIRE(hw);
    CHECK(kc(*m, *hw).g.size == 32);
    CHECK(kc(*m, *hw).g.objects == 128);
    // Debug flags move things: red zone and poison put the free pointer after the object.
    auto dbg = kmem_cache_create(*m, "figo_debug", 20, 8, slabf::RED_ZONE | slabf::POISON | slabf::STORE_USER);
    REQUIRE(dbg);
    const CacheGeometry d = kc(*m, *dbg).g;
    CHECK(d.inuse == 24);                 // 20 -> 24 leaves room for the red zone
    CHECK(d.offset == 24);                // poison: free pointer outside
    CHECK(d.red_left_pad == 8);
    CHECK(d.size == 24 + 8 + 64 + 8 + 8);  // + fp + 2 tracks + right pad + left red zone
    CHECK(d.cpu_partial == 0);
    check(*m);
  }

  TEST_CASE("merging: a compatible cache becomes an alias, destroy drops a reference") {
    auto m = small();
    auto a = kmem_cache_create(*m, "figo_a", 20, 8, 0);
    auto b = kmem_cache_create(*m, "figo_b", 24, 0, 0);  // same 24-byte slot
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
    const auto f1 = fns(*m);
    CHECK(has(f1, "kmalloc_slab"));
    CHECK(has(f1, "___slab_alloc"));
    CHECK(has(f1, "allocate_slab"));
    CHECK(has(f1, "__alloc_pages"));  // the page allocator's events nest inside
    CHECK(slab_picture(slab_at(*m, a.pfn)) == "#" + std::string(31, 'c'));
    CHECK(a.addr == PAGE_OFFSET + PFN_PHYS(a.pfn));
    CHECK(m->mem.owner[a.pfn] == static_cast<std::uint8_t>(Owner::Slab));
    // Second: the fast path, the next object in address order.
    m->trace.clear();
    auto b = km(*m, 100);
    CHECK(b.index == 1);
    CHECK(b.addr == a.addr + 128);
    CHECK(fns(*m) == std::vector<std::string>{"kmalloc", "kmalloc_slab", "slab_alloc_node"});
    CHECK(*ksize(*m, b.addr) == 128);
    // kfree on the same CPU: back on the CPU freelist, head first.
    m->trace.clear();
    REQUIRE(kfree(*m, a.addr, 0));
    CHECK(has(fns(*m), "do_slab_free"));
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
    CHECK(has(fns(*m), "__slab_free"));
    CHECK(has(fns(*m), "put_cpu_partial"));
    CHECK(slab_at(*m, A).place == SlabPlace::CpuPartial);
    CHECK(slab_picture(slab_at(*m, A)) == ".#######");
    // Next allocation: B is full, so the CPU partial slab A becomes the CPU slab.
    m->trace.clear();
    auto x = alloc();
    CHECK(x.pfn == A);
    CHECK(x.index == 0);
    CHECK(has(fns(*m), "slub_percpu_partial"));
    CHECK(slab_at(*m, B).place == SlabPlace::Full);
    // A node partial slab: flush the CPU after freeing into B.
    REQUIRE(kmem_cache_free(*m, id, objs[9].addr, 0));  // B -> CPU partial
    REQUIRE(kmem_cache_shrink(*m, id));                  // flush: B to the node list
    CHECK(slab_at(*m, B).place == SlabPlace::NodePartial);
    CHECK(slab_at(*m, A).place == SlabPlace::Full);
    m->trace.clear();
    auto y = alloc();
    CHECK(y.pfn == B);
    CHECK(has(fns(*m), "get_partial_node"));
    CHECK(has(fns(*m), "acquire_slab"));
    // All full again: the next one needs a new slab.
    m->trace.clear();
    auto z = alloc();
    CHECK(z.pfn != A);
    CHECK(z.pfn != B);
    CHECK(has(fns(*m), "allocate_slab"));
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
    CHECK(has(fns(*m), "__unfreeze_partials"));
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
    CHECK(has(fns(*m), "discard_slab"));
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
    CHECK_FALSE(has(fns(*m), "discard_slab"));
    check(*m);
  }

  TEST_CASE("large kmalloc goes straight to the buddy allocator as a compound page") {
    auto m = small();
    m->trace.enable(true);
    auto o = km(*m, 10000);
    CHECK(o.cache == NO_CACHE);
    CHECK(has(fns(*m), "kmalloc_large"));
    CHECK(m->mem.order[o.pfn] == 2);  // 10000 bytes -> 16 KiB
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
      for (const Live& l : live) REQUIRE((l.cache == NO_CACHE ? kfree(*m, l.addr, 0) : kmem_cache_free(*m, l.cache, l.addr, 0)));
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
      return out;
    };
    CHECK(run(7) == run(7));
    CHECK(run(7) != run(8));
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
}
