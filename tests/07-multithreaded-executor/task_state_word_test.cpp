// The state word's transitions, one by one, on a bare TaskStateWord; and the
// one race every wake must survive, forced both ways and then repeated.
#include "art/task_state_word.hpp"

#include <atomic>
#include <barrier>
#include <cstdint>
#include <latch>
#include <new>
#include <thread>

#include <gtest/gtest.h>

#include "test_support.hpp"
#include "test_thread.hpp"

namespace art {
namespace {

using Word = TaskStateWord;
constexpr std::uint64_t R = Word::kRunning;
constexpr std::uint64_t C = Word::kComplete;
constexpr std::uint64_t N = Word::kNotified;
constexpr std::uint64_t X = Word::kCancelled;
constexpr std::uint64_t J = Word::kJoinInterest;
constexpr std::uint64_t W = Word::kJoinWaker;
constexpr std::uint64_t refs(std::uint64_t n) { return n * Word::kOneReference; }

TEST(StateWord, ANewTaskIsQueuedJoinableAndHeldThreeTimes) {
  const Word word;
  EXPECT_EQ(word.load().bits, N | J | refs(3));
}

TEST(Ex7_1_ToRunning, AQueuedTaskIsClaimedAndItsEntryBitCleared) {
  Word word(N | J | refs(3));
  EXPECT_EQ(word.to_running(), Word::ToRunning::run);
  EXPECT_EQ(word.load().bits, R | J | refs(3));
}

TEST(Ex7_1_ToRunning, AnAbortedTaskIsClaimedToBeCancelled) {
  Word word(N | X | J | refs(2));
  EXPECT_EQ(word.to_running(), Word::ToRunning::cancel);
  EXPECT_EQ(word.load().bits, R | X | J | refs(2));
}

TEST(Ex7_1_ToRunning, ACompletedTaskIsNobodysToRun) {
  Word word(C | N | X | refs(1));  // shut down while its entry was queued
  EXPECT_EQ(word.to_running(), Word::ToRunning::not_yours);
  EXPECT_EQ(word.load().bits, C | N | X | refs(1));
}

TEST(Ex7_1_ToRunning, OfTwoWorkersRacingForOneTaskExactlyOneWins) {
  for (int round = 0; round < 1000 / testing::kStressScale; ++round) {
    Word word(N | refs(2));
    std::latch start(2);
    std::atomic<int> winners{0};
    auto claim = [&] {
      start.arrive_and_wait();
      if (word.to_running() == Word::ToRunning::run)
        winners.fetch_add(1);
    };
    testing::TestThread a(claim);  // a stub's error comes back here, on join
    testing::TestThread b(claim);
    a.join();
    b.join();
    EXPECT_EQ(winners.load(), 1);
    EXPECT_EQ(word.load().bits, R | refs(2));
  }
}

TEST(StateWord, APollThatEndsPendingLeavesTheTaskIdle) {
  Word word(R | J | refs(3));
  EXPECT_EQ(word.to_idle(), Word::ToIdle::idle);
  EXPECT_EQ(word.load().bits, J | refs(3));  // the caller drops the entry's reference
}

TEST(StateWord, APollThatWasWokenRequeuesWithTheSameReference) {
  Word word(R | N | J | refs(3));
  EXPECT_EQ(word.to_idle(), Word::ToIdle::requeue);
  EXPECT_EQ(word.load().bits, N | J | refs(3));
}

TEST(StateWord, APollThatWasAbortedStaysRunningToBeCancelled) {
  Word word(R | N | X | J | refs(3));
  EXPECT_EQ(word.to_idle(), Word::ToIdle::cancel);
  EXPECT_EQ(word.load().bits, R | N | X | J | refs(3));
}

TEST(StateWord, CompletingFlipsRunningAndCompleteAndReportsTheJoinBits) {
  Word word(R | J | W | refs(3));
  const Word::Snapshot before = word.to_complete();
  EXPECT_TRUE(before.join_interest() && before.join_waker());
  EXPECT_EQ(word.load().bits, C | J | W | refs(3));
}

TEST(Ex7_2_WakeByRef, AnIdleTaskIsMarkedAndGetsAReferenceForItsEntry) {
  Word word(J | refs(2));
  EXPECT_TRUE(word.to_notified_by_ref());
  EXPECT_EQ(word.load().bits, N | J | refs(3));
}

TEST(Ex7_2_WakeByRef, ARunningTaskIsMarkedButNotQueued) {
  Word word(R | J | refs(3));
  EXPECT_FALSE(word.to_notified_by_ref());
  EXPECT_EQ(word.load().bits, R | N | J | refs(3));
}

TEST(Ex7_2_WakeByRef, AQueuedTaskIsNotQueuedTwice) {
  Word word(N | J | refs(3));
  EXPECT_FALSE(word.to_notified_by_ref());
  EXPECT_EQ(word.load().bits, N | J | refs(3));
}

TEST(Ex7_2_WakeByRef, ACompletedTaskIsLeftAlone) {
  Word word(C | refs(1));
  EXPECT_FALSE(word.to_notified_by_ref());
  EXPECT_EQ(word.load().bits, C | refs(1));
}

// The race of this chapter: a wake on one thread against the end of a poll
// on another. Forced in both orders: the wake first, while the poll still
// runs (it must come out of to_idle as `requeue`); the poll's end first
// (the wake must then queue the task itself).
TEST(Ex7_2_WakeByRef, AWakeJustBeforeThePollEndsMakesThePollRequeue) {
  Word word(R | J | refs(3));
  testing::run_on_another_thread([&word] { EXPECT_FALSE(word.to_notified_by_ref()); });
  // the wake is done; the poll ends only now
  EXPECT_EQ(word.to_idle(), Word::ToIdle::requeue);
  EXPECT_EQ(word.load().bits, N | J | refs(3));
}

TEST(Ex7_2_WakeByRef, AWakeJustAfterThePollEndsQueuesTheTask) {
  Word word(R | J | refs(3));
  EXPECT_EQ(word.to_idle(), Word::ToIdle::idle);
  bool queue = false;
  testing::run_on_another_thread([&] { queue = word.to_notified_by_ref(); });
  EXPECT_TRUE(queue);
  EXPECT_EQ(word.load().bits, N | J | refs(4));  // the entry's new reference
}

// Two wakes of one idle task at the same moment, round after round: the
// threads meet at a barrier, wake, and meet again; between rounds the
// barrier's completion step checks that exactly one of them was told to
// queue the task (one entry, one new reference), then makes it idle again.
TEST(Ex7_2_WakeByRef, OfTwoWakesRacingOnAnIdleTaskExactlyOneQueuesIt) {
  // The window (between a wake's load and its compare-and-swap) is a few
  // instructions wide: a wrong answer shows about once in 20,000 rounds,
  // so a missing reset of `queue` is caught in most runs, not all.
  const int rounds = 50'000 / testing::kStressScale;
  Word word(J | refs(2));
  std::atomic<int> queued{0};
  int bad_rounds = 0;
  bool after_wakes = false;  // the barrier completes twice a round
  auto between_rounds = [&]() noexcept {
    if (after_wakes) {
      if (queued.load() != 1 || word.load().bits != (N | J | refs(3)))
        ++bad_rounds;
      queued.store(0);
      word.~Word();  // idle again, for the next round
      new (&word) Word(J | refs(2));
    }
    after_wakes = !after_wakes;
  };
  std::barrier meet(2, between_rounds);
  auto waker = [&] {
    for (int round = 0; round < rounds; ++round) {
      meet.arrive_and_wait();
      if (word.to_notified_by_ref())
        queued.fetch_add(1);
      meet.arrive_and_wait();
    }
  };
  testing::TestThread a(waker, [&meet] { meet.arrive_and_drop(); });
  testing::TestThread b(waker, [&meet] { meet.arrive_and_drop(); });
  a.join();
  b.join();
  EXPECT_EQ(bad_rounds, 0) << "rounds where two wakes made two entries, or none";
}

// Then the same race, unforced, many times over: a worker polls the task
// whenever it holds an entry, a waker thread wakes it again and again.
// Every wake must end in exactly one entry or merge into one: at the end no
// entry is left over, none is missing, and the references balance.
TEST(Ex7_2_WakeByRef, WakesRacingPollsNeitherLoseNorDoubleAnEntry) {
  const int wakes = 100'000 / testing::kStressScale;
  Word word(J | refs(2));  // idle: the JoinHandle's and the list's references
  std::atomic<int> entries{0};
  std::atomic<bool> waking{true};
  testing::TestThread waker(
      [&] {
        for (int i = 0; i < wakes; ++i)
          if (word.to_notified_by_ref())
            entries.fetch_add(1);
        waking.store(false);
      },
      [&] { waking.store(false); });  // a wake that threw: stop polling too
  int polls = 0;
  while (waking.load() || entries.load() > 0) {
    if (entries.load() == 0) {
      std::this_thread::yield();
      continue;
    }
    ASSERT_EQ(word.to_running(), Word::ToRunning::run);  // never two entries at once
    entries.fetch_sub(1);
    ++polls;
    if (word.to_idle() == Word::ToIdle::requeue)
      entries.fetch_add(1);  // the same entry, back in the queue
    else
      word.release();  // the entry's reference
  }
  waker.join();
  EXPECT_GT(polls, 0);
  EXPECT_EQ(word.load().bits, J | refs(2));
}

TEST(StateWord, AWakeByValueGivesItsReferenceToTheEntry) {
  Word word(J | refs(3));  // one of them the waker's
  EXPECT_EQ(word.to_notified_by_value(), Word::ByValue::queue);
  EXPECT_EQ(word.load().bits, N | J | refs(3));
}

TEST(StateWord, AWakeByValueOfARunningTaskMarksItAndDropsItsReference) {
  Word word(R | J | refs(4));
  EXPECT_EQ(word.to_notified_by_value(), Word::ByValue::nothing);
  EXPECT_EQ(word.load().bits, R | N | J | refs(3));
}

TEST(StateWord, TheLastWakeByValueOfACompletedTaskDestroysIt) {
  Word word(C | refs(1));
  EXPECT_EQ(word.to_notified_by_value(), Word::ByValue::destroy);
}

TEST(StateWord, AnAbortOfAnIdleTaskQueuesItWithANewReference) {
  Word word(J | refs(2));
  EXPECT_TRUE(word.to_notified_and_cancelled());
  EXPECT_EQ(word.load().bits, N | X | J | refs(3));
}

TEST(StateWord, AnAbortOfARunningOrQueuedTaskOnlyMarksIt) {
  Word running(R | J | refs(3));
  EXPECT_FALSE(running.to_notified_and_cancelled());
  EXPECT_EQ(running.load().bits, R | N | X | J | refs(3));
  Word queued(N | J | refs(3));
  EXPECT_FALSE(queued.to_notified_and_cancelled());
  EXPECT_EQ(queued.load().bits, N | X | J | refs(3));
}

TEST(StateWord, AnAbortOfACompletedTaskDoesNothing) {
  Word word(C | J | refs(1));
  EXPECT_FALSE(word.to_notified_and_cancelled());
  EXPECT_EQ(word.load().bits, C | J | refs(1));
}

TEST(StateWord, ShutdownClaimsEveryTaskNotYetComplete) {
  Word queued(N | J | refs(3));
  EXPECT_TRUE(queued.to_shutdown());
  EXPECT_EQ(queued.load().bits, R | N | X | J | refs(3));
  Word done(C | refs(1));
  EXPECT_FALSE(done.to_shutdown());
}

TEST(StateWord, TheJoinWakerSlotIsHandedOverOnlyBeforeCompletion) {
  Word word(R | J | refs(3));
  EXPECT_TRUE(word.set_join_waker());
  EXPECT_TRUE(word.unset_join_waker());
  EXPECT_TRUE(word.set_join_waker());
  (void)word.to_complete();
  EXPECT_FALSE(word.unset_join_waker());  // the completer's now
  Word done(C | J | refs(2));
  EXPECT_FALSE(done.set_join_waker());
}

TEST(StateWord, DroppingTheJoinHandleTakesTheSlotBackUnlessComplete) {
  Word running(R | J | W | refs(3));
  EXPECT_TRUE(running.unset_join_interest().join_waker());
  EXPECT_EQ(running.load().bits, R | refs(3));
  Word done(C | J | W | refs(2));
  (void)done.unset_join_interest();
  EXPECT_EQ(done.load().bits, C | W | refs(2));  // the completer may still read it
}

TEST(StateWord, OnlyTheLastReleaseSaysDestroy) {
  Word word(C | refs(3));
  EXPECT_FALSE(word.release(2));
  EXPECT_TRUE(word.release());
}

}  // namespace
}  // namespace art
