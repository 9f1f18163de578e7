"""Draws assets/wake-races-poll.svg: a wake on one thread racing the end of a
poll on another (chapter 07), in three interleavings: the wake lands during
the poll, after it, and, with two separate atomics instead of one word, in
the gap between two loads, where it is lost. Run from the repository root:
`make diagrams`. Standard library only."""

import _svg

W = 740
LANE_X = (20, 300)          # the worker's lane, the other thread's lane
STATE_X = 590               # the word after each step
ROW = 40
PANELS = [  # (title, colour, [(lane, text, word after[, continues])], ending)
    ("1. the wake lands during the poll", "#eaf6ea", [
        (0, "to_running: claims the task", "R"),
        (1, "to_notified_by_ref: running,", "R N"),
        (1, "so mark only: no entry, no reference", "", True),
        (0, "poll ends Pending; to_idle: N set", "N"),
        (0, "requeue: the same entry goes back", "N, queued"),
    ], "one entry: polled again"),
    ("2. the wake lands after the poll", "#eaf6ea", [
        (0, "to_running: claims the task", "R"),
        (0, "poll ends Pending; to_idle: idle", "(none)"),
        (0, "releases the entry's reference", "", True),
        (1, "to_notified_by_ref: idle, so mark", "N"),
        (1, "and +1 reference: schedule()", "N, queued", True),
    ], "one entry: polled again"),
    ("3. a first attempt: two atomics, running (R) and notified (N)", "#fbeaea", [
        (0, "poll ends Pending; notified? no", "R"),
        (1, "notified = true; running? yes:", "R N"),
        (1, "the worker will requeue it", "", True),
        (0, "running = false; returns", "N"),
    ], "no entry, nobody polls it: the wake is lost"),
]


def svg() -> str:
    headings = ("worker", "another thread (a waker)", "bits set after")
    return _svg.two_lane_panels(headings, LANE_X, STATE_X, PANELS,
                                note_style=' font-family="monospace"', width=W, row=ROW)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
