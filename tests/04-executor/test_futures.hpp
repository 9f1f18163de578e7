// Small futures that make an executor's behaviour observable in tests.
#pragma once

#include <atomic>
#include <exception>
#include <latch>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "art/context.hpp"
#include "art/poll.hpp"
#include "art/waker.hpp"

namespace art::testing {

// Counts how many of its instances were destroyed (moved-from ones excluded).
class Lifetime {
 public:
  explicit Lifetime(std::shared_ptr<std::atomic<int>> destroyed)
      : destroyed_(std::move(destroyed)) {}
  Lifetime(Lifetime&& other) noexcept = default;
  Lifetime& operator=(Lifetime&&) = delete;
  ~Lifetime() {
    if (destroyed_)
      destroyed_->fetch_add(1);
  }

 private:
  std::shared_ptr<std::atomic<int>> destroyed_;
};

// Pending forever, keeping the newest waker where the test can reach it.
class PendingForever {
 public:
  using Output = int;
  PendingForever(std::shared_ptr<std::atomic<int>> destroyed, std::shared_ptr<Waker> waker = {})
      : lifetime_(std::move(destroyed)), waker_(std::move(waker)) {}

  Poll<int> poll(Context& cx) {
    // Only a new waker is stored: a test may be waking the old one from
    // another thread, and rewriting a Waker while it is read is a data race.
    if (waker_ && !waker_->will_wake(cx.waker()))
      *waker_ = cx.waker();
    return pending;
  }

 private:
  Lifetime lifetime_;
  std::shared_ptr<Waker> waker_;
};

// Wakes its own task `wakes` times during its first poll, answers Pending,
// and is Ready on the next poll. Counts its polls.
class WakesItselfWhilePolled {
 public:
  using Output = int;
  WakesItselfWhilePolled(std::shared_ptr<int> polls, int wakes)
      : polls_(std::move(polls)), wakes_(wakes) {}

  Poll<int> poll(Context& cx) {
    if (++*polls_ > 1)
      return *polls_;
    for (int i = 0; i < wakes_; ++i)
      cx.waker().wake_by_ref();
    return pending;
  }

 private:
  std::shared_ptr<int> polls_;
  int wakes_;
};

// Ready at once with its value; the cheapest possible task.
class Immediately {
 public:
  using Output = int;
  explicit Immediately(int value) : value_(value) {}
  Poll<int> poll(Context& /*cx*/) const { return value_; }

 private:
  int value_;
};

// Woken by `threads` other threads during its first poll, which returns
// Pending only after every one of those wakes has returned: each wake meets
// the task running, on a thread that is not the executor's. Ready (with its
// poll count) on the next poll. A wake that throws is rethrown by the poll.
class WokenByOtherThreadsWhilePolled {
 public:
  using Output = int;
  WokenByOtherThreadsWhilePolled(std::shared_ptr<std::atomic<int>> polls, int threads)
      : polls_(std::move(polls)), threads_(threads) {}

  Poll<int> poll(Context& cx) {
    const int polls = polls_->fetch_add(1) + 1;
    if (polls > 1)
      return polls;
    std::exception_ptr error;
    std::mutex error_mutex;
    {
      std::vector<std::jthread> wakers;
      for (int t = 0; t < threads_; ++t)
        wakers.emplace_back([&] {
          try {
            cx.waker().wake_by_ref();
          } catch (...) {
            const std::lock_guard lock(error_mutex);
            error = std::current_exception();
          }
        });
    }  // joined: every wake has returned
    if (error)
      std::rethrow_exception(error);
    return pending;
  }

 private:
  std::shared_ptr<std::atomic<int>> polls_;
  int threads_;
};

// Lets a test hold a future's destructor halfway while another thread
// looks at the task. The destructor waits until resume(); the looking
// thread waits until the destructor is entered, or until the test gave up
// on it (the operation that should destroy it returned or threw): no path
// waits forever.
class DestructorPause {
 public:
  void enter() {  // the destructor's side
    entered_.store(true);
    resumed_.wait();
  }
  bool wait_until_entered() const {  // false if abandoned first
    while (!entered_.load()) {
      if (abandoned_.load())
        return false;
      std::this_thread::yield();
    }
    return true;
  }
  void resume() {  // idempotent: the looking thread and a guard may both call it
    if (!resumed_once_.exchange(true))
      resumed_.count_down();
  }
  void abandon() { abandoned_.store(true); }

 private:
  std::atomic<bool> entered_{false};
  std::atomic<bool> abandoned_{false};
  std::atomic<bool> resumed_once_{false};
  std::latch resumed_{1};
};

// Pending forever; its destructor pauses (see DestructorPause).
class PausesInItsDestructor {
 public:
  using Output = int;
  explicit PausesInItsDestructor(DestructorPause* pause) : pause_(pause) {}
  PausesInItsDestructor(PausesInItsDestructor&& other) noexcept
      : pause_(std::exchange(other.pause_, nullptr)) {}
  PausesInItsDestructor& operator=(PausesInItsDestructor&&) = delete;
  ~PausesInItsDestructor() {
    if (pause_ != nullptr)  // not moved from
      pause_->enter();
  }
  Poll<int> poll(Context& /*cx*/) { return pending; }

 private:
  DestructorPause* pause_;
};

// When the scope ends, however it ends: the looking thread gives up, and a
// destructor that pauses (now or later) goes on. Declared right after the
// executor, it is destroyed before it: a test that throws early (a stub
// reached before the shutdown) cannot leave ~Executor paused for ever.
struct AbandonAtScopeEnd {
  DestructorPause& pause;
  ~AbandonAtScopeEnd() {
    pause.abandon();
    pause.resume();
  }
};

}  // namespace art::testing
