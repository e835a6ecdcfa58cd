// libFuzzer target: random statement sequences, many of them hostile, with
// undo and redo, against check_invariants() (fuzz/hostile_steps.h, the
// driver of the hostile property test; here the choices are the input's
// bytes). Any violation traps so libFuzzer saves the input.
#include <cstdio>

#include "hostile_steps.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string v = mm_fuzz::check_steps(data, size);
  if (!v.empty()) {
    std::fprintf(stderr, "fuzz_steps: %s\n", v.c_str());
    __builtin_trap();
  }
  return 0;
}
