"""Draws assets/frame-layout.svg: where the 240 bytes of delayed_double's
coroutine frame go, against the 88 bytes of chapter 02's hand-written
DelayedDouble, from the layout shown on book/src/03-coroutines/frame-cost.md
(GCC 12, x86-64). Run from the repository root: `make diagrams`.
Standard library only."""

import _svg

KINDS = {  # kind -> (colour, legend)
    "erasure": ("#f8e8ee", "type erasure: 24"),
    "promise": ("#eaf6ea", "promise: 40"),
    "state": ("#e8f1fb", "parameters and x: 32"),
    "book": ("#eeeeee", "bookkeeping, padding: 16"),
    "await": ("#fbf1dc", "awaiters: 88"),
    "temp": ("#f3e6f8", "temporaries: 40"),
}
FRAME = [  # (first byte, end, kind, label inside)
    (0, 16, "erasure", ""), (16, 56, "promise", "promise"), (56, 64, "erasure", ""),
    (64, 88, "state", "params"), (88, 96, "book", ""), (96, 104, "state", ""),
    (104, 136, "await", "Aw0"), (136, 192, "await", "Aw1"), (192, 232, "temp", "temps"),
    (232, 240, "book", ""),
]
LEFT, SCALE, H = 20, 2.75, 40
WIDTH = 720


def strip(y: float, parts, caption: str) -> list[str]:
    out = [f'<text x="{LEFT}" y="{y - 8}" font-weight="bold">{caption}</text>']
    for first, end, kind, label in parts:
        x, w = LEFT + first * SCALE, (end - first) * SCALE
        out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{H}" '
                   f'fill="{KINDS[kind][0]}" stroke="#777777"/>')
        if label:
            out.append(f'<text x="{x + w / 2:.1f}" y="{y + 25}" text-anchor="middle">'
                       f'{label}</text>')
    return out


def svg() -> str:
    out = strip(34, FRAME, "coroutine frame of delayed_double: 240 bytes, on the heap")
    out += strip(124, [(0, 88, "state", "state, two futures, delay_, x_")],
                 "chapter 02's DelayedDouble: 88 bytes, wherever you put it")
    for i, (colour, legend) in enumerate(KINDS.values()):
        x, y = LEFT + (i % 3) * 230, 196 + (i // 3) * 24
        out.append(f'<rect x="{x}" y="{y - 12}" width="14" height="14" fill="{colour}" '
                   'stroke="#777777"/>')
        out.append(f'<text x="{x + 20}" y="{y}">{legend}</text>')
    return _svg.document(WIDTH, 236, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
