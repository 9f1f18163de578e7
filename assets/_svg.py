"""What every diagram script in assets/ shares: the SVG document around its
shapes, and where the drawing is written (beside the script, as .svg).
Standard library only; not a diagram itself (make diagrams skips _*.py)."""

from pathlib import Path

FONT = "Helvetica, Arial, sans-serif"


def document(width: float, height: float, shapes: list[str]) -> str:
    """A white SVG of the given size, 14 px text, holding `shapes`."""
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="14">')
    return "\n".join([head, f'<rect width="{width}" height="{height}" fill="white"/>',
                      *shapes, "</svg>"]) + "\n"


def write_beside(script: str, svg: str) -> None:
    """Writes `svg` next to the script that drew it: assets/x.py -> assets/x.svg."""
    Path(script).with_suffix(".svg").write_text(svg)


def text(x: float, y: float, body: str, extra: str = "") -> str:
    return f'<text x="{x}" y="{y}"{extra}>{body}</text>'


def two_lane_panels(headings: tuple[str, str, str], lane_x: tuple[int, int], note_x: int,
                    panels: list, note_style: str = "", width: int = 740, row: int = 40) -> str:
    """Interleavings of two threads, one panel each: two lanes of steps and a
    note column (the state after each step). `panels` holds (title, fill,
    steps, ending); a step is (lane, text, note[, continues]), where a step
    that continues the one before has no dot of its own."""
    out = [text(x, 24, heading, ' font-weight="bold"')
           for x, heading in zip((*lane_x, note_x), headings)]
    y = 40
    for title, fill, steps, ending in panels:
        top = y
        height = 34 + row * len(steps) + 30
        out.append(f'<rect x="10" y="{top}" width="{width - 20}" height="{height}" rx="6" '
                   f'fill="{fill}" stroke="#bbbbbb"/>')
        out.append(text(20, top + 22, title, ' font-weight="bold"'))
        line_top, line_bottom = top + 34, top + 34 + row * len(steps)
        for lane in lane_x:
            out.append(f'<line x1="{lane}" y1="{line_top}" x2="{lane}" y2="{line_bottom}" '
                       f'stroke="#999999" stroke-width="1.5"/>')
        for i, (lane, body, note, *continued) in enumerate(steps):
            row_y = line_top + row * i + 24
            x = lane_x[lane]
            if not continued:
                out.append(f'<circle cx="{x}" cy="{row_y - 5}" r="5" fill="#555555"/>')
            out.append(text(x + 12, row_y, body))
            if note:
                out.append(text(note_x, row_y, note, note_style))
        out.append(text(20, line_bottom + 20, "→ " + ending, ' font-style="italic"'))
        y = top + height + 12
    return document(width, y, out)
