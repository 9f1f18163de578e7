"""Draws assets/round-robin-skew.svg: what each worker did with the skewed
workload of chapter 08's demo, under the shared queue and under round robin.
Figures from one run of build/default/chapters/08-round-robin/ch08-demo (the
run the chapter's page quotes). Run from the repository root: `make diagrams`.
Standard library only."""

import _svg

RUNS = [  # (scheduler, wall ms, [(worker, busy ms, reports, caption)])
    ("shared queue (chapter 07)", 218, [
        ("worker 0", 218, 10, "100 requests, 10 of them reports"),
        ("worker 1", 218, 10, "100 requests, 10 of them reports"),
    ]),
    ("round robin (chapter 08)", 417, [
        ("worker 0", 416, 20, "100 requests, all 20 reports"),
        ("worker 1", 20, 0, "100 short requests, then idle for 397 ms"),
    ]),
]
LEFT, TOP, WIDTH, BAR, ROW, GAP = 90, 56, 600, 22, 48, 34
SCALE = WIDTH / 450  # px per ms
BUSY, IDLE, AXIS = "#6fb36f", "#eeeeee", "#777777"
H = TOP + sum(ROW * len(workers) + GAP for _, _, workers in RUNS) + 26
W = LEFT + WIDTH + 30


def svg() -> str:
    out = ['<text x="20" y="24" font-weight="bold">200 requests on 2 workers; '
           'every 10th is a 20 ms report</text>']
    y = TOP
    for name, wall, workers in RUNS:
        out.append(f'<text x="20" y="{y}" font-weight="bold">{name}: '
                   f'all done in {wall} ms</text>')
        y += 12
        for worker, busy, _reports, caption in workers:
            out.append(f'<text x="{LEFT - 10}" y="{y + 16}" text-anchor="end">{worker}</text>')
            out.append(f'<rect x="{LEFT}" y="{y}" width="{wall * SCALE:.1f}" height="{BAR}" '
                       f'rx="3" fill="{IDLE}" stroke="{AXIS}" stroke-width="0.8"/>')
            out.append(f'<rect x="{LEFT}" y="{y}" width="{max(3, busy * SCALE):.1f}" '
                       f'height="{BAR}" rx="3" fill="{BUSY}" fill-opacity="0.85"/>')
            out.append(f'<text x="{LEFT + 4}" y="{y + BAR + 15}" fill="#444444" '
                       f'font-size="14">busy {busy} ms: {caption}</text>')
            y += ROW
        y += GAP - 12
    for ms in range(0, 451, 100):
        x = LEFT + ms * SCALE
        out.append(f'<line x1="{x:.1f}" y1="{y - 8}" x2="{x:.1f}" y2="{y - 2}" stroke="{AXIS}"/>')
        out.append(f'<text x="{x:.1f}" y="{y + 12}" text-anchor="middle" font-size="14" '
                   f'fill="{AXIS}">{ms} ms</text>')
    out.append(f'<rect x="{LEFT + 400}" y="13" width="14" height="12" fill="{BUSY}"/>')
    out.append(f'<text x="{LEFT + 420}" y="24" font-size="14">busy</text>')
    out.append(f'<rect x="{LEFT + 470}" y="13" width="14" height="12" fill="{IDLE}" '
               f'stroke="{AXIS}" stroke-width="0.8"/>')
    out.append(f'<text x="{LEFT + 490}" y="24" font-size="14">idle</text>')
    return _svg.document(W, H, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
