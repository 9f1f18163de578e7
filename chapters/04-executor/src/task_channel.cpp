#include "art/task_channel.hpp"

#include <utility>

namespace art {

// ANCHOR: channel_impl
bool TaskChannel::send(TaskHeader* task, std::deque<TaskHeader*> Batch::*queue) {
  {
    std::lock_guard lock(mutex_);
    if (closed_)
      return false;
    (batch_.*queue).push_back(task);
    has_items_.store(true, std::memory_order_release);
  }
  arrived_.notify_one();
  return true;
}

TaskChannel::Batch TaskChannel::receive() {
  std::lock_guard lock(mutex_);
  has_items_.store(false, std::memory_order_relaxed);
  return std::exchange(batch_, {});
}

void TaskChannel::wait_for_items() {
  std::unique_lock lock(mutex_);
  arrived_.wait(lock, [&] {
    return closed_ || !batch_.spawned.empty() || !batch_.woken.empty();
  });
}
// ANCHOR_END: channel_impl

// ANCHOR: channel_close
TaskChannel::Batch TaskChannel::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  has_items_.store(false, std::memory_order_relaxed);
  return std::exchange(batch_, {});
}
// ANCHOR_END: channel_close

}  // namespace art
