// The machine shorthand: whitespace-separated key=value pairs describing
// the machine a qemu pc (i440FX, SeaBIOS) boots, e.g. "ram=1G cpus=2" for
// `qemu-system-x86_64 -m 1G -smp 2`.
//
//   ram=SIZE              total RAM (qemu -m); alias m=
//   cpus=N                CPU count (qemu -smp); alias smp=
//   nodes=N | SIZE[:CPUS],SIZE[:CPUS],...   NUMA nodes (even split, or sizes
//                         with optional cpu lists like 0-1 or 0+2; size 0 is
//                         a memoryless node)
//   distance=N | 10,20;20,10   remote node distance, or the whole SLIT table
//   min_free_kbytes=N watermark_scale_factor=N watermark_boost_factor=N
//   lowmem_reserve_ratio=A,B,C  percpu_pagelist_high_fraction=N
//   deferred=on|off  thp=on|off  mobility=on|off
//   kernelcore=SIZE|N%|mirror  movablecore=SIZE|N%  initrd=SIZE
//   kernel=6.1|6.12  zone_dma=on|off (CONFIG_ZONE_DMA)
//   mem=SIZE  memmap=exactmap|SIZE@ADDR|SIZE$ADDR|SIZE#ADDR|SIZE!ADDR|
//             SIZE%ADDR-FROM+TO|SIZE[,...]   the kernel's own parameters,
//                         read as x86 reads them (text/parse/e820_params.h);
//                         both may be repeated and apply in the order given
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "mm/core/diag.h"
#include "mm/core/machine_spec.h"

namespace mm {

// "ram=1G cpus=2 nodes=2 ..." -> MachineSpec; errors are on line 1 and
// carry a 1-based column.
Expected<MachineSpec> parse_shorthand(std::string_view text);
// Parses "512M", "1G", "1.5G", "4096K", "2GiB", plain bytes; nullopt if malformed.
std::optional<u64> parse_size(std::string_view s);
// The keys parse_shorthand knows (aliases apart), in the order it lists them.
std::vector<std::string_view> shorthand_keys();

}  // namespace mm
