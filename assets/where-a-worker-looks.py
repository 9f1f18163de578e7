"""Draws assets/where-a-worker-looks.svg: the order in which a worker of the
work-stealing scheduler looks for its next task (chapter 09), and what the
fairness guard puts in front of it on every 61st tick. Run from the
repository root: `make diagrams`. Standard library only."""

import _svg

WIDTH = 720
BOX_W, BOX_H, GAP = 120, 48, 24
LEFT = 12
OWN, INJECTOR, STEAL, PARK = (("#e8f1fb", "#6a9bd1"), ("#fdf3e1", "#d9a441"),
                              ("#eaf6ea", "#6fb36f"), ("#eeeeee", "#999999"))


def box(i: int, y: float, lines: tuple[str, str], colours: tuple[str, str]) -> list[str]:
    x = LEFT + i * (BOX_W + GAP)
    fill, stroke = colours
    out = [f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fill}" '
           f'stroke="{stroke}" stroke-width="1.4"/>',
           f'<text x="{x + BOX_W / 2}" y="{y + 20}" text-anchor="middle" '
           f'font-weight="bold">{lines[0]}</text>',
           f'<text x="{x + BOX_W / 2}" y="{y + 38}" text-anchor="middle" '
           f'font-size="13">{lines[1]}</text>']
    return out


def arrow(i: int, y: float, label: str = "") -> list[str]:
    x1 = LEFT + i * (BOX_W + GAP) + BOX_W + 2
    x2 = x1 + GAP - 4
    mid = y + BOX_H / 2
    out = [f'<path d="M {x1} {mid} L {x2} {mid} M {x2 - 6} {mid - 4} L {x2} {mid} '
           f'L {x2 - 6} {mid + 4}" fill="none" stroke="#555555" stroke-width="1.4"/>']
    if label:
        out.append(f'<text x="{(x1 + x2) / 2}" y="{mid - 8}" text-anchor="middle" '
                   f'font-size="12" fill="#555555">{label}</text>')
    return out


def svg() -> str:
    out = [_svg.text(LEFT, 22, "Where a worker looks for its next task", ' font-weight="bold"')]
    row1 = 62
    out.append(_svg.text(LEFT, row1 - 12, "on every tick, until one of them has a task:",
                         ' font-size="13" fill="#555555"'))
    steps = [(("own deque", "newest first"), OWN), (("injector", "a fair share"), INJECTOR),
             (("other deques", "steal half"), STEAL), (("injector", "once more"), INJECTOR),
             (("park", "look, then sleep"), PARK)]
    for i, (lines, colours) in enumerate(steps):
        out += box(i, row1, lines, colours)
        if i < len(steps) - 1:
            out += arrow(i, row1)
    out.append(f'<text x="{LEFT + 2 * (BOX_W + GAP) + BOX_W / 2}" y="{row1 + BOX_H + 18}" '
               f'text-anchor="middle" font-size="13" fill="#555555">as a searcher: '
               f'half the workers at most</text>')
    row2 = row1 + BOX_H + 74
    out.append(_svg.text(LEFT, row2 - 12, "on every 61st tick, before all of that (each first in turn):",
                         ' font-size="13" fill="#555555"'))
    out += box(0, row2, ("injector", "a fair share"), INJECTOR)
    out += arrow(0, row2)
    out += box(1, row2, ("own deque", "oldest first"), OWN)
    out += arrow(1, row2)
    x = LEFT + 2 * (BOX_W + GAP)
    out.append(f'<text x="{x + 4}" y="{row2 + BOX_H / 2 + 5}" font-size="13" fill="#555555">'
               f'nothing there: the order above, from its start</text>')
    note = row2 + BOX_H + 30
    out.append(_svg.text(LEFT, note, "A tick is one call of take_own. The own oldest is taken "
                         "from the deque's top, as a thief would take it.",
                         ' font-size="13" fill="#555555"'))
    return _svg.document(WIDTH, note + 16, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
