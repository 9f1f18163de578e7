// open_file_limit.hpp: what the scale tests and their client program need
// of RLIMIT_NOFILE. Every connection on loopback is an fd at each end, and
// the usual soft limit (1,024) is far below 10,000 connections. A process
// may raise its soft limit up to its hard limit, never beyond (that needs
// privilege), so the tests first ask whether what they need fits at all.
#pragma once

#include <string>
#include <sys/resource.h>

namespace art::testing {

// Room for what a process holds besides its connections: the standard
// streams, the reactor's epoll fd and eventfd, the listener, a pipe or two.
inline constexpr rlim_t kFdsBesideConnections = 64;

inline rlimit open_file_limit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  return limit;
}

// Raises the soft limit to at least `needed`; false if the hard limit is
// lower (the soft limit is then left as it was).
inline bool raise_open_file_limit(rlim_t needed) {
  rlimit limit = open_file_limit();
  if (limit.rlim_cur >= needed)
    return true;
  if (limit.rlim_max < needed)
    return false;
  limit.rlim_cur = needed;
  return setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

// "soft 1024, hard 4096": for messages that say why a test cannot run.
inline std::string describe_open_file_limit() {
  const rlimit limit = open_file_limit();
  auto text = [](rlim_t value) {
    return value == RLIM_INFINITY ? std::string("unlimited") : std::to_string(value);
  };
  return "soft " + text(limit.rlim_cur) + ", hard " + text(limit.rlim_max);
}

// Sets the soft limit back to what it was when the scope began.
class RestoreOpenFileLimit {
 public:
  RestoreOpenFileLimit() : saved_(open_file_limit()) {}
  RestoreOpenFileLimit(const RestoreOpenFileLimit&) = delete;
  RestoreOpenFileLimit& operator=(const RestoreOpenFileLimit&) = delete;
  ~RestoreOpenFileLimit() { setrlimit(RLIMIT_NOFILE, &saved_); }

 private:
  rlimit saved_;
};

}  // namespace art::testing
