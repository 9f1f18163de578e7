// timer_thread.hpp: one background thread that fires every timer.
//
// A TimerFuture cannot sleep inside poll (poll never blocks), so somebody
// else must watch the clock and wake it. The simplest answer, a thread per
// timer, costs a stack and a kernel thread for every sleeping future. One
// thread serves them all instead: it keeps the deadlines in a min-heap,
// sleeps with condition_variable::wait_until until the earliest one, and
// fires it by waking the waker its future left behind.
//
// Entries hold a weak_ptr to the timer's state. A timer dropped before its
// deadline frees its state at once; the entry then finds nothing to fire.
// Chapter 12 retires this thread: the reactor's epoll_wait timeout does the
// same job without a thread of its own.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "art/waker.hpp"

namespace art {

using Clock = std::chrono::steady_clock;

// What a TimerFuture shares with the timer thread.
struct TimerState {
  std::mutex mutex;
  bool fired = false;
  Waker waker;  // the newest waker the timer was polled with
};

// ANCHOR: timer_thread
class TimerThread {
 public:
  static TimerThread& global();  // started on first use, stopped at exit

  void schedule(Clock::time_point deadline, std::weak_ptr<TimerState> timer);

  ~TimerThread();

 private:
  struct Entry {
    Clock::time_point deadline;
    std::weak_ptr<TimerState> timer;
    bool operator>(const Entry& other) const { return deadline > other.deadline; }
  };

  TimerThread();
  void run();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> entries_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once everything above exists
};
// ANCHOR_END: timer_thread

}  // namespace art
