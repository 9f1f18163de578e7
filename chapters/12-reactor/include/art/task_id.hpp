// task_id.hpp: the name of a task, for logs, traces and tests.
//
// Chapter 05 let an id find its task (slot index + generation). With many
// threads, finding a task by its id races with the task's last release on
// another thread; so handles hold references instead (JoinHandle::abort),
// and an id is only a name: a number drawn once per task, never reused
// within a run.
#pragma once

#include <cstdint>

namespace art {

struct TaskId {
  std::uint64_t value = 0;
  friend bool operator==(TaskId, TaskId) = default;
};

}  // namespace art
