"""The event vocabulary (``oversight events``, the table in docs/simulation.md) comes from the
registry and the route table, so it lists every type, every field and where each event goes."""

from __future__ import annotations

from pathlib import Path

from oversight.states.events import EVENT_TYPES
from oversight.workflows.reads.vocabulary import catalogue, markdown_table

PAGE = Path(__file__).resolve().parents[2] / "docs" / "simulation.md"
START = "<!-- events table: generated, do not edit by hand -->\n"
END = "<!-- end of events table -->"


def test_the_simulation_page_event_table_is_the_generated_one():
    """Regenerate it with ``oversight events --markdown`` when an event or a route changes."""
    text = PAGE.read_text(encoding="utf-8")
    table = text[text.index(START) + len(START):text.index(END)]
    assert table == markdown_table()


def test_the_table_has_a_row_for_every_type_the_child_events_and_children_discussed_among_them():
    """The table once left out the child events and ``supervision_held``'s children_discussed."""
    rows = {line.split(" | ")[0].strip("| `"): line for line in markdown_table().splitlines()[2:]}
    assert list(rows) == list(EVENT_TYPES)
    assert "children_discussed? (list of identifier)" in rows["supervision_held"]
    assert rows["child_allocated"].startswith("| `child_allocated` | child, worker, manager, ")


def test_each_entry_lists_the_fields_of_its_class_with_whether_they_are_required():
    """``case_details_changed`` has only ``child`` required; ``session_planned`` four fields."""
    entries = {entry.type: entry for entry in catalogue()}
    changed = entries["case_details_changed"]
    assert [(f.name, f.required) for f in changed.fields] == [
        ("child", True), ("case_type", False), ("risk", False), ("plan", False),
        ("assessed_longer", False), ("born", False)]
    planned = entries["session_planned"]
    assert [(f.name, f.type, f.required) for f in planned.fields] == [
        ("supervisor", "identifier", True), ("supervisee", "identifier", True),
        ("session", "identifier", True), ("for_date", "date", True),
        ("preparation", "boolean", False)]
    assert entries["relationship_ended"].fields[-1].choices == ("moved", "left", "other")


def test_each_entry_names_the_lifecycles_it_reaches_its_own_first():
    """``oversight_recorded`` goes to the assessment, then to a trigger's management oversight."""
    entries = {entry.type: entry for entry in catalogue()}
    assert entries["oversight_recorded"].reaches == ("assessment", "oversight")
    assert [r.finds for r in entries["oversight_recorded"].routes] == [
        "The child's latest assessment, unless only the child's management oversight awaits the "
        "point.",
        "The child's oversight if it awaits this point; none is no error."]
    assert entries["staff_left"].reaches == ("supervision_file",)
    assert all(entry.reaches for entry in entries.values())
