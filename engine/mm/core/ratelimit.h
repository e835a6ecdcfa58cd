// The model's clock and the kernel's rate limits on its reports
// (include/linux/ratelimit_types.h, lib/ratelimit.c, Linux 6.1).
//
// The kernel limits how often a report that a failing loop could print
// again and again reaches the log: __ratelimit(rs) lets `burst` calls
// through in every `interval` jiffies and counts the others as missed; the
// first call after the interval has run out prints "FUNC: N callbacks
// suppressed" and starts a new interval. warn_alloc() uses nopage_rs
// (10 s, burst 1) around the whole allocation-failure warning;
// oom_kill_process() uses oom_rs (5 s, burst 10) around dump_header() (the
// report up to and with the constraint line), not around the "Out of
// memory: Killed process" line.
//
// The model has no wall clock, and nothing but these limits reads time, so
// its clock is a count of work: every page-allocator request (alloc_pages,
// whoever asks: a statement, a task's fault, a slab) moves it on by
// kAllocRequestNs. One figure keeps the clock deterministic (a replay, an
// undo step and a machine copy all see the same time) and easy to reason
// about: 100,000 requests are one model second. A fast-path request costs a
// real kernel far less and a failing one with reclaim and a report far
// more; 10 us is the order of a request that reaches the slow path, which
// is where the limits matter. Time between statements does not pass: a
// model second is work done, not time the user waited.
#pragma once

#include "mm/core/types.h"

namespace mm {

// The Debian 6.1 kernel's tick rate (CONFIG_HZ=250): a jiffy is 4 ms.
inline constexpr u64 HZ = 250;
inline constexpr u64 NSEC_PER_SEC = 1'000'000'000;
inline constexpr u64 NSEC_PER_JIFFY = NSEC_PER_SEC / HZ;
// What one page-allocator request costs the model clock (see above).
inline constexpr u64 kAllocRequestNs = 10'000;

// include/linux/ratelimit_types.h
inline constexpr u64 DEFAULT_RATELIMIT_INTERVAL = 5 * HZ;
inline constexpr int DEFAULT_RATELIMIT_BURST = 10;

struct ModelClock {
  u64 ns = 0;  // model time since boot
  u64 jiffies() const { return ns / NSEC_PER_JIFFY; }
};

// struct ratelimit_state, without the lock (the model runs one thing at a
// time, so the kernel's "contended: suppress" case never happens).
struct RatelimitState {
  u64 interval = DEFAULT_RATELIMIT_INTERVAL;  // jiffies; 0 lets every call through
  int burst = DEFAULT_RATELIMIT_BURST;
  bool begun = false;  // the kernel tests begin == 0; the model's jiffies start at 0
  u64 begin = 0;       // the jiffy the current interval began
  int printed = 0;     // calls let through in this interval
  int missed = 0;      // calls held back since the last "callbacks suppressed"
};

struct Machine;
// ___ratelimit(rs, func): true lets the caller print. Prints "FUNC: N
// callbacks suppressed" (KERN_WARNING) when a new interval begins after
// missed calls, and records why a call is held back.
bool ratelimit(Machine& m, RatelimitState& rs, const char* func);

}  // namespace mm
