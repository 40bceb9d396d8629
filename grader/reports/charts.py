"""Bar charts as inline SVG, built from numbers only (nothing a student wrote goes into them)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

HISTOGRAM_BINS = 10


def histogram(percents: Sequence[float], bins: int = HISTOGRAM_BINS) -> list[int]:
    """Counts per equal band of 0-100%; 100% falls in the top band."""
    counts = [0] * bins
    for p in percents:
        i = int(max(0.0, min(99.999, p)) // (100 / bins))
        counts[i] += 1
    return counts


def band_labels(bins: int) -> list[str]:
    step = 100 // bins
    return [f"{i * step}–{(i + 1) * step}%" for i in range(bins)]


def histogram_svg(counts: Sequence[int], chart_id: str = "chart", title: str = "Number of students per score band",
                  small: bool = False) -> Markup:
    """A bar chart of `counts` over equal score bands. `chart_id` must be unique on the page."""
    if small:
        width, height, left, bottom, top = 220, 116, 22, 30, 18
    else:
        width, height, left, bottom, top = 480, 220, 34, 40, 16
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max(max(counts, default=0), 1)
    bar_w = plot_w / max(len(counts), 1)
    gap = 2 if small else 3
    label_id = f"{chart_id}-title"
    parts = [f'<svg class="chart{" small" if small else ""}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="{label_id}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{label_id}">{Markup.escape(title)}</title>']
    for tick in sorted({0, peak // 2, peak}):
        y = top + plot_h - plot_h * tick / peak
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{int(tick)}</text>')
    step = 100 // max(len(counts), 1)
    for i, n in enumerate(counts):
        h = plot_h * n / peak
        x = left + i * bar_w + gap
        y = top + plot_h - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2 * gap:.1f}" height="{h:.1f}" class="hbar">'
                     f'<title>{i * step}–{(i + 1) * step}%: {int(n)}</title></rect>')
        if n:
            parts.append(f'<text x="{x + (bar_w - 2 * gap) / 2:.1f}" y="{y - 3:.1f}" '
                         f'text-anchor="middle">{int(n)}</text>')
        parts.append(f'<text x="{x + (bar_w - 2 * gap) / 2:.1f}" y="{height - bottom + 16}" '
                     f'text-anchor="middle">{i * step}</text>')
    if not small:
        parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle">score %</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
