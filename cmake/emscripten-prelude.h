// Force-included (-include) into every C++ file of the Emscripten build.
//
// Emscripten's musl <limits.h> defines PAGE_SIZE (65536, the wasm page) as a
// macro whenever _GNU_SOURCE is set, and em++ always sets it for C++. That
// macro would replace the engine's own mm::PAGE_SIZE (4 KiB, the x86_64 page
// the engine models) and break the build. Including <limits.h> once here and
// removing the macro keeps it out for good: later includes are no-ops thanks
// to the header's include guard. Nothing in libc++ uses PAGE_SIZE.
#pragma once
#include <limits.h>
#undef PAGE_SIZE
