// Conversions from engine results to JS values; see convert.h.
#include "convert.h"

#include <algorithm>
#include <cmath>

using emscripten::val;

namespace mmwasm {

namespace {

constexpr const char* kNotBooted = "no machine booted yet";

// A JS number used as an index or a count: NaN and negatives become 0.
std::size_t to_size(double x) {
  if (!(x > 0)) return 0;
  if (x >= 9007199254740992.0) return static_cast<std::size_t>(-1);
  return static_cast<std::size_t>(std::floor(x));
}

val to_js_strings(const auto& range) {
  val out = val::array();
  unsigned i = 0;
  for (const auto& s : range) out.set(i++, val(std::string(s)));
  return out;
}

}  // namespace

const char* kind_name(mm::EventKind k) {
  switch (k) {
    case mm::EventKind::Begin: return "begin";
    case mm::EventKind::End: return "end";
    case mm::EventKind::Step: return "step";
    case mm::EventKind::Warn: return "warn";
  }
  return "step";
}

BootResult to_boot_result(const mm::Status& s) {
  if (s) return {true, {}};
  return {false, s.diag().str()};
}

JsEvent to_js(const mm::Event& e) {
  JsEvent j;
  j.seq = e.seq;
  j.depth = e.depth;
  j.kind = kind_name(e.kind);
  j.fn = e.fn ? e.fn : "";
  j.node = e.node;
  j.zone = e.zone;
  j.mt = e.mt;
  j.order = e.order;
  j.cpu = e.cpu;
  j.pfn = e.pfn == ~mm::Pfn{0} ? -1.0 : static_cast<double>(e.pfn);
  j.a = static_cast<double>(e.a);
  j.b = static_cast<double>(e.b);
  j.c = static_cast<double>(e.c);
  j.text = e.text;
  return j;
}

BootResult Engine::boot_shorthand(const std::string& spec) {
  return to_boot_result(pg_.boot_shorthand(spec, "<machine>", mm::BootOptions{trace_}));
}

BootResult Engine::boot_dmesg(const std::string& text, const std::string& name) {
  const std::string source = name.empty() ? std::string("<dmesg>") : name;
  return to_boot_result(pg_.boot_dmesg(text, source, mm::BootOptions{trace_}));
}

ProcResult Engine::proc(const std::string& name) const {
  if (!pg_.booted()) return {false, {}, kNotBooted};
  ProcResult r;
  const mm::Status s = pg_.proc(name, r.text);
  r.ok = static_cast<bool>(s);
  if (!r.ok) {
    r.text.clear();
    r.error = s.diag().str();
  }
  return r;
}

val Engine::proc_names() const { return to_js_strings(mm::Playground::proc_names()); }

std::string Engine::boot_log() const { return pg_.booted() ? pg_.boot_log() : std::string(); }

double Engine::event_count() const {
  return pg_.booted() ? static_cast<double>(pg_.events().size()) : 0.0;
}

val Engine::events(double start, double count) const {
  if (!pg_.booted()) return val::array();
  const auto& all = pg_.events();
  const std::size_t from = std::min(to_size(start), all.size());
  const std::size_t n = std::min(to_size(count), all.size() - from);
  val out = val::array();
  for (std::size_t i = 0; i < n; ++i) out.set(static_cast<unsigned>(i), val(to_js(all[from + i])));
  return out;
}

val Engine::check() const {
  if (!pg_.booted()) return val::array();
  return to_js_strings(pg_.check());
}

double Engine::frame_count() const {
  return pg_.booted() ? static_cast<double>(pg_.frame_count()) : 0.0;
}

val Engine::frame_state_view() const {
  const std::uint8_t* p = pg_.booted() ? pg_.frame_state() : nullptr;
  const std::size_t n = p ? pg_.frame_count() : 0;
  return val(emscripten::typed_memory_view(n, p));
}

}  // namespace mmwasm
