// The slot's transitions, called directly in the order a race would put
// them: no reactor thread, no timing.
#include "art/io_slot.hpp"

#include <atomic>
#include <latch>
#include <thread>

#include <gtest/gtest.h>

#include "art/io_slab.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using testing::CountingWaker;

TEST(IoSlot, AnEventBeforeAnyPollIsKeptForTheFirstPoll) {
  IoSlab slab;
  const IoToken token = slab.allocate();
  IoSlot& slot = *slab.slot(token.index);
  ASSERT_TRUE(slot.set_readiness(token.generation, Readiness::readable));
  slot.wake(Readiness::readable);  // nobody waits: the edge stays in the word

  CountingWaker counting;
  const Waker waker = counting.waker();
  Context cx(waker);
  Poll<ReadyEvent> seen = slot.poll_ready(Direction::read, cx);
  ASSERT_TRUE(seen.is_ready());
  EXPECT_EQ(seen.value().bits, Readiness::readable);
  EXPECT_EQ(counting.wakes(), 0);
  slab.free(token);
}

// ANCHOR: tick_race_test
// A reader saw readiness at tick t, its call said EAGAIN, and before it
// clears, the reactor dispatches a new edge (tick t+1). The clear must
// fail, and the next poll must find the slot ready: a clear that stores 0
// erases the new edge and the reader waits for bytes that are there.
TEST(IoSlot, AClearAfterANewerEventLeavesTheNewerEventInPlace) {
  IoSlab slab;
  const IoToken token = slab.allocate();
  IoSlot& slot = *slab.slot(token.index);
  CountingWaker counting;
  const Waker waker = counting.waker();
  Context cx(waker);

  ASSERT_TRUE(slot.set_readiness(token.generation, Readiness::readable));  // tick t
  Poll<ReadyEvent> first = slot.poll_ready(Direction::read, cx);
  ASSERT_TRUE(first.is_ready());
  // ... the reader's read() says EAGAIN here ...
  ASSERT_TRUE(slot.set_readiness(token.generation, Readiness::readable));  // tick t+1
  EXPECT_FALSE(slot.clear_readiness(first.value()));

  Poll<ReadyEvent> second = slot.poll_ready(Direction::read, cx);
  ASSERT_TRUE(second.is_ready()) << "the clear erased an event that came after it looked";
  EXPECT_EQ(second.value().tick, first.value().tick + 1);
  slab.free(token);
}
// ANCHOR_END: tick_race_test

TEST(IoSlot, AClearAtTheCurrentTickMakesTheNextPollWaitAndTheNextEdgeWakesIt) {
  IoSlab slab;
  const IoToken token = slab.allocate();
  IoSlot& slot = *slab.slot(token.index);
  CountingWaker counting;
  const Waker waker = counting.waker();
  Context cx(waker);

  ASSERT_TRUE(slot.set_readiness(token.generation, Readiness::readable));
  Poll<ReadyEvent> seen = slot.poll_ready(Direction::read, cx);
  ASSERT_TRUE(seen.is_ready());
  EXPECT_TRUE(slot.clear_readiness(seen.value()));
  EXPECT_TRUE(slot.poll_ready(Direction::read, cx).is_pending());
  EXPECT_EQ(counting.wakes(), 0);

  ASSERT_TRUE(slot.set_readiness(token.generation, Readiness::readable));
  slot.wake(Readiness::readable);
  EXPECT_EQ(counting.wakes(), 1);
  EXPECT_TRUE(slot.poll_ready(Direction::read, cx).is_ready());
  slab.free(token);
}

TEST(IoSlot, AnEventWithAStaleGenerationIsIgnored) {
  IoSlab slab;
  const IoToken old_token = slab.allocate();
  slab.free(old_token);                       // its fd was closed ...
  const IoToken new_token = slab.allocate();  // ... and the slot went to a new fd
  ASSERT_EQ(new_token.index, old_token.index);
  ASSERT_NE(new_token.generation, old_token.generation);

  IoSlot& slot = *slab.slot(new_token.index);
  EXPECT_FALSE(slot.set_readiness(old_token.generation, Readiness::readable));
  EXPECT_EQ(slot.readiness(Direction::read).bits, 0);
  EXPECT_EQ(slot.tick(), 0U);
  EXPECT_TRUE(slot.set_readiness(new_token.generation, Readiness::readable));
  slab.free(new_token);
}

TEST(IoSlot, ReadAndWriteHaveAWakerEachAndOnlyTheReadyDirectionIsWoken) {
  IoSlab slab;
  const IoToken token = slab.allocate();
  IoSlot& slot = *slab.slot(token.index);
  CountingWaker reading;
  CountingWaker writing;
  const Waker reader = reading.waker();
  const Waker writer = writing.waker();
  Context read_cx(reader);
  Context write_cx(writer);
  ASSERT_TRUE(slot.poll_ready(Direction::read, read_cx).is_pending());
  ASSERT_TRUE(slot.poll_ready(Direction::write, write_cx).is_pending());

  ASSERT_TRUE(slot.set_readiness(token.generation, Readiness::writable));
  slot.wake(Readiness::writable);
  EXPECT_EQ(writing.wakes(), 1);
  EXPECT_EQ(reading.wakes(), 0);
  EXPECT_TRUE(slot.poll_ready(Direction::read, read_cx).is_pending());

  ASSERT_TRUE(slot.set_readiness(token.generation, Readiness::readable));
  slot.wake(Readiness::readable);
  EXPECT_EQ(reading.wakes(), 1);
  EXPECT_EQ(writing.wakes(), 1);
  slab.free(token);
}

TEST(IoSlot, ClosedAndErrorBitsSurviveAClear) {
  IoSlab slab;
  const IoToken token = slab.allocate();
  IoSlot& slot = *slab.slot(token.index);
  ASSERT_TRUE(
      slot.set_readiness(token.generation, Readiness::readable | Readiness::read_closed));
  const ReadyEvent seen = slot.readiness(Direction::read);
  EXPECT_TRUE(slot.clear_readiness(seen));
  EXPECT_EQ(slot.readiness(Direction::read).bits, Readiness::read_closed);
  slab.free(token);
}

TEST(IoSlot, AFreedSlotForgetsItsReadinessAndItsWakers) {
  IoSlab slab;
  const IoToken token = slab.allocate();
  IoSlot& slot = *slab.slot(token.index);
  CountingWaker counting;
  const Waker waker = counting.waker();
  Context cx(waker);
  ASSERT_TRUE(slot.poll_ready(Direction::read, cx).is_pending());
  ASSERT_TRUE(slot.set_readiness(token.generation, Readiness::writable));
  slab.free(token);
  EXPECT_EQ(slab.live(), 0U);

  const IoToken reused = slab.allocate();
  ASSERT_EQ(reused.index, token.index);
  EXPECT_EQ(slot.readiness(Direction::write).bits, 0);
  slot.wake(Readiness::readable);
  EXPECT_EQ(counting.wakes(), 0) << "a waker of the slot's last owner survived its free";
  slab.free(reused);
}

TEST(IoSlab, HandsOutPagesOfSlotsAndCountsTheLiveOnes) {
  IoSlab slab;
  std::vector<IoToken> tokens;
  for (std::size_t i = 0; i < IoSlab::kPageSize + 3; ++i)
    tokens.push_back(slab.allocate());
  EXPECT_EQ(slab.live(), IoSlab::kPageSize + 3);
  EXPECT_NE(slab.slot(tokens.back().index), nullptr);
  EXPECT_EQ(slab.slot(static_cast<std::uint32_t>(3 * IoSlab::kPageSize)), nullptr);
  for (const IoToken token : tokens)
    slab.free(token);
  EXPECT_EQ(slab.live(), 0U);
  EXPECT_EQ(IoToken::unpack(tokens[5].pack()).index, tokens[5].index);
  EXPECT_EQ(IoToken::unpack(tokens[5].pack()).generation, tokens[5].generation);
}

// The poll's "store the waker, re-check" against the reactor's "set, then
// take the wakers": each round starts both sides together; afterwards the
// poll either saw the edge or its waker was woken, never neither. TSan
// checks the waker's hand-over through the mutex.
TEST(IoSlot, APollRacingAnEdgeEitherSeesItOrIsWoken) {
  IoSlab slab;
  const IoToken token = slab.allocate();
  IoSlot& slot = *slab.slot(token.index);
  const int rounds = 2000 / testing::kStressScale;
  for (int round = 0; round < rounds; ++round) {
    CountingWaker counting;
    const Waker waker = counting.waker();
    std::latch start(2);
    std::thread reactor([&] {
      start.arrive_and_wait();
      slot.set_readiness(token.generation, Readiness::readable);
      slot.wake(Readiness::readable);
    });
    Context cx(waker);
    start.arrive_and_wait();
    Poll<ReadyEvent> seen = slot.poll_ready(Direction::read, cx);
    reactor.join();
    ASSERT_TRUE(seen.is_ready() || counting.wakes() == 1)
        << "lost wake in round " << round;
    ASSERT_TRUE(slot.clear_readiness(slot.readiness(Direction::read)));
    slot.wake(Readiness::readable);  // drops a waker left stored
  }
  slab.free(token);
}

}  // namespace
}  // namespace art
