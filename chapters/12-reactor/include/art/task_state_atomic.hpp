// task_state_atomic.hpp: the atomic that TaskStateWord keeps its word in.
//
// std::atomic, in every build but two. The schedule explorer's tests
// compile their own copy of task_state_word.cpp with ART_EXPLORE_ATOMICS
// defined (the CMake target ch09-explore), and there the word is an
// explore::Atomic, which lets the explorer switch threads before each
// operation on it. Chapter 07's interleaving tests link ch07-hooked, built
// with ART_INTERLEAVING_HOOKS defined, and there the word is a HookedAtomic,
// which calls the calling thread's hook before each operation on it
// (interleaving_hook.hpp).
//
// A compile-time switch rather than a template parameter (as the deque has):
// TaskStateWord stays a plain class whose transitions live in a .cpp file,
// read as they are in the book, and the runtime's code does not change. The
// builds never meet in one binary: the explorer's tests do not link ch09.
#pragma once

#include <atomic>

#if defined(ART_EXPLORE_ATOMICS)
#include "art/schedule_explorer.hpp"
#elif defined(ART_INTERLEAVING_HOOKS)
#include "art/interleaving_hook.hpp"
#endif

namespace art {

#if defined(ART_EXPLORE_ATOMICS)
template <class T>
using TaskStateAtomic = explore::Atomic<T>;
#elif defined(ART_INTERLEAVING_HOOKS)
template <class T>
using TaskStateAtomic = HookedAtomic<T>;
#else
template <class T>
using TaskStateAtomic = std::atomic<T>;
#endif

}  // namespace art
