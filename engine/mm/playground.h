// The engine's front door for the CLI and the WebAssembly bindings: boot a
// machine (shorthand or a real dmesg), read /proc files and the boot log,
// read the event stream and the per-frame state. Nothing here throws and
// nothing aborts on bad input: every failure comes back as a Diagnostic.
#pragma once

#include <memory>
#include <string>
#include <string>
#include <string_view>
#include <vector>

#include "mm/alloc.h"
#include "mm/diag.h"
#include "mm/event.h"
#include "mm/scenario.h"
#include "mm/slub.h"

namespace mm {

struct Machine;

struct BootOptions {
  bool trace = false;  // collect events (costly for big machines)
};

class Playground {
 public:
  Playground();
  ~Playground();
  Playground(Playground&&) noexcept;
  Playground& operator=(Playground&&) noexcept;

  // `source` names the input in diagnostics ("<machine>", a file name).
  // On failure the previous machine (if any) is kept unchanged.
  Status boot_shorthand(std::string_view spec, std::string_view source, BootOptions opt = {});
  Status boot_dmesg(std::string_view text, std::string_view source, BootOptions opt = {});

  bool booted() const { return machine_ != nullptr; }
  // "zoneinfo", "buddyinfo", "pagetypeinfo", "meminfo"-like views; an
  // unknown name is a Diagnostic.
  Status proc(std::string_view name, std::string& out) const;
  static const std::vector<std::string_view>& proc_names();
  // The kernel-style boot log (dmesg lines without timestamps).
  std::string boot_log() const;
  const std::vector<Event>& events() const;
  // Invariant violations of the current state; empty when all hold.
  std::vector<std::string> check() const;

  // The page allocator. Requests the kernel would refuse are Diagnostics;
  // running out of memory is an AllocOutcome with ok == false.
  Expected<AllocOutcome> alloc_pages(const AllocRequest& r);
  Status free_pages(Pfn pfn, Order order, int cpu = 0);
  // Frees the allocation whose first page is `pfn` (its order is known).
  Status free_block(Pfn pfn, int cpu = 0);
  Status drain(int cpu);  // -1: every CPU

  // Per-frame state bytes (FrameState values), one per pfn 0..max_pfn-1.
  const std::uint8_t* frame_state() const;
  std::size_t frame_count() const;

  // Parses and runs a scenario on this playground (its last machine stays
  // booted). `dmesg` statements cannot read files here. A parse error is a
  // Diagnostic; failed expectations are in the result.
  Expected<ScenarioResult> run_scenario(std::string_view text, std::string_view source);

  // OOM replay (mm/oom_replay.h): every OOM report of a kernel log ranked
  // again with the engine's oom_badness. Needs no booted machine.
  Expected<std::string> oom_replay(std::string_view log, std::string_view source) const;

  // SLUB hook (mm/slub.h): kmalloc and kmem_cache_* by cache name. Bad
  // input (double free, unknown cache, wrong cache) is a Diagnostic that
  // changes nothing; running out of memory is ok == false.
  Expected<KmallocOutcome> kmalloc(u64 size, gfp_t gfp = gfp::GFP_KERNEL, int cpu = 0);
  Status kfree(u64 addr, int cpu = 0);
  Expected<u32> kmem_cache_create(std::string_view name, u32 size, u32 align = 0, u32 flags = 0);
  Expected<KmallocOutcome> kmem_cache_alloc(std::string_view cache, gfp_t gfp = gfp::GFP_KERNEL, int cpu = 0);
  Status kmem_cache_free(std::string_view cache, u64 addr, int cpu = 0);
  Status kmem_cache_destroy(std::string_view cache);
  Status kmem_cache_shrink(std::string_view cache);
  // One cache's slabs and objects (mmsim --slab).
  Expected<std::string> slab_view(std::string_view cache) const;

  const Machine* machine() const { return machine_.get(); }
  Machine* machine() { return machine_.get(); }

  // Undo and redo at operation boundaries: every operation that succeeds
  // keeps a snapshot (a deep copy of the machine) of the state before it.
  // Undoing back to the first entry restores that state bit for bit.
  bool undo();
  bool redo();
  std::size_t undo_depth() const { return undo_.size(); }
  std::size_t redo_depth() const { return redo_.size(); }
  // What each undo step would take back, oldest first.
  std::vector<std::string> history() const;

 private:
  struct Snapshot {
    std::string label;
    std::unique_ptr<Machine> machine;  // null: there was no machine yet
  };
  std::unique_ptr<Machine> copy_machine() const;
  // Runs `op`; when it reports success, the state before it becomes an undo
  // step named `label`.
  template <class Op>
  auto recorded(std::string label, Op&& op);
  void push_undo(std::string label, std::unique_ptr<Machine> before);

  std::unique_ptr<Machine> machine_;
  std::vector<Snapshot> undo_, redo_;
};

}  // namespace mm
