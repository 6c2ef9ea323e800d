"""The audit trail and the access log are hash chains: an edit, a deletion or a cut made
directly in the database is found by ``oversight audit verify``, which names the first broken
row; no interface of the product changes or deletes a row."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update

from oversight.adapters.store import tables as t
from oversight.workflows.bootstrap import App
from tests.security.conftest import bearer


def verify(app: App, *, as_json: bool = True) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    """``oversight audit verify`` on the store: exit code, report (with ``--json``), stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVERSIGHT_")}
    env.update(OVERSIGHT_HOME=str(app.settings.home))
    run = subprocess.run([str(Path(sys.executable).parent / "oversight"), "audit", "verify",
                          *(["--json"] if as_json else [])], env=env, capture_output=True,
                         text=True, timeout=120)
    return run.returncode, json.loads(run.stdout) if as_json else {}, run.stderr


def _table(report: dict, name: str) -> dict:  # type: ignore[type-arg]
    return next(entry for entry in report["tables"] if entry["table"] == name)


def test_an_untouched_store_verifies(teams: App) -> None:
    """The seeded store: every audit row chained, intact, exit code 0."""
    code, report, _ = verify(teams)
    assert code == 0 and report["intact"] is True
    with teams.engine.connect() as connection:
        rows = connection.execute(select(func.count()).select_from(t.audit)).scalar_one()
    assert _table(report, "audit")["rows"] == rows > 0


def test_editing_one_audit_row_in_the_database_is_named_by_audit_verify(teams: App) -> None:
    """The fourth audit row's destination is changed by hand: verify fails at that row."""
    with teams.engine.begin() as connection:
        fourth = connection.execute(select(t.audit.c.id, t.audit.c.seq).order_by(
            t.audit.c.seq).offset(3).limit(1)).one()
        connection.execute(update(t.audit).where(t.audit.c.id == fourth.id).values(
            dest="ended"))
    code, report, _ = verify(teams)
    audit = _table(report, "audit")
    assert code == 1 and audit["intact"] is False
    assert (audit["broken_at"], audit["broken_seq"]) == (fourth.id, fourth.seq)
    assert "edited" in audit["reason"]
    code, _, stderr = verify(teams, as_json=False)
    assert code == 1
    assert stderr.strip() == (f"error: audit: broken at row id {fourth.id} (place {fourth.seq} "
                              f"in the chain): the row's content does not match its digest "
                              f"(edited)")


def test_deleting_an_audit_row_is_a_gap_in_the_chain(teams: App) -> None:
    """The second row deleted: verify names the row after it, with row 2 missing."""
    with teams.engine.begin() as connection:
        rows = connection.execute(select(t.audit.c.id, t.audit.c.seq).order_by(
            t.audit.c.seq).limit(3)).all()
        connection.execute(delete(t.audit).where(t.audit.c.id == rows[1].id))
    code, report, _ = verify(teams)
    audit = _table(report, "audit")
    assert code == 1 and audit["broken_at"] == rows[2].id
    assert audit["reason"] == "row 2 of the chain is missing (deleted?)"


def test_cutting_the_last_rows_of_the_access_log_is_found_at_its_head(
        api: TestClient, teams: App, secrets: dict[str, str]) -> None:
    """Three reads logged, the last one deleted: the chain no longer reaches its head."""
    for path in ("/v1/entities/relationship/tm1:sw1", "/v1/entities/assessment/c1",
                 "/v1/entities/asye/sw2"):
        assert api.get(path, headers=bearer(secrets["auditor"])).status_code == 200
    with teams.engine.begin() as connection:
        last = connection.execute(select(func.max(t.access_log.c.id))).scalar_one()
        connection.execute(delete(t.access_log).where(t.access_log.c.id == last))
    code, report, _ = verify(teams)
    log = _table(report, "access_log")
    assert code == 1 and log["rows"] == 2
    assert log["reason"] == "the chain ends at row 2 but its head is row 3 (rows cut from the end?)"


def test_no_route_of_the_api_changes_or_deletes_audit_or_access_log_rows(
        api: TestClient) -> None:
    """The OpenAPI document offers no PUT, PATCH or DELETE at all, and no path under the
    history or the access log takes a POST."""
    document = api.get("/openapi.json").json()
    methods = {(path, method) for path, item in document["paths"].items() for method in item}
    assert not [pair for pair in methods if pair[1] in ("put", "patch", "delete")]
    assert not [path for path, method in methods if method == "post" and (
        "history" in path or "access-log" in path)]
