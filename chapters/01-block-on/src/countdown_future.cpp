#include "art/countdown_future.hpp"

#include "art/log.hpp"

namespace art {

// ANCHOR: countdown_poll
Poll<void> CountdownFuture::poll(Context& cx) {
  // EXERCISE 1.2: answer Pending `remaining_` times, then Ready
  // HINT: when remaining_ is 0 return art::ready; otherwise count down, wake
  // cx.waker() by reference (you keep no copy) and return art::pending
  if (remaining_ == 0) {
    return ready;
  }
  --remaining_;
  logger().debug("countdown: {} to go, waking my own waker", remaining_);
  cx.waker().wake_by_ref();
  return pending;
  // END EXERCISE
}
// ANCHOR_END: countdown_poll

}  // namespace art
