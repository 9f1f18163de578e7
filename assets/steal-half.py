"""Draws assets/steal-half.svg: a thief takes half of a victim's deque
(chapter 09), one compare-and-swap on the victim's top per entry, runs the
first entry now and keeps the rest in its own deque. The same eight entries
as the test Ex9_3_StealHalf.AnIdleWorkerStealsHalfOfAVictimsDeque. Run from
the repository root: `make diagrams`. Standard library only."""

import _svg

WIDTH = 720
LEFT = 180            # first slot's left edge
SLOT, GAP, H = 50, 8, 34
VICTIM_Y, THIEF_Y = 86, 210
TAKEN, KEPT, NOW = ("#fdf3e1", "#d9a441"), ("#e8f1fb", "#6a9bd1"), ("#eaf6ea", "#6fb36f")


def x(i: int) -> float:
    return LEFT + i * (SLOT + GAP)


def slot(i: int, y: float, body: str, colours: tuple[str, str], dashed: bool = False) -> list[str]:
    fill, stroke = colours
    dash = ' stroke-dasharray="4,3"' if dashed else ""
    return [f'<rect x="{x(i)}" y="{y}" width="{SLOT}" height="{H}" rx="4" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1.4"{dash}/>',
            f'<text x="{x(i) + SLOT / 2}" y="{y + 22}" text-anchor="middle">{body}</text>']


def down_arrow(i: int, label: str) -> list[str]:
    cx, y1, y2 = x(i) + SLOT / 2, VICTIM_Y + H + 4, THIEF_Y - 6
    return [f'<path d="M {cx} {y1} L {cx} {y2} M {cx - 5} {y2 - 8} L {cx} {y2} L {cx + 5} {y2 - 8}" '
            f'fill="none" stroke="#a87812" stroke-width="1.6"/>',
            f'<text x="{cx + 6}" y="{(y1 + y2) / 2 + 5}" font-size="13" fill="#a87812">{label}</text>']


def svg() -> str:
    out = [_svg.text(20, 24, "Worker 1 steals half of worker 0's deque, one entry per claim",
                     ' font-weight="bold"')]
    # The victim: eight entries, top at the oldest, bottom past the newest.
    out.append(_svg.text(20, VICTIM_Y + 16, "worker 0's deque", ' font-weight="bold"'))
    out.append(_svg.text(20, VICTIM_Y + 32, "(the victim)", ' font-size="13" fill="#555555"'))
    for label, i, anchor in (("top: thieves claim here", 0, "start"),
                             ("bottom: the owner's end", 8, "end")):
        cx = x(i) + SLOT / 2
        tx = x(i) if anchor == "start" else x(i) + SLOT
        out.append(f'<text x="{tx}" y="{VICTIM_Y - 22}" text-anchor="{anchor}" font-size="13" '
                   f'fill="#555555">{label}</text>')
        out.append(f'<path d="M {cx} {VICTIM_Y - 16} L {cx} {VICTIM_Y - 3} M {cx - 4} {VICTIM_Y - 9} '
                   f'L {cx} {VICTIM_Y - 3} L {cx + 4} {VICTIM_Y - 9}" fill="none" stroke="#555555"/>')
    for i in range(8):
        out += slot(i, VICTIM_Y, f"e{i}", TAKEN if i < 4 else KEPT)
    out += slot(8, VICTIM_Y, "", ("white", "#bbbbbb"), dashed=True)
    out.append(f'<text x="{x(6)}" y="{VICTIM_Y + H + 22}" text-anchor="middle" font-size="13" '
               f'fill="#3f6fa8">kept: popped e7, e6, e5, e4</text>')
    # Four claims, one compare-and-swap on top each.
    for i in range(4):
        out += down_arrow(i, f"CAS {i + 1}")
    # The thief: the first entry runs now, the others go into its own deque.
    out.append(_svg.text(20, THIEF_Y + 16, "worker 1", ' font-weight="bold"'))
    out.append(_svg.text(20, THIEF_Y + 32, "(the thief, searching)", ' font-size="13" fill="#555555"'))
    out += slot(0, THIEF_Y, "e0", NOW)
    for i in (1, 2, 3):
        out += slot(i, THIEF_Y, f"e{i}", TAKEN)
    out.append(f'<text x="{x(0) + SLOT / 2}" y="{THIEF_Y + H + 20}" text-anchor="middle" '
               f'font-size="13" fill="#3f7f3f">runs now</text>')
    out.append(f'<text x="{x(4) + 4}" y="{THIEF_Y + 22}" font-size="13" '
               f'fill="#a87812">its own deque: e3, e2, e1 run next</text>')
    note_y = THIEF_Y + H + 56
    for n, line in enumerate((
            "Half of 8, rounded up, is 4: the four oldest, each claimed by its own",
            "compare-and-swap on worker 0's top, while worker 0 may pop at the bottom.")):
        out.append(_svg.text(20, note_y + 20 * n, line, ' font-size="13" fill="#555555"'))
    return _svg.document(WIDTH, note_y + 36, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
