"""Correcting the record on the in-memory store: a late record re-derived in date order
(corrections.py, rederive.py), retracting and amending an event (retraction.py) and many
corrections in one transaction (extract_corrections.py).

tm1 starts supervising w0 on Mon 5 Jan 2026 (event hr-1): the agreement is due that day
(surrey §6), its timer fires Tue 6 Jan, and the sweep of Wed 7 Jan escalates it to hos1, due
Tue 13 Jan (5 working days: Wed 7, Thu 8, Fri 9, Mon 12, Tue 13; the weekend skipped).
"""

from __future__ import annotations

from datetime import date

import pytest

from oversight.states.errors import EventInvalid, EventRejected, UnknownEntity
from oversight.states.events.registry import parse_event
from oversight.workflows.recording.extract_corrections import (
    Correction,
    correct_all,
    live_imported,
)
from oversight.workflows.recording.retraction import Corrections
from tests.unit.use_cases.conftest import (
    AGREEMENT,
    ESCALATION,
    NOW,
    STARTED,
    SUPERVISION,
    record,
    task_states,
)

SIGNED_LATE = {"type": "agreement_signed", "on": "2026-01-05", "supervisor": "tm1",
               "supervisee": "w0", "event_id": "late-1"}
WITHDRAWN_BY_RETRACTION = "retracted hr-1 (relationship_started dated 2026-01-05): wrong worker"


def test_a_signature_recorded_after_the_escalation_is_met_late_and_withdraws_it(
        service, store):
    """Signed Mon 5 Jan, recorded after the sweep of Wed 7 Jan: the agreement was met on its
    day (closed 5 Jan, recorded late, never breached), the escalation is withdrawn with the
    cause, and each gets a message (``closed``, ``withdrawn``)."""
    record(service, **STARTED)
    service.fire_due(date(2026, 1, 7), now=NOW, limit=10)
    outcome = record(service, **SIGNED_LATE)
    [done] = outcome.transitions
    assert (done["met_late"], done["withdrawn"]) == ([AGREEMENT], [ESCALATION])
    agreement, escalation = store.rows.tasks[AGREEMENT], store.rows.tasks[ESCALATION]
    assert (agreement["state"], agreement["closed_on"], agreement["breached_on"],
            agreement["recorded_at"]) == ("closed", date(2026, 1, 5), None, NOW)
    assert (escalation["state"], escalation["withdrawn_because"]) == (
        "withdrawn", "event:agreement_signed dated 2026-01-05, recorded late")
    assert [m["message"]["type"].rsplit(".", 1)[1] for m in store.rows.outbox][-2:] == [
        "closed", "withdrawn"]
    assert store.rows.entities[("relationship", "tm1:w0")].state == "active"


def test_retracting_the_event_that_started_an_entity_ends_it_and_withdraws_its_tasks(
        service, store):
    """hr-1 retracted by tm1 ("wrong worker"): the relationship is ``retracted``, both its
    tasks withdrawn with the reason, their timers gone, the log row marked, and the audit
    keeps the start and adds the re-derivation, by tm1."""
    record(service, **STARTED)
    outcome = Corrections(service).retract("hr-1", reason="wrong worker", actor="tm1", now=NOW)
    assert outcome.applied == 1
    assert task_states(store) == {AGREEMENT: ("withdrawn", "2026-01-05"),
                                  SUPERVISION: ("withdrawn", "2026-02-02")}
    assert {row["withdrawn_because"] for row in store.rows.tasks.values()} == {
        WITHDRAWN_BY_RETRACTION}
    assert store.rows.timers == {}
    assert store.rows.entities[("relationship", "tm1:w0")].state == "retracted"
    [logged] = store.rows.event_log
    assert (logged.retracted_at, logged.retracted_by, logged.retract_reason) == (
        NOW, "tm1", "wrong worker")
    assert [(line["trigger"], line["dest"], line["actor"], line["cause"])
            for line in store.rows.audit] == [
        ("relationship started", "agreement_pending", None, "event:relationship_started"),
        ("rederive", "retracted", "tm1", WITHDRAWN_BY_RETRACTION)]
    assert [m["message"]["type"].rsplit(".", 1)[1] for m in store.rows.outbox][-2:] == [
        "withdrawn", "withdrawn"]


def test_retracting_a_signature_reopens_the_agreement_it_closed(service, store):
    """Signed on Mon 5 Jan (sig-1), then retracted: the agreement is open again, due 5 Jan."""
    record(service, **STARTED)
    record(service, **{**SIGNED_LATE, "event_id": "sig-1"})
    assert task_states(store)[AGREEMENT] == ("closed", "2026-01-05")
    Corrections(service).retract("sig-1", reason="signed the wrong form", actor=None, now=NOW)
    assert task_states(store)[AGREEMENT] == ("open", "2026-01-05")
    assert store.rows.entities[("relationship", "tm1:w0")].state == "agreement_pending"


def test_a_retraction_without_a_reason_or_of_an_unknown_or_retracted_event_is_refused(
        service, store):
    """No reason: EventInvalid; no such event: UnknownEntity; twice: EventRejected. The
    second and third leave the rows as the first retraction left them."""
    record(service, **STARTED)
    undo = Corrections(service)
    with pytest.raises(EventInvalid):
        undo.retract("hr-1", reason="  ", actor="tm1", now=NOW)
    with pytest.raises(UnknownEntity, match="no event 'hr-404'"):
        undo.retract("hr-404", reason="typo", actor="tm1", now=NOW)
    undo.retract("hr-1", reason="wrong worker", actor="tm1", now=NOW)
    audit = list(store.rows.audit)
    with pytest.raises(EventRejected):
        undo.retract("hr-1", reason="again", actor="tm1", now=NOW)
    assert store.rows.audit == audit


def test_amending_an_event_retracts_it_and_records_the_replacement(service, store):
    """hr-1 (w0) amended to tm1 supervising w1: w0's relationship retracted, w1's started on
    Mon 5 Jan with its agreement due that day and supervision Mon 2 Feb."""
    record(service, **STARTED)
    replacement = parse_event({**STARTED, "supervisee": "w1", "event_id": "hr-1b"})
    Corrections(service).amend("hr-1", replacement, reason="wrong worker", actor="tm1", now=NOW)
    assert store.rows.entities[("relationship", "tm1:w0")].state == "retracted"
    assert {ident: state for ident, (state, _) in task_states(store).items()
            if ":w1:" in ident} == {"relationship:tm1:w1:agreement": "open",
                                    "relationship:tm1:w1:supervision:1": "open"}
    assert store.rows.tasks["relationship:tm1:w1:supervision:1"]["due"] == date(2026, 2, 2)


def test_corrections_made_together_keep_the_good_ones_only_when_none_is_refused(
        service, store):
    """correct_all of hr-1 and of hr-404 (unknown): the second refused at index 1, nothing
    committed; hr-1 alone: committed, its two tasks withdrawn."""
    record(service, **STARTED)
    bad = [Correction("hr-1", "wrong worker", None), Correction("hr-404", "typo", None)]
    opened, refused = correct_all(service, bad, now=NOW, commit=True)
    assert [index for index, _ in refused] == [1]
    assert task_states(store)[AGREEMENT] == ("open", "2026-01-05")
    opened, refused = correct_all(service, bad[:1], now=NOW, commit=True)
    assert (opened, refused) == (0, [])
    assert task_states(store)[AGREEMENT] == ("withdrawn", "2026-01-05")


def test_the_imported_events_still_live_are_those_not_retracted(service, store):
    """live_imported: ssd:1 and ssd:2 recorded, ssd:1 retracted; hr-1 has another prefix."""
    record(service, **STARTED)
    record(service, **{**STARTED, "supervisee": "w1", "event_id": "ssd:1"})
    record(service, **{**SIGNED_LATE, "event_id": "ssd:2"})
    assert live_imported(store, "ssd:") == ["ssd:1", "ssd:2"]
    Corrections(service).retract("ssd:1", reason="not ours", actor=None, now=NOW)
    assert live_imported(store, "ssd:") == ["ssd:2"]
