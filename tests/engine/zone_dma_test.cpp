// Kernels built without CONFIG_ZONE_DMA: the figures below are derived by
// hand from the kernel's formulas (6.1 and 6.12 sources: zone_sizes_init,
// free_area_init_core, set_recommended_min_free_kbytes,
// __setup_per_zone_wmarks, setup_per_zone_lowmem_reserve, gfp_zone's
// OPT_ZONE_DMA, kmalloc_type) and from the 1G reference capture's own
// figures, then checked against the engine.
#include <doctest/doctest.h>

#include "mm/page_alloc/alloc.h"
#include "mm/page_alloc/gfp.h"
#include "mm/slab/slub.h"
#include "test_util.h"
#include "text/format/proc.h"
#include "text/format/slabinfo.h"
#include "text/parse/dmesg.h"

using namespace mm;

namespace {

const Zone& zone(const Machine& m, ZoneType t, int node = 0) {
  return m.nodes[static_cast<size_t>(node)].zones[idx(t)];
}

void check_clean(const Machine& m) {
  const auto v = check_invariants(m);
  INFO((v.empty() ? std::string() : v.front()));
  CHECK(v.empty());
}

std::unique_ptr<Machine> boot_log(const std::string& text) {
  auto plan = plan_from_dmesg(text, "log");
  REQUIRE_MESSAGE(plan, (plan ? std::string() : plan.diag().str()));
  auto booted = boot(*plan, false);
  REQUIRE_MESSAGE(booted, (booted ? std::string() : booted.diag().str()));
  return std::move(booted.value());
}

}  // namespace

TEST_SUITE("zone dma") {
  // The m1g-smp2 capture (qemu -m 1G -smp 2, Debian 6.1, memblock=debug)
  // with its "  DMA      [mem ...]" line taken out is the boot log a
  // ZONE_DMA=n build of the same kernel prints up to there: the importer
  // reads the kernel as built without ZONE_DMA and replays the capture's
  // own memblock. Its zoneinfo has DMA managed 3840 and DMA32 managed
  // 242034 (spans 1..4096 and 4096..262112).
  TEST_CASE("the 1G capture without ZONE_DMA: one DMA32 zone from pfn 1, half the THP min_free_kbytes") {
    auto text = mmtest::read_file(mmtest::reference_dir() + "/m1g-smp2/dmesg.txt");
    REQUIRE(text);
    std::string edited;
    for (const std::string& l : mmtest::lines(*text))
      if (l.find("]   DMA      [mem") == std::string::npos) edited += l + "\n";
    REQUIRE(edited.size() < text->size());
    auto with_dma = boot_log(*text);
    auto m = boot_log(edited);
    CHECK(with_dma->spec.config.zone_dma);
    CHECK_FALSE(m->spec.config.zone_dma);
    const Zone& dma = zone(*with_dma, ZoneType::DMA);
    REQUIRE(dma.managed_pages == 3840);
    REQUIRE(zone(*with_dma, ZoneType::DMA32).managed_pages == 242034);

    // Spans: DMA32 starts at the first RAM page (zone_sizes_init sets no DMA
    // limit) and ends at max_pfn 0x3ffe0; present is the RAM in it:
    // 0x9f - 1 pages below 640K plus 0x3ffe0 - 0x100 above 1M.
    const Zone& z = zone(*m, ZoneType::DMA32);
    CHECK(zone(*m, ZoneType::DMA).spanned_pages == 0);
    CHECK(z.zone_start_pfn == 1);
    CHECK(z.spanned_pages == 0x3ffe0 - 1);                     // 262111
    CHECK(z.present_pages == (0x9f - 1) + (0x3ffe0 - 0x100));  // 262014
    // memblock_free_all frees the same pages; only the zone they land in moved.
    CHECK(z.managed_pages == 3840 + 242034);  // 245874

    // 6.1's "Total pages": present - memmap - dma_reserve of zone 0 (now
    // DMA32). memmap = round_up(262111 * 64, 4096) / 4096 = 4096 pages
    // (with ZONE_DMA 64 + 4032, the same 4096); dma_reserve = 158 (the
    // capture's own line: 3998 + 258016 - 4096 - 257760).
    CHECK(m->vm_total_pages == 262014 - 4096 - 158);
    CHECK(mmtest::matching(m->log, "^Built 1 zonelists") ==
          std::vector<std::string>{"Built 1 zonelists, mobility grouping on.  Total pages: 257760"});

    // khugepaged's recommendation counts populated zones up to Normal:
    // 512 * zones * (2 + 3 * 3) pages. Two zones give 11264 pages (45056K,
    // the capture's DMA min 177 + DMA32 min 11086 = 11263); one gives 5632
    // pages, 22528K, above int_sqrt(245874 * 4 * 16) = 3966 and below 5%
    // of the free pages.
    CHECK(with_dma->min_free_kbytes == 45056);
    CHECK(m->min_free_kbytes == 22528);
    // __setup_per_zone_wmarks: the only lowmem zone takes all of pages_min;
    // the step is max(min / 4, managed * 10 / 10000) = max(1408, 245).
    CHECK(z.min_wmark() == 5632);
    CHECK(z.low_wmark() == 5632 + 1408);
    CHECK(z.high_wmark() == 5632 + 2 * 1408);

    // The kernel's lines and /proc files name no DMA zone at all.
    CHECK(mmtest::matching(m->log, "^  (DMA|DMA32|Normal|Device) ") ==
          std::vector<std::string>{"  DMA32    [mem 0x0000000000001000-0x000000003ffdffff]", "  Normal   empty",
                                   "  Device   empty"});
    CHECK(mmtest::matching(m->log, "unavailable ranges") ==
          std::vector<std::string>{"On node 0, zone DMA32: 1 pages in unavailable ranges",
                                   "On node 0, zone DMA32: 97 pages in unavailable ranges",
                                   "On node 0, zone DMA32: 32 pages in unavailable ranges"});
    const auto zi = mmtest::lines(proc_zoneinfo(*m));
    CHECK(mmtest::matching(zi, "^Node 0, zone") ==
          std::vector<std::string>{"Node 0, zone    DMA32", "Node 0, zone   Normal", "Node 0, zone  Movable",
                                   "Node 0, zone   Device"});
    // One protection entry per zone the kernel has: DMA32 Normal Movable Device.
    for (const std::string& l : mmtest::matching(zi, "protection:")) CHECK(l == "        protection: (0, 0, 0, 0)");
    CHECK(mmtest::matching(mmtest::lines(proc_buddyinfo(*m)), "^Node").size() == 1);
    CHECK(proc_buddyinfo(*m).rfind("Node 0, zone    DMA32 ", 0) == 0);
    check_clean(*m);
  }

  // qemu -m 6G: 3G below 4G (DMA32) and 3G from 4G (Normal). Without ZONE_DMA
  // setup_per_zone_lowmem_reserve gives DMA32, the kernel's zone 0, the
  // reserve ZONE_DMA's successor had: Normal's managed pages / 256 against
  // Normal and above; Normal keeps none (nothing above it is populated).
  TEST_CASE("ram=6G zone_dma=off: DMA32's lowmem_reserve from Normal's managed pages, ratios in the kernel's order") {
    auto on = mmtest::boot_spec("ram=6G cpus=2");
    auto off = mmtest::boot_spec("ram=6G cpus=2 zone_dma=off");
    const Zone& d32 = zone(*off, ZoneType::DMA32);
    const Zone& normal = zone(*off, ZoneType::Normal);
    CHECK(d32.zone_start_pfn == 1);
    CHECK(d32.spanned_pages == 0x100000 - 1);  // to 4G, its limit; qemu's low RAM ends at 0xbffe0000
    CHECK(d32.present_pages == (0x9f - 1) + (0xbffe0 - 0x100));
    CHECK(normal.zone_start_pfn == 0x100000);
    CHECK(normal.spanned_pages == 0xc0000);  // 3G
    CHECK(normal.managed_pages == zone(*on, ZoneType::Normal).managed_pages);
    CHECK(d32.managed_pages == zone(*on, ZoneType::DMA).managed_pages + zone(*on, ZoneType::DMA32).managed_pages);
    const u64 r = normal.managed_pages / 256;
    CHECK(r > 2800);  // 3G less what the boot reserves up there, over 256
    for (ZoneType t : {ZoneType::Normal, ZoneType::Movable, ZoneType::Device}) CHECK(d32.lowmem_reserve[idx(t)] == r);
    for (u64 v : normal.lowmem_reserve) CHECK(v == 0);
    const std::string protection =
        "        protection: (0, " + std::to_string(r) + ", " + std::to_string(r) + ", " + std::to_string(r) + ")";
    CHECK(mmtest::matching(mmtest::lines(proc_zoneinfo(*off)), "protection:").front() == protection);
    check_clean(*off);

    // lowmem_reserve_ratio lists the kernel's zones: without ZONE_DMA the
    // first entry is DMA32's, wherever zone_dma=off is written.
    auto ratios = mmtest::boot_spec("ram=6G cpus=2 lowmem_reserve_ratio=128,16 zone_dma=off");
    CHECK(ratios->spec.knobs.lowmem_reserve_ratio[idx(ZoneType::DMA32)] == 128);
    CHECK(ratios->spec.knobs.lowmem_reserve_ratio[idx(ZoneType::Normal)] == 16);
    CHECK(zone(*ratios, ZoneType::DMA32).lowmem_reserve[idx(ZoneType::Normal)] ==
          zone(*ratios, ZoneType::Normal).managed_pages / 128);
    auto five = parse_shorthand("ram=1G lowmem_reserve_ratio=1,2,3,4,5 zone_dma=off");
    REQUIRE_FALSE(five);
    CHECK(five.diag().col == 37);  // the fifth entry
    CHECK(five.diag().message ==
          "lowmem_reserve_ratio takes at most 4 entries with zone_dma=off, one per zone type (DMA32 Normal Movable "
          "Device); '5' is one more");
    CHECK(parse_shorthand("ram=1G zone_dma=maybe").diag().message == "expected on or off for zone_dma");
  }

  TEST_CASE("GFP_DMA without ZONE_DMA: gfp_zone gives Normal, kmalloc has no dma caches") {
    // OPT_ZONE_DMA is ZONE_NORMAL, with or without __GFP_MOVABLE; the bad pairs stay bad.
    CHECK(gfp_zone(gfp::GFP_KERNEL | gfp::DMA) == ZoneType::DMA);
    CHECK(gfp_zone(gfp::GFP_KERNEL | gfp::DMA, false) == ZoneType::Normal);
    CHECK(gfp_zone(gfp::MOVABLE | gfp::DMA, false) == ZoneType::Normal);
    CHECK(gfp_zone(gfp::GFP_KERNEL | gfp::DMA32, false) == ZoneType::DMA32);
    CHECK_FALSE(gfp_zone(gfp::DMA | gfp::DMA32, false));
    // __GFP_DMA is not one of KMALLOC_NOT_NORMAL_BITS: the other bits decide.
    CHECK(kmalloc_type(gfp::GFP_KERNEL | gfp::DMA) == KMALLOC_DMA);
    CHECK(kmalloc_type(gfp::GFP_KERNEL | gfp::DMA, false) == KMALLOC_NORMAL);
    CHECK(kmalloc_type(gfp::GFP_KERNEL | gfp::DMA | gfp::RECLAIMABLE, false) == KMALLOC_RECLAIM);
    CHECK(kmalloc_type(gfp::GFP_KERNEL | gfp::DMA | gfp::ACCOUNT, false) == KMALLOC_CGROUP);

    for (const char* kernel : {"6.1", "6.12"}) {
      CAPTURE(kernel);
      auto on = mmtest::boot_spec(std::string("ram=1G cpus=2 kernel=") + kernel);
      auto m = mmtest::boot_spec(std::string("ram=1G cpus=2 zone_dma=off kernel=") + kernel);
      // A GFP_DMA page: ZONE_NORMAL is the highest zone allowed, and on a 1G
      // machine the zonelist falls back to DMA32.
      AllocRequest r;
      r.gfp = gfp::GFP_KERNEL | gfp::DMA;
      auto page = alloc_pages(*m, r);
      REQUIRE(page);
      REQUIRE(page->ok);
      CHECK(page->zone.zone == ZoneType::DMA32);
      auto dma_page = alloc_pages(*on, r);
      REQUIRE(dma_page);
      CHECK(dma_page->zone.zone == ZoneType::DMA);
      // kmalloc(64, GFP_DMA) is a kmalloc-64 object; no dma-kmalloc cache exists.
      auto obj = kmalloc(*m, 64, gfp::GFP_KERNEL | gfp::DMA, 0);
      REQUIRE(obj);
      REQUIRE(obj->ok);
      REQUIRE(cache_of(*m, obj->cache));
      CHECK(cache_of(*m, obj->cache)->name == "kmalloc-64");
      CHECK(proc_slabinfo(*m).find("dma-kmalloc-") == std::string::npos);
      CHECK(proc_slabinfo(*on).find("dma-kmalloc-64 ") != std::string::npos);
      // 6.12: "Total pages" is the present pages, the same either way.
      if (std::string(kernel) == "6.12") CHECK(m->vm_total_pages == 262014);
      check_clean(*m);
    }
  }
}
