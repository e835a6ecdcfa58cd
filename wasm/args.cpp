// The bindings' argument checker; see args.h.
#include "args.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "mm/core/diag.h"
#include "mm/core/machine.h"
#include "session/playground.h"
#include "text/parse/gfp.h"
#include "text/parse/slab_flags.h"

using emscripten::val;

namespace mmwasm {

namespace {

// A JS number as JS would print it, near enough: whole numbers below 1e21
// in full, others with the fewest digits that read back the same.
std::string number_text(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
  char buf[40];
  if (std::floor(x) == x && std::fabs(x) < 1e21) {
    std::snprintf(buf, sizeof buf, "%.0f", x);
    return buf;
  }
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  return buf;
}

// What the caller passed, for "got ...": numbers and strings as written
// (a long string cut short), anything else by its type.
std::string given_text(const val& v) {
  if (v.isUndefined()) return "undefined";
  if (v.isNull()) return "null";
  if (v.isTrue()) return "true";
  if (v.isFalse()) return "false";
  if (v.isNumber()) return number_text(v.as<double>());
  if (v.isString()) {
    std::string s = v.as<std::string>();
    constexpr std::size_t kShown = 40;
    const std::size_t nl = s.find_first_of("\r\n");
    if (nl != std::string::npos || s.size() > kShown) s = s.substr(0, std::min(nl, kShown)) + "...";
    return "'" + s + "'";
  }
  if (v.isArray()) return "an array";
  const std::string type = v.typeOf().as<std::string>();
  if (type == "object") return "an object";
  return "a " + type;  // function, bigint, symbol
}

// The range of a whole number. hi < lo: the upper bound is not known yet
// (no machine); `minus_one`: -1 is accepted too, and means that.
std::string whole_range(const char* unit, double lo, double hi, const char* minus_one = nullptr) {
  std::string s;
  if (hi < lo)
    s = std::string("a whole number") + unit + " from " + number_text(lo);
  else if (hi == lo)
    s = number_text(lo);
  else
    s = std::string("a whole number") + unit + " from " + number_text(lo) + " to " + number_text(hi);
  if (minus_one) s += std::string(", or -1 ") + minus_one;
  return s;
}

// [lo, hi] of a numeric kind; hi < lo when the machine is not known.
void bounds(const ArgSpec& s, const Limits& lim, double& lo, double& hi) {
  auto of_machine = [](long long n) { return n < 0 ? -1.0 : static_cast<double>(n - 1); };
  lo = 0;
  switch (s.kind) {
    case ArgKind::Whole:
    case ArgKind::Bytes:
      lo = s.lo;
      hi = s.hi;
      return;
    case ArgKind::Order: hi = mm::MAX_ORDER - 1; return;
    case ArgKind::Pfn: hi = of_machine(lim.frames); return;
    case ArgKind::Cpu:
    case ArgKind::CpuOrAll: hi = of_machine(lim.cpus); return;
    case ArgKind::Node: hi = of_machine(lim.nodes); return;
    default: hi = 0; return;
  }
}

// What a spec accepts, for "must be ...".
std::string accepted(const ArgSpec& s, const Limits& lim) {
  double lo = 0, hi = 0;
  bounds(s, lim, lo, hi);
  switch (s.kind) {
    case ArgKind::Whole:
    case ArgKind::Order:
    case ArgKind::Pfn:
    case ArgKind::Cpu: return whole_range("", lo, hi);
    case ArgKind::Bytes: return whole_range(" of bytes", lo, hi);
    case ArgKind::CpuOrAll: return whole_range("", lo, hi, "for every CPU");
    case ArgKind::Node: return whole_range("", lo, hi, "for the CPU's node");
    case ArgKind::Gfp: return "a gfp mask string such as \"GFP_KERNEL\"";
    case ArgKind::SlabFlags: return "a string of SLAB_* flags joined by '|' (\"\" for none)";
    case ArgKind::Addr: return "a kernel address, hex \"0x...\" or decimal";
    case ArgKind::Text: return std::string("a string (") + s.what + ")";
  }
  return "?";
}

std::string error(std::string message) { return mm::Diagnostic{"", 0, 0, std::move(message)}.str(); }

// The one template of every refusal.
std::string must_be(const char* name, const std::string& what, const val& given) {
  return error(std::string(name) + " must be " + what + ", got " + given_text(given));
}

// A parser's diagnostic, named after the argument it read.
std::string parse_error(const ArgSpec& s, mm::Diagnostic d) {
  if (d.file.empty()) d.file = s.name;
  return d.str();
}

// "0xffff888004a1c080" or a decimal number; nullopt for anything else.
std::optional<mm::u64> parse_addr(const std::string& s) {
  if (s.empty() || s[0] == '-' || s[0] == '+' || std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (errno != 0 || end != s.c_str() + s.size()) return std::nullopt;
  return static_cast<mm::u64>(v);
}

bool is_numeric(ArgKind k) {
  switch (k) {
    case ArgKind::Whole:
    case ArgKind::Bytes:
    case ArgKind::Order:
    case ArgKind::Pfn:
    case ArgKind::Cpu:
    case ArgKind::CpuOrAll:
    case ArgKind::Node: return true;
    default: return false;
  }
}

}  // namespace

const char* kind_name(ArgKind k) {
  switch (k) {
    case ArgKind::Whole: return "whole";
    case ArgKind::Bytes: return "bytes";
    case ArgKind::Order: return "order";
    case ArgKind::Pfn: return "pfn";
    case ArgKind::Cpu: return "cpu";
    case ArgKind::CpuOrAll: return "cpuOrAll";
    case ArgKind::Node: return "node";
    case ArgKind::Gfp: return "gfp";
    case ArgKind::SlabFlags: return "slabFlags";
    case ArgKind::Addr: return "addr";
    case ArgKind::Text: return "text";
  }
  return "?";
}

Limits Limits::of(const mm::Playground& pg) {
  Limits l;
  if (const mm::Machine* m = pg.machine()) {
    l.cpus = m->nr_cpus;
    l.nodes = static_cast<long long>(m->nodes.size());
    l.frames = static_cast<long long>(m->mem.nr);
  }
  return l;
}

std::optional<std::string> read_arg(const ArgSpec& s, const val& v, const Limits& lim, Args& out, std::size_t i) {
  Args::Value& slot = out.v_[i];
  const bool absent = v.isUndefined() || v.isNull();
  if (is_numeric(s.kind)) {
    const double x = absent && s.optional ? s.number_default : v.isNumber() ? v.as<double>() : NAN;
    double lo = 0, hi = 0;
    bounds(s, lim, lo, hi);
    const bool minus_one = (s.kind == ArgKind::CpuOrAll || s.kind == ArgKind::Node) && x == -1;
    const bool whole = std::isfinite(x) && std::floor(x) == x;
    if (!whole || !(minus_one || (x >= lo && (hi < lo ? x <= kMaxSafe : x <= hi))))
      return must_be(s.name, accepted(s, lim), v);
    slot.n = static_cast<long long>(x);
    return std::nullopt;
  }
  std::string text;
  if (absent && s.optional)
    text = s.text_default;
  else if (v.isString())
    text = v.as<std::string>();
  else
    return must_be(s.name, accepted(s, lim), v);
  switch (s.kind) {
    case ArgKind::Gfp: {
      auto g = mm::parse_gfp(text);
      if (!g) return parse_error(s, g.diag());
      slot.u = *g;
      break;
    }
    case ArgKind::SlabFlags: {
      if (text.empty()) break;
      auto f = mm::parse_slab_flags(text);
      if (!f) return parse_error(s, f.diag());
      slot.u = *f;
      break;
    }
    case ArgKind::Addr: {
      auto a = parse_addr(text);
      if (!a) return must_be(s.name, accepted(s, lim), v);
      slot.u = *a;
      break;
    }
    default: break;
  }
  slot.s = std::move(text);
  return std::nullopt;
}

std::optional<std::string> read_args(Form form, std::span<const ArgSpec> specs, std::span<const val> given,
                                     const Limits& lim, Args& out) {
  if (form == Form::Request) {
    const val& req = given[0];
    if (req.isNull() || req.isArray() || req.typeOf().as<std::string>() != "object") {
      std::string fields;
      for (const ArgSpec& s : specs) fields += (fields.empty() ? "" : ", ") + std::string(s.name);
      return must_be("request", "an object {" + fields + "}", req);
    }
    for (std::size_t i = 0; i < specs.size(); ++i)
      if (auto bad = read_arg(specs[i], req[specs[i].name], lim, out, i)) return bad;
    return std::nullopt;
  }
  for (std::size_t i = 0; i < specs.size(); ++i)
    if (auto bad = read_arg(specs[i], given[i], lim, out, i)) return bad;
  return std::nullopt;
}

}  // namespace mmwasm
