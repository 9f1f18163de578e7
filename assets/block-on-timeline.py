"""Draws assets/block-on-timeline.svg: chapter 03's demo running
delayed_double under block_on, from the output shown on
book/src/03-coroutines/running-it.md: three polls, the thread parked in
between. Run from the repository root: `make diagrams`. Standard library only."""

import _svg
import _timeline

ROWS = [  # (task, waits as (from ms, to ms, label), what it says at its end)
    ("delayed_double", [(0, 20, "co_await input"), (20, 50, "co_await the 30 ms timer")],
     "42"),
]

if __name__ == "__main__":
    _svg.write_beside(__file__, _timeline.timeline(
        "delayed_double under block_on: three polls", 50, 10, ROWS,
        runs=[0, 20, 50],  # the start, the input's wake, the timer's wake
        note="polls #1, #2 and #3; parked in between, until a wake unparks it",
        runs_label="block_on's thread"))
