"""Draws assets/bench-ch04.svg: chapter 04's executor and Asio with its
locks, each against Asio without locks, from the run shown on
book/src/04-executor/measure.md. Run from the repository root:
`make diagrams`. Standard library only."""

import _bars
import _svg

WORKLOADS = ["spawn_many", "yield_many", "ping_pong", "chained_spawn", "ping_pong_serial"]
SERIES = [  # (name, colour, CPU time / asio-unsafe's, per workload)
    ("asio (with its locks)", "#a9a9a9", [1.08, 1.22, 1.14, 1.27, 1.22]),
    ("ch04", "#6a9bd1", [5.74, 3.75, 5.76, 8.39, 7.39]),
]

if __name__ == "__main__":
    _svg.write_beside(__file__, _bars.ratio_chart(
        "CPU time against asio-unsafe (shorter is faster)", "asio-unsafe",
        WORKLOADS, SERIES))
