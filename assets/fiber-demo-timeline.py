"""Draws assets/fiber-demo-timeline.svg: chapter 06's demo over time, from
the timestamps of the output shown on book/src/06-stackful-fibers/running-it.md:
three tasks on one thread, the fiber suspended in the middle of its loop
while each timer runs. Run from the repository root: `make diagrams`.
Standard library only."""

import _svg
import _timeline

ROWS = [  # (task, waits as (from ms, to ms, label), what it says at its end)
    ("fiber: fetch_all", [(0, 5, "fetch(1) waits"), (5, 15, "fetch(2) waits"),
                          (15, 30, "fetch(3) waits")], "returns 600"),
    ("coroutine", [(0, 30, "co_await on the fiber's JoinHandle")], "got 600"),
    ("second fiber", [(0, 30, "art::await on the coroutine's handle")], "got 601"),
]

if __name__ == "__main__":
    _svg.write_beside(__file__, _timeline.timeline(
        "the demo's three tasks on the executor's thread", 30, 5, ROWS,
        runs=[0, 5, 15, 30],  # the start and each timer's wake
        note="the thread polls at the start and at each timer's wake, and sleeps between"))
