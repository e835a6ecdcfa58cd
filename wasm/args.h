// The bindings' one argument checker. Every operation of the binding table
// (bindings.cpp) declares its arguments as ArgSpecs; read_args() reads the
// JS values against them. A value that does not fit is refused with one
// message, from one template:
//
//   error: <name> must be <what the spec accepts>, got <what was given>
//   error: cpu must be a whole number from 0 to 1, got 2.5
//
// The accepted range comes from the engine when the call is made: orders
// from mm::MAX_ORDER; CPUs, nodes and frames from the live machine (before
// the first boot only the lower bound is known, and the Playground then
// says that no machine has booted). A gfp mask or SLAB_* flags that do not
// parse keep their parser's message, named after the argument
// ("gfp:1:5: error: unknown gfp flag 'GFP_KERNAL' (did you mean GFP_KERNEL?)").
#pragma once

#include <emscripten/val.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "mm/core/types.h"
#include "mm/page_alloc/gfp.h"

namespace mm {
class Playground;
}

namespace mmwasm {

enum class ArgKind : std::uint8_t {
  Whole,      // a whole number in [lo, hi]
  Bytes,      // a size: a whole number of bytes in [lo, hi]
  Order,      // 0 .. mm::MAX_ORDER - 1
  Pfn,        // a page frame of the machine: 0 .. frames - 1
  Cpu,        // a CPU of the machine: 0 .. CPUs - 1
  CpuOrAll,   // a CPU, or -1: every CPU
  Node,       // a node of the machine, or -1: the CPU's node
  Gfp,        // a gfp mask as the kernel prints it (mm::parse_gfp)
  SlabFlags,  // SLAB_* flags joined by '|' (mm::parse_slab_flags); "" for none
  Addr,       // a kernel address: hex "0x..." or decimal
  Text,       // any string: a spec, a log, a /proc name, a cache name
};

// The JS name of a kind ("cpuOrAll"), as Engine.operations() lists it.
const char* kind_name(ArgKind k);

struct ArgSpec {
  const char* name;
  ArgKind kind;
  const char* what = "";  // Text: what the string is, for the message
  double lo = 0, hi = 0;  // Whole and Bytes
  // A field of a request object may be left out (undefined or null).
  bool optional = false;
  double number_default = 0;
  const char* text_default = "";

  constexpr ArgSpec or_number(double v) const {
    ArgSpec a = *this;
    a.optional = true;
    a.number_default = v;
    return a;
  }
  constexpr ArgSpec or_text(const char* v) const {
    ArgSpec a = *this;
    a.optional = true;
    a.text_default = v;
    return a;
  }
};

// Integers above 2^53 - 1 are not exact in a JS number.
inline constexpr double kMaxSafe = 9007199254740991.0;

namespace arg {
constexpr ArgSpec whole(const char* name, double lo, double hi) { return {name, ArgKind::Whole, "", lo, hi}; }
constexpr ArgSpec bytes(const char* name, double lo, double hi) { return {name, ArgKind::Bytes, "", lo, hi}; }
constexpr ArgSpec order(const char* name = "order") { return {name, ArgKind::Order}; }
constexpr ArgSpec pfn(const char* name = "pfn") { return {name, ArgKind::Pfn}; }
constexpr ArgSpec cpu(const char* name = "cpu") { return {name, ArgKind::Cpu}; }
constexpr ArgSpec cpu_or_all(const char* name = "cpu") { return {name, ArgKind::CpuOrAll}; }
constexpr ArgSpec node(const char* name = "node") { return {name, ArgKind::Node}; }
constexpr ArgSpec gfp(const char* name = "gfp") { return {name, ArgKind::Gfp}; }
constexpr ArgSpec slab_flags(const char* name = "flags") { return {name, ArgKind::SlabFlags}; }
constexpr ArgSpec addr(const char* name = "addr") { return {name, ArgKind::Addr}; }
constexpr ArgSpec text(const char* name, const char* what) { return {name, ArgKind::Text, what}; }
}  // namespace arg

// What the machine allows, read when the call is made; -1: no machine yet.
struct Limits {
  long long cpus = -1, nodes = -1, frames = -1;
  static Limits of(const mm::Playground& pg);
};

inline constexpr std::size_t kMaxArgs = 6;

// The arguments of one call, read and checked. The accessor matching the
// spec's kind gives the value at position i of the row's spec list.
class Args {
 public:
  long long whole(std::size_t i) const { return v_[i].n; }
  mm::u64 bytes(std::size_t i) const { return static_cast<mm::u64>(v_[i].n); }
  mm::Order order(std::size_t i) const { return static_cast<mm::Order>(v_[i].n); }
  mm::Pfn pfn(std::size_t i) const { return static_cast<mm::Pfn>(v_[i].n); }
  int cpu(std::size_t i) const { return static_cast<int>(v_[i].n); }  // Cpu, CpuOrAll
  int node(std::size_t i) const { return static_cast<int>(v_[i].n); }
  mm::gfp_t gfp(std::size_t i) const { return static_cast<mm::gfp_t>(v_[i].u); }
  mm::u32 flags(std::size_t i) const { return static_cast<mm::u32>(v_[i].u); }
  mm::u64 addr(std::size_t i) const { return v_[i].u; }
  const std::string& text(std::size_t i) const { return v_[i].s; }

 private:
  friend std::optional<std::string> read_arg(const ArgSpec&, const emscripten::val&, const Limits&, Args&, std::size_t);
  struct Value {
    long long n = 0;
    mm::u64 u = 0;
    std::string s;
  };
  std::array<Value, kMaxArgs> v_{};
};

// How an operation takes its arguments from JS: one per spec, in order
// (freeBlock(pfn, cpu)), or one request object whose fields are the specs
// (allocPages({gfp, order, cpu, node}), every field optional).
enum class Form : std::uint8_t { Positional, Request };

// Reads and checks `given` against `specs`; the first value that does not
// fit gives the error (compiler-style, "error: ..."), and nothing is read
// past it.
std::optional<std::string> read_args(Form form, std::span<const ArgSpec> specs, std::span<const emscripten::val> given,
                                     const Limits& lim, Args& out);

// One argument; exposed for read_args' two forms.
std::optional<std::string> read_arg(const ArgSpec& spec, const emscripten::val& v, const Limits& lim, Args& out,
                                    std::size_t i);

}  // namespace mmwasm
