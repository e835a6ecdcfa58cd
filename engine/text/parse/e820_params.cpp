// mem= and memmap= read as x86 6.1 reads them (the same in 6.12).
#include "text/parse/e820_params.h"

#include <cctype>

namespace mm {

namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// The first `used` characters of v, quoted, for a finding.
std::string quoted_prefix(std::string_view v, std::size_t used) { return "'" + std::string(v.substr(0, used)) + "'"; }

// A removal of every usable byte from `size` up: mem=SIZE, memmap=SIZE.
E820Edit remove_ram_from(u64 size) {
  E820Edit e;
  e.op = E820Edit::Op::Remove;
  e.start = size;
  e.size = ~u64{0} - size;
  e.type = E820Type::Usable;
  return e;
}

E820Edit add(u64 size, u64 start, E820Type type) {
  E820Edit e;
  e.op = E820Edit::Op::Add;
  e.start = start;
  e.size = size;
  e.type = type;
  return e;
}

void rest_ignored(E820ParamRead& r, std::string_view v, std::size_t used, std::size_t at) {
  if (used < v.size())
    r.findings.push_back(
        {at + used, "the kernel reads only " + quoted_prefix(v, used) + " and silently ignores the rest"});
}

// memmap=SIZE%ADDR-FROM+TO: a type change, an addition or a removal by
// type number. The map is user-defined even when the entry is refused.
void read_type_edit(E820ParamRead& r, std::string_view v, std::size_t at, u64 size, std::size_t pct) {
  const ParsedNumber start = memparse(v.substr(pct + 1));
  std::size_t p = pct + 1 + start.used;
  u64 from = 0, to = 0;
  std::size_t from_at = 0, to_at = 0;
  if (p < v.size() && v[p] == '-') {
    from_at = p + 1;
    const ParsedNumber n = simple_strtoull(v.substr(p + 1));
    from = n.value;
    p += 1 + n.used;
  }
  if (p < v.size() && v[p] == '+') {
    to_at = p + 1;
    const ParsedNumber n = simple_strtoull(v.substr(p + 1));
    to = n.value;
    p += 1 + n.used;
  }
  E820Edit marker;
  marker.op = E820Edit::Op::UserDefined;
  if (p < v.size()) {
    r.edits.push_back(marker);
    r.findings.push_back({at + p, "the kernel refuses this entry at " + quoted_prefix(v.substr(p), 1) +
                                      " (only -FROM and +TO may follow the address) and changes nothing, though "
                                      "it still prints the user-defined map"});
    return;
  }
  E820Type from_t = E820Type::Usable, to_t = E820Type::Usable;
  const bool from_ok = !from || e820_type_from_number(from, from_t);
  const bool to_ok = !to || e820_type_from_number(to, to_t);
  if (!from_ok || !to_ok) {
    r.edits.push_back(marker);
    r.findings.push_back({at + (from_ok ? to_at : from_at),
                          "e820 type " + std::to_string(from_ok ? to : from) +
                              " is not one the engine models (1-5 and 12); the model leaves this entry out"});
    return;
  }
  if (from && to && from == to) {
    r.edits.push_back(marker);
    r.findings.push_back({at + from_at,
                          "the same type on both sides: the kernel stops at a BUG_ON() in e820__range_update() "
                          "and cannot boot; the model leaves this entry out"});
    return;
  }
  E820Edit e;
  e.start = start.value;
  e.size = size;
  if (from && to) {
    e.op = E820Edit::Op::Update;
    e.from = from_t;
    e.type = to_t;
  } else if (to) {
    e.op = E820Edit::Op::Add;
    e.type = to_t;
  } else {
    e.op = E820Edit::Op::Remove;
    e.type = from_t;
    e.check_type = from != 0;
  }
  r.edits.push_back(e);
}

// One entry of memmap=. kernel: parse_memmap_one()
void read_memmap_one(E820ParamRead& r, std::string_view v, std::size_t at) {
  if (v.substr(0, 8) == "exactmap") {
    E820Edit e;
    e.op = E820Edit::Op::Exactmap;
    r.edits.push_back(e);
    if (v.size() > 8) rest_ignored(r, v, 8, at);
    return;
  }
  const ParsedNumber size = memparse(v);
  if (size.used == 0) {
    r.findings.push_back(
        {at, "'" + std::string(v) + "' does not start with a size: the kernel silently skips this entry"});
    return;
  }
  const std::size_t p = size.used;
  const char how = p < v.size() ? v[p] : '\0';
  if (how == '%') return read_type_edit(r, v, at, size.value, p);
  E820Type type = E820Type::Usable;
  switch (how) {
    case '@': type = E820Type::Usable; break;
    case '#': type = E820Type::ACPI; break;
    case '$': type = E820Type::Reserved; break;
    case '!': type = E820Type::PRAM; break;
    default:
      r.edits.push_back(remove_ram_from(size.value));  // memmap=SIZE is mem=SIZE (zero included)
      rest_ignored(r, v, p, at);
      return;
  }
  const ParsedNumber start = memparse(v.substr(p + 1));
  r.edits.push_back(add(size.value, start.value, type));
  if (start.used == 0)
    r.findings.push_back({at + p + 1, "no address after '" + std::string(1, how) + "': the kernel reads 0"});
  rest_ignored(r, v, p + 1 + start.used, at);
}

}  // namespace

ParsedNumber simple_strtoull(std::string_view s) {
  ParsedNumber r;
  unsigned base = 10;
  std::size_t i = 0;
  if (!s.empty() && s[0] == '0') {  // kernel: _parse_integer_fixup_radix()
    base = 8;
    if (s.size() > 2 && lower(s[1]) == 'x' && std::isxdigit(static_cast<unsigned char>(s[2]))) {
      base = 16;
      i = 2;
    }
  }
  const std::size_t first = i;
  for (; i < s.size(); ++i) {
    const char c = lower(s[i]);
    unsigned d = 0;
    if (c >= '0' && c <= '9')
      d = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f')
      d = static_cast<unsigned>(c - 'a' + 10);
    else
      break;
    if (d >= base) break;
    r.value = r.value * base + d;
  }
  r.used = i > first ? i : 0;
  return r;
}

ParsedNumber memparse(std::string_view s) {
  ParsedNumber r = simple_strtoull(s);
  if (r.used >= s.size()) return r;
  unsigned shift = 0;
  switch (lower(s[r.used])) {
    case 'e': shift = 60; break;
    case 'p': shift = 50; break;
    case 't': shift = 40; break;
    case 'g': shift = 30; break;
    case 'm': shift = 20; break;
    case 'k': shift = 10; break;
    default: return r;
  }
  r.value <<= shift;
  ++r.used;
  return r;
}

E820ParamRead read_mem_param(std::optional<std::string_view> value) {
  E820ParamRead r;
  if (!value) {
    r.findings.push_back({0, "without a value the kernel prints \"Malformed early option 'mem'\" and ignores it"});
    return r;
  }
  const std::string_view v = *value;
  if (v == "nopentium") {
    r.findings.push_back({0,
                          "x86_64 prints \"mem=nopentium ignored! (only supported on x86_32)\" and \"Malformed "
                          "early option 'mem'\"; the map is left alone"});
    return r;
  }
  const ParsedNumber size = memparse(v);
  if (size.value == 0) {
    E820Edit marker;
    marker.op = E820Edit::Op::UserDefined;
    r.edits.push_back(marker);
    r.findings.push_back({0,
                          "the kernel reads this as 0, prints \"Malformed early option 'mem'\" and removes "
                          "nothing (it still prints the user-defined map)"});
    return r;
  }
  r.edits.push_back(remove_ram_from(size.value));
  rest_ignored(r, v, size.used, 0);
  return r;
}

E820ParamRead read_memmap_param(std::optional<std::string_view> value) {
  E820ParamRead r;
  if (!value) {
    r.findings.push_back({0, "without a value the kernel does nothing"});
    return r;
  }
  const std::string_view v = *value;
  for (std::size_t pos = 0;;) {
    const std::size_t comma = v.find(',', pos);
    read_memmap_one(r, v.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos), pos);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return r;
}

}  // namespace mm
