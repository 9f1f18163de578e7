// task_id.hpp: a name for a task that cannot be confused with its successor,
// nor with a task of another executor.
//
// A task lives in a slot of its executor's TaskSlab, and slots are reused:
// when a task is freed, the next spawn may get the same slot. An index alone
// would then name two different tasks over time, and a stale index (kept by
// someone who did not notice the first task end) would reach the new one:
// abort the wrong task, read the wrong result.
//
// So a TaskId is the index plus the slot's generation, a counter bumped when
// the slot is handed out and again when it is freed (odd while a task lives
// there). The slab answers a lookup only when both match; a stale id finds a
// newer generation and is told "no such task". The generation is 64 bits
// wide, so it never wraps: see TaskSlab.
//
// Every executor has its own slab, and the first task of each of them sits
// in slot 0 with generation 1. So the id also names the executor: a serial
// number drawn once per slab from a process-wide counter, which the slab
// checks too. An id handed to the wrong executor is refused, instead of
// naming whichever task that executor keeps in the same slot.

#pragma once

#include <cstdint>

namespace art {

// ANCHOR: task_id
struct TaskId {
  std::uint32_t index = 0;       // the slot
  std::uint64_t generation = 0;  // the slot's generation while the task lives there
  std::uint64_t executor = 0;    // the serial number of the executor's slab; never 0

  friend bool operator==(TaskId, TaskId) = default;
};
// ANCHOR_END: task_id

}  // namespace art
