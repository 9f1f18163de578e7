"""Draws assets/deque-last-entry.svg: the Chase-Lev deque's owner popping
while a thief steals (chapter 09). With two or more entries the owner takes
the newest without a claim; with one left, both claim it by a
compare-and-swap on top and exactly one wins; without the fences, the
owner's store of bottom is still in its store buffer when it reads top, and
one entry is taken twice. Run from the repository root: `make diagrams`.
Standard library only."""

import _svg

W = 740
LANE_X = (20, 345)          # the owner's lane, the thief's lane
STATE_X = 625               # top and bottom after each step
ROW = 34
PANELS = [  # (title, colour, [(lane, text, indices after[, continues])], ending)
    ("1. two entries: the owner needs no claim", "#eaf6ea", [
        (0, "bottom = 1; fence; top is 0", "t0 b1"),
        (0, "0 &lt; 1: slot 1 is mine, no CAS", ""),
        (1, "top 0; fence; bottom 1", ""),
        (1, "0 &lt; 1: read slot 0; CAS top 0→1", "t1 b1"),
    ], "each has a different entry"),
    ("2. one entry: whoever moves top past it owns it", "#eaf6ea", [
        (1, "top 0; fence; bottom 1", "t0 b1"),
        (1, "0 &lt; 1: reads slot 0", ""),
        (0, "bottom = 0; fence; top is 0", "t0 b0"),
        (0, "0 = 0, the last: CAS top 0→1", "t1 b0"),
        (0, "won; bottom back to 1", "t1 b1"),
        (1, "CAS top 0→1 fails: contended", ""),
    ], "exactly one of them has it, and top = bottom"),
    ("3. no fence: the store of bottom waits in a store buffer", "#fbeaea", [
        (0, "bottom = 1 (not yet visible)", "t0 b2"),
        (0, "top is 0: 0 &lt; 1, slot 1 is mine", ""),
        (1, "top 0, bottom 2: CAS 0→1, slot 0", "t1 b2"),
        (1, "top 1, bottom 2: CAS 1→2, slot 1", "t2 b2"),
        (0, "the store of bottom = 1 lands", "t2 b1"),
    ], "slot 1 taken twice: one task polled by two workers"),
]


def svg() -> str:
    headings = ("owner: pop()", "thief: steal()", "top, bottom")
    return _svg.two_lane_panels(headings, LANE_X, STATE_X, PANELS,
                                note_style=' font-family="monospace"', width=W, row=ROW)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
