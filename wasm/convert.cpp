// Conversions from engine outcomes to results, and the views; see convert.h.
#include "convert.h"

#include "text/format/catalogue.h"
#include "text/format/narration.h"
#include "text/format/reasons.h"

#include "mm/core/machine.h"
#include "text/format/views.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>

using emscripten::val;

namespace mmwasm {

namespace {

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

std::string hex_addr(mm::u64 a) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, static_cast<std::uint64_t>(a));
  return buf;
}

}  // namespace

StatusResult status_of(const mm::Status& s) {
  if (s) return {true, {}};
  return {false, s.diag().str()};
}

TextResult text_of(const mm::Expected<std::string>& t) {
  if (!t) return {false, {}, t.diag().str()};
  return {true, t.value(), {}};
}

TextResult proc_of(const mm::Playground& pg, const std::string& name) {
  TextResult r;
  const mm::Status s = pg.proc(name, r.text);
  r.ok = static_cast<bool>(s);
  if (!r.ok) {
    r.text.clear();
    r.error = s.diag().str();
  }
  return r;
}

TextResult slab_detail_of(const mm::Playground& pg, const std::string& cache) {
  const mm::Machine* m = pg.view();
  if (!m) return {false, {}, "error: no machine at the cursor"};
  return text_of(mm::cache_detail_json(*m, cache));
}

AllocResult alloc_of(const mm::Expected<mm::AllocOutcome>& a, mm::Order asked) {
  AllocResult res;
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
    res.order = static_cast<int>(asked);
    res.failure = mm::failure_text(a.value(), mm::Lang::en);
    if (res.failure.empty()) res.failure = "page allocation failure";
    res.reason = std::string(mm::kAllocFailureCodes[static_cast<unsigned>(a->reason)]);
  }
  return res;
}

KmallocResult kmalloc_of(const mm::Playground& pg, const mm::Expected<mm::KmallocOutcome>& k) {
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

ScenarioResult scenario_of(const mm::Expected<mm::ScenarioResult>& r) {
  ScenarioResult out;
  if (!r) {
    const mm::Diagnostic& d = r.diag();
    out.error = d.str();
    out.line = d.line;
    out.col = d.col;
    return out;
  }
  unsigned i = 0;
  for (const mm::Diagnostic& d : r->failures) {
    val f = val::object();
    f.set("line", d.line);
    f.set("col", d.col);
    f.set("message", d.message);
    f.set("text", d.str());
    out.failures.set(i++, f);
  }
  out.ok = r->ok();
  out.ran = r->operations > 0;  // statements that only look put nothing on the timeline
  out.output = r->output;
  out.passed = r->expects_passed;
  out.failed = r->expects_failed;
  return out;
}

ScenarioResult command_of(const mm::Expected<mm::ScenarioResult>& r) {
  ScenarioResult out = scenario_of(r);
  if (r && !r->ok()) {
    const mm::Diagnostic& d = r->failures.front();
    out.ran = false;
    out.error = d.str();
    out.line = d.line;
    out.col = d.col;
  }
  return out;
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

// ---- timeline -------------------------------------------------------------------

val Engine::timeline() const {
  val out = val::array();
  unsigned i = 0;
  for (const auto& op : pg_.timeline()) {
    val o = val::object();
    o.set("label", op.label);
    o.set("events", static_cast<double>(op.events));
    o.set("group", static_cast<double>(op.group));
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
  // Operations the history let go of to stay in its memory budget.
  o.set("dropped", static_cast<double>(pg_.dropped_ops()));
  return o;
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

val Engine::op_crumbs(double op, double index) const {
  val out = val::array();
  if (!(op >= 0) || !(index >= 0)) return out;
  const mm::Trace* t = pg_.op_trace(to_size(op));
  if (!t) return out;
  unsigned i = 0;
  for (const mm::Event& e : pg_.op_crumbs(to_size(op), to_size(index))) out.set(i++, to_js(e, *t));
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
    out.set(i++, mm::narrate(e, *t, l));  // an End record too: its phase returns
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

double Engine::map_shift() const {
  const mm::Machine* m = pg_.view();
  return m ? static_cast<double>(mm::map_shift(m->mem.nr)) : 0.0;
}

val Engine::map_cells_range(double first, double count) {
  const mm::Machine* m = pg_.view();
  window_cells_.clear();
  if (m && first >= 0 && count >= 0 && first < 9.0e15 && count < 9.0e15)
    if (auto w = mm::map_cells_range(*m, static_cast<mm::u64>(first), static_cast<mm::u64>(count)))
      window_cells_ = std::move(*w);
  return val(emscripten::typed_memory_view(window_cells_.size(), window_cells_.data()));
}

val Engine::pageblock_view() const {
  const mm::Machine* m = pg_.view();
  if (!m) return val(emscripten::typed_memory_view(std::size_t{0}, static_cast<const std::uint8_t*>(nullptr)));
  pageblocks_ = m->mem.pageblock_mt.to_vector();
  return val(emscripten::typed_memory_view(pageblocks_.size(), pageblocks_.data()));
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

emscripten::val Engine::history() const {
  emscripten::val out = emscripten::val::array();
  for (const std::string& h : pg_.history()) out.call<void>("push", h);
  return out;
}

double Engine::redo_depth() const { return static_cast<double>(pg_.redo_depth()); }

}  // namespace mmwasm
