// Machine descriptions: e820 names, node distances, the qemu pc e820 map.
// (The shorthand parser is text: text/parse/shorthand.cpp.)
#include "mm/core/machine_spec.h"

#include <algorithm>
#include <cstdlib>

namespace mm {

std::string_view kernel_version_name(KernelVersion v) { return v == KernelVersion::v6_12 ? "6.12" : "6.1"; }

std::optional<KernelVersion> kernel_version_by_name(std::string_view name) {
  for (KernelVersion v : kKernelVersions)
    if (kernel_version_name(v) == name) return v;
  return std::nullopt;
}

std::string kernel_version_list() {
  std::string s;
  for (KernelVersion v : kKernelVersions) s += (s.empty() ? "" : ", ") + std::string(kernel_version_name(v));
  return s;
}

KernelVersion nearest_kernel_version(int major, int minor, bool* exact) {
  // Distance in minor releases (each major had about 20 minors: 5.19 -> 6.0).
  auto ordinal = [](int ma, int mi) { return static_cast<long long>(ma) * 20 + mi; };
  const long long want = ordinal(major, minor);
  KernelVersion best = KernelVersion::v6_1;
  long long best_d = -1;
  for (KernelVersion v : kKernelVersions) {
    const int mi = v == KernelVersion::v6_12 ? 12 : 1;
    const long long d = std::llabs(ordinal(6, mi) - want);
    if (best_d < 0 || d < best_d) {
      best = v;
      best_d = d;
    }
  }
  if (exact) *exact = best_d == 0;
  return best;
}

KernelImage debian_kernel_image(KernelVersion v) {
  KernelImage k;
  if (v == KernelVersion::v6_12) {
    // 6.12.117+deb12: the text is exactly 16 MiB, so no text/rodata gap.
    k.code_kb = 16384, k.rwdata_kb = 2499, k.rodata_kb = 11716, k.init_kb = 4264, k.bss_kb = 4904;
    k.reserved_size = 0x2c11000;
    k.smp_alternatives_kb = 40, k.decrypted_kb = 2028, k.text_rodata_gap_kb = 0, k.rodata_data_gap_kb = 572;
  }
  return k;
}

u64 lay_out_image(KernelImage& k) {
  constexpr u64 kPageKb = PAGE_SIZE >> 10, kHugeKb = 2048;  // HPAGE_SIZE in KiB
  // _etext rounded to its page; __start_rodata on the next 2 MiB.
  const u64 text_end = round_up(k.code_kb, kPageKb), rodata = round_up(text_end, kHugeKb);
  // RO_DATA ends page aligned; _sdata sits on the next 2 MiB.
  const u64 rodata_end = rodata + round_up(k.rodata_kb, kPageKb), data = round_up(rodata_end, kHugeKb);
  k.text_rodata_gap_kb = rodata - text_end;
  k.rodata_data_gap_kb = data - rodata_end;
  const u64 unsized = round_up(static_cast<u64>(static_cast<double>(k.code_kb) * kImageUnsizedPerCodeKb), kPageKb);
  const u64 end = data + k.rwdata_kb + unsized + k.init_kb + k.smp_alternatives_kb + k.bss_kb;
  k.reserved_size = round_up(end, kPageKb) << 10;
  return unsized;
}

int MachineSpec::node_distance(int a, int b) const {
  if (a >= 0 && b >= 0 && static_cast<size_t>(a) < distance.size() &&
      static_cast<size_t>(b) < distance[static_cast<size_t>(a)].size())
    return distance[static_cast<size_t>(a)][static_cast<size_t>(b)];
  return a == b ? 10 : 20;  // LOCAL_DISTANCE / REMOTE_DISTANCE
}

std::vector<E820Entry> MachineSpec::e820_table() const { return e820_setup(*this).table; }

u64 MachineSpec::usable_bytes() const {
  u64 n = 0;
  for (const E820Entry& e : e820_table())
    if (e.type == E820Type::Usable) n += e.size;
  return n;
}

Phys MachineSpec::usable_end() const {
  Phys end = 0;
  for (const E820Entry& e : e820_table())
    if (e.type == E820Type::Usable) end = std::max(end, e.end());
  return end;
}

std::string format_size(u64 bytes) {
  const char* units[] = {"", "K", "M", "G", "T"};
  int u = 0;
  while (u < 4 && bytes && bytes % 1024 == 0) {
    bytes /= 1024;
    ++u;
  }
  return std::to_string(bytes) + units[u];
}

// qemu 7.2 pc (i440FX): RAM below 4 GiB up to 3.5 GiB; when it does not
// fit, the split moves to 3 GiB (gigabyte alignment) and the rest goes
// above 4 GiB. With an AMD vCPU (qemu64's vendor; the captures show its
// HyperTransport entry) pc_memory_init moves that rest to 1 TiB when the
// highest address the guest could use (the RAM, then the 64-bit PCI hole
// on the next gigabyte: 2 GiB on i440FX) reaches AMD_HT_START.
QemuRamLayout qemu_pc_ram_layout(u64 ram) {
  constexpr u64 kMaxRamBelow4g = 0xe0000000ull;
  constexpr u64 kGiB = 1ull << 30, kPciHole64 = 2 * kGiB;
  constexpr Phys kAmdHtStart = 0xfd00000000ull, kAmdAbove1TbStart = 1ull << 40;
  QemuRamLayout l;
  const u64 lowmem = ram >= kMaxRamBelow4g ? 0xc0000000ull : kMaxRamBelow4g;
  l.below_4g = ram >= lowmem ? lowmem : ram;
  l.above_4g = ram - l.below_4g;
  if (l.above_4g) {
    const Phys hole64_start = round_up(l.above_4g_start + l.above_4g, kGiB);
    if (hole64_start + kPciHole64 - 1 >= kAmdHtStart) l.above_4g_start = kAmdAbove1TbStart;
  }
  return l;
}

// The map SeaBIOS builds from qemu's: low RAM less the EBDA, the BIOS ROM,
// 128 KiB at the top of low RAM for ACPI tables, the RAM above 4 GiB (or
// 1 TiB) and the HyperTransport hole, in address order.
std::vector<E820Entry> qemu_pc_e820(u64 ram, u64* below_4g_out) {
  const QemuRamLayout l = qemu_pc_ram_layout(ram);
  const u64 below = l.below_4g;
  if (below_4g_out) *below_4g_out = below;
  std::vector<E820Entry> m;
  m.push_back({0, 0x9fc00, E820Type::Usable});
  m.push_back({0x9fc00, 0x400, E820Type::Reserved});
  m.push_back({0xf0000, 0x10000, E820Type::Reserved});
  m.push_back({0x100000, below - 0x20000 - 0x100000, E820Type::Usable});
  m.push_back({below - 0x20000, 0x20000, E820Type::Reserved});
  m.push_back({0xfffc0000ull, 0x40000, E820Type::Reserved});
  const E820Entry ht{0xfd00000000ull, 0x300000000ull, E820Type::Reserved};
  const bool relocated = l.above_4g_start > ht.addr;
  if (l.above_4g && !relocated) m.push_back({l.above_4g_start, l.above_4g, E820Type::Usable});
  m.push_back(ht);
  if (l.above_4g && relocated) m.push_back({l.above_4g_start, l.above_4g, E820Type::Usable});
  return m;
}

}  // namespace mm
