"""The wall clock's one edge (adapters/clock.py): the system clock, or a test clock accepted
only beside a scratch store; and the pure conversions it rests on (states/event_time.py)."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import freezegun
import pytest

from oversight.adapters import clock
from oversight.adapters.clock import ClockRefused, is_scratch
from oversight.states.event_time import as_utc, london_today, naive_utc


def test_a_naive_instant_is_taken_as_utc_and_an_aware_one_is_converted_to_utc():
    """SQLite's naive 10:00 is 10:00 UTC; 10:00+01:00 (BST) is 09:00 UTC, in the UTC zone;
    None stays None."""
    assert as_utc(datetime(2026, 6, 1, 10, 0)) == datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    summer = as_utc(datetime(2026, 6, 1, 10, 0, tzinfo=timezone(timedelta(hours=1))))
    assert summer.isoformat() == "2026-06-01T09:00:00+00:00"
    assert as_utc(None) is None


def test_the_chain_digests_every_instant_as_naive_utc():
    """PostgreSQL's aware 10:00+01:00 and SQLite's naive 09:00 are one instant: both read
    as the naive 09:00 the chain's canonical JSON holds."""
    summer = datetime(2026, 6, 1, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    assert naive_utc(summer) == datetime(2026, 6, 1, 9, 0)
    assert naive_utc(summer).tzinfo is None
    assert naive_utc(datetime(2026, 6, 1, 9, 0)) == datetime(2026, 6, 1, 9, 0)


def test_the_london_date_of_an_instant_follows_british_summer_time():
    """23:30 UTC on Sat 27 Jun 2026 is 00:30 BST on Sun 28 Jun; in winter (GMT) 23:30 UTC on
    Mon 7 Dec 2026 is still the 7th in London."""
    assert london_today(datetime(2026, 6, 27, 23, 30, tzinfo=UTC)) == date(2026, 6, 28)
    assert london_today(datetime(2026, 12, 7, 23, 30, tzinfo=UTC)) == date(2026, 12, 7)


def test_without_oversight_clock_the_edge_reads_the_system_clock(monkeypatch):
    """Frozen at 10:00 UTC Mon 7 Dec 2026: now is that instant, today the 7th."""
    monkeypatch.delenv("OVERSIGHT_CLOCK", raising=False)
    with freezegun.freeze_time("2026-12-07T10:00:00+00:00"):
        assert clock.now() == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
        assert clock.today() == date(2026, 12, 7)


def test_a_test_clock_starts_at_its_instant_and_runs_on(monkeypatch, tmp_path: Path):
    """OVERSIGHT_CLOCK=Mon 29 Mar 2027 23:30 UTC beside a store under the temporary folder:
    today is Tue 30 Mar in London (BST began Sun 28 Mar), and time passes from there."""
    monkeypatch.setenv("OVERSIGHT_CLOCK", "2027-03-29T23:30:00+00:00")
    monkeypatch.setenv("OVERSIGHT_DATABASE_URL", f"sqlite:///{tmp_path / 'scratch.db'}")
    first = clock.now()
    assert datetime(2027, 3, 29, 23, 30, tzinfo=UTC) <= first
    assert first < datetime(2027, 3, 29, 23, 31, tzinfo=UTC)
    assert clock.today() == date(2027, 3, 30)
    assert clock.now() >= first


def test_a_test_clock_beside_a_kept_store_is_refused_in_one_line(monkeypatch, tmp_path: Path):
    """A store outside the temporary folder (the temporary folder moved elsewhere here) is a
    kept store: ClockRefused, naming the variable and what to do."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("OVERSIGHT_CLOCK", "2026-12-07T10:00:00+00:00")
    monkeypatch.setenv("OVERSIGHT_DATABASE_URL", f"sqlite:///{tmp_path / 'live.db'}")
    with pytest.raises(ClockRefused) as refused:
        clock.now()
    assert str(refused.value) == (
        "OVERSIGHT_CLOCK is set, but the store is not a scratch store (a test clock is for "
        "tests only: docs/clock.md); unset OVERSIGHT_CLOCK")


def test_a_test_clock_that_is_not_an_instant_is_refused(monkeypatch, tmp_path: Path):
    """"tomorrow" is not an instant: the line says how to write one."""
    monkeypatch.setenv("OVERSIGHT_CLOCK", "tomorrow")
    monkeypatch.setenv("OVERSIGHT_DATABASE_URL", f"sqlite:///{tmp_path / 'scratch.db'}")
    with pytest.raises(ClockRefused, match="is not an instant"):
        clock.now()


@pytest.mark.parametrize(("url", "scratch"), [
    ("sqlite://", True),
    ("sqlite:///:memory:", True),
    ("sqlite:////srv/oversight/oversight.db", False),
    ("postgresql+psycopg://oversight@db/oversight", False),
    ("postgresql+psycopg://oversight@db/oversight_test_ab12_store", True),
    ("postgresql+psycopg://oversight@db/live_oversight_test_", False),
])
def test_a_scratch_store_is_one_nobody_keeps(url: str, scratch: bool):
    """In memory, or a database the suite made; a file under /srv or a named database is
    kept."""
    assert is_scratch(url) is scratch


def test_a_sqlite_file_is_scratch_only_inside_the_temporary_folder(monkeypatch, tmp_path: Path):
    """With the temporary folder at <tmp>/t: <tmp>/t/a/x.db is scratch, <tmp>/x.db is not."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "t"))
    assert is_scratch(f"sqlite:///{tmp_path / 't' / 'a' / 'x.db'}")
    assert not is_scratch(f"sqlite:///{tmp_path / 'x.db'}")

