// owned_tasks.hpp: every live task of a runtime, for shutdown to find.
//
// A task is in the list from its spawn until it completes, and the list
// holds one of its references meanwhile, so shutdown can cancel every task
// that is still alive, including the ones no queue and no waker knows about.
//
// Workers add and remove tasks at the rate they spawn and complete them, so
// one list under one mutex would be one more lock every worker fights for.
// The list is split into shards, each with its own mutex, and a task goes
// to the shard its id names: two workers rarely want the same shard.
//
// Closing is the other half of shutdown's guarantee. close() marks every
// shard closed under its mutex; an insert checks the mark under the same
// mutex, so a spawn either lands in a shard before it is closed (and
// shutdown finds the task there) or is refused. No task slips in after.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>

#include "art/task_header.hpp"
#include "art/task_list.hpp"

namespace art {

// ANCHOR: owned_tasks
class OwnedTasks {
 public:
  explicit OwnedTasks(std::size_t shards);

  bool insert(TaskHeader* task);  // false once closed: the task is not added
  void remove(TaskHeader* task);  // a task that completed
  void close();
  TaskHeader* pop_any();  // after close(): any task still there, or nullptr
  std::size_t size() const;

 private:
  struct alignas(64) Shard {  // one cache line each: no false sharing of locks
    mutable std::mutex mutex;
    TaskList tasks;
    bool closed = false;
  };
  Shard& shard_of(const TaskHeader* task) const {
    return shards_[task->id().value % shard_count_];
  }

  std::size_t shard_count_;
  std::unique_ptr<Shard[]> shards_;
};
// ANCHOR_END: owned_tasks

}  // namespace art
