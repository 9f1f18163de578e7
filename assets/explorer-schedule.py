"""Draws assets/explorer-schedule.svg: one schedule the explorer ran
(chapter 09). Above, the thread it picked at each step, as the failure
printed it; below, steps 16 to 25 of that schedule, the owner's pop and a
thief's steal racing for the last item in the deque with the planted bug
"a pop that forgets the last-element race". Run from the repository root:
`make diagrams`. Standard library only."""

import _svg

WIDTH = 740
TRACE = "2220000000000000111100001"  # PCT, seed 1, schedule 1670 (explorer_test.cpp)
NAMES = {"0": "owner", "1": "thief A", "2": "thief B"}
FILL = {"0": "#e8f1fb", "1": "#fbf1dc", "2": "#eeeeee"}
STROKE = {"0": "#6a9bd1", "1": "#a87812", "2": "#999999"}
BAD = "#b03a2e"

CELL, TRACE_X = 26, 40
STEP_X, OWNER_X, THIEF_X, STATE_X = 14, 56, 316, 576  # left edges of the columns
LANE_W, STATE_W, ROW = 248, 150, 36

# (step, lane, operation, state after it: top and bottom); "" keeps the state.
STEPS = [
    (16, "0", "push: store bottom ← 1", "top 0, bottom 1"),
    (17, "1", "steal() begins", ""),
    (18, "1", "load top → 0", ""),
    (19, "1", "load bottom → 1: an item", ""),
    (20, "1", "load slot 0 → item 1", ""),
    (21, "0", "pop: load bottom → 1", ""),
    (22, "0", "store bottom ← 0", "top 0, bottom 0"),
    (23, "0", "load top → 0: the last", ""),
    (24, "0", "load slot 0: keeps item 1", ""),
    (25, "1", "CAS top 0 → 1: succeeds", "top 1, bottom 0"),
]


def box(x: float, y: float, w: float, label: str, fill: str, stroke: str,
        width: float = 1.4) -> list[str]:
    return [f'<rect x="{x}" y="{y}" width="{w}" height="28" rx="6" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="{width}"/>',
            _svg.text(x + w / 2, y + 19, label, ' text-anchor="middle"')]


def trace_strip(top: float) -> list[str]:
    out = [_svg.text(STEP_X, top + 16, "The thread the explorer ran at each step "
                     "(pct, seed 1, schedule 1670):", ' font-weight="bold"')]
    y = top + 30
    for i, thread in enumerate(TRACE):
        x = TRACE_X + CELL * i
        out += box(x, y, CELL - 2, thread, FILL[thread], STROKE[thread], 1.0)
        if (i + 1) % 5 == 0 or i == 0:
            out.append(_svg.text(x + (CELL - 2) / 2, y + 46, str(i + 1),
                                 ' text-anchor="middle" fill="#555555"'))
    first, last = TRACE_X + CELL * 15, TRACE_X + CELL * 25 - 2  # steps 16..25
    out.append(f'<path d="M {first} {y + 54} L {first} {y + 60} L {last} {y + 60} '
               f'L {last} {y + 54}" fill="none" stroke="{BAD}" stroke-width="1.4"/>')
    out.append(_svg.text((first + last) / 2, y + 78, "steps 16 to 25, below",
                         f' text-anchor="middle" fill="{BAD}"'))
    legend_x = TRACE_X
    for thread in "012":
        out += box(legend_x, y + 90, 24, thread, FILL[thread], STROKE[thread], 1.0)
        out.append(_svg.text(legend_x + 32, y + 109, NAMES[thread]))
        legend_x += 130
    return out, y + 130


def race(top: float) -> list[str]:
    out = []
    for x, w, name in ((OWNER_X, LANE_W, "owner"), (THIEF_X, LANE_W, "thief A"),
                       (STATE_X, STATE_W, "top and bottom after")):
        out.append(_svg.text(x + w / 2, top + 16, name,
                             ' text-anchor="middle" font-weight="bold" fill="#555555"'))
    first = top + 28
    last = first + ROW * len(STEPS)
    for x in (OWNER_X + LANE_W / 2, THIEF_X + LANE_W / 2):
        out.append(f'<line x1="{x}" y1="{first - 4}" x2="{x}" y2="{last}" '
                   'stroke="#cccccc" stroke-dasharray="4,4"/>')
    for i, (step, lane, operation, state) in enumerate(STEPS):
        y = first + ROW * i
        out.append(_svg.text(STEP_X, y + 19, str(step), ' fill="#555555"'))
        x = OWNER_X if lane == "0" else THIEF_X
        stroke = BAD if step in (24, 25) else STROKE[lane]
        out += box(x, y, LANE_W, operation, FILL[lane], stroke, 2.0 if step >= 24 else 1.4)
        if state:
            out += box(STATE_X, y, STATE_W, state, "white", "#888888")
    out.append(_svg.text(WIDTH / 2, last + 22, "item 1 is taken twice: the pop kept the last item "
                         "without a compare-and-swap on top",
                         f' text-anchor="middle" font-weight="bold" fill="{BAD}"'))
    return out, last + 36


def svg() -> str:
    strip, below = trace_strip(8)
    steps, bottom = race(below)
    return _svg.document(WIDTH, bottom, strip + steps)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
