"""Draws assets/parking-race.svg: the last awake worker going to sleep while
a thread outside the runtime schedules a task (chapter 09). Each side has a
seq_cst fence between its two steps, so one of the two fences comes first,
and either order ends with the task taken. Without the fences (the third
panel) both may read old values, and the task waits while every worker
sleeps. Run from the repository root: `make diagrams`. Standard library only."""

import _svg

W = 740
LANE_X = (20, 300)    # the parking worker's lane, the publisher's lane
STATE_X = 580         # the idle word after each step: awake / searching
ROW = 40
PANELS = [  # (title, colour, [(lane, text, word after[, continues])], ending)
    ("1. the announcement first", "#eaf6ea", [
        (0, "searched: every queue empty", "1 / 1"),
        (0, "to_parked: announce; fence", "0 / 0"),
        (1, "push into the injector", ""),
        (1, "worker_to_wake: fence; load", "0 / 0"),
        (1, "reads none searching, one asleep:", "", True),
        (1, "counts it awake and searching", "1 / 1", True),
        (1, "unparks it", ""),
        (0, "park: a token waits, returns at once", "1 / 1"),
    ], "the publisher's fence came second: it saw the announcement"),
    ("2. the publication first", "#eaf6ea", [
        (0, "searched: every queue empty", "1 / 1"),
        (1, "push into the injector", ""),
        (1, "worker_to_wake: fence; load", "1 / 1"),
        (1, "reads 1 searching: wakes nobody", "", True),
        (0, "to_parked: announce; fence", "0 / 0"),
        (0, "work_anywhere: injector not empty", ""),
        (0, "wake_one: itself; park returns", "1 / 1"),
    ], "the parker's fence came second: its second look saw the task"),
    ("3. without the fences", "#fbeaea", [
        (0, "searched: every queue empty", "1 / 1"),
        (1, "push into the injector", ""),
        (1, "load: an old value, 1 searching", "1 / 1 (old)"),
        (0, "to_parked: announce", "0 / 0"),
        (0, "work_anywhere: an old length, 0", ""),
        (0, "sleeps", "0 / 0"),
    ], "the task waits in the injector while every worker sleeps"),
]


def svg() -> str:
    headings = ("the last awake worker", "a thread outside", "awake / searching")
    return _svg.two_lane_panels(headings, LANE_X, STATE_X, PANELS,
                                note_style=' font-family="monospace"', width=W, row=ROW)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
