"""The inbound commands as a person runs them: ``oversight import``, ``oversight token`` and
``oversight calendar`` (in-process, against a store under ``tmp_path``)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from icalendar import Calendar
from sqlalchemy import select

from oversight.adapters.store import inbound
from oversight.adapters.store import tables as t
from oversight.workflows.bootstrap import open_app
from oversight.workflows.settings import Settings
from tests.e2e.conftest import Invoke, json_of


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_staff_and_relationships_import_from_csv_and_a_second_run_changes_nothing(
        store: Path, oversight: Invoke, tmp_path: Path) -> None:
    """Staff, then their relationships: counts printed; the same files again add nothing."""
    staff = _csv(tmp_path / "staff.csv", "Staff ID,Role,Start Date,Manager,Team\n"
                                         "w1,qualified_social_worker,01/09/2021,tm1,east\n"
                                         "w2,practitioner,2022-04-01,tm1,east\n")
    pairs = _csv(tmp_path / "pairs.csv", "supervisor,supervisee,started\n"
                                         "tm1,w1,2026-01-05\ntm1,w2,2026-01-05\n")
    first = oversight("import", "staff", str(staff))
    second = oversight("import", "relationships", str(pairs))
    again = oversight("import", "relationships", str(pairs), "--json")
    assert first.exit_code == 0, first.stderr
    assert "2 staff added, 0 updated, 0 unchanged" in first.stdout
    assert second.exit_code == 0 and "2 event(s) applied, 0 already imported" in second.stdout
    assert json_of(again)["applied"] == 0 and json_of(again)["duplicates"] == 2


def test_a_bad_file_prints_every_problem_by_line_and_column_and_imports_nothing(
        store: Path, oversight: Invoke, tmp_path: Path) -> None:
    """Two bad rows: one line each on stderr, a count, exit code 1; the good row is not kept."""
    staff = _csv(tmp_path / "staff.csv", "id,role,started,line_manager\n"
                                         "w1,qualified_social_worker,2021-09-01,tm1\n"
                                         "w2,wizard,2021-09-01,tm1\n"
                                         "w3,practitioner,2021-09-31,tm9\n")
    result = oversight("import", "staff", str(staff))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: staff.csv: line 3: role: unknown role 'wizard' (roles: student, asye, "
        "qualified_social_worker, family_support_worker, practitioner, residential, manager, "
        "senior_manager, independent_chair, lado, returner)",
        "error: staff.csv: line 4: line_manager: unknown manager 'tm9': not in this file or the "
        "store",
        "error: staff.csv: line 4: started: '2021-09-31' is not a date (write YYYY-MM-DD or "
        "DD/MM/YYYY)",
        "error: staff.csv: 3 problem(s); nothing was imported",
    ]
    with open_app(Settings()).engine.connect() as connection:
        assert connection.execute(select(t.staff.c.id).where(t.staff.c.id == "w1")).first() \
            is None


def test_a_dry_run_checks_and_reports_but_keeps_nothing(
        store: Path, oversight: Invoke, tmp_path: Path) -> None:
    """``--dry-run`` says what would happen; the relationship is not in the store after."""
    pairs = _csv(tmp_path / "pairs.csv", "supervisor,supervisee,started\ntm1,sw1,2026-01-05\n")
    result = oversight("import", "relationships", str(pairs), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Checked (dry run, nothing kept) 1 row(s)")
    assert json_of(oversight("status", "--json"))["entities"] == []


def test_a_token_is_printed_once_stored_as_its_hash_and_revoked_by_id(
        store: Path, oversight: Invoke) -> None:
    """The secret is on stdout once; the store holds its SHA-256; revoking stops it working."""
    created = json_of(oversight("token", "create", "--role", "supervisor", "--person", "tm1",
                                "--json"))
    engine = open_app(Settings()).engine
    with engine.connect() as connection:
        stored = connection.execute(select(t.api_tokens)).mappings().one()
        assert inbound.token_for(connection, created["token"]).role == "supervisor"
    assert stored["hash"] == inbound.token_hash(created["token"])
    assert created["token"] not in json.dumps({k: str(v) for k, v in stored.items()})
    listed = oversight("token", "list")
    assert created["id"] in listed.stdout and created["token"] not in listed.stdout
    revoked = oversight("token", "revoke", created["id"])
    assert revoked.exit_code == 0
    with engine.connect() as connection:
        assert inbound.token_for(connection, created["token"]) is None
    assert oversight("token", "revoke", created["id"]).exit_code == 1


def test_a_personal_token_needs_a_known_person_and_a_known_role(
        store: Path, oversight: Invoke) -> None:
    """A supervisor token for nobody, or a role that does not exist, is refused with a reason."""
    nobody = oversight("token", "create", "--role", "supervisor", "--person", "zz9")
    no_person = oversight("token", "create", "--role", "manager")
    no_role = oversight("token", "create", "--role", "root")
    assert [r.exit_code for r in (nobody, no_person, no_role)] == [1, 1, 1]
    assert "no staff member 'zz9'" in nobody.stderr
    assert "give their id" in no_person.stderr
    assert "'root' is not a role" in no_role.stderr


def test_the_calendar_command_writes_an_ics_file_a_calendar_reads(
        store: Path, oversight: Invoke, tmp_path: Path) -> None:
    """The example ASYE sw1, enrolled on 5 January: weekly sessions due from 12 January."""
    for payload in ({"type": "relationship_started", "on": "2026-01-05", "supervisor": "tm1",
                     "supervisee": "sw1"},
                    {"type": "asye_enrolled", "on": "2026-01-05", "worker": "sw1",
                     "supervisor": "tm1"}):
        assert oversight("event", json.dumps(payload)).exit_code == 0
    target = tmp_path / "sw1.ics"
    result = oversight("calendar", "sw1", "--from", "2026-01-05", "--months", "1",
                       "--out", str(target))
    assert result.exit_code == 0, result.stderr
    days = [event.decoded("dtstart")
            for event in Calendar.from_ical(target.read_bytes()).walk("VEVENT")]
    assert days == [date(2026, 1, 12), date(2026, 1, 19), date(2026, 1, 26), date(2026, 2, 2)]
    assert oversight("calendar", "nobody").exit_code == 1
