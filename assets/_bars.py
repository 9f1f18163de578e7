"""What the benchmark charts in assets/ share: horizontal bars of ratios
against a peer, one group of bars per workload, and a dashed line at x1
where the peer stands. Standard library only; not a diagram itself (make
diagrams skips _*.py)."""

import _svg

LABELS = 150  # the workload names, left of the bars
BAR, GAP, GROUP_GAP = 18, 3, 16
TOP = 64  # below the title and the legend


def ratio_chart(title: str, peer: str, workloads: list[str],
                series: list[tuple[str, str, list[float]]], width: int = 720,
                footnote: str = "") -> str:
    """`series` holds (name, colour, one ratio per workload); a ratio is the
    series' time divided by the peer's, so the bars left of the line are
    faster than the peer and those right of it slower."""
    largest = max(max(values) for _, _, values in series)
    scale = (width - LABELS - 70) / largest

    def x(ratio: float) -> float:
        return LABELS + ratio * scale

    out = [f'<text x="{LABELS}" y="22" font-weight="bold">{title}</text>']
    legend_x = LABELS
    for name, colour, _ in series:
        out.append(f'<rect x="{legend_x}" y="34" width="14" height="14" fill="{colour}"/>')
        out.append(f'<text x="{legend_x + 20}" y="46">{name}</text>')
        legend_x += 40 + 6.8 * len(name)  # 14 px text: about 7 px a letter
    group = len(series) * (BAR + GAP) + GROUP_GAP
    bottom = TOP + group * len(workloads)
    for w, workload in enumerate(workloads):
        y0 = TOP + group * w
        middle = y0 + len(series) * (BAR + GAP) / 2
        out.append(f'<text x="{LABELS - 10}" y="{middle + 5}" text-anchor="end" '
                   f'fill="#333333">{workload}</text>')
        for s, (_, colour, values) in enumerate(series):
            y = y0 + s * (BAR + GAP)
            ratio = values[w]
            out.append(f'<rect x="{LABELS}" y="{y}" width="{x(ratio) - LABELS:.1f}" '
                       f'height="{BAR}" fill="{colour}"/>')
            label_x = max(x(ratio), x(1)) + 5  # clear of the line at x1
            out.append(f'<text x="{label_x:.1f}" y="{y + 14}" font-size="13" '
                       f'fill="#333333">×{ratio:.2f}</text>')
    out.append(f'<line x1="{x(1):.1f}" y1="{TOP - 6}" x2="{x(1):.1f}" y2="{bottom}" '
               'stroke="#333333" stroke-width="1.5" stroke-dasharray="5,4"/>')
    out.append(f'<text x="{x(1) + 4:.1f}" y="{bottom + 16}" font-size="13" '
               f'fill="#333333">×1 = {peer}</text>')
    height = bottom + 28
    if footnote:
        out.append(f'<text x="{LABELS}" y="{bottom + 40}" font-size="13" '
                   f'fill="#555555">{footnote}</text>')
        height += 18
    return _svg.document(width, height, out)
