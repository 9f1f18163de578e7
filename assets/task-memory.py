"""Draws assets/task-memory.svg: what 10 000 waiting tasks cost, coroutine
tasks against fiber tasks (chapter 06; figures from the table on the
stackful-versus-stackless page). Run from the repository root: `make diagrams`.
Standard library only."""

import _svg

BARS = [  # (label, megabytes, caption, colour)
    ("coroutine tasks", 4.6, "about 4.6 MB: a slot and a frame block each", "#6fb36f"),
    ("fiber tasks, memory", 40 + 4.6, "at least 40 000 KiB more: a touched page per stack", "#6a9bd1"),
    ("fiber tasks, reserved", 696, "680 000 KiB (664 MiB) of address space: 64 KiB + a guard page each", "#b03a2e"),
]
LEFT, TOP, ROW, WIDTH = 170, 46, 44, 540
W, H = LEFT + WIDTH + 20, TOP + ROW * len(BARS) + 20


def svg() -> str:
    top = max(mb for _, mb, _, _ in BARS)
    out = ['<text x="20" y="24" font-weight="bold">10 000 tasks, each waiting once</text>']
    for row, (label, mb, caption, colour) in enumerate(BARS):
        y = TOP + ROW * row
        w = max(3, WIDTH * mb / top)
        out.append(f'<text x="{LEFT - 10}" y="{y + 15}" text-anchor="end">{label}</text>')
        out.append(f'<rect x="{LEFT}" y="{y}" width="{w:.1f}" height="20" rx="3" '
                   f'fill="{colour}" fill-opacity="0.85"/>')
        out.append(f'<text x="{LEFT + 4}" y="{y + 36}" fill="#444444" font-size="13">'
                   f'{caption}</text>')
    return _svg.document(W, H, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
