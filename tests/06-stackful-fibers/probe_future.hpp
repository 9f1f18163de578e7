// A future for tests that is told from outside when to be ready, and
// reports how often it was polled and whether it was destroyed. It fails the
// test if polled again after it returned Ready (rule 3 of the Future contract).
#pragma once

#include <memory>
#include <optional>

#include <gtest/gtest.h>

#include "art/context.hpp"
#include "art/poll.hpp"
#include "art/waker.hpp"

namespace art::testing {

struct Probe {
  int polls = 0;
  std::optional<int> value;  // set to make the future ready
  bool finished = false;     // it returned Ready
  bool destroyed = false;
  Waker waker;

  void complete(int v) {
    value = v;
    waker.wake_by_ref();
  }
};

class ProbeFuture {
 public:
  using Output = int;
  explicit ProbeFuture(std::shared_ptr<Probe> probe) : probe_(std::move(probe)) {}
  ProbeFuture(ProbeFuture&& other) noexcept = default;
  ProbeFuture& operator=(ProbeFuture&&) = delete;
  ~ProbeFuture() {
    if (probe_)
      probe_->destroyed = true;
  }

  Poll<int> poll(Context& cx) {
    ++probe_->polls;
    EXPECT_FALSE(probe_->finished) << "a future was polled after it returned Ready";
    if (probe_->value) {
      probe_->finished = true;
      return *probe_->value;
    }
    probe_->waker = cx.waker();
    return pending;
  }

 private:
  std::shared_ptr<Probe> probe_;
};

}  // namespace art::testing
