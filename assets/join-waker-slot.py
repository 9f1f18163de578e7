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


def text(x, y, body, extra=""):
    return f'<text x="{x}" y="{y}"{extra}>{body}</text>'


def svg() -> str:
    out = []
    y = 24
    out.append(text(LANE_X[0], y, "joiner (JoinHandle::poll)", ' font-weight="bold"'))
    out.append(text(LANE_X[1], y, "worker completing the task", ' font-weight="bold"'))
    out.append(text(OWNER_X, y, "slot is", ' font-weight="bold"'))
    y += 16
    for title, fill, steps, ending in PANELS:
        top = y
        height = 34 + ROW * len(steps) + 30
        out.append(f'<rect x="10" y="{top}" width="{W - 20}" height="{height}" rx="6" '
                   f'fill="{fill}" stroke="#bbbbbb"/>')
        out.append(text(20, top + 22, title, ' font-weight="bold"'))
        line_top, line_bottom = top + 34, top + 34 + ROW * len(steps)
        for lane in LANE_X:
            out.append(f'<line x1="{lane}" y1="{line_top}" x2="{lane}" y2="{line_bottom}" '
                       f'stroke="#999999" stroke-width="1.5"/>')
        for i, (lane, body, owner, *continued) in enumerate(steps):
            row_y = line_top + ROW * i + 24
            x = LANE_X[lane]
            if not continued:
                out.append(f'<circle cx="{x}" cy="{row_y - 5}" r="5" fill="#555555"/>')
            out.append(text(x + 12, row_y, body))
            if owner:
                out.append(text(OWNER_X, row_y, owner))
        out.append(text(20, line_bottom + 20, "→ " + ending, ' font-style="italic"'))
        y = top + height + 12
    return _svg.document(W, y, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
