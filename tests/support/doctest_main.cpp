// The one main() of engine_tests (native, asan and wasm under node). The
// suites live in tests/engine/*.cpp; they find the reference captures through
// MM_REFERENCE_DIR and the repository through MM_SOURCE_DIR (both absolute,
// set by CMakeLists.txt), so they run from any working directory.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
