// failing_allocator.hpp: makes the global allocator fail on one thread.
//
// The tests of this chapter replace the global operator new
// (failing_allocator.cpp). It allocates as usual, except on a thread inside
// a FailAllocations scope, where it throws std::bad_alloc: a way to reach
// the out-of-memory paths of the executor on purpose.
#pragma once

namespace art::testing {

class FailAllocations {
 public:
  FailAllocations();
  ~FailAllocations();
  FailAllocations(const FailAllocations&) = delete;
  FailAllocations& operator=(const FailAllocations&) = delete;
};

}  // namespace art::testing
