// Conversions from engine results to JS values; see convert.h.
#include "convert.h"

#include "text/format/catalogue.h"
#include "text/format/narration.h"
#include "text/format/reasons.h"

#include "mm/core/machine.h"
#include "text/format/views.h"
#include "text/parse/gfp.h"
#include "text/parse/slab_flags.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

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

// A JS number that must be a whole number in [lo, hi]; nullopt otherwise
// (NaN, fractions, out of range).
std::optional<long long> to_whole(double x, long long lo, long long hi) {
  if (!std::isfinite(x) || std::floor(x) != x) return std::nullopt;
  if (x < static_cast<double>(lo) || x > static_cast<double>(hi)) return std::nullopt;
  return static_cast<long long>(x);
}

std::string arg_error(const std::string& msg) { return mm::Diagnostic{"", 0, 0, msg}.str(); }

constexpr long long kMaxPfn = 1LL << 52;

// A gfp string as the kernel prints it; errors name the input "gfp" so they
// read "gfp:1:5: error: unknown gfp flag 'GFP_KERNAL' (did you mean GFP_KERNEL?)".
mm::Expected<mm::gfp_t> gfp_of(const std::string& text) {
  auto g = mm::parse_gfp(text);
  if (g) return g;
  mm::Diagnostic d = g.diag();
  if (d.file.empty()) d.file = "gfp";
  return d;
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

std::string hex_addr(mm::u64 a) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, static_cast<std::uint64_t>(a));
  return buf;
}

// Field `key` of a plain JS object, or `fallback` when absent (undefined or
// null). Reading never throws: a wrong type is reported through `bad`.
std::string field_string(const val& obj, const char* key, const char* fallback, bool& bad) {
  const val v = obj[key];
  if (v.isUndefined() || v.isNull()) return fallback;
  if (v.typeOf().as<std::string>() != "string") {
    bad = true;
    return fallback;
  }
  return v.as<std::string>();
}

double field_number(const val& obj, const char* key, double fallback, bool& bad) {
  const val v = obj[key];
  if (v.isUndefined() || v.isNull()) return fallback;
  if (v.typeOf().as<std::string>() != "number") {
    bad = true;
    return fallback;
  }
  return v.as<double>();
}

StatusResult status_error(const std::string& msg) { return {false, msg}; }

}  // namespace

StatusResult to_status_result(const mm::Status& s) {
  if (s) return {true, {}};
  return {false, s.diag().str()};
}

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

// One event as a plain JS object (schema: MmEvent in mm-engine.d.ts). The
// named arguments go in `args` by their catalogue names: numbers as numbers,
// strings (Str) as strings, and the types only the engine can show (gfp
// masks, ALLOC_* flags, 64-bit kernel addresses) already formatted.
val to_js(const mm::Event& e, const mm::Trace& t) {
  val o = val::object();
  o.set("seq", static_cast<double>(e.seq));
  o.set("depth", static_cast<int>(e.depth));
  o.set("kind", std::string(kind_name(e.kind)));
  o.set("code", std::string(e.spec().code));
  o.set("fn", std::string(e.function()));
  o.set("node", static_cast<int>(e.node));
  o.set("zone", static_cast<int>(e.zone));
  o.set("mt", static_cast<int>(e.mt));
  o.set("order", static_cast<int>(e.order));
  o.set("cpu", static_cast<int>(e.cpu));
  o.set("pfn", e.pfn == ~mm::Pfn{0} ? -1.0 : static_cast<double>(e.pfn));
  val args = val::object();
  const mm::EventSpec& s = e.spec();
  for (unsigned i = 0; i < s.nargs; ++i) {
    const mm::Arg a = s.args[i];
    if (mm::is_identity(a)) continue;
    const mm::ArgInfo& info = mm::kArgInfo[static_cast<unsigned>(a)];
    const std::string name(info.name);
    switch (info.type) {
      case mm::ArgType::kStr:
      case mm::ArgType::kGfp:
      case mm::ArgType::kAllocFlags:
      case mm::ArgType::kSlabFlags:
      case mm::ArgType::kAddr: args.set(name, mm::format_arg(e, a, t, mm::Lang::en)); break;
      default: args.set(name, static_cast<double>(e.get(a))); break;
    }
  }
  o.set("args", args);
  return o;
}

std::string Engine::catalogue() const { return mm::catalogue_json(); }

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

double Engine::event_count() const { return pg_.booted() ? static_cast<double>(pg_.events().size()) : 0.0; }

val Engine::events(double start, double count) const {
  if (!pg_.booted()) return val::array();
  const auto& all = pg_.events();
  const std::size_t from = std::min(to_size(start), all.size());
  const std::size_t n = std::min(to_size(count), all.size() - from);
  val out = val::array();
  for (std::size_t i = 0; i < n; ++i) out.set(static_cast<unsigned>(i), to_js(all[from + i], *pg_.trace()));
  return out;
}

val Engine::check() const {
  if (!pg_.booted()) return val::array();
  return to_js_strings(pg_.check());
}

double Engine::frame_count() const { return pg_.booted() ? static_cast<double>(pg_.frame_count()) : 0.0; }

val Engine::frame_state_view() const {
  const std::uint8_t* p = pg_.booted() ? pg_.frame_state() : nullptr;
  const std::size_t n = p ? pg_.frame_count() : 0;
  return val(emscripten::typed_memory_view(n, p));
}

val Engine::run_scenario(const std::string& text) {
  val out = val::object();
  val failures = val::array();
  auto r = pg_.run_scenario(text, "scenario");
  if (!r) {
    const mm::Diagnostic& d = r.diag();
    out.set("ok", false);
    out.set("ran", false);
    out.set("output", std::string());
    out.set("failures", failures);
    out.set("passed", 0);
    out.set("failed", 0);
    out.set("error", d.str());
    out.set("line", d.line);
    out.set("col", d.col);
    return out;
  }
  unsigned i = 0;
  for (const mm::Diagnostic& d : r->failures) {
    val f = val::object();
    f.set("line", d.line);
    f.set("col", d.col);
    f.set("message", d.message);
    f.set("text", d.str());
    failures.set(i++, f);
  }
  out.set("ok", r->ok());
  out.set("ran", true);
  out.set("output", r->output);
  out.set("failures", failures);
  out.set("passed", r->expects_passed);
  out.set("failed", r->expects_failed);
  out.set("error", std::string());
  out.set("line", 0);
  out.set("col", 0);
  return out;
}

AllocResult Engine::alloc_pages(const val& req) {
  AllocResult res;
  const bool is_object = !req.isNull() && req.typeOf().as<std::string>() == "object";
  if (!is_object) {
    res.error = arg_error("allocPages takes an object {gfp, order, cpu, node}");
    return res;
  }
  bool bad = false;
  const std::string gfp_text = field_string(req, "gfp", "GFP_KERNEL", bad);
  const double order = field_number(req, "order", 0, bad);
  const double cpu = field_number(req, "cpu", 0, bad);
  const double node = field_number(req, "node", -1, bad);
  if (bad) {
    res.error = arg_error("allocPages: gfp is a string; order, cpu and node are numbers");
    return res;
  }
  auto g = gfp_of(gfp_text);
  if (!g) {
    res.error = g.diag().str();
    return res;
  }
  const auto o = to_whole(order, 0, 1000);
  const auto c = to_whole(cpu, 0, 1 << 20);
  const auto n = to_whole(node, -1, 1 << 20);
  if (!o)
    res.error = arg_error("order must be a whole number from 0 to " + std::to_string(mm::MAX_ORDER - 1));
  else if (!c)
    res.error = arg_error("cpu must be a whole number from 0");
  else if (!n)
    res.error = arg_error("node must be a whole number from 0 (or -1: the CPU's node)");
  if (!res.error.empty()) return res;

  mm::AllocRequest r;
  r.gfp = *g;
  r.order = static_cast<mm::Order>(*o);
  r.cpu = static_cast<int>(*c);
  r.nid = static_cast<int>(*n);
  auto a = pg_.alloc_pages(r);
  if (!a) {
    res.error = a.diag().str();
    return res;
  }
  res.ok = a->ok;
  res.order = static_cast<int>(a->order);
  if (a->ok) {
    res.pfn = static_cast<double>(a->pfn);
    res.node = a->zone.node;
    res.zone = std::string(mm::kZoneNames[mm::idx(a->zone.zone)]);
  } else {
    res.order = static_cast<int>(r.order);
    res.failure = mm::failure_text(*a, mm::Lang::en);
    if (res.failure.empty()) res.failure = "page allocation failure";
    res.reason = std::string(mm::kAllocFailureCodes[static_cast<unsigned>(a->reason)]);
  }
  return res;
}

StatusResult Engine::free_pages(double pfn, double order, double cpu) {
  const auto p = to_whole(pfn, 0, kMaxPfn);
  const auto o = to_whole(order, 0, 1000);
  const auto c = to_whole(cpu, 0, 1 << 20);
  if (!p) return status_error(arg_error("pfn must be a whole number from 0"));
  if (!o) return status_error(arg_error("order must be a whole number from 0"));
  if (!c) return status_error(arg_error("cpu must be a whole number from 0"));
  return to_status_result(pg_.free_pages(static_cast<mm::Pfn>(*p), static_cast<mm::Order>(*o), static_cast<int>(*c)));
}

StatusResult Engine::free_block(double pfn, double cpu) {
  const auto p = to_whole(pfn, 0, kMaxPfn);
  const auto c = to_whole(cpu, 0, 1 << 20);
  if (!p) return status_error(arg_error("pfn must be a whole number from 0"));
  if (!c) return status_error(arg_error("cpu must be a whole number from 0"));
  return to_status_result(pg_.free_block(static_cast<mm::Pfn>(*p), static_cast<int>(*c)));
}

StatusResult Engine::drain(double cpu) {
  const auto c = to_whole(cpu, -1, 1 << 20);
  if (!c) return status_error(arg_error("cpu must be a whole number from 0, or -1 for every CPU"));
  return to_status_result(pg_.drain(static_cast<int>(*c)));
}

// ---- timeline -------------------------------------------------------------------

val Engine::timeline() const {
  val out = val::array();
  unsigned i = 0;
  for (const auto& op : pg_.timeline()) {
    val o = val::object();
    o.set("label", op.label);
    o.set("events", static_cast<double>(op.events));
    out.set(i++, o);
  }
  return out;
}

val Engine::cursor() const {
  const auto c = pg_.cursor();
  val o = val::object();
  o.set("op", static_cast<double>(c.op));
  o.set("pos", static_cast<double>(c.pos));
  o.set("atEnd", c.at_end);
  return o;
}

StatusResult Engine::seek(double op, double pos) {
  if (!(op >= 0) || !(pos >= 0)) return status_error("seek: op and pos must be numbers >= 0");
  return to_status_result(pg_.seek(to_size(op), to_size(pos)));
}

val Engine::op_events(double op, double start, double count) const {
  val out = val::array();
  if (!(op >= 0)) return out;
  const mm::Trace* t = pg_.op_trace(to_size(op));
  if (!t) return out;
  unsigned i = 0;
  for (const mm::Event& e : pg_.op_events(to_size(op), to_size(start), to_size(count))) out.set(i++, to_js(e, *t));
  return out;
}

val Engine::narrate(double op, double start, double count, const std::string& lang) const {
  val out = val::array();
  if (!(op >= 0) || (lang != "en" && lang != "zh")) return out;
  const mm::Trace* t = pg_.op_trace(to_size(op));
  if (!t) return out;
  const mm::Lang l = lang == "zh" ? mm::Lang::zh : mm::Lang::en;
  unsigned i = 0;
  for (const mm::Event& e : pg_.op_events(to_size(op), to_size(start), to_size(count)))
    out.set(i++, e.kind == mm::EventKind::End ? std::string() : mm::narrate(e, *t, l));
  return out;
}

// ---- views of the machine at the cursor ----------------------------------------------

val Engine::map_cells() {
  const mm::Machine* m = pg_.view();
  if (m)
    mm::map_cells(*m, cells_);
  else
    cells_.clear();
  return val(emscripten::typed_memory_view(cells_.size(), cells_.data()));
}

val Engine::pageblock_view() const {
  const mm::Machine* m = pg_.view();
  if (!m) return val(emscripten::typed_memory_view(std::size_t{0}, static_cast<const std::uint8_t*>(nullptr)));
  return val(emscripten::typed_memory_view(m->mem.pageblock_mt.size(), m->mem.pageblock_mt.data()));
}

std::string Engine::state_json() const {
  const mm::Machine* m = pg_.view();
  return m ? mm::state_json(*m) : std::string(R"({"booted":false})");
}

std::string Engine::frame_info_json(double pfn) const {
  const mm::Machine* m = pg_.view();
  if (!m) return R"({"ok":false,"error":"no machine at the cursor"})";
  if (!(pfn >= 0)) return R"({"ok":false,"error":"pfn must be a number >= 0"})";
  return mm::frame_info_json(*m, static_cast<mm::u64>(pfn));
}

ProcResult Engine::slab_detail(const std::string& cache) const {
  const mm::Machine* m = pg_.view();
  ProcResult r;
  if (!m) {
    r.error = "error: no machine at the cursor";
    return r;
  }
  auto j = mm::cache_detail_json(*m, cache);
  r.ok = static_cast<bool>(j);
  if (r.ok)
    r.text = *j;
  else
    r.error = j.diag().str();
  return r;
}

val Engine::free_blocks(double node, double zone, double order, double mt, double limit) const {
  val out = val::array();
  const mm::Machine* m = pg_.view();
  if (!m || !(node >= 0) || !(zone >= 0) || !(order >= 0) || !(mt >= 0) || !(limit >= 0)) return out;
  unsigned i = 0;
  for (mm::Pfn p : mm::free_blocks(*m, static_cast<int>(node), static_cast<int>(zone), static_cast<int>(order),
                                   static_cast<int>(mt), to_size(limit)))
    out.set(i++, static_cast<double>(p));
  return out;
}

StatusResult Engine::undo() {
  if (!pg_.undo()) return status_error("nothing to undo");
  return {true, {}};
}

StatusResult Engine::redo() {
  if (!pg_.redo()) return status_error("nothing to redo");
  return {true, {}};
}

emscripten::val Engine::history() const {
  emscripten::val out = emscripten::val::array();
  for (const std::string& h : pg_.history()) out.call<void>("push", h);
  return out;
}

double Engine::redo_depth() const { return static_cast<double>(pg_.redo_depth()); }

ProcResult Engine::oom_replay(const std::string& log) const {
  auto r = pg_.oom_replay(log, "log");
  if (!r) return {false, {}, r.diag().str()};
  return {true, *r, {}};
}

namespace {

KmallocResult to_kmalloc_result(const mm::Playground& pg, const mm::Expected<mm::KmallocOutcome>& k) {
  KmallocResult res;
  if (!k) {
    res.error = k.diag().str();
    return res;
  }
  res.ok = k->ok;
  if (!k->ok) {
    res.failure = k->failure.empty() ? std::string("kmalloc failed") : k->failure;
    return res;
  }
  res.addr = hex_addr(k->addr);
  res.pfn = static_cast<double>(k->pfn);
  res.index = static_cast<int>(k->index);
  if (k->cache != mm::NO_CACHE && pg.machine()) {
    if (const mm::KmemCache* c = mm::cache_of(*pg.machine(), k->cache)) res.cache = c->name;
  }
  return res;
}

}  // namespace

KmallocResult Engine::kmalloc(double size, const std::string& gfp, double cpu) {
  KmallocResult res;
  const auto s = to_whole(size, 0, kMaxPfn);
  const auto c = to_whole(cpu, 0, 1 << 20);
  if (!s)
    res.error = arg_error("size must be a whole number of bytes");
  else if (!c)
    res.error = arg_error("cpu must be a whole number from 0");
  if (!res.error.empty()) return res;
  auto g = gfp_of(gfp);
  if (!g) {
    res.error = g.diag().str();
    return res;
  }
  return to_kmalloc_result(pg_, pg_.kmalloc(static_cast<mm::u64>(*s), *g, static_cast<int>(*c)));
}

StatusResult Engine::kfree(const std::string& addr, double cpu) {
  const auto a = parse_addr(addr);
  const auto c = to_whole(cpu, 0, 1 << 20);
  if (!a) return status_error(arg_error("bad address '" + addr + "' (hex 0x... or decimal)"));
  if (!c) return status_error(arg_error("cpu must be a whole number from 0"));
  return to_status_result(pg_.kfree(*a, static_cast<int>(*c)));
}

StatusResult Engine::kmem_cache_create(const std::string& name, double size, double align, const std::string& flags) {
  const auto s = to_whole(size, 1, 1LL << 32);
  const auto a = to_whole(align, 0, 1LL << 31);
  if (!s) return status_error(arg_error("size must be a whole number of bytes from 1"));
  if (!a) return status_error(arg_error("align must be a whole number from 0"));
  mm::u32 f = 0;
  if (!flags.empty()) {
    auto pf = mm::parse_slab_flags(flags);
    if (!pf) {
      mm::Diagnostic d = pf.diag();
      if (d.file.empty()) d.file = "flags";
      return status_error(d.str());
    }
    f = *pf;
  }
  auto r = pg_.kmem_cache_create(name, static_cast<mm::u32>(*s), static_cast<mm::u32>(*a), f);
  if (!r) return status_error(r.diag().str());
  return {true, {}};
}

KmallocResult Engine::kmem_cache_alloc(const std::string& cache, const std::string& gfp, double cpu) {
  KmallocResult res;
  const auto c = to_whole(cpu, 0, 1 << 20);
  if (!c) {
    res.error = arg_error("cpu must be a whole number from 0");
    return res;
  }
  auto g = gfp_of(gfp);
  if (!g) {
    res.error = g.diag().str();
    return res;
  }
  return to_kmalloc_result(pg_, pg_.kmem_cache_alloc(cache, *g, static_cast<int>(*c)));
}

StatusResult Engine::kmem_cache_free(const std::string& cache, const std::string& addr, double cpu) {
  const auto a = parse_addr(addr);
  const auto c = to_whole(cpu, 0, 1 << 20);
  if (!a) return status_error(arg_error("bad address '" + addr + "' (hex 0x... or decimal)"));
  if (!c) return status_error(arg_error("cpu must be a whole number from 0"));
  return to_status_result(pg_.kmem_cache_free(cache, *a, static_cast<int>(*c)));
}

StatusResult Engine::kmem_cache_destroy(const std::string& cache) {
  return to_status_result(pg_.kmem_cache_destroy(cache));
}

StatusResult Engine::kmem_cache_shrink(const std::string& cache) {
  return to_status_result(pg_.kmem_cache_shrink(cache));
}

ProcResult Engine::slab_view(const std::string& cache) const {
  auto r = pg_.slab_view(cache);
  if (!r) return {false, {}, r.diag().str()};
  return {true, *r, {}};
}

}  // namespace mmwasm
