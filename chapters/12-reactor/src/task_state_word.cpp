#include "art/task_state_word.hpp"

#include <cassert>

namespace art {

// ANCHOR: to_running
TaskStateWord::ToRunning TaskStateWord::to_running() {
  const Snapshot before = update([](Snapshot now, std::uint64_t& next) {
    if (now.running() || now.complete())
      return false;
    next = (now.bits & ~kNotified) | kRunning;
    return true;
  });
  if (before.running() || before.complete())
    return ToRunning::not_yours;
  return before.cancelled() ? ToRunning::cancel : ToRunning::run;
}
// ANCHOR_END: to_running

// ANCHOR: to_idle
TaskStateWord::ToIdle TaskStateWord::to_idle() {
  Snapshot after{0};
  const Snapshot before = update(
      [](Snapshot now, std::uint64_t& next) {
        assert(now.running());
        if (now.cancelled())
          return false;  // stays running: the poller cancels it at once
        next = now.bits & ~kRunning;
        return true;
      },
      &after);
  if (before.cancelled())
    return ToIdle::cancel;
  // NOTIFIED stays set: the entry it stands for is the one the caller
  // queues again, with the reference the poll ran on.
  return after.notified() ? ToIdle::requeue : ToIdle::idle;
}

// The caller holds RUNNING and COMPLETE is clear, so flipping both bits is
// one fetch_xor: no other bit matters and no loop is needed. acq_rel:
// release publishes the stored output (and the destroyed future) to the
// joiner that sees COMPLETE with acquire; acquire makes the joiner's stored
// waker, published by set_join_waker's release, visible to the completer.
TaskStateWord::Snapshot TaskStateWord::to_complete() {
  const Snapshot before{word_.fetch_xor(kRunning | kComplete, std::memory_order_acq_rel)};
  assert(before.running() && !before.complete());
  return before;
}
// ANCHOR_END: to_idle

// ANCHOR: to_notified_by_ref
bool TaskStateWord::to_notified_by_ref() {
  bool queue = false;
  update([&queue](Snapshot now, std::uint64_t& next) {
    queue = false;
    if (now.complete() || now.notified())
      return false;  // done, or an entry exists (or will, after the poll)
    next = now.bits | kNotified;
    if (!now.running()) {
      next += kOneReference;  // for the queue entry this wake creates
      queue = true;
    }
    return true;
  });
  return queue;
}
// ANCHOR_END: to_notified_by_ref

// ANCHOR: to_notified_by_value
TaskStateWord::ByValue TaskStateWord::to_notified_by_value() {
  Snapshot after{0};
  const Snapshot before = update(
      [](Snapshot now, std::uint64_t& next) {
        next = now.bits;
        if (now.running())
          next = (next | kNotified) - kOneReference;  // the poll holds one more
        else if (now.complete() || now.notified())
          next -= kOneReference;  // nothing to wake: the waker's reference goes
        else
          next |= kNotified;  // idle: the waker's reference passes to the entry
        return true;
      },
      &after);
  if (before.idle() && !before.notified())
    return ByValue::queue;
  return after.references() == 0 ? ByValue::destroy : ByValue::nothing;
}
// ANCHOR_END: to_notified_by_value

// ANCHOR: cancel_transitions
bool TaskStateWord::to_notified_and_cancelled() {
  bool queue = false;
  update([&queue](Snapshot now, std::uint64_t& next) {
    queue = false;
    if (now.complete() || now.cancelled())
      return false;
    next = now.bits | kCancelled;
    if (now.running() || now.notified()) {
      next |= kNotified;  // the poll's end, or the queued entry, sees CANCELLED
      return true;
    }
    next += kNotified + kOneReference;  // idle: a new entry, so a worker cancels it
    queue = true;
    return true;
  });
  return queue;
}

bool TaskStateWord::to_shutdown() {
  const Snapshot before = update([](Snapshot now, std::uint64_t& next) {
    if (now.complete())
      return false;
    next = now.bits | kCancelled | kRunning;
    return true;
  });
  assert(!before.running());  // no worker runs any more
  return !before.complete();
}
// ANCHOR_END: cancel_transitions

// ANCHOR: join_impl
bool TaskStateWord::set_join_waker() {
  const Snapshot before = update([](Snapshot now, std::uint64_t& next) {
    assert(now.join_interest() && !now.join_waker());
    if (now.complete())
      return false;
    next = now.bits | kJoinWaker;
    return true;
  });
  return !before.complete();
}

bool TaskStateWord::unset_join_waker() {
  const Snapshot before = update([](Snapshot now, std::uint64_t& next) {
    assert(now.join_interest() && now.join_waker());
    if (now.complete())
      return false;
    next = now.bits & ~kJoinWaker;
    return true;
  });
  return !before.complete();
}

TaskStateWord::Snapshot TaskStateWord::unset_join_interest() {
  return update([](Snapshot now, std::uint64_t& next) {
    next = now.bits & ~kJoinInterest;
    if (!now.complete())
      next &= ~kJoinWaker;  // the slot is the JoinHandle's again: it clears it
    return true;
  });
}
// ANCHOR_END: join_impl

// ANCHOR: release_impl
// acq_rel: every release publishes what its thread did to the task (release),
// and the last one, which destroys it, must see all of that (acquire).
bool TaskStateWord::release(std::uint64_t count) {
  const Snapshot before{
      word_.fetch_sub(count * kOneReference, std::memory_order_acq_rel)};
  assert(before.references() >= count);
  return before.references() == count;
}
// ANCHOR_END: release_impl

}  // namespace art
