"""Draws assets/hybrid-refill.svg: one refill of chapter 10's hybrid
scheduler. The hot queue is empty and the cold deque holds eight entries,
each with its count (TaskHeader::times_scheduled); the older half moves,
one steal from the top at a time, into the heap, which orders it by count
and then by arrival; the younger half stays where thieves can take it.
Run from the repository root: `make diagrams`. Standard library only."""

import _svg

WIDTH = 740
LEFT = 190                # first slot's left edge
SLOT, GAP, H = 56, 8, 40
COLD_Y, AFTER_Y = 70, 236
MOVED, KEPT, HOT = ("#f3e3f8", "#9b59b6"), ("#fffaf0", "#d9a441"), ("#fdecea", "#c0504d")
COUNTS = [1, 3, 1, 4, 1, 2, 1, 1]


def x(i: int) -> float:
    return LEFT + i * (SLOT + GAP)


def slot(sx: float, y: float, name: str, count: int, colours: tuple[str, str]) -> list[str]:
    fill, stroke = colours
    return [f'<rect x="{sx}" y="{y}" width="{SLOT}" height="{H}" rx="4" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1.4"/>',
            f'<text x="{sx + SLOT / 2}" y="{y + 17}" text-anchor="middle" '
            f'font-weight="bold">{name}</text>',
            f'<text x="{sx + SLOT / 2}" y="{y + 34}" text-anchor="middle" font-size="13" '
            f'fill="#555555">count {count}</text>']


def label(x0: float, y: float, bold: str, note: str) -> list[str]:
    return [_svg.text(x0, y + 16, bold, ' font-weight="bold"'),
            _svg.text(x0, y + 33, note, ' font-size="13" fill="#555555"')]


def heap_node(cx: float, cy: float, name: str, count: int, arrival: int) -> list[str]:
    w, h = 116, 40
    fill, stroke = HOT
    return [f'<rect x="{cx - w / 2}" y="{cy - h / 2}" width="{w}" height="{h}" rx="6" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.4"/>',
            f'<text x="{cx}" y="{cy - 3}" text-anchor="middle" font-weight="bold">{name}</text>',
            f'<text x="{cx}" y="{cy + 14}" text-anchor="middle" font-size="13" '
            f'fill="#555555">count {count}, arrival {arrival}</text>']


def edge(x1: float, y1: float, x2: float, y2: float) -> str:
    return f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#c0504d" stroke-width="1.4"/>'


def svg() -> str:
    out = [_svg.text(20, 24, "One refill: worker 0's hot queue is empty, its cold queue holds eight",
                     ' font-weight="bold"')]
    # The cold deque before: top (oldest) on the left.
    out += label(20, COLD_Y, "cold, before", "top = oldest, left")
    for i, count in enumerate(COUNTS):
        out += slot(x(i), COLD_Y, f"e{i}", count, MOVED if i < 4 else KEPT)
    out.append(f'<text x="{x(0)}" y="{COLD_Y - 10}" font-size="13" fill="#7d3c98">'
               f'the older half, 8 − 8/2 = 4: four steals from the top, one claim each</text>')
    # The heap, as a tree: the order of the pushes e0, e1, e2, e3 sifted up.
    root_x, top_y, dx, dy = 250, 196, 104, 62
    nodes = {0: (root_x, top_y), 1: (root_x - dx, top_y + dy), 2: (root_x + dx, top_y + dy),
             3: (root_x - dx - 50, top_y + 2 * dy)}
    out.append(edge(*nodes[0], *nodes[1]))
    out.append(edge(*nodes[0], *nodes[2]))
    out.append(edge(*nodes[1], *nodes[3]))
    for index, (name, count, arrival) in enumerate(
            (("e3", 4, 3), ("e1", 3, 1), ("e2", 1, 2), ("e0", 1, 0))):
        out += heap_node(*nodes[index], name, count, arrival)
    out.append(_svg.text(20, top_y - 32, "hot, after: a heap", ' font-weight="bold"'))
    # Arrow from the moved slots down to the heap's root.
    mid = (x(0) + x(3) + SLOT) / 2
    out.append(f'<path d="M {mid} {COLD_Y + H + 6} C {mid} {COLD_Y + H + 40} {root_x + 60} '
               f'{top_y - 60} {root_x + 30} {top_y - 24}" fill="none" stroke="#7d3c98" '
               f'stroke-width="1.6"/>')
    out.append(f'<path d="M {root_x + 30} {top_y - 24} l 1 -10 M {root_x + 30} {top_y - 24} '
               f'l -9 -4" fill="none" stroke="#7d3c98" stroke-width="1.6"/>')
    # The cold deque after: the younger half, still there for thieves.
    ax = 440
    out.append(_svg.text(ax, AFTER_Y - 14, "cold, after", ' font-weight="bold"'))
    for j, i in enumerate(range(4, 8)):
        out += slot(ax + j * (SLOT + GAP), AFTER_Y, f"e{i}", COUNTS[i], KEPT)
    for n, line in enumerate(("the younger half stays:", "an idle worker may steal it,",
                              "the next refill takes it")):
        out.append(_svg.text(ax, AFTER_Y + H + 22 + 18 * n, line,
                             ' font-size="13" fill="#555555"'))
    # What the worker does next.
    note_y = top_y + 2 * dy + 52
    for n, line in enumerate((
            "The worker pops e3, e1, e0, e2: most often queued first, then first come (e0 before e2).",
            "A task woken meanwhile goes back to the cold queue, one count more, and waits for a",
            "later refill: each task runs at most once per batch.")):
        out.append(_svg.text(20, note_y + 20 * n, line, ' font-size="13" fill="#333333"'))
    return _svg.document(WIDTH, note_y + 20 * 3 + 8, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
