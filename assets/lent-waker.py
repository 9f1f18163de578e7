"""Draws assets/lent-waker.svg: the reference-count traffic of one poll in
chapter 04 (a waker of its own) and in chapter 05 (a lent waker). Run from
the repository root: `make diagrams`. Standard library only."""

import _svg

ROWS = [  # (title, [(event, change or "")])
    ("chapter 04", [("pop", ""), ("waker()", "+1"), ("entry's release", "−1"),
                    ("poll", ""), ("waker dropped", "−1")]),
    ("chapter 05", [("pop", ""), ("lend_waker()", "0"), ("poll", ""),
                    ("forgotten", "0")]),
]
LEFT, TOP, GAP, STEP = 120, 40, 70, 112
W = LEFT + STEP * 5 + 10
H = TOP + GAP * len(ROWS) + 10


def svg() -> str:
    out = ['<text x="10" y="20" font-weight="bold">one poll, and the atomic '
           'operations on its reference count</text>']
    for r, (title, events) in enumerate(ROWS):
        y = TOP + GAP * r + 20
        out.append(f'<text x="10" y="{y + 5}" font-weight="bold">{title}</text>')
        out.append(f'<line x1="{LEFT}" y1="{y}" x2="{LEFT + STEP * (len(events) - 1)}" '
                   f'y2="{y}" stroke="#999999" stroke-width="1.5"/>')
        for i, (event, change) in enumerate(events):
            x = LEFT + STEP * i
            atomic = change in ("+1", "−1")
            colour = "#b03a2e" if atomic else "#6fb36f"
            out.append(f'<circle cx="{x}" cy="{y}" r="6" fill="{colour}"/>')
            out.append(f'<text x="{x}" y="{y - 12}" text-anchor="middle">{event}</text>')
            if change:
                out.append(f'<text x="{x}" y="{y + 24}" text-anchor="middle" '
                           f'fill="{colour}" font-weight="bold">{change}</text>')
    return _svg.document(W, H, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
