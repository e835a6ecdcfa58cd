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

#include "mm/playground.h"

namespace mmwasm {

// {ok, error}: the result of a boot.
struct BootResult {
  bool ok = false;
  std::string error;
};

// {ok, text, error}: one /proc file.
struct ProcResult {
  bool ok = false;
  std::string text;
  std::string error;
};

// One mm::Event as JS sees it (registered as a value_object, so embind copies
// it field by field into a plain object).
struct JsEvent {
  double seq = 0;
  int depth = 0;
  std::string kind;  // "begin" | "end" | "step" | "warn"
  std::string fn;
  int node = -1, zone = -1, mt = -1, order = -1, cpu = -1;
  double pfn = -1;
  double a = 0, b = 0, c = 0;
  std::string text;
};

BootResult to_boot_result(const mm::Status& s);
JsEvent to_js(const mm::Event& e);
const char* kind_name(mm::EventKind k);

class Engine {
 public:
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
  // Event collection for the next boots (on by default: the page animates them).
  void set_trace(bool on) { trace_ = on; }
  bool trace() const { return trace_; }

 private:
  mm::Playground pg_;
  bool trace_ = true;
};

}  // namespace mmwasm
