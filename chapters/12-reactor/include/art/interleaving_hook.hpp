// interleaving_hook.hpp: a way for a test into the middle of a transition.
//
// Some mistakes are wrong only when another thread acts at one exact moment:
// a wake whose compare-and-swap fails because a second wake got there first,
// and which then keeps the answer it computed for the word it no longer
// sees; a worker that unlocks the scheduler's mutex between "the queue is
// empty" and its sleep. Those windows are a few instructions wide, and no
// test hits them by starting threads and hoping.
//
// So in one build of chapter 07, the library ch07-hooked that only that
// chapter's interleaving tests link (interleaving_test.cpp), the task state
// word's atomic is a HookedAtomic (see task_state_atomic.hpp) and the shared
// queue's mutex a HookedMutex: before each operation on the word, and before
// each lock of the mutex, they call the hook that the calling thread has
// installed, if any. A test's hook stops its thread there and lets another
// thread act (wake the task, schedule a task), then lets the first go on, at
// every step in turn. In every other build the word is a std::atomic and the
// mutex a std::mutex, and nothing costs more.
//
// Chapter 12 points the same hook at the IO slot's word (io_slot_atomic.hpp)
// and at the worker parker's mutex. In ch12-hooked, which only
// io_slot_hook_test.cpp and worker_parker_hook_test.cpp link, a reader's
// clear is stopped before each of its operations on the word, and the
// reactor's set lands there: a clear that checks the tick and then writes in
// a second step erases that set's event. And a park on the condition
// variable is stopped just before it locks the parker's mutex, and a whole
// unpark runs there: a park that said "I sleep on the condition variable"
// before it held the mutex would sleep through it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace art {

#ifdef ART_INTERLEAVING_HOOKS

namespace interleaving {

using Hook = void (*)(void* context);

struct Installed {
  Hook hook = nullptr;
  void* context = nullptr;
};

// Per thread: only the thread a test stops sees its hook.
inline thread_local Installed installed;

inline void before_operation() {
  if (installed.hook != nullptr)
    installed.hook(installed.context);
}

}  // namespace interleaving

// The operations of an integer std::atomic, each after the calling thread's
// hook. The memory orders are the caller's, passed through unchanged. The
// task state word needs a few of them; the IO slot's word (io_slot_atomic.hpp)
// is an exercise, so a student's clear may use any of them, and must compile
// here too.
template <class T>
class HookedAtomic {
 public:
  constexpr HookedAtomic(T value) noexcept : value_(value) {}  // NOLINT: as std::atomic

  T load(std::memory_order order = std::memory_order_seq_cst) const {
    interleaving::before_operation();
    return value_.load(order);
  }
  void store(T desired, std::memory_order order = std::memory_order_seq_cst) {
    interleaving::before_operation();
    value_.store(desired, order);
  }
  T exchange(T desired, std::memory_order order = std::memory_order_seq_cst) {
    interleaving::before_operation();
    return value_.exchange(desired, order);
  }
  bool compare_exchange_weak(T& expected, T desired, std::memory_order success,
                             std::memory_order failure) {
    interleaving::before_operation();
    return value_.compare_exchange_weak(expected, desired, success, failure);
  }
  bool compare_exchange_weak(T& expected, T desired,
                             std::memory_order order = std::memory_order_seq_cst) {
    interleaving::before_operation();
    return value_.compare_exchange_weak(expected, desired, order);
  }
  bool compare_exchange_strong(T& expected, T desired, std::memory_order success,
                               std::memory_order failure) {
    interleaving::before_operation();
    return value_.compare_exchange_strong(expected, desired, success, failure);
  }
  bool compare_exchange_strong(T& expected, T desired,
                               std::memory_order order = std::memory_order_seq_cst) {
    interleaving::before_operation();
    return value_.compare_exchange_strong(expected, desired, order);
  }
  T fetch_add(T arg, std::memory_order order = std::memory_order_seq_cst) {
    interleaving::before_operation();
    return value_.fetch_add(arg, order);
  }
  T fetch_sub(T arg, std::memory_order order = std::memory_order_seq_cst) {
    interleaving::before_operation();
    return value_.fetch_sub(arg, order);
  }
  T fetch_xor(T arg, std::memory_order order = std::memory_order_seq_cst) {
    interleaving::before_operation();
    return value_.fetch_xor(arg, order);
  }
  T fetch_and(T arg, std::memory_order order = std::memory_order_seq_cst) {
    interleaving::before_operation();
    return value_.fetch_and(arg, order);
  }
  T fetch_or(T arg, std::memory_order order = std::memory_order_seq_cst) {
    interleaving::before_operation();
    return value_.fetch_or(arg, order);
  }

 private:
  std::atomic<T> value_;
};

// A std::mutex that calls the hook before each lock, so that a test can
// act at the moment a worker is about to take (or take back) the lock.
class HookedMutex {
 public:
  void lock() {
    interleaving::before_operation();
    mutex_.lock();
  }
  bool try_lock() {
    interleaving::before_operation();
    return mutex_.try_lock();
  }
  void unlock() { mutex_.unlock(); }

 private:
  std::mutex mutex_;
};

// std::condition_variable waits only with a std::mutex: the hooked one
// needs condition_variable_any, whose wait unlocks and sleeps as one step
// too, and takes the lock back through HookedMutex::lock.
using SchedulerMutex = HookedMutex;
using SchedulerCondition = std::condition_variable_any;

#else

using SchedulerMutex = std::mutex;
using SchedulerCondition = std::condition_variable;

#endif

}  // namespace art
