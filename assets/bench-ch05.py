"""Draws assets/bench-ch05.svg: art's runtimes of chapters 04 to 06 against
Asio without locks, from the run shown on book/src/05-task-memory/measure.md.
Run from the repository root: `make diagrams`. Standard library only."""

import _bars
import _svg

WORKLOADS = ["spawn_many", "yield_many", "ping_pong", "chained_spawn", "ping_pong_serial"]
SERIES = [  # (name, colour, CPU time / asio-unsafe's, per workload)
    ("ch04", "#a9a9a9", [5.74, 3.75, 5.76, 8.39, 7.39]),
    ("ch05", "#6a9bd1", [1.46, 0.66, 2.12, 2.65, 3.17]),
    ("ch05-futures", "#6fb36f", [1.13, 0.34, 1.86, 2.12, 2.61]),
    ("ch06", "#c56b8a", [5.08, 2.00, 4.94, 6.50, 5.18]),
]

if __name__ == "__main__":
    _svg.write_beside(__file__, _bars.ratio_chart(
        "CPU time against asio-unsafe (shorter is faster)", "asio-unsafe",
        WORKLOADS, SERIES))
