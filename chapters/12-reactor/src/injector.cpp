#include "art/injector.hpp"

namespace art {

void Injector::push_batch(RunQueue& batch, std::size_t count) noexcept {
  std::lock_guard lock(mutex_);
  queue_.append(batch);
  length_.store(length_.load(std::memory_order_relaxed) + count,
                std::memory_order_relaxed);
}

TaskHeader* Injector::pop_batch(std::size_t max, RunQueue& rest) {
  if (looks_empty())
    return nullptr;  // the common case of a busy runtime: no lock taken
  std::lock_guard lock(mutex_);
  TaskHeader* first = queue_.pop();
  std::size_t taken = first != nullptr ? 1 : 0;
  while (taken < max) {
    TaskHeader* task = queue_.pop();
    if (task == nullptr)
      break;
    rest.push(task);
    ++taken;
  }
  length_.store(length_.load(std::memory_order_relaxed) - taken,
                std::memory_order_relaxed);
  return first;
}

TaskHeader* Injector::pop() {
  RunQueue none;
  return pop_batch(1, none);
}

void Injector::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
}

}  // namespace art
