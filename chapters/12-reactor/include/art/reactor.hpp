// reactor.hpp: one thread that waits on epoll for every registered fd.
//
// The problem. A task that reads a socket must not block its worker: the
// fd is non-blocking, and a read that would block says EAGAIN instead. The
// task then answers Pending, and something must wake it when the socket
// has bytes. That something is the reactor: one epoll instance that knows
// every fd a task waits on, and a thread that sleeps in epoll_wait until
// the kernel reports a change, then wakes the tasks that wait for it.
//
//     task on a worker            reactor thread             kernel
//     read() → EAGAIN
//     clear readiness, store
//     waker, answer Pending ─┐
//                            │    epoll_wait(-1) ◀────────── bytes arrive
//                            │    event(token) → slot
//                            │    set_readiness, take waker
//     polled again ◀─────────┴─── wake()
//     read() → bytes
//
// The ideas, and where they come from:
//
//   * Registered once, edge-triggered. Each fd is added to epoll once, for
//     both directions, with EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET, and never
//     modified again (tokio asks mio for both interests so). Level-triggered
//     epoll would report a readable socket on every wait until someone
//     drains it, and a task busy elsewhere would keep the reactor spinning;
//     one-shot costs an epoll_ctl to re-arm after every event. Edge-triggered
//     costs neither, at a price: an edge is reported once, so the slot must
//     keep it until a task consumes it (io_slot.hpp). Asio's
//     epoll_reactor.ipp is edge-triggered too, but registers reads only and
//     adds EPOLLOUT with an EPOLL_CTL_MOD the first time a write must wait;
//     and it accepts a regular file (EPERM) and runs its operations without
//     the reactor, where we refuse it with an error that says why.
//   * The token. epoll_event.data.u64 holds the slot's index and generation
//     (io_slab.hpp): an event for a closed fd whose slot was reused is
//     dropped, not delivered to the new owner. (Asio puts a pointer to its
//     per-descriptor state there, and keeps those objects in a pool so the
//     pointer stays valid; a generation also tells the old owner's late
//     event from the new owner's.)
//   * Woken by an eventfd, never by a timeout. The reactor waits with no
//     timeout at all. Whoever needs it awake (a shutdown now; the timer
//     driver, for a new earliest deadline) writes the eventfd, which is
//     registered like any fd under a token of its own (Asio's interrupter is
//     an eventfd too). A loop that wakes
//     every 100 ms to look around (the design this chapter replaces) burns
//     a wake-up ten times a second when idle, and makes anything that waits
//     for the loop to come round up to 100 ms late; bench/reactor_wake.cpp
//     measures both.
//
// Where the reactor runs: two placements, one loop (turn()).
//
//   * own_thread: a thread of its own, one per Runtime, started with the
//     workers and stopped after them; it turns the loop with no timeout,
//     for ever. It is the simplest to reason about: the reactor never
//     competes with a poll, and the wake of a task is an ordinary
//     cross-thread wake into the scheduler. Its cost is a hop: the event
//     lands on the reactor thread and the task runs on a worker, so each
//     event costs one more thread wake-up and a cache line or two moving
//     between cores, and the reactor is one more thread for the cores.
//   * workers (the default; tokio's, runtime/io/driver.rs driven from the
//     worker's park): the Reactor is a Driver (driver.hpp). A worker that
//     has nothing to run takes it and sleeps in epoll_wait; the tasks its
//     events wake are queued in the order of their events, and the worker
//     that saw them, already awake, runs the first. A busy worker takes a non-blocking turn every 61 tasks if
//     nobody holds it, so events and timers are seen while every worker
//     works. It costs a protocol: one holder at a time (try_acquire), and
//     a worker asleep in epoll_wait is woken by the eventfd, never by its
//     condition variable (worker_parker.hpp).
//
// bench/reactor_wake.cpp measures the wake path in both placements, and
// the echo benchmark (bench/echo_art.cpp) compares them under load; the
// book's chapter 12 gives the figures.
//
// Lifetime. The Runtime owns the Reactor through a shared_ptr, and every
// registration holds a count of it too: a wrapper that outlives its runtime
// still has a slot to read and an epoll fd to leave. stop() (the runtime's
// shutdown, after every task was cancelled, so every task's registration is
// gone) ends the thread and sets the shutdown bit in every slot still
// registered, waking its wakers: a future of a wrapper that outlived its
// runtime then fails with ReactorShutDown instead of waiting for ever.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <thread>

#include "art/context.hpp"
#include "art/driver.hpp"
#include "art/io_slab.hpp"
#include "art/io_slot.hpp"
#include "art/poll.hpp"
#include "art/timer_driver.hpp"

namespace art {

// Thrown by an IO future whose reactor has stopped (its runtime shut down).
class ReactorShutDown : public std::runtime_error {
 public:
  ReactorShutDown()
      : std::runtime_error(
            "the reactor has shut down (its runtime was shut down): this fd can no "
            "longer be waited on; make IO objects inside the runtime's tasks") {}
};

class Registration;

// ANCHOR: reactor
class Reactor final : public Driver, public std::enable_shared_from_this<Reactor> {
 public:
  // The token of the reactor's own eventfd: never an IoToken (a slab index
  // that large is never handed out).
  static constexpr std::uint64_t kWakeToken = ~std::uint64_t{0};

  // Creates the epoll instance and the eventfd; throws std::system_error.
  static std::shared_ptr<Reactor> create();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;
  ~Reactor() override;  // closes both fds; stop() must have run if start() did

  void start();  // launches a reactor thread (the own_thread placement)
  // Ends the thread if there is one, fails every wait still registered;
  // idempotent. With the workers placement, after the workers stopped.
  void stop();
  // Makes epoll_wait return (one 8-byte write to the eventfd). Any thread;
  // the timer driver calls it when a new earliest deadline arrives.
  void wake();

  // The Driver: what the reactor thread's loop does, for a worker to do
  // instead (driver.hpp). turn() and the holder's lock are the same in
  // both placements; with its own thread, the thread holds it for ever.
  bool try_acquire() noexcept override;
  void release() noexcept override;
  void turn(bool may_block) override;
  void interrupt() noexcept override { wake(); }

  // Registers an fd for both directions, first making it non-blocking; see
  // Registration.
  // Throws std::system_error (EBADF, EPERM for a regular file, ...) or
  // ReactorShutDown.
  Registration register_fd(int fd);

  // What one event does: set the slot's readiness and wake its wakers.
  // The reactor thread's loop calls it; tests call it to inject an event.
  void dispatch(std::uint64_t token, std::uint32_t epoll_events);

  // The timers this reactor fires (timer_driver.hpp): art::sleep and the
  // other timer futures of the runtime's tasks wait here. Its earliest
  // deadline is the reactor's epoll_wait timeout; a new earlier one wakes
  // the reactor through the eventfd (the driver's wake callback).
  TimerDriver& timers() { return timers_; }

  std::size_t live_registrations() const { return slab_.live(); }
  // Slots ever handed out: what the slab's memory holds. A freed slot is
  // reused, so this follows the most registrations alive at once, never
  // the number made.
  std::size_t slots_used() const { return slab_.high_water(); }
  // Events dispatched to a live slot so far (stale ones are not counted).
  std::uint64_t events_dispatched() const {
    return dispatched_.load(std::memory_order_acquire);
  }
  bool stopped() const { return stopped_.load(std::memory_order_acquire); }

 private:
  friend class Registration;
  Reactor(int epoll_fd, int wake_fd);

  void run();  // the reactor thread: turns until stop()
  void drain_wake_fd() const;
  void deregister(int fd, IoToken token);
  static std::uint8_t readiness_of(std::uint32_t epoll_events);

  const int epoll_fd_;
  const int wake_fd_;
  IoSlab slab_;
  TimerDriver timers_;
  std::thread thread_;
  // Whoever turns the loop holds this. Acquire by the taker, release by the
  // giver: the next holder sees what the last one left (the timers it fired).
  std::atomic<bool> driver_held_{false};
  // Set once epoll_wait failed for good. Relaxed: it guards nothing else;
  // a holder that reads it late only turns once more and fails again.
  std::atomic<bool> broken_{false};
  // Release by stop(), acquire by the loop after the eventfd woke it and by
  // register_fd: whoever sees it set also sees the slots stop() marked.
  std::atomic<bool> stopping_{false};
  std::atomic<bool> stopped_{false};
  // Release after a dispatch's set_readiness and wake; acquire by a reader
  // (tests) that then expects to see that readiness in the slot.
  std::atomic<std::uint64_t> dispatched_{0};
};
// ANCHOR_END: reactor

// ANCHOR: registration
// One fd's place in the reactor: its slot, and a count of the reactor.
// Destroying it removes the fd from epoll and frees the slot; whoever owns
// the fd closes it only after that (IoWrapper orders its members so).
class Registration {
 public:
  Registration(Registration&& other) noexcept;
  Registration& operator=(Registration&&) = delete;
  Registration(const Registration&) = delete;
  ~Registration();

  // Ready when the slot has readiness for `direction` (an event kept for
  // later counts), else Pending with cx's waker stored. Throws
  // ReactorShutDown once the reactor has stopped.
  Poll<ReadyEvent> poll_ready(Direction direction, Context& cx);
  // After EAGAIN: forget what `seen` saw, unless a newer event came.
  void clear_readiness(ReadyEvent seen);

  int fd() const { return fd_; }
  IoToken token() const { return token_; }
  Reactor& reactor() const { return *reactor_; }
  IoSlot& slot() const { return *slot_; }

 private:
  friend class Reactor;
  Registration(std::shared_ptr<Reactor> reactor, int fd, IoToken token);

  std::shared_ptr<Reactor> reactor_;  // null once moved from
  int fd_;
  IoToken token_;
  IoSlot* slot_;
};
// ANCHOR_END: registration

}  // namespace art
