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
// profile's.
struct KernelImage {
  Phys start = 0x1000000;  // 16 MiB: CONFIG_PHYSICAL_START with nokaslr
  u64 code_kb = 14343, rwdata_kb = 2338, rodata_kb = 9132, init_kb = 2824, bss_kb = 17344;
  u64 reserved_size = 0x3411000;  // [_text, _end) plus brk as memblock reserves it
  // Parts freed after boot ("Freeing ... memory: NK"), in the order they go
  // (0: the image has no such part).
  u64 smp_alternatives_kb = 36, decrypted_kb = 2036, text_rodata_gap_kb = 2040, rodata_data_gap_kb = 1108;
};
// Debian's amd64 image of that kernel, as its `Memory:` line, its brk
// reservation and its `Freeing` lines show it.
KernelImage debian_kernel_image(KernelVersion v);

struct MachineSpec {
  std::vector<E820Entry> e820;             // the firmware's map, as "BIOS-e820:" prints it
  std::vector<E820Edit> e820_edits;        // mem=, memmap= and a log's own edits, in the kernel's order
  std::vector<NodeSpec> nodes;             // empty: no NUMA configuration found
  std::vector<std::vector<int>> distance;  // SLIT; empty: 10 local / 20 remote
  unsigned cpus = 1;
  Knobs knobs;
  KernelVersion version = KernelVersion::v6_1;
  KernelImage kernel;
  Phys initrd_start = 0, initrd_size = 0;  // 0 size: no initrd
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
// The e820 map SeaBIOS reports for a qemu pc machine of `ram` bytes.
std::vector<E820Entry> qemu_pc_e820(u64 ram, u64* below_4g = nullptr);

}  // namespace mm
