// net.hpp: sockets on top of IoWrapper.
//
//     auto listener = art::TcpListener::bind(art::SocketAddress::parse("127.0.0.1:0"));
//     art::TcpStream client = co_await listener.accept();
//     std::size_t n = co_await client.read(buffer);
//
//     art::TcpStream stream = co_await art::TcpStream::connect(listener.local_address());
//
// Every type here is an IoWrapper<OwnedFd> and a little of the socket API:
// the waiting, the EAGAIN loop, EINTR, the budget and the errors are all
// IoWrapper's (io_wrapper.hpp); what is left is which call to make.
//
//   TcpListener / UnixListener   bind (a port of 0 picks one: local_address),
//                                accept() → the stream of the next client
//   TcpStream / UnixStream       connect() as a future, read, write,
//                                read_exact, write_all, shutdown_write
//   UdpSocket                    bind, send_to, recv_from
//
// A connect is non-blocking too: connect() says EINPROGRESS, the socket
// becomes writable when the handshake ends, and SO_ERROR then says whether
// it worked (mio's TcpStream::connect and tokio's ConnectFuture do the same).
//
// Each type has two ways to find its reactor, as IoWrapper does: inside a
// task, the runtime running it; anywhere else, the reactor passed in last.
// Writes to a socket use send(MSG_NOSIGNAL): a peer that is gone answers
// EPIPE, thrown as an error, instead of killing the process with SIGPIPE.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <utility>

#include "art/budget.hpp"
#include "art/io_wrapper.hpp"
#include "art/owned_fd.hpp"
#include "art/reactor.hpp"

namespace art {

// ANCHOR: socket_address
// An IPv4, IPv6 or Unix address, as the socket calls take it.
class SocketAddress {
 public:
  // "127.0.0.1:8080" or "[::1]:8080"; throws std::invalid_argument.
  static SocketAddress parse(std::string_view text);
  // A Unix socket's path; throws std::invalid_argument if it is too long.
  static SocketAddress unix_path(std::string_view path);

  int family() const { return storage_.ss_family; }
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  socklen_t size() const { return size_; }
  std::uint16_t port() const;  // 0 for a Unix address
  std::string to_string() const;

  // For calls that fill an address in (accept, recvfrom, getsockname).
  sockaddr* fill() { return reinterpret_cast<sockaddr*>(&storage_); }
  socklen_t* fill_size() {
    size_ = sizeof storage_;
    return &size_;
  }

 private:
  sockaddr_storage storage_{};
  socklen_t size_ = 0;
};
// ANCHOR_END: socket_address

// ANCHOR: stream_socket
// What TcpStream and UnixStream share: a connected byte stream.
class StreamSocket {
 public:
  explicit StreamSocket(IoWrapper<OwnedFd> io) : io_(std::move(io)) {}

  auto read(std::span<std::byte> buffer) { return io_.read(buffer); }
  auto write(std::span<const std::byte> buffer) { return io_.write(buffer); }
  auto read_exact(std::span<std::byte> buffer) { return io_.read_exact(buffer); }
  auto write_all(std::span<const std::byte> buffer) { return io_.write_all(buffer); }
  // The peer reads 0 from now on; this side can still read.
  void shutdown_write();

  SocketAddress local_address() const;
  SocketAddress peer_address() const;
  int fd() const { return io_.fd(); }
  IoWrapper<OwnedFd>& io() { return io_; }

 private:
  IoWrapper<OwnedFd> io_;
};
// ANCHOR_END: stream_socket

class TcpStream;
class UnixStream;

// ANCHOR: connect_future
// connect(): the socket is made and connect() called on the first poll;
// Ready with the stream once the handshake ended well.
template <class Stream>
class ConnectFuture {
 public:
  using Output = Stream;
  ConnectFuture(SocketAddress address, Reactor& reactor)
      : address_(address), reactor_(&reactor) {}

  Poll<Stream> poll(Context& cx);

 private:
  SocketAddress address_;
  Reactor* reactor_;
  std::optional<IoWrapper<OwnedFd>> socket_;  // from the first poll on
};
// ANCHOR_END: connect_future

class TcpStream : public StreamSocket {
 public:
  using StreamSocket::StreamSocket;
  static ConnectFuture<TcpStream> connect(const SocketAddress& address) {
    return {address, reactor_of_current_task("TcpStream::connect")};
  }
  static ConnectFuture<TcpStream> connect(const SocketAddress& address,
                                          Reactor& reactor) {
    return {address, reactor};
  }
  void set_nodelay(bool on);
};

class UnixStream : public StreamSocket {
 public:
  using StreamSocket::StreamSocket;
  static ConnectFuture<UnixStream> connect(std::string_view path) {
    return {SocketAddress::unix_path(path),
            reactor_of_current_task("UnixStream::connect")};
  }
  static ConnectFuture<UnixStream> connect(std::string_view path, Reactor& reactor) {
    return {SocketAddress::unix_path(path), reactor};
  }
  // Two connected ends (socketpair).
  static std::pair<UnixStream, UnixStream> pair(Reactor& reactor);
};

// ANCHOR: accept_future
// accept(): Ready with the next client's stream, registered with the same
// reactor as the listener.
template <class Stream>
class AcceptFuture {
 public:
  using Output = Stream;
  explicit AcceptFuture(IoWrapper<OwnedFd>& listener) : listener_(&listener) {}

  Poll<Stream> poll(Context& cx) {
    TokenGuard token = take_token(cx);
    if (!token)
      return pending;
    auto call = [fd = listener_->fd()] {
      return ::accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    };
    Poll<int> accepted = listener_->poll_io(Direction::read, cx, call, "accept");
    if (accepted.is_pending())
      return pending;
    OwnedFd client(accepted.value());
    token.made_progress();
    return Stream(
        IoWrapper<OwnedFd>(std::move(client), listener_->registration().reactor()));
  }

 private:
  IoWrapper<OwnedFd>* listener_;
};
// ANCHOR_END: accept_future

template <class Stream>
class Listener {
 public:
  AcceptFuture<Stream> accept() { return AcceptFuture<Stream>(io_); }
  SocketAddress local_address() const;
  int fd() const { return io_.fd(); }

 protected:
  explicit Listener(IoWrapper<OwnedFd> io) : io_(std::move(io)) {}

 private:
  IoWrapper<OwnedFd> io_;
};

class TcpListener : public Listener<TcpStream> {
 public:
  static TcpListener bind(const SocketAddress& address) {
    return bind(address, reactor_of_current_task("TcpListener::bind"));
  }
  static TcpListener bind(const SocketAddress& address, Reactor& reactor);

 private:
  explicit TcpListener(IoWrapper<OwnedFd> io) : Listener(std::move(io)) {}
};

class UnixListener : public Listener<UnixStream> {
 public:
  // The path must not exist yet (EADDRINUSE); it is not removed afterwards.
  static UnixListener bind(std::string_view path) {
    return bind(path, reactor_of_current_task("UnixListener::bind"));
  }
  static UnixListener bind(std::string_view path, Reactor& reactor);

 private:
  explicit UnixListener(IoWrapper<OwnedFd> io) : Listener(std::move(io)) {}
};

// ANCHOR: udp_socket
class UdpSocket {
 public:
  static UdpSocket bind(const SocketAddress& address) {
    return bind(address, reactor_of_current_task("UdpSocket::bind"));
  }
  static UdpSocket bind(const SocketAddress& address, Reactor& reactor);

  // One datagram to `to`; Ready with the bytes sent.
  auto send_to(std::span<const std::byte> datagram, const SocketAddress& to) {
    auto call = [fd = io_.fd(), datagram, to] {
      return ::sendto(fd, datagram.data(), datagram.size(), MSG_NOSIGNAL, to.get(),
                      to.size());
    };
    return IoFuture<OwnedFd, decltype(call), std::size_t>(io_, Direction::write, call,
                                                          "send_to");
  }
  // One datagram (cut to buffer.size()) and who sent it.
  class RecvFromFuture;
  RecvFromFuture recv_from(std::span<std::byte> buffer);

  SocketAddress local_address() const;
  int fd() const { return io_.fd(); }

 private:
  explicit UdpSocket(IoWrapper<OwnedFd> io) : io_(std::move(io)) {}
  IoWrapper<OwnedFd> io_;
};

class UdpSocket::RecvFromFuture {
 public:
  using Output = std::pair<std::size_t, SocketAddress>;
  RecvFromFuture(IoWrapper<OwnedFd>& io, std::span<std::byte> buffer)
      : io_(&io), buffer_(buffer) {}

  Poll<Output> poll(Context& cx) {
    TokenGuard token = take_token(cx);
    if (!token)
      return pending;
    SocketAddress from;
    auto call = [this, &from] {
      return ::recvfrom(io_->fd(), buffer_.data(), buffer_.size(), 0, from.fill(),
                        from.fill_size());
    };
    Poll<ssize_t> received = io_->poll_io(Direction::read, cx, call, "recv_from");
    if (received.is_pending())
      return pending;
    token.made_progress();
    return Output{static_cast<std::size_t>(received.value()), from};
  }

 private:
  IoWrapper<OwnedFd>* io_;
  std::span<std::byte> buffer_;
};

inline UdpSocket::RecvFromFuture UdpSocket::recv_from(std::span<std::byte> buffer) {
  return {io_, buffer};
}
// ANCHOR_END: udp_socket

// The address an fd is bound to (getsockname), or a std::system_error.
SocketAddress local_address_of(int fd);
// A non-blocking socket of `family` and `type`, or a std::system_error.
OwnedFd new_socket(int family, int type);
// Such a socket bound to `address` (and listening, if asked), or a
// std::system_error that names the address.
OwnedFd bound_socket(const SocketAddress& address, int type, bool listen);

template <class Stream>
SocketAddress Listener<Stream>::local_address() const {
  return local_address_of(io_.fd());
}

// ANCHOR: connect_poll
template <class Stream>
Poll<Stream> ConnectFuture<Stream>::poll(Context& cx) {
  TokenGuard token = take_token(cx);
  if (!token)
    return pending;
  if (!socket_) {
    socket_.emplace(new_socket(address_.family(), SOCK_STREAM), *reactor_);
    if (::connect(socket_->fd(), address_.get(), address_.size()) != 0 &&
        errno != EINPROGRESS)
      throw std::system_error(errno, std::generic_category(),
                              "connect to " + address_.to_string() + " failed");
  }
  // Writable: the handshake ended, well or not; SO_ERROR says which.
  if (socket_->registration().poll_ready(Direction::write, cx).is_pending())
    return pending;
  int error = 0;
  socklen_t size = sizeof error;
  if (getsockopt(socket_->fd(), SOL_SOCKET, SO_ERROR, &error, &size) != 0)
    error = errno;
  if (error != 0)
    throw std::system_error(error, std::generic_category(),
                            "connect to " + address_.to_string() + " failed");
  token.made_progress();
  return Stream(std::move(*socket_));
}
// ANCHOR_END: connect_poll

}  // namespace art
