// channel.hpp: an unbounded channel from many senders to one receiver.
//
//     auto [tx, rx] = art::channel<int>();
//     tx.send(1);                              // from any thread, never waits
//     std::optional<int> v = co_await rx.recv();   // nullopt: every sender is gone
//
// The smallest channel that the cooperative budget needs: one whose receive
// is ready whenever something was sent, so that a task can loop on it
// without ever waiting (chapter 15 builds bounded channels with
// back-pressure). Senders are copyable and may live on any thread; the one
// Receiver is movable. Both share a State: a mutex over the queue, the count
// of senders, whether the receiver is still there, and the waker of a
// receive that waits.
//
// No wake is lost because the receive's look and its leaving of a waker are
// one step under the mutex, and so is a send's push and its taking of that
// waker: a send either comes before the look (which then finds the item) or
// after the waker is stored (and wakes it). The wake itself happens after
// the mutex is released, so that the woken task, which may run at once on
// another worker, does not find the lock still held. The last sender to go
// wakes the receiver the same way, and its receive then answers nullopt once
// the queue is empty: everything sent before is still received.
//
// A send after the receiver is gone is refused: send() returns false and the
// value is destroyed, as nobody could ever receive it. The receiver's
// destructor destroys what was left in the queue.
//
// A receive is a leaf of the cooperative budget: each one that answers Ready
// spends a token, so a task that drains an always-full channel still yields
// every Budget::kDefaultTokens items.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>

#include "art/budget.hpp"
#include "art/context.hpp"
#include "art/poll.hpp"
#include "art/waker.hpp"

namespace art {

namespace detail {

// ANCHOR: channel_state
template <class T>
struct ChannelState {
  std::mutex mutex;
  std::deque<T> queue;         // guarded by mutex, as is everything below
  std::size_t senders = 1;     // the receive answers nullopt once this is 0
  bool receiver_alive = true;  // false: sends are refused
  Waker receiver;              // the waiting receive's, or empty
};
// ANCHOR_END: channel_state

}  // namespace detail

template <class T>
class Sender {
 public:
  explicit Sender(std::shared_ptr<detail::ChannelState<T>> state)
      : state_(std::move(state)) {}
  Sender(const Sender& other) : state_(other.state_) {
    if (!state_)
      return;  // a copy of a closed sender is closed too
    std::lock_guard lock(state_->mutex);
    ++state_->senders;
  }
  Sender(Sender&& other) noexcept = default;  // the moved-from one counts no more
  Sender& operator=(const Sender&) = delete;
  Sender& operator=(Sender&&) = delete;
  ~Sender() { close(); }

  // Queues `value` and wakes the receiver if it waits. False if the
  // receiver is gone (the value is destroyed) or this sender was closed.
  bool send(T value);
  // This sender sends no more; the last one to close ends the stream.
  void close() noexcept;

 private:
  std::shared_ptr<detail::ChannelState<T>> state_;  // null once closed or moved from
};

template <class T>
class Receiver {
 public:
  class Recv;  // the receive future: a leaf

  explicit Receiver(std::shared_ptr<detail::ChannelState<T>> state)
      : state_(std::move(state)) {}
  Receiver(Receiver&& other) noexcept = default;
  Receiver& operator=(Receiver&&) = delete;
  ~Receiver();

  // The next value, or nullopt once every sender is gone and the queue is
  // empty. The Receiver must outlive the future.
  Recv recv() { return Recv(*this); }

 private:
  Poll<std::optional<T>> poll_recv(Context& cx);

  std::shared_ptr<detail::ChannelState<T>> state_;
};

// ANCHOR: recv_future
template <class T>
class Receiver<T>::Recv {
 public:
  using Output = std::optional<T>;
  explicit Recv(Receiver& receiver) : receiver_(&receiver) {}
  Poll<std::optional<T>> poll(Context& cx) { return receiver_->poll_recv(cx); }

 private:
  Receiver* receiver_;
};
// ANCHOR_END: recv_future

template <class T>
struct Channel {
  Sender<T> sender;
  Receiver<T> receiver;
};

template <class T>
Channel<T> channel() {
  auto state = std::make_shared<detail::ChannelState<T>>();
  return Channel<T>{Sender<T>(state), Receiver<T>(state)};
}

// ANCHOR: send
template <class T>
bool Sender<T>::send(T value) {
  if (!state_)
    return false;
  Waker receiver;
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->receiver_alive)
      return false;
    state_->queue.push_back(std::move(value));
    receiver = std::move(state_->receiver);  // one wake per wait is enough
  }
  std::move(receiver).wake();  // outside the lock: the receiver may run at once
  return true;
}

template <class T>
void Sender<T>::close() noexcept {
  if (!state_)
    return;
  Waker receiver;
  {
    std::lock_guard lock(state_->mutex);
    if (--state_->senders == 0)
      receiver = std::move(state_->receiver);  // it must see the end
  }
  std::move(receiver).wake();  // an empty waker does nothing
  state_.reset();
}
// ANCHOR_END: send

// ANCHOR: poll_recv
template <class T>
Poll<std::optional<T>> Receiver<T>::poll_recv(Context& cx) {
  if (!state_)
    throw std::logic_error("Receiver::recv on a receiver that was moved from");
  TokenGuard token = take_token(cx);
  if (!token)
    return pending;  // the budget is spent: the value stays queued
  std::lock_guard lock(state_->mutex);
  if (!state_->queue.empty()) {
    std::optional<T> value(std::move(state_->queue.front()));
    state_->queue.pop_front();
    token.made_progress();
    return value;
  }
  if (state_->senders == 0) {
    token.made_progress();
    return std::optional<T>();  // closed, and everything sent was received
  }
  if (!state_->receiver.will_wake(cx.waker()))
    state_->receiver = cx.waker();  // the newest waker, as every leaf keeps
  return pending;
}
// ANCHOR_END: poll_recv

template <class T>
Receiver<T>::~Receiver() {
  if (!state_)
    return;
  std::deque<T> left;
  Waker waker;
  {
    std::lock_guard lock(state_->mutex);
    state_->receiver_alive = false;
    left.swap(state_->queue);
    waker = std::move(state_->receiver);
  }
  // `left` and `waker` go here, outside the lock: a value's destructor may
  // send on this very channel, which now refuses it.
}

}  // namespace art
