// The Chase-Lev deque on its own: the owner's end is a stack, the thieves'
// end a queue, a full ring says so, and under an owner and three thieves
// every pushed item is taken exactly once. The interleavings these threads
// cannot be made to hit are the schedule explorer's (explorer_test.cpp).
#include <atomic>
#include <barrier>
#include <cstddef>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/chase_lev_deque.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using SmallDeque = ChaseLevDeque<int, 8>;

std::vector<int> numbers(int count) {
  std::vector<int> items(count);
  for (int i = 0; i < count; ++i)
    items[i] = i;
  return items;
}

TEST(DequePop, TheOwnerPopsTheNewestFirst) {
  SmallDeque deque;
  std::vector<int> items = numbers(3);
  for (int& item : items)
    ASSERT_TRUE(deque.push(&item));
  EXPECT_EQ(deque.pop(), &items[2]);
  EXPECT_EQ(deque.pop(), &items[1]);
  EXPECT_EQ(deque.pop(), &items[0]);
  EXPECT_EQ(deque.pop(), nullptr);
  EXPECT_EQ(deque.size_hint(), 0U);
}

TEST(DequePop, APopOfAnEmptyDequeLeavesItUsable) {
  SmallDeque deque;
  EXPECT_EQ(deque.pop(), nullptr);
  EXPECT_EQ(deque.pop(), nullptr);  // bottom must have come back each time
  int first = 7;
  int second = 8;
  ASSERT_TRUE(deque.push(&first));
  ASSERT_TRUE(deque.push(&second));
  EXPECT_EQ(deque.size_hint(), 2U);
  EXPECT_EQ(deque.steal().item, &first);
  EXPECT_EQ(deque.pop(), &second);
  EXPECT_EQ(deque.pop(), nullptr);
  EXPECT_EQ(deque.steal().item, nullptr);
}

TEST(DequePop, TheLastItemGoesToTheOwnerOnceAndLeavesTheIndicesEqual) {
  SmallDeque deque;
  std::vector<int> items = numbers(20);
  // Push and pop one at a time, past the ring's end: every pop takes the
  // last item, and a pop that leaves top and bottom apart breaks the next.
  for (int& item : items) {
    ASSERT_TRUE(deque.push(&item));
    EXPECT_EQ(deque.pop(), &item);
    EXPECT_EQ(deque.size_hint(), 0U);
  }
  int last = 99;
  ASSERT_TRUE(deque.push(&last));
  EXPECT_EQ(deque.steal().item, &last);
}

TEST(DequeSteal, ThievesTakeTheOldestFirst) {
  SmallDeque deque;
  std::vector<int> items = numbers(3);
  for (int& item : items)
    ASSERT_TRUE(deque.push(&item));
  EXPECT_EQ(deque.steal().item, &items[0]);
  EXPECT_EQ(deque.steal().item, &items[1]);
  EXPECT_EQ(deque.pop(), &items[2]);
  const SmallDeque::Stolen none = deque.steal();
  EXPECT_EQ(none.item, nullptr);
  EXPECT_FALSE(none.contended) << "an empty deque is not a lost race";
}

TEST(DequeSteal, AFullRingRefusesAPushUntilAThiefMakesRoom) {
  SmallDeque deque;
  std::vector<int> items = numbers(9);
  for (int i = 0; i < 8; ++i)
    ASSERT_TRUE(deque.push(&items[i]));
  EXPECT_FALSE(deque.push(&items[8])) << "a ring of 8 took a ninth item";
  EXPECT_EQ(deque.steal().item, &items[0]);
  ASSERT_TRUE(deque.push(&items[8]));  // into the slot the thief freed
  for (int i = 8; i >= 1; --i)
    EXPECT_EQ(deque.pop(), &items[i]);
}

// One owner pushes and pops, three thieves steal, all at once. Every item
// is counted by whoever takes it; each must be counted exactly once. The
// barrier starts all four together, and a ring of 8 keeps the owner and the
// thieves on the last few items, where they meet. First, the owner waits
// until the thieves have emptied a first batch it does not touch: the
// thieves must be taking, not only the owner.
TEST(DequeSteal, AnOwnerAndThreeThievesTakeEveryItemExactlyOnce) {
  constexpr int kItems = 200'000 / testing::kStressScale;
  constexpr int kFirstBatch = 4;
  constexpr int kThieves = 3;
  ChaseLevDeque<int, 8> deque;
  std::vector<int> items = numbers(kItems);
  std::vector<std::atomic<int>> taken(kItems);
  std::atomic<bool> owner_done{false};
  std::barrier start(kThieves + 1);
  auto count = [&](const int* item) {
    taken[static_cast<std::size_t>(*item)].fetch_add(1);
  };

  std::vector<std::jthread> thieves;
  for (int t = 0; t < kThieves; ++t)
    thieves.emplace_back([&] {
      start.arrive_and_wait();
      for (;;) {
        const auto stolen = deque.steal();
        if (stolen.item != nullptr)
          count(stolen.item);
        else if (!stolen.contended && owner_done.load())
          return;
      }
    });
  for (int i = 0; i < kFirstBatch; ++i)
    ASSERT_TRUE(deque.push(&items[i]));
  start.arrive_and_wait();
  const bool thieves_took_the_batch =
      testing::eventually([&] { return deque.size_hint() == 0; });
  for (int i = kFirstBatch; i < kItems && thieves_took_the_batch; ++i) {
    while (!deque.push(&items[i])) {
      // Full: take one back ourselves. A nullptr says the thieves emptied
      // it since the push looked: there is room now, so push again.
      if (int* mine = deque.pop())
        count(mine);
    }
    if (i % 3 == 0)
      if (int* mine = deque.pop())
        count(mine);
  }
  while (int* mine = deque.pop())
    count(mine);
  owner_done.store(true);
  for (auto& thief : thieves)
    thief.join();

  ASSERT_TRUE(thieves_took_the_batch) << "the thieves never emptied the first batch";
  int lost = 0;
  int doubled = 0;
  for (const auto& times : taken) {
    lost += times.load() == 0 ? 1 : 0;
    doubled += times.load() > 1 ? 1 : 0;
  }
  EXPECT_EQ(lost, 0) << "items nobody took";
  EXPECT_EQ(doubled, 0) << "items taken twice";
}

}  // namespace
}  // namespace art
