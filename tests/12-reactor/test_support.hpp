// What the chapter 12 tests share: a runtime over a scheduler the test can
// look into (the hybrid one, or chapter 09's work stealing), futures that make a
// runtime's behaviour observable, bounded waits, and the size of a stress run.
#pragma once

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <latch>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <sys/socket.h>
#include <system_error>
#include <thread>
#include <utility>

#include <gtest/gtest.h>

#include "art/context.hpp"
#include "art/driver.hpp"
#include "art/hybrid_scheduler.hpp"
#include "art/owned_fd.hpp"
#include "art/poll.hpp"
#include "art/reactor.hpp"
#include "art/runtime.hpp"
#include "art/task_header.hpp"
#include "art/waker.hpp"
#include "art/work_stealing_scheduler.hpp"

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define ART_TEST_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ART_TEST_SANITIZED 1
#endif

namespace art::testing {

// A sanitizer makes every spawn many times slower: stress runs are smaller
// there, and check the same things.
#ifdef ART_TEST_SANITIZED
inline constexpr int kStressScale = 10;
#else
inline constexpr int kStressScale = 1;
#endif

using namespace std::chrono_literals;

// A Runtime over a scheduler of type S, which the test may still look into:
// the runtime owns the scheduler, and keeps it as long as it lives.
template <class S>
struct RuntimeOver {
  explicit RuntimeOver(std::size_t workers,
                       std::unique_ptr<S> owned = std::make_unique<S>())
      : scheduler(*owned), runtime(workers, std::move(owned)) {}

  // Every worker has gone to sleep at least once since the start.
  bool all_parked_once() const {
    for (std::size_t w = 0; w < workers; ++w)
      if (scheduler.parks_of(w) == 0)
        return false;
    return true;
  }

  S& scheduler;
  Runtime runtime;
  std::size_t workers = runtime.workers();
};
using HybridRuntime = RuntimeOver<HybridScheduler>;
using StealingRuntime = RuntimeOver<WorkStealingScheduler>;

// Waits (yielding) until `done` says so; false if it did not within `limit`,
// so that a scheduler that never parks or never wakes fails a test by its
// assertion instead of hanging it.
template <class Done>
bool eventually(Done done, std::chrono::milliseconds limit = 5s) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up)
      return false;
    std::this_thread::yield();
  }
  return true;
}

inline double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// A bare task header: enough to be a queue entry.
class Entry final : public TaskHeader {
 public:
  Entry() : TaskHeader(nullptr, TaskId{1}) {}
  bool poll_future(Context& /*cx*/) override { return true; }
  void drop_future() noexcept override {}
  void wake_joiner() override {}
  void drop_output() noexcept override {}

 private:
  void destroy() noexcept override {}
};

// Closes a scheduler when the test leaves its scope, whichever way: declared
// after the worker threads, it is destroyed first, so a worker that waits on
// the scheduler returns and can be joined even after a failed assertion.
class CloseOnExit {
 public:
  explicit CloseOnExit(Scheduler& scheduler) : scheduler_(scheduler) {}
  CloseOnExit(const CloseOnExit&) = delete;
  CloseOnExit& operator=(const CloseOnExit&) = delete;
  ~CloseOnExit() { scheduler_.close(); }

 private:
  Scheduler& scheduler_;
};

// Closes a scheduler once `limit` has passed, unless the test ended first.
// A test that drives next_task by hand declares one before its worker
// threads (destroyed after they are joined): a worker that would wait for ever (an
// exercise's stub that never finds its task) then gets nullptr, and the test fails by its
// assertion instead of hanging.
class CloseAfter {
 public:
  CloseAfter(Scheduler& scheduler, std::chrono::milliseconds limit = 3s)
      : watchdog_([&scheduler, limit](std::stop_token stop) {
          std::mutex mutex;
          std::condition_variable_any ended;
          std::unique_lock lock(mutex);
          if (!ended.wait_for(lock, stop, limit, [] { return false; }))
            if (!stop.stop_requested())
              scheduler.close();
        }) {}

 private:
  std::jthread watchdog_;  // asked to stop, and joined, when the test ends
};

// A gate a task's poll waits at until the test opens it. Tasks hold it by
// shared_ptr, so it outlives their wait; an OpenOnExit declared after the
// runtime opens it when the test leaves its scope, whichever way, so that a
// failed assertion cannot leave a worker stuck inside a poll.
class Gate {
 public:
  void open() {
    if (!opened_.exchange(true))
      latch_.count_down();
  }
  void wait() const { latch_.wait(); }
  bool is_open() const { return opened_.load(); }

 private:
  std::latch latch_{1};
  std::atomic<bool> opened_{false};
};

class OpenOnExit {
 public:
  explicit OpenOnExit(std::shared_ptr<Gate> gate) : gate_(std::move(gate)) {}
  OpenOnExit(const OpenOnExit&) = delete;
  OpenOnExit& operator=(const OpenOnExit&) = delete;
  ~OpenOnExit() { gate_->open(); }

 private:
  std::shared_ptr<Gate> gate_;
};

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

// Pending forever, keeping no waker: only an abort or a shutdown ends it.
class PendingForever {
 public:
  using Output = int;
  explicit PendingForever(std::shared_ptr<std::atomic<int>> destroyed)
      : lifetime_(std::move(destroyed)) {}
  Poll<int> poll(Context& /*cx*/) { return pending; }

 private:
  Lifetime lifetime_;
};

// Ready at once with its value.
class Immediately {
 public:
  using Output = int;
  explicit Immediately(int value) : value_(value) {}
  Poll<int> poll(Context& /*cx*/) const { return value_; }

 private:
  int value_;
};

// A waker that counts its wakes and its clones; clones share the counts.
class CountingWaker {
 public:
  Waker waker() { return Waker(RawWaker{this, &kVTable}); }
  int wakes() const { return wakes_.load(); }
  int clones() const { return clones_.load(); }

 private:
  static RawWaker clone(void* data) {
    static_cast<CountingWaker*>(data)->clones_.fetch_add(1);
    return RawWaker{data, &kVTable};
  }
  static void wake(void* data) { static_cast<CountingWaker*>(data)->wakes_.fetch_add(1); }
  static void drop(void* /*data*/) noexcept {}
  static constexpr WakerVTable kVTable{clone, wake, wake, drop};
  std::atomic<int> wakes_{0};
  std::atomic<int> clones_{0};
};

// A rendezvous inside a poll: the poll tells the test it has started, then
// waits until the test has done its racy step, then answers. The test's
// step therefore happens while the task is RUNNING on a worker.
class Rendezvous {
 public:
  void in_poll() {  // the poll's side
    started_.count_down();
    go_on_.wait();
  }
  void wait_until_polled() { started_.wait(); }
  void let_the_poll_go_on() {  // idempotent
    if (!let_go_.exchange(true))
      go_on_.count_down();
  }

 private:
  std::latch started_{1};
  std::latch go_on_{1};
  std::atomic<bool> let_go_{false};
};

// Lets the poll go on when the scope ends, however it ends: a test that
// fails halfway must not leave a worker waiting (the runtime's shutdown
// would wait for it forever). Declare it after the Runtime.
struct LetThePollGoOnAtScopeEnd {
  Rendezvous& meet;
  ~LetThePollGoOnAtScopeEnd() { meet.let_the_poll_go_on(); }
};

// Polled once: meets the test at the rendezvous, then answers `first`;
// Ready with `value` from the second poll on. Counts its polls.
class MeetsInItsPoll {
 public:
  using Output = int;
  MeetsInItsPoll(std::shared_ptr<Rendezvous> meet, bool ready_at_once, int value,
                 std::shared_ptr<std::atomic<int>> polls,
                 std::shared_ptr<std::atomic<int>> destroyed)
      : meet_(std::move(meet)),
        ready_at_once_(ready_at_once),
        value_(value),
        polls_(std::move(polls)),
        lifetime_(std::move(destroyed)) {}

  Poll<int> poll(Context& /*cx*/) {
    if (polls_->fetch_add(1) == 0) {
      meet_->in_poll();
      if (!ready_at_once_)
        return pending;
    }
    return value_;
  }

 private:
  std::shared_ptr<Rendezvous> meet_;
  bool ready_at_once_;
  int value_;
  std::shared_ptr<std::atomic<int>> polls_;
  Lifetime lifetime_;
};

}  // namespace art::testing

namespace art::testing {

// How many fds this process has open (entries of /proc/self/fd, less the
// one the listing itself opens). Tests that open fds compare it before and
// after: a leak shows as a difference.
inline int open_fds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr)
    return -1;
  int count = 0;
  while (const dirent* entry = readdir(dir))
    if (entry->d_name[0] != '.')
      ++count;
  closedir(dir);
  return count - 1;
}

// Declared first in a test: fails it if the test ends with more or fewer
// fds open than it began with.
class NoFdLeak {
 public:
  NoFdLeak() : before_(open_fds()) {}
  NoFdLeak(const NoFdLeak&) = delete;
  NoFdLeak& operator=(const NoFdLeak&) = delete;
  ~NoFdLeak() { EXPECT_EQ(open_fds(), before_) << "fds leaked (or closed twice)"; }

 private:
  int before_;
};

// Non-blocking fd pairs that close themselves, for the reactor's tests.
struct Pipe {
  OwnedFd read_end;
  OwnedFd write_end;
};

inline Pipe make_pipe() {
  std::array<int, 2> fds{};
  if (pipe2(fds.data(), O_NONBLOCK | O_CLOEXEC) != 0)
    throw std::system_error(errno, std::generic_category(), "pipe2");
  return Pipe{OwnedFd(fds[0]), OwnedFd(fds[1])};
}

inline std::array<OwnedFd, 2> make_socketpair() {
  std::array<int, 2> fds{};
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds.data()) != 0)
    throw std::system_error(errno, std::generic_category(), "socketpair");
  return {OwnedFd(fds[0]), OwnedFd(fds[1])};
}

// A reactor of its own, running, stopped when the test ends.
struct RunningReactor {
  RunningReactor() { reactor->start(); }
  ~RunningReactor() { reactor->stop(); }
  std::shared_ptr<Reactor> reactor = Reactor::create();
};

// The part of a fake Driver (driver.hpp) that every driver test shares: a
// holder flag, and an interrupt() that a blocking turn can wait for under
// the fake's own mutex. Each test's fake writes its turn() on top.
class FakeDriverBase : public Driver {
 public:
  bool try_acquire() noexcept override { return !held_.exchange(true); }
  void release() noexcept override { held_.store(false); }
  void interrupt() noexcept override {
    const std::lock_guard lock(mutex_);
    interrupted_ = true;
    changed_.notify_all();
  }
  void hold() { held_.store(true); }  // as if another worker held it

 protected:
  // Under `lock`: true if an interrupt came within `limit`; consumes it.
  bool wait_for_interrupt(std::unique_lock<std::mutex>& lock,
                          std::chrono::milliseconds limit) {
    const bool came = changed_.wait_for(lock, limit, [this] { return interrupted_; });
    interrupted_ = false;
    return came;
  }

  std::mutex mutex_;
  std::condition_variable changed_;

 private:
  std::atomic<bool> held_{false};
  bool interrupted_ = false;  // guarded by mutex_
};

// Names a test parameterised by where the reactor runs: .../workers, .../own_thread.
inline std::string placement_name(
    const ::testing::TestParamInfo<ReactorPlacement>& info) {
  return info.param == ReactorPlacement::workers ? "workers" : "own_thread";
}

}  // namespace art::testing
