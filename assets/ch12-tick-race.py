"""Draws assets/ch12-tick-race.svg: the race between a reader that clears
readiness after EAGAIN and the reactor that sets it for a new edge (chapter
12, io_slot.hpp). A clear that stores 0 erases the new edge and the reader
waits for bytes that are already there; a clear that checks the tick leaves
the newer event in place. Run from the repository root: `make diagrams`.
Standard library only."""

import _svg

W = 740
LANE_X = (20, 290)  # the reading task's lane, the reactor thread's lane
WORD_X = 560        # the slot's (tick, bits) after each step
ROW = 40
PANELS = [  # (title, colour, [(lane, text, word after[, continues])], ending)
    ("1. a clear that stores 0", "#fbeaea", [
        (0, "poll_ready: sees (t, R)", "(t, R)"),
        (0, "read() drains; → EAGAIN", "(t, R)"),
        (1, "new bytes: edge → set(R)", "(t+1, R)"),
        (0, "clear: readiness = 0", "(t+1, 0)"),
        (0, "poll_ready: nothing; waits", "(t+1, 0)"),
    ], "the edge was reported once and is gone: the task waits for ever"),
    ("2. a clear that checks the tick", "#eaf6ea", [
        (0, "poll_ready: sees (t, R)", "(t, R)"),
        (0, "read() drains; → EAGAIN", "(t, R)"),
        (1, "new bytes: edge → set(R)", "(t+1, R)"),
        (0, "clear_readiness(t, R):", "(t+1, R)"),
        (0, "tick is t+1, not t: refused", "", True),
        (0, "poll_ready: sees (t+1, R)", "(t+1, R)"),
        (0, "read() → the new bytes", ""),
    ], "the newer event stays in the slot, and the next read gets the bytes"),
]


def svg() -> str:
    headings = ("the reading task", "the reactor thread", "word (tick, bits)")
    return _svg.two_lane_panels(headings, LANE_X, WORD_X, PANELS,
                                note_style=' font-family="monospace"', width=W, row=ROW)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
