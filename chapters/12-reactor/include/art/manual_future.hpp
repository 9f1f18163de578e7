// manual_future.hpp: a future completed from outside, through a Completer.
//
// make_manual_future<T>() returns a connected pair: a ManualFuture<T> to poll
// and a Completer<T> that any thread may use, once, to hand it its value.
// It is the poll-based version of std::promise / std::future: the future
// never blocks; complete() stores the value and wakes the newest waker.
//
// Misuse gets a clear error rather than a silent hang:
//   * complete() twice throws std::logic_error;
//   * destroying the Completer without completing makes the next poll throw
//     BrokenCompleter, instead of leaving the future Pending forever;
//   * polling again after Ready throws std::logic_error.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "art/context.hpp"
#include "art/poll.hpp"
#include "art/waker.hpp"

namespace art {

class BrokenCompleter : public std::runtime_error {
 public:
  BrokenCompleter() : std::runtime_error("ManualFuture: its Completer was destroyed unused") {}
};

template <class T>
struct ManualState {
  std::mutex mutex;
  std::optional<T> value;
  bool completed = false;  // stays true after the value is taken
  bool abandoned = false;  // the Completer is gone without completing
  Waker waker;
};

// ANCHOR: completer
template <class T>
class Completer {
 public:
  explicit Completer(std::shared_ptr<ManualState<T>> state)
      : state_(std::move(state)) {}  // see make_manual_future
  Completer(Completer&&) noexcept = default;
  Completer& operator=(Completer&&) noexcept = default;
  Completer(const Completer&) = delete;
  Completer& operator=(const Completer&) = delete;
  ~Completer() {
    if (state_)
      settle(std::nullopt);
  }

  void complete(T value) {
    if (!state_)
      throw std::logic_error("complete() called on a moved-from Completer");
    settle(std::move(value));
  }

 private:
  void settle(std::optional<T> value);
  std::shared_ptr<ManualState<T>> state_;
};
// ANCHOR_END: completer

// A value completes the future; no value (the destructor) abandons it,
// unless it was completed before.
template <class T>
void Completer<T>::settle(std::optional<T> value) {
  Waker waker;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->completed) {
      if (value)
        throw std::logic_error("ManualFuture completed twice");
      return;
    }
    if (value) {
      state_->value = std::move(value);
      state_->completed = true;
    } else {
      state_->abandoned = true;
    }
    waker = std::move(state_->waker);
  }
  std::move(waker).wake();  // outside the lock, as every wake should be
}

// ANCHOR: manual_future
template <class T>
class ManualFuture {
  static_assert(!std::is_void_v<T>, "use ManualFuture<std::monostate> for a signal");

 public:
  using Output = T;

  explicit ManualFuture(std::shared_ptr<ManualState<T>> state)
      : state_(std::move(state)) {}  // see make_manual_future

  Poll<T> poll(Context& cx) {
    std::lock_guard lock(state_->mutex);
    if (state_->value) {
      T value = std::move(*state_->value);
      state_->value.reset();
      return value;
    }
    if (state_->completed)
      throw std::logic_error("ManualFuture polled after it returned Ready");
    if (state_->abandoned)
      throw BrokenCompleter();
    if (!state_->waker.will_wake(cx.waker()))
      state_->waker = cx.waker();
    return pending;
  }

 private:
  std::shared_ptr<ManualState<T>> state_;
};
// ANCHOR_END: manual_future

template <class T>
std::pair<ManualFuture<T>, Completer<T>> make_manual_future() {
  auto state = std::make_shared<ManualState<T>>();
  return {ManualFuture<T>(state), Completer<T>(state)};
}

}  // namespace art
