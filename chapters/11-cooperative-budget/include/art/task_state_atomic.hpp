// task_state_atomic.hpp: the atomic that TaskStateWord keeps its word in.
//
// std::atomic, in every build but one: the schedule explorer's tests compile
// their own copy of task_state_word.cpp with ART_EXPLORE_ATOMICS defined
// (the CMake target ch09-explore), and there the word is an explore::Atomic,
// which lets the explorer switch threads before each operation on it.
//
// A compile-time switch rather than a template parameter (as the deque has):
// TaskStateWord stays a plain class whose transitions live in a .cpp file,
// read as they are in the book, and the runtime's code does not change. The
// two builds never meet in one binary: the explorer's tests do not link ch09.
#pragma once

#include <atomic>

#ifdef ART_EXPLORE_ATOMICS
#include "art/schedule_explorer.hpp"
#endif

namespace art {

#ifdef ART_EXPLORE_ATOMICS
template <class T>
using TaskStateAtomic = explore::Atomic<T>;
#else
template <class T>
using TaskStateAtomic = std::atomic<T>;
#endif

}  // namespace art
