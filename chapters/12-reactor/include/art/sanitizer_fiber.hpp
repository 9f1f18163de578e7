// sanitizer_fiber.hpp: telling AddressSanitizer about stack switches.
//
// AddressSanitizer keeps bookkeeping per stack (which bytes are valid). A
// context switch it is not told about looks like a thread whose stack
// pointer jumped somewhere impossible, and it reports errors that are not
// there: the first exception thrown on a fiber stack trips it. Its
// interface for this is a pair of calls around every switch, one on each
// side; the class below makes them, and compiles to nothing in a build
// without ASan.
//
// ThreadSanitizer has a similar interface (__tsan_switch_to_fiber), but it
// also needs every instrumented call between the annotation and the switch
// to be balanced on one stack, which Boost.Context's inline resume() does
// not allow: TSan crashes in its own stack depot. So the tsan test preset
// skips the tests that run fibers (suites Fiber*); their races are checked
// under ASan and by the tests of the runtime itself, which fibers share.
#pragma once

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define ART_ASAN_FIBERS 1
#endif

namespace art {

// ANCHOR: sanitizer_fiber
// One per fiber. "Caller" is the stack that resumed the fiber (the poll's).
class SanitizerFiber {
 public:
  SanitizerFiber() = default;
  SanitizerFiber(const SanitizerFiber&) = delete;
  SanitizerFiber& operator=(const SanitizerFiber&) = delete;

  // Also clears what ASan recorded about the stack's previous fiber (see
  // sanitizer_fiber.cpp).
  void set_stack(const void* bottom, std::size_t size);

  // On the caller's stack, around a switch into the fiber.
  void before_switch_in();
  void after_switch_back();

  // On the fiber's stack: on arrival, and before leaving (for good or not).
  void arrived_in_fiber();
  void before_switch_out(bool finished);

 private:
  const void* stack_bottom_ = nullptr;  // the fiber's stack
  std::size_t stack_size_ = 0;
  [[maybe_unused]] const void* caller_bottom_ = nullptr;
  [[maybe_unused]] std::size_t caller_size_ = 0;
  [[maybe_unused]] void* caller_fake_stack_ =
      nullptr;  // ASan's per-stack state, saved across a switch
  [[maybe_unused]] void* fiber_fake_stack_ = nullptr;
};
// ANCHOR_END: sanitizer_fiber

}  // namespace art
