"""Draws assets/deque-ring.svg: the Chase-Lev deque's ring (chapter 09).
top and bottom only grow; an index finds its slot by its low bits, so the
entries wrap round the end of the ring. Thieves take at top, the oldest;
the owner pushes at bottom and pops the newest, bottom - 1.
Run from the repository root: `make diagrams`. Standard library only."""

import _svg

W = 740
SLOTS = 8
TOP, BOTTOM = 6, 10         # entries at indices 6..9: slots 6, 7, 0, 1
X0, SLOT_W, Y = 60, 78, 120
OWNER, THIEF = "#3f7f3f", "#7d3c98"


def slot_x(index: int) -> float:
    return X0 + SLOT_W * (index % SLOTS)


def arrow_down(x: float, y1: float, y2: float, colour: str) -> str:
    return (f'<path d="M {x} {y1} L {x} {y2} M {x - 5} {y2 - 8} L {x} {y2} L {x + 5} {y2 - 8}" '
            f'fill="none" stroke="{colour}" stroke-width="1.6"/>')


def svg() -> str:
    out = [_svg.text(X0, 22, "a ring of 8 slots: index i lives in slot i &amp; 7",
                     ' font-weight="bold"')]
    for s in range(SLOTS):
        x = X0 + SLOT_W * s
        out.append(_svg.text(x + SLOT_W / 2, Y - 8, f"slot {s}",
                             ' text-anchor="middle" fill="#777777"'))
    for s in range(SLOTS):
        x = X0 + SLOT_W * s
        index = next((i for i in range(TOP, BOTTOM) if i % SLOTS == s), None)
        fill = "#fdf3e1" if index is not None else "white"
        out.append(f'<rect x="{x}" y="{Y}" width="{SLOT_W}" height="44" fill="{fill}" '
                   'stroke="#d9a441" stroke-width="1.4"/>')
        if index is not None:
            out.append(_svg.text(x + SLOT_W / 2, Y + 27, f"entry {index}",
                                 ' text-anchor="middle"'))
        else:
            out.append(_svg.text(x + SLOT_W / 2, Y + 27, "free",
                                 ' text-anchor="middle" fill="#999999"'))
    top_x = slot_x(TOP) + SLOT_W / 2
    out.append(arrow_down(top_x, 52, Y - 26, THIEF))
    out.append(_svg.text(top_x, 46, "top = 6: thieves take the oldest",
                         f' text-anchor="middle" fill="{THIEF}"'))
    bottom_x = slot_x(BOTTOM) + SLOT_W / 2
    out.append(arrow_down(bottom_x, 52, Y - 26, OWNER))
    out.append(_svg.text(X0, 46, "bottom = 10: the owner pushes here,",
                         f' fill="{OWNER}"'))
    out.append(_svg.text(X0, 66, "and pops entry 9, the newest",
                         f' fill="{OWNER}"'))
    below = Y + 74
    out.append(_svg.text(X0, below, "top and bottom only grow (bottom dips by one inside "
                         "a pop); bottom − top entries are held."))
    out.append(_svg.text(X0, below + 22, "A push into a ring with 8 held is refused: "
                         "entry 14 would overwrite entry 6."))
    return _svg.document(W, below + 40, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
