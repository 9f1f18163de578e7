// trace-probe: a process that traces as the runtime would, for the tests of
// ART_TRACE (read once per process, so each case needs a process of its own).
// Records a poll of task 7 on a lane named "main", prints what it saw as
// "enabled=<0|1> recorded=<events>", and leaves the writing to the exit flush
// unless its first argument is "flush".
#include <cstdio>
#include <string_view>

#include "art/trace.hpp"

int main(int argc, char** argv) {
  art::trace::name_thread("main");
  art::trace::poll_begin(7);
  art::trace::instant("spawn", 8);
  art::trace::poll_end(7);
  if (argc > 1 && std::string_view(argv[1]) == "flush") {
    art::trace::flush();
  }
  std::printf("enabled=%d recorded=%llu\n", art::trace::enabled() ? 1 : 0,
              static_cast<unsigned long long>(art::trace::detail::counts().recorded));
  return 0;
}
