// owned_fd.hpp: a file descriptor that closes itself.
//
// The smallest T an IoWrapper<T> can hold: one fd, closed by the destructor
// (a close that fails is not retried: on Linux the fd is gone either way).
// Move-only, like the fd it owns.
#pragma once

#include <unistd.h>
#include <utility>

namespace art {

// ANCHOR: owned_fd
class OwnedFd {
 public:
  OwnedFd() = default;
  explicit OwnedFd(int fd) : fd_(fd) {}
  OwnedFd(OwnedFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  OwnedFd& operator=(OwnedFd&& other) noexcept {
    if (this != &other)
      reset(std::exchange(other.fd_, -1));
    return *this;
  }
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  ~OwnedFd() { reset(); }

  int fd() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  // Gives the fd up without closing it: the caller owns it now.
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};
// ANCHOR_END: owned_fd

}  // namespace art
