// The reader's clear against the reactor's set, forced at every step. This
// binary links ch12-hooked, where the IO slot's word calls the calling
// thread's hook before each operation on it (io_slot_atomic.hpp). A reader
// clears what it saw, on a thread of its own, and is stopped before its k-th
// operation on the word; there the test, as the reactor, sets a newer event,
// lets the reader go on, and checks that the event is still in the slot.
// Then the same with k+1, until the clear ends before its k-th operation.
// A clear that checks the tick and then writes in a second step (a
// fetch_and, or a store of the word it computed) is stopped between the two
// at k = 2, and its write erases the event: it fails here every run, where
// the overlapping rounds of io_slot_test.cpp catch it only when the threads
// happen to meet there.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include <gtest/gtest.h>

#include "art/interleaving_hook.hpp"
#include "art/io_slot.hpp"

namespace art {
namespace {

using namespace std::chrono_literals;

// How long the test waits for the reader to reach its step, or to end.
constexpr std::chrono::seconds kPatience = 5s;

// clear_readiness(seen) on a thread of its own, stopped just before its
// `step`-th operation on the slot's word (counting from the clear's start)
// until the test lets it go. Every wait of the test's is bounded: a clear
// that never ends fails the test with a message instead of hanging it, and
// its thread is left running on what it shares with the test (the slot and
// this state, kept alive by the thread itself), never on the test's stack.
class StoppedClear {
 public:
  enum class Reached { step, end, neither };

  StoppedClear(std::shared_ptr<IoSlot> slot, ReadyEvent seen, int step)
      : shared_(std::make_shared<Shared>(std::move(slot), step)),
        thread_([shared = shared_, seen] { shared->run(seen); }) {}
  StoppedClear(const StoppedClear&) = delete;
  StoppedClear& operator=(const StoppedClear&) = delete;
  ~StoppedClear() {  // however the test ends: the reader goes on, and is joined
    if (!thread_.joinable())
      return;  // result() joined it
    let_go();
    // A clear let go ends in microseconds; one that has not ended by now
    // never will, and the test has failed already.
    if (ended_within(1s))
      thread_.join();
    else
      thread_.detach();
  }

  // Whether the reader stopped before its step, ended before it, or did
  // neither within kPatience.
  Reached wait_for_step_or_end() {
    std::unique_lock lock(shared_->mutex);
    if (!shared_->changed.wait_for(lock, kPatience,
                                   [&] { return shared_->stopped || shared_->ended; }))
      return Reached::neither;
    return shared_->stopped ? Reached::step : Reached::end;
  }

  void let_go() {
    {
      const std::lock_guard lock(shared_->mutex);
      shared_->go = true;
    }
    shared_->changed.notify_all();
  }

  bool ended_within(std::chrono::seconds limit) {
    std::unique_lock lock(shared_->mutex);
    return shared_->changed.wait_for(lock, limit, [&] { return shared_->ended; });
  }

  // Once the reader ended: what the clear returned; rethrows what it threw
  // (on the students' copy, the stub's TODO).
  bool result() {
    thread_.join();
    if (shared_->error)
      std::rethrow_exception(shared_->error);
    return shared_->cleared;
  }

 private:
  struct Shared {
    Shared(std::shared_ptr<IoSlot> s, int k) : slot(std::move(s)), step(k) {}

    void run(ReadyEvent seen) {
      interleaving::installed = {&Shared::before_operation, this};
      try {
        cleared = slot->clear_readiness(seen);
      } catch (...) {
        error = std::current_exception();
      }
      interleaving::installed = {};
      {
        const std::lock_guard lock(mutex);
        ended = true;
      }
      changed.notify_all();
    }

    // The hook, on the reader's thread only.
    static void before_operation(void* context) {
      auto* self = static_cast<Shared*>(context);
      if (++self->operations != self->step)
        return;
      interleaving::installed = {};  // the rest of the clear runs unhooked
      std::unique_lock lock(self->mutex);
      self->stopped = true;
      self->changed.notify_all();
      self->changed.wait(lock, [&] { return self->go; });
    }

    std::shared_ptr<IoSlot> slot;
    int step;
    int operations = 0;  // counted on the reader's thread only
    bool cleared = false;
    std::exception_ptr error;  // both read after the join
    std::mutex mutex;
    std::condition_variable changed;
    bool stopped = false;  // guarded by mutex
    bool go = false;       // guarded by mutex
    bool ended = false;    // guarded by mutex
  };

  std::shared_ptr<Shared> shared_;  // before thread_: set up before it starts
  std::thread thread_;
};

// Exercise 12.1. The reader saw "readable" at tick t, its read() said
// EAGAIN, and it clears. The reactor dispatches a new edge (tick t+1) just
// before the clear's first operation on the word, then just before its
// second, and so on. Whichever step it lands at, the edge must still be in
// the word afterwards, at tick t+1: that is what the reader's next
// poll_ready answers from. A correct clear either sees the new tick and
// gives up, or its compare-and-swap fails on the changed word and the
// retry gives up. A clear in two steps has already checked the tick when
// the set lands before its write, and the write erases the edge (a store
// of the word it computed also takes the tick back to t).
TEST(Ex12_1_IoSlot, ASetBetweenEveryStepOfAClearIsNeverLost) {
  constexpr int kMostOperations = 64;
  for (int step = 1;; ++step) {
    ASSERT_LE(step, kMostOperations)
        << "one clear made more than " << kMostOperations << " operations on the word";
    const auto slot = std::make_shared<IoSlot>();
    const std::uint32_t generation = slot->generation();
    ASSERT_TRUE(slot->set_readiness(generation, Readiness::readable));  // tick t
    const ReadyEvent seen = slot->readiness(Direction::read);  // the reader's poll
    ASSERT_EQ(seen.bits, Readiness::readable);
    // ... the reader's read() says EAGAIN here, and it clears:
    StoppedClear reader(slot, seen, step);
    const StoppedClear::Reached reached = reader.wait_for_step_or_end();
    ASSERT_NE(reached, StoppedClear::Reached::neither)
        << "the clear neither reached its operation " << step << " on the word nor ended";
    if (reached == StoppedClear::Reached::end) {
      reader.result();  // the stub's TODO, if it threw
      ASSERT_GT(step, 1) << "a clear made no operation on the slot's word";
      return;  // the clear took fewer operations: a set was tried before each
    }
    // The reactor, just before the clear's operation `step`: a new edge.
    ASSERT_TRUE(slot->set_readiness(generation, Readiness::readable));  // tick t+1
    reader.let_go();
    ASSERT_TRUE(reader.ended_within(kPatience))
        << "after a set just before its operation " << step
        << ", the clear did not end: does it wait for the tick it saw to come back?";
    reader.result();
    const ReadyEvent after = slot->readiness(Direction::read);
    EXPECT_EQ(int{after.bits}, int{Readiness::readable})
        << "the reactor's set just before operation " << step
        << " of the clear was erased: the reader waits for an edge that already came";
    EXPECT_EQ(after.tick, (seen.tick + 1) & IoSlot::kTickMask)
        << "the tick moved back: a set just before operation " << step
        << " of the clear was written over";
    if (::testing::Test::HasFailure())
      return;
  }
}

}  // namespace
}  // namespace art
