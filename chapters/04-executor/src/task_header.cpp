#include "art/task_header.hpp"

#include "art/executor_core.hpp"

namespace art {

namespace {

TaskHeader& task(void* data) { return *static_cast<TaskHeader*>(data); }

// ANCHOR: task_waker
// The task's waker: the data pointer is the task, every reference held by a
// Waker is one of the task's references.
RawWaker clone_task_waker(void* data);
void wake_task(void* data) {
  task(data).schedule();
  task(data).release();  // wake() consumes the Waker's reference
}
void wake_task_by_ref(void* data) { task(data).schedule(); }
void drop_task_waker(void* data) noexcept { task(data).release(); }

constexpr WakerVTable task_waker_vtable{clone_task_waker, wake_task, wake_task_by_ref,
                                        drop_task_waker};

RawWaker clone_task_waker(void* data) {
  task(data).retain();
  return RawWaker{data, &task_waker_vtable};
}
// ANCHOR_END: task_waker

}  // namespace

void TaskHeader::release() noexcept {
  // acq_rel: the thread that frees the task must see every write made by the
  // threads that released their references before it.
  if (references_.fetch_sub(1, std::memory_order_acq_rel) == 1)
    delete this;
}

Waker TaskHeader::waker() {
  retain();
  return Waker(RawWaker{this, &task_waker_vtable});
}

bool TaskHeader::runs_on_current_thread() const { return executor_->is_current(); }

// ANCHOR: schedule
void TaskHeader::schedule() {
  // EXERCISE 4.1: wake the task: enqueue it if idle, mark it notified if running
  // HINT: load state_, then loop on compare_exchange_weak. idle -> scheduled:
  // the queue entry needs its own reference, so retain() and then
  // executor_->enqueue(this). running -> notified: nothing else to do, the
  // executor re-queues it after the poll. scheduled, notified, done: return.
  State state = state_.load(std::memory_order_acquire);
  for (;;) {
    if (state == State::idle) {
      if (state_.compare_exchange_weak(state, State::scheduled, std::memory_order_acq_rel)) {
        retain();  // the queue entry's reference
        enqueue_or_unschedule();
        return;
      }
    } else if (state == State::running) {
      if (state_.compare_exchange_weak(state, State::notified, std::memory_order_acq_rel))
        return;
    } else {
      return;  // already queued, already notified, or finished: nothing to do
    }
  }
  // END EXERCISE
}
// ANCHOR_END: schedule

// ANCHOR: transitions
bool TaskHeader::start_running() {
  State expected = State::scheduled;
  return state_.compare_exchange_strong(expected, State::running, std::memory_order_acq_rel);
}

bool TaskHeader::finish_poll() {
  // EXERCISE 4.2: leave the running state after a Pending poll
  // HINT: compare_exchange_strong running -> idle. If that fails the task
  // was notified during the poll: store scheduled and return false, so the
  // executor puts it back on the queue once.
  State expected = State::running;
  if (state_.compare_exchange_strong(expected, State::idle, std::memory_order_acq_rel))
    return true;
  state_.store(State::scheduled, std::memory_order_release);  // it was notified
  return false;
  // END EXERCISE
}

bool TaskHeader::cancel() {
  // acq_rel, as in schedule(): whoever wins sees the task's last writes and
  // makes its own visible to the next thread that looks at the state.
  State state = state_.load(std::memory_order_acquire);
  while (state != State::done && state != State::cancelling) {
    if (state_.compare_exchange_weak(state, State::cancelling, std::memory_order_acq_rel))
      return true;
  }
  return false;
}
// ANCHOR_END: transitions

// ANCHOR: unschedule
// The task was just moved to `scheduled` by this thread, which now owns the
// queue entry. If the push fails (out of memory), the task must not stay
// scheduled in no queue, where every later wake would find it "queued" and
// do nothing: give the entry back and let the error reach whoever woke it.
// A later wake then queues it normally.
void TaskHeader::enqueue_or_unschedule() {
  try {
    executor_->enqueue(this);
  } catch (...) {
    unschedule();
    throw;
  }
}

void TaskHeader::unschedule() noexcept {
  State expected = State::scheduled;  // fails only if shutdown cancelled it meanwhile
  state_.compare_exchange_strong(expected, State::idle, std::memory_order_acq_rel);
  release();  // the reference the queue entry would have held
}
// ANCHOR_END: unschedule

}  // namespace art
