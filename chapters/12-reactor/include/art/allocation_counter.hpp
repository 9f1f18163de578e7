// allocation_counter.hpp: counts calls to the global allocator.
//
// A program that links src/allocation_counter.cpp (the demo and the tests
// of this chapter do; the library does not) has its global operator new
// replaced by one that counts every call before allocating. That is how the
// claim "no allocation per spawn after warm-up" is checked rather than
// believed.
#pragma once

#include <cstdint>

namespace art {

// ANCHOR: allocation_counter
// Calls to the global operator new so far, on every thread.
std::uint64_t global_allocations();
// ANCHOR_END: allocation_counter

}  // namespace art
