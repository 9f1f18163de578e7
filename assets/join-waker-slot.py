"""Draws assets/join-waker-slot.svg: chapter 07's JOIN_WAKER protocol, the
joiner's waker slot handed between the JoinHandle's thread and the worker
that completes the task, in the usual order and when the task completes in
the middle of the joiner's steps. Run from the repository root:
`make diagrams`. Standard library only."""

import _svg

W = 740
LANE_X = (20, 330)          # the joiner's lane, the completer's lane
OWNER_X = 610               # whose the slot is after each step
ROW = 40
PANELS = [  # (title, colour, [(lane, text, owner after[, continues])], ending)
    ("1. the joiner comes first", "#eaf6ea", [
        (0, "load: not complete, W clear", "joiner's"),
        (0, "writes its waker into the slot", "joiner's", True),
        (0, "set_join_waker: sets W", "completer's"),
        (0, "poll answers Pending", "", True),
        (1, "to_complete: R off, C on;", "completer's"),
        (1, "the word before has J and W:", "", True),
        (1, "reads the slot: wakes the joiner", "", True),
        (0, "polled again: load sees C;", "left alone"),
        (0, "takes the output", "", True),
    ], "woken exactly once, by the waker it left"),
    ("2. the task completes in the middle", "#fbf1dc", [
        (0, "load: not complete, W clear", "joiner's"),
        (0, "writes its waker into the slot", "joiner's", True),
        (1, "to_complete: W clear in the", "joiner's"),
        (1, "word before: leaves the slot alone", "", True),
        (0, "set_join_waker fails: C is set", "joiner's"),
        (0, "clears the slot; output is Ready", "", True),
    ], "no wake needed: the joiner never waits"),
]


def svg() -> str:
    headings = ("joiner (JoinHandle::poll)", "worker completing the task", "slot is")
    return _svg.two_lane_panels(headings, LANE_X, OWNER_X, PANELS, width=W, row=ROW)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
