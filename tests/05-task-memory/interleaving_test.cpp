// A wake at every step of a transition. These tests link ch05-hooked, whose
// tasks call the calling thread's hook before each operation on their state
// (interleaving_hook.hpp). A test stops one thread before its k-th operation,
// lets another thread wake the task there, lets the first go on, and checks
// that the wake was neither lost nor doubled; then it does the same with k+1,
// until the transition ends before its k-th operation. So a transition that
// needs one compare-and-swap but was written as a load and then a store (or
// an exchange and then a store) fails here, at the step between the two,
// every run, not once in a million.
#include <atomic>
#include <exception>
#include <functional>
#include <latch>
#include <memory>
#include <thread>
#include <utility>

#include <gtest/gtest.h>

#include "art/executor.hpp"
#include "art/interleaving_hook.hpp"
#include "test_thread.hpp"

namespace art {
namespace {

using testing::run_on_another_thread;

// Stops the thread it is installed on before its `step`-th operation on a
// task's state (counting from its installation), runs `meanwhile` there,
// then takes itself out: the thread goes on from where it stopped.
class StopAtStep {
 public:
  StopAtStep(int step, std::function<void()> meanwhile)
      : step_(step), meanwhile_(std::move(meanwhile)) {}
  StopAtStep(const StopAtStep&) = delete;
  StopAtStep& operator=(const StopAtStep&) = delete;
  ~StopAtStep() { uninstall(); }  // however the test ends

  void install() { interleaving::installed = {&StopAtStep::before_operation, this}; }
  static void uninstall() { interleaving::installed = {}; }
  bool reached() const { return reached_; }

 private:
  static void before_operation(void* context) {
    auto* self = static_cast<StopAtStep*>(context);
    if (++self->seen_ != self->step_)
      return;
    uninstall();
    self->reached_ = true;
    self->meanwhile_();
  }

  int step_;
  int seen_ = 0;
  bool reached_ = false;
  std::function<void()> meanwhile_;
};

// A task that is never ready. Each wake comes with a message, counted before
// the wake; each poll notes how many messages it has seen. A wake is lost if
// no poll after it saw its message; doubled if the task was polled once more
// than it was woken.
struct Mailbox {
  int messages = 0;  // written by the waking thread before it wakes
  int seen = 0;      // by the last poll
  int polls = 0;
  Waker waker;
  std::unique_ptr<StopAtStep> stop_after_first_poll;  // installed as the poll returns
  bool first_poll_wakes_itself = false;               // so that its end finds it notified
  std::function<void()> in_first_poll;                // runs inside the first poll
};

void wake_with_a_message(Mailbox& box) {
  ++box.messages;
  box.waker.wake_by_ref();
}

class ReadsItsMail {
 public:
  using Output = int;
  explicit ReadsItsMail(std::shared_ptr<Mailbox> box) : box_(std::move(box)) {}
  Poll<int> poll(Context& cx) {
    ++box_->polls;
    if (box_->polls == 2)
      StopAtStep::uninstall();  // the steps counted are the first poll's end
    box_->seen = box_->messages;
    box_->waker = cx.waker();
    if (box_->polls == 1) {
      if (box_->in_first_poll)
        box_->in_first_poll();
      if (box_->first_poll_wakes_itself)
        wake_with_a_message(*box_);
      if (box_->stop_after_first_poll)
        box_->stop_after_first_poll->install();  // counts the poll's end from here
    }
    return pending;
  }

 private:
  std::shared_ptr<Mailbox> box_;
};

// The first poll ends (finish_poll) while another thread wakes the task, at
// each step of the ending in turn. The wake must cost exactly one more poll,
// also when the poll had woken the task itself (then its end finds it
// notified, and both wakes together still cost one poll).
void wake_at_every_step_of_a_polls_end(bool woken_during_the_poll) {
  for (int step = 1;; ++step) {
    Executor executor;
    auto box = std::make_shared<Mailbox>();
    box->first_poll_wakes_itself = woken_during_the_poll;
    Mailbox* mail = box.get();  // not the shared_ptr: the box owns the stop
    box->stop_after_first_poll = std::make_unique<StopAtStep>(
        step, [mail] { run_on_another_thread([mail] { wake_with_a_message(*mail); }); });
    auto handle = executor.spawn(ReadsItsMail(box));
    executor.run_until_stalled();
    StopAtStep::uninstall();
    if (!box->stop_after_first_poll->reached()) {
      ASSERT_GT(step, 1) << "the poll's end made no operation on the task's state";
      return;  // the poll's end took fewer steps: every one was tried
    }
    executor.run_until_stalled();
    EXPECT_EQ(box->seen, box->messages)
        << "a wake before step " << step << " of the poll's end was lost";
    EXPECT_EQ(box->polls, 2) << "a wake before step " << step
                             << " of the poll's end cost " << box->polls - 1 << " polls";
    if (::testing::Test::HasFailure())
      return;
  }
}

TEST(Interleaving, AWakeAtEveryStepOfAPollsEndCostsExactlyOneMorePoll) {
  wake_at_every_step_of_a_polls_end(false);
}

TEST(Interleaving, AWakeAtEveryStepOfTheEndOfAWokenPollQueuesItOnce) {
  wake_at_every_step_of_a_polls_end(true);
}

// Another thread wakes the task while it is polled, and is stopped at each
// step of its wake in turn; while it is stopped, the poll returns and its end
// runs to completion. Then the wake goes on. Whatever the step, the wake
// must cost one more poll: a wake that saw the task running and marks it
// notified only after the poll's end left it idle is lost for ever.
TEST(Interleaving, AWakeStoppedAtEveryStepWhileThePollEndsIsNotLost) {
  for (int step = 1;; ++step) {
    Executor executor;
    auto box = std::make_shared<Mailbox>();
    std::latch stopped_or_done(1);  // the waker reached its step, or finished
    std::latch poll_ended(1);       // the first poll and its end have run
    std::atomic<bool> told{false};
    std::atomic<bool> reached{false};
    std::exception_ptr error;  // what the wake threw, rethrown here
    auto tell = [&] {
      if (!told.exchange(true))
        stopped_or_done.count_down();
    };
    std::jthread waker;
    box->in_first_poll = [&] {
      // On this thread, inside the first poll: start the waker, and go on
      // only once it stopped at its step (or finished in fewer steps).
      waker = std::jthread([&] {
        try {
          StopAtStep stop(step, [&] {
            tell();
            poll_ended.wait();
          });
          stop.install();
          wake_with_a_message(*box);
          StopAtStep::uninstall();
          reached = stop.reached();
        } catch (...) {
          error = std::current_exception();
        }
        tell();
      });
      stopped_or_done.wait();
    };
    auto handle = executor.spawn(ReadsItsMail(box));
    executor.run_until_stalled();  // the first poll, and its end
    poll_ended.count_down();       // now the waker goes on
    waker.join();
    if (error)
      std::rethrow_exception(error);
    if (!reached) {
      ASSERT_GT(step, 1) << "a wake made no operation on the task's state";
      return;  // the wake took fewer steps: every one was tried
    }
    executor.run_until_stalled();
    EXPECT_EQ(box->seen, box->messages)
        << "a wake stopped before its step " << step << " while the poll ended was lost";
    EXPECT_EQ(box->polls, 2) << "a wake stopped before its step " << step << " cost "
                             << box->polls - 1 << " polls";
    if (::testing::Test::HasFailure())
      return;
  }
}

}  // namespace
}  // namespace art
