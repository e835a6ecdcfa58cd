#include "mm/playground.h"

#include <algorithm>

#include "mm/boot.h"
#include "mm/dmesg.h"
#include "mm/machine.h"
#include "mm/oom_replay.h"
#include "mm/proc.h"
#include "mm/task.h"

namespace mm {

Playground::Playground() = default;
Playground::~Playground() = default;
Playground::Playground(Playground&&) noexcept = default;
Playground& Playground::operator=(Playground&&) noexcept = default;

namespace {
Status run_plan(const BootPlan& plan, bool trace, std::unique_ptr<Machine>& out) {
  auto m = boot(plan, trace);
  if (!m) return m.diag();
  out = std::move(m.value());
  return {};
}
}  // namespace

std::unique_ptr<Machine> Playground::copy_machine() const {
  return machine_ ? std::make_unique<Machine>(*machine_) : nullptr;
}

void Playground::push_undo(std::string label, std::unique_ptr<Machine> before) {
  // Bound the memory snapshots take: about 20 bytes a page frame each,
  // 256 MiB in all (a 1G machine keeps 48 steps, a 16G one 3).
  const std::size_t frames = machine_ ? static_cast<std::size_t>(machine_->mem.nr) : 1;
  const std::size_t cap = std::max<std::size_t>(2, (256u << 20) / (frames * 20 + 1));
  undo_.push_back({std::move(label), std::move(before)});
  while (undo_.size() > cap) undo_.erase(undo_.begin());
  redo_.clear();
}

template <class Op>
auto Playground::recorded(std::string label, Op&& op) {
  auto before = copy_machine();
  auto result = op();
  if (static_cast<bool>(result)) push_undo(std::move(label), std::move(before));
  return result;
}

bool Playground::undo() {
  if (undo_.empty()) return false;
  redo_.push_back({undo_.back().label, std::move(machine_)});
  machine_ = std::move(undo_.back().machine);
  undo_.pop_back();
  return true;
}

bool Playground::redo() {
  if (redo_.empty()) return false;
  undo_.push_back({redo_.back().label, std::move(machine_)});
  machine_ = std::move(redo_.back().machine);
  redo_.pop_back();
  return true;
}

std::vector<std::string> Playground::history() const {
  std::vector<std::string> v;
  for (const Snapshot& s : undo_) v.push_back(s.label);
  return v;
}

Status Playground::boot_shorthand(std::string_view spec, std::string_view source, BootOptions opt) {
  auto s = parse_shorthand(spec);
  if (!s) {
    Diagnostic d = s.diag();
    d.file = std::string(source);
    return d;
  }
  return recorded("boot " + std::string(spec), [&] {
    std::unique_ptr<Machine> m;
    Status st = run_plan(plan_from_spec(*s), opt.trace, m);
    if (st) machine_ = std::move(m);
    return st;
  });
}

Status Playground::boot_dmesg(std::string_view text, std::string_view source, BootOptions opt) {
  auto plan = plan_from_dmesg(text, source);
  if (!plan) return plan.diag();
  return recorded("boot dmesg " + std::string(source), [&] {
    std::unique_ptr<Machine> m;
    Status st = run_plan(*plan, opt.trace, m);
    if (st) machine_ = std::move(m);
    return st;
  });
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
  if (!machine_) return Diagnostic{"", 0, 0, "no machine has booted yet"};
  if (name == "zoneinfo") out = proc_zoneinfo(*machine_);
  else if (name == "buddyinfo") out = proc_buddyinfo(*machine_);
  else if (name == "pagetypeinfo") out = proc_pagetypeinfo(*machine_);
  else if (name == "memblock") out = proc_memblock(*machine_);
  else if (name == "kmem-f" || name == "kmem_f") out = proc_kmem_f(*machine_);
  else if (name == "meminfo") out = proc_meminfo(*machine_);
  else if (name == "tasks") out = proc_tasks(*machine_);
  else if (name == "slabinfo") out = proc_slabinfo(*machine_);  // SLUB hook
  else {
    std::string known;
    for (std::string_view n : proc_names()) known += " " + std::string(n);
    return Diagnostic{"", 0, 0, "unknown /proc view '" + std::string(name) + "' (known:" + known + ")"};
  }
  return {};
}

std::string Playground::boot_log() const {
  std::string s;
  if (!machine_) return s;
  for (const std::string& l : machine_->log) s += l + '\n';
  return s;
}

const std::vector<Event>& Playground::events() const {
  static const std::vector<Event> none;
  return machine_ ? machine_->trace.events() : none;
}

std::vector<std::string> Playground::check() const {
  if (!machine_) return {};
  return check_invariants(*machine_);
}

namespace {
Diagnostic not_booted() { return Diagnostic{"", 0, 0, "no machine has booted yet"}; }
}  // namespace

Expected<ScenarioResult> Playground::run_scenario(std::string_view text, std::string_view source) {
  auto sc = parse_scenario(text, source, booted());
  if (!sc) return sc.diag();
  const std::string src(source);
  auto no_files = [src](const std::string& path) -> std::optional<std::string> {
    (void)path;
    return std::nullopt;  // the page has no file system; paste a dmesg instead
  };
  auto before = copy_machine();
  ScenarioResult r = mm::run_scenario(*sc, no_files, true, this);
  push_undo("scenario " + std::string(source), std::move(before));  // it may have changed things even if an expect failed
  return r;
}

Expected<AllocOutcome> Playground::alloc_pages(const AllocRequest& r) {
  if (!machine_) return not_booted();
  return recorded("alloc_pages(" + format_gfp(r.gfp) + ", " + std::to_string(r.order) + ")",
                  [&] { return mm::alloc_pages(*machine_, r); });
}

Status Playground::free_pages(Pfn pfn, Order order, int cpu) {
  if (!machine_) return not_booted();
  return recorded("free_pages(pfn " + std::to_string(pfn) + ", " + std::to_string(order) + ")",
                  [&] { return mm::free_pages(*machine_, pfn, order, cpu); });
}

Status Playground::free_block(Pfn pfn, int cpu) {
  if (!machine_) return not_booted();
  const Order order = pfn < machine_->mem.nr ? machine_->mem.order[pfn] : 0;
  return recorded("free_pages(pfn " + std::to_string(pfn) + ", " + std::to_string(order) + ")",
                  [&] { return mm::free_pages(*machine_, pfn, order, cpu); });
}

Status Playground::drain(int cpu) {
  if (!machine_) return not_booted();
  if (cpu >= 0 && static_cast<unsigned>(cpu) >= machine_->nr_cpus)
    return Diagnostic{"", 0, 0, "drain: no CPU " + std::to_string(cpu)};
  return recorded(cpu < 0 ? "drain_all_pages" : "drain_local_pages(cpu " + std::to_string(cpu) + ")", [&] {
    if (cpu < 0) drain_all_pages(*machine_);
    else drain_local_pages(*machine_, cpu);
    return Status{};
  });
}

const std::uint8_t* Playground::frame_state() const { return machine_ ? machine_->mem.state.data() : nullptr; }
std::size_t Playground::frame_count() const { return machine_ ? machine_->mem.state.size() : 0; }

// ---- SLUB hook: thin wrappers over mm/slub.h ----------------------------------

namespace {
Expected<u32> cache_named(const Machine& m, std::string_view name) {
  if (!m.slub) return Diagnostic{"", 0, 0, "SLUB is not up yet"};
  if (auto id = find_cache(m, name)) return *id;
  return Diagnostic{"", 0, 0, "no slab cache named '" + std::string(name) + "'"};
}
}  // namespace

Expected<KmallocOutcome> Playground::kmalloc(u64 size, gfp_t g, int cpu) {
  if (!machine_) return not_booted();
  return recorded("kmalloc(" + std::to_string(size) + ")", [&] { return mm::kmalloc(*machine_, size, g, cpu); });
}

Status Playground::kfree(u64 addr, int cpu) {
  if (!machine_) return not_booted();
  return recorded("kfree", [&] { return mm::kfree(*machine_, addr, cpu); });
}

Expected<u32> Playground::kmem_cache_create(std::string_view name, u32 size, u32 align, u32 flags) {
  if (!machine_) return not_booted();
  return recorded("kmem_cache_create(" + std::string(name) + ")",
                  [&] { return mm::kmem_cache_create(*machine_, name, size, align, flags); });
}

Expected<KmallocOutcome> Playground::kmem_cache_alloc(std::string_view cache, gfp_t g, int cpu) {
  if (!machine_) return not_booted();
  auto id = cache_named(*machine_, cache);
  if (!id) return id.diag();
  return recorded("kmem_cache_alloc(" + std::string(cache) + ")", [&] { return mm::kmem_cache_alloc(*machine_, *id, g, cpu); });
}

Status Playground::kmem_cache_free(std::string_view cache, u64 addr, int cpu) {
  if (!machine_) return not_booted();
  auto id = cache_named(*machine_, cache);
  if (!id) return id.diag();
  return recorded("kmem_cache_free(" + std::string(cache) + ")", [&] { return mm::kmem_cache_free(*machine_, *id, addr, cpu); });
}

Status Playground::kmem_cache_destroy(std::string_view cache) {
  if (!machine_) return not_booted();
  return recorded("kmem_cache_destroy(" + std::string(cache) + ")", [&] { return mm::kmem_cache_destroy(*machine_, cache); });
}

Status Playground::kmem_cache_shrink(std::string_view cache) {
  if (!machine_) return not_booted();
  auto id = cache_named(*machine_, cache);
  if (!id) return id.diag();
  return recorded("kmem_cache_shrink(" + std::string(cache) + ")", [&] { return mm::kmem_cache_shrink(*machine_, *id); });
}

Expected<std::string> Playground::slab_view(std::string_view cache) const {
  if (!machine_) return not_booted();
  auto id = cache_named(*machine_, cache);
  if (!id) return id.diag();
  return mm::slab_view(*machine_, *id);
}

}  // namespace mm
