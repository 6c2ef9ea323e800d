"""Sealing a commit's audit lines into the hash chain finds them through the ``seq`` index: a
commit costs what it wrote, not the size of an audit trail that only grows."""

from __future__ import annotations

from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App
from tests.integration import team
from tests.integration.test_store_batches import _plan, statements


def test_a_commit_seals_its_audit_lines_without_reading_the_whole_trail(seeded: App) -> None:
    """One more session after the team's quarter: every query on the audit table the commit
    sends (the seal's) is an index search, never a scan of the table; and it is sealed. On
    SQLite the statistics are those a bulk load leaves (``oversight synth`` runs ANALYZE while
    its 100,000 lines are unsealed: ``seq`` looks unselective), under which SQLite scanned the
    whole trail in id order for ``WHERE seq IS NULL ORDER BY id``."""
    if seeded.engine.dialect.name == "sqlite":
        with seeded.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.exec_driver_sql("UPDATE sqlite_stat1 SET stat = '100000 100000' "
                                       "WHERE idx = 'ix_audit_seq'")
        seeded.engine.dispose()  # each new connection reads these statistics
    event = parse_event({"type": "supervision_held", "on": "2026-03-30", "supervisor": "tm1",
                         "supervisee": "w1"})
    with statements(seeded.engine) as seen:
        outcome = seeded.service.record(event, now=team.NOW)
    assert outcome.applied == 1 and outcome.transitions
    reads = [(s, p) for s, p in seen
             if s.lstrip().startswith("SELECT") and "FROM audit" in s]
    assert reads, "the seal reads the commit's unsealed audit lines"
    for statement, parameters in reads:
        plan = _plan(seeded.engine, statement, parameters)
        if seeded.engine.dialect.name == "postgresql":
            assert "Index" in plan, plan
        else:
            assert "SCAN audit" not in plan, (statement, plan)
    with seeded.engine.connect() as connection:
        unsealed = connection.exec_driver_sql(
            "SELECT count(*) FROM audit WHERE seq IS NULL").scalar_one()
    assert unsealed == 0
