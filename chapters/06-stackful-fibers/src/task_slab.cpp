#include "art/task_slab.hpp"

#include <limits>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace art {

namespace {

// Two bumps per reuse: 2^63 reuses of one slot before a generation could
// repeat, 292 years at one reuse per nanosecond. A 32-bit generation wrapped
// after 2^31 reuses, a minute or two of one task spawning the next, and then
// a stale id named its slot's new task.
static_assert(std::numeric_limits<decltype(TaskId::generation)>::digits == 64);
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(TaskSlab::kSlotsPerPage % TaskSlab::kBatchSlots == 0);

std::uint64_t next_serial() {
  // Relaxed: a serial only has to differ from every other one; nothing is
  // published through it. 2^64 slabs is more than a process can ever make.
  static std::atomic<std::uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;  // 0 names no slab
}

}  // namespace

TaskSlab::TaskSlab() : serial_(next_serial()) {}

// Relaxed: a slab is destroyed once nothing else uses it, and what ended
// the other threads' use (a join, or the mutex_ of the free() that handed
// back the owner of an orphaned slab) already orders grow()'s stores first.
TaskSlab::~TaskSlab() {
  for (std::size_t p = 0; p < pages_used_.load(std::memory_order_relaxed); ++p)
    delete pages_[p].load(std::memory_order_relaxed);
}

// Acquire, paired with grow()'s release store of the pointer: the page is
// seen built, its slots free with generation 0. Every way of learning an
// index (a free list, under mutex_ or on the owner's thread, or an id
// checked against capacity()) orders it after grow() already; the acquire
// keeps slot() right without leaning on that.
TaskSlab::Slot& TaskSlab::slot(std::uint32_t index) const {
  Page* page = pages_[index / kSlotsPerPage].load(std::memory_order_acquire);
  return page->slots[index % kSlotsPerPage];
}

TaskSlab::FreeLinks& TaskSlab::links(std::uint32_t index) const {
  static_assert(sizeof(FreeLinks) <= kSlotBytes);
  static_assert(std::is_trivially_destructible_v<FreeLinks>);  // a task overwrites it
  return *std::launder(reinterpret_cast<FreeLinks*>(slot(index).bytes.data()));
}

std::uint32_t TaskSlab::pop(FreeList& list) {
  const std::uint32_t index = list.head;
  if (index != kNone) {
    list.head = links(index).next;
    --list.length;
  }
  return index;
}

void TaskSlab::push(FreeList& list, std::uint32_t index) {
  new (slot(index).bytes.data()) FreeLinks{list.head, kNone};  // the task is gone
  list.head = index;
  ++list.length;
}

// ANCHOR: allocate
// ANCHOR: slab_allocate
TaskSlab::Allocation TaskSlab::allocate(bool local) {
  std::uint32_t index = kNone;
  if (local) {
    if (local_free_.length == 0)
      refill_local();
    index = pop(local_free_);
    ++local_in_use_;
  } else {
    std::lock_guard lock(mutex_);
    if (shared_free_.length == 0)
      shared_free_ = take_batch();
    index = pop(shared_free_);
    ++shared_in_use_;
  }
  // Odd generations are live tasks, even ones free slots: a made-up id of a
  // slot that was never handed out is stale too. Loaded relaxed: the slot
  // came off a free list, which orders the last store to its generation
  // (the free's, or the page's construction) before this load. Stored
  // with release, paired with get()'s acquire: the executor's thread,
  // finding the slot held, sees the generation of the task it holds.
  Slot& chosen = slot(index);
  const auto generation = chosen.generation.load(std::memory_order_relaxed) + 1;
  chosen.generation.store(generation, std::memory_order_release);
  return {chosen.bytes.data(), TaskId{index, generation, serial_}};
}
// ANCHOR_END: slab_allocate

// ANCHOR: slab_free
std::shared_ptr<void> TaskSlab::free(TaskId id, bool local) noexcept {
  // Relaxed: no load needs what this store could publish. Whoever takes the
  // slot next gets it from a free list, after this store in the order of
  // this thread and of mutex_; get() loads a generation only while the
  // executor holds the slot's task, never while the slot is being freed.
  slot(id.index).generation.store(id.generation + 1, std::memory_order_relaxed);
  if (local) {
    keep_local(id.index);
    --local_in_use_;
    return nullptr;  // the executor is running, so it is not gone
  }
  std::lock_guard lock(mutex_);
  keep_shared(id.index);
  --shared_in_use_;
  if (orphan_owner_ && local_in_use_ + shared_in_use_ == 0)
    return std::move(orphan_owner_);
  return nullptr;
}
// ANCHOR_END: slab_free

// ANCHOR: slab_orphan_get
void TaskSlab::orphan(std::shared_ptr<void> owner) {
  std::lock_guard lock(mutex_);
  if (local_in_use_ + shared_in_use_ > 0)
    orphan_owner_ = std::move(owner);
}

void* TaskSlab::get(TaskId id) const {
  if (id.executor != serial_ || id.index >= capacity())
    return nullptr;  // another executor's task, or a slot that does not exist
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
// The owner's side: a full list is set aside as the spare batch, and the
// batch set aside before it goes to the shared side, where other threads
// allocate. So the owner keeps at most two batches, and locks once per
// batch that crosses.
void TaskSlab::keep_local(std::uint32_t index) {
  if (local_free_.length == kBatchSlots) {
    if (local_spare_ != kNone) {
      std::lock_guard lock(mutex_);
      push_batch(local_spare_);
    }
    local_spare_ = std::exchange(local_free_, {}).head;
  }
  push(local_free_, index);
}

void TaskSlab::refill_local() {
  if (local_spare_ != kNone) {  // no lock needed
    local_free_ = {std::exchange(local_spare_, kNone), kBatchSlots};
    return;
  }
  std::lock_guard lock(mutex_);
  if (shared_batches_ == kNone && shared_free_.length > 0) {
    local_free_ = std::exchange(shared_free_, {});  // fewer than a batch: all of them
  } else {
    local_free_ = take_batch();
  }
}

// ANCHOR_END: refill

// ANCHOR: shared_side
// The shared side: slots freed one by one make up a batch, which then joins
// the stack of batches in one step. mutex_ is held.
void TaskSlab::keep_shared(std::uint32_t index) {
  push(shared_free_, index);
  if (shared_free_.length == kBatchSlots)
    push_batch(std::exchange(shared_free_, {}).head);
}

void TaskSlab::push_batch(std::uint32_t first) {
  links(first).next_batch = shared_batches_;
  shared_batches_ = first;
}

TaskSlab::FreeList TaskSlab::take_batch() {
  if (shared_batches_ == kNone)
    grow();
  const std::uint32_t first = shared_batches_;
  shared_batches_ = links(first).next_batch;
  return {first, kBatchSlots};
}
// ANCHOR_END: shared_side

// ANCHOR: grow
void TaskSlab::grow() {
  // Relaxed: only grow() stores it, and mutex_ is held.
  const std::size_t page = pages_used_.load(std::memory_order_relaxed);
  if (page == kMaxPages)
    throw std::length_error("TaskSlab: too many live tasks (the limit is 4 Mi)");
  // Release, paired with slot()'s acquire: the Page is built before it is seen.
  pages_[page].store(new Page, std::memory_order_release);
  // Release, paired with capacity()'s acquire, and after the pointer: an
  // index below the new capacity finds its page.
  pages_used_.store(page + 1, std::memory_order_release);
  const auto first = static_cast<std::uint32_t>(page * kSlotsPerPage);
  for (auto batch = static_cast<std::uint32_t>(kSlotsPerPage); batch > 0;) {
    batch -= kBatchSlots;  // the last batch first, so that the first ends on top
    FreeList list;
    for (auto i = static_cast<std::uint32_t>(kBatchSlots); i > 0; --i)
      push(list, first + batch + i - 1);
    push_batch(list.head);
  }
}
// ANCHOR_END: grow

}  // namespace art
