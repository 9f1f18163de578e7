// timer_driver.hpp: the timers of a runtime, driven by its reactor thread.
//
// The problem. Chapter 02 gave timers a thread of their own, which sleeps
// until the earliest deadline and wakes wakers. A runtime with a reactor
// already has a thread that sleeps, in epoll_wait, and epoll_wait takes a
// timeout: a second sleeping thread, and a context switch per fired timer,
// buy nothing. So the reactor drives the timers, in two calls around its
// wait:
//
//   timeout = driver.next_timeout(now)   how long may I sleep? (ms, or -1)
//   epoll_wait(..., timeout)
//   driver.fire_due(now)                 wake every timer that is due
//
// Any thread may add a timer (a task's first poll of a sleep, on a worker)
// while the reactor sleeps. If that timer is earlier than the deadline the
// reactor went to sleep for, the reactor must wake up and sleep again for
// less: the driver then calls its wake callback, which the reactor
// implements by writing to its eventfd.
//
// The idea. A TimerWheel (timer_wheel.hpp) holds the deadlines, and, beside
// its slab, the driver keeps each timer's waker at the same index. The
// futures hold only a TimerId (index and generation): moving a future moves
// two integers, and nothing points into it. Everything is behind one mutex,
// and every change another thread can see is one of these operations, each
// one critical section:
//
//   register_timer   a new timer and its waker; calls the wake callback
//                    (after unlocking) if the earliest slot is now earlier
//                    than the one next_timeout last reported
//   update_waker     the future was polled again: keep the newest waker;
//                    false when the timer has fired (the future is Ready)
//   cancel           the future was dropped: the entry is freed at once
//   fire_due         take the due timers' wakers out, a batch at a time,
//                    and wake them after unlocking
//   next_timeout     report the earliest slot, and remember it
//
// The invariants. A timer's waker is taken out by exactly one of fire_due
// and cancel: both first remove the entry from the wheel, under the lock,
// and whoever finds it already gone (a stale TimerId) does nothing. So a
// waker is woken at most once, never after a cancel returned true, and the
// entry is freed once. No waker is woken or dropped while the lock is held:
// a wake or a drop runs a task's code (a drop may free a task whose futures
// cancel their own timers, which would take the lock again), so both happen
// after unlocking; only clones (a reference count) happen inside. No timer
// fires early: deadlines are rounded up to whole milliseconds, the times
// given to fire_due down, and next_timeout rounds up too.
//
// No atomics: the mutex orders everything, and the reactor takes it twice
// per turn (more only with more than 32 timers due at once). The lock is
// held for O(1) work per timer (see the wheel).
//
// What it costs over the bare wheel (bench/timers.cpp, CPU ns per timer,
// ranges over four runs): insert 70..78 against 13..20, cancel 28..40
// against 5..10, fire 67..191 against 41..55, and 76..85 per turn of the
// reactor with nothing due against 15..21. The lock accounts for part;
// the rest is the waker table, a second random access per timer (profiled:
// the load of the waker that fire_due moves out is the hottest line). The
// waker could live in the wheel's node instead; the wheel is kept free of
// wakers so that it can be read, and tested, as a data structure alone.
//
// Allocation. The wheel's slab and the waker table grow to the most timers
// the program holds at once and are reused afterwards: after warm-up a
// sleep allocates nothing (tests/12-reactor/timer_driver_test.cpp checks it
// with the allocation counter).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "art/timer_wheel.hpp"
#include "art/waker.hpp"

namespace art {

using Clock = std::chrono::steady_clock;

// ANCHOR: timer_driver
class TimerDriver {
 public:
  // Tick 0 of the wheel is `origin`; tests pass a fixed time point and then
  // give every call a time of their own making.
  explicit TimerDriver(Clock::time_point origin = Clock::now());
  TimerDriver(const TimerDriver&) = delete;
  TimerDriver& operator=(const TimerDriver&) = delete;

  // Called, on the thread that registers, when a new timer's slot is earlier
  // than the one next_timeout last reported. Set it before the driver is
  // shared; it must not throw.
  void set_wake_callback(std::function<void()> callback);

  // A timer that wakes `waker` at `deadline`. nullopt: the deadline has
  // already passed by the driver's clock (now()), nothing was registered.
  std::optional<TimerId> register_timer(Clock::time_point deadline, const Waker& waker);
  // Keeps `waker` as the one to wake. False: the timer has fired (or was
  // cancelled), nothing was kept.
  bool update_waker(TimerId id, const Waker& waker);
  // Removes a timer that has not fired; false, harmlessly, if it has.
  bool cancel(TimerId id);

  // Milliseconds from `now` until the earliest occupied slot, rounded up,
  // for epoll_wait; 0 if it has passed, -1 if no timer is set.
  int next_timeout(Clock::time_point now);
  // Wakes every timer whose deadline is <= now; returns how many.
  std::size_t fire_due(Clock::time_point now);

  // The driver's clock: the latest time given to fire_due, in whole ms.
  Clock::time_point now() const;
  std::size_t pending() const;    // timers registered, not fired or cancelled
  std::size_t slab_size() const;  // entries ever needed at once

 private:
  // Wakers are woken after unlocking, this many per critical section.
  static constexpr std::size_t kFireBatch = 32;
  static constexpr std::uint64_t kNothingReported = UINT64_MAX;

  std::uint64_t tick_at_or_after(Clock::time_point time) const;
  std::uint64_t tick_at_or_before(Clock::time_point time) const;
  Clock::time_point time_of(std::uint64_t tick) const;
  std::size_t fire_batch(std::uint64_t tick, std::array<Waker, kFireBatch>& batch);

  const Clock::time_point origin_;
  std::function<void()> wake_callback_;
  mutable std::mutex mutex_;
  TimerWheel wheel_;                           // guarded by mutex_
  std::vector<Waker> wakers_;                  // guarded; index = the entry's slab index
  std::uint64_t reported_ = kNothingReported;  // guarded; next_timeout's slot
};
// ANCHOR_END: timer_driver

// The driver of the runtime whose thread calls it. Throws std::logic_error
// until a runtime has a reactor that drives one; until then, pass a driver
// to the futures explicitly.
TimerDriver& current_timer_driver();

}  // namespace art
