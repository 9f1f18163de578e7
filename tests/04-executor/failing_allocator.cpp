#include "failing_allocator.hpp"

#include <cstdlib>
#include <new>

namespace art::testing {
namespace {
thread_local int failing_scopes = 0;
}  // namespace

FailAllocations::FailAllocations() { ++failing_scopes; }
FailAllocations::~FailAllocations() { --failing_scopes; }

}  // namespace art::testing

// The replacement new takes its memory from malloc(), so the deletes are
// replaced too, to give it back with free(). The array and nothrow forms
// call these by default.
void* operator new(std::size_t size) {
  if (art::testing::failing_scopes > 0)
    throw std::bad_alloc();
  if (void* memory = std::malloc(size == 0 ? 1 : size))
    return memory;
  throw std::bad_alloc();
}

void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t /*size*/) noexcept { std::free(memory); }
