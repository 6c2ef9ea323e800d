"""The outbox's delivery order (``seq``) when the next number is kept for a unit of work, and an
event id claimed in one statement, on both stores."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from oversight.adapters.store import tables as t
from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.workflows.bootstrap import App

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _message(ident: str) -> dict[str, Any]:
    return {"id": ident, "task_id": f"task-{ident}", "type": "test.opened",
            "message": {"id": ident}, "created_at": NOW, "status": "pending", "attempts": 0,
            "next_attempt_at": NOW}


def _in_order(app: App) -> list[tuple[str, int]]:
    with app.engine.connect() as connection:
        return [(ident, seq) for ident, seq in connection.execute(
            select(t.outbox.c.id, t.outbox.c.seq).order_by(t.outbox.c.seq))]


def test_messages_added_in_later_units_of_work_are_numbered_after_the_earlier_ones(
        app: App) -> None:
    """Numbers read once per unit of work still follow the rows an earlier one committed."""
    with SqlUnitOfWork(app.engine) as uow:
        uow.outbox.add([_message("a"), _message("b")])
        uow.commit()
    with SqlUnitOfWork(app.engine) as uow:
        uow.outbox.add([_message("c")])
        uow.outbox.add([_message("d")])
        uow.commit()
    found = _in_order(app)
    assert [ident for ident, _ in found] == ["a", "b", "c", "d"]
    if app.engine.dialect.name == "sqlite":  # PostgreSQL's identity numbers them itself
        assert [seq for _, seq in found] == [1, 2, 3, 4]


def test_a_rolled_back_savepoint_gives_its_numbers_to_the_next_messages(app: App) -> None:
    """The message undone by a savepoint leaves no gap on SQLite and no row on either store."""
    with SqlUnitOfWork(app.engine) as uow:
        uow.outbox.add([_message("kept")])
        savepoint = uow.savepoint()
        uow.outbox.add([_message("undone-1"), _message("undone-2")])
        savepoint.rollback()
        uow.outbox.add([_message("after")])
        savepoint = uow.savepoint()
        uow.outbox.add([_message("last")])
        savepoint.commit()
        uow.commit()
    found = _in_order(app)
    assert [ident for ident, _ in found] == ["kept", "after", "last"]
    if app.engine.dialect.name == "sqlite":
        # kept took 1; the undone pair took 2 and 3 and gave them back; after 2, last 3.
        assert [seq for _, seq in found] == [1, 2, 3]


def test_an_event_id_is_claimed_once_within_and_across_units_of_work(app: App) -> None:
    """The first claim of an id is True, every later one False, and one row is kept."""
    with SqlUnitOfWork(app.engine) as uow:
        assert uow.events.claim("ev-1", "supervision_held", NOW) is True
        assert uow.events.claim("ev-1", "supervision_held", NOW) is False
        assert uow.events.claim("ev-2", "supervision_held", NOW) is True
        uow.commit()
    with SqlUnitOfWork(app.engine) as uow:
        assert uow.events.claim("ev-2", "supervision_held", NOW) is False
        assert uow.events.claim("ev-3", "relationship_started", NOW) is True
        uow.commit()
    with app.engine.connect() as connection:
        kept = connection.execute(select(t.processed_events.c.event_id, t.processed_events.c.type)
                                  .order_by(t.processed_events.c.event_id)).all()
    assert [tuple(row) for row in kept] == [("ev-1", "supervision_held"),
                                            ("ev-2", "supervision_held"),
                                            ("ev-3", "relationship_started")]


X, Y, Z = (str(uuid.uuid5(uuid.NAMESPACE_URL, name)) for name in "xyz")


def test_a_message_whose_id_is_taken_gets_the_next_id_in_its_own_place(app: App) -> None:
    """A change raised again (id already in the outbox, or twice in one add) is renewed to
    ``uuid5(id, "again:n")`` and keeps its position in the delivery order."""
    with SqlUnitOfWork(app.engine) as uow:
        uow.outbox.add([_message(X)])
        uow.commit()
    with SqlUnitOfWork(app.engine) as uow:
        uow.outbox.add([_message(Y), _message(X), _message(Z), _message(Y)])
        uow.commit()
    again = {ident: str(uuid.uuid5(uuid.UUID(ident), "again:1")) for ident in (X, Y)}
    found = _in_order(app)
    # X was there; in the second add X is taken by the first, and Y by its own first copy.
    assert [ident for ident, _ in found] == [X, Y, again[X], Z, again[Y]]
    if app.engine.dialect.name == "sqlite":
        assert [seq for _, seq in found] == [1, 2, 3, 4, 5]
    with app.engine.connect() as connection:
        bodies = dict(connection.execute(select(t.outbox.c.id, t.outbox.c.message)).all())
    assert bodies[again[X]] == {"id": again[X]}  # the message carries its new id
