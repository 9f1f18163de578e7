// A worker's park on its condition variable, stopped just before it locks
// the parker's mutex (ch12-hooked, interleaving_hook.hpp), while an unpark
// runs from start to end. The parker must take the mutex before it says
// "I sleep on the condition variable": an unpark that saw that state and
// notified before the parker held the mutex would notify nobody, and the
// parker would then wait for ever.
#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "art/interleaving_hook.hpp"
#include "art/worker_parker.hpp"

namespace art {
namespace {

using namespace std::chrono_literals;

// Runs once, on the parker's thread, before its first lock of the mutex:
// an unpark from another thread, to its end.
void unpark_from_another_thread(void* context) {
  interleaving::installed = {};  // once only; the unpark's own lock is not stopped
  auto* parker = static_cast<WorkerParker*>(context);
  std::thread([parker] { parker->unpark(); }).join();
}

TEST(WorkerParkerHooked, AnUnparkJustBeforeTheConditionVariablesLockIsNotLost) {
  // Shared with the parker's thread, which keeps them alive if it never
  // returns: then the test fails after two seconds and leaves it asleep.
  auto parker = std::make_shared<WorkerParker>();  // no driver: the condition variable
  auto slept = std::make_shared<std::promise<WorkerParker::Slept>>();
  std::future<WorkerParker::Slept> result = slept->get_future();
  std::thread([parker, slept] {
    interleaving::installed = {&unpark_from_another_thread, parker.get()};
    slept->set_value(parker->park());
  }).detach();
  ASSERT_EQ(result.wait_for(2s), std::future_status::ready)
      << "the unpark came before the parker held its mutex, and was lost";
  EXPECT_EQ(result.get(), WorkerParker::Slept::not_at_all);  // it saw the notification
}

}  // namespace
}  // namespace art
