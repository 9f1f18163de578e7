#include "art/block_on.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "art/ready_future.hpp"

namespace art {
namespace {

using namespace std::chrono_literals;

// A future completed from outside: a test (or a thread it starts) calls
// complete(), which wakes the newest waker the future was polled with.
// `polls` counts how often block_on asked.
struct Gate {
  std::mutex mutex;
  bool open = false;
  Waker waker;
  std::atomic<int> polls{0};

  void complete() {
    std::lock_guard lock(mutex);
    open = true;
    waker.wake_by_ref();
  }
};

class GateFuture {
 public:
  using Output = int;
  explicit GateFuture(std::shared_ptr<Gate> gate) : gate_(std::move(gate)) {}

  Poll<int> poll(Context& cx) {
    gate_->polls.fetch_add(1);
    std::lock_guard lock(gate_->mutex);
    if (gate_->open) {
      return 42;
    }
    gate_->waker = cx.waker();
    return pending;
  }

 private:
  std::shared_ptr<Gate> gate_;
};

// Opens the gate when the test ends, however it ends, so that a block_on still
// running on another thread can finish and the test cannot hang.
struct OpenOnExit {
  std::shared_ptr<Gate> gate;
  ~OpenOnExit() { gate->complete(); }
};

TEST(Ex1_3_BlockOn, ReturnsTheValueOfAReadyFuture) {
  EXPECT_EQ(block_on(ReadyFuture<std::string>("ready")), "ready");
}

// Pending `remaining` times, waking its own waker each time first: the
// wake-up arrives before block_on parks. (Exercise 1.2's CountdownFuture does
// the same; this copy keeps the tests of 1.3 independent of 1.2.)
struct WakesItselfFirst {
  using Output = void;
  int remaining = 0;
  int polls = 0;
  Poll<void> poll(Context& cx) {
    ++polls;
    if (remaining == 0)
      return ready;
    --remaining;
    cx.waker().wake_by_ref();
    return pending;
  }
};

TEST(Ex1_3_BlockOn, VoidFutureThatWakesItselfBeforePending) {
  // The future wakes its waker inside poll, before block_on parks: that
  // wake-up must not be lost, or this test hangs until its timeout.
  WakesItselfFirst future{3};
  block_on(future);
  EXPECT_EQ(future.remaining, 0);
  EXPECT_EQ(future.polls, 4) << "one poll per wake-up, and one more for Ready";
}

TEST(Ex1_3_BlockOn, WokenLateFromAnotherThreadPollsTwice) {
  auto gate = std::make_shared<Gate>();
  std::jthread completer([gate] {  // joins on every way out of the test
    std::this_thread::sleep_for(50ms);
    gate->complete();
  });
  const int value = block_on(GateFuture(gate));
  completer.join();
  EXPECT_EQ(value, 42);
  // One poll that returned Pending, one after the wake. A block_on that
  // spins instead of parking polls thousands of times in those 50 ms.
  EXPECT_EQ(gate->polls, 2);
}

TEST(Ex1_3_BlockOn, NeverWokenFutureIsPolledOnceThenSleeps) {
  auto gate = std::make_shared<Gate>();
  OpenOnExit release{gate};
  auto running = std::async(std::launch::async, [gate] { return block_on(GateFuture(gate)); });
  // Nothing wakes the future, so block_on must stay parked: the test
  // harness's timeout below is what ends the wait, not block_on.
  if (running.wait_for(300ms) == std::future_status::ready) {
    running.get();  // rethrows whatever block_on threw
    FAIL() << "block_on returned although its future was never woken";
  }
  EXPECT_EQ(gate->polls, 1) << "block_on polled a future that had not been woken";
  gate->complete();
  ASSERT_EQ(running.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(running.get(), 42);
  EXPECT_EQ(gate->polls, 2);
}

TEST(Ex1_3_BlockOn, ExceptionFromPollReachesTheCaller) {
  struct Throws {
    using Output = int;
    Poll<int> poll(Context&) { throw std::runtime_error("boom"); }
  };
  EXPECT_THROW(block_on(Throws{}), std::runtime_error);
}

TEST(BlockOn, WakerMayOutliveTheCall) {
  // The future hands a clone of block_on's waker to a thread that wakes it
  // after block_on has returned. The parker's state must still be alive then
  // (checked by the address sanitizer build).
  struct LeaksWaker {
    using Output = void;
    std::promise<Waker>* out;
    Poll<void> poll(Context& cx) const {
      out->set_value(cx.waker());
      return ready;
    }
  };
  std::promise<Waker> handed_over;
  block_on(LeaksWaker{&handed_over});
  std::thread late([waker = handed_over.get_future().get()]() mutable { std::move(waker).wake(); });
  late.join();
}

}  // namespace
}  // namespace art
