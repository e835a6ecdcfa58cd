// Watermarks, lowmem reserves and per-CPU page list limits (Linux 6.1, and
// where 6.12 differs).
//
//   min_free_kbytes = clamp(int_sqrt(lowmem_kbytes * 16), 128, 262144)
//   zone min  = pages_min * zone_managed / lowmem_managed
//   zone low  = min + max(min / 4, managed * watermark_scale_factor / 10000)
//   zone high = low + the same step
//   lowmem_reserve[j] of zone i = sum(managed of zones i+1..j) / ratio[i]
//   pcp batch = rounddown_pow_of_two(b + b/2) - 1, b = min(managed/1024, 256)/4
//   pcp high  = low watermark / CPUs of the zone's node (at least 4 * batch)
//   6.12: that is high_min; high_max = managed / 8 / CPUs (at least 4 * batch)
//
// 6.1 derives pcp high from the low watermark (older kernels used 6 * batch);
// the classic "ZoneSizeInPages/12" watermark of 2.4 is long gone.
#include <algorithm>

#include "mm/boot/boot.h"

namespace mm {

u64 nr_free_zone_pages(const Machine& m, ZoneType highest) {
  u64 sum = 0;
  for (const Node& n : m.nodes)
    for (const Zone& z : n.zones) {
      if (idx(z.type) > idx(highest)) continue;
      const u64 high = z.high_wmark();
      if (z.managed_pages > high) sum += z.managed_pages - high;
    }
  return sum;
}

void calculate_min_free_kbytes(Machine& m) {
  const u64 lowmem_kbytes = nr_free_zone_pages(m, ZoneType::Normal) * (PAGE_SIZE >> 10);
  const u64 computed = int_sqrt(lowmem_kbytes * 16);
  const int user = m.spec.knobs.user_min_free_kbytes;
  if (user < 0 || static_cast<long long>(computed) > user) {
    m.min_free_kbytes = static_cast<int>(std::clamp<u64>(computed, 128, 262144));
  } else {
    m.min_free_kbytes = user;
    m.printk("min_free_kbytes is not updated to " + std::to_string(computed) + " because user defined value " +
             std::to_string(user) + " is preferred");
  }
  if (auto e = m.trace.step(Ev::min_free_kbytes)) e.kb(lowmem_kbytes).computed(computed).min_free_kb(m.min_free_kbytes);
}

namespace {
void calculate_totalreserve_pages(Machine& m) {
  u64 total = 0;
  for (const Node& n : m.nodes)
    for (unsigned i = 0; i < MAX_NR_ZONES; ++i) {
      const Zone& z = n.zones[i];
      u64 max = 0;
      for (unsigned j = i; j < MAX_NR_ZONES; ++j) max = std::max(max, z.lowmem_reserve[j]);
      max += z.high_wmark();
      total += std::min(max, z.managed_pages);
    }
  m.totalreserve_pages = total;
}
}  // namespace

void setup_per_zone_wmarks(Machine& m) {
  const u64 pages_min = static_cast<u64>(m.min_free_kbytes) >> (PAGE_SHIFT - 10);
  // 6.12 keeps ZONE_MOVABLE out of the lowmem share and gives it (as highmem)
  // a small fixed min: managed/1024 within [SWAP_CLUSTER_MAX, 128]. 6.1
  // treats ZONE_MOVABLE as lowmem. x86_64 has no highmem.
  const bool movable_apart = m.spec.version == KernelVersion::v6_12;
  u64 lowmem_pages = 0;
  for (const Node& n : m.nodes)
    for (const Zone& z : n.zones)
      if (!movable_apart || z.type != ZoneType::Movable) lowmem_pages += z.managed_pages;
  const u64 wsf = static_cast<u64>(m.spec.knobs.watermark_scale_factor);
  for (Node& n : m.nodes)
    for (Zone& z : n.zones) {
      const u64 share = lowmem_pages ? pages_min * z.managed_pages / lowmem_pages : 0;
      const u64 min = movable_apart && z.type == ZoneType::Movable
                          ? std::clamp<u64>(z.managed_pages / 1024, SWAP_CLUSTER_MAX, 128)
                          : share;
      const u64 step = std::max(share >> 2, z.managed_pages * wsf / 10000);
      z.watermark_boost = 0;
      z.watermark[WMARK_MIN] = min;
      z.watermark[WMARK_LOW] = min + step;
      z.watermark[WMARK_HIGH] = min + 2 * step;
      z.watermark[WMARK_PROMO] = min + 3 * step;
      if (m.trace.on() && z.populated()) {
        // Two steps: min's share of min_free_kbytes, then the step that spaces low and high.
        if (auto e = m.trace.step(Ev::wmark_min))
          e.zone(z).pages(pages_min).managed(z.managed_pages).lowmem(lowmem_pages).min(min);
        if (auto e = m.trace.step(Ev::wmark_step)) e.zone(z).wsf(wsf).step(step).low(min + step).high(min + 2 * step);
      }
    }
  calculate_totalreserve_pages(m);
  // The watermarks moved, so the pcp limits follow (setup_per_zone_wmarks).
  for (Node& n : m.nodes)
    for (Zone& z : n.zones) zone_pcp_update(m, z);
}

void setup_per_zone_lowmem_reserve(Machine& m) {
  for (Node& n : m.nodes)
    for (unsigned i = 0; i + 1 < MAX_NR_ZONES; ++i) {
      Zone& z = n.zones[i];
      const int ratio = m.spec.knobs.lowmem_reserve_ratio[i];
      const bool clear = ratio == 0 || z.managed_pages == 0;
      u64 upper = 0;
      for (unsigned j = i + 1; j < MAX_NR_ZONES; ++j) {
        upper += n.zones[j].managed_pages;
        z.lowmem_reserve[j] = clear ? 0 : upper / static_cast<u64>(ratio);
      }
      if (z.populated() && !clear)
        if (auto e = m.trace.step(Ev::lowmem_reserve))
          e.zone(z).reserve(z.lowmem_reserve[MAX_NR_ZONES - 1]).ratio(ratio);
    }
  calculate_totalreserve_pages(m);
}

int zone_batchsize(u64 managed) {
  u64 batch = std::min<u64>(managed >> 10, (1u << 20) / PAGE_SIZE);
  batch /= 4;  // the rounding below effectively multiplies by about 1.5
  if (batch < 1) batch = 1;
  return static_cast<int>(rounddown_pow_of_two(batch + batch / 2) - 1);
}

int zone_highsize(const Machine& m, const Zone& z, int batch, int fraction) {
  const u64 total = fraction ? z.managed_pages / static_cast<u64>(fraction) : z.low_wmark();
  u64 split = m.nodes[static_cast<size_t>(z.node)].cpus.size();
  if (!split) split = m.nr_cpus;  // a memoryless-CPU node: spread over all
  const u64 high = total / split;
  return static_cast<int>(std::max<u64>(high, static_cast<u64>(batch) << 2));
}

// 6.12: the bounds of an auto-tuned high. pageset_update() leaves each
// pcp's high alone (0 until first use); the next refill or free clamps it
// into the new bounds. With percpu_pagelist_high_fraction set both bounds
// are that fraction's share, which turns the tuning off.
void zone_pcp_bounds(Machine& m, Zone& z, int batch) {
  const int fraction = m.spec.knobs.percpu_pagelist_high_fraction;
  const int high_min = zone_highsize(m, z, batch, fraction);
  const int high_max = fraction ? high_min : zone_highsize(m, z, batch, 8);
  if (z.pageset_high == high_min && z.pageset_high_max == high_max && z.pageset_batch == batch) return;
  z.pageset_high = high_min;
  z.pageset_high_max = high_max;
  z.pageset_batch = batch;
  for (PerCpuPages& p : z.pcp) {
    p.high_min = high_min;
    p.high_max = high_max;
    p.batch = batch;
  }
  if (z.populated())
    if (auto e = m.trace.step(Ev::pcp_bounds))
      e.zone(z).batch(batch).managed(z.managed_pages).high_min(high_min).high_max(high_max).low(z.low_wmark());
}

void zone_pcp_update(Machine& m, Zone& z) {
  const int batch = std::max(1, zone_batchsize(z.managed_pages));
  if (m.spec.version == KernelVersion::v6_12) return zone_pcp_bounds(m, z, batch);
  const int high = zone_highsize(m, z, batch, m.spec.knobs.percpu_pagelist_high_fraction);
  if (z.pageset_high == high && z.pageset_batch == batch) return;
  z.pageset_high = high;
  z.pageset_batch = batch;
  for (PerCpuPages& p : z.pcp) {
    p.high = high;
    p.batch = batch;
  }
  if (z.populated())
    if (auto e = m.trace.step(Ev::pcp_sizes))
      e.zone(z).batch(batch).managed(z.managed_pages).high(high).low(z.low_wmark());
}

}  // namespace mm
