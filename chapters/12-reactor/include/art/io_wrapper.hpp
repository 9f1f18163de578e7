// io_wrapper.hpp: any non-blocking fd, awaited through the reactor.
//
//     art::IoWrapper<art::OwnedFd> pipe_end(art::OwnedFd(fds[0]));
//     std::size_t n = co_await pipe_end.read(buffer);     // 0 at end of file
//     co_await pipe_end.io(art::Direction::read, [&] { return ::recv(...); });
//
// The problem. A non-blocking call says EAGAIN when it would block, and
// every caller would have to write the same loop around it: try the call;
// on EAGAIN forget the readiness it relied on and wait for the next edge;
// on EINTR try again; on anything else fail. Written by hand, each copy is
// a chance to clear readiness without its tick (and lose an edge that came
// in between, io_slot.hpp) or to forget the waker.
//
// The idea. IoWrapper<T> owns a T that owns an fd (an OwnedFd, a socket
// type), registers the fd with the reactor when it is made and leaves the
// reactor when it is destroyed. Every IO future is one loop, poll_io:
//
//     ┌─▶ poll_ready(direction) ── Pending: waker stored, answer Pending
//     │        │ Ready (tick t)
//     │   call() ── result ≥ 0 ──────────▶ Ready(result)
//     │        ├── EINTR ─▶ call() again
//     │        ├── EAGAIN ─▶ clear_readiness(t) ─┐
//     │        └── other ──▶ throw std::system_error
//     └──────────────────────────────────────────┘
//
// and io(direction, call) hands that loop any call the library does not
// wrap (recvmsg, accept4, splice): the call returns a non-negative result or
// -1 with errno set, like the system call it wraps.
//
// The rules every IO future keeps:
//
//   * It is a leaf: each poll first takes a token of the task's budget
//     (budget.hpp), and spends it only when it answers Ready. A stream that
//     is always readable therefore still makes its task yield.
//   * A wrapper outlives its futures (they refer to it), and is not moved
//     while one is pending.
//   * Destruction order: the registration goes (EPOLL_CTL_DEL, the slot
//     freed) before T closes the fd. The other order would leave a moment
//     in which the fd's number is free, reused by another open() on another
//     thread, and then removed from epoll by our DEL.
//   * Bad input fails in the constructor with a std::system_error naming the
//     fd and what to do: EBADF for a closed or invalid fd, EPERM for a
//     regular file (epoll refuses it). T is destroyed with the wrapper, so
//     nothing leaks.
//
// Where the reactor comes from: inside a task, the runtime running it; from
// anywhere else, the reactor passed in (runtime.reactor()).
#pragma once

#include <cerrno>
#include <concepts>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <system_error>
#include <type_traits>
#include <unistd.h>
#include <utility>

#include "art/budget.hpp"
#include "art/context.hpp"
#include "art/owned_fd.hpp"
#include "art/poll.hpp"
#include "art/reactor.hpp"
#include "art/runtime_core.hpp"

namespace art {

// A T an IoWrapper can hold: something that owns an fd and says which.
template <class T>
concept OwnsFd = std::movable<T> && requires(const T& io) {
  { io.fd() } -> std::convertible_to<int>;
};

// Thrown by read_exact when the stream ends before the buffer is full.
class UnexpectedEof : public std::runtime_error {
 public:
  UnexpectedEof(std::size_t got, std::size_t wanted)
      : std::runtime_error("read_exact: the stream ended after " + std::to_string(got) +
                           " of " + std::to_string(wanted) +
                           " bytes; use read() where a short stream is allowed") {}
};

// The reactor of the runtime running the calling task. `who` names the
// caller in the error thrown outside a worker.
inline Reactor& reactor_of_current_task(const char* who) {
  RuntimeCore* core = RuntimeCore::current();
  if (core == nullptr)
    throw std::logic_error(std::string(who) +
                           " made outside a runtime's task: pass the reactor "
                           "explicitly (runtime.reactor())");
  return core->reactor();
}

template <OwnsFd T>
class IoWrapper;

namespace detail {

// The failure of an IO call on `fd`, as an exception that says which.
inline std::system_error io_error(int error, int fd, const char* what) {
  return std::system_error(
      error, std::generic_category(),
      std::string(what) + " on fd " + std::to_string(fd) + " failed");
}

}  // namespace detail

// ANCHOR: io_future
// The future io() returns: poll_io around `call`, spending one token.
template <class T, class Call, class Out = std::invoke_result_t<Call&>>
class IoFuture {
 public:
  using Output = Out;
  IoFuture(IoWrapper<T>& wrapper, Direction direction, Call call, const char* what)
      : wrapper_(&wrapper), direction_(direction), call_(std::move(call)), what_(what) {}

  Poll<Output> poll(Context& cx) {
    // EXERCISE 12.3: EINTR retried, EAGAIN clears with its tick, errors thrown, a token
    // HINT: an IO future is a leaf of the budget (budget.hpp): it answers
    // Ready only with a token spent, and a poll that ends Pending keeps it.
    // HINT 2: the loop itself is poll_io, below.
    TokenGuard token = take_token(cx);
    if (!token)
      return pending;  // the budget is spent: the task was woken to yield
    auto result = wrapper_->poll_io(direction_, cx, call_, what_);
    if (result.is_pending())
      return pending;
    token.made_progress();
    return static_cast<Output>(result.value());
    // END EXERCISE
  }

 private:
  IoWrapper<T>* wrapper_;
  Direction direction_;
  Call call_;
  const char* what_;
};
// ANCHOR_END: io_future

// Ready once the fd is ready in one direction; the readiness stays (no call
// was tried, so nothing is known to be used up).
template <class T>
class ReadinessFuture {
 public:
  using Output = void;
  ReadinessFuture(Registration& registration, Direction direction)
      : registration_(&registration), direction_(direction) {}

  Poll<void> poll(Context& cx) {
    TokenGuard token = take_token(cx);
    if (!token)
      return pending;
    if (registration_->poll_ready(direction_, cx).is_pending())
      return pending;
    token.made_progress();
    return ready;
  }

 private:
  Registration* registration_;
  Direction direction_;
};

// read_exact and write_all: calls until `buffer` is done; one token per
// poll that finishes. Progress is kept across Pending polls.
template <class T, Direction kDirection>
class TransferAllFuture {
  using Byte =
      std::conditional_t<kDirection == Direction::read, std::byte, const std::byte>;

 public:
  using Output = void;
  TransferAllFuture(IoWrapper<T>& wrapper, std::span<Byte> buffer)
      : wrapper_(&wrapper), buffer_(buffer) {}

  Poll<void> poll(Context& cx) {
    TokenGuard token = take_token(cx);
    if (!token)
      return pending;
    while (done_ < buffer_.size()) {
      auto call = wrapper_->transfer_call(buffer_.subspan(done_));
      auto result = wrapper_->poll_io(kDirection, cx, call, name());
      if (result.is_pending())
        return pending;
      if (result.value() == 0 && kDirection == Direction::read)
        throw UnexpectedEof(done_, buffer_.size());
      done_ += static_cast<std::size_t>(result.value());
    }
    token.made_progress();
    return ready;
  }

 private:
  static const char* name() {
    return kDirection == Direction::read ? "read_exact" : "write_all";
  }
  IoWrapper<T>* wrapper_;
  std::span<Byte> buffer_;
  std::size_t done_ = 0;
};

// ANCHOR: io_wrapper
template <OwnsFd T>
class IoWrapper {
 public:
  // Registers io's fd with the reactor of the runtime running this task.
  explicit IoWrapper(T io)
      : IoWrapper(std::move(io), reactor_of_current_task("IoWrapper")) {}
  // Registers with `reactor` (runtime.reactor()); from any thread.
  IoWrapper(T io, Reactor& reactor)
      : io_(std::move(io)),
        registration_(reactor.register_fd(io_.fd())),
        is_socket_(is_socket(io_.fd())),
        is_stream_(is_stream(io_.fd())) {}
  IoWrapper(IoWrapper&&) noexcept = default;  // no future of it may be pending
  IoWrapper& operator=(IoWrapper&&) = delete;

  T& get() { return io_; }
  const T& get() const { return io_; }
  int fd() const { return io_.fd(); }
  Registration& registration() { return registration_; }

  // ANCHOR: io_wrapper_futures
  ReadinessFuture<T> readable() { return {registration_, Direction::read}; }
  ReadinessFuture<T> writable() { return {registration_, Direction::write}; }

  // Runs `call` (returns >= 0, or -1 with errno) whenever the fd is ready in
  // `direction`, until it does not say EAGAIN; its result is the output.
  template <class Call>
  IoFuture<T, Call> io(Direction direction, Call call) {
    return {*this, direction, std::move(call), "an IO call"};
  }

  // Up to buffer.size() bytes; 0 only at the end of the stream.
  auto read(std::span<std::byte> buffer) {
    auto call = transfer_call(buffer);
    return IoFuture<T, decltype(call), std::size_t>(*this, Direction::read, call, "read");
  }
  // Some of `buffer` (at least one byte); a peer that is gone is an error.
  auto write(std::span<const std::byte> buffer) {
    auto call = transfer_call(buffer);
    return IoFuture<T, decltype(call), std::size_t>(*this, Direction::write, call,
                                                    "write");
  }
  TransferAllFuture<T, Direction::read> read_exact(std::span<std::byte> buffer) {
    return {*this, buffer};
  }
  TransferAllFuture<T, Direction::write> write_all(std::span<const std::byte> buffer) {
    return {*this, buffer};
  }
  // ANCHOR_END: io_wrapper_futures
  // ANCHOR_END: io_wrapper

  // ANCHOR: poll_io
  // The loop every IO future runs (the picture at the top of the file).
  template <class Call>
  auto poll_io(Direction direction, Context& cx, Call& call, const char* what)
      -> Poll<std::invoke_result_t<Call&>> {
    // EXERCISE 12.3: EINTR retried, EAGAIN clears with its tick, errors thrown, a token
    // HINT: the picture at the top of this file. Readiness is a promise
    // the kernel may take back: a call is tried only when the slot says
    // ready, and EAGAIN proves the readiness it was given is used up. The
    // invariant: forget exactly the readiness this call relied on (the
    // event, tick included, that poll_ready gave you), never a newer one;
    // a Pending answer always leaves a waker stored.
    // HINT 2: three outcomes of a failed call, three different answers: a
    // signal (nothing happened), "would block" (forget, then ask the slot
    // again: a newer event may be there already), anything else (the
    // caller must hear of it, as detail::io_error says).
    // HINT 3: errno is only valid right after the failed call; read it
    // before anything else can change it. EWOULDBLOCK is EAGAIN's twin.
    for (;;) {
      Poll<ReadyEvent> ready = registration_.poll_ready(direction, cx);
      if (ready.is_pending())
        return pending;
      for (;;) {
        const auto result = call();
        if (result >= 0)
          return result;
        const int error = errno;
        if (error == EINTR)
          continue;  // a signal interrupted it: nothing happened, try again
        if (error != EAGAIN && error != EWOULDBLOCK)
          throw detail::io_error(error, fd(), what);
        // Used up: forget it, unless an event came since we looked.
        registration_.clear_readiness(ready.value());
        break;
      }
    }
    // END EXERCISE
  }
  // ANCHOR_END: poll_io

  // A read or write of `buffer`: send() for a socket, so that a peer that
  // is gone answers EPIPE instead of killing the process with SIGPIPE.
  // ANCHOR: short_read
  // A stream (a pipe, a stream socket) that gives back fewer bytes than
  // asked for has been drained: its readiness is forgotten at once, under
  // the tick seen before the read, which spares the next read the call
  // that would only say EAGAIN (tokio's poll_read does the same). Not for
  // datagrams: a short datagram says nothing about the next one.
  auto transfer_call(std::span<std::byte> buffer) {
    return [this, buffer] {
      const ReadyEvent before = registration_.slot().readiness(Direction::read);
      const ssize_t n = ::read(fd(), buffer.data(), buffer.size());
      if (is_stream_ && n > 0 && static_cast<std::size_t>(n) < buffer.size())
        registration_.clear_readiness(before);  // a newer event stays
      return n;
    };
  }
  // ANCHOR_END: short_read
  auto transfer_call(std::span<const std::byte> buffer) {
    return [fd = fd(), buffer, socket = is_socket_] {
      return socket ? ::send(fd, buffer.data(), buffer.size(), MSG_NOSIGNAL)
                    : ::write(fd, buffer.data(), buffer.size());
    };
  }

 private:
  static bool is_socket(int fd) {
    struct stat status {};
    return fstat(fd, &status) == 0 && S_ISSOCK(status.st_mode);
  }
  // A pipe, a FIFO or a stream socket: bytes, not messages.
  static bool is_stream(int fd) {
    struct stat status {};
    if (fstat(fd, &status) != 0)
      return false;
    if (S_ISFIFO(status.st_mode))
      return true;
    int type = 0;
    socklen_t length = sizeof type;
    return S_ISSOCK(status.st_mode) &&
           getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0 && type == SOCK_STREAM;
  }

  // Destroyed in reverse: the registration leaves before io_ closes the fd.
  T io_;
  Registration registration_;
  bool is_socket_;
  bool is_stream_;
};

// Bytes of anything contiguous, for read and write.
template <class Range>
std::span<std::byte> as_writable_bytes_of(Range& range) {
  return std::as_writable_bytes(std::span(range));
}
template <class Range>
std::span<const std::byte> as_bytes_of(const Range& range) {
  return std::as_bytes(std::span(range));
}

}  // namespace art
