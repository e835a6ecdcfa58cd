// libFuzzer target: mm::parse_gfp, the %pGg printer on what it accepts, and
// an allocation with the mask on a small machine. The checks live in
// fuzz_checks.h (shared with tests/engine/fuzz_corpus_test.cpp); any
// violation traps so libFuzzer saves the input.
#include <cstdio>

#include "fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const mm_fuzz::Result r = mm_fuzz::check_gfp(text);
  if (!r.violation.empty()) {
    std::fprintf(stderr, "fuzz_gfp: %s\n", r.violation.c_str());
    __builtin_trap();
  }
  return 0;
}
