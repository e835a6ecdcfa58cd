// Where the kernel's own message starts in a saved log line. One rule for
// every importer (boot logs, OOM reports): a log copied from `dmesg`,
// `dmesg -T`, `dmesg -t`, `dmesg -x`, a syslog file (/var/log/kern.log,
// /var/log/messages) or `journalctl -k` reads alike. The forms it knows:
//
//   <6>                                   a console level
//   kern  :info  :                        dmesg -x (facility and level)
//   [    0.123456]                        the kernel's timestamp
//   [Sat Nov 22 08:30:19 2026]            dmesg -T
//   Jan  2 10:00:00 host kernel:          syslog (then often a timestamp)
//   Jan 02 10:00:00.123456 host kernel:   journalctl -k, -o short-precise
//   2026-01-02T10:00:00+0100 host kernel: journalctl -o short-iso, rsyslog
//   [    0.123456] host kernel:           journalctl -o short-monotonic
//
// Nothing else is taken off: a line whose message itself looks like a
// prefix stays as it is (a task-table row "[    106]" is not a timestamp).
#pragma once

#include <cstddef>
#include <string_view>

namespace mm {

// The column (0-based) where the message of `line` starts.
std::size_t kernel_message_start(std::string_view line);

}  // namespace mm
