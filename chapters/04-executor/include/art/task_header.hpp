// task_header.hpp: what an executor knows about every task, whatever it runs.
//
// A spawned task is a future plus this header. The header carries two
// things, both atomic because a task may be woken from any thread:
//
// A reference count. The task's memory is shared by everyone who may still
// touch it: the executor's list of live tasks, an entry in a run queue, the
// JoinHandle, and every Waker cloned from it. The last release frees it, so
// a waker kept by a timer thread after the executor has moved on can still be
// woken safely; it just finds a finished task.
//
// A state machine that decides who polls the task, and when:
//
//     idle ──wake──▶ scheduled ──executor pops──▶ running ──Pending──▶ idle
//                        ▲                         │   │
//                        │                       wake  Ready (or threw)
//                        │                         ▼   ▼
//                        └──── after the poll ─ notified   done
//
//     idle or scheduled ──cancel──▶ cancelling ──future destroyed──▶ done
//
//   idle       waiting for a wake; in no queue
//   scheduled  in exactly one queue (the run queue or the channel), waiting
//   running    being polled now
//   notified   woken while running: after this poll it goes to the back of
//              the queue once, instead of being lost (a wake during the poll
//              must not be dropped) or queued twice (a wake must not make two
//              executors' worth of polls)
//   cancelling claimed by shutdown: its future is being destroyed; wakes
//              are ignored, and a joiner does not see it done yet
//   done       finished or cancelled; never polled again, wakes are ignored
//
// Only the first wake of an idle task enqueues it, so a task is in at most
// one queue at any time however many threads wake it.
//
// The task is its own waker: the Waker handed to its future points at this
// header, and waking it is schedule().
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "art/context.hpp"
#include "art/interleaving_hook.hpp"
#include "art/waker.hpp"

namespace art {

class ExecutorCore;

// ANCHOR: header
// ANCHOR: header_api
// NOLINTNEXTLINE(cppcoreguidelines-virtual-class-destructor): release() destroys it
class TaskHeader {
 public:
  enum class State : std::uint8_t {
    idle, scheduled, running, notified, cancelling, done
  };

  TaskHeader(const TaskHeader&) = delete;
  TaskHeader& operator=(const TaskHeader&) = delete;

  void retain() noexcept { references_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept;

  Waker waker();    // a new reference, as a Waker
  void schedule();  // what waking the task does

  // The executor's side of the state machine.
  bool start_running();  // scheduled -> running; false if cancelled
  bool finish_poll();    // running -> idle; false if notified (now scheduled)
  bool cancel();         // idle/scheduled -> cancelling; false otherwise
  // Just made scheduled: queue it, or undo (unschedule) if the push fails.
  void enqueue_or_unschedule();
  void unschedule() noexcept;  // scheduled -> idle: it could not be queued
  // Publishes the output, or a cancelled task's destroyed future:
  // release pairs with the acquire in is_done().
  void mark_done() { state_.store(State::done, std::memory_order_release); }
  bool is_done() const {
    return state_.load(std::memory_order_acquire) == State::done;
  }
  bool runs_on_current_thread() const;  // this thread runs its executor now?

  virtual bool poll_future(Context& cx) = 0;  // true once the output is stored
  virtual void drop_future() noexcept = 0;    // cancellation: destroy it now
  virtual void notify_joiner() = 0;           // the output (or cancellation) is there

  // ANCHOR_END: header_api
  // ANCHOR: header_fields
  // Links of the executor's list of live tasks (TaskList); owner thread only.
  TaskHeader* prev = nullptr;
  TaskHeader* next = nullptr;

 protected:
  explicit TaskHeader(std::shared_ptr<ExecutorCore> executor)
      : executor_(std::move(executor)) {}
  virtual ~TaskHeader() = default;

 private:
  // Three references at spawn: the live-task list, the run queue, the JoinHandle.
  std::atomic<std::uint32_t> references_{3};
  TaskStateAtomic<State> state_{State::scheduled};  // std::atomic (interleaving_hook.hpp)
  std::shared_ptr<ExecutorCore> executor_;  // where schedule() sends the task
};
// ANCHOR_END: header_fields
// ANCHOR_END: header

}  // namespace art
