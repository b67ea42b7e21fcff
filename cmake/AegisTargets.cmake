# Small helpers so each layer's CMakeLists.txt stays a few lines long.
include_guard(GLOBAL)

# aegis_library(NAME SOURCES... DEPS ...): one static library per protocol layer.
# Headers are included as "layer/file.h" from the src/ root.
function(aegis_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(aegis_${name} STATIC ${ARG_SOURCES})
  # Installed headers (packaging/client) keep the same "layer/file.h" form.
  target_include_directories(aegis_${name} PUBLIC $<BUILD_INTERFACE:${AEGIS_ROOT}/src>
                                                  $<INSTALL_INTERFACE:include/aegis>)
  target_link_libraries(aegis_${name} PUBLIC ${ARG_DEPS})
endfunction()

# aegis_test(NAME SOURCES... DEPS ... [SKIPPABLE Suite.Case...]): a GoogleTest
# binary registered with CTest. Tests read copied vectors from testdata/
# through AEGIS_TESTDATA_DIR.
#
# A GTEST_SKIP inside a binary still exits 0, so CTest would count it as
# passed. Every case that can skip (e.g. one that needs root) is listed under
# SKIPPABLE: it runs as a CTest test of its own, NAME.Suite.Case, which CTest
# reports as skipped ("Not Run") when the case skips and as failed when the
# filter selects no test at all (a renamed case); the NAME test runs the rest.
function(aegis_test name)
  if(AEGIS_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;SKIPPABLE" ${ARGN})
  find_package(GTest REQUIRED)
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE AEGIS_TESTDATA_DIR="${AEGIS_ROOT}/testdata")
  if(NOT ARG_SKIPPABLE)
    add_test(NAME ${name} COMMAND ${name} --gtest_brief=1)
    return()
  endif()
  list(JOIN ARG_SKIPPABLE ":" skippable)
  add_test(NAME ${name} COMMAND ${name} --gtest_brief=1 --gtest_filter=-${skippable})
  foreach(case IN LISTS ARG_SKIPPABLE)
    add_test(NAME ${name}.${case} COMMAND ${name} --gtest_filter=${case})
    # SKIP_ wins over PASS_: a skip is "Not Run"; otherwise exactly one test
    # must have passed (a crash or a failure does not print this line).
    set_tests_properties(${name}.${case} PROPERTIES
      SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\] "
      PASS_REGULAR_EXPRESSION "\\[  PASSED  \\] 1 test\\.")
  endforeach()
endfunction()

# aegis_fuzzer(NAME SOURCES... DEPS ...): a libFuzzer target, built only with
# -DAEGIS_FUZZ=ON (clang). Its seed corpus lives in fuzz/corpus/NAME/ and
# scripts/fuzz.sh runs every binary in <build>/fuzzers/ against it.
function(aegis_fuzzer name)
  if(NOT AEGIS_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzzers)
endfunction()
