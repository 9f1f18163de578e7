#include "art/reactor.hpp"

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <string>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <system_error>
#include <unistd.h>
#include <utility>

#include "art/log.hpp"
#include "art/trace.hpp"

namespace art {

namespace {

std::system_error registration_error(int fd, int error) {
  std::string what =
      "fd " + std::to_string(fd) + " cannot be registered with the reactor";
  switch (error) {
    case EBADF:
      what +=
          " (EBADF): it is not an open file descriptor; register an fd you opened "
          "and still own";
      break;
    case EPERM:
      what +=
          " (EPERM): epoll cannot watch it, as for a regular file or a directory, "
          "which are always ready; read such files with blocking calls, off the "
          "runtime's workers";
      break;
    case EEXIST:
      what += " (EEXIST): it is registered already; wrap each fd in one IoWrapper only";
      break;
    default:
      break;
  }
  return std::system_error(error, std::generic_category(), what);
}

}  // namespace

std::shared_ptr<Reactor> Reactor::create() {
  const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0)
    throw std::system_error(errno, std::generic_category(), "epoll_create1");
  const int wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd < 0) {
    const int error = errno;
    close(epoll_fd);
    throw std::system_error(error, std::generic_category(), "eventfd");
  }
  epoll_event event{};
  event.events = EPOLLIN;  // level-triggered: drained on every wake-up anyway
  event.data.u64 = kWakeToken;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &event) != 0) {
    const int error = errno;
    close(wake_fd);
    close(epoll_fd);
    throw std::system_error(error, std::generic_category(), "epoll_ctl(eventfd)");
  }
  return std::shared_ptr<Reactor>(new Reactor(epoll_fd, wake_fd));
}

Reactor::Reactor(int epoll_fd, int wake_fd) : epoll_fd_(epoll_fd), wake_fd_(wake_fd) {
  // A timer due before the deadline the loop sleeps towards must cut the
  // sleep short: the driver calls this, outside its lock, when that happens.
  timers_.set_wake_callback([this] { wake(); });
}

Reactor::~Reactor() {
  if (thread_.joinable())
    stop();
  close(wake_fd_);
  close(epoll_fd_);
}

void Reactor::start() {
  thread_ = std::thread([this] { run(); });
}

// ANCHOR: stop
void Reactor::stop() {
  if (stopping_.exchange(true, std::memory_order_acq_rel))
    return;  // stopped already (or stopping on another thread)
  wake();
  if (thread_.joinable())
    thread_.join();
  // Every slot ever handed out gets the shutdown bit: a wait still
  // registered (a wrapper that outlived its runtime) ends, and its future
  // throws ReactorShutDown. A registration racing with this either got its
  // slot first (and is marked here) or sees stopping_ and gives it back.
  const std::uint32_t handed_out = slab_.high_water();
  for (std::uint32_t index = 0; index < handed_out; ++index) {
    IoSlot* slot = slab_.slot(index);
    if (slot->set_readiness(slot->generation(), Readiness::shutdown))
      slot->wake(Readiness::shutdown);
  }
  stopped_.store(true, std::memory_order_release);
}
// ANCHOR_END: stop

void Reactor::wake() {
  const std::uint64_t one = 1;
  // A full counter (EAGAIN) means a wake is pending already: nothing lost.
  [[maybe_unused]] const ssize_t written = write(wake_fd_, &one, sizeof one);
}

void Reactor::drain_wake_fd() const {
  std::uint64_t count = 0;
  [[maybe_unused]] const ssize_t read_bytes = read(wake_fd_, &count, sizeof count);
}

// ANCHOR: run
// ANCHOR: turn
void Reactor::turn(bool may_block) {
  std::array<epoll_event, 256> events{};
  // Sleep until the next event or the earliest timer, whichever comes
  // first (the driver rounds up, so a timer never fires early); -1, no
  // timeout at all, while no timer is armed. A timer armed later with an
  // earlier deadline wakes this wait through the eventfd.
  const int timeout_ms = may_block ? timers_.next_timeout(Clock::now()) : 0;
  const int ready =
      epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout_ms);
  if (ready < 0 && errno != EINTR) {  // EINTR: a signal, not an event
    // Our own epoll fd is broken (closed by someone else's bug): nothing
    // more can be waited for. Said once; nobody takes the driver again.
    logger().error("reactor: epoll_wait failed: {}; IO and timers stop here",
                   std::system_category().message(errno));
    broken_.store(true, std::memory_order_relaxed);
    return;
  }
  for (int i = 0; i < ready; ++i)
    dispatch(events[i].data.u64, events[i].events);
  timers_.fire_due(Clock::now());  // whatever woke us, due timers fire now
}
// ANCHOR_END: turn

void Reactor::run() {
  trace::name_thread("reactor");
  (void)try_acquire();  // the thread holds the driver for as long as it lives
  while (!stopping_.load(std::memory_order_acquire) &&
         !broken_.load(std::memory_order_relaxed))
    turn(true);
  release();
}
// ANCHOR_END: run

bool Reactor::try_acquire() noexcept {
  if (broken_.load(std::memory_order_relaxed))
    return false;  // a worker sleeps on its condition variable instead
  // acquire on success: we see what the previous holder did while holding it.
  return !driver_held_.exchange(true, std::memory_order_acquire);
}

void Reactor::release() noexcept {
  driver_held_.store(false, std::memory_order_release);  // pairs with try_acquire
}

// ANCHOR: dispatch
void Reactor::dispatch(std::uint64_t token, std::uint32_t epoll_events) {
  if (token == kWakeToken) {
    drain_wake_fd();
    return;
  }
  const IoToken named = IoToken::unpack(token);
  IoSlot* slot = slab_.slot(named.index);
  if (slot == nullptr)
    return;
  const std::uint8_t bits = readiness_of(epoll_events);
  if (!slot->set_readiness(named.generation, bits))
    return;  // the fd was closed and its slot reused: not this owner's event
  slot->wake(bits);
  // Release: pairs with events_dispatched()'s acquire (see the member).
  dispatched_.fetch_add(1, std::memory_order_release);
}
// ANCHOR_END: dispatch

std::uint8_t Reactor::readiness_of(std::uint32_t epoll_events) {
  std::uint8_t bits = 0;
  if ((epoll_events & (EPOLLIN | EPOLLPRI)) != 0)
    bits |= Readiness::readable;
  if ((epoll_events & EPOLLOUT) != 0)
    bits |= Readiness::writable;
  if ((epoll_events & EPOLLRDHUP) != 0)
    bits |= Readiness::read_closed;
  if ((epoll_events & EPOLLHUP) != 0)
    bits |= Readiness::read_closed | Readiness::write_closed;
  if ((epoll_events & EPOLLERR) != 0)
    bits |= Readiness::error;
  return bits;
}

// ANCHOR: register_fd
Registration Reactor::register_fd(int fd) {
  if (stopping_.load(std::memory_order_acquire))
    throw ReactorShutDown();
  const int flags = fcntl(fd, F_GETFL);
  if (flags < 0 ||
      (((flags & O_NONBLOCK) == 0) && fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0))
    throw registration_error(fd, errno);  // a call that would block must say EAGAIN
  const IoToken token = slab_.allocate();
  if (stopping_.load(std::memory_order_acquire)) {  // stop() may not have seen the slot
    slab_.free(token);
    throw ReactorShutDown();
  }
  epoll_event event{};
  event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  event.data.u64 = token.pack();
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
    const int error = errno;
    slab_.free(token);
    throw registration_error(fd, error);
  }
  return Registration(shared_from_this(), fd, token);
}
// ANCHOR_END: register_fd

void Reactor::deregister(int fd, IoToken token) {
  // EBADF/ENOENT: the fd was closed already, which removed it from epoll.
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr) != 0 && errno != EBADF &&
      errno != ENOENT)
    logger().error("reactor: removing fd {} failed: {}", fd,
                   std::system_category().message(errno));
  slab_.free(token);
}

Registration::Registration(std::shared_ptr<Reactor> reactor, int fd, IoToken token)
    : reactor_(std::move(reactor)),
      fd_(fd),
      token_(token),
      slot_(reactor_->slab_.slot(token.index)) {}

Registration::Registration(Registration&& other) noexcept
    : reactor_(std::move(other.reactor_)),
      fd_(other.fd_),
      token_(other.token_),
      slot_(other.slot_) {}

Registration::~Registration() {
  if (reactor_)
    reactor_->deregister(fd_, token_);
}

Poll<ReadyEvent> Registration::poll_ready(Direction direction, Context& cx) {
  Poll<ReadyEvent> seen = slot_->poll_ready(direction, cx);
  if (seen.is_ready() && seen.value().shut_down())
    throw ReactorShutDown();
  return seen;
}

void Registration::clear_readiness(ReadyEvent seen) { slot_->clear_readiness(seen); }

}  // namespace art
