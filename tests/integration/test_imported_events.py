"""The events an import applied before, found by their ids' prefix (``Events.live_from``) on
SQLite and PostgreSQL: the prefix read literally (``_`` is no wildcard), in id order, and a
retracted event no longer among them."""

from __future__ import annotations

from datetime import UTC, datetime

from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App
from oversight.workflows.recording.extract_corrections import live_imported
from oversight.workflows.recording.retraction import Corrections

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _allocate(app: App, child: str, event_id: str) -> None:
    app.service.record(parse_event({
        "type": "child_allocated", "on": "2026-03-02", "child": child, "worker": "w0",
        "manager": "tm1", "case_type": "cin", "event_id": event_id}), now=NOW)


def _close(app: App, child: str, event_id: str) -> None:
    app.service.record(parse_event({"type": "case_closed", "on": "2026-06-01", "child": child,
                                    "event_id": event_id}), now=NOW)


def test_the_ids_under_a_prefix_are_read_literally_in_order_without_the_retracted(
        app: App) -> None:
    """ssd:invo:B and ssd:invo:A (out of order), ssd_invo:C and a closure retracted: ``ssd:``
    finds A and B; ``ss_:`` (a wildcard ``_`` would match ``ssd:``) none; ``ssd_`` only C."""
    _allocate(app, "C1", "ssd:invo:B:allocated:v1")
    _allocate(app, "C2", "ssd:invo:A:allocated:v1")
    _allocate(app, "C3", "ssd_invo:C:allocated:v1")
    _close(app, "C1", "ssd:cine:R1:closed:v1")
    Corrections(app.service).retract("ssd:cine:R1:closed:v1", reason="a test", actor=None,
                                     now=NOW)
    assert live_imported(app.store, "ssd:") == ["ssd:invo:A:allocated:v1",
                                                "ssd:invo:B:allocated:v1"]
    assert live_imported(app.store, "ss_:") == []
    assert live_imported(app.store, "ssd_") == ["ssd_invo:C:allocated:v1"]
