// ready_future.hpp: the simplest future, one that is done the first time it
// is polled. It is the async version of a plain value, useful wherever an
// API wants a future but the answer is already known.
#pragma once

#include <optional>
#include <stdexcept>
#include <utility>

#include "art/context.hpp"
#include "art/poll.hpp"

namespace art {

// ANCHOR: ready_future
template <class T>
class ReadyFuture {
 public:
  using Output = T;

  explicit ReadyFuture(T value) : value_(std::move(value)) {}

  Poll<T> poll(Context& /*cx*/) {
    if (!value_) {
      throw std::logic_error("ReadyFuture polled again after it returned Ready");
    }
    T value = std::move(*value_);
    value_.reset();
    return value;
  }

 private:
  std::optional<T> value_;
};
// ANCHOR_END: ready_future

}  // namespace art
