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
