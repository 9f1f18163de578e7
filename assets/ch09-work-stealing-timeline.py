"""Chapter 09's demo on the work-stealing scheduler: a real run (ART_TRACE)
of 200 requests on two workers, spawned by a task, every tenth a 20 ms report.
The trace is committed (traces/ch09-work-stealing.json), so the picture can be
drawn again; to take a new one:

    ART_TRACE=run.json build/default/chapters/09-work-stealing/ch09-demo work-stealing

and keep it as traces/ch09-work-stealing.json. The timeline spans 430 ms, as
chapter 08's two do, so that the three can be compared."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tools"))
from _svg import write_beside  # noqa: E402
from trace_timeline import render  # noqa: E402

svg = render(HERE / "traces" / "ch09-work-stealing.json", end_ms=430,
             title="Chapter 09 demo on work stealing: the same 200 requests")
write_beside(__file__, svg)
