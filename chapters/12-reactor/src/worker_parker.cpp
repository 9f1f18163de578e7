#include "art/worker_parker.hpp"

namespace art {

// A notification waiting: consume it.
bool WorkerParker::consume_notification() {
  std::uint8_t expected = kNotified;
  // acq_rel: acquire sees the work the unparker published before it.
  return state_.compare_exchange_strong(expected, kEmpty, std::memory_order_acq_rel);
}

// ANCHOR: park
WorkerParker::Slept WorkerParker::park() {
  if (consume_notification())
    return Slept::not_at_all;  // the unpark came first
  if (driver_ != nullptr && driver_->try_acquire()) {
    const Slept slept = park_in_driver();
    driver_->release();
    return slept;
  }
  return park_on_condvar();
}

WorkerParker::Slept WorkerParker::park_in_driver() {
  std::uint8_t expected = kEmpty;
  if (!state_.compare_exchange_strong(expected, kParkedDriver,
                                      std::memory_order_acq_rel)) {
    state_.store(kEmpty, std::memory_order_release);  // `notified`: consumed
    return Slept::not_at_all;
  }
  // An unpark from here on interrupts the turn, even before it waits.
  driver_->turn(true);
  // Events, a timer or an unpark ended the turn: any notification goes too.
  // acquire: an unpark's work is seen.
  state_.exchange(kEmpty, std::memory_order_acquire);
  return Slept::in_driver;
}
// ANCHOR_END: park

// ANCHOR: park_on_condvar
WorkerParker::Slept WorkerParker::park_on_condvar() {
  std::unique_lock lock(mutex_);
  std::uint8_t expected = kEmpty;
  if (!state_.compare_exchange_strong(expected, kParkedCondvar,
                                      std::memory_order_acq_rel)) {
    state_.store(kEmpty, std::memory_order_release);  // `notified`: consumed
    return Slept::not_at_all;
  }
  // The mutex is held from the CAS to the wait: an unpark that saw
  // `parked_condvar` locks it before notifying, so it notifies a waiter.
  do
    condition_.wait(lock);
  while (!consume_notification());  // a spurious wake-up sleeps again
  return Slept::on_condvar;
}
// ANCHOR_END: park_on_condvar

// ANCHOR: unpark
void WorkerParker::unpark() {
  // acq_rel: release publishes the caller's work to the parker; acquire
  // orders the read of where it sleeps.
  switch (state_.exchange(kNotified, std::memory_order_acq_rel)) {
    case kEmpty:
    case kNotified:
      return;  // awake: its next park consumes the notification
    case kParkedCondvar:
      // Wait until the parker is inside wait() (it holds the mutex until then).
      { const std::lock_guard lock(mutex_); }
      condition_.notify_one();
      return;
    case kParkedDriver:
      driver_->interrupt();
      return;
    default:
      return;
  }
}
// ANCHOR_END: unpark

}  // namespace art
