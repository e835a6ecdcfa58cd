# The engine as three static libraries, one per layer, and the rule that
# keeps their direction:
#
#   <prefix>_model    engine/mm/**       the model: no parsing, formatting or JSON
#   <prefix>_text     engine/text/**     words in and out (links the model)
#   <prefix>_session  engine/session/**  the playground, history, timeline (links text)
#
# A file of a layer may include headers of its own layer and of the layers
# below it, never of a layer above: configure fails, naming the file and
# the line, when one does. (Static libraries would only notice a wrong call
# at the final link, if at all; the include rule is what a reader sees.)
#
# Used by the top-level build, bench/ and fuzz/, so that all three compile
# the same files the same way:
#   mm_add_engine(PREFIX mm ROOT <repo> [OPTIONS ...] [DEFINITIONS ...] [LINK_OPTIONS ...])
include_guard(GLOBAL)

# Fails configure when a source of `layer` includes a header of a layer in
# `forbidden` (directory names under engine/).
function(mm_check_layer root layer)
  set(forbidden ${ARGN})
  file(GLOB_RECURSE _files CONFIGURE_DEPENDS ${root}/engine/${layer}/*.h ${root}/engine/${layer}/*.cpp
       ${root}/engine/${layer}/*.def)
  foreach(f ${_files})
    file(STRINGS ${f} _lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
    foreach(l ${_lines})
      foreach(up ${forbidden})
        if(l MATCHES "\"${up}/")
          file(RELATIVE_PATH _rel ${root} ${f})
          message(FATAL_ERROR "layering: ${_rel} (layer ${layer}) includes a header of layer ${up}: ${l}\n"
                              "The direction is mm (model) <- text <- session <- cli/wasm; see docs/ARCHITECTURE.md.")
        endif()
      endforeach()
    endforeach()
  endforeach()
endfunction()

function(mm_add_engine)
  cmake_parse_arguments(E "" "PREFIX;ROOT" "OPTIONS;DEFINITIONS;LINK_OPTIONS;WARNINGS" ${ARGN})
  mm_check_layer(${E_ROOT} mm text session cli)
  mm_check_layer(${E_ROOT} text session cli)
  mm_check_layer(${E_ROOT} session cli)

  set(_below "")
  foreach(layer model text session)
    if(layer STREQUAL "model")
      set(_dir mm)
    else()
      set(_dir ${layer})
    endif()
    file(GLOB_RECURSE _src CONFIGURE_DEPENDS ${E_ROOT}/engine/${_dir}/*.cpp)
    set(_t ${E_PREFIX}_${layer})
    add_library(${_t} STATIC ${_src})
    target_include_directories(${_t} PUBLIC ${E_ROOT}/engine)
    target_compile_options(${_t} PRIVATE ${E_OPTIONS})
    if(E_WARNINGS)
      target_link_libraries(${_t} PRIVATE ${E_WARNINGS})
    endif()
    target_compile_definitions(${_t} PUBLIC ${E_DEFINITIONS})
    target_link_options(${_t} PUBLIC ${E_LINK_OPTIONS})
    if(_below)
      target_link_libraries(${_t} PUBLIC ${_below})
    endif()
    set(_below ${_t})
  endforeach()
  # The whole engine, for programs (mmsim, the bindings, tests).
  add_library(${E_PREFIX}_engine INTERFACE)
  target_link_libraries(${E_PREFIX}_engine INTERFACE ${E_PREFIX}_session)
endfunction()
