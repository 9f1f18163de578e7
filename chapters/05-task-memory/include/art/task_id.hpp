// task_id.hpp: a name for a task that cannot be confused with its successor.
//
// A task lives in a slot of the TaskSlab, and slots are reused: when a task
// is freed, the next spawn may get the same slot. An index alone would then
// name two different tasks over time, and a stale index (kept by someone who
// did not notice the first task end) would reach the new one: abort the
// wrong task, read the wrong result.
//
// So a TaskId is the index plus the slot's generation, a counter bumped when
// the slot is handed out and again when it is freed (odd while a task lives
// there). The slab answers a lookup only when both match; a stale id finds a
// newer generation and is told "no such task".

#pragma once

#include <cstdint>

namespace art {

// ANCHOR: task_id
struct TaskId {
  std::uint32_t index = 0;
  std::uint32_t generation = 0;

  friend bool operator==(TaskId, TaskId) = default;
};
// ANCHOR_END: task_id

}  // namespace art
