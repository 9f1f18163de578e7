#include "art/parker.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>

namespace art {
namespace {

using namespace std::chrono_literals;

// Unparks when the test ends, however it ends: a park() that lost its token
// then returns, and the test fails instead of hanging in the future's
// destructor. Declare it after the std::future it is meant to release.
struct UnparkOnExit {
  Parker& parker;
  ~UnparkOnExit() { parker.unpark(); }
};

TEST(Ex1_4_Parker, UnparkBeforeParkIsNotLost) {
  Parker parker;
  parker.unpark();
  auto parked = std::async(std::launch::async, [&] { parker.park(); });
  const UnparkOnExit release{parker};
  ASSERT_EQ(parked.wait_for(5s), std::future_status::ready)
      << "the token left by unpark() must let park() return at once";
  parked.get();  // rethrows what park() threw
}

TEST(Ex1_4_Parker, UnparkFromAnotherThreadWakesTheParkedThread) {
  Parker parker;
  std::atomic<bool> returned{false};
  auto parked = std::async(std::launch::async, [&] {
    parker.park();
    returned = true;
  });
  const UnparkOnExit release{parker};
  // Nothing has unparked yet, so park() must still be sleeping. (A parker that
  // returns early fails here; a correct one cannot.)
  if (parked.wait_for(100ms) == std::future_status::ready) {
    parked.get();
    FAIL() << "park() returned although nobody called unpark()";
  }
  EXPECT_FALSE(returned);
  parker.unpark();
  ASSERT_EQ(parked.wait_for(5s), std::future_status::ready);
  parked.get();
  EXPECT_TRUE(returned);
}

TEST(Ex1_4_Parker, EachParkConsumesOneToken) {
  Parker parker;
  parker.unpark();
  parker.unpark();  // two unparks before a park still leave one token
  auto parked = std::async(std::launch::async, [&] {
    parker.park();  // consumes the token
    parker.park();  // must sleep until the next unpark
  });
  const UnparkOnExit release{parker};
  if (parked.wait_for(100ms) == std::future_status::ready) {
    parked.get();
    FAIL() << "the second park() returned without a new unpark()";
  }
  parker.unpark();
  ASSERT_EQ(parked.wait_for(5s), std::future_status::ready);
  parked.get();
}

TEST(Parker, WakerUnparksAndOutlivesTheParker) {
  Waker waker;
  {
    Parker parker;
    waker = parker.waker();
    waker.wake_by_ref();
  }
  // The parker is gone; the waker still holds the shared state, so waking it
  // is harmless (the address sanitizer build checks for use-after-free).
  waker.wake_by_ref();
  std::move(waker).wake();
}

TEST(Parker, WakerWakesFromAnotherThread) {
  Parker parker;
  std::thread waker_thread([waker = parker.waker()]() mutable { std::move(waker).wake(); });
  waker_thread.join();
  auto parked = std::async(std::launch::async, [&] { parker.park(); });
  ASSERT_EQ(parked.wait_for(5s), std::future_status::ready);
}

}  // namespace
}  // namespace art
