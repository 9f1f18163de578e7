#include "art/owned_tasks.hpp"

namespace art {

OwnedTasks::OwnedTasks(std::size_t shards)
    : shard_count_(shards == 0 ? 1 : shards),
      shards_(std::make_unique<Shard[]>(shard_count_)) {}

// ANCHOR: owned_insert
bool OwnedTasks::insert(TaskHeader* task) {
  Shard& shard = shard_of(task);
  std::lock_guard lock(shard.mutex);
  if (shard.closed)
    return false;
  shard.tasks.push(task);
  return true;
}
// ANCHOR_END: owned_insert

void OwnedTasks::remove(TaskHeader* task) {
  Shard& shard = shard_of(task);
  std::lock_guard lock(shard.mutex);
  shard.tasks.remove(task);
}

void OwnedTasks::close() {
  for (std::size_t i = 0; i < shard_count_; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    shards_[i].closed = true;
  }
}

TaskHeader* OwnedTasks::pop_any() {
  for (std::size_t i = 0; i < shard_count_; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    if (TaskHeader* task = shards_[i].tasks.front()) {
      shards_[i].tasks.remove(task);
      return task;
    }
  }
  return nullptr;
}

std::size_t OwnedTasks::size() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < shard_count_; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    total += shards_[i].tasks.size();
  }
  return total;
}

}  // namespace art
