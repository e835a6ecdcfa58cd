// ___ratelimit() over the model's clock (ratelimit.h).
#include "mm/core/ratelimit.h"

#include <string>

#include "mm/core/machine.h"

namespace mm {

bool ratelimit(Machine& m, RatelimitState& rs, const char* func) {
  if (!rs.interval) return true;
  const u64 now = m.clock.jiffies();
  if (!rs.begun) {
    rs.begun = true;
    rs.begin = now;
  }
  // time_is_before_jiffies(begin + interval): the interval has run out.
  if (rs.begin + rs.interval < now) {
    if (rs.missed) {
      if (auto e = m.trace.step(Ev::ratelimit_missed)) e.func(func).count(static_cast<u64>(rs.missed));
      m.printk(std::string(func) + ": " + std::to_string(rs.missed) + " callbacks suppressed");
      rs.missed = 0;
    }
    rs.begin = now;
    rs.printed = 0;
  }
  if (rs.burst && rs.burst > rs.printed) {
    ++rs.printed;
    return true;
  }
  ++rs.missed;
  if (auto e = m.trace.step(Ev::ratelimit_held))
    e.func(func).burst(static_cast<u64>(rs.burst)).seconds(rs.interval / HZ).count(static_cast<u64>(rs.missed));
  return false;
}

}  // namespace mm
