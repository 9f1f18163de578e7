#include "art/poll.hpp"

#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace art {
namespace {

TEST(Poll, PendingHasNoValue) {
  Poll<int> poll = pending;
  EXPECT_TRUE(poll.is_pending());
  EXPECT_FALSE(poll.is_ready());
}

TEST(Poll, ReadyCarriesTheValue) {
  Poll<std::string> poll = std::string("hello");
  ASSERT_TRUE(poll.is_ready());
  EXPECT_EQ(poll.value(), "hello");
}

TEST(Poll, MoveOnlyValueCanBeTakenOut) {
  Poll<std::unique_ptr<int>> poll = std::make_unique<int>(7);
  std::unique_ptr<int> taken = std::move(poll).value();
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(*taken, 7);
}

TEST(Poll, VoidPollIsReadyOrPending) {
  Poll<void> waiting = pending;
  Poll<void> done = ready;
  EXPECT_TRUE(waiting.is_pending());
  EXPECT_TRUE(done.is_ready());
}

}  // namespace
}  // namespace art
