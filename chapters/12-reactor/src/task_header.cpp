#include "art/task_header.hpp"

#include "art/runtime_core.hpp"

namespace art {

namespace {

TaskHeader& task(void* data) { return *static_cast<TaskHeader*>(data); }

// ANCHOR: task_waker
// An owned waker holds one of the task's references; cloning takes another.
// The waker a poll gets is the same pair, lent (see LentWaker).
RawWaker clone_task_waker(void* data);
void wake_owned(void* data) { task(data).wake_by_value(); }
void wake_by_ref(void* data) { task(data).wake_by_ref(); }
void drop_owned(void* data) noexcept { task(data).release(); }

constexpr WakerVTable owned_vtable{clone_task_waker, wake_owned, wake_by_ref, drop_owned};

RawWaker clone_task_waker(void* data) {
  task(data).retain();
  return RawWaker{data, &owned_vtable};
}
// ANCHOR_END: task_waker

}  // namespace

TaskHeader::LentWaker TaskHeader::lend_waker() {
  return LentWaker(RawWaker{this, &owned_vtable});
}

// ANCHOR: wakes
void TaskHeader::wake_by_ref() {
  if (state_.to_notified_by_ref())
    runtime_->schedule(this);
}

void TaskHeader::wake_by_value() {
  switch (state_.to_notified_by_value()) {
    case TaskStateWord::ByValue::queue:
      runtime_->schedule(this);
      return;
    case TaskStateWord::ByValue::destroy:
      destroy();
      return;
    case TaskStateWord::ByValue::nothing:
      return;
  }
}

void TaskHeader::abort() {
  if (state_.to_notified_and_cancelled())
    runtime_->schedule(this);
}
// ANCHOR_END: wakes

void TaskHeader::task_freed(RuntimeCore* runtime) noexcept { runtime->task_freed(); }

}  // namespace art
