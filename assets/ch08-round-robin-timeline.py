"""Chapter 08's demo on the round-robin scheduler: a real run (ART_TRACE) of
200 requests on two workers, every tenth a 20 ms report. The trace is
committed (traces/ch08-round-robin.json), so the picture can be drawn again; to take
a new one:

    ART_TRACE=run.json build/default/chapters/08-round-robin/ch08-demo round-robin

and keep it as traces/ch08-round-robin.json. Both chapter 08 timelines span 430 ms,
so that they can be compared."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tools"))
from _svg import write_beside  # noqa: E402
from trace_timeline import render  # noqa: E402

svg = render(HERE / "traces" / "ch08-round-robin.json", end_ms=430,
             title="Chapter 08 demo on round robin: the same 200 requests")
write_beside(__file__, svg)
