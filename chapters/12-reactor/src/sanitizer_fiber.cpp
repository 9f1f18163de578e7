#include "art/sanitizer_fiber.hpp"

namespace art {

// A stack from the pool may carry the poisoned red zones of frames that its
// previous fiber never returned from (the entry function and Boost's own
// frames end with a switch, not a return). The new fiber's frames would
// meet that stale poison, so the whole stack starts clean.
void SanitizerFiber::set_stack(const void* bottom, std::size_t size) {
  stack_bottom_ = bottom;
  stack_size_ = size;
#ifdef ART_ASAN_FIBERS
  __asan_unpoison_memory_region(bottom, size);
#endif
}

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
