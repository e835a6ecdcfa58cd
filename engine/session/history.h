// How an operation becomes an undo step (internal to the session: included
// by the files that define Playground's operations).
#pragma once

#include <algorithm>

#include "mm/core/machine.h"
#include "session/playground.h"

namespace mm {

template <class Op>
auto Playground::recorded(std::string label, Op op) {
  if (nesting_ > 0 || !recording_) return op(*this);
  settle_cursor();
  const std::size_t first_if_same = machine_ ? machine_->trace.events().size() : 0;
  const u64 boots_before = boots_;
  auto before = copy_machine();
  auto session_before = session_;
  ++nesting_;
  auto result = op(*this);
  --nesting_;
  if (static_cast<bool>(result)) {
    const std::size_t first = boots_ == boots_before ? first_if_same : 0;
    const std::size_t total = machine_ ? machine_->trace.events().size() : 0;
    Replay replay = [op](Playground& p) { (void)op(p); };
    push_undo({std::move(label), std::move(before), std::move(replay), first, total - std::min(first, total),
               std::move(session_before)});
  } else {
    // Whatever a failed operation did before it failed is not kept.
    machine_ = std::move(before);
    session_ = std::move(session_before);
    boots_ = boots_before;
  }
  return result;
}

}  // namespace mm
