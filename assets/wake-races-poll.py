"""Draws assets/wake-races-poll.svg: a wake on one thread racing the end of a
poll on another (chapter 07), in three interleavings: the wake lands during
the poll, after it, and, with two separate atomics instead of one word, in
the gap between two loads, where it is lost. Run from the repository root:
`make diagrams`. Standard library only."""

import _svg

W = 740
LANE_X = (20, 300)          # the worker's lane, the other thread's lane
LANE_W = 270
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


def text(x, y, body, extra=""):
    return f'<text x="{x}" y="{y}"{extra}>{body}</text>'


def svg() -> str:
    out = []
    y = 24
    out.append(text(LANE_X[0], y, "worker", ' font-weight="bold"'))
    out.append(text(LANE_X[1], y, "another thread (a waker)", ' font-weight="bold"'))
    out.append(text(STATE_X, y, "bits set after", ' font-weight="bold"'))
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
        for i, (lane, body, word, *continued) in enumerate(steps):
            row_y = line_top + ROW * i + 24
            x = LANE_X[lane]
            if not continued:
                out.append(f'<circle cx="{x}" cy="{row_y - 5}" r="5" fill="#555555"/>')
            out.append(text(x + 12, row_y, body))
            if word:
                out.append(text(STATE_X, row_y, word, ' font-family="monospace"'))
        out.append(text(20, line_bottom + 20, "→ " + ending, ' font-style="italic"'))
        y = top + height + 12
    return _svg.document(W, y, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
