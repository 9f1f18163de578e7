// open_file_limit.hpp: the echo benchmark's programs hold one descriptor per
// connection, and 1,000 connections meet the usual soft limit of 1,024 open files.
// Both raise the soft limit (RLIMIT_NOFILE) to what they need, say so on stderr,
// and fail with a message that says what to do when the hard limit is too low.
#pragma once

#include <cstdio>
#include <optional>
#include <sys/resource.h>

namespace art::bench {

// Raises the soft open-file limit to at least `needed` descriptors (to the hard limit
// when `needed` is nullopt: a server cannot know how many clients will come). Returns
// false, after printing why, when the limit cannot be raised that far.
inline bool raise_open_file_limit(const char* program, std::optional<rlim_t> needed) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    std::perror("getrlimit(RLIMIT_NOFILE)");
    return false;
  }
  const rlim_t wanted = needed.value_or(limit.rlim_max);
  if (limit.rlim_cur >= wanted)
    return true;
  const rlim_t before = limit.rlim_cur;
  const rlim_t hard = limit.rlim_max;
  limit.rlim_cur = wanted;
  // Raising the hard limit too needs privilege (CAP_SYS_RESOURCE); try it anyway.
  if (limit.rlim_max < wanted)
    limit.rlim_max = wanted;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    std::fprintf(stderr,
                 "%s: needs %llu open files, but the limit (RLIMIT_NOFILE) is %llu, hard "
                 "limit %llu, and cannot be raised: raise the hard limit (ulimit -Hn, as "
                 "root) or use fewer connections\n",
                 program, static_cast<unsigned long long>(wanted),
                 static_cast<unsigned long long>(before),
                 static_cast<unsigned long long>(hard));
    return false;
  }
  std::fprintf(stderr,
               "%s: raised the open-file limit (RLIMIT_NOFILE) from %llu to %llu\n",
               program, static_cast<unsigned long long>(before),
               static_cast<unsigned long long>(wanted));
  return true;
}

}  // namespace art::bench
