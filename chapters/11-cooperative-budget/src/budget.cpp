#include "art/budget.hpp"

namespace art {

// ANCHOR: take_token
TokenGuard take_token(Context& cx) {
  Budget* budget = cx.budget();
  if (budget == nullptr)
    return {nullptr, true};  // unconstrained: nothing to take or give back
  // EXERCISE 11.1: take a token from the poll's budget, or wake the task and refuse
  // HINT: a leaf proceeds only on a token it took; the guard must know the
  // budget it came from to give it back. When none is left the leaf must
  // answer Pending, and a task that answers Pending is polled again only if
  // somebody wakes it.
  // HINT 2: a refusal took nothing, so its guard gives nothing back.
  // HINT 3: only a refusal wakes, and by reference: the waker is the
  // poll's, lent to you, not yours to consume.
  if (budget->try_spend())
    return {budget, true};
  cx.waker().wake_by_ref();  // queued again behind the others, with a new bucket
  return {nullptr, false};
  // END EXERCISE
}
// ANCHOR_END: take_token

// ANCHOR: token_guard_end
TokenGuard::~TokenGuard() {
  if (budget_ == nullptr)
    return;  // unconstrained, or refused: no token was taken
  // EXERCISE 11.2: a token taken by a poll that answers Pending goes back
  // HINT: a leaf spends a token only for a poll that answers Ready. The
  // guard holds a token it took, and knows whether the leaf said it made
  // progress; a leaf that waits, or throws, must cost its task nothing.
  // HINT 2: the guard is destroyed however the leaf's poll ends: a
  // return of Ready, a return of Pending, an exception.
  // STUB: [[maybe_unused]] static const bool said =
  // STUB:     art::todo_report("exercise 11.2: a token taken by a poll that answers "
  // STUB:                      "Pending goes back");
  if (!progress_)
    budget_->give_back();
  // END EXERCISE
}
// ANCHOR_END: token_guard_end

}  // namespace art
