// task_header.hpp: what a runtime knows about every task, whatever it runs.
//
// Chapter 06's header had a state enum, a separate reference count, and an
// executor that only its own thread touched. Here any worker polls the task,
// any thread wakes, aborts or joins it, so the header is built around one
// atomic word, TaskStateWord (task_state_word.hpp), and the rule it enforces: only the
// thread whose transition set RUNNING touches the future.
//
//   wake_by_ref()   to_notified_by_ref(), then queue the task if told to
//   wake()          the same for an owned waker, consuming its reference
//   release()       drops references; the last destroys the task
//
// A waker is the task itself, as before. The one lent to a poll stands for
// the reference that the poll's queue entry holds, so it takes none;
// cloning it takes one.
#pragma once

#include <cstdint>

#include "art/context.hpp"
#include "art/task_id.hpp"
#include "art/task_state_word.hpp"
#include "art/waker.hpp"

namespace art {

class RuntimeCore;

// ANCHOR: header
// NOLINTNEXTLINE(cppcoreguidelines-virtual-class-destructor): destroy() destroys it
class TaskHeader {
 public:
  TaskHeader(const TaskHeader&) = delete;
  TaskHeader& operator=(const TaskHeader&) = delete;

  TaskStateWord& state() { return state_; }
  TaskId id() const { return id_; }
  RuntimeCore& runtime() const { return *runtime_; }

  void retain() { state_.retain(); }
  void release(std::uint64_t count = 1) noexcept {
    if (state_.release(count))
      destroy();
  }

  class LentWaker;
  LentWaker lend_waker();  // for a poll: owns no reference, clones take one
  void wake_by_ref();
  void wake_by_value();  // consumes one reference
  void abort();          // from any thread: a worker cancels it

  virtual bool poll_future(Context& cx) = 0;  // true once the output is stored
  virtual void drop_future() noexcept = 0;    // cancellation: destroy the future now
  virtual void wake_joiner() = 0;             // the JoinHandle's stored waker
  virtual void drop_output() noexcept = 0;    // nobody will take it: free it now

  TaskHeader* prev = nullptr;  // the runtime's list of live tasks (OwnedTasks)
  TaskHeader* next = nullptr;
  TaskHeader* queue_next = nullptr;  // a scheduler's queue (RunQueue)
  // How many times the task was queued: its spawn and every wake since.
  // Only whoever holds the task's queue entry reads or writes it (one
  // entry exists at a time), and the entry's hand-overs order those
  // accesses, as they order `queue_next`'s. The hybrid scheduler's priority.
  std::uint32_t times_scheduled = 0;

 protected:
  TaskHeader(RuntimeCore* runtime, TaskId id) : runtime_(runtime), id_(id) {}
  virtual ~TaskHeader() = default;
  virtual void destroy() noexcept = 0;  // runs the destructor, frees the memory
  static void task_freed(RuntimeCore* runtime) noexcept;  // the last step of destroy()

 private:
  TaskStateWord state_;
  RuntimeCore* runtime_;  // outlives every task it made (RuntimeCore::task_freed)
  TaskId id_;
};
// ANCHOR_END: header

// ANCHOR: lent_waker
// The task's waker for the length of one poll, backed by the reference of
// the queue entry being run: forgotten, not dropped, when the poll is over.
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
