// yield_now.hpp: give the other ready tasks a turn.
//
// A task that computes for a long time without awaiting anything keeps every
// other task on its executor waiting: nothing preempts a poll. `co_await
// art::yield_now()` is the polite pause. Its first poll wakes its own task
// and answers Pending; since the task is running, the wake only marks it
// notified, and the executor puts it at the back of the run queue after the
// poll. The second poll answers Ready, and, like every leaf from chapter 11
// on, spends a token of the poll's budget to do so (budget.hpp).
#pragma once

#include "art/budget.hpp"
#include "art/context.hpp"
#include "art/poll.hpp"

namespace art {

// ANCHOR: yield_now
class YieldNow {
 public:
  using Output = void;

  Poll<void> poll(Context& cx) {
    if (yielded_) {
      // ANCHOR: yield_spend
      TokenGuard token = take_token(cx);
      if (!token)
        return pending;  // the budget woke the task: it yields once more
      token.made_progress();
      return ready;
      // ANCHOR_END: yield_spend
    }
    yielded_ = true;
    cx.waker().wake_by_ref();
    return pending;
  }

 private:
  bool yielded_ = false;
};

inline YieldNow yield_now() { return {}; }
// ANCHOR_END: yield_now

}  // namespace art
