#include "art/task_slab.hpp"

#include <stdexcept>
#include <utility>

namespace art {

TaskSlab::~TaskSlab() {
  for (std::size_t p = 0; p < pages_used_.load(); ++p)
    delete pages_[p].load();
}

TaskSlab::Slot& TaskSlab::slot(std::uint32_t index) const {
  Page* page = pages_[index / kSlotsPerPage].load(std::memory_order_acquire);
  return page->slots[index % kSlotsPerPage];
}

std::uint32_t TaskSlab::pop(std::uint32_t& list) {
  const std::uint32_t index = list;
  if (index != kNone)
    list = slot(index).next_free;
  return index;
}

void TaskSlab::push(std::uint32_t& list, std::uint32_t index) {
  slot(index).next_free = list;
  list = index;
}

// ANCHOR: allocate
// ANCHOR: slab_allocate
TaskSlab::Allocation TaskSlab::allocate(bool local) {
  std::uint32_t index = kNone;
  if (local) {
    index = pop(local_free_);
    if (index == kNone)
      index = refill_local();
    ++local_in_use_;
  } else {
    std::lock_guard lock(mutex_);
    index = pop(shared_free_);
    if (index == kNone)
      index = grow();
    ++shared_in_use_;
  }
  // Odd generations are live tasks, even ones free slots: a made-up id of a
  // slot that was never handed out is stale too.
  Slot& chosen = slot(index);
  const std::uint32_t generation = chosen.generation.load(std::memory_order_relaxed) + 1;
  chosen.generation.store(generation, std::memory_order_release);
  return {chosen.bytes.data(), TaskId{index, generation}};
}
// ANCHOR_END: slab_allocate

// ANCHOR: slab_free
std::shared_ptr<void> TaskSlab::free(TaskId id, bool local) noexcept {
  // EXERCISE 5.2: free a slot: bump its generation, then put it on a free list
  // HINT: store id.generation + 1 into the slot's generation first, so every
  // TaskId naming the old task turns stale. When `local`: push(local_free_,
  // id.index), --local_in_use_, return nullptr. Otherwise, under mutex_:
  // push onto shared_free_, --shared_in_use_, and if that was the last slot
  // in use of an orphaned slab, return std::move(orphan_owner_).
  slot(id.index).generation.store(id.generation + 1, std::memory_order_release);
  if (local) {
    push(local_free_, id.index);
    --local_in_use_;
    return nullptr;  // the executor is running, so it is not gone
  }
  std::lock_guard lock(mutex_);
  push(shared_free_, id.index);
  --shared_in_use_;
  if (orphan_owner_ && local_in_use_ + shared_in_use_ == 0)
    return std::move(orphan_owner_);
  return nullptr;
  // END EXERCISE
}
// ANCHOR_END: slab_free

// ANCHOR: slab_orphan_get
void TaskSlab::orphan(std::shared_ptr<void> owner) {
  std::lock_guard lock(mutex_);
  if (local_in_use_ + shared_in_use_ > 0)
    orphan_owner_ = std::move(owner);
}

void* TaskSlab::get(TaskId id) const {
  if (id.index >= capacity())
    return nullptr;
  Slot& found = slot(id.index);
  if (!found.held)
    return nullptr;  // finished: its slot may be freed by another thread any time
  if ((id.generation & 1U) == 0 ||
      found.generation.load(std::memory_order_acquire) != id.generation)
    return nullptr;  // the slot was freed since: a stale id
  return found.bytes.data();
}
// ANCHOR_END: slab_orphan_get
// ANCHOR_END: allocate

// ANCHOR: refill
std::uint32_t TaskSlab::refill_local() {
  std::lock_guard lock(mutex_);
  local_free_ = std::exchange(shared_free_, kNone);  // one swap takes them all
  const std::uint32_t index = pop(local_free_);
  return index != kNone ? index : grow();
}

std::uint32_t TaskSlab::grow() {
  const std::size_t page = pages_used_.load(std::memory_order_relaxed);
  if (page == kMaxPages)
    throw std::length_error("TaskSlab: too many live tasks");
  pages_[page].store(new Page, std::memory_order_release);
  pages_used_.store(page + 1, std::memory_order_release);
  const auto first = static_cast<std::uint32_t>(page * kSlotsPerPage);
  for (std::uint32_t i = kSlotsPerPage - 1; i > 0; --i)
    push(shared_free_, first + i);  // the rest of the page, for later
  return first;
}
// ANCHOR_END: refill

}  // namespace art
