// io_slot_atomic.hpp: the atomic that an IoSlot keeps its word in.
//
// std::atomic<std::uint64_t>, in every build but one: that very type, not a
// wrapper around it, so the reactor and every reader pay nothing for the
// switch. The exception is ch12-hooked, built with ART_INTERLEAVING_HOOKS
// defined for one test (io_slot_hook_test.cpp): there the word is a
// HookedAtomic, which calls the calling thread's hook before each load,
// store and read-modify-write (interleaving_hook.hpp). The test stops a
// reader's clear_readiness before each of its operations in turn and runs a
// whole set_readiness there, so a clear made of two atomic steps loses the
// set's event every run, not once in a while.
//
// A compile-time switch, as for the task state word (task_state_atomic.hpp):
// IoSlot stays a plain class whose transitions live in io_slot.cpp, read as
// they are in the book. The two builds never meet in one binary: that test
// does not link ch12.
#pragma once

#include <atomic>
#include <cstdint>

#ifdef ART_INTERLEAVING_HOOKS
#include "art/interleaving_hook.hpp"
#endif

namespace art {

#ifdef ART_INTERLEAVING_HOOKS
using IoSlotAtomic = HookedAtomic<std::uint64_t>;
#else
using IoSlotAtomic = std::atomic<std::uint64_t>;
#endif

}  // namespace art
