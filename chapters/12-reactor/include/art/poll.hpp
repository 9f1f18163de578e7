// poll.hpp: the answer a future gives each time it is polled.
//
// A future is never waited on; it is asked "are you done?" and answers at
// once with either Ready (and the value) or Pending. Poll<T> is that answer.
// It is a small value type rather than std::optional<T> so that the intent
// reads at the call site:
//
//     return art::pending;     // not yet; I have arranged to be woken
//     return 42;               // Ready(42)
//     return art::ready;       // Ready, for Poll<void>
//
// Poll<void> exists because many futures (a timer, a yield) finish without
// producing a value.
#pragma once

#include <optional>
#include <utility>

namespace art {

struct Pending {};
struct Ready {};
inline constexpr Pending pending{};
inline constexpr Ready ready{};

// ANCHOR: poll
template <class T>
class Poll {
 public:
  Poll(Pending) {}  // NOLINT(google-explicit-constructor): `return art::pending;`
  Poll(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)

  bool is_ready() const { return value_.has_value(); }
  bool is_pending() const { return !value_.has_value(); }

  // The value of a Ready poll. Calling it on Pending is a bug in the caller.
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }

 private:
  std::optional<T> value_;
};

template <>
class Poll<void> {
 public:
  Poll(Pending) {}               // NOLINT(google-explicit-constructor)
  Poll(Ready) : ready_(true) {}  // NOLINT(google-explicit-constructor)

  bool is_ready() const { return ready_; }
  bool is_pending() const { return !ready_; }

 private:
  bool ready_ = false;
};
// ANCHOR_END: poll

}  // namespace art
