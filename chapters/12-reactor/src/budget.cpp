#include "art/budget.hpp"

namespace art {

// ANCHOR: take_token
TokenGuard take_token(Context& cx) {
  Budget* budget = cx.budget();
  if (budget == nullptr)
    return {nullptr, true};  // unconstrained: nothing to take or give back
  if (budget->try_spend())
    return {budget, true};  // the guard holds the token: kept, or given back
  // Refused: wake by reference (the waker is the poll's, lent), so that the
  // task is queued again behind the others, with a new bucket; the guard
  // holds no budget, since nothing was taken.
  cx.waker().wake_by_ref();
  return {nullptr, false};
}
// ANCHOR_END: take_token

// ANCHOR: token_guard_end
TokenGuard::~TokenGuard() {
  if (budget_ == nullptr)
    return;  // unconstrained, or refused: no token was taken
  // Only made_progress() keeps the token spent: a return of Pending, or
  // an exception unwinding through the leaf, gives it back.
  if (!progress_)
    budget_->give_back();
}
// ANCHOR_END: token_guard_end

}  // namespace art
