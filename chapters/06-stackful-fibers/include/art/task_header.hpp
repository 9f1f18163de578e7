// task_header.hpp: what an executor knows about every task, whatever it runs.
//
// The state machine is chapter 04's:
//
//     idle ──wake──▶ scheduled ──executor pops──▶ running ──Pending──▶ idle
//                        ▲                         │   │
//                        │                       wake  Ready (or threw)
//                        │                         ▼   ▼
//                        └──── after the poll ─ notified   done
//
//     idle or scheduled ──cancel──▶ cancelling ──future destroyed──▶ done
//
// `cancelling` is a claim: the canceller (abort or shutdown) destroys the
// future while wakes are ignored and a joiner does not yet see the task
// done; only then does mark_done() publish it.
//
// What changed is where the task lives and what it costs to keep it alive:
//
//   * The task is built in a slot of the executor's TaskSlab, not with new,
//     and its TaskId (slot index + generation + executor) names it. The
//     last release destroys the task in place and hands the slot back.
//
//   * No shared_ptr to the executor in every task (a lock-prefixed
//     increment at spawn, a decrement at the end). The slab counts the slots
//     in use instead, and an executor destroyed while some are still held
//     (by a Waker or JoinHandle kept elsewhere) lives on until the last one
//     is freed.
//
//   * Fewer reference-count operations. In chapter 04 every queue entry and
//     every poll's Waker took a reference: four atomic operations per poll
//     that protected nothing the executor did not already protect. Now the
//     executor holds one reference from spawn until the task is done, and
//     that reference covers the task's time in a queue too (a scheduled task
//     cannot be done, so it cannot lose it). The Waker a poll hands out is
//     *lent*: a LentWaker stands for the executor's own reference and gives
//     it up without releasing it when the poll ends, so only cloning it (a
//     future keeping it for later) takes a reference. It is the same waker
//     (same data, same vtable) as the clones, so a future that kept a clone
//     sees `will_wake` and does not clone again on the next poll.
//
//   * The queues are intrusive: `queue_next` links the task into the run
//     queue or the channel, which therefore never allocate.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "art/context.hpp"
#include "art/interleaving_hook.hpp"
#include "art/task_id.hpp"
#include "art/waker.hpp"

namespace art {

class ExecutorCore;

// ANCHOR: header
// ANCHOR: header_api
// NOLINTNEXTLINE(cppcoreguidelines-virtual-class-destructor): release() destroys it
class TaskHeader {
 public:
  enum class State : std::uint8_t {
    idle,
    scheduled,
    running,
    notified,
    cancelling,
    done
  };

  TaskHeader(const TaskHeader&) = delete;
  TaskHeader& operator=(const TaskHeader&) = delete;

  void retain() noexcept { references_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept;  // the last one destroys the task and frees its slot

  class LentWaker;
  LentWaker lend_waker();  // for a poll: owns no reference, clones take one
  void schedule();         // what waking the task does
  // ANCHOR_END: header_api

  // ANCHOR: header_transitions
  // The executor's side of the state machine.
  bool start_running() {  // scheduled -> running; false if it was cancelled
    // A plain store is enough: no other thread ever moves a task out of
    // `scheduled` (a wake finds it queued already and does nothing), and
    // cancel() runs on the executor's thread, which is this one.
    if (state_.load(std::memory_order_acquire) != State::scheduled)
      return false;
    state_.store(State::running, std::memory_order_relaxed);
    return true;
  }
  bool finish_poll();  // running -> idle; false if notified (then: scheduled)
  State cancel();      // idle or scheduled -> cancelling; returns the state it left
  // Publishes the stored output, or a cancelled task's destroyed future:
  // release pairs with the acquire in is_done().
  void mark_done() { state_.store(State::done, std::memory_order_release); }
  bool is_done() const { return state_.load(std::memory_order_acquire) == State::done; }
  bool runs_on_current_thread() const;  // is this thread running its executor now?

  TaskId id() const;  // the slot's index and generation, the executor's serial
  // ANCHOR_END: header_transitions

  virtual bool poll_future(Context& cx) = 0;  // true once the output is stored
  virtual void drop_future() noexcept = 0;    // cancellation: destroy the future now
  virtual void notify_joiner() = 0;           // the output (or cancellation) is there

  // ANCHOR: header_fields
  TaskHeader* prev = nullptr;  // the executor's live list (TaskList)
  TaskHeader* next = nullptr;
  TaskHeader* queue_next = nullptr;  // the run queue or the channel (RunQueue)

 protected:
  TaskHeader(ExecutorCore* executor, TaskId id)
      : executor_(executor), generation_(id.generation), index_(id.index) {}
  virtual ~TaskHeader() = default;

 private:
  // Two references at spawn: the executor's (live list and queues) and the JoinHandle's.
  std::atomic<std::uint32_t> references_{2};
  TaskStateAtomic<State> state_{State::scheduled};  // std::atomic (interleaving_hook.hpp)
  ExecutorCore* executor_;    // kept alive while any task slot is in use (TaskSlab)
  std::uint64_t generation_;  // the TaskId without the executor's serial, which
  std::uint32_t index_;       // the executor knows: the header fits in 64 bytes
};
// ANCHOR_END: header_fields
// ANCHOR_END: header

// ANCHOR: lent_waker
// The task's waker for the length of one poll, backed by the executor's
// reference: forgotten, not dropped, when the poll is over.
class TaskHeader::LentWaker {
 public:
  explicit LentWaker(RawWaker raw) : waker_(raw) {}
  ~LentWaker() { (void)std::move(waker_).into_raw(); }
  LentWaker(const LentWaker&) = delete;
  LentWaker& operator=(const LentWaker&) = delete;
  const Waker& get() const { return waker_; }

 private:
  Waker waker_;
};
// ANCHOR_END: lent_waker

}  // namespace art
