"""Draws assets/task-references.svg: who holds a reference to one task, over
its life (chapter 04). Run from the repository root: `make diagrams`.

Each row is a holder; a bar is the time it holds a reference. The last row
is the count that TaskHeader keeps. Standard library only.
"""

import _svg

EVENTS = ["spawn", "popped", "Pending", "wake", "popped", "Ready", "joined"]
# holder -> list of (first event index, last event index) it holds across;
# a bar ends halfway to the next event when the reference goes at that event.
HOLDERS = [
    ("live list", [(0, 5)]),
    ("queue entry", [(0, 1), (3, 4)]),
    ("JoinHandle", [(0, 6)]),
    ("poll's waker", [(1, 2), (4, 5)]),
    ("Completer's waker", [(1.6, 3)]),
]
COLOURS = ["#6a9bd1", "#a87812", "#3f7f3f", "#7d3c98", "#b03a2e"]

LEFT, TOP, ROW, COL = 150, 46, 34, 82
WIDTH = LEFT + COL * (len(EVENTS) - 1) + 40
HEIGHT = TOP + ROW * (len(HOLDERS) + 1) + 56


def x(event: float) -> float:
    return LEFT + COL * event


def count_at(event: float) -> int:
    return sum(1 for _, spans in HOLDERS for a, b in spans if a <= event < b)


def svg() -> str:
    out = []
    for i, name in enumerate(EVENTS):
        out.append(f'<line x1="{x(i)}" y1="{TOP - 12}" x2="{x(i)}" '
                   f'y2="{TOP + ROW * (len(HOLDERS) + 1) - 6}" stroke="#cccccc" '
                   'stroke-dasharray="3,3"/>')
        out.append(f'<text x="{x(i)}" y="{TOP - 20}" text-anchor="middle" '
                   f'fill="#333333">{name}</text>')
    for row, ((holder, spans), colour) in enumerate(zip(HOLDERS, COLOURS)):
        y = TOP + ROW * row
        out.append(f'<text x="{LEFT - 12}" y="{y + 20}" text-anchor="end" '
                   f'fill="#333333">{holder}</text>')
        for a, b in spans:
            out.append(f'<rect x="{x(a)}" y="{y + 6}" width="{x(b) - x(a)}" height="20" '
                       f'rx="4" fill="{colour}" fill-opacity="0.85"/>')
    y = TOP + ROW * len(HOLDERS) + 22
    out.append(f'<text x="{LEFT - 12}" y="{y}" text-anchor="end" font-weight="bold" '
               'fill="#333333">references</text>')
    for at in (0.5, 1.3, 1.8, 2.5, 3.5, 4.5, 5.5):  # between events: after each change
        out.append(f'<text x="{x(at)}" y="{y}" text-anchor="middle" '
                   f'font-weight="bold">{count_at(at)}</text>')
    out.append(f'<text x="{x(len(EVENTS) - 1) + 14}" y="{y}" text-anchor="start" '
               'font-weight="bold">0</text>')
    out.append(f'<text x="{LEFT}" y="{HEIGHT - 12}" fill="#555555" font-size="13">'
               'the last release, at the join, destroys the task</text>')
    return _svg.document(WIDTH, HEIGHT, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
