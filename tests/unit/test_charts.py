"""The SVG charts: well-formed, titled and described in words, each series told apart by shape."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from oversight.adapters.web.charts import asye_timeline, compliance_trend
from oversight.states.events import AsyeEnrolled, ReviewHeld, SupervisionHeld
from oversight.states.machines import AsyeJourney
from oversight.states.views.asye_progress import asye_progress

SVG = "{http://www.w3.org/2000/svg}"


def journey_with_gaps(lifeline):
    line = lifeline(AsyeJourney, "sw1")
    line.begin(AsyeEnrolled(on=date(2026, 1, 5), worker="sw1", supervisor="tm1"))
    for n in [0, 1, 2, 5, 6]:  # 2 and 9 Feb missed: the 16 Feb session comes after the gap
        line.apply(SupervisionHeld(on=date(2026, 1, 12) + timedelta(weeks=n), supervisor="tm1",
                                   supervisee="sw1"))
    line.apply(ReviewHeld(on=date(2026, 4, 1), worker="sw1", review="three_month"))
    return asye_progress(worker="sw1", state=line.state, data=line.data, policy=line.policy,
                         as_of=date(2026, 3, 1))


def test_the_timeline_is_an_image_with_a_title_and_a_description_naming_the_missed_dates(
        lifeline):
    """role=img, aria-labelledby its title and desc; the desc lists each missed due date."""
    progress = journey_with_gaps(lifeline)
    root = ET.fromstring(asye_timeline(progress))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "asye-timeline-title asye-timeline-desc"
    assert root.find(f"{SVG}title").text == "ASYE timeline of sw1"
    desc = root.find(f"{SVG}desc").text
    assert "2 due dates missed: 2 Feb 2026, 9 Feb 2026." in desc
    assert "three_month planned 7 Apr 2026, held" in desc


def test_the_timeline_draws_sessions_gaps_and_phases_as_different_shapes_with_labels(lifeline):
    """Circles for sessions on time, a triangle for the late one, crosses for gaps, named bands."""
    progress = journey_with_gaps(lifeline)
    root = ET.fromstring(asye_timeline(progress))
    shapes = [(el.tag.removeprefix(SVG), el.get("class")) for el in root.iter()
              if el.get("class") in ("held", "late", "gap")]
    assert shapes.count(("circle", "held")) == 4
    assert shapes.count(("path", "late")) == 1
    assert shapes.count(("path", "gap")) == len(progress.gaps)
    texts = [el.text for el in root.iter(f"{SVG}text")]
    assert "weekly (every 1 week)" in texts and "fortnightly (every 2 weeks)" in texts
    assert "six month: planned" in texts and "three month: held" in texts


def test_the_trend_writes_each_months_share_on_its_bar_and_marks_empty_months():
    """A bar with its percentage for each month with tasks decided; a dash where none were."""
    trend = [{"month": "2026-01", "due": 4, "on_time": 3, "breached": 1, "pending": 0,
              "percent_on_time": 75.0},
             {"month": "2026-02", "due": 0, "on_time": 0, "breached": 0, "pending": 0,
              "percent_on_time": None}]
    root = ET.fromstring(compliance_trend(trend))
    bars = [el for el in root.iter(f"{SVG}g") if el.get("class") == "bar"]
    assert [(b.get("data-month"), b.get("data-percent")) for b in bars] == [("2026-01", "75.0")]
    texts = [el.text for el in root.iter(f"{SVG}text")]
    assert "75%" in texts and "—" in texts and "4 due" in texts and "0 due" in texts
    assert "2026-02: nothing due" in root.find(f"{SVG}desc").text
