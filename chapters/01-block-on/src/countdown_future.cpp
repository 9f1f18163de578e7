#include "art/countdown_future.hpp"

#include "art/log.hpp"

namespace art {

// ANCHOR: countdown_poll
Poll<void> CountdownFuture::poll(Context& cx) {
  // EXERCISE 1.2: answer Pending `remaining_` times, then Ready
  // HINT: rule 2 of the Future contract: a Pending must come with an arranged
  // wake-up; this future waits for nothing, so it arranges its own
  // HINT 2: it never needs to keep the waker, so take no reference of your
  // own (which of wake / wake_by_ref keeps the context's reference?)
  // HINT 3: an early return for the finished case, then three statements
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
