#include "art/sanitizer_fiber.hpp"

namespace art {

void SanitizerFiber::before_switch_in() {
#ifdef ART_ASAN_FIBERS
  __sanitizer_start_switch_fiber(&caller_fake_stack_, stack_bottom_, stack_size_);
#endif
}

void SanitizerFiber::after_switch_back() {
#ifdef ART_ASAN_FIBERS
  __sanitizer_finish_switch_fiber(caller_fake_stack_, nullptr, nullptr);
#endif
}

void SanitizerFiber::arrived_in_fiber() {
#ifdef ART_ASAN_FIBERS
  __sanitizer_finish_switch_fiber(fiber_fake_stack_, &caller_bottom_, &caller_size_);
#endif
}

void SanitizerFiber::before_switch_out(bool finished) {
#ifdef ART_ASAN_FIBERS
  // A finished fiber passes no save slot, so ASan can drop its fake stack.
  __sanitizer_start_switch_fiber(finished ? nullptr : &fiber_fake_stack_, caller_bottom_,
                                 caller_size_);
#endif
  (void)finished;
}

}  // namespace art
