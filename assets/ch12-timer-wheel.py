"""Draws assets/ch12-timer-wheel.svg: the lower three levels of chapter 12's
timing wheel (timer_wheel.hpp), 64 slots each, and a timer due at tick 300
inserted at tick 0: it goes to level 1, slot 4; when `elapsed` reaches 256,
the start of that slot, it cascades to level 0, slot 44, and fires at 300.
Run from the repository root: `make diagrams`. Standard library only."""

import _svg

W = 740
X0 = 90            # the left edge of slot 0
CELL = 9.5         # 64 cells: 608 px
ROW_Y = {2: 70, 1: 150, 0: 270}
STEPS_Y = 350
CELL_H = 26
SPANS = {2: "a slot: 4,096 ms", 1: "a slot: 64 ms", 0: "a slot: 1 ms"}
ENTRY = "#d9822b"
MOVED = "#f3d3b2"


def level_row(level: int, marks: dict[int, str]) -> list[str]:
    y = ROW_Y[level]
    out = [_svg.text(20, y + 18, f"level {level}", ' font-weight="bold"')]
    for slot in range(64):
        fill = marks.get(slot, "white")
        out.append(f'<rect x="{X0 + slot * CELL}" y="{y}" width="{CELL}" height="{CELL_H}" '
                   f'fill="{fill}" stroke="#999999" stroke-width="0.6"/>')
    for slot in (0, 4, 16, 32, 44, 63):
        out.append(_svg.text(X0 + slot * CELL + CELL / 2, y + CELL_H + 15, str(slot),
                             ' text-anchor="middle" font-size="12" fill="#555555"'))
    out.append(_svg.text(X0, y - 6, SPANS[level], ' font-size="13" fill="#555555"'))
    return out


def bent_arrow(x1: float, y1: float, x2: float, y2: float, bend_y: float) -> str:
    return (f'<path d="M{x1},{y1} V{bend_y} H{x2} V{y2}" fill="none" stroke="#333333" '
            f'stroke-width="1.6" marker-end="url(#head)"/>')


def drawing() -> str:
    out = ['<defs><marker id="head" viewBox="0 0 10 10" refX="9" refY="5" '
           'markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" '
           'fill="#333333"/></marker></defs>',
           _svg.text(20, 24, "A timer due at tick 300, inserted at tick 0 (levels 3–5 "
                     "above, same shape)", ' font-weight="bold"')]
    out += level_row(2, {})
    out += level_row(1, {4: ENTRY})
    out += level_row(0, {44: MOVED})
    # the cascade: level 1 slot 4 -> level 0 slot 44
    x_from = X0 + 4 * CELL + CELL / 2
    x_to = X0 + 44 * CELL + CELL / 2
    bend = ROW_Y[1] + CELL_H + 48
    out.append(bent_arrow(x_from, ROW_Y[1] + CELL_H + 20, x_to, ROW_Y[0] - 3, bend))
    out.append(_svg.text(x_from + 10, bend - 6,
                         "② elapsed reaches 256, slot 4's start: placed again",
                         ' font-size="13"'))
    steps = [
        "① insert at elapsed 0: 0 ^ 300 has its highest bit in 6..11 → level 1,"
        " slot 300 >> 6 = 4",
        "② the slot spans ticks 256..319, so its entries are not all due: each one"
        " falls to the level",
        "    that tells its deadline apart from 256 (level 0, slot 300 &amp; 63 = 44)",
        "③ elapsed reaches 300: level 0's slot 44 starts at the deadline → due, fired",
        "An entry cascades at most once per level; next_expiration names the earliest"
        " slot's start (256, then 300).",
    ]
    for i, line in enumerate(steps):
        out.append(_svg.text(20, STEPS_Y + 20 * i, line, ' font-size="13"'))
    return _svg.document(W, STEPS_Y + 20 * (len(steps) - 1) + 12, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, drawing())
