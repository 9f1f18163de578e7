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
  // HINT: a wake is a state transition, decided atomically: only the wake
  // that finds the task idle may queue it (one queue entry per idle period,
  // however many threads wake it), and a wake that finds it running must
  // leave a mark instead of being lost. Every other state: nothing to do.
  // HINT 2: the state can change between your load and your store, so the
  // transition is a compare-and-swap retried with the value it found. A
  // queue entry owns a reference of its own: take it before the task can be
  // popped. If the queue refuses the task, see enqueue_or_unschedule.
  // HINT 3: the shape is one loop over the state seen last, with one branch
  // per state that needs a change and a return for the others.
  State state = state_.load(std::memory_order_acquire);
  for (;;) {
    if (state == State::idle) {
      if (state_.compare_exchange_weak(state, State::scheduled,
                                       std::memory_order_acq_rel)) {
        retain();  // the queue entry's reference
        enqueue_or_unschedule();
        return;
      }
    } else if (state == State::running) {
      if (state_.compare_exchange_weak(state, State::notified,
                                       std::memory_order_acq_rel))
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
  return state_.compare_exchange_strong(expected, State::running,
                                        std::memory_order_acq_rel);
}

bool TaskHeader::cancel() {
  // acq_rel, as in schedule(): whoever wins sees the task's last writes and
  // makes its own visible to the next thread that looks at the state.
  State state = state_.load(std::memory_order_acquire);
  while (state == State::idle || state == State::scheduled) {
    if (state_.compare_exchange_weak(state, State::cancelling,
                                     std::memory_order_acq_rel))
      return true;
  }
  return false;
}
// ANCHOR_END: transitions

// ANCHOR: finish_poll
bool TaskHeader::finish_poll() {
  // EXERCISE 4.2: leave the running state after a Pending poll; requeue the task if woken
  // HINT: after a Pending poll the task goes back to idle, unless a wake
  // arrived during the poll: that wake must cost exactly one more poll,
  // never none (a lost wake-up) and never two. So the task either waits
  // for its next wake or goes back to the run queue once, with a reference
  // of its own for that entry, as a wake would have queued it.
  // HINT 2: another thread may mark the task notified at the very moment
  // you leave running, so leaving it is one atomic compare-and-swap; what
  // the swap reports tells you which case you are in, and finish_poll's
  // result tells the executor whether requeue must run. A push can fail for
  // lack of memory: the task must not then stay scheduled in no queue.
  // HINT 3: finish_poll is one attempt at the swap and one fallback when it
  // fails; requeue has the shape of a wake's enqueue_or_unschedule.
  State expected = State::running;
  if (state_.compare_exchange_strong(expected, State::idle, std::memory_order_acq_rel))
    return true;
  state_.store(State::scheduled, std::memory_order_release);  // it was notified
  return false;
  // END EXERCISE
}
// ANCHOR_END: finish_poll

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
