#include "art/net.hpp"

#include <arpa/inet.h>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdexcept>
#include <sys/un.h>
#include <system_error>

namespace art {

namespace {

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

std::invalid_argument bad_address(std::string_view text) {
  return std::invalid_argument("not a socket address: \"" + std::string(text) +
                               "\"; write \"127.0.0.1:8080\" or \"[::1]:8080\"");
}

}  // namespace

SocketAddress SocketAddress::parse(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos)
    throw bad_address(text);
  std::string host(text.substr(0, colon));
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc{} || end != port_text.data() + port_text.size() || port > 65535)
    throw bad_address(text);

  SocketAddress address;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address.storage_);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<std::uint16_t>(port));
    if (inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &v6->sin6_addr) != 1)
      throw bad_address(text);
    address.size_ = sizeof(sockaddr_in6);
  } else {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage_);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<std::uint16_t>(port));
    if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) != 1)
      throw bad_address(text);
    address.size_ = sizeof(sockaddr_in);
  }
  return address;
}

SocketAddress SocketAddress::unix_path(std::string_view path) {
  SocketAddress address;
  auto* unix_address = reinterpret_cast<sockaddr_un*>(&address.storage_);
  if (path.empty() || path.size() >= sizeof unix_address->sun_path)
    throw std::invalid_argument("a Unix socket path must have 1 to " +
                                std::to_string(sizeof unix_address->sun_path - 1) +
                                " characters: \"" + std::string(path) + "\"");
  unix_address->sun_family = AF_UNIX;
  std::memcpy(unix_address->sun_path, path.data(), path.size());
  address.size_ =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  return address;
}

std::uint16_t SocketAddress::port() const {
  if (family() == AF_INET)
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (family() == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return 0;
}

std::string SocketAddress::to_string() const {
  std::array<char, INET6_ADDRSTRLEN> host{};
  if (family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr,
              host.data(), host.size());
    return std::string(host.data()) + ":" + std::to_string(port());
  }
  if (family() == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr,
              host.data(), host.size());
    return "[" + std::string(host.data()) + "]:" + std::to_string(port());
  }
  if (family() == AF_UNIX)
    return reinterpret_cast<const sockaddr_un*>(&storage_)->sun_path;
  return "(no address)";
}

OwnedFd new_socket(int family, int type) {
  const int fd = ::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    throw_errno("socket");
  return OwnedFd(fd);
}

SocketAddress local_address_of(int fd) {
  SocketAddress address;
  if (getsockname(fd, address.fill(), address.fill_size()) != 0)
    throw_errno("getsockname on fd " + std::to_string(fd));
  return address;
}

void StreamSocket::shutdown_write() {
  if (::shutdown(io_.fd(), SHUT_WR) != 0)
    throw_errno("shutdown of fd " + std::to_string(io_.fd()));
}

SocketAddress StreamSocket::local_address() const { return local_address_of(io_.fd()); }

SocketAddress StreamSocket::peer_address() const {
  SocketAddress address;
  if (getpeername(io_.fd(), address.fill(), address.fill_size()) != 0)
    throw_errno("getpeername on fd " + std::to_string(io_.fd()));
  return address;
}

void TcpStream::set_nodelay(bool on) {
  const int value = on ? 1 : 0;
  if (setsockopt(fd(), IPPROTO_TCP, TCP_NODELAY, &value, sizeof value) != 0)
    throw_errno("TCP_NODELAY on fd " + std::to_string(fd()));
}

std::pair<UnixStream, UnixStream> UnixStream::pair(Reactor& reactor) {
  std::array<int, 2> fds{};
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds.data()) != 0)
    throw_errno("socketpair");
  OwnedFd first(fds[0]);
  OwnedFd second(fds[1]);
  UnixStream a(IoWrapper<OwnedFd>(std::move(first), reactor));
  UnixStream b(IoWrapper<OwnedFd>(std::move(second), reactor));
  return {std::move(a), std::move(b)};
}

OwnedFd bound_socket(const SocketAddress& address, int type, bool listen) {
  OwnedFd socket = new_socket(address.family(), type);
  if (address.family() != AF_UNIX) {
    const int on = 1;  // a restarted server may bind while old connections linger
    setsockopt(socket.fd(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  }
  if (::bind(socket.fd(), address.get(), address.size()) != 0) {
    const std::string hint = errno == EADDRINUSE
                                 ? " (EADDRINUSE: it is taken; for a Unix socket, remove "
                                   "the old file first)"
                                 : "";
    throw_errno("bind to " + address.to_string() + hint);
  }
  if (listen && ::listen(socket.fd(), SOMAXCONN) != 0)
    throw_errno("listen on " + address.to_string());
  return socket;
}

TcpListener TcpListener::bind(const SocketAddress& address, Reactor& reactor) {
  if (address.family() != AF_INET && address.family() != AF_INET6)
    throw std::invalid_argument("TcpListener::bind needs an IPv4 or IPv6 address, not " +
                                address.to_string());
  return TcpListener(
      IoWrapper<OwnedFd>(bound_socket(address, SOCK_STREAM, true), reactor));
}

UnixListener UnixListener::bind(std::string_view path, Reactor& reactor) {
  return UnixListener(IoWrapper<OwnedFd>(
      bound_socket(SocketAddress::unix_path(path), SOCK_STREAM, true), reactor));
}

UdpSocket UdpSocket::bind(const SocketAddress& address, Reactor& reactor) {
  return UdpSocket(IoWrapper<OwnedFd>(bound_socket(address, SOCK_DGRAM, false), reactor));
}

SocketAddress UdpSocket::local_address() const { return local_address_of(io_.fd()); }

}  // namespace art
