"""Draws assets/demo-rounds-ch05.svg: where the coroutine frames of each
round of chapter 05's demo came from, and how often the round called the
global allocator, from the output shown on
book/src/05-task-memory/running-it.md. Run from the repository root:
`make diagrams`. Standard library only."""

import _svg

ROUNDS = [  # (frames fresh from the allocator, frames reused, global allocations)
    (10001, 0, 10011),
    (0, 10001, 0),
    (0, 10001, 0),
]
FRESH, REUSED = "#e3a33b", "#6fb36f"
LEFT, TOP, ROW, BAR_W, BAR_H = 90, 88, 46, 360, 26
WIDTH = 720


def svg() -> str:
    out = ['<text x="20" y="22" font-weight="bold">'
           "the demo's three rounds: 10 001 coroutine frames each</text>"]
    for i, (colour, name) in enumerate(((FRESH, "fresh from the global allocator"),
                                        (REUSED, "reused from the frame pool"))):
        x = LEFT + i * 250
        out.append(f'<rect x="{x}" y="34" width="14" height="14" fill="{colour}"/>')
        out.append(f'<text x="{x + 20}" y="46">{name}</text>')
    out.append(f'<text x="{LEFT + BAR_W + 20}" y="{TOP - 6}" fill="#555555">'
               "global allocations</text>")
    for r, (fresh, reused, allocations) in enumerate(ROUNDS):
        y = TOP + ROW * r
        total = fresh + reused
        out.append(f'<text x="{LEFT - 12}" y="{y + 18}" text-anchor="end" '
                   f'fill="#333333">round {r + 1}</text>')
        x = LEFT
        for count, colour in ((fresh, FRESH), (reused, REUSED)):
            if count:
                w = BAR_W * count / total
                out.append(f'<rect x="{x}" y="{y}" width="{w}" height="{BAR_H}" '
                           f'fill="{colour}"/>')
                x += w
        out.append(f'<text x="{LEFT + BAR_W + 20}" y="{y + 18}" font-weight="bold">'
                   f'{allocations:,}'.replace(",", " ") + "</text>")
    bottom = TOP + ROW * len(ROUNDS)
    out.append(f'<text x="{LEFT}" y="{bottom + 8}" font-size="13" fill="#555555">'
               "round 1: 10 001 frames + 10 slab pages = 10 011 calls; then none</text>")
    return _svg.document(WIDTH, bottom + 22, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
