// Undo and redo: a deep copy of the machine before each operation.
#include <algorithm>

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
  // Bound the memory snapshots take: about 20 bytes a page frame each,
  // 256 MiB in all (a 1G machine keeps 48 steps, a 16G one 3).
  const std::size_t frames = machine_ ? static_cast<std::size_t>(machine_->mem.nr) : 1;
  const std::size_t cap = std::max<std::size_t>(2, (256u << 20) / (frames * 20 + 1));
  undo_.push_back(std::move(snap));
  while (undo_.size() > cap) undo_.erase(undo_.begin());
  redo_.clear();
}

bool Playground::undo() {
  if (undo_.empty()) return false;
  seek_end();
  Snapshot& s = undo_.back();
  redo_.push_back({s.label, std::move(machine_), std::move(s.replay), s.first, s.count, std::move(session_)});
  machine_ = std::move(s.machine);
  session_ = std::move(s.session);
  undo_.pop_back();
  return true;
}

bool Playground::redo() {
  if (redo_.empty()) return false;
  seek_end();
  Snapshot& s = redo_.back();
  undo_.push_back({s.label, std::move(machine_), std::move(s.replay), s.first, s.count, std::move(session_)});
  machine_ = std::move(s.machine);
  session_ = std::move(s.session);
  redo_.pop_back();
  return true;
}

std::vector<std::string> Playground::history() const {
  std::vector<std::string> v;
  for (const Snapshot& s : undo_) v.push_back(s.label);
  return v;
}

}  // namespace mm
