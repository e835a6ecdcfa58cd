// The playground's operations (each one an undo step: history.h) and its
// reads of the machine at the cursor (timeline.cpp).
#include "session/playground.h"

#include <algorithm>

#include "mm/boot/boot.h"
#include "mm/core/machine.h"
#include "mm/pressure/task.h"
#include "session/compare.h"
#include "session/history.h"
#include "session/scenario.h"
#include "text/format/proc.h"
#include "text/format/slabinfo.h"
#include "text/format/views.h"
#include "text/parse/dmesg.h"
#include "text/parse/oom_replay.h"
#include "text/parse/shorthand.h"
#include "text/scenario/suggest.h"

namespace mm {

Playground::Playground() = default;
Playground::~Playground() = default;
Playground::Playground(Playground&&) noexcept = default;
Playground& Playground::operator=(Playground&&) noexcept = default;

Status Playground::boot_plan(const BootPlan& plan, bool trace) {
  // A replay resuming this boot from a checkpoint goes on with its machine.
  if (machine_ && resuming(*machine_, ResumeLoop::BootOps)) return boot_continue(*machine_, plan);
  auto m = boot(plan, trace, {}, [this](Machine& fresh) {
    fresh.units.p = units_hook_;
    watch_replay(fresh);
  });
  if (!m) return m.diag();
  machine_ = std::move(m.value());
  ++boots_;
  session_.reset();  // names of pages and objects of the machine it replaced
  return {};
}

Status Playground::boot_shorthand(std::string_view spec, std::string_view source, BootOptions opt) {
  auto s = parse_shorthand(spec);
  if (!s) {
    Diagnostic d = s.diag();
    d.file = std::string(source);
    return d;
  }
  Status booted = boot_spec(*s, spec, opt);
  if (!booted && booted.diag().line == 0) {
    // A machine the boot itself cannot bring up (too small for its nodes,
    // no memory left for a table): the whole description is at fault.
    Diagnostic d = booted.diag();
    d.file = std::string(source);
    d.line = 1;
    d.col = 1;
    return d;
  }
  return booted;
}

Status Playground::boot_spec(const MachineSpec& spec, std::string_view text, BootOptions opt) {
  const bool trace = opt.trace;
  return recorded("boot " + std::string(text),
                  [plan = plan_from_spec(spec), trace](Playground& p) { return p.boot_plan(plan, trace); });
}

Status Playground::boot_dmesg(std::string_view text, std::string_view source, BootOptions opt) {
  auto plan = plan_from_dmesg(text, source);
  if (!plan) return plan.diag();
  const bool trace = opt.trace;
  return recorded("boot dmesg " + std::string(source),
                  [plan = std::move(*plan), trace](Playground& p) { return p.boot_plan(plan, trace); });
}

Expected<std::string> Playground::oom_replay(std::string_view log, std::string_view source) const {
  return mm::oom_replay(log, source);
}

Expected<std::string> Playground::compare_kernels(std::string_view spec, std::string_view source) const {
  auto s = parse_shorthand(spec);
  if (!s) {
    Diagnostic d = s.diag();
    d.file = std::string(source);
    return d;
  }
  auto diffs = mm::compare_kernels(*s);
  if (!diffs) return diffs.diag();
  return kernel_differences_json(*diffs);
}

const std::vector<std::string_view>& Playground::proc_names() {
  static const std::vector<std::string_view> names(kProcViewNames.begin(), kProcViewNames.end());
  return names;
}

Status Playground::proc(std::string_view name, std::string& out) const {
  if (!view()) return Diagnostic{"", 0, 0, "no machine has booted yet"};
  if (name == "kmem_f") return proc(ProcView::kmem_f, out);
  if (auto v = lookup<ProcView>(kProcViewNames, name)) return proc(*v, out);
  return Diagnostic{"", 0, 0, unknown_word("/proc view", name, kProcViewNames, "/proc views")};
}

Status Playground::proc(ProcView which, std::string& out) const {
  const Machine* m = view();
  if (!m) return Diagnostic{"", 0, 0, "no machine has booted yet"};
  switch (which) {
    case ProcView::zoneinfo: out = proc_zoneinfo(*m); break;
    case ProcView::buddyinfo: out = proc_buddyinfo(*m); break;
    case ProcView::pagetypeinfo: out = proc_pagetypeinfo(*m); break;
    case ProcView::memblock: out = proc_memblock(*m); break;
    case ProcView::kmem_f: out = proc_kmem_f(*m); break;
    case ProcView::meminfo: out = proc_meminfo(*m); break;
    case ProcView::tasks: out = proc_tasks(*m); break;
    case ProcView::slabinfo: out = proc_slabinfo(*m); break;
  }
  return {};
}

std::string Playground::boot_log() const {
  std::string s;
  const Machine* m = view();
  if (!m) return s;
  for (const std::string& l : m->log) s += l + '\n';
  return s;
}

std::span<const Event> Playground::events() const {
  const Machine* m = view();
  return m ? m->trace.events() : std::span<const Event>{};
}

std::vector<std::string> Playground::check() const {
  const Machine* m = view();
  if (!m) return {};
  return check_invariants(*m);
}

namespace {
Diagnostic not_booted() { return Diagnostic{"", 0, 0, "no machine has booted yet"}; }
}  // namespace

namespace {

// A statement's own text (its line, trimmed): the operation's label.
std::string line_text(std::string_view text, int line) {
  std::size_t at = 0;
  for (int l = 1; l < line && at <= text.size(); ++l) {
    const std::size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) return {};
    at = nl + 1;
  }
  std::string_view s = text.substr(std::min(at, text.size()));
  s = s.substr(0, s.find('\n'));
  const std::size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  const std::size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

void merge(ScenarioResult& into, ScenarioResult&& one) {
  into.output += one.output;
  for (Diagnostic& d : one.failures) into.failures.push_back(std::move(d));
  into.expects_passed += one.expects_passed;
  into.expects_failed += one.expects_failed;
  into.violations += one.violations;
}
}  // namespace

Expected<ScenarioResult> Playground::run_scenario(std::string_view text, std::string_view source) {
  return run_statements(text, source, false);
}

Expected<ScenarioResult> Playground::run_command(std::string_view text, std::string_view source) {
  return run_statements(text, source, true);
}

Expected<ScenarioResult> Playground::run_statements(std::string_view text, std::string_view source,
                                                    bool all_or_nothing) {
  settle_cursor();
  auto sc = parse_scenario(text, source, booted());
  if (!sc) return sc.diag();
  ScenarioResult r;
  const std::size_t depth_before = undo_.size();
  const std::size_t dropped_before = dropped_ops_;
  group_ = ++groups_;
  const std::string src(sc->source);
  for (const Statement& st : sc->stmts) {
    if (only_looks(st)) {
      SessionState state = session_ ? *session_ : SessionState{};
      ScenarioResult one;
      const bool went_on = static_cast<bool>(run_statement(*this, st, state, one, RunContext{src, nullptr, true}));
      const bool failed = !one.ok();
      merge(r, std::move(one));
      if (!went_on || (all_or_nothing && failed)) break;
      continue;
    }
    // Each statement that can change the machine is an operation of its
    // own; one that fails leaves nothing (recorded() puts everything back).
    auto failed = std::make_shared<std::optional<ScenarioResult>>();
    auto run = [st, src, opts = boot_options_, failed](Playground& p) -> std::optional<ScenarioResult> {
      p.boot_options_ = opts;  // a replay boots the scenario's machine as the run did
      SessionState state = p.session_ ? *p.session_ : SessionState{};
      p.live_session_ = &state;
      // Invariants are checked on the live run only (a replay reruns the
      // same statement and cannot diverge). No files: paste a dmesg instead.
      ScenarioResult one;
      const bool went_on = static_cast<bool>(run_statement(p, st, state, one, RunContext{src, nullptr, p.recording_}));
      p.live_session_ = nullptr;
      if (!went_on || !one.ok()) {
        *failed = std::move(one);
        return std::optional<ScenarioResult>{};
      }
      p.session_ = std::make_shared<const SessionState>(std::move(state));
      return std::optional<ScenarioResult>(std::move(one));
    };
    auto one = recorded(line_text(text, position(st).line), std::move(run));
    if (one) {
      merge(r, std::move(*one));
      ++r.operations;
      continue;
    }
    if (failed->has_value()) merge(r, std::move(**failed));
    if (all_or_nothing) {
      // A command box entry is all or nothing: what its earlier statements did goes too.
      bool undid = false;
      while (undo_.size() > depth_before && dropped_ops_ == dropped_before) undid = undo();
      if (undid) redo_.clear();
      r.operations = 0;
      break;
    }
    if (std::holds_alternative<stmt::Machine>(st) || std::holds_alternative<stmt::Dmesg>(st))
      break;  // no machine to go on with
  }
  group_ = 0;
  return r;
}

Expected<AllocOutcome> Playground::alloc_pages(const AllocRequest& r) {
  settle_cursor();
  if (!machine_) return not_booted();
  return recorded("alloc_pages(" + format_gfp(r.gfp) + ", " + std::to_string(r.order) + ")",
                  [r](Playground& p) { return mm::alloc_pages(*p.machine_, r); });
}

// A free by pfn: the session's names forget the block (SessionState::forget_block).
Status Playground::free_by_pfn(Pfn pfn, Order order, int cpu) {
  return recorded("free_pages(pfn " + std::to_string(pfn) + ", " + std::to_string(order) + ")", [=](Playground& p) {
    Status s = mm::free_pages(*p.machine_, pfn, order, cpu);
    if (s && p.session_) {
      SessionState names = *p.session_;
      if (names.forget_block(pfn)) p.session_ = std::make_shared<const SessionState>(std::move(names));
    }
    return s;
  });
}

Status Playground::free_pages(Pfn pfn, Order order, int cpu) {
  settle_cursor();
  if (!machine_) return not_booted();
  // As a click: a block someone else keeps books on is theirs to free.
  std::string why;
  if (pfn < machine_->mem.nr && machine_->mem.st(pfn) == FrameState::Alloc && !frame_freeable(*machine_, pfn, &why))
    return Diagnostic{"", 0, 0, "free_pages: " + why};
  return free_by_pfn(pfn, order, cpu);
}

Status Playground::free_block(Pfn pfn, int cpu) {
  settle_cursor();
  if (!machine_) return not_booted();
  // A block someone else keeps books on (a slab, a task's pages, page
  // tables) is theirs to free: freeing it here would corrupt them.
  std::string why;
  if (pfn < machine_->mem.nr && machine_->mem.st(pfn) == FrameState::Alloc && !frame_freeable(*machine_, pfn, &why))
    return Diagnostic{"", 0, 0, why};
  const Order order = pfn < machine_->mem.nr ? machine_->mem.order_of(pfn) : 0;
  return free_by_pfn(pfn, order, cpu);
}

Status Playground::drain(int cpu) {
  settle_cursor();
  if (!machine_) return not_booted();
  if (cpu >= 0 && static_cast<unsigned>(cpu) >= machine_->nr_cpus)
    return Diagnostic{"", 0, 0, "drain: no CPU " + std::to_string(cpu)};
  return recorded(cpu < 0 ? "drain_all_pages" : "drain_local_pages(cpu " + std::to_string(cpu) + ")",
                  [cpu](Playground& p) {
                    if (cpu < 0)
                      drain_all_pages(*p.machine_);
                    else
                      drain_local_pages(*p.machine_, cpu);
                    return Status{};
                  });
}

// The per-frame bytes live in shared chunks (CowArray); the page reads one
// flat array, refreshed chunk by chunk where the state on screen changed.
const std::uint8_t* Playground::frame_state() const {
  const Machine* m = view();
  // Above 16 GiB a flat copy would be as large as the machine's frames:
  // the map's cells (views.h) are the way to look at such a machine.
  if (!m || m->mem.nr > kMaxMapCells) return nullptr;
  m->mem.export_states(exported_state_, frame_bytes_);
  return frame_bytes_.data();
}
std::size_t Playground::frame_count() const { return view() ? view()->mem.nr : 0; }

// ---- SLUB hook: thin wrappers over mm/slub.h ----------------------------------

namespace {
Expected<u32> cache_named(const Machine& m, std::string_view name) {
  if (!m.slub) return Diagnostic{"", 0, 0, "SLUB is not up yet"};
  if (auto id = find_cache(m, name)) return *id;
  return Diagnostic{"", 0, 0, "no slab cache named '" + std::string(name) + "'"};
}
}  // namespace

Expected<KmallocOutcome> Playground::kmalloc(u64 size, gfp_t g, int cpu) {
  settle_cursor();
  if (!machine_) return not_booted();
  return recorded("kmalloc(" + std::to_string(size) + ")",
                  [=](Playground& p) { return mm::kmalloc(*p.machine_, size, g, cpu); });
}

Status Playground::kfree(u64 addr, int cpu) {
  settle_cursor();
  if (!machine_) return not_booted();
  return recorded("kfree", [=](Playground& p) { return mm::kfree(*p.machine_, addr, cpu); });
}

Expected<u32> Playground::kmem_cache_create(std::string_view name, u32 size, u32 align, u32 flags) {
  settle_cursor();
  if (!machine_) return not_booted();
  return recorded("kmem_cache_create(" + std::string(name) + ")",
                  [n = std::string(name), size, align, flags](Playground& p) {
                    return mm::kmem_cache_create(*p.machine_, n, size, align, flags);
                  });
}

Expected<KmallocOutcome> Playground::kmem_cache_alloc(std::string_view cache, gfp_t g, int cpu) {
  settle_cursor();
  if (!machine_) return not_booted();
  auto id = cache_named(*machine_, cache);
  if (!id) return id.diag();
  return recorded("kmem_cache_alloc(" + std::string(cache) + ")",
                  [id = *id, g, cpu](Playground& p) { return mm::kmem_cache_alloc(*p.machine_, id, g, cpu); });
}

Status Playground::kmem_cache_free(std::string_view cache, u64 addr, int cpu) {
  settle_cursor();
  if (!machine_) return not_booted();
  auto id = cache_named(*machine_, cache);
  if (!id) return id.diag();
  return recorded("kmem_cache_free(" + std::string(cache) + ")",
                  [id = *id, addr, cpu](Playground& p) { return mm::kmem_cache_free(*p.machine_, id, addr, cpu); });
}

Status Playground::kmem_cache_destroy(std::string_view cache) {
  settle_cursor();
  if (!machine_) return not_booted();
  return recorded("kmem_cache_destroy(" + std::string(cache) + ")",
                  [c = std::string(cache)](Playground& p) { return mm::kmem_cache_destroy(*p.machine_, c); });
}

Status Playground::kmem_cache_shrink(std::string_view cache) {
  settle_cursor();
  if (!machine_) return not_booted();
  auto id = cache_named(*machine_, cache);
  if (!id) return id.diag();
  return recorded("kmem_cache_shrink(" + std::string(cache) + ")",
                  [id = *id](Playground& p) { return mm::kmem_cache_shrink(*p.machine_, id); });
}

Expected<std::string> Playground::slab_view(std::string_view cache) const {
  const Machine* m = view();
  if (!m) return not_booted();
  auto id = cache_named(*m, cache);
  if (!id) return id.diag();
  return mm::slab_view(*m, *id);
}

}  // namespace mm
