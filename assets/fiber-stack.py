"""Draws assets/fiber-stack.svg: one fiber stack from a StackPool (chapter
06), with its guard page. Run from the repository root: `make diagrams`.
Standard library only."""

import _svg

W, H = 620, 360
BOX_X, BOX_W = 190, 200


def box(y, h, fill, stroke, title, note, dashed=False):
    dash = ' stroke-dasharray="6,4"' if dashed else ""
    return (f'<rect x="{BOX_X}" y="{y}" width="{BOX_W}" height="{h}" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1.5"{dash}/>'
            f'<text x="{BOX_X + BOX_W / 2}" y="{y + h / 2 - 2}" text-anchor="middle" '
            f'font-weight="bold">{title}</text>'
            f'<text x="{BOX_X + BOX_W / 2}" y="{y + h / 2 + 17}" text-anchor="middle" '
            f'fill="#444444">{note}</text>')


def svg() -> str:
    parts = ['<defs><marker id="arrow" markerWidth="10" markerHeight="8" refX="9" refY="4" '
             'orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#555555"/></marker></defs>']
    parts.append(box(30, 70, "#e8f1fb", "#6a9bd1", "fn's frames", "the first calls"))
    parts.append(box(100, 60, "#e8f1fb", "#6a9bd1", "art::await", "the deepest frame"))
    parts.append(box(160, 90, "#ffffff", "#6a9bd1", "unused", "room to grow", dashed=True))
    parts.append(box(250, 60, "#fbeaea", "#b03a2e", "guard page", "no access: a fault"))
    # the brace of the usable stack
    parts.append('<path d="M 400,30 q 12,0 12,12 v 94 q 0,9 9,9 q -9,0 -9,9 v 94 q 0,12 -12,12" '
                 'fill="none" stroke="#555555" stroke-width="1.4"/>')
    parts.append('<text x="430" y="136">usable stack</text>')
    parts.append('<text x="430" y="156" fill="#444444">64 KiB by default</text>')
    parts.append('<text x="430" y="285" fill="#444444">one page (4 KiB)</text>')
    # addresses and growth
    parts.append('<text x="170" y="40" text-anchor="end">high address</text>')
    parts.append('<text x="170" y="58" text-anchor="end" fill="#444444">stack.sp starts here</text>')
    parts.append('<text x="170" y="305" text-anchor="end">low address</text>')
    parts.append('<text x="170" y="323" text-anchor="end" fill="#444444">the mapping\'s base</text>')
    parts.append('<line x1="120" y1="110" x2="120" y2="215" stroke="#555555" stroke-width="1.6" '
                 'marker-end="url(#arrow)"/>')
    parts.append('<text x="108" y="165" text-anchor="end" fill="#444444">grows</text>')
    parts.append('<text x="108" y="183" text-anchor="end" fill="#444444">down</text>')
    return _svg.document(W, H, parts)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
