// The WebAssembly adapter: `Engine` owns one mm::Playground and turns its
// results into JS values. This file and convert.cpp are the only place where
// engine types meet Embind; bindings.cpp is just the table that names them.
//
// Boundary rules (the contract is wasm/mm-engine.d.ts):
//  - nothing throws: every failure is a value ({ok:false, error});
//  - data leaves as copies, except frameStateView(), a view into the wasm
//    heap that the caller must not keep across calls (memory growth replaces
//    the heap and detaches old views);
//  - 64-bit numbers leave as doubles (exact below 2^53, which holds for every
//    pfn and count of a modelled machine); an absent pfn is -1.
#pragma once

#include <emscripten/val.h>

#include <string>
#include <vector>

#include "session/playground.h"

namespace mmwasm {

// {ok, error}: the result of a boot.
struct BootResult {
  bool ok = false;
  std::string error;
};

// {ok, text, error}: one /proc file, an OOM replay, a slab view.
struct ProcResult {
  bool ok = false;
  std::string text;
  std::string error;
};

// {ok, error}: an operation with nothing to return (free, drain, kfree...).
struct StatusResult {
  bool ok = false;
  std::string error;
};

// alloc_pages: ok with the block, or !ok with `failure` (out of memory, the
// kernel's reason) or `error` (a request the kernel refuses: bad gfp, order,
// CPU or node). pfn is -1 when !ok; zone is "DMA", "DMA32", "Normal"...
struct AllocResult {
  bool ok = false;
  double pfn = -1;
  int order = 0;
  int node = -1;
  std::string zone;
  std::string failure;  // English (failure_text); kept for compatibility
  std::string reason;   // AllocFailure's code ("noretry", ...); "" when ok
  std::string error;
};

// kmalloc / kmem_cache_alloc. Kernel addresses (0xffff888...) do not fit a
// double exactly, so `addr` is a hex string ("0xffff888004a1c080"); "" when
// !ok. cache is the serving cache's name ("" for kmalloc_large and kmalloc(0)).
struct KmallocResult {
  bool ok = false;
  std::string addr;
  std::string cache;
  double pfn = -1;
  int index = -1;
  std::string failure;
  std::string error;
};

BootResult to_boot_result(const mm::Status& s);
StatusResult to_status_result(const mm::Status& s);
emscripten::val to_js(const mm::Event& e, const mm::Trace& t);
const char* kind_name(mm::EventKind k);

class Engine {
 public:
  // The event catalogue, the narration table, names and constants (JSON;
  // schema Catalogue in mm-engine.d.ts). The same for every machine.
  std::string catalogue() const;
  BootResult boot_shorthand(const std::string& spec);
  BootResult boot_dmesg(const std::string& text, const std::string& name);
  ProcResult proc(const std::string& name) const;
  emscripten::val proc_names() const;
  std::string boot_log() const;
  double event_count() const;
  // Events [start, start+count) clamped to what exists; never fails.
  emscripten::val events(double start, double count) const;
  emscripten::val check() const;
  double frame_count() const;
  emscripten::val frame_state_view() const;

  // Scenarios (mm/scenario.h), run on this engine's playground: the machine
  // they boot stays. Returns {ok, ran, output, failures, passed, failed,
  // error, line, col}; see mm-engine.d.ts.
  emscripten::val run_scenario(const std::string& text);

  // The page allocator. `req` is {gfp, order, cpu, node}, every field
  // optional (GFP_KERNEL, 0, 0, -1); gfp is parsed with mm::parse_gfp.
  AllocResult alloc_pages(const emscripten::val& req);
  StatusResult free_pages(double pfn, double order, double cpu);
  StatusResult free_block(double pfn, double cpu);
  StatusResult drain(double cpu);  // -1: every CPU
  // Undo/redo at operation boundaries; {ok:false} when there is nothing to
  // take back. history(): the labels of the undo steps, oldest first.
  StatusResult undo();
  StatusResult redo();
  emscripten::val history() const;
  double redo_depth() const;

  // The timeline (mm::Playground): operations, a cursor between any two of
  // their events, and the machine at the cursor. See mm-engine.d.ts.
  emscripten::val timeline() const;
  emscripten::val cursor() const;
  StatusResult seek(double op, double pos);
  void seek_end() { pg_.seek_end(); }
  emscripten::val op_events(double op, double start, double count) const;
  // The engine's own sentences (text/format/narration.cpp) for the same
  // events, in `lang` ("en" or "zh"; anything else gives []). An End
  // record has no sentence (""). The page's unit tests compare its own
  // template filler with these.
  emscripten::val narrate(double op, double start, double count, const std::string& lang) const;

  // Views of the machine at the cursor (mm/views.h). mapCells() and
  // pageblockView() are views into the wasm heap (see frameStateView()).
  emscripten::val map_cells();
  emscripten::val pageblock_view() const;
  std::string state_json() const;
  std::string frame_info_json(double pfn) const;
  ProcResult slab_detail(const std::string& cache) const;
  emscripten::val free_blocks(double node, double zone, double order, double mt, double limit) const;

  // OOM replay of a pasted kernel log; needs no machine.
  ProcResult oom_replay(const std::string& log) const;

  // SLUB. Addresses cross as strings (hex "0x..." or decimal).
  KmallocResult kmalloc(double size, const std::string& gfp, double cpu);
  StatusResult kfree(const std::string& addr, double cpu);
  StatusResult kmem_cache_create(const std::string& name, double size, double align, const std::string& flags);
  KmallocResult kmem_cache_alloc(const std::string& cache, const std::string& gfp, double cpu);
  StatusResult kmem_cache_free(const std::string& cache, const std::string& addr, double cpu);
  StatusResult kmem_cache_destroy(const std::string& cache);
  StatusResult kmem_cache_shrink(const std::string& cache);
  ProcResult slab_view(const std::string& cache) const;

  // Event collection for the next boots (on by default: the page animates them).
  void set_trace(bool on) {
    trace_ = on;
    pg_.set_boot_options(mm::BootOptions{on});
  }
  Engine() { pg_.set_boot_options(mm::BootOptions{trace_}); }
  bool trace() const { return trace_; }

 private:
  mm::Playground pg_;
  bool trace_ = true;
  std::vector<std::uint8_t> cells_;  // mapCells() fills it; JS sees it as a view
};

}  // namespace mmwasm
