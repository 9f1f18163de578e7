// worker_parker.hpp: a worker's sleep, on its condition variable or in the driver.
//
// Chapter 01's Parker sleeps on a condition variable, and unpark() notifies
// it. A worker that may sleep in the reactor's driver instead (driver.hpp)
// needs a parker that knows *where* it sleeps, because a notify does not
// reach a thread in epoll_wait, and an eventfd write does not reach a
// thread on a condition variable. Its state is one word (tokio's
// runtime/scheduler/multi_thread/park.rs keeps the same four):
//
//     empty ──park: driver free──▶ parked_driver ──turn returns──▶ empty
//       │   ──park: driver held──▶ parked_condvar ──notified─────▶ empty
//       └───────unpark──────────▶ notified ──park, at once──────▶ empty
//
//   empty            awake, or about to sleep; no unpark waiting
//   parked_condvar   asleep on the condition variable
//   parked_driver    asleep in the driver's turn
//   notified         an unpark that no park has consumed yet
//
// unpark() is one exchange to `notified`, and what it replaced says what
// to do: nothing (empty: the next park returns at once; notified: already
// told), notify the condition variable, or interrupt the driver.
//
// The invariant, the same as chapter 01's with two ways to sleep:
//
//   A parker goes to sleep only through a compare-and-swap from `empty` to
//   the place it sleeps in, made before it sleeps there. An unpark's
//   exchange comes either before that CAS (which then fails: the park sees
//   `notified` and returns) or after it (and then names the place).
//
// The place must still hear the wake if it comes between the CAS and the
// sleep itself. The condition variable does because the parker holds its
// mutex from the CAS to the wait, and unpark takes the mutex before it
// notifies. The driver does because interrupt() writes the eventfd, which
// stays readable: an epoll_wait that starts after the write returns at once.
//
// A driver's turn also returns without any unpark: an event came, or a
// timer was due. The worker then wakes as if unparked, and the scheduler
// decides (work_stealing_scheduler.cpp) whether it has work.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "art/driver.hpp"
#include "art/interleaving_hook.hpp"

namespace art {

// ANCHOR: worker_parker
class WorkerParker {
 public:
  enum class Slept { on_condvar, in_driver, not_at_all };

  WorkerParker() = default;
  WorkerParker(const WorkerParker&) = delete;
  WorkerParker& operator=(const WorkerParker&) = delete;

  // The driver every worker of one scheduler shares; before the first
  // park, or never (then parks sleep on the condition variable only).
  void use_driver(Driver* driver) { driver_ = driver; }

  // Sleeps until unpark(), or until a turn of the driver returns. Says
  // where it slept (tests and statistics).
  Slept park();
  // Wakes the parked worker wherever it sleeps, or makes its next park
  // return at once. Any thread.
  void unpark();

 private:
  static constexpr std::uint8_t kEmpty = 0;
  static constexpr std::uint8_t kParkedCondvar = 1;
  static constexpr std::uint8_t kParkedDriver = 2;
  static constexpr std::uint8_t kNotified = 3;

  bool consume_notification();
  Slept park_in_driver();
  Slept park_on_condvar();

  // acq_rel on every transition: an unpark publishes the work made before
  // it (release), and the park that consumes it sees that work (acquire).
  std::atomic<std::uint8_t> state_{kEmpty};
  Driver* driver_ = nullptr;
  // std::mutex and std::condition_variable, except in ch12-hooked, where a
  // test stops a park just before its lock (interleaving_hook.hpp).
  SchedulerMutex mutex_;
  SchedulerCondition condition_;
};
// ANCHOR_END: worker_parker

}  // namespace art
