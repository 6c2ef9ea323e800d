"""Charts as SVG text, drawn here without a plotting library, so pages work offline.

Two charts: an ASYE timeline (phases as bands, sessions held as marks, gaps, review points,
pauses) and a monthly compliance trend. Each SVG has ``role="img"``, a ``<title>`` and a
``<desc>`` that says in words what it shows, and every series is told apart by shape or pattern
and a text label as well as by colour. Inputs are plain values (the progress object and the
trend lines); nothing here reads the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from html import escape
from typing import Any

PHASE_FILL = {"weekly": "#cfe3f7", "fortnightly": "#d8efd3", "monthly": "#f6e7c8"}
PHASE_PATTERN = {"weekly": "pat-lines", "fortnightly": "pat-dots", "monthly": "pat-cross"}
INK, MUTED, GAP, LATE, HELD = "#1b1b1b", "#555555", "#b3261e", "#8a4b00", "#1d5fa8"

_DEFS = """<defs>
<pattern id="pat-lines" width="8" height="8" patternUnits="userSpaceOnUse" \
patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="8" stroke="#7f9fc0" \
stroke-width="1.5"/></pattern>
<pattern id="pat-dots" width="8" height="8" patternUnits="userSpaceOnUse"><circle cx="4" cy="4" \
r="1.3" fill="#6d9a63"/></pattern>
<pattern id="pat-cross" width="10" height="10" patternUnits="userSpaceOnUse"><path \
d="M0 5H10M5 0V10" stroke="#c2a466" stroke-width="1"/></pattern>
<pattern id="pat-pause" width="6" height="6" patternUnits="userSpaceOnUse" \
patternTransform="rotate(-45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#777" \
stroke-width="2"/></pattern>
</defs>"""


def _open(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" id="{chart_id}" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {width} {height}" '
            f'width="100%" style="max-width:{width}px" font-family="system-ui, sans-serif" '
            f'font-size="12">',
            f'<title id="{chart_id}-title">{escape(title)}</title>',
            f'<desc id="{chart_id}-desc">{escape(desc)}</desc>', _DEFS]


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 12,
          fill: str = INK, weight: str = "normal", cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{fill}" font-weight="{weight}"{klass}>{escape(text)}</text>')


def _months(first: date, last: date) -> Iterable[date]:
    day = first.replace(day=1)
    while day <= last:
        yield day
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _when(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


# ----- the ASYE timeline ------------------------------------------------------------------------

def asye_timeline(progress: Any, *, width: int = 960) -> str:
    """One journey from its start to its end date: phases, sessions, gaps, reviews, pauses."""
    p = progress
    start = p.started
    end = max([p.end, p.as_of, *(r.planned for r in p.reviews)]) + timedelta(days=7)
    left, right, top = 110, 20, 30
    span = max((end - start).days, 1)

    def x(day: date) -> float:
        return left + (width - left - right) * (day - start).days / span

    rows = {"phase": 40, "sessions": 100, "gaps": 140, "reviews": 180}
    height = 275
    gaps = p.gaps
    desc = (f"From {_when(start)} to {_when(p.end)}. Phases: "
            + "; ".join(f"{ph.phase} every {ph.every} from {_when(ph.starts)}" for ph in p.phases)
            + f". {len(p.sessions)} sessions held, {len(p.late_sessions)} of them after a gap; "
            + f"{len(gaps)} due dates missed"
            + (": " + ", ".join(_when(g.due) for g in gaps) if gaps else "")
            + ". Reviews: " + "; ".join(f"{r.review} planned {_when(r.planned)}, {r.status}"
                                        for r in [*p.reviews, p.final])
            + (". Paused " + "; ".join(f"from {_when(x_.on)}" + (f" to {_when(x_.resumed)}"
                                                                 if x_.resumed else "")
                                       for x_ in p.pauses) if p.pauses else "") + ".")
    out = _open("asye-timeline", width, height, f"ASYE timeline of {p.worker}", desc)
    # Row labels.
    for label, key in (("Phase", "phase"), ("Sessions held", "sessions"), ("Missed dates", "gaps"),
                       ("Reviews", "reviews")):
        out.append(_text(8, top + rows[key] - 20 + 4 if key == "phase" else top + rows[key] + 4,
                         label, fill=MUTED))
    # Phase bands, each with its pattern and its name written in it.
    for ph in p.phases:
        if ph.starts > end:
            continue
        band_end = min(ph.ends or end, end)
        x0, x1 = x(ph.starts), x(band_end)
        out.append(f'<g class="phase" data-phase="{ph.phase}">'
                   f'<rect x="{x0:.1f}" y="{top}" width="{max(x1 - x0, 0):.1f}" height="36" '
                   f'fill="{PHASE_FILL[ph.phase]}"/>'
                   f'<rect x="{x0:.1f}" y="{top}" width="{max(x1 - x0, 0):.1f}" height="36" '
                   f'fill="url(#{PHASE_PATTERN[ph.phase]})" stroke="{MUTED}"/>'
                   + (_text(x0 + 6, top + 23, f"{ph.phase} (every {ph.every})", weight="bold")
                      if x1 - x0 > 120 else _text(x0 + 3, top + 23, ph.phase[:4], weight="bold"))
                   + "</g>")
    for pause in p.pauses:
        x0, x1 = x(pause.on), x(pause.resumed or p.as_of)
        out.append(f'<g class="pause"><rect x="{x0:.1f}" y="{top - 6}" '
                   f'width="{max(x1 - x0, 2):.1f}" '
                   f'height="{height - top - 30}" fill="url(#pat-pause)" opacity="0.5"/>'
                   + _text(x0 + 2, top - 10, "paused", fill=MUTED, size=11) + "</g>")
    # Month ticks along the bottom.
    axis = height - 28
    out.append(f'<line x1="{left}" y1="{axis}" x2="{width - right}" y2="{axis}" stroke="{MUTED}"/>')
    for month in _months(start, end):
        if month < start:
            continue
        out.append(f'<line x1="{x(month):.1f}" y1="{axis}" x2="{x(month):.1f}" y2="{axis + 5}" '
                   f'stroke="{MUTED}"/>'
                   + _text(x(month), axis + 18, f"{month:%b}", anchor="middle", size=11,
                           fill=MUTED))
    # Sessions held: filled circles; held after a gap: open triangles.
    late = set(p.late_sessions)
    y_s = top + rows["sessions"]
    for day in p.sessions:
        label = f"session held {_when(day)}" + (" (after a missed date)" if day in late else "")
        if day in late:
            cx = x(day)
            out.append(f'<path class="late" d="M{cx:.1f} {y_s - 7}L{cx + 6:.1f} {y_s + 5}'
                       f'L{cx - 6:.1f} {y_s + 5}Z" fill="white" stroke="{LATE}" stroke-width="2">'
                       f'<title>{escape(label)}</title></path>')
        else:
            out.append(f'<circle class="held" cx="{x(day):.1f}" cy="{y_s}" r="4.5" fill="{HELD}">'
                       f'<title>{escape(label)}</title></circle>')
    # Missed due dates: crosses.
    y_g = top + rows["gaps"]
    for slot in gaps:
        cx = x(slot.due)
        out.append(f'<path class="gap" d="M{cx - 5:.1f} {y_g - 5}L{cx + 5:.1f} {y_g + 5}'
                   f'M{cx - 5:.1f} {y_g + 5}L{cx + 5:.1f} {y_g - 5}" stroke="{GAP}" '
                   f'stroke-width="2.5"><title>missed: due {escape(_when(slot.due))}</title>'
                   '</path>')
    if not gaps:
        out.append(_text(left + 4, y_g + 4, "none", fill=MUTED))
    # Review points: diamonds, filled when held, open when planned, red when overdue.
    y_r = top + rows["reviews"]
    for review in [*p.reviews, p.final]:
        cx = x(review.planned)
        held = review.held_on is not None or review.status in ("passed", "failed")
        fill = INK if held else ("white" if review.status != "overdue" else GAP)
        out.append(f'<g class="review" data-status="{escape(review.status)}">'
                   f'<path d="M{cx:.1f} {y_r - 8}L{cx + 8:.1f} {y_r}L{cx:.1f} {y_r + 8}'
                   f'L{cx - 8:.1f} {y_r}Z" fill="{fill}" stroke="{INK}" stroke-width="1.5"/>'
                   + _text(cx, y_r + 22, f"{review.review.replace('_', ' ')}: {review.status}",
                           anchor="end" if cx > width - right - 70 else
                           "start" if cx < left + 70 else "middle", size=11) + "</g>")
    # Today.
    if start <= p.as_of <= end:
        cx = x(p.as_of)
        out.append(f'<line x1="{cx:.1f}" y1="{top - 4}" x2="{cx:.1f}" y2="{axis}" stroke="{INK}" '
                   f'stroke-dasharray="4 3"/>'
                   + (_text(cx - 3, top - 12, f"on {_when(p.as_of)}", anchor="end", size=11)
                      if cx > width - right - 100 else
                      _text(cx + 3, top - 12, f"on {_when(p.as_of)}", size=11)))
    out.append("</svg>")
    return "\n".join(out)


# ----- the monthly compliance trend ---------------------------------------------------------------

def compliance_trend(trend: list[dict[str, Any]], *, title: str = "Share on time by month",
                     width: int = 960, height: int = 300) -> str:
    """A bar a month: the share of tasks due that month met on time, its value written on it."""
    left, right, top, bottom = 50, 20, 30, 60
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(trend), 1)
    described = "; ".join(
        f"{line['month']}: "
        + (f"{line['percent_on_time']}% on time of {line['on_time'] + line['breached']}"
           if line["percent_on_time"] is not None else "nothing due")
        for line in trend)
    out = _open("compliance-trend", width, height, title,
                f"Percentage of tasks met on time, month by month. {described}.")
    for pct in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - pct / 100)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                   f'stroke="#dddddd"/>' + _text(left - 6, y + 4, f"{pct}%", anchor="end",
                                                 size=11, fill=MUTED))
    for index, line in enumerate(trend):
        cx = left + step * index + step / 2
        bar_w = min(step * 0.6, 48)
        share = line["percent_on_time"]
        month = date.fromisoformat(line["month"] + "-01")
        out.append(_text(cx, height - bottom + 16, f"{month:%b}", anchor="middle", size=11))
        decided = line["on_time"] + line["breached"]
        out.append(_text(cx, height - bottom + 30, f"{decided} due", anchor="middle", size=10,
                         fill=MUTED))
        if share is None:
            out.append(_text(cx, top + plot_h - 4, "—", anchor="middle", fill=MUTED))
            continue
        bar_h = plot_h * share / 100
        y = top + plot_h - bar_h
        out.append(f'<g class="bar" data-month="{line["month"]}" data-percent="{share}">'
                   f'<rect x="{cx - bar_w / 2:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                   f'height="{bar_h:.1f}" fill="{HELD}"/>'
                   f'<rect x="{cx - bar_w / 2:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                   f'height="{bar_h:.1f}" fill="url(#pat-lines)" opacity="0.35"/>'
                   + _text(cx, y - 5, f"{share:g}%", anchor="middle", size=11, weight="bold")
                   + "</g>")
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
               f'stroke="{INK}"/>')
    out.append("</svg>")
    return "\n".join(out)
