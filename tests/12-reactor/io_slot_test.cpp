// The slot's transitions, called directly in the order a race would put
// them: no reactor thread, no timing.
#include "art/io_slot.hpp"

#include <atomic>
#include <chrono>
#include <exception>
#include <fstream>
#include <functional>
#include <latch>
#include <string>
#include <sys/types.h>
#include <thread>
#include <unistd.h>
#include <vector>

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

  ASSERT_TRUE(slot.set_readiness(token.generation, Readiness::readable));  // tick t
  const ReadyEvent first = slot.readiness(Direction::read);  // what the reader's poll saw
  ASSERT_EQ(first.bits, Readiness::readable);
  // ... the reader's read() says EAGAIN here ...
  ASSERT_TRUE(slot.set_readiness(token.generation, Readiness::readable));  // tick t+1
  EXPECT_FALSE(slot.clear_readiness(first));

  const ReadyEvent second = slot.readiness(Direction::read);
  EXPECT_EQ(second.bits, Readiness::readable)
      << "the clear erased an event that came after it looked";
  EXPECT_EQ(second.tick, first.tick + 1);
  slab.free(token);
}
// ANCHOR_END: tick_race_test

TEST(Ex12_1_IoSlot, AClearAtTheCurrentTickForgetsTheReadinessUntilTheNextEdge) {
  IoSlab slab;
  const IoToken token = slab.allocate();
  IoSlot& slot = *slab.slot(token.index);

  ASSERT_TRUE(slot.set_readiness(token.generation, Readiness::readable));
  const ReadyEvent seen = slot.readiness(Direction::read);
  EXPECT_TRUE(slot.clear_readiness(seen));
  EXPECT_EQ(slot.readiness(Direction::read).bits, 0)
      << "a reader's EAGAIN at the current tick must make its next poll wait";

  ASSERT_TRUE(slot.set_readiness(token.generation, Readiness::readable));
  EXPECT_EQ(slot.readiness(Direction::read).bits, Readiness::readable);
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
  slab.free(slab.allocate());  // the slot's second owner: its generation is not 0
  const IoToken token = slab.allocate();
  ASSERT_NE(token.generation, 0U);
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
// in some order. A run ends after its rounds or after kRunFor, whichever
// comes first: on a loaded machine the two threads are seldom on a core
// together and a round can cost a time slice. Fewer rounds only make a
// broken step less likely to be caught; a correct one passes in any order.
class Lockstep {
 public:
  // `hot`: the other thread waits for a round spinning (it yields only
  // after a long wait, when the test's thread was descheduled), so it
  // starts its step within a few cache misses of the test's; a thread that
  // yields at once would rarely overlap its step with the test's.
  explicit Lockstep(std::function<void()> theirs, bool hot = false)
      : hot_(hot), thread_([this, theirs = std::move(theirs)] { run(theirs); }) {}
  Lockstep(const Lockstep&) = delete;
  Lockstep& operator=(const Lockstep&) = delete;
  ~Lockstep() {  // also when the test's step threw: the other thread ends
    stop_.store(true, std::memory_order_release);
    thread_.join();
  }

  static constexpr std::chrono::seconds kRunFor{2};

  // Whether the run may go on to round `number`.
  bool more(int number, int rounds) const {
    return number <= rounds && std::chrono::steady_clock::now() < give_up_;
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
      for (int spin = 0; started_.load(std::memory_order_acquire) < number; ++spin) {
        if (stop_.load(std::memory_order_acquire))
          return;
        if (spin > (hot_ ? 100'000 : 1000))
          std::this_thread::yield();  // a busy machine: let the test's thread run
      }
      theirs();
      finished_.store(number, std::memory_order_release);
    }
  }

  std::atomic<int> started_{0};
  std::atomic<int> finished_{0};
  std::atomic<bool> stop_{false};
  std::atomic<int> spins_{0};
  const bool hot_;
  const std::chrono::steady_clock::time_point give_up_ =
      std::chrono::steady_clock::now() + kRunFor;
  std::thread thread_;
};

// The reactor's set against the reader's clear, overlapped in every phase.
// Whichever goes first, the set's event must be in the word afterwards:
// set then clear (the clear fails on the tick) or clear then set. A clear
// that checks the tick and then writes in a second step, or writes back a
// word it read earlier, loses the event or moves the tick back in some
// round: in most runs, when the two threads meet in its window.
// io_slot_hook_test.cpp stops the clear at each step and forces it; this
// one runs the two for real at once, for ThreadSanitizer to watch.
TEST(Ex12_1_IoSlot, AClearRacingTheReactorsSetNeverLosesTheSetsEvent) {
  IoSlab slab;
  const IoToken token = slab.allocate();
  IoSlot& slot = *slab.slot(token.index);
  const int rounds = 10000 / testing::kStressScale;
  Lockstep reactor([&] { slot.set_readiness(token.generation, Readiness::readable); },
                   /*hot=*/true);
  for (int round = 1; reactor.more(round, rounds); ++round) {
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

// A task polled again with the waker it already left behind: nothing to
// store, and a clone (a reference count, or worse) would be wasted work on
// every spurious poll.
TEST(Ex12_2_IoSlot, APollWithTheWakerItAlreadyLeftClonesItNoMore) {
  IoSlab slab;
  const IoToken token = slab.allocate();
  IoSlot& slot = *slab.slot(token.index);
  CountingWaker counting;
  const Waker waker = counting.waker();
  Context cx(waker);
  ASSERT_TRUE(slot.poll_ready(Direction::read, cx).is_pending());
  const int stored = counting.clones();
  EXPECT_EQ(stored, 1) << "the slot keeps one clone of the task's waker";
  ASSERT_TRUE(slot.poll_ready(Direction::read, cx).is_pending());
  ASSERT_TRUE(slot.poll_ready(Direction::read, cx).is_pending());
  EXPECT_EQ(counting.clones(), stored) << "the same waker was cloned again (Waker::will_wake)";
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

// A waker that holds the thread where a poll replaces it: the first drop
// of a reference to it, once armed, waits until the test lets it go. A
// poll that replaces a stored waker drops the old one while it holds the
// slot's waker lock (the reader's poll below then sleeps on that lock).
class HoldingWaker {
 public:
  Waker waker() { return Waker(RawWaker{this, &kVTable}); }
  void arm() { armed_.store(true, std::memory_order_release); }
  bool holding() const { return holding_.load(std::memory_order_acquire); }
  void let_go() {  // idempotent
    if (!let_go_.exchange(true, std::memory_order_acq_rel))
      go_on_.count_down();
  }

 private:
  void maybe_hold() {
    // Acquire/release: the test's arm() before, its holding() after.
    if (armed_.load(std::memory_order_acquire) &&
        !holding_.exchange(true, std::memory_order_acq_rel))
      go_on_.wait();  // only the first drop waits
  }
  static RawWaker clone(void* data) { return RawWaker{data, &kVTable}; }
  static void wake(void* /*data*/) {}
  static void drop(void* data) noexcept {
    static_cast<HoldingWaker*>(data)->maybe_hold();
  }
  static constexpr WakerVTable kVTable{clone, wake, wake, drop};
  std::atomic<bool> armed_{false};
  std::atomic<bool> holding_{false};
  std::atomic<bool> let_go_{false};
  std::latch go_on_{1};
};

// Whether thread `tid` of this process sleeps (in the kernel: here, on a
// mutex). Reads /proc; false where it cannot tell.
bool sleeps(pid_t tid) {
  std::ifstream stat("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const std::size_t name_end = line.rfind(')');
  return name_end != std::string::npos && name_end + 2 < line.size() &&
         line[name_end + 2] == 'S';
}

// The window of a lost wake, forced: a writer's poll holds the waker lock
// (it replaces its old waker with a new one, and the old one's drop holds
// it there), a reader's poll has looked at the word, found nothing, and
// sleeps waiting for that lock; now the reactor sets the readable bit.
// Once the reader gets the lock it must see the bit: a poll that trusts
// the look it took before the lock answers Pending with the edge in the
// word, and the reactor's wake, which may take the lock before it, finds
// no waker to wake. (A reader caught before its look answers Ready all the
// same; one that never sleeps is checked for "Ready, or woken" instead.)
TEST(Ex12_2_IoSlot, AnEdgeSetWhileThePollWaitsForTheLockIsSeen) {
  IoSlab slab;
  const IoToken token = slab.allocate();
  IoSlot& slot = *slab.slot(token.index);
  HoldingWaker old_writer;
  CountingWaker new_writer;  // the writer's task moved: a new waker
  const Waker old_writer_waker = old_writer.waker();
  const Waker new_writer_waker = new_writer.waker();
  Context old_writer_cx(old_writer_waker);
  ASSERT_TRUE(slot.poll_ready(Direction::write, old_writer_cx).is_pending());
  old_writer.arm();
  auto holding = [&] { return old_writer.holding(); };

  std::atomic<bool> writer_done{false};
  std::exception_ptr writer_error;
  std::thread writer([&] {
    try {
      Context cx(new_writer_waker);
      (void)slot.poll_ready(Direction::write, cx);
    } catch (...) {
      writer_error = std::current_exception();
    }
    writer_done.store(true, std::memory_order_release);
  });
  CountingWaker counting;
  const Waker reader_waker = counting.waker();
  std::atomic<pid_t> reader_tid{0};
  std::atomic<bool> reader_done{false};
  Poll<ReadyEvent> seen = pending;
  std::exception_ptr reader_error;
  std::thread reader;
  struct JoinAll {  // also when an assertion returns early
    std::thread& writer;
    std::thread& reader;
    HoldingWaker& old_writer;
    ~JoinAll() {
      old_writer.let_go();
      for (std::thread* thread : {&writer, &reader})
        if (thread->joinable())
          thread->join();
    }
  } join_all{writer, reader, old_writer};
  ASSERT_TRUE(testing::eventually(
      [&] { return holding() || writer_done.load(std::memory_order_acquire); }));
  if (writer_error)
    std::rethrow_exception(writer_error);  // the stub's TODO
  ASSERT_TRUE(holding()) << "the writer's poll did not replace its old waker";

  reader = std::thread([&] {
    try {
      Context cx(reader_waker);
      reader_tid.store(gettid(), std::memory_order_release);
      seen = slot.poll_ready(Direction::read, cx);
    } catch (...) {
      reader_error = std::current_exception();
    }
    reader_done.store(true, std::memory_order_release);
  });
  ASSERT_TRUE(testing::eventually(
      [&] { return reader_tid.load(std::memory_order_acquire) != 0; }));
  // Until it sleeps on the lock, or is done (the writer held it elsewhere).
  ASSERT_TRUE(testing::eventually([&] {
    return reader_done.load(std::memory_order_acquire) || sleeps(reader_tid.load());
  }));
  const bool reader_waited = !reader_done.load(std::memory_order_acquire);
  ASSERT_TRUE(slot.set_readiness(token.generation, Readiness::readable));
  old_writer.let_go();
  reader.join();
  writer.join();
  if (reader_error)
    std::rethrow_exception(reader_error);
  if (reader_waited) {
    ASSERT_TRUE(seen.is_ready())
        << "the poll answered Pending with the edge in the word: the reactor's wake "
           "may have come before its waker";
  } else {
    slot.wake(Readiness::readable);
    ASSERT_TRUE(seen.is_ready() || counting.wakes() == 1) << "lost wake";
  }
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
  const int rounds = 2000 / testing::kStressScale;
  Lockstep reactor([&] {
    slot->set_readiness(token.generation, Readiness::readable);
    slot->wake(Readiness::readable);
  });
  for (int round = 1; reactor.more(round, rounds); ++round) {
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
