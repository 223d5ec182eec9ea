"""Inline SVG charts for the report: no script, no external file, every text escaped.

Charts use a fixed ``viewBox`` and scale to the page width (``width:100%``), so they
stay sharp on a phone and in a PDF. Every figure is written on or beside its bar (a
printed page has no tooltips); each bar also carries a ``<title>``.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from audit_kit.clock import deadline_passed

#: category colours (Okabe-Ito palette, readable for common colour blindness)
COLOURS = {
    "retention": "#0072B2",
    "minimisation": "#E69F00",
    "transfer": "#CC79A7",
    "rights": "#009E73",
    "statement": "#56B4E9",
    "integrity": "#999999",
}
OK, BAD, INK, MUTE, GRID = "#1b7f3b", "#b3261e", "#1f2328", "#59636e", "#d1d9e0"

AGE_CAP = 36  # months; older data is drawn in the last ("36+") column


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole calendar months from *earlier* to *later* (0 when later <= earlier)."""
    m = (later.year - earlier.year) * 12 + (later.month - earlier.month)
    if later.day < earlier.day:
        m -= 1
    return max(m, 0)


def _svg(width: int, height: int, body: str, label: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>{body}</svg>"
    )


def age_chart(
    rows: list[tuple[str, list[dt.date], int]],
    as_of: dt.date,
    *,
    title: str,
    axis: str,
    line_label: str,
    old_label: str = "{old} / {n}",
) -> str:
    """One strip per row (label, dates, months: the row's retention period): a bar per
    month of age, red where "within *months* months" has passed
    (:func:`audit_kit.clock.deadline_passed`), the period's line dashed. *line_label*
    (``{m}``: the months) names the line above the strips when every row has the same
    period; *old_label* (``{old}``, ``{n}``, ``{m}``) is each row's count past it."""
    width, left, right = 480, 6, 474
    cols = AGE_CAP + 1
    step = (right - left) / cols
    strip, gap, top = 44, 26, 30
    height = top + len(rows) * (strip + gap) + 34
    peak = 1
    buckets: list[list[tuple[int, int]]] = []
    for _, dates, months in rows:
        b = [[0, 0] for _ in range(cols)]
        for d in dates:
            i = min(months_between(d, as_of), AGE_CAP)
            b[i][1 if deadline_passed(d, months, as_of) else 0] += 1
        peak = max([peak] + [ok + bad for ok, bad in b])
        buckets.append([tuple(x) for x in b])
    out: list[str] = []
    for r, ((label, dates, months), b) in enumerate(zip(rows, buckets, strict=False)):
        x6 = left + min(months, AGE_CAP) * step
        y0 = top + r * (strip + gap)
        n_old = sum(1 for d in dates if deadline_passed(d, months, as_of))
        out.append(
            f'<text x="{left}" y="{y0 + 12}" fill="{INK}" font-size="18" font-weight="600">'
            f"{escape(label)}</text>"
            f'<text x="{right}" y="{y0 + 12}" fill="{BAD if n_old else MUTE}" font-size="17" '
            f'text-anchor="end">'
            f"{escape(old_label.format(old=n_old, n=len(dates), m=months))}</text>"
        )
        base = y0 + 18 + strip
        out.append(
            f'<line x1="{left}" x2="{right}" y1="{base}" y2="{base}" stroke="{GRID}"/>'
            f'<line x1="{x6:.1f}" x2="{x6:.1f}" y1="{y0 + 18}" y2="{base + 4}" '
            f'stroke="{BAD}" stroke-width="2" stroke-dasharray="5 4"/>'
        )
        for i, (ok, bad) in enumerate(b):
            x = left + i * step + 1
            y = base
            for n, colour in ((ok, OK), (bad, BAD)):
                if not n:
                    continue
                h = max(3.0, (strip - 12) * n / peak)  # room for the figure above
                y -= h
                span = f"{i}+" if i == AGE_CAP else str(i)
                out.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{step - 2:.1f}" height="{h:.1f}" '
                    f'fill="{colour}"><title>{span}: {n}</title></rect>'
                )
            if ok + bad:  # the column's figure above it
                out.append(
                    f'<text class="seg" x="{x + (step - 2) / 2:.1f}" y="{y - 2:.1f}" '
                    f'fill="{INK}" font-size="10" text-anchor="middle">{ok + bad}</text>'
                )
    bottom = top + len(rows) * (strip + gap)
    periods = {months for _, _, months in rows}
    if len(periods) == 1:
        m = periods.pop()
        out.append(
            f'<text x="{left + min(m, AGE_CAP) * step:.1f}" y="{top - 10}" fill="{BAD}" '
            f'font-size="16" font-weight="600" text-anchor="middle">'
            f"{escape(line_label.format(m=m))}</text>"
        )
    ty = bottom + 4
    for m in (0, 6, 12, 24, AGE_CAP):
        x = right if m == AGE_CAP else left + m * step + (6 if m == 0 else 0)
        lab = f"{m}+" if m == AGE_CAP else str(m)
        out.append(
            f'<text x="{x:.1f}" y="{ty}" fill="{MUTE}" font-size="15" '
            f'text-anchor="{"end" if m == AGE_CAP else "middle"}">{lab}</text>'
        )
    out.append(
        f'<text x="{(left + right) / 2:.0f}" y="{ty + 24}" fill="{MUTE}" font-size="15" '
        f'text-anchor="middle">{escape(axis)}</text>'
    )
    return _svg(width, height + 10, "".join(out), title)


def trend_chart(
    quarters: list[tuple[str, dict[str, int]]], categories: list[tuple[str, str]], *, title: str
) -> str:
    """Stacked bars: findings per category (colour) for each quarter (column)."""
    width, left, right, top, plot_h = 480, 6, 474, 24, 170
    n = max(len(quarters), 1)
    slot = (right - left) / max(n, 4)
    bar = min(70.0, slot * 0.6)
    peak = max([1] + [sum(c.values()) for _, c in quarters])
    base = top + plot_h
    out = [f'<line x1="{left}" x2="{right}" y1="{base}" y2="{base}" stroke="{GRID}"/>']
    for q, (label, counts) in enumerate(quarters):
        cx = left + slot * (q + 0.5)
        y = float(base)
        for cat, cat_label in categories:
            v = counts.get(cat, 0)
            if not v:
                continue
            h = plot_h * v / peak
            y -= h
            out.append(
                f'<rect x="{cx - bar / 2:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS.get(cat, MUTE)}" stroke="#fff" stroke-width="1">'
                f"<title>{escape(label)} · {escape(cat_label)}: {v}</title></rect>"
            )
            # the figure on its segment; beside the bar when the segment is too low for it
            inside = h >= 15
            out.append(
                f'<text class="seg" x="{cx if inside else cx + bar / 2 + 3:.1f}" '
                f'y="{y + h / 2 + 5:.1f}" font-size="{13 if inside else 11}" font-weight="700" '
                f'text-anchor="{"middle" if inside else "start"}" '
                + ('fill="#fff" stroke="#1f2328" stroke-width="2.5" paint-order="stroke"'
                   if inside else f'fill="{INK}"')
                + f">{v}</text>"
            )
        total = sum(counts.values())
        out.append(
            f'<text x="{cx:.1f}" y="{y - 5:.1f}" fill="{INK}" font-size="17" font-weight="600" '
            f'text-anchor="middle">{total}</text>'
            f'<text x="{cx:.1f}" y="{base + 20}" fill="{INK}" font-size="16" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    height = base + 28
    return _svg(width, height, "".join(out), title)


def legend(categories: list[tuple[str, str]]) -> str:
    """The trend chart's legend as HTML (wraps on a phone; colour swatches are inline)."""
    items = "".join(
        f'<li><span class="sw" style="background:{COLOURS.get(cat, MUTE)}"></span>'
        f"{escape(label)}</li>"
        for cat, label in categories
    )
    return f'<ul class="legend">{items}</ul>'
