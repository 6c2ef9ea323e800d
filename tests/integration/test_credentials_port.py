"""The credentials port on a real SQLite store (adapters/store/gate.py): each call is its own
transaction, a lookup without ``touch`` writes nothing, and a feed's read is logged with it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from oversight.adapters.store import inbound
from oversight.workflows.bootstrap import App
from oversight.workflows.ports.credentials import TokenRecord
from tests.e2e.api_server import NOW, make_store


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    app = make_store(tmp_path)
    yield app
    app.engine.dispose()


def issued(app: App, *, role: str, person: str | None) -> tuple[TokenRecord, str]:
    """A token made at NOW, living a day, as `oversight token create` makes one."""
    made = app.secrets.create_token(role=role, person=person, now=NOW,
                                    lifetime=timedelta(days=1), acts_for=False, on_staff=False)
    assert made is not None
    return made


def _log(app: App) -> list[tuple[str, str, str | None, str]]:
    with app.engine.connect() as connection:
        return [(line["resource"], line["target"], line["reader"], line["outcome"])
                for line in inbound.access_log(connection)]


def test_a_lookup_without_touch_records_no_last_use_and_one_with_touch_records_it(app):
    """A token made at 09:00 on Monday 2 March 2026, looked up at 09:05: untouched, no last
    use; touched, 09:05."""
    gate = app.credentials
    record, secret = issued(app, role="admin", person=None)
    later = NOW + timedelta(minutes=5)
    assert gate.token_for(secret, now=later, touch=False).last_used_at is None
    gate.token_for(secret, now=later)
    found = gate.token_for(secret, now=later, touch=False)
    assert (found.id, found.last_used_at) == (record.id, later)


def test_a_secret_that_opens_no_feed_is_none_and_its_refusal_is_logged(app):
    """cal_nothing is no feed: None, and one line: calendar-feed, feed:unknown, refused."""
    assert app.credentials.feed_person("cal_nothing", now=NOW) is None
    assert _log(app) == [("calendar-feed", "feed:unknown", "feed", "refused")]


def test_a_session_opened_is_found_until_it_is_ended(app):
    """A session opened at 09:00 is live at 09:10 (30 minutes' idle allowed), gone once ended."""
    gate = app.credentials
    record, _ = issued(app, role="auditor", person="aud1")
    session_id, csrf = gate.open_session(record, now=NOW)
    at = NOW + timedelta(minutes=10)
    found = gate.session_for(session_id, now=at, idle=timedelta(minutes=30))
    assert found is not None and (found.token.id, found.csrf) == (record.id, csrf)
    assert gate.end_session(session_id, now=at) is True
    assert gate.session_for(session_id, now=at, idle=timedelta(minutes=30)) is None
