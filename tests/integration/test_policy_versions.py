"""Policy versions in a real store: each step runs under the version in force on its day, and
replan moves open tasks onto a new version in one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from oversight.adapters.store import tables as t
from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.states.directory import StaffMember
from oversight.states.errors import OversightError
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App, initialise
from oversight.workflows.recording import replan
from oversight.workflows.settings import Settings
from tests.integration.helpers import rows
from tests.policy_versions import qualified_every, with_version

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
PAIR = {"supervisor": "tm1", "supervisee": "sw2"}


@pytest.fixture
def versioned(settings: Settings, tmp_path: Path) -> Iterator[App]:
    """A Surrey store whose policy folder adds version 2026-03 (qualified staff fortnightly from
    1 March 2026), with tm1 supervising sw2 since Monday 5 January 2026."""
    folder = with_version(tmp_path / "policies", "surrey", "2026-03", date(2026, 3, 1),
                          qualified_every(2))
    app = initialise(settings.model_copy(update={"policy_dir": folder}), "surrey")
    with SqlUnitOfWork(app.engine) as uow:
        uow.staff.upsert([
            StaffMember("tm1", "manager", started=date(2018, 4, 3), qualified=date(2012, 7, 1)),
            StaffMember("sw2", "qualified_social_worker", started=date(2021, 9, 1),
                        line_manager="tm1", qualified=date(2020, 7, 1))])
        uow.commit()
    record(app, "relationship_started", "2026-01-05")
    record(app, "agreement_signed", "2026-01-05")
    yield app
    app.engine.dispose()


def record(app: App, type_: str, on: str) -> None:
    app.service.record(parse_event({"type": type_, "on": on, **PAIR}), now=NOW)


def entity_version(app: App) -> str:
    with SqlUnitOfWork(app.engine) as uow:
        return uow.entities.get("relationship", "tm1:sw2").policy_version


def open_supervision(app: App) -> dict:
    [task] = [row for row in rows(app.engine, "tasks")
              if row["type"] == "personal_supervision" and row["state"] == "open"]
    return task


def test_a_step_before_the_new_version_takes_effect_runs_under_the_old_one(versioned: App):
    """Held 2 February 2026: next due 4 weeks later, under 2024-12, which the entity records."""
    record(versioned, "supervision_held", "2026-02-02")
    task = open_supervision(versioned)
    assert (task["due"], task["rule"]["version"]) == (date(2026, 3, 2), "2024-12")
    assert entity_version(versioned) == "2024-12"


def test_a_step_on_the_new_versions_first_day_runs_under_it_and_records_it(versioned: App):
    """Held 2 March 2026, after 2026-03 took effect: next due 2 weeks later, citing 2026-03."""
    record(versioned, "supervision_held", "2026-02-02")
    record(versioned, "supervision_held", "2026-03-02")
    task = open_supervision(versioned)
    assert (task["due"], task["rule"]["version"]) == (date(2026, 3, 16), "2026-03")
    assert entity_version(versioned) == "2026-03"
    assert versioned.policy.version == "2024-12"  # the current file is still surrey.yaml


def test_replan_moves_the_task_its_timer_and_audit_in_one_transaction(versioned: App):
    """Due 2 March under 2024-12, the open task moves to 16 February under 2026-03 — held back
    to 1 March, the version's first day — with its timer, an audit line and a message."""
    record(versioned, "supervision_held", "2026-02-02")
    book = versioned.service.book
    preview = replan.preview(versioned.store, book, book.latest)
    assert [(m.old_due, m.new_due, m.held_back) for m in preview.moves] == [
        (date(2026, 3, 2), date(2026, 3, 1), True)]
    assert open_supervision(versioned)["due"] == date(2026, 3, 2)  # a preview changes nothing

    done = replan.apply(versioned.store, book, book.latest, on=date(2026, 3, 20), now=NOW)
    assert done.to_json()["moves"] == preview.to_json()["moves"]
    task = open_supervision(versioned)
    assert (task["due"], task["rule"]["version"]) == (date(2026, 3, 1), "2026-03")
    assert task["basis"]["explain"] == "2026-02-02 + 2 weeks = 2026-02-16"
    with versioned.engine.connect() as connection:
        fires = connection.execute(select(t.timers.c.fires_on).where(
            t.timers.c.name == f"task:{task['key']}")).scalar_one()
        audit = connection.execute(select(t.audit).order_by(t.audit.c.id.desc())).mappings().first()
        messages = connection.execute(select(t.outbox.c.type).where(
            t.outbox.c.task_id == task["id"])).scalars().all()
    assert fires == date(2026, 3, 2)
    assert (audit["trigger"], audit["cause"], audit["on"]) == (
        "reschedule personal_supervision", "replan:surrey@2026-03", date(2026, 3, 20))
    assert audit["rule"]["version"] == "2026-03"
    assert sorted(messages) == ["uk.oversight.task.opened", "uk.oversight.task.rescheduled"]
    assert entity_version(versioned) == "2026-03"
    again = replan.apply(versioned.store, book, book.latest, on=date(2026, 3, 20), now=NOW)
    assert again.moves == []  # already under the version: nothing moves twice


def test_replan_refuses_to_apply_a_version_before_it_takes_effect(versioned: App):
    """On 20 February 2026 the March version is not in force: only a preview is allowed."""
    book = versioned.service.book
    with pytest.raises(OversightError, match="takes effect on 2026-03-01"):
        replan.apply(versioned.store, book, book.latest, on=date(2026, 2, 20), now=NOW)
