// countdown.hpp: how the benchmark's thread of a multi-threaded program learns that the
// tasks it started are done: an atomic count of what is left and a condition variable
// that the last task signals. Tokio's multi-threaded benches say "done" on a
// std::sync::mpsc channel; every multi-threaded program here (threaded_peer.hpp's,
// contended.cpp) uses this same Countdown, on every side.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace art::bench {

// How long the benchmark's thread waits for "done" before it calls the workload broken: a
// lost wake-up must end in an error, not in a hang. A healthy iteration takes
// milliseconds.
inline constexpr std::chrono::seconds kDoneTimeout{10};

// Tokio's `rem` and its "done" channel. reset() arms it for one iteration, before
// anything is spawned; count_down() is called from any worker; wait() is the benchmark
// thread's recv(). One Countdown serves every iteration of a benchmark and outlives its
// workers, so a worker still inside count_down() when the benchmark's thread moves on
// touches nothing that is gone.
class Countdown {
 public:
  void reset(int count) {
    // Relaxed: whatever the workers read of it comes to them through the spawn (or post)
    // that hands them their first task, which takes the run queue's mutex after this
    // store.
    left_.store(count, std::memory_order_relaxed);
    std::lock_guard lock(mutex_);
    done_ = false;
  }

  void count_down() {
    // acq_rel: each decrement releases what its task wrote (the yields it counted, a
    // wrong answer) and acquires what the earlier ones released, so the last one carries
    // all of it to open(), whose mutex hands it to the benchmark's thread.
    if (left_.fetch_sub(1, std::memory_order_acq_rel) == 1)
      open();
  }

  // True once the count reached zero; false after kDoneTimeout without it.
  bool wait() {
    std::unique_lock lock(mutex_);
    return done_arrived_.wait_for(lock, kDoneTimeout, [this] { return done_; });
  }

 private:
  void open() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_arrived_.notify_one();
  }

  std::atomic<int> left_{0};
  std::mutex mutex_;
  std::condition_variable done_arrived_;
  bool done_ = false;  // guarded by mutex_
};

}  // namespace art::bench
