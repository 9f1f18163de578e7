// oneshot.hpp: the one-shot channel of the art ping_pong workload.
//
// The Asio peer's one-shot is a value slot and a handler slot, for one
// thread. This is the same for art futures: a value slot and a waker slot,
// for tasks of one executor. Both live in the root task's frame, so neither
// allocates. (Chapter 02's ManualFuture does the same job across threads, at
// the price of a shared allocation and a mutex per channel; a thread-safe
// one-shot is chapter 15's.)
#pragma once

#include <optional>
#include <utility>

#include "art/context.hpp"
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

}  // namespace art::bench
