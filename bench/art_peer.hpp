// art_peer.hpp: what the art peers (bench-ch04, ch05, ch05-futures, ch06) share: the one-shot
// channel and the countdown of the workloads, and running a workload's root to completion.
//
// The Asio peer's one-shot is a value slot and a handler slot, for one thread. This is the same
// for art futures: a value slot and a waker slot, for tasks of one executor. A channel lives in
// the frame (or future, or fiber stack) of the task that creates it, so it does not allocate.
// (Chapter 02's ManualFuture does the same job across threads, at the price of a shared
// allocation and a mutex per channel; a thread-safe one-shot is chapter 15's.)
#pragma once

#include <optional>
#include <utility>

#include "art/context.hpp"
#include "art/executor.hpp"
#include "art/poll.hpp"
#include "art/waker.hpp"

namespace art::bench {

template <class T>
class OneShot {
 public:
  void send(T value) {
    value_ = std::move(value);
    if (waker_)
      std::move(waker_).wake();
  }

  class Receive {
   public:
    using Output = T;
    explicit Receive(OneShot* channel) : channel_(channel) {}
    Poll<T> poll(Context& cx) {
      if (channel_->value_)
        return *std::exchange(channel_->value_, std::nullopt);
      channel_->waker_ = cx.waker();
      return pending;
    }

   private:
    OneShot* channel_;
  };

  Receive receive() { return Receive(this); }

 private:
  std::optional<T> value_;
  Waker waker_;
};

// Tokio's `rem` and `done_tx` together: a shared count of what is left to finish, and the
// one-shot "done" that the task bringing it to zero sends to the root.
class Countdown {
 public:
  explicit Countdown(int count) : left_(count) {}

  void count_down() {
    if (--left_ == 0)
      done_.send(true);
  }

  OneShot<bool>::Receive finished() { return done_.receive(); }

 private:
  int left_;
  OneShot<bool> done_;
};

// Spawns a workload's root task and runs the executor until no task is ready; true when every
// task, the root included, has finished. Where block_on would sleep for ever after a lost
// wake-up, this returns false, and the benchmark reports the error.
template <class Root>
bool run_to_completion(Executor& executor, Root&& root) {
  (void)executor.spawn(
      std::forward<Root>(root));  // detached: the root reports through its arguments
  return executor.run_until_stalled() == 0;
}

}  // namespace art::bench
