"""Draws assets/task-slot.svg: one 192-byte task slot of chapter 05 and
what fills it. Run from the repository root: `make diagrams`.
Standard library only."""

import _svg

PARTS = [  # (bytes, label, note, fill, stroke)
    (64, "TaskHeader", "64: one cache line", "#eaf6ea", "#6fb36f"),
    (24, "join", "24", "#e8f1fb", "#6a9bd1"),
    (88, "output", "up to 88", "#fbf1dc", "#a87812"),
    (16, "future", "16+", "#f8e8ee", "#c56b8a"),
]
SCALE, LEFT, TOP, H = 3.4, 20, 40, 56
W = int(LEFT * 2 + 192 * SCALE)


def svg() -> str:
    out = [f'<text x="{LEFT}" y="24" font-weight="bold">one slot: 192 bytes</text>']
    x = LEFT
    for size, label, note, fill, stroke in PARTS:
        w = size * SCALE
        out.append(f'<rect x="{x}" y="{TOP}" width="{w}" height="{H}" fill="{fill}" '
                   f'stroke="{stroke}" stroke-width="1.5"/>')
        out.append(f'<text x="{x + w / 2}" y="{TOP + 24}" text-anchor="middle" '
                   f'font-weight="bold">{label}</text>')
        out.append(f'<text x="{x + w / 2}" y="{TOP + 44}" text-anchor="middle" '
                   f'fill="#444444">{note}</text>')
        x += w
    fx = LEFT + (64 + 24 + 88) * SCALE + 8 * SCALE
    out.append(f'<path d="M {fx} {TOP + H} L {fx} 140 L {fx - 60} 140" fill="none" '
               'stroke="#555555" stroke-width="1.4" stroke-dasharray="5,4"/>')
    out.append(f'<text x="{fx - 66}" y="145" text-anchor="end" fill="#333333">'
               'too big, or aligned beyond 16: a Boxed pointer</text>')
    out.append(f'<text x="{fx - 66}" y="165" text-anchor="end" fill="#333333">'
               'to a block of the frame pool</text>')
    return _svg.document(W, 190, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
