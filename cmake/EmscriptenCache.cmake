# Gives Emscripten a writable cache inside the build tree, before project()
# runs the toolchain file (which asks `em-config CACHE` for the sysroot).
#
# Debian's emscripten ships a prebuilt, read-only cache and sets
# FROZEN_CACHE = True in its config. A private cache must therefore be
# (1) seeded from that one and (2) unfrozen, or every library would be
# missing. Seeding is a tree of symlinks (`cp -rs`, ~1600 links, instant),
# so nothing big is copied; anything missing is built into our own folder.
# The same variables are exported by CMakePresets.json and scripts/env.sh;
# doing it here too keeps a plain `cmake -DCMAKE_TOOLCHAIN_FILE=...` working.
if(NOT CMAKE_TOOLCHAIN_FILE MATCHES "Emscripten")
  return()
endif()

set(MM_EM_CACHE "${CMAKE_SOURCE_DIR}/build/em-cache" CACHE PATH "Writable Emscripten cache")
if(NOT EXISTS "${MM_EM_CACHE}/sysroot")
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env --unset=EM_CACHE --unset=EM_FROZEN_CACHE em-config CACHE
    OUTPUT_VARIABLE _mm_sys_cache OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE _mm_rc)
  if(NOT _mm_rc EQUAL 0 OR NOT EXISTS "${_mm_sys_cache}/sysroot")
    message(FATAL_ERROR "em-config CACHE failed (${_mm_rc}): is emscripten installed?")
  endif()
  file(MAKE_DIRECTORY "${MM_EM_CACHE}")
  execute_process(COMMAND cp -rs "${_mm_sys_cache}/." "${MM_EM_CACHE}/" RESULT_VARIABLE _mm_rc)
  if(NOT _mm_rc EQUAL 0)
    message(FATAL_ERROR "could not seed ${MM_EM_CACHE} from ${_mm_sys_cache}")
  endif()
  file(REMOVE "${MM_EM_CACHE}/cache.lock")  # a symlink to a root-owned file
endif()
set(ENV{EM_CACHE} "${MM_EM_CACHE}")
set(ENV{EM_FROZEN_CACHE} "")
# emscripten 3.1.6's JS optimizer needs acorn, which Debian keeps here.
if(EXISTS /usr/share/nodejs)
  set(ENV{NODE_PATH} "/usr/share/nodejs")
endif()
