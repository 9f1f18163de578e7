// Fiber tasks: ordinary functions that wait through art::await, side by side
// with coroutine tasks; their exceptions, cancellation, and stacks.
#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/allocation_counter.hpp"
#include "art/await.hpp"
#include "art/block_on.hpp"
#include "art/executor.hpp"
#include "art/fiber_context.hpp"
#include "art/manual_future.hpp"
#include "art/spawn_fiber.hpp"
#include "art/task.hpp"
#include "art/yield_now.hpp"
#include "probe_future.hpp"
#include "test_futures.hpp"

namespace art {
namespace {

using testing::Lifetime;
using testing::PendingForever;
using testing::Probe;
using testing::ProbeFuture;

TEST(Ex6_1_Resume, AFunctionRunsAsATask) {
  Executor executor;
  EXPECT_EQ(executor.block_on(fiber([] { return 6 * 7; })), 42);
}

TEST(Ex6_1_Resume, AFiberThatNeverWaitsFinishesInOnePoll) {
  Executor executor;
  auto handle = executor.spawn(fiber([] { return 1; }));
  executor.run_until_stalled();
  EXPECT_TRUE(handle.is_finished());
  EXPECT_EQ(executor.metrics().polls, 1U);
  const Waker waker = noop_waker();
  Context cx(waker);
  EXPECT_EQ(handle.poll(cx).value(), 1);  // the function's result, not an error
}

TEST(Ex6_2_Suspend, AwaitSuspendsTheFiberUntilTheWake) {
  Executor executor;
  auto probe = std::make_shared<Probe>();
  auto handle =
      executor.spawn(fiber([probe] { return art::await(ProbeFuture(probe)) + 1; }));
  EXPECT_EQ(executor.run_until_stalled(), 1U);  // suspended inside art::await
  EXPECT_EQ(probe->polls, 1);
  probe->complete(9);
  executor.run_until_stalled();
  EXPECT_EQ(probe->polls, 2);
  EXPECT_EQ(art::block_on(handle), 10);
}

TEST(Ex6_2_Suspend, AValueFromAnotherThreadReachesTheFiber) {
  Executor executor;
  auto [input, completer] = make_manual_future<int>();
  ManualFuture<int>& value = input;  // Clang 15 cannot capture a structured binding
  auto handle = executor.spawn(fiber([&value] { return art::await(value) * 2; }));
  EXPECT_EQ(executor.run_until_stalled(), 1U);  // suspended inside art::await
  std::jthread other(
      [completer = std::move(completer)]() mutable { completer.complete(20); });
  executor.run();  // sleeps until the other thread's wake arrives
  EXPECT_EQ(art::block_on(handle), 40);
}

int wait_at_depth(int depth, ProbeFuture& future) {
  if (depth == 0)
    return art::await(future);
  return 1 + wait_at_depth(depth - 1, future);
}

TEST(Ex6_3_Await, AwaitWorksDeepInsideOrdinaryCalls) {
  Executor executor;
  auto probe = std::make_shared<Probe>();
  auto handle = executor.spawn(fiber([probe] {
    ProbeFuture future(probe);
    return wait_at_depth(100, future);
  }));
  executor.run_until_stalled();
  probe->complete(1);
  executor.run_until_stalled();
  EXPECT_EQ(art::block_on(handle), 101);
}

Task<int> coroutine_doubles(JoinHandle<int> from_fiber) {
  co_return 2 * co_await from_fiber;
}

TEST(Ex6_3_Await, FibersAndCoroutinesAwaitEachOther) {
  Executor executor;
  auto probe = std::make_shared<Probe>();
  auto result = executor.block_on([](std::shared_ptr<Probe> p) -> Task<int> {
    auto first = spawn_fiber([p] { return art::await(ProbeFuture(p)); });
    auto middle = spawn(coroutine_doubles(std::move(first)));
    auto last = spawn_fiber([&middle] { return art::await(middle) + 1; });
    p->complete(5);  // the first fiber is Ready at its next poll
    co_return co_await last;
  }(probe));
  EXPECT_EQ(result, 11);
}

std::string take_turns(char name, std::string* log) {
  for (int i = 0; i < 3; ++i) {
    *log += name;
    art::await(yield_now());
  }
  return *log;
}

TEST(Ex6_3_Await, YieldingFibersTakeTurns) {
  Executor executor;
  std::string log;
  auto a = executor.spawn(fiber([&log] { return take_turns('a', &log); }));
  auto b = executor.spawn(fiber([&log] { return take_turns('b', &log); }));
  executor.run_until_stalled();
  art::block_on(a);  // rethrows what ended a fiber early, if anything did
  art::block_on(b);
  EXPECT_EQ(log, "ababab");
}

void chain_link(int n, int* links) {
  ++*links;
  if (n > 0)
    (void)spawn_fiber([n, links] { chain_link(n - 1, links); });
}

// Stacks go back to the pool with whatever AddressSanitizer recorded about
// the frames of their last fiber; the next fiber on the same stack must not
// trip over it. Many fibers that wait, then a chain of fibers that each
// spawn the next, reusing the stacks the first ones left.
TEST(Fiber, APooledStackIsCleanForItsNextFiber) {
  Executor executor;
  int yields = 0;
  for (int i = 0; i < 200; ++i)
    (void)executor.spawn(fiber([&yields] {
      for (int turn = 0; turn < 1000; ++turn) {
        ++yields;
        art::await(yield_now());
      }
    }));
  executor.run_until_stalled();
  int links = 0;
  (void)executor.spawn(fiber([&links] { chain_link(1000, &links); }));
  executor.run_until_stalled();
  EXPECT_EQ(links, 1001);
  EXPECT_EQ(yields, 200'000);
}

TEST(Fiber, AnExceptionComesOutOfTheJoinNotAcrossTheSwitch) {
  Executor executor;
  auto probe = std::make_shared<Probe>();
  auto handle = executor.spawn(fiber([probe]() -> int {
    art::await(ProbeFuture(probe));
    throw std::runtime_error("fiber failed");
  }));
  executor.run_until_stalled();
  probe->complete(1);
  executor.run_until_stalled();
  EXPECT_THROW(art::block_on(handle), std::runtime_error);
}

TEST(Fiber, AwaitOutsideAFiberIsAnError) {
  auto probe = std::make_shared<Probe>();
  EXPECT_THROW(art::await(ProbeFuture(probe)), std::logic_error);
}

TEST(Fiber, ShutdownUnwindsASuspendedFiber) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  StackPool stacks;
  {
    Executor executor;
    auto handle = executor.spawn(fiber(
        [destroyed] {
          Lifetime on_the_fiber_stack(destroyed);
          return art::await(PendingForever(std::make_shared<std::atomic<int>>(0)));
        },
        stacks));
    executor.run_until_stalled();
    EXPECT_EQ(destroyed->load(), 0);
    executor.shutdown();
    EXPECT_EQ(destroyed->load(), 1);  // its destructor ran, on the fiber's stack
    EXPECT_THROW(art::block_on(handle), TaskCancelled);
  }
  EXPECT_EQ(stacks.mapped(), 1U);
}

TEST(Fiber, StacksAreReused) {
  StackPool stacks;
  Executor executor;
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(executor.block_on(fiber([i] { return i; }, stacks)), i);
  EXPECT_EQ(stacks.mapped(), 1U);  // one stack, a hundred fibers
}

TEST(Fiber, NoGlobalAllocationPerFiberTaskAfterWarmUp) {
  StackPool stacks;
  Executor executor;
  auto run_round = [&] {
    int sum = 0;
    for (int i = 0; i < 100; ++i)
      sum += executor.block_on(fiber(
          [i] {
            art::await(yield_now());
            return i;
          },
          stacks));
    return sum;
  };
  const int warm = run_round();
  const std::uint64_t before = global_allocations();
  const int sum = run_round();
  EXPECT_EQ(global_allocations() - before, 0U);
  EXPECT_EQ(sum, warm);
  EXPECT_EQ(stacks.mapped(), 1U);
}

// Throws an exception of its own, catches it, and tries to wait inside the
// handler. Then `throw;` shows which exception the thread thinks is handled.
struct CatchAndWait {
  std::string refused;   // what art::await said, if it refused
  std::string caught;    // the handler's own exception, read after the wait
  std::string rethrown;  // what `throw;` rethrew afterwards
};

void catch_and_wait(const std::string& name, const std::shared_ptr<Probe>& probe,
                    CatchAndWait* out) {
  try {
    throw std::runtime_error(name);
  } catch (const std::runtime_error& caught) {
    try {
      art::await(ProbeFuture(probe));  // not complete: it would suspend here
    } catch (const std::logic_error& refused) {
      out->refused = refused.what();
    }
    out->caught = caught.what();
    try {
      throw;
    } catch (const std::runtime_error& again) {
      out->rethrown = again.what();
    }
  }
}

TEST(Fiber, TwoFibersWaitingInCatchBlocksKeepTheirOwnExceptions) {
  Executor executor;
  auto probe_a = std::make_shared<Probe>();
  auto probe_b = std::make_shared<Probe>();
  CatchAndWait a;
  CatchAndWait b;
  auto fiber_a =
      executor.spawn(fiber([&a, probe_a] { catch_and_wait("A", probe_a, &a); }));
  auto fiber_b =
      executor.spawn(fiber([&b, probe_b] { catch_and_wait("B", probe_b, &b); }));
  // Were the switch allowed: A suspends in its handler, B runs into its
  // own handler and suspends there, and A resumes first, under B's.
  executor.run_until_stalled();
  probe_a->complete(1);
  executor.run_until_stalled();
  probe_b->complete(2);
  executor.run_until_stalled();
  EXPECT_TRUE(fiber_a.is_finished());
  EXPECT_TRUE(fiber_b.is_finished());
  EXPECT_EQ(a.caught, "A");
  EXPECT_EQ(b.caught, "B");
  EXPECT_EQ(a.rethrown, "A");
  EXPECT_EQ(b.rethrown, "B");
  EXPECT_NE(a.refused.find("inside a catch block"), std::string::npos) << a.refused;
  EXPECT_NE(b.refused.find("leave the catch block first"), std::string::npos)
      << b.refused;
  EXPECT_EQ(probe_a->polls, 0);  // refused before anything was polled
  EXPECT_EQ(probe_b->polls, 0);
}

TEST(Fiber, AFiberWaitsAfterItsCatchBlockWithTheExceptionKept) {
  Executor executor;
  auto probe = std::make_shared<Probe>();
  auto handle = executor.spawn(fiber([probe]() -> std::string {
    std::exception_ptr failure;
    try {
      throw std::runtime_error("kept");
    } catch (...) {
      failure = std::current_exception();
    }
    art::await(ProbeFuture(probe));  // outside the handler: allowed
    try {
      std::rethrow_exception(failure);
    } catch (const std::runtime_error& again) {
      return again.what();
    }
  }));
  executor.run_until_stalled();
  probe->complete(1);
  executor.run_until_stalled();
  EXPECT_EQ(art::block_on(handle), "kept");
}

TEST(Fiber, AFiberPolledFromInsideACatchBlockCanStillWait) {
  // The poll's own handler is not the fiber's: only a catch block the
  // fiber entered itself forbids the switch.
  try {
    throw std::runtime_error("the poller's");
  } catch (const std::runtime_error&) {
    Executor executor;
    EXPECT_EQ(executor.block_on(fiber([] {
      art::await(yield_now());
      return 7;
    })),
              7);
  }
}

struct alignas(64) Aligned64 {
  int value;
  bool always_aligned = true;  // at every address it was constructed at

  explicit Aligned64(int v) : value(v), always_aligned(is_aligned(this)) {}
  Aligned64(Aligned64&& other) noexcept
      : value(other.value),
        always_aligned(other.always_aligned && is_aligned(&other) && is_aligned(this)) {}
  Aligned64& operator=(Aligned64&&) = delete;

  static bool is_aligned(const void* at) {
    return reinterpret_cast<std::uintptr_t>(at) % alignof(Aligned64) == 0;
  }
};

TEST(Fiber, AnOverAlignedResultIsStoredAligned) {
  // Several states alive at once, so they occupy different blocks.
  std::vector<FiberFuture<Aligned64>> futures;
  for (int i = 0; i < 8; ++i)
    futures.push_back(fiber([i] { return Aligned64(i); }));
  for (int i = 0; i < 8; ++i) {
    Aligned64 result = art::block_on(futures[static_cast<std::size_t>(i)]);
    EXPECT_EQ(result.value, i);
    EXPECT_TRUE(result.always_aligned) << "result " << i << " was stored misaligned";
  }
}

TEST(Fiber, AFiberTakesItsStackAtItsFirstPollNotAtItsSpawn) {
  StackPool stacks;
  Executor executor;
  int ran = 0;
  for (int i = 0; i < 1000; ++i)
    (void)executor.spawn(fiber([&ran] { ++ran; }, stacks));
  EXPECT_EQ(stacks.mapped(), 0U);  // 1,000 queued fiber tasks, and no stack
  EXPECT_EQ(stacks.in_use(), 0U);
  executor.run_until_stalled();
  EXPECT_EQ(ran, 1000);
  // One at a time, each fiber ends in its first poll and gives its stack
  // back before the next one starts: one stack served them all.
  EXPECT_EQ(stacks.mapped(), 1U);
  EXPECT_EQ(stacks.in_use(), 0U);
}

TEST(Fiber, AFiberDestroyedBeforeItsFirstPollNeverTakesAStack) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  StackPool stacks;
  {
    Executor executor;
    auto handle = executor.spawn(fiber(
        [captured = Lifetime(destroyed)] {
          (void)captured;
          return 1;
        },
        stacks));
    executor.shutdown();
    EXPECT_EQ(destroyed->load(), 1);  // the function and its captures are gone
    EXPECT_THROW(art::block_on(handle), TaskCancelled);
  }
  EXPECT_EQ(stacks.mapped(), 0U);
}

TEST(Fiber, ThePoolKeepsAtMostItsCapOfFreeStacks) {
  constexpr std::size_t kCap = 4;
  StackPool stacks(StackPool::kDefaultStackSize, true, kCap);
  Executor executor;
  std::vector<std::shared_ptr<Probe>> probes;
  for (int i = 0; i < 16; ++i) {
    probes.push_back(std::make_shared<Probe>());
    (void)executor.spawn(
        fiber([probe = probes.back()] { art::await(ProbeFuture(probe)); }, stacks));
  }
  executor.run_until_stalled();
  EXPECT_EQ(stacks.in_use(), 16U);  // a burst: 16 fibers waiting at once
  for (auto& probe : probes)
    probe->complete(1);
  executor.run_until_stalled();
  EXPECT_EQ(stacks.in_use(), 0U);
  EXPECT_EQ(stacks.mapped(), kCap);  // 12 stacks went back to the system
  EXPECT_EQ(StackPool::shared().max_pooled(), StackPool::kDefaultMaxPooled);
}

TEST(Fiber, TheStackSizeIsConfigurableButNotTooSmall) {
  StackPool big(std::size_t{256} * 1024);
  EXPECT_GE(big.stack_size(), 256U * 1024);
  EXPECT_THROW(StackPool(1024), std::invalid_argument);
}

TEST(FiberDeathTest, TheLowestPageOfAStackIsAGuard) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  StackPool guarded;
  boost::context::stack_context stack = guarded.allocate();
  auto* lowest = static_cast<volatile char*>(stack.sp) - stack.size;
  volatile char* first_usable = lowest + (stack.size - guarded.stack_size());
  *first_usable = 1;  // the stack itself is writable down to its last byte
  EXPECT_DEATH(*lowest = 1, "");
  guarded.deallocate(stack);

  StackPool unguarded(StackPool::kDefaultStackSize, false);
  boost::context::stack_context plain = unguarded.allocate();
  *(static_cast<volatile char*>(plain.sp) - plain.size) = 1;  // no guard: writable
  unguarded.deallocate(plain);
}

// 6.1: resume must restore the previous current fiber. Catches
// `current_fiber = nullptr;` (not restoring the outer fiber) and leaving
// current_fiber set after the switch back.
TEST(Ex6_1_Resume, AFiberThatAwaitsAnotherFiberCanStillWaitAfterIt) {
  Executor executor;
  auto first = std::make_shared<Probe>();
  auto second = std::make_shared<Probe>();
  auto handle = executor.spawn(fiber([first, second] {
    // Not spawned: the inner fiber is resumed from inside the outer one.
    int inner = art::await(fiber([first] { return art::await(ProbeFuture(first)); }));
    return inner + art::await(ProbeFuture(second));
  }));
  executor.run_until_stalled();
  EXPECT_EQ(FiberContext::current(), nullptr);  // no fiber runs on this thread now
  first->complete(1);
  executor.run_until_stalled();
  EXPECT_EQ(FiberContext::current(), nullptr);
  second->complete(2);
  executor.run_until_stalled();
  EXPECT_EQ(art::block_on(handle), 3);
}

// 6.3: a wake is a reason to poll again, not a promise of a value. Catches
// an await that returns after one suspension (polls once more and takes
// the value, whatever the poll answered).
TEST(Ex6_3_Await, AWakeWithoutAValueOnlyMeansPollAgain) {
  Executor executor;
  auto probe = std::make_shared<Probe>();
  auto handle = executor.spawn(fiber([probe] { return art::await(ProbeFuture(probe)); }));
  executor.run_until_stalled();
  probe->waker.wake_by_ref();  // woken, but still not ready
  executor.run_until_stalled();
  EXPECT_EQ(probe->polls, 2);
  EXPECT_FALSE(handle.is_finished());
  probe->complete(7);
  executor.run_until_stalled();
  EXPECT_EQ(probe->polls, 3);
  EXPECT_EQ(art::block_on(handle), 7);
}

// 6.3: a cancelled fiber throws before it polls anything. Catches an await
// that polls once more (with any Context) before it looks at cancelled().
TEST(Ex6_3_Await, ACancelledFiberDoesNotPollItsFutureAgain) {
  auto probe = std::make_shared<Probe>();
  Executor executor;
  auto handle = executor.spawn(fiber([probe] { return art::await(ProbeFuture(probe)); }));
  executor.run_until_stalled();
  EXPECT_EQ(probe->polls, 1);
  executor.shutdown();
  EXPECT_EQ(probe->polls, 1);
  EXPECT_TRUE(probe->destroyed);
  EXPECT_THROW(art::block_on(handle), TaskCancelled);
}

// Two wakers that wake nothing, told apart by their data pointers.
RawWaker clone_tag(void* data);
void wake_tag(void*) {}
void drop_tag(void*) noexcept {}
constexpr WakerVTable tag_vtable{clone_tag, wake_tag, wake_tag, drop_tag};
RawWaker clone_tag(void* data) { return {data, &tag_vtable}; }

// 6.3: every poll of the awaited future uses the Context of the poll that
// resumed the fiber this time. Catches an await that takes
// `Context& cx = fiber->context();` once, before its loop.
TEST(Ex6_3_Await, EachPollUsesTheContextOfThePollThatResumedTheFiber) {
  int a = 0;
  int b = 0;
  Waker first_waker(RawWaker{&a, &tag_vtable});
  Waker second_waker(RawWaker{&b, &tag_vtable});
  Context first(first_waker);  // both stay alive: a stale one is read, not a dangling one
  Context second(second_waker);

  auto probe = std::make_shared<Probe>();
  auto future = fiber([probe] { return art::await(ProbeFuture(probe)); });
  EXPECT_TRUE(future.poll(first).is_pending());
  EXPECT_TRUE(probe->waker.will_wake(first_waker));
  EXPECT_TRUE(future.poll(second).is_pending());
  EXPECT_TRUE(probe->waker.will_wake(second_waker))
      << "the future kept the waker of an earlier poll";
  probe->complete(3);
  auto result = future.poll(second);
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(result.value(), 3);
}

}  // namespace
}  // namespace art
