// The playground's operations (each one an undo step: history.h) and its
// reads of the machine at the cursor (timeline.cpp).
#include "session/playground.h"

#include <algorithm>

#include "mm/boot/boot.h"
#include "mm/core/machine.h"
#include "mm/pressure/task.h"
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
  auto m = boot(plan, trace, {}, [this](Machine& fresh) { watch_replay(fresh); });
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
  return boot_spec(*s, spec, opt);
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
// A one-statement scenario (the page's command box) is labelled by its
// statement; a longer one by its first statement and how many follow.
std::string scenario_label(std::string_view text, std::string_view source) {
  std::string first;
  std::size_t lines = 0;
  std::size_t at = 0;
  while (at <= text.size()) {
    std::size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(at, nl - at);
    const std::size_t b = line.find_first_not_of(" \t\r");
    if (b != std::string_view::npos && line[b] != '#') {
      if (++lines == 1) {
        first = std::string(line.substr(b));
        while (!first.empty() && (first.back() == ' ' || first.back() == '\r' || first.back() == '\t'))
          first.pop_back();
      }
    }
    at = nl + 1;
  }
  if (lines == 1) return first;
  return std::string(source) + ": " + first + " (+" + std::to_string(lines - 1) + " more)";
}
}  // namespace

Expected<ScenarioResult> Playground::run_scenario(std::string_view text, std::string_view source) {
  settle_cursor();
  auto sc = parse_scenario(text, source, booted());
  if (!sc) return sc.diag();
  // The run is recorded even when an expect failed: it may have changed
  // the machine all the same. Invariants are checked on the live run only
  // (a replay reruns the same statements and cannot diverge).
  auto run = [sc = std::move(*sc), opts = boot_options_](Playground& p) {
    p.boot_options_ = opts;  // a replay boots the scenario's machine as the run did
    auto no_files = [](const std::string&) -> std::optional<std::string> {
      return std::nullopt;  // the page has no file system; paste a dmesg instead
    };
    return std::optional<ScenarioResult>(mm::run_scenario(sc, no_files, p.recording_, &p));
  };
  return std::move(*recorded(scenario_label(text, source), std::move(run)));
}

Expected<ScenarioResult> Playground::run_command(std::string_view text, std::string_view source) {
  settle_cursor();
  auto sc = parse_scenario(text, source, booted());
  if (!sc) return sc.diag();
  // The failing run's result, for the caller: the operation itself reports
  // failure (nullopt), so that recorded() keeps nothing of it.
  auto failed = std::make_shared<std::optional<ScenarioResult>>();
  auto run = [sc = std::move(*sc), opts = boot_options_, failed](Playground& p) -> std::optional<ScenarioResult> {
    p.boot_options_ = opts;
    SessionState state = p.session_ ? *p.session_ : SessionState{};
    const RunContext ctx{sc.source, nullptr, p.recording_};  // no files: `dmesg PATH` cannot read here
    ScenarioResult r;
    for (const Statement& st : sc.stmts)
      if (!run_statement(p, st, state, r, ctx) || !r.ok()) break;
    if (!r.ok()) {
      *failed = std::move(r);
      return std::nullopt;
    }
    p.session_ = std::make_shared<const SessionState>(std::move(state));
    return r;
  };
  auto result = recorded(scenario_label(text, source), std::move(run));
  if (result) return std::move(*result);
  return failed->has_value() ? std::move(**failed) : ScenarioResult{};
}

Expected<AllocOutcome> Playground::alloc_pages(const AllocRequest& r) {
  settle_cursor();
  if (!machine_) return not_booted();
  return recorded("alloc_pages(" + format_gfp(r.gfp) + ", " + std::to_string(r.order) + ")",
                  [r](Playground& p) { return mm::alloc_pages(*p.machine_, r); });
}

Status Playground::free_pages(Pfn pfn, Order order, int cpu) {
  settle_cursor();
  if (!machine_) return not_booted();
  return recorded("free_pages(pfn " + std::to_string(pfn) + ", " + std::to_string(order) + ")",
                  [=](Playground& p) { return mm::free_pages(*p.machine_, pfn, order, cpu); });
}

Status Playground::free_block(Pfn pfn, int cpu) {
  settle_cursor();
  if (!machine_) return not_booted();
  // A block someone else keeps books on (a slab, a task's pages, page
  // tables) is theirs to free: freeing it here would corrupt them.
  std::string why;
  if (pfn < machine_->mem.nr && machine_->mem.state[pfn] == static_cast<std::uint8_t>(FrameState::Alloc) &&
      !frame_freeable(*machine_, pfn, &why))
    return Diagnostic{"", 0, 0, why};
  const Order order = pfn < machine_->mem.nr ? machine_->mem.order[pfn] : 0;
  return recorded("free_pages(pfn " + std::to_string(pfn) + ", " + std::to_string(order) + ")",
                  [=](Playground& p) { return mm::free_pages(*p.machine_, pfn, order, cpu); });
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
  if (!m) return nullptr;
  m->mem.state.export_changed(exported_state_, frame_bytes_);
  return frame_bytes_.data();
}
std::size_t Playground::frame_count() const { return view() ? view()->mem.state.size() : 0; }

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
