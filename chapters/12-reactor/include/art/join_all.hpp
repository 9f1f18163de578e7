// join_all.hpp: wait for every future of a vector; results come out in order.
//
// All the futures share the one waker join_all is polled with, so a wake
// from any of them means "poll join_all again". join_all then polls every
// future that is not finished yet, and never polls a finished one again
// (its result is already stored). That re-polls futures that were not
// woken, which costs O(n) per wake-up: fine for a handful, wasteful for
// thousands. The futures crate's FuturesUnordered gives each future its own
// waker so that only the woken ones are polled; chapter 04's executor does
// the same with tasks.
#pragma once

#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "art/context.hpp"
#include "art/future.hpp"
#include "art/poll.hpp"

namespace art {

// ANCHOR: join_all
template <Future F>
class JoinAll {
  using Item = typename F::Output;
  static_assert(!std::is_void_v<Item>, "join_all needs values: map void futures");

 public:
  using Output = std::vector<Item>;

  explicit JoinAll(std::vector<F> futures)
      : futures_(std::move(futures)),
        results_(futures_.size()),  // one empty slot per future
        remaining_(futures_.size()) {}

  Poll<Output> poll(Context& cx);

 private:
  std::vector<F> futures_;
  std::vector<std::optional<Item>> results_;  // slot i: the output of futures_[i]
  std::size_t remaining_;
};
// ANCHOR_END: join_all

// ANCHOR: join_all_poll
template <Future F>
Poll<typename JoinAll<F>::Output> JoinAll<F>::poll(Context& cx) {
  for (std::size_t i = 0; i < futures_.size(); ++i) {
    if (results_[i].has_value())
      continue;
    auto result = futures_[i].poll(cx);
    if (result.is_ready()) {
      results_[i].emplace(std::move(result).value());
      --remaining_;
    }
  }
  if (remaining_ > 0)
    return pending;
  Output values;
  values.reserve(results_.size());
  for (auto& result : results_)
    values.push_back(std::move(*result));
  return values;
}
// ANCHOR_END: join_all_poll

template <Future F>
JoinAll<F> join_all(std::vector<F> futures) {
  return JoinAll<F>(std::move(futures));
}

}  // namespace art
