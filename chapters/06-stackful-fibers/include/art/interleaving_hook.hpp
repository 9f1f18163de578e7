// interleaving_hook.hpp: a way for a test into the middle of a transition.
//
// A task's state moves by atomic operations, and some mistakes are wrong only
// when another thread acts between two of them: a wake written as a load and
// then a store, say, instead of one compare-and-swap. That window is one
// instruction wide, and no test hits it by starting threads and hoping.
//
// So in one build of this chapter, the library chNN-hooked that only the
// chapter's interleaving tests link (interleaving_test.cpp), a task's state
// is a HookedAtomic: before each operation on it, it calls the hook that the
// calling thread has installed, if any. A test's hook stops its thread
// there, lets another thread wake the task, and then lets the first go on,
// at every step of a transition in turn. In every other build
// TaskStateAtomic is std::atomic and costs nothing. Chapter 09's schedule
// explorer grows out of the same idea.
#pragma once

#include <atomic>

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

// The operations a task's state needs, each after the calling thread's hook.
template <class T>
class HookedAtomic {
 public:
  constexpr HookedAtomic(T value) noexcept : value_(value) {}  // NOLINT: as std::atomic

  T load(std::memory_order order = std::memory_order_seq_cst) const {
    interleaving::before_operation();
    return value_.load(order);
  }
  void store(T value, std::memory_order order = std::memory_order_seq_cst) {
    interleaving::before_operation();
    value_.store(value, order);
  }
  T exchange(T value, std::memory_order order = std::memory_order_seq_cst) {
    interleaving::before_operation();
    return value_.exchange(value, order);
  }
  bool compare_exchange_weak(T& expected, T desired,
                             std::memory_order order = std::memory_order_seq_cst) {
    interleaving::before_operation();
    return value_.compare_exchange_weak(expected, desired, order);
  }
  bool compare_exchange_weak(T& expected, T desired, std::memory_order success,
                             std::memory_order failure) {
    interleaving::before_operation();
    return value_.compare_exchange_weak(expected, desired, success, failure);
  }
  bool compare_exchange_strong(T& expected, T desired,
                               std::memory_order order = std::memory_order_seq_cst) {
    interleaving::before_operation();
    return value_.compare_exchange_strong(expected, desired, order);
  }
  bool compare_exchange_strong(T& expected, T desired, std::memory_order success,
                               std::memory_order failure) {
    interleaving::before_operation();
    return value_.compare_exchange_strong(expected, desired, success, failure);
  }

 private:
  std::atomic<T> value_;
};

template <class T>
using TaskStateAtomic = HookedAtomic<T>;

#else

template <class T>
using TaskStateAtomic = std::atomic<T>;

#endif

}  // namespace art
