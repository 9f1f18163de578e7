#include "art/task_header.hpp"

#include "art/executor_core.hpp"

namespace art {

namespace {

TaskHeader& task(void* data) { return *static_cast<TaskHeader*>(data); }

// ANCHOR: task_waker
// An owned waker holds one of the task's references and releases it when
// dropped; cloning makes another owned waker. The waker a poll gets is the
// same pair, lent (see LentWaker): nothing to release.
RawWaker clone_task_waker(void* data);
void wake_owned(void* data) {
  task(data).schedule();
  task(data).release();
}
void wake_by_ref(void* data) { task(data).schedule(); }
void drop_owned(void* data) noexcept { task(data).release(); }

constexpr WakerVTable owned_vtable{clone_task_waker, wake_owned, wake_by_ref, drop_owned};

RawWaker clone_task_waker(void* data) {
  task(data).retain();
  return RawWaker{data, &owned_vtable};
}
// ANCHOR_END: task_waker

}  // namespace

// ANCHOR: release
void TaskHeader::release() noexcept {
  if (references_.fetch_sub(1, std::memory_order_acq_rel) != 1)
    return;
  // Read before the destructor runs: the slot goes back to the slab after.
  ExecutorCore* const executor = executor_;
  const TaskId id = this->id();
  this->~TaskHeader();  // virtual: destroys the whole TaskCell in place
  executor->free_task_slot(id);
}
// ANCHOR_END: release

TaskHeader::LentWaker TaskHeader::lend_waker() { return LentWaker(RawWaker{this, &owned_vtable}); }

bool TaskHeader::runs_on_current_thread() const { return executor_->is_current(); }

TaskId TaskHeader::id() const { return {index_, generation_, executor_->slab().serial()}; }

// ANCHOR: schedule
void TaskHeader::schedule() {
  State state = state_.load(std::memory_order_acquire);
  for (;;) {
    if (state == State::idle) {
      // acq_rel: acquire, to see the task as its last poll left it; release,
      // so that the poll that follows sees what the waker wrote before.
      if (state_.compare_exchange_weak(state, State::scheduled,
                                       std::memory_order_acq_rel)) {
        executor_->enqueue(this);  // the executor's reference covers the queue
        return;
      }
    } else if (state == State::running) {
      if (executor_->is_current()) {
        // Woken by itself, during its own poll (a yield): the only other
        // writers would be threads storing `notified` too, so no CAS needed.
        state_.store(State::notified, std::memory_order_relaxed);
        return;
      }
      // acq_rel, as above: the poll's end (finish_poll) reads this mark.
      if (state_.compare_exchange_weak(state, State::notified,
                                       std::memory_order_acq_rel))
        return;
    } else {
      return;  // queued, notified, being cancelled or finished: nothing to do
    }
  }
}
// ANCHOR_END: schedule

// ANCHOR: transitions
bool TaskHeader::finish_poll() {
  if (state_.load(std::memory_order_acquire) == State::notified) {
    state_.store(State::scheduled,
                 std::memory_order_relaxed);  // nobody else leaves notified
    return false;
  }
  State expected = State::running;
  if (state_.compare_exchange_strong(expected, State::idle,
                                     std::memory_order_acq_rel))
    return true;
  state_.store(State::scheduled, std::memory_order_release);  // it was notified
  return false;
}

TaskHeader::State TaskHeader::cancel() {
  State state = state_.load(std::memory_order_acquire);
  while (state == State::idle || state == State::scheduled) {
    // acq_rel, as in schedule(): the canceller sees the writes of whoever
    // changed the state last, and a later waker sees the claim.
    if (state_.compare_exchange_weak(state, State::cancelling,
                                     std::memory_order_acq_rel))
      break;  // `state` still holds the state it was cancelled from
  }
  // Otherwise unchanged: running or notified (a task cannot be cancelled
  // from inside its own poll), cancelling (claimed already) or done.
  return state;
}
// ANCHOR_END: transitions

}  // namespace art
