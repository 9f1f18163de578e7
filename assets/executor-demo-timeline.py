"""Draws assets/executor-demo-timeline.svg: chapter 04's demo over time,
from the output shown on book/src/04-executor/running-it.md: seven tasks
on one thread, their waits overlapping. Run from the repository root:
`make diagrams`. Standard library only."""

import _svg
import _timeline

ROWS = [  # (task, waits as (from ms, to ms, label), what it says at its end)
    ("main task", [(0.4, 30, "joins the counter, then sleeper 3")], "66"),
    ("counter", [(0, 0.4, "")], "6, after three yields at once"),
    ("failing task", [(0, 5, "5 ms")], "throws"),
    ("sleeper 1", [(0, 10, "10 ms")], "10"),
    ("sleeper 2", [(0, 20, "20 ms")], "20"),
    ("sleeper 3", [(0, 30, "30 ms")], "30"),
    ("forgotten task", [(0, 30, "waits for a value nobody sends")], "cancelled"),
]

if __name__ == "__main__":
    _svg.write_beside(__file__, _timeline.timeline(
        "the demo's seven tasks on the executor's thread", 30, 5, ROWS,
        runs=[0, 5, 10, 20, 30],  # the start and each timer's wake
        note="16 polls in 0.445 ms of busy time; the rest, the thread sleeps"))
