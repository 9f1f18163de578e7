// driver.hpp: what a worker with nothing to do may drive instead of sleeping.
//
// The reactor has two places to run (reactor.hpp). On a thread of its own,
// every event costs a hop: the reactor thread sees it, wakes the task into
// the scheduler, and a worker, often woken for it, polls the task. tokio
// puts the reactor where the hop disappears: a worker that has nothing to
// run does not sleep on its condition variable but in epoll_wait, so the
// thread that sees an event is already awake to run what it wakes. (tokio
// pushes those tasks onto that worker's own queue; art gives them to the
// injector in the order of their events, and the worker takes them from
// there: work_stealing_scheduler.cpp says why.) Only one worker may wait
// in epoll at a time, so the reactor is a *driver* that a worker takes,
// turns, and gives back:
//
//     worker with no work          worker with work
//     try_acquire() ── no ──▶ sleeps on its condition variable
//        │ yes
//     turn(may_block = true)       every 61 tasks, if nobody drives:
//        epoll_wait, dispatch,     try_acquire(), turn(may_block = false),
//        fire due timers           release(): events still get seen
//     release()                    while every worker is busy
//
// A worker asleep in the driver is woken by interrupt() (the reactor's
// eventfd), never by its condition variable: worker_parker.hpp keeps that
// promise. This interface is all the scheduler knows of the reactor, so
// that its tests can drive a fake one and stop it at any step.
#pragma once

namespace art {

// ANCHOR: driver
class Driver {
 public:
  virtual ~Driver() = default;

  // Takes the driver: true for at most one caller at a time, until release().
  virtual bool try_acquire() noexcept = 0;
  virtual void release() noexcept = 0;
  // One turn, by the holder: waits for events (until one arrives, a timer
  // is due or interrupt() is called, if may_block; else not at all),
  // handles them and fires the due timers. What they wake is scheduled on
  // the calling thread.
  virtual void turn(bool may_block) = 0;
  // Makes the holder's blocking turn return soon. Any thread; a call while
  // nobody waits makes the next blocking turn return at once.
  virtual void interrupt() noexcept = 0;
};
// ANCHOR_END: driver

}  // namespace art
