#include "text/parse/log_line.h"

#include <array>

namespace mm {

namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }
bool alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

std::size_t skip_spaces(std::string_view l, std::size_t p) {
  while (p < l.size() && l[p] == ' ') ++p;
  return p;
}

// "<6>" (a level of up to three digits).
std::size_t skip_level(std::string_view l, std::size_t p) {
  if (p >= l.size() || l[p] != '<') return p;
  std::size_t q = p + 1;
  while (q < l.size() && q - p <= 3 && digit(l[q])) ++q;
  return q > p + 1 && q < l.size() && l[q] == '>' ? q + 1 : p;
}

// dmesg -x: "kern  :info  : " (a word, ':', a word, ':').
std::size_t skip_facility(std::string_view l, std::size_t p) {
  std::size_t q = p;
  for (int field = 0; field < 2; ++field) {
    const std::size_t word = q;
    while (q < l.size() && alpha(l[q])) ++q;
    if (q == word || q - word > 8) return p;
    q = skip_spaces(l, q);
    if (q >= l.size() || l[q] != ':') return p;
    ++q;
  }
  return q < l.size() && l[q] == ' ' ? q + 1 : p;
}

// "[    3.739771] " or dmesg -T's "[Sat Nov 22 08:30:19 2026] ": a bracket
// holding a '.' or a ':' and nothing but digits, letters, spaces, '.', ':'.
std::size_t skip_timestamp(std::string_view l, std::size_t p) {
  const std::size_t q = skip_spaces(l, p);
  if (q >= l.size() || l[q] != '[') return p;
  const std::size_t close = l.find(']', q);
  if (close == std::string_view::npos || close - q > 40) return p;
  const std::string_view in = l.substr(q + 1, close - q - 1);
  if (in.find_first_of(".:") == std::string_view::npos) return p;
  for (char c : in)
    if (!(digit(c) || alpha(c) || c == ' ' || c == '.' || c == ':')) return p;
  std::size_t r = close + 1;
  if (r < l.size() && l[r] == ' ') ++r;
  return r;
}

// A month as syslog writes it ("Jan".."Dec").
bool month_at(std::string_view l, std::size_t p) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::string_view m : kMonths)
    if (l.substr(p, 3) == m) return true;
  return false;
}

// "Jan  2 10:00:00[.123456] " or "2026-01-02T10:00:00[.123][+01:00] ": the
// position after the date and time (and one space), or p.
std::size_t skip_date(std::string_view l, std::size_t p) {
  std::size_t q = p;
  if (month_at(l, q) && q + 3 < l.size() && l[q + 3] == ' ') {
    q = skip_spaces(l, q + 3);
    if (q >= l.size() || !digit(l[q])) return p;
    while (q < l.size() && digit(l[q])) ++q;
    if (q >= l.size() || l[q] != ' ') return p;
    ++q;
  } else if (q + 10 < l.size() && digit(l[q]) && digit(l[q + 3]) && l[q + 4] == '-' && l[q + 7] == '-' &&
             l[q + 10] == 'T') {
    q += 11;
  } else {
    return p;
  }
  // The time: digits, ':', '.', then an optional zone (+01:00, +0100, Z).
  const std::size_t time = q;
  while (q < l.size() && (digit(l[q]) || l[q] == ':' || l[q] == '.')) ++q;
  if (q - time < 8 || l.substr(time, q - time).find(':') == std::string_view::npos) return p;
  if (q < l.size() && (l[q] == '+' || l[q] == '-' || l[q] == 'Z')) {
    ++q;
    while (q < l.size() && (digit(l[q]) || l[q] == ':')) ++q;
  }
  return q < l.size() && l[q] == ' ' ? q + 1 : p;
}

// "host kernel: " (one word, then "kernel: "), the form syslog and the
// journal give the kernel's messages.
std::size_t skip_host_kernel(std::string_view l, std::size_t p) {
  std::size_t q = p;
  while (q < l.size() && l[q] != ' ' && l[q] != '[' && l[q] != ']' && q - p < 256) ++q;
  if (q == p || q >= l.size() || l[q] != ' ') return p;
  constexpr std::string_view kKernel = "kernel: ";
  if (l.substr(q + 1, kKernel.size()) != kKernel) return p;
  return q + 1 + kKernel.size();
}

}  // namespace

std::size_t kernel_message_start(std::string_view line) {
  std::size_t p = skip_level(line, 0);
  p = skip_facility(line, p);
  // A syslog or journal header: the date, the host, "kernel: ".
  if (const std::size_t d = skip_date(line, p); d != p) {
    const std::size_t k = skip_host_kernel(line, d);
    if (k == d) return p;  // a date, but not the kernel's line: leave it whole
    return skip_timestamp(line, skip_level(line, k));
  }
  p = skip_timestamp(line, p);
  // journalctl -o short-monotonic: "[ts] host kernel: ".
  if (const std::size_t k = skip_host_kernel(line, p); k != p) p = skip_timestamp(line, k);
  return p;
}

}  // namespace mm
