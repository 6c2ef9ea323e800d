"""A store that cannot be used reaches the edges as the port's StoreUnavailable: the store
adapter turns the database's operational errors into it (adapters/store/database.py), and the
API answers it with a 503 problem, naming no SQL of its own (adapters/api/problems.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from oversight.adapters.api import create_app
from oversight.adapters.store.database import StoreBusy
from oversight.adapters.store.unit_of_work import SqlStore
from oversight.workflows.bootstrap import App
from oversight.workflows.ports.credentials import StoreUnavailable
from tests.e2e.api_server import NOW, make_store


@pytest.fixture
def tokenless(tmp_path: Path) -> Iterator[App]:
    """A store whose token table is gone: every request's token lookup fails in the database."""
    app = make_store(tmp_path)
    with app.engine.begin() as connection:
        connection.execute(text("DROP TABLE api_tokens"))
    yield app
    app.engine.dispose()


def test_a_statement_the_store_cannot_run_raises_the_ports_store_unavailable(tokenless):
    """The token lookup meets "no such table": the port's error, still sqlalchemy's
    OperationalError with the driver's own error, so the CLI's line and the retries read it."""
    with pytest.raises(StoreUnavailable) as raised:
        tokenless.credentials.token_for("ovt_unknown", now=NOW, touch=False)
    assert isinstance(raised.value, OperationalError)
    assert str(raised.value.orig) == "no such table: api_tokens"  # type: ignore[attr-defined]


def test_the_api_answers_a_store_it_cannot_use_with_a_503_and_retry_after(tokenless):
    """GET /v1/tasks with a token to look up: 503 store-unavailable, Retry-After: 1."""
    with TestClient(create_app(tokenless, clock=lambda: NOW),
                    base_url="http://127.0.0.1") as client:
        answer = client.get("/v1/tasks", headers={"Authorization": "Bearer ovt_anything"})
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "1"
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == "urn:oversight:problem:store-unavailable"


class _SerialisationFailure(Exception):
    sqlstate = "40001"  # PostgreSQL's serialization_failure


def test_a_serialisation_failure_as_the_ports_error_is_still_a_collision_to_retry():
    """The store's error keeps the driver's SQLSTATE: the service's retry still sees
    "locked" (40001), as it did with sqlalchemy's own OperationalError."""
    error = StoreBusy("UPDATE entities SET state = 'x'", {}, _SerialisationFailure("x"))
    assert SqlStore(engine=None).collision(error) == "locked"  # type: ignore[arg-type]
