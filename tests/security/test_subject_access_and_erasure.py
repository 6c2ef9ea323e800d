"""Subject access and erasure end to end, on SQLite and on PostgreSQL (when
OVERSIGHT_TEST_POSTGRES_URL names a server).

Hull keeps a supervision file seven years after employment ends, then destroys it (hull §3).
sw1 (supervised by tm1 from Mon 5 Jan 2026) leaves on Fri 27 Feb 2026; the file is archived on
Thu 5 Mar. Seven years after 27 Feb 2026 is Sun 27 Feb 2033, a weekend: the destruction date
moves to Mon 28 Feb 2033.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from oversight.adapters.api import create_app
from oversight.adapters.store import chain, chain_verify, erasure
from oversight.adapters.store import tables as t
from oversight.adapters.store.personal_rows import existing_tables, rows_naming
from oversight.adapters.store.subject_access import subject_access
from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App, initialise
from oversight.workflows.reads.compliance import Period, compliance
from oversight.workflows.settings import Settings
from tests.e2e.api_server import NOW, token
from tests.security.chain_store import hull_store
from tests.security.conftest import bearer


@pytest.fixture(params=["sqlite", "postgresql"])
def hull(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[App]:
    """A Hull store holding the two teams and sw1's leaving, on each database."""
    yield from hull_store(request.param, tmp_path)


def _naming(app: App, person: str) -> dict[str, int]:
    with app.engine.connect() as connection:
        return {table.name: count for table in existing_tables(connection)
                if (count := len(list(rows_naming(connection, person, table))))}


def test_subject_access_exports_every_row_about_a_person_with_a_manifest(hull: App) -> None:
    """sw1's export: the staff record, the relationship, session and file, their tasks, audit
    and messages; each section's count and SHA-256 in the manifest; no token hash."""
    token(hull, "supervisee", "sw1")
    with hull.engine.begin() as connection:
        export = subject_access(connection, "sw1", now=NOW, requested_by="os:dpo")
    records, manifest = export["records"], export["manifest"]
    assert manifest["subject"] == "sw1"
    assert [row["id"] for row in records["staff"]] == ["sw1"]
    assert {(row["kind"], row["id"]) for row in records["entities"]} == {
        ("relationship", "tm1:sw1"), ("session", "tm1:sw1:2026-01-12"),
        ("supervision_file", "sw1")}
    assert {"tasks", "audit", "outbox", "api_tokens"} <= set(records)
    assert "hash" not in records["api_tokens"][0]
    for name, rows in records.items():
        entry = manifest["tables"][name]
        assert entry["rows"] == len(rows)
        assert entry["sha256"] == hashlib.sha256(json.dumps(
            rows, sort_keys=True, default=str).encode("utf-8")).hexdigest()
    assert not [row for row in records["entities"] if "sw3" in row["id"]]


def test_the_purge_anonymises_a_person_whose_file_reached_its_destruction_date(
        hull: App) -> None:
    """On Sun 27 Feb 2033 nobody is due; on Mon 28 Feb 2033 sw1 is: afterwards no row of any
    table names sw1, tm1 and sw3 are untouched, the 2026 figures count the same tasks, the
    erasure is recorded and both hash chains still verify."""
    year = Period(date(2026, 1, 1), date(2026, 12, 31))
    before = compliance(hull.store, year, as_of=date(2026, 12, 31))["totals"]
    with hull.engine.connect() as connection:
        assert erasure.due_for_destruction(connection, date(2033, 2, 27)) == []
        assert erasure.due_for_destruction(connection, date(2033, 2, 28)) == ["sw1"]
        tasks = connection.execute(select(func.count()).select_from(t.tasks)).scalar_one()
    assert _naming(hull, "sw1")
    tm2 = _naming(hull, "tm2")
    with hull.engine.begin() as connection:
        done = erasure.purge(connection, as_of=date(2033, 2, 28), now=NOW, actor="os:dpo")
    assert len(done) == 1 and done[0].pseudonym.startswith("erased-")
    assert _naming(hull, "sw1") == {}
    assert _naming(hull, "tm2") == tm2
    after = compliance(hull.store, year, as_of=date(2026, 12, 31))["totals"]
    assert after == before
    with hull.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(t.tasks)).scalar_one() \
            == tasks
        recorded = connection.execute(select(t.erasures)).mappings().one()
        assert recorded["pseudonym"] == done[0].pseudonym and recorded["actor"] == "os:dpo"
        assert recorded["counts"]["staff"] == 1
        verdicts = [chain_verify.verify(connection, name) for name in chain.TABLES]
    assert all(v.intact for v in verdicts), verdicts
    assert verdicts[0].erased > 0
    with hull.engine.connect() as connection:
        assert erasure.due_for_destruction(connection, date(2033, 2, 28)) == []


def test_the_data_protection_officer_alone_asks_the_api_for_a_subject_access_export(
        hull: App) -> None:
    """dpo: 200 with the manifest, and the export logged; admin: 403; an unknown id: 404."""
    dpo, admin = token(hull, "dpo", "dpo1"), token(hull, "admin")
    with TestClient(create_app(hull, clock=lambda: NOW), base_url="http://127.0.0.1") as api:
        answer = api.get("/v1/subject-access/sw1", headers=bearer(dpo))
        refused = api.get("/v1/subject-access/sw1", headers=bearer(admin))
        unknown = api.get("/v1/subject-access/nobody9", headers=bearer(dpo))
    assert answer.status_code == 200, answer.text
    assert answer.json()["manifest"]["tables"]["staff"]["rows"] == 1
    assert (refused.status_code, unknown.status_code) == (403, 404)
    with hull.engine.connect() as connection:
        logged = connection.execute(select(t.access_log.c.resource, t.access_log.c.role).where(
            t.access_log.c.target == "person:sw1")).all()
    assert ("subject-access", "dpo") in logged


def test_the_purge_command_records_the_files_destruction_then_erases_the_leaver(
        tmp_path: Path) -> None:
    """sw9 left on Fri 28 Jun 2019, file archived Fri 5 Jul 2019: due on Mon 29 Jun 2026
    (28 Jun 2026 is a Sunday), before today. ``oversight purge`` records the destruction (the
    custodian's task closes), then no row names sw9; ``subject-access sw9`` finds nothing."""
    import os
    import subprocess
    import sys

    from oversight.states.directory import StaffMember

    app = initialise(Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'h.db'}"),
                     "hull")
    with SqlUnitOfWork(app.engine) as uow:
        uow.staff.upsert([StaffMember("tm9", "manager", date(2010, 9, 1), None,
                                      date(2005, 7, 1)),
                          StaffMember("sw9", "qualified_social_worker", date(2015, 9, 1),
                                      "tm9", date(2015, 7, 1))])
        uow.commit()
    for raw in ({"type": "relationship_started", "on": "2016-01-04", "supervisor": "tm9",
                 "supervisee": "sw9"},
                {"type": "staff_left", "on": "2019-06-28", "person": "sw9"},
                {"type": "supervision_file_archived", "on": "2019-07-05", "person": "sw9"}):
        app.service.record(parse_event(raw), now=NOW)
    with app.engine.connect() as connection:
        destroy_task = connection.execute(select(t.tasks.c.due).where(
            t.tasks.c.type == "destroy_supervision_file")).scalar_one()
    assert destroy_task == date(2026, 6, 29)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVERSIGHT_")}
    env.update(OVERSIGHT_HOME=str(tmp_path), OVERSIGHT_DATABASE_URL=app.settings.url)
    oversight = str(Path(sys.executable).parent / "oversight")
    run = subprocess.run([oversight, "purge", "--json"], env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["due"] == 1
    assert _naming(app, "sw9") == {}
    with app.engine.connect() as connection:
        file = connection.execute(select(t.entities.c.state).where(
            t.entities.c.kind == "supervision_file")).scalar_one()
        task = connection.execute(select(t.tasks.c.state).where(
            t.tasks.c.type == "destroy_supervision_file")).scalar_one()
    assert (file, task) == ("destroyed", "closed")
    sar = subprocess.run([oversight, "subject-access", "sw9", "--out", str(tmp_path / "s.json")],
                         env=env, capture_output=True, text=True, timeout=120)
    assert sar.returncode == 1 and "holds nothing about 'sw9'" in sar.stderr
