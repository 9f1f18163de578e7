// The slot's transitions, called directly in the order a race would put
// them: no reactor thread, no timing.
#include "art/io_slot.hpp"

#include <atomic>
#include <functional>
#include <thread>

#include <gtest/gtest.h>

#include "art/io_slab.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using testing::CountingWaker;

TEST(Ex12_2_IoSlot, AnEventBeforeAnyPollIsKeptForTheFirstPoll) {
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
TEST(Ex12_1_IoSlot, AClearAfterANewerEventLeavesTheNewerEventInPlace) {
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

TEST(Ex12_1_IoSlot, AClearAtTheCurrentTickMakesTheNextPollWaitAndTheNextEdgeWakesIt) {
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

TEST(Ex12_2_IoSlot, ReadAndWriteHaveAWakerEachAndOnlyTheReadyDirectionIsWoken) {
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

TEST(Ex12_1_IoSlot, ClosedAndErrorBitsSurviveAClear) {
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

TEST(Ex12_1_IoSlot, AReadersClearLeavesTheWritersReadiness) {
  IoSlab slab;
  const IoToken token = slab.allocate();
  IoSlot& slot = *slab.slot(token.index);
  ASSERT_TRUE(
      slot.set_readiness(token.generation, Readiness::readable | Readiness::writable));
  const ReadyEvent seen = slot.readiness(Direction::read);  // the reader saw only its bit
  EXPECT_TRUE(slot.clear_readiness(seen));
  EXPECT_EQ(slot.readiness(Direction::read).bits, 0);
  EXPECT_EQ(slot.readiness(Direction::write).bits, Readiness::writable)
      << "a reader's EAGAIN says nothing about writing: the writer's edge is gone";
  slab.free(token);
}

TEST(Ex12_1_IoSlot, AClearKeepsTheGenerationAndTheTick) {
  IoSlab slab;
  const IoToken token = slab.allocate();
  IoSlot& slot = *slab.slot(token.index);
  ASSERT_TRUE(slot.set_readiness(token.generation, Readiness::readable));
  ASSERT_TRUE(slot.set_readiness(token.generation, Readiness::readable));
  const ReadyEvent seen = slot.readiness(Direction::read);
  EXPECT_TRUE(slot.clear_readiness(seen));
  EXPECT_EQ(slot.generation(), token.generation)
      << "a clear that rewrote the generation makes the slot's own events stale";
  EXPECT_EQ(slot.tick(), seen.tick) << "only the reactor moves the tick";
  EXPECT_TRUE(slot.set_readiness(token.generation, Readiness::readable));
  slab.free(token);
}

// Two threads that meet at the start of every round and again at its end:
// `theirs` runs on the other thread while the test runs its own step, so
// the two steps overlap. The test's step starts after a delay that grows
// with the round (0 to 63 spins), so the rounds sweep every phase of the
// overlap. The outcome checked after each round holds in every order the
// two steps can take; a step that is not one atomic transition breaks it
// in some order.
class Lockstep {
 public:
  explicit Lockstep(std::function<void()> theirs)
      : thread_([this, theirs = std::move(theirs)] { run(theirs); }) {}
  Lockstep(const Lockstep&) = delete;
  Lockstep& operator=(const Lockstep&) = delete;
  ~Lockstep() {  // also when the test's step threw: the other thread ends
    stop_.store(true, std::memory_order_release);
    thread_.join();
  }

  void round(int number, const std::function<void()>& ours) {
    // Release/acquire: each side's step of the round before happens
    // before the other side's step of this one.
    started_.store(number, std::memory_order_release);
    for (int spin = 0; spin < number % 64; ++spin)
      spins_.fetch_add(1, std::memory_order_relaxed);  // a delay, nothing else
    ours();
    while (finished_.load(std::memory_order_acquire) < number)
      std::this_thread::yield();
  }

 private:
  void run(const std::function<void()>& theirs) {
    for (int number = 1;; ++number) {
      while (started_.load(std::memory_order_acquire) < number) {
        if (stop_.load(std::memory_order_acquire))
          return;
      }
      theirs();
      finished_.store(number, std::memory_order_release);
    }
  }

  std::atomic<int> started_{0};
  std::atomic<int> finished_{0};
  std::atomic<bool> stop_{false};
  std::atomic<int> spins_{0};
  std::thread thread_;
};

// The reactor's set against the reader's clear, overlapped in every phase.
// Whichever goes first, the set's event must be in the word afterwards:
// set then clear (the clear fails on the tick) or clear then set. A clear
// that checks the tick and then writes in a second step, or writes back a
// word it read earlier, loses the event or moves the tick back in some
// round.
TEST(Ex12_1_IoSlot, AClearRacingTheReactorsSetNeverLosesTheSetsEvent) {
  IoSlab slab;
  const IoToken token = slab.allocate();
  IoSlot& slot = *slab.slot(token.index);
  const int rounds = 20000 / testing::kStressScale;
  Lockstep reactor([&] { slot.set_readiness(token.generation, Readiness::readable); });
  for (int round = 1; round <= rounds; ++round) {
    slot.set_readiness(token.generation, Readiness::readable);
    const ReadyEvent seen = slot.readiness(Direction::read);
    reactor.round(round, [&] { slot.clear_readiness(seen); });
    ASSERT_EQ(slot.tick(), (seen.tick + 1) & IoSlot::kTickMask)
        << "the tick moved back in round " << round;
    ASSERT_EQ(slot.readiness(Direction::read).bits, Readiness::readable)
        << "the reactor's event was erased in round " << round;
  }
  slab.free(token);
}

TEST(Ex12_2_IoSlot, APollKeepsTheTasksNewestWaker) {
  IoSlab slab;
  const IoToken token = slab.allocate();
  IoSlot& slot = *slab.slot(token.index);
  CountingWaker before;
  CountingWaker after;  // the task moved, or was polled by another combinator
  const Waker old_waker = before.waker();
  const Waker new_waker = after.waker();
  Context old_cx(old_waker);
  Context new_cx(new_waker);
  ASSERT_TRUE(slot.poll_ready(Direction::read, old_cx).is_pending());
  ASSERT_TRUE(slot.poll_ready(Direction::read, new_cx).is_pending());
  ASSERT_TRUE(slot.set_readiness(token.generation, Readiness::readable));
  slot.wake(Readiness::readable);
  EXPECT_EQ(after.wakes(), 1) << "the newest waker was not stored";
  EXPECT_EQ(before.wakes(), 0);
  slab.free(token);
}

TEST(Ex12_2_IoSlot, AClosedPeerEndsTheWaitOfBothDirections) {
  IoSlab slab;
  const IoToken token = slab.allocate();
  IoSlot& slot = *slab.slot(token.index);
  CountingWaker counting;
  const Waker waker = counting.waker();
  Context cx(waker);
  ASSERT_TRUE(
      slot.set_readiness(token.generation, Readiness::read_closed | Readiness::error));
  Poll<ReadyEvent> read = slot.poll_ready(Direction::read, cx);
  Poll<ReadyEvent> write = slot.poll_ready(Direction::write, cx);
  ASSERT_TRUE(read.is_ready());
  ASSERT_TRUE(write.is_ready()) << "an error ends a writer's wait too";
  EXPECT_EQ(read.value().bits, Readiness::read_closed | Readiness::error);
  EXPECT_EQ(write.value().bits, Readiness::error);
  slab.free(token);
}

// The poll against the reactor's "set, then take the wakers", overlapped
// in every phase: afterwards the poll either saw the edge or its waker was
// woken, never neither. A poll that stores its waker after a look that
// the reactor's set and wake can overtake answers Pending with the edge in
// the word and nobody left to wake it. TSan checks the waker's hand-over.
TEST(Ex12_2_IoSlot, APollRacingAnEdgeEitherSeesItOrIsWoken) {
  IoSlab slab;
  IoToken token = slab.allocate();
  IoSlot* slot = slab.slot(token.index);
  const int rounds = 20000 / testing::kStressScale;
  Lockstep reactor([&] {
    slot->set_readiness(token.generation, Readiness::readable);
    slot->wake(Readiness::readable);
  });
  for (int round = 1; round <= rounds; ++round) {
    CountingWaker counting;
    const Waker waker = counting.waker();
    Context cx(waker);
    Poll<ReadyEvent> seen = pending;
    reactor.round(round, [&] { seen = slot->poll_ready(Direction::read, cx); });
    ASSERT_TRUE(seen.is_ready() || counting.wakes() == 1)
        << "lost wake in round " << round;
    slab.free(token);  // a fresh slot for the next round, its waker dropped
    token = slab.allocate();
    slot = slab.slot(token.index);
  }
  slab.free(token);
}

}  // namespace
}  // namespace art
