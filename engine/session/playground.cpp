#include "session/playground.h"

#include <algorithm>

#include "mm/boot/boot.h"
#include "text/parse/dmesg.h"
#include "text/parse/shorthand.h"
#include "mm/core/machine.h"
#include "text/parse/oom_replay.h"
#include "text/format/proc.h"
#include "mm/pressure/task.h"
#include "text/format/views.h"

namespace mm {

Playground::Playground() = default;
Playground::~Playground() = default;
Playground::Playground(Playground&&) noexcept = default;
Playground& Playground::operator=(Playground&&) noexcept = default;

// The state a replay captures: when the trace of `machine` is about to
// record event `fire_at`, the machine is copied (the state after every
// event before it).
struct Playground::ReplayTap final : TraceObserver {
  std::size_t fire_at = 0;
  const Machine* machine = nullptr;  // the machine whose events count
  std::unique_ptr<Machine>* into = nullptr;  // reused storage: copy-assigning keeps its buffers
  bool fired = false;

  // A scenario may boot several machines: each new one is watched instead
  // (boot_plan calls this), and a later capture replaces an earlier one.
  void watch(Machine& m) {
    machine = &m;
    m.trace.set_observer(this);
  }
  void before_record(const Trace&, std::size_t index) override {
    if (index != fire_at || !machine) return;
    copy_into(*into, *machine);
    fired = true;
  }
};

// Copies `from` into `to`, reusing `to`'s storage when it has some: a 4 GiB
// machine is ~20 MiB of arrays, and fresh allocations (page faults, wasm
// memory growth) cost more than the copy itself.
void Playground::copy_into(std::unique_ptr<Machine>& to, const Machine& from) {
  if (to) *to = from;
  else to = std::make_unique<Machine>(from);
}

std::unique_ptr<Machine> Playground::copy_machine() const {
  return machine_ ? std::make_unique<Machine>(*machine_) : nullptr;
}

void Playground::push_undo(Snapshot snap) {
  // Bound the memory snapshots take: about 20 bytes a page frame each,
  // 256 MiB in all (a 1G machine keeps 48 steps, a 16G one 3).
  const std::size_t frames = machine_ ? static_cast<std::size_t>(machine_->mem.nr) : 1;
  const std::size_t cap = std::max<std::size_t>(2, (256u << 20) / (frames * 20 + 1));
  undo_.push_back(std::move(snap));
  while (undo_.size() > cap) undo_.erase(undo_.begin());
  redo_.clear();
}

template <class Op>
auto Playground::recorded(std::string label, Op op) {
  if (nesting_ > 0 || !recording_) return op(*this);
  settle_cursor();
  const std::size_t first_if_same = machine_ ? machine_->trace.events().size() : 0;
  const u64 boots_before = boots_;
  auto before = copy_machine();
  ++nesting_;
  auto result = op(*this);
  --nesting_;
  if (static_cast<bool>(result)) {
    const std::size_t first = boots_ == boots_before ? first_if_same : 0;
    const std::size_t total = machine_ ? machine_->trace.events().size() : 0;
    Replay replay = [op](Playground& p) { (void)op(p); };
    push_undo({std::move(label), std::move(before), std::move(replay), first, total - std::min(first, total)});
  }
  return result;
}

void Playground::settle_cursor() {
  if (cursor_.at_end) return;
  // Keep the operation the cursor is inside (whole), unless the cursor is
  // at its very start; later operations are discarded as redo would be.
  const std::size_t keep = cursor_.pos == 0 ? cursor_.op : cursor_.op + 1;
  while (undo_.size() > keep && undo()) {
  }
  redo_.clear();
  seek_end();
}

bool Playground::undo() {
  if (undo_.empty()) return false;
  seek_end();
  Snapshot& s = undo_.back();
  redo_.push_back({s.label, std::move(machine_), std::move(s.replay), s.first, s.count});
  machine_ = std::move(s.machine);
  undo_.pop_back();
  return true;
}

bool Playground::redo() {
  if (redo_.empty()) return false;
  seek_end();
  Snapshot& s = redo_.back();
  undo_.push_back({s.label, std::move(machine_), std::move(s.replay), s.first, s.count});
  machine_ = std::move(s.machine);
  redo_.pop_back();
  return true;
}

std::vector<std::string> Playground::history() const {
  std::vector<std::string> v;
  for (const Snapshot& s : undo_) v.push_back(s.label);
  return v;
}

// ---- timeline and cursor ------------------------------------------------------

std::vector<Playground::TimelineOp> Playground::timeline() const {
  std::vector<TimelineOp> v;
  for (const Snapshot& s : undo_) v.push_back({s.label, s.count});
  return v;
}

Playground::Cursor Playground::cursor() const {
  if (cursor_.at_end && !undo_.empty()) return {undo_.size() - 1, undo_.back().count, true};
  return cursor_;
}

const Machine* Playground::after_op(std::size_t op) const {
  return op + 1 < undo_.size() ? undo_[op + 1].machine.get() : machine_.get();
}

void Playground::seek_end() {
  cursor_ = Cursor{};
  view_valid_ = false;
}

Status Playground::seek(std::size_t op, std::size_t pos) {
  if (op >= undo_.size()) {
    if (undo_.empty() && op == 0) return {};  // nothing recorded: the end is the only place
    return Diagnostic{"", 0, 0, "seek: there is no operation " + std::to_string(op) + " (the timeline has " +
                                    std::to_string(undo_.size()) + ")"};
  }
  const Snapshot& s = undo_[op];
  pos = std::min(pos, s.count);
  if (op + 1 == undo_.size() && pos == s.count) {
    seek_end();
    return {};
  }
  view_valid_ = false;
  cursor_ = Cursor{op, pos, false};
  if (pos == 0 || pos == s.count) return {};  // a kept snapshot shows it

  Playground scratch;
  scratch.recording_ = false;
  if (s.machine) {
    copy_into(spare_, *s.machine);
    scratch.machine_ = std::move(spare_);
  }
  ReplayTap tap;
  tap.fire_at = s.first + pos;
  tap.into = &view_;
  if (scratch.machine_) tap.watch(*scratch.machine_);
  scratch.tap_ = &tap;
  s.replay(scratch);
  if (scratch.machine_) scratch.machine_->trace.set_observer(nullptr);
  spare_ = std::move(scratch.machine_);  // keep the buffers for the next seek
  // A tap that never fired would mean the replay diverged from the record.
  if (!tap.fired) copy_into(view_, *after_op(op));
  view_valid_ = true;
  return {};
}

const Machine* Playground::view() const {
  if (cursor_.at_end) return machine_.get();
  if (view_valid_) return view_.get();
  return cursor_.pos == 0 ? undo_[cursor_.op].machine.get() : after_op(cursor_.op);
}

std::vector<Event> Playground::op_events(std::size_t op, std::size_t start, std::size_t count) const {
  if (op >= undo_.size()) return {};
  const Snapshot& s = undo_[op];
  const Machine* after = after_op(op);
  if (!after) return {};
  const auto& all = after->trace.events();
  start = std::min(start, s.count);
  count = std::min(count, s.count - start);
  const std::size_t from = std::min(s.first + start, all.size());
  const std::size_t to = std::min(from + count, all.size());
  return {all.begin() + static_cast<std::ptrdiff_t>(from), all.begin() + static_cast<std::ptrdiff_t>(to)};
}

const Trace* Playground::op_trace(std::size_t op) const {
  const Machine* after = op < undo_.size() ? after_op(op) : nullptr;
  return after ? &after->trace : nullptr;
}

const Trace* Playground::trace() const {
  const Machine* m = view();
  return m ? &m->trace : nullptr;
}

Status Playground::boot_plan(const BootPlan& plan, bool trace) {
  ReplayTap* tap = tap_;
  auto m = boot(plan, trace, {}, [tap](Machine& fresh) {
    if (tap) tap->watch(fresh);
  });
  if (!m) return m.diag();
  machine_ = std::move(m.value());
  ++boots_;
  return {};
}

Status Playground::boot_shorthand(std::string_view spec, std::string_view source, BootOptions opt) {
  auto s = parse_shorthand(spec);
  if (!s) {
    Diagnostic d = s.diag();
    d.file = std::string(source);
    return d;
  }
  const bool trace = opt.trace;
  return recorded("boot " + std::string(spec),
                  [plan = plan_from_spec(*s), trace](Playground& p) { return p.boot_plan(plan, trace); });
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
  static const std::vector<std::string_view> names = {"zoneinfo", "buddyinfo", "pagetypeinfo", "memblock", "kmem-f",
                                                      "meminfo", "tasks", "slabinfo"};
  return names;
}

Status Playground::proc(std::string_view name, std::string& out) const {
  const Machine* m = view();
  if (!m) return Diagnostic{"", 0, 0, "no machine has booted yet"};
  if (name == "zoneinfo") out = proc_zoneinfo(*m);
  else if (name == "buddyinfo") out = proc_buddyinfo(*m);
  else if (name == "pagetypeinfo") out = proc_pagetypeinfo(*m);
  else if (name == "memblock") out = proc_memblock(*m);
  else if (name == "kmem-f" || name == "kmem_f") out = proc_kmem_f(*m);
  else if (name == "meminfo") out = proc_meminfo(*m);
  else if (name == "tasks") out = proc_tasks(*m);
  else if (name == "slabinfo") out = proc_slabinfo(*m);  // SLUB hook
  else {
    std::string known;
    for (std::string_view n : proc_names()) known += " " + std::string(n);
    return Diagnostic{"", 0, 0, "unknown /proc view '" + std::string(name) + "' (known:" + known + ")"};
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

const std::vector<Event>& Playground::events() const {
  static const std::vector<Event> none;
  const Machine* m = view();
  return m ? m->trace.events() : none;
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
        while (!first.empty() && (first.back() == ' ' || first.back() == '\r' || first.back() == '\t')) first.pop_back();
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
  return recorded(cpu < 0 ? "drain_all_pages" : "drain_local_pages(cpu " + std::to_string(cpu) + ")", [cpu](Playground& p) {
    if (cpu < 0) drain_all_pages(*p.machine_);
    else drain_local_pages(*p.machine_, cpu);
    return Status{};
  });
}

const std::uint8_t* Playground::frame_state() const { return view() ? view()->mem.state.data() : nullptr; }
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
  return recorded("kmalloc(" + std::to_string(size) + ")", [=](Playground& p) { return mm::kmalloc(*p.machine_, size, g, cpu); });
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
  return recorded("kmem_cache_alloc(" + std::string(cache) + ")", [id = *id, g, cpu](Playground& p) { return mm::kmem_cache_alloc(*p.machine_, id, g, cpu); });
}

Status Playground::kmem_cache_free(std::string_view cache, u64 addr, int cpu) {
  settle_cursor();
  if (!machine_) return not_booted();
  auto id = cache_named(*machine_, cache);
  if (!id) return id.diag();
  return recorded("kmem_cache_free(" + std::string(cache) + ")", [id = *id, addr, cpu](Playground& p) { return mm::kmem_cache_free(*p.machine_, id, addr, cpu); });
}

Status Playground::kmem_cache_destroy(std::string_view cache) {
  settle_cursor();
  if (!machine_) return not_booted();
  return recorded("kmem_cache_destroy(" + std::string(cache) + ")", [c = std::string(cache)](Playground& p) { return mm::kmem_cache_destroy(*p.machine_, c); });
}

Status Playground::kmem_cache_shrink(std::string_view cache) {
  settle_cursor();
  if (!machine_) return not_booted();
  auto id = cache_named(*machine_, cache);
  if (!id) return id.diag();
  return recorded("kmem_cache_shrink(" + std::string(cache) + ")", [id = *id](Playground& p) { return mm::kmem_cache_shrink(*p.machine_, id); });
}

Expected<std::string> Playground::slab_view(std::string_view cache) const {
  const Machine* m = view();
  if (!m) return not_booted();
  auto id = cache_named(*m, cache);
  if (!id) return id.diag();
  return mm::slab_view(*m, *id);
}

}  // namespace mm
