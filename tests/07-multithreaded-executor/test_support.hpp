// What the chapter 07 tests share: futures that make a runtime's behaviour
// observable, a waker that counts, a bare queue entry, bounded waits, and
// the size of a stress run.
#pragma once

#include <atomic>
#include <chrono>
#include <latch>
#include <memory>
#include <thread>
#include <utility>

#include "art/context.hpp"
#include "art/poll.hpp"
#include "art/task_header.hpp"
#include "art/waker.hpp"

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

// A waker that counts its wakes; clones share the count.
class CountingWaker {
 public:
  Waker waker() { return Waker(RawWaker{this, &kVTable}); }
  int wakes() const { return wakes_.load(); }

 private:
  static RawWaker clone(void* data) { return RawWaker{data, &kVTable}; }
  static void wake(void* data) { static_cast<CountingWaker*>(data)->wakes_.fetch_add(1); }
  static void drop(void* /*data*/) noexcept {}
  static constexpr WakerVTable kVTable{clone, wake, wake, drop};
  std::atomic<int> wakes_{0};
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

// Waits (yielding) until `done` says so; false if it did not within `limit`,
// so that a scheduler that never parks fails instead of hanging the test.
template <class Done>
bool eventually(Done done, std::chrono::seconds limit = std::chrono::seconds(5)) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up)
      return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace art::testing
