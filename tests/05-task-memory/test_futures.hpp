// Small futures that make an executor's behaviour observable in tests.
#pragma once

#include <atomic>
#include <memory>

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

}  // namespace art::testing
