// task_state_word.hpp: a task's whole state in one atomic word.
//
// With one thread, a task's state was an enum and its references a counter
// beside it. With many, a wake on one thread, a poll ending on another and
// an abort on a third all read and change both at once, and two separate
// atomics can be seen half-changed. So both live in one 64-bit word, and
// every change is a single atomic step from one whole word to the next:
//
//     63                                        6   5   4   3   2   1   0
//     ┌───────────────────────────────────────────┬───┬───┬───┬───┬───┬───┐
//     │ references                                │ W │ J │ X │ N │ C │ R │
//     └───────────────────────────────────────────┴───┴───┴───┴───┴───┴───┘
//
//     R  RUNNING        a worker is polling it (or cancelling it)
//     C  COMPLETE       the output is stored and the future destroyed
//     N  NOTIFIED       woken: it is in a queue, or goes back into one when
//                       the poll running it ends
//     X  CANCELLED      aborted: whoever runs it next destroys the future
//     J  JOIN_INTEREST  a JoinHandle still exists
//     W  JOIN_WAKER     the joiner's waker is stored, and is the completer's
//                       to read; without W it is the joiner's to write
//
// The rule that makes it safe: only the thread whose transition set RUNNING
// may touch the future, and a queue entry exists exactly while N is set and
// R is not (one entry at most, holding one reference), but for two windows
// where the task is not run anyway: between a wake's transition and its
// schedule() call, and after a closed scheduler refused the entry. And
// shutdown, once no worker runs, claims queued tasks too, then drops their
// entries. Every transition is
// a named function below, a compare-and-swap loop that re-reads the word
// when another thread got there first, or a single fetch-op where the
// outcome cannot depend on the other bits. The design is tokio's
// (runtime/task/state.rs); the code and the names of its cases are ours.
#pragma once

#include <atomic>
#include <cstdint>

#include "art/task_state_atomic.hpp"

namespace art {

// ANCHOR: snapshot
class TaskStateWord {
 public:
  static constexpr std::uint64_t kRunning = 1U << 0;
  static constexpr std::uint64_t kComplete = 1U << 1;
  static constexpr std::uint64_t kNotified = 1U << 2;
  static constexpr std::uint64_t kCancelled = 1U << 3;
  static constexpr std::uint64_t kJoinInterest = 1U << 4;
  static constexpr std::uint64_t kJoinWaker = 1U << 5;
  static constexpr std::uint64_t kOneReference = 1U << 6;

  // A copy of the word, to read the bits of.
  struct Snapshot {
    std::uint64_t bits;
    bool running() const { return (bits & kRunning) != 0; }
    bool complete() const { return (bits & kComplete) != 0; }
    bool notified() const { return (bits & kNotified) != 0; }
    bool cancelled() const { return (bits & kCancelled) != 0; }
    bool join_interest() const { return (bits & kJoinInterest) != 0; }
    bool join_waker() const { return (bits & kJoinWaker) != 0; }
    bool idle() const { return (bits & (kRunning | kComplete)) == 0; }
    std::uint64_t references() const { return bits / kOneReference; }
  };

  // A new task: queued (its first queue entry is the spawn), with a
  // JoinHandle, and three references: the queue entry's, the JoinHandle's,
  // and the runtime's list of live tasks'.
  TaskStateWord() : word_(kNotified | kJoinInterest | 3 * kOneReference) {}
  explicit TaskStateWord(std::uint64_t bits) : word_(bits) {}  // for tests

  Snapshot load() const { return {word_.load(std::memory_order_acquire)}; }
  // ANCHOR_END: snapshot

  // ANCHOR: poll_transitions
  // A worker took the task's queue entry: notified -> running.
  enum class ToRunning {
    run,        // poll it
    cancel,     // it was aborted: destroy the future instead
    not_yours,  // completed meanwhile (shut down): just drop the entry's reference
  };
  ToRunning to_running();

  // The poll returned Pending: running -> idle.
  enum class ToIdle {
    idle,     // drop the entry's reference: the next wake makes a new one
    requeue,  // woken during the poll: the same reference goes back into a queue
    cancel,   // aborted during the poll: still running, destroy the future now
  };
  ToIdle to_idle();

  // The output is stored (or the future cancelled and destroyed):
  // running -> complete. Returns the word as it was just before, whose
  // JOIN_WAKER bit says whether the joiner's waker must be woken.
  Snapshot to_complete();
  // ANCHOR_END: poll_transitions

  // ANCHOR: wake_transitions
  // A wake that keeps its waker: true if the caller must queue the task,
  // with the reference this transition took for the entry.
  bool to_notified_by_ref();

  // A wake that consumes its waker, and so one reference.
  enum class ByValue {
    nothing,  // running, queued or complete: the waker's reference is gone
    queue,    // the waker's reference now belongs to the new queue entry
    destroy,  // that was the last reference: the caller destroys the task
  };
  ByValue to_notified_by_value();

  // An abort, from any thread: true if the caller must queue the task (a
  // reference was taken), so that a worker cancels it.
  bool to_notified_and_cancelled();

  // Shutdown, once no worker runs: claims an idle task (sets RUNNING and
  // CANCELLED) so the caller may cancel it; false if it is complete.
  bool to_shutdown();
  // ANCHOR_END: wake_transitions

  // ANCHOR: join_transitions
  // The joiner stored its waker (while JOIN_WAKER was clear, the slot was
  // its own): hand the slot over. False if the task completed first; then
  // the slot is still the joiner's, and the output is ready.
  bool set_join_waker();
  // The joiner wants to store another waker: take the slot back. False if
  // the task completed first (the completer may be reading the old one).
  bool unset_join_waker();
  // The JoinHandle goes: clear JOIN_INTEREST, and JOIN_WAKER too unless the
  // task completed. Returns the word as it was before.
  Snapshot unset_join_interest();
  // ANCHOR_END: join_transitions

  // ANCHOR: references
  void retain() { word_.fetch_add(kOneReference, std::memory_order_relaxed); }
  // True if these were the last references: the caller destroys the task.
  bool release(std::uint64_t count = 1);
  // ANCHOR_END: references

 protected:  // not private: the explorer's tests plant a bug in a subclass
  // Runs `next` on the current word until the compare-and-swap succeeds;
  // `next` returns false to leave the word unchanged. Returns the word as
  // it was before (and, if changed, the new word in `after`).
  template <class Next>
  Snapshot update(Next next, Snapshot* after = nullptr);

 private:
  TaskStateAtomic<std::uint64_t> word_;  // std::atomic (see task_state_atomic.hpp)
};

// ANCHOR: update
// acq_rel on success: acquire, because the thread that changes the word
// next must see what the thread that changed it last wrote before (the
// poll's effects, the stored waker, the stored output); release, for the
// same reason the other way round. Acquire on failure: the loop decides on
// the word it read, so it must see what came with it.
template <class Next>
TaskStateWord::Snapshot TaskStateWord::update(Next next, Snapshot* after) {
  std::uint64_t current = word_.load(std::memory_order_acquire);
  for (;;) {
    std::uint64_t desired = current;
    if (!next(Snapshot{current}, desired))
      return Snapshot{current};
    if (word_.compare_exchange_weak(current, desired, std::memory_order_acq_rel,
                                    std::memory_order_acquire)) {
      if (after != nullptr)
        *after = Snapshot{desired};
      return Snapshot{current};
    }
  }
}
// ANCHOR_END: update

}  // namespace art
