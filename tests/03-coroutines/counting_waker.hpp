// A waker for tests: it counts what its vtable is asked to do, so a test can
// check that references are balanced (every clone dropped exactly once) and
// that wakes happen when they should.
#pragma once

#include <atomic>

#include "art/waker.hpp"

namespace art::testing {

class CountingWaker {
 public:
  std::atomic<int> clones{0};
  std::atomic<int> drops{0};
  std::atomic<int> wakes{0};         // wake(): consumes a reference
  std::atomic<int> wakes_by_ref{0};  // wake_by_ref(): keeps it

  // A new Waker holding one reference; references() counts it.
  Waker waker() {
    created_.fetch_add(1);
    return Waker(RawWaker{this, &vtable});
  }

  // References made (waker() and clones) minus references released.
  int references() const { return created_.load() + clones.load() - drops.load() - wakes.load(); }
  int total_wakes() const { return wakes.load() + wakes_by_ref.load(); }

 private:
  static CountingWaker& self(void* data) { return *static_cast<CountingWaker*>(data); }
  static RawWaker clone(void* data) {
    self(data).clones.fetch_add(1);
    return RawWaker{data, &vtable};
  }
  static void wake(void* data) { self(data).wakes.fetch_add(1); }
  static void wake_by_ref(void* data) { self(data).wakes_by_ref.fetch_add(1); }
  static void drop(void* data) noexcept { self(data).drops.fetch_add(1); }
  static constexpr WakerVTable vtable{clone, wake, wake_by_ref, drop};

  std::atomic<int> created_{0};
};

}  // namespace art::testing
