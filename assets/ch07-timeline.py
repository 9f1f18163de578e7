"""Chapter 07's timeline: a real run of the chapter's demo (ART_TRACE), its
first 34 ms: eight tasks that compute and yield, on two workers that share
one queue. The trace is committed (traces/ch07-demo.json), so the picture
can be drawn again; to take a new one:

    ART_TRACE=run.json build/default/chapters/07-multithreaded-executor/ch07-demo

and keep the first 40 ms of its events in traces/ch07-demo.json."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tools"))
from _svg import write_beside  # noqa: E402
from trace_timeline import render  # noqa: E402

svg = render(HERE / "traces" / "ch07-demo.json", end_ms=34,
             title="Chapter 07 demo: 8 tasks on 2 workers, one shared queue")
write_beside(__file__, svg)
