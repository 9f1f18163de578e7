# Helpers shared by every chapter and test directory, so that each chapter's
# CMakeLists.txt says only what is particular to it.

# Warnings from DESIGN §8. Solutions must be warning-free (-Werror). The
# students' copy gets the same warnings without failing on them, less the
# "unused" family: a stub that only throws leaves its parameters unused, and a
# student should not meet a wall of warnings before writing a line.
add_library(art_warnings INTERFACE)
target_compile_options(art_warnings INTERFACE -Wall -Wextra -Wpedantic)
if(ART_EXERCISES)
  target_compile_options(art_warnings INTERFACE
    -Wno-unused-parameter -Wno-unused-variable -Wno-unused-local-typedefs
    -Wno-unused-but-set-variable -Wno-unused-function)
else()
  target_compile_options(art_warnings INTERFACE -Werror)
endif()

# GCC warns that ThreadSanitizer does not model std::atomic_thread_fence
# (-Wtsan), and -Werror would stop the build. Chapter 09's deque uses two
# seq_cst fences, as Le et al. prove it: they order its atomic loads and
# stores against each other, and hand over no data. Every hand-over of data
# in it goes through a release store and an acquire load, which ThreadSanitizer
# does see; the fences' own ordering is what the paper's proof covers (the
# schedule explorer runs every operation sequentially consistent).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_FLAGS MATCHES "sanitize=thread")
  target_compile_options(art_warnings INTERFACE -Wno-tsan)
endif()

# A test of the students' copy that hangs (a stub that never wakes a task) is
# stopped sooner than one of the solutions: every test takes well under this.
# The sanitizer presets of the copy (exercises-asan, exercises-tsan) allow 30.
set(ART_EXERCISE_TEST_TIMEOUT 10 CACHE STRING
    "Timeout in seconds of each test when ART_EXERCISES builds the students' copy")

# art_chapter_tests(<chapter number> [TARGET <name>] SOURCES <files...> LINK <targets...>)
# builds chNN-tests (or TARGET, a chapter's second test binary) from GoogleTest
# sources, labels every test chNN and gives each a timeout, so that a stuck
# exercise fails instead of hanging the run.
function(art_chapter_tests number)
  cmake_parse_arguments(ARG "" "TIMEOUT;TARGET" "SOURCES;LINK" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 30)
  endif()
  if(ART_EXERCISES AND ARG_TIMEOUT GREATER ART_EXERCISE_TEST_TIMEOUT)
    set(ARG_TIMEOUT ${ART_EXERCISE_TEST_TIMEOUT})
  endif()
  set(target "ch${number}-tests")
  if(ARG_TARGET)
    set(target "${ARG_TARGET}")
  endif()
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ${ARG_LINK} GTest::gtest GTest::gtest_main art_warnings)
  gtest_discover_tests(${target}
    TEST_PREFIX "ch${number}."
    DISCOVERY_MODE PRE_TEST
    DISCOVERY_TIMEOUT 30
    PROPERTIES LABELS "ch${number}" TIMEOUT ${ARG_TIMEOUT})
endfunction()
