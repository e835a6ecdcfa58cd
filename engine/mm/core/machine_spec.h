// What a machine is before it boots: the firmware's e820 map, the NUMA
// layout (SRAT memory ranges, CPUs per node, SLIT distances), the CPU count,
// the kernel image and initrd the boot loader placed, and the vm knobs.
//
// Machines come from the shorthand (text/parse/shorthand.h: "ram=1G
// cpus=2" is the map qemu's pc machine with SeaBIOS gives
// `qemu-system-x86_64 -m 1G -smp 2`) or from a kernel log
// (text/parse/dmesg.h).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mm/core/diag.h"
#include "mm/core/e820.h"
#include "mm/core/types.h"

namespace mm {

// The kernel whose algorithms, constants and output formats a machine
// follows: a parameter of the model and of the narration, not a fork.
// Debian 12's 6.1 (linux-image-6.1.0) and Debian's 6.12 backport.
enum class KernelVersion : std::uint8_t { v6_1, v6_12 };
inline constexpr KernelVersion kKernelVersions[] = {KernelVersion::v6_1, KernelVersion::v6_12};
// "6.1", "6.12".
std::string_view kernel_version_name(KernelVersion v);
std::optional<KernelVersion> kernel_version_by_name(std::string_view name);
// "6.1, 6.12" (for messages).
std::string kernel_version_list();
// The modelled version nearest to major.minor (a tie goes to the older);
// exact is set when it is that version.
KernelVersion nearest_kernel_version(int major, int minor, bool* exact = nullptr);

struct NodeSpec {
  int id = 0;
  std::vector<std::pair<Phys, Phys>> ranges;  // [start, end) memory affinity (SRAT)
  std::vector<int> cpus;
};

// vm knobs with Linux's defaults (Documentation/admin-guide/sysctl/vm.rst).
struct Knobs {
  int user_min_free_kbytes = -1;  // -1: computed (calculate_min_free_kbytes)
  int watermark_scale_factor = 10;
  int watermark_boost_factor = 15000;
  std::array<int, MAX_NR_ZONES> lowmem_reserve_ratio = {256, 256, 32, 0, 0};
  int percpu_pagelist_high_fraction = 0;
  bool deferred_struct_page_init = true;  // CONFIG_DEFERRED_STRUCT_PAGE_INIT=y on Debian
  bool transparent_hugepage = true;       // khugepaged raises min_free_kbytes from 512 MiB
  bool mobility_grouping = true;          // may still be switched off on tiny machines
  // ZONE_MOVABLE (find_zone_movable_pfns_for_nodes). A percentage, when
  // given, wins over the size, as required_kernelcore_percent does.
  u64 kernelcore = 0;              // bytes; kernelcore= (0: not given)
  u64 movablecore = 0;             // bytes; movablecore= (0: not given)
  u64 kernelcore_percent = 0;      // kernelcore=N% (0: not given)
  u64 movablecore_percent = 0;     // movablecore=N% (0: not given)
  bool kernelcore_mirror = false;  // kernelcore=mirror: movablecore is ignored
};

// The kernel image as `Memory: ...` describes it (KiB) and where it sits.
// The defaults are Debian's 6.1 image; debian_kernel_image() gives each
// profile's, image_from_sections() one a log's own sizes describe.
struct KernelImage {
  Phys start = 0x1000000;  // 16 MiB: CONFIG_PHYSICAL_START with nokaslr
  u64 code_kb = 14343, rwdata_kb = 2338, rodata_kb = 9132, init_kb = 2824, bss_kb = 17344;
  u64 reserved_size = 0x3411000;  // [_text, _end) plus brk as memblock reserves it
  // Parts freed after boot ("Freeing ... memory: NK"), in the order they go
  // (0: the image has no such part).
  u64 smp_alternatives_kb = 36, decrypted_kb = 2036, text_rodata_gap_kb = 2040, rodata_data_gap_kb = 1108;
};
KernelImage debian_kernel_image(KernelVersion v);
// Lays out an image of the given section sizes (KiB, as `Memory:` prints
// them, and its SMP alternatives) as x86_64's vmlinux.lds.S does: the text
// and the read-only data each end on a 2 MiB boundary, so the gaps
// mark_rodata_ro() frees follow from the sizes; what the line does not size
// (the bug and ORC unwind tables after .data, the vvar page, .data_nosave,
// brk) is estimated from the code size (kImageUnsizedPerCodeKb). Sets the
// two gaps and reserved_size; returns the estimated KiB.
u64 lay_out_image(KernelImage& k);
// What [_text, _end) holds beyond the sections `Memory:` sizes, per KiB of
// kernel code: the ORC unwind tables grow with the text. Debian's 6.1 image
// (the one whose reservation a memblock=debug capture shows) has 4150K
// there for 14343K of code.
inline constexpr double kImageUnsizedPerCodeKb = 4150.0 / 14343.0;

// Build options a boot shows (or, by a missing line, does not): Debian's by
// default. A log's lines decide them (text/parse/dmesg.cpp).
struct KernelConfig {
  bool numa = true;  // CONFIG_NUMA: NODE_DATA, "Fallback order", the NUMA setup lines
  // CONFIG_ZONE_DMA: the 16 MiB ISA zone. Without it (kernels built for
  // machines with no ISA DMA, as some distributions' and most microVM
  // kernels are) DMA32 is the lowest zone and starts at the first RAM,
  // __GFP_DMA means ZONE_NORMAL (OPT_ZONE_DMA), kmalloc has no dma-kmalloc
  // caches, and zoneinfo, buddyinfo, zonelists and the protection arrays
  // have no DMA entry at all (the kernel's MAX_NR_ZONES is one smaller).
  bool zone_dma = true;
  bool zone_device = true;  // CONFIG_ZONE_DEVICE: the "Device   empty" zone range line

  // The model keeps a slot for every zone type (ZoneType indexes them);
  // a type this kernel was not built with stays empty and is never shown.
  bool has_zone(ZoneType z) const { return (z != ZoneType::DMA || zone_dma) && (z != ZoneType::Device || zone_device); }
  // The kernel's zone_idx() of a type it has: the built types below it.
  unsigned kernel_zone_idx(ZoneType z) const {
    unsigned i = 0;
    for (unsigned t = 0; t < idx(z); ++t) i += has_zone(static_cast<ZoneType>(t)) ? 1 : 0;
    return i;
  }
  // The kernel's MAX_NR_ZONES: how many entries a protection array has.
  unsigned nr_zones() const { return kernel_zone_idx(ZoneType::Device) + (zone_device ? 1 : 0); }
  // ZONE_DMA, or DMA32 where there is no ZONE_DMA: the kernel's zone 0.
  ZoneType lowest_zone() const { return zone_dma ? ZoneType::DMA : ZoneType::DMA32; }
};

// The software IO TLB (swiotlb) the kernel sets aside in mem_init
// (pci_iommu_alloc -> swiotlb_init) when RAM reaches above 4 GiB: a 64 MiB
// bounce buffer below 4 GiB, its slot array and one lock area per CPU
// (rounded up to a power of two). A log decides it (its "software IO TLB"
// lines, or the kernel's rule when it shows neither way); the shorthand's
// qemu machines, modelled on captures that all stay below 4 GiB, go without.
struct SwiotlbSpec {
  enum class Mode : std::uint8_t { Off, Auto, On } mode = Mode::Off;  // Auto: the kernel's rule
  u64 size = 64ull << 20;                                             // IO_TLB_DEFAULT_SIZE
  Phys logged_base = 0;  // where a log's "software IO TLB: mapped" line put it (0: unknown)
  unsigned nareas = 0;   // "software IO TLB: area num N." (0: from the CPU count)
};

// The first per-CPU chunk's unit, as "percpu: Embedded ... s.. r.. d.." says
// (static, reserved, dynamic bytes); Debian's by default.
struct PercpuSizes {
  u64 static_size = 217088, reserved_size = 8192, dyn_size = 28672;
};

struct MachineSpec {
  std::vector<E820Entry> e820;             // the firmware's map, as "BIOS-e820:" prints it
  std::vector<E820Edit> e820_edits;        // mem=, memmap= and a log's own edits, in the kernel's order
  std::vector<NodeSpec> nodes;             // empty: no NUMA configuration found
  std::vector<std::vector<int>> distance;  // SLIT; empty: 10 local / 20 remote
  unsigned cpus = 1;
  Knobs knobs;
  KernelVersion version = KernelVersion::v6_1;
  KernelImage kernel;
  KernelConfig config;
  // alloc_node_data()'s size: sizeof(pg_data_t), which grows with
  // MAX_NUMNODES (its zonelists), NR_CPUS and the zones built in; 6.1
  // rounds it to a page, 6.12 to a cache line. A log's own "NODE_DATA(N)
  // allocated [mem ...]" line gives its kernel's; 0: the profile's
  // (node_data_size_of).
  u64 node_data_size = 0;
  // A SLIT was parsed (a log's "ACPI: SLIT" table line): numa_set_distance
  // allocates the distance table, one byte per node pair, page aligned at
  // the top of memory, before the nodes' data (numa_alloc_distance).
  // The shorthand's distance= machines are still booted without it.
  bool numa_distance_table = false;
  SwiotlbSpec swiotlb;
  PercpuSizes percpu;
  Phys initrd_start = 0, initrd_size = 0;  // 0 size: no initrd
  // RAM a log shows turned reserved after e820__memblock_setup ("e820:
  // update [mem ...] usable ==> reserved" then: efi_mem_reserve of the
  // ESRT, MOKvar, BGRT image; mpparse's table): memblock reserves it too,
  // for good. (base, size) pairs.
  std::vector<std::pair<Phys, Phys>> firmware_reserved;
  // "efi: Freeing EFI boot services memory: NK": what
  // efi_reserve_boot_services() kept reserved and efi_free_boot_services()
  // (an arch_initcall) gives to the buddy allocator; 0: none or unknown.
  u64 efi_boot_services_kb = 0;
  std::string cmdline;
  std::string description;  // e.g. "ram=1G cpus=2"

  int node_distance(int a, int b) const;
  // The table the kernel hands memblock: the firmware's map with its edits
  // (e820_setup(*this).table).
  std::vector<E820Entry> e820_table() const;
  // Usable RAM of that table.
  u64 usable_bytes() const;
  // The end of the highest usable RAM of that table (0 when none is usable).
  Phys usable_end() const;
};

// Limits of what the engine models (a clear error beyond them).
// Debian's 6.1 kernel image occupies 16M..68M physical: below 96M it cannot boot.
inline constexpr u64 kMinRamBytes = 96ull << 20;
inline constexpr u64 kMaxRamBytes = 4ull << 40;  // 4 TiB
// Page frames are numbered in 32 bits (the list links); the memory map
// costs what has been touched, so holes are cheap but not unbounded.
inline constexpr u64 kMaxPhysAddr = 8ull << 40;  // 8 TiB

// "1G", "512M", "1536M". (Words, but the model's own messages still use
// it: pressure/task.cpp's spawn limit.)
std::string format_size(u64 bytes);
// Where qemu's pc machine (7.2, i440FX) puts `ram` bytes of guest RAM: up
// to below_4g from 0, the rest from above_4g_start (4 GiB, or 1 TiB when
// the RAM and the 64-bit PCI hole after it would reach AMD's
// HyperTransport range, which qemu keeps clear for AMD vCPUs).
struct QemuRamLayout {
  u64 below_4g = 0, above_4g = 0;
  Phys above_4g_start = 1ull << 32;
  // Guest RAM offset -> physical address.
  Phys addr(u64 offset) const { return offset < below_4g ? offset : above_4g_start + (offset - below_4g); }
};
QemuRamLayout qemu_pc_ram_layout(u64 ram);
// The e820 map SeaBIOS reports for a qemu pc machine of `ram` bytes.
std::vector<E820Entry> qemu_pc_e820(u64 ram, u64* below_4g = nullptr);

}  // namespace mm
