// The one main() of engine_tests (native, asan and wasm under node). The
// suites live in tests/engine/*.cpp; they find the reference captures through
// MM_REFERENCE_DIR and the repository through MM_SOURCE_DIR (both absolute,
// set by CMakeLists.txt), so they run from any working directory.
//
// After a full run (no test filters), every code of the event catalogue
// must have been recorded by some suite: a catalogue entry no test emits is
// either dead or untested, and the run fails naming it.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <string_view>

#include "mm/core/event.h"

namespace {

bool filtered(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    for (std::string_view f : {"-tc", "-ts", "-sf", "-tce", "-tse", "-sfe", "--test-case", "--test-suite",
                               "--source-file", "-ltc", "-lts", "-h", "--help", "-v", "--version", "-c", "--count"})
      if (a.substr(0, f.size()) == f) return true;
  }
  return false;
}

int check_catalogue_coverage() {
  int missing = 0;
  const auto& seen = mm::Trace::emitted_codes();
  for (unsigned i = 0; i < mm::kEventCodes; ++i) {
    const mm::EventSpec& s = mm::kEventSpecs[i];
    if (seen[i]) continue;
    if (!missing)
      std::fprintf(stderr, "\nevent catalogue: codes no suite recorded (emit them in a test, or remove them):\n");
    std::fprintf(stderr, "  %.*s (%.*s)\n", static_cast<int>(s.code.size()), s.code.data(),
                 static_cast<int>(s.fn.size()), s.fn.data());
    ++missing;
  }
  if (missing) std::fprintf(stderr, "[catalogue] %d of %u codes never recorded: FAILURE\n", missing, mm::kEventCodes);
  return missing ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int rc = context.run();
  if (context.shouldExit()) return rc;
  const int coverage = filtered(argc, argv) ? 0 : check_catalogue_coverage();
  return rc ? rc : coverage;
}
