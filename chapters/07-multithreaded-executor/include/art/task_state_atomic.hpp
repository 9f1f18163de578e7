// task_state_atomic.hpp: the atomic that TaskStateWord keeps its word in.
//
// std::atomic, in every build but one: chapter 07's interleaving tests link
// ch07-hooked, built with ART_INTERLEAVING_HOOKS defined, and there the word
// is a HookedAtomic, which calls the calling thread's hook before each
// operation on it (interleaving_hook.hpp).
//
// A compile-time switch rather than a template parameter: TaskStateWord
// stays a plain class whose transitions live in a .cpp file, read as they
// are in the book, and the runtime's code does not change. The two builds
// never meet in one binary: those tests do not link ch07.
#pragma once

#include <atomic>

#ifdef ART_INTERLEAVING_HOOKS
#include "art/interleaving_hook.hpp"
#endif

namespace art {

#ifdef ART_INTERLEAVING_HOOKS
template <class T>
using TaskStateAtomic = HookedAtomic<T>;
#else
template <class T>
using TaskStateAtomic = std::atomic<T>;
#endif

}  // namespace art
