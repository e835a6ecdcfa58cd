// Undo and redo: a deep copy of the machine before each operation.
#include <algorithm>

#include <unordered_set>

#include "mm/pressure/task.h"
#include "mm/slab/slub.h"
#include "session/history.h"
#include "session/scenario.h"

namespace mm {

// Copies `from` into `to`, reusing `to`'s storage when it has some: a 4 GiB
// machine is ~20 MiB of arrays, and fresh allocations (page faults, wasm
// memory growth) cost more than the copy itself.
void Playground::copy_into(std::unique_ptr<Machine>& to, const Machine& from) {
  if (to)
    *to = from;
  else
    to = std::make_unique<Machine>(from);
}

std::unique_ptr<Machine> Playground::copy_machine() const {
  return machine_ ? std::make_unique<Machine>(*machine_) : nullptr;
}

void Playground::push_undo(Snapshot snap) {
  // Bound what the history holds: each step keeps what the operation after
  // it cloned (chunks of the per-frame arrays, slab state), estimated when it
  // was recorded. The oldest steps go first; the page is told how many.
  seek_stop_.reset();  // the operations' numbers may shift
  undo_.push_back(std::move(snap));
  std::size_t total = 0;
  for (const Snapshot& s : undo_) total += s.bytes;
  std::size_t drop = 0;
  while (undo_.size() - drop > 2 && total > history_budget_) total -= undo_[drop++].bytes;
  if (drop) {
    undo_.erase(undo_.begin(), undo_.begin() + static_cast<std::ptrdiff_t>(drop));
    dropped_ops_ += drop;
  }
  redo_.clear();
}

// Undo and redo move a step between the stacks and swap its machine and
// names with the live ones (the step then holds the state after it).
bool Playground::undo() {
  if (undo_.empty()) return false;
  seek_end();
  seek_stop_.reset();
  Snapshot s = std::move(undo_.back());
  undo_.pop_back();
  std::swap(s.machine, machine_);
  std::swap(s.session, session_);
  redo_.push_back(std::move(s));
  return true;
}

bool Playground::redo() {
  if (redo_.empty()) return false;
  seek_end();
  seek_stop_.reset();
  Snapshot s = std::move(redo_.back());
  redo_.pop_back();
  std::swap(s.machine, machine_);
  std::swap(s.session, session_);
  undo_.push_back(std::move(s));
  return true;
}

bool Playground::undo_group() {
  if (undo_.empty()) return false;
  const u64 g = undo_.back().group;
  while (!undo_.empty() && undo_.back().group == g) undo();
  return true;
}

bool Playground::redo_group() {
  if (redo_.empty()) return false;
  const u64 g = redo_.back().group;
  while (!redo_.empty() && redo_.back().group == g) redo();
  return true;
}

namespace {
// Memory held by a set of machines that share storage, each shared piece
// counted once. An estimate: exact for the per-frame chunks and the trace,
// approximate for the small structures.
struct Footprint {
  std::unordered_set<const void*> seen;
  std::size_t bytes = 0;

  bool first(const void* p) { return p && seen.insert(p).second; }
  template <class T, unsigned S>
  void add(const CowArray<T, S>& a) {
    a.for_each_storage([this](const void* id, std::size_t n) {
      if (!first(id)) return false;
      bytes += n;
      return true;
    });
  }
  void add(const Machine& m) {
    bytes += sizeof(Machine);
    for (const Node& n : m.nodes) {
      bytes += sizeof(Node);
      for (const Zone& z : n.zones) bytes += z.pcp.size() * sizeof(PerCpuPages);
    }
    const MemMap& mm = m.mem;
    add(mm.word), add(mm.pageblock_mt), add(mm.lru_next), add(mm.lru_prev);
    add(mm.block_zone), add(mm.pflags), add(mm.owner_id), add(mm.mapper);
    if (first(m.trace.events_store())) bytes += m.trace.events_store_size() * sizeof(Event);
    if (first(m.log.store_id())) bytes += m.log.store_size() * (sizeof(std::string) + 64);
    if (m.slub && first(m.slub.get())) {
      const SlubState& s = *m.slub;
      bytes += sizeof(SlubState) + s.caches.size() * sizeof(KmemCache);
      for (const auto& [pfn, slab] : s.slabs) bytes += sizeof(slab) + 48 + slab.state.size() + slab.freelist.size() * 4;
    }
    if (m.pressure && first(m.pressure.get()))
      bytes += sizeof(PressureState) + m.pressure->tasks.size() * (sizeof(Task) + 64);
  }
};
}  // namespace

std::size_t Playground::history_bytes() const {
  Footprint f;
  auto add = [&](const Machine* m) {
    if (m) f.add(*m);
  };
  add(machine_.get());
  add(view_valid_ ? view_.get() : nullptr);
  for (const auto* stack : {&undo_, &redo_})
    for (const Snapshot& s : *stack) {
      add(s.machine.get());
      for (const Checkpoint& c : s.checkpoints) add(c.machine.get());
    }
  return f.bytes;
}

std::size_t Playground::machine_bytes() const {
  Footprint f;
  if (const Machine* m = view()) f.add(*m);
  return f.bytes;
}

std::vector<std::string> Playground::history() const {
  std::vector<std::string> v;
  for (const Snapshot& s : undo_) v.push_back(s.label);
  return v;
}

}  // namespace mm
