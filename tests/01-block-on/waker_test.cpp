#include "art/waker.hpp"

#include <utility>
#include <type_traits>

#include <gtest/gtest.h>

#include "art/context.hpp"
#include "counting_waker.hpp"

namespace art {
namespace {

using testing::CountingWaker;

TEST(Ex1_1_WakerClone, CopyClonesThroughTheVTable) {
  CountingWaker counter;
  {
    Waker original = counter.waker();
    Waker copy = original;  // NOLINT(performance-unnecessary-copy-initialization)
    EXPECT_EQ(counter.clones, 1);
    EXPECT_TRUE(copy.will_wake(original));
    EXPECT_EQ(counter.references(), 2);
  }
  EXPECT_EQ(counter.drops, 2);
  EXPECT_EQ(counter.references(), 0);
}

TEST(Ex1_1_WakerClone, CopyAssignmentDropsTheOldReference) {
  CountingWaker first;
  CountingWaker second;
  {
    Waker target = first.waker();
    const Waker source = second.waker();
    target = source;
    EXPECT_EQ(first.references(), 0) << "the waker that was overwritten must be dropped";
    EXPECT_EQ(second.references(), 2);
    EXPECT_TRUE(target.will_wake(source));
  }
  EXPECT_EQ(second.references(), 0);
}

TEST(Ex1_1_WakerClone, ReferencesBalanceThroughCopyMoveAndWake) {
  CountingWaker counter;
  {
    Waker a = counter.waker();
    Waker b = a;                         // clone
    Waker c = std::move(b);              // steal, no clone
    Waker d = c;                         // clone
    std::move(d).wake();                 // consumes d's reference
    a.wake_by_ref();                     // keeps a's reference
    EXPECT_EQ(counter.references(), 2);  // a and c
  }
  EXPECT_EQ(counter.clones, 2);
  EXPECT_EQ(counter.wakes, 1);
  EXPECT_EQ(counter.wakes_by_ref, 1);
  EXPECT_EQ(counter.references(), 0);
}

TEST(Ex1_1_WakerClone, CopyOfEmptyWakerIsEmpty) {
  const Waker empty;
  const Waker copy = empty;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_FALSE(copy);
}

TEST(Waker, MoveLeavesAnEmptyWakerBehind) {
  CountingWaker counter;
  Waker a = counter.waker();
  Waker b = std::move(a);
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): moved-from state is specified
  EXPECT_TRUE(b);
  EXPECT_EQ(counter.clones, 0);
  a.wake_by_ref();  // an empty waker does nothing
  EXPECT_EQ(counter.total_wakes(), 0);
}

TEST(Waker, MoveAssignmentDropsTheOldReference) {
  CountingWaker first;
  CountingWaker second;
  Waker target = first.waker();
  target = second.waker();
  EXPECT_EQ(first.references(), 0);
  EXPECT_EQ(second.references(), 1);
}

TEST(Waker, WakeConsumesTheReference) {
  CountingWaker counter;
  Waker waker = counter.waker();
  std::move(waker).wake();
  EXPECT_FALSE(waker);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(counter.wakes, 1);
  EXPECT_EQ(counter.drops, 0) << "wake() hands its reference to the vtable; no extra drop";
  EXPECT_EQ(counter.references(), 0);
}

TEST(Waker, ResetDropsNow) {
  CountingWaker counter;
  Waker waker = counter.waker();
  waker.reset();
  EXPECT_FALSE(waker);
  EXPECT_EQ(counter.drops, 1);
}

TEST(Waker, WillWakeTellsWakersApart) {
  CountingWaker first;
  CountingWaker second;
  const Waker a = first.waker();
  const Waker b = second.waker();
  EXPECT_FALSE(a.will_wake(b));
  EXPECT_TRUE(a.will_wake(a));
}

TEST(Waker, NoopWakerDoesNothing) {
  Waker waker = noop_waker();
  EXPECT_TRUE(waker);
  waker.wake_by_ref();
  std::move(waker).wake();
  EXPECT_FALSE(waker);  // NOLINT(bugprone-use-after-move)
}

// A Context refers to its waker; one built from a temporary would dangle.
TEST(Context, CannotBeBuiltFromATemporaryWaker) {
  EXPECT_FALSE((std::is_constructible_v<Context, Waker&&>));
  EXPECT_TRUE((std::is_constructible_v<Context, const Waker&>));
  EXPECT_TRUE((std::is_constructible_v<Context, Waker&>));
}

}  // namespace
}  // namespace art
