// How an operation becomes an undo step (internal to the session: included
// by the files that define Playground's operations).
#pragma once

#include <algorithm>
#include <chrono>

#include "mm/core/machine.h"
#include "session/playground.h"
#include "session/scenario.h"

namespace mm {

// Keeps checkpoints while an operation first runs: between two units of a
// long loop, once enough events (or enough work) passed since the last one.
struct Playground::CheckpointTaker final : UnitHook {
  static constexpr std::size_t kMaxCheckpoints = 256;
  static constexpr double kMaxMillis = 2.0;  // work between checkpoints, when events are few
  Playground& pg;
  std::vector<Checkpoint> out;
  std::size_t spacing;  // events between checkpoints (doubles when there are too many)
  std::size_t last_at = 0;
  const Machine* of = nullptr;  // the machine the checkpoints are of (a boot starts over)
  std::chrono::steady_clock::time_point last_time = std::chrono::steady_clock::now();
  static constexpr unsigned kClockEvery = 64;
  unsigned since_clock = 0;  // units since the clock was last read

  explicit CheckpointTaker(Playground& p) : pg(p), spacing(p.checkpoint_spacing_) {}
  bool between(const Machine& m, const Resume& next) override {
    if (!m.trace.on() || spacing == 0) return true;  // nothing to step through, or none wanted
    if (of != &m) {                                  // a machine booted mid-operation: its trace starts over
      out.clear();
      last_at = 0;
      of = &m;
    }
    const std::size_t at = m.trace.events().size();
    if (!out.empty() && out.back().at == at) return true;
    // Reading the clock costs more than a unit of boot in wasm (a 2 TiB
    // boot has hundreds of thousands): look at it every kClockEvery units.
    if (at < last_at + spacing && ++since_clock < kClockEvery) return true;
    since_clock = 0;
    const auto now = std::chrono::steady_clock::now();
    const double ms = std::chrono::duration<double, std::milli>(now - last_time).count();
    if (at < last_at + spacing && ms < kMaxMillis) return true;
    Checkpoint cp;
    cp.at = at;
    cp.machine = std::make_unique<Machine>(m);
    cp.session = pg.live_session_ ? std::make_shared<const SessionState>(*pg.live_session_) : pg.session_;
    cp.resume = next;
    out.push_back(std::move(cp));
    last_at = at;
    last_time = now;
    if (out.size() > kMaxCheckpoints) thin();
    return true;
  }
  // Every other checkpoint goes, and they come half as often from now on.
  void thin() {
    std::size_t k = 0;
    for (std::size_t i = 0; i < out.size(); i += 2) out[k++] = std::move(out[i]);
    out.resize(k);
    spacing *= 2;
  }
};

template <class Op>
auto Playground::recorded(std::string label, Op op) {
  if (nesting_ > 0 || !recording_) return op(*this);
  settle_cursor();
  const std::size_t first_if_same = machine_ ? machine_->trace.events().size() : 0;
  const u64 boots_before = boots_;
  const std::size_t made_before = g_cow_bytes_made;
  auto before = copy_machine();
  auto session_before = session_;
  CheckpointTaker taker(*this);
  if (machine_) machine_->units.p = &taker;
  units_hook_ = &taker;
  ++nesting_;
  auto result = op(*this);
  --nesting_;
  units_hook_ = nullptr;
  if (machine_) machine_->units.p = nullptr;
  if (static_cast<bool>(result)) {
    const std::size_t first = boots_ == boots_before ? first_if_same : 0;
    const std::size_t total = machine_ ? machine_->trace.events().size() : 0;
    Replay replay = [op](Playground& p) { (void)op(p); };
    Snapshot snap;
    snap.label = std::move(label);
    snap.machine = std::move(before);
    snap.replay = std::move(replay);
    snap.first = first;
    snap.count = total - std::min(first, total);
    snap.session = std::move(session_before);
    snap.checkpoints = std::move(taker.out);
    snap.group = group_ ? group_ : ++groups_;
    // What the op cloned is what the state before it keeps to itself.
    snap.bytes = g_cow_bytes_made - made_before + 64 * 1024;
    push_undo(std::move(snap));
  } else {
    // Whatever a failed operation did before it failed is not kept.
    machine_ = std::move(before);
    session_ = std::move(session_before);
    boots_ = boots_before;
  }
  return result;
}

}  // namespace mm
