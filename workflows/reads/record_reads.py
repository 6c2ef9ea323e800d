"""Reading records with their access-log lines, in one unit of work: the read models the edges
call for an entity and what hangs off it (timers, tasks, audit trail), and for tasks.

Every read, allowed or refused, is logged in the transaction that reads (principle: every read
logged), so a read that fails leaves no line and a line never names a read that did not happen.
A reader who may not read the record is refused the same way whether or not it exists
(:class:`~oversight.states.errors.ReadRefused`, logged and committed); only a reader who may read
everything is told that it does not exist (:class:`~oversight.states.errors.UnknownEntity`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from oversight.states.errors import ReadRefused, UnknownEntity
from oversight.workflows.ports.store import StoredEntity, TaskRow, UnitOfWork, UnitOfWorkFactory
from oversight.workflows.reads.access import READERS, Scope, scope_for

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Reader:
    """Who reads, as the access log records them: the credential behind the read."""

    role: str
    token_id: str | None = None
    """The token's id (never the token); None at the command line."""
    person: str | None = None
    """The member of staff the token belongs to, if any."""
    purpose: str | None = None
    """Why they read, if they said (``X-Purpose``, ``OVERSIGHT_PURPOSE``)."""
    reader: str | None = None
    """Who reads when there is no token: the operating-system user (``os:alice``)."""

    def scope(self, uow: UnitOfWork) -> Scope | None:
        """What the reader's role and place in the reporting lines reach; None for a role
        that reads no records at all."""
        return scope_for(uow, self.role, self.person) if self.role in READERS else None

    def log(self, uow: UnitOfWork, resource: str, targets: list[str], now: datetime, *,
            outcome: str = "allowed") -> None:
        uow.access_log.record(role=self.role, resource=resource, targets=targets,
                              outcome=outcome, now=now, token_id=self.token_id,
                              person=self.person, purpose=self.purpose, reader=self.reader)


def visible_entity(uow: UnitOfWork, who: Reader, kind: str, entity_id: str, resource: str,
                   now: datetime) -> StoredEntity:
    """The entity if ``who`` may read it, logged in ``uow``; otherwise the refusal, logged and
    committed, and :class:`ReadRefused` (or :class:`UnknownEntity` for a reader of everything
    when there is no such entity)."""
    # The machines are imported here, not with the module: logging what a command showed
    # (`oversight tasks`) needs none of them, and they take a tenth of a second to import.
    from oversight.states.machines import KINDS

    scope = who.scope(uow)
    stored = uow.entities.get(kind, entity_id) if kind in KINDS else None
    target = f"{kind}:{entity_id}"
    if scope is not None and stored is not None and scope.sees_entity(
            stored.kind, stored.subject, stored.party, stored.data):
        who.log(uow, resource, [target], now)
        return stored
    if scope is not None and scope.everything:
        raise UnknownEntity(f"No {target} in the store.")
    who.log(uow, resource, [target], now, outcome="refused")
    uow.commit()
    raise ReadRefused(f"{who.role} may not read {target}")


def read_entity(store: UnitOfWorkFactory, who: Reader, kind: str, entity_id: str,
                resource: str, now: datetime,
                part: Callable[[UnitOfWork], T]) -> tuple[StoredEntity, T]:
    """The entity and ``part`` of it (read in the same transaction), with the read logged."""
    with store() as uow:
        stored = visible_entity(uow, who, kind, entity_id, resource, now)
        found = part(uow)
        uow.commit()
    return stored, found


def entity(store: UnitOfWorkFactory, who: Reader, kind: str, entity_id: str,
           now: datetime) -> StoredEntity:
    """The lifecycle's row (state, version, people, data), logged as ``entity``."""
    return read_entity(store, who, kind, entity_id, "entity", now, lambda uow: None)[0]


def timers(store: UnitOfWorkFactory, who: Reader, kind: str, entity_id: str,
           now: datetime) -> list[dict[str, Any]]:
    """Its timers still armed, in firing order, logged as ``timers``."""
    return read_entity(store, who, kind, entity_id, "timers", now,
                       lambda uow: uow.timers.of_entity(kind, entity_id))[1]


def tasks(store: UnitOfWorkFactory, who: Reader, kind: str, entity_id: str,
          now: datetime) -> list[dict[str, Any]]:
    """Every task its rules raised, in the order raised, logged as ``tasks``."""
    return read_entity(store, who, kind, entity_id, "tasks", now,
                       lambda uow: uow.tasks.of_entity(kind, entity_id))[1]


def history(store: UnitOfWorkFactory, who: Reader, kind: str, entity_id: str,
            now: datetime) -> list[dict[str, Any]]:
    """Its audit trail in the order written, logged as ``history``."""
    return read_entity(store, who, kind, entity_id, "history", now,
                       lambda uow: uow.history.lines(kind, entity_id))[1]


def person_read(store: UnitOfWorkFactory, who: Reader, person: str, resource: str,
                now: datetime) -> None:
    """Log that ``who`` reads what concerns member of staff ``person`` (their calendar), or
    refuse: :class:`ReadRefused`, logged and committed, whether or not ``person`` exists;
    :class:`UnknownEntity` only for a reader of everything."""
    target = f"person:{person}"
    with store() as uow:
        scope = who.scope(uow)
        known = uow.staff.member(person) is not None
        if scope is None or not known or not scope.sees_person(person):
            if scope is not None and scope.everything:
                raise UnknownEntity("No such staff member.")
            who.log(uow, resource, [target], now, outcome="refused")
            uow.commit()
            raise ReadRefused(f"{who.role} may not read {target}")
        who.log(uow, resource, [target], now)
        uow.commit()


def staff_read(store: UnitOfWorkFactory, who: Reader, person: str, resource: str,
               now: datetime) -> bool:
    """For a reader not bound by a scope (the operator at the command line): log the read of
    what concerns member of staff ``person``; False, with nothing logged, if there is none."""
    with store() as uow:
        if uow.staff.member(person) is None:
            return False
        who.log(uow, resource, [f"person:{person}"], now)
        uow.commit()
    return True


def log_shown(store: UnitOfWorkFactory, who: Reader, resource: str, targets: list[str],
              now: datetime, *, outcome: str = "allowed") -> None:
    """Log records a read model returned and an edge showed (a command's output), in a
    transaction of their own."""
    with store() as uow:
        who.log(uow, resource, targets, now, outcome=outcome)
        uow.commit()


def access_log(store: UnitOfWorkFactory, who: Reader, *, target: str | None = None,
               person: str | None = None, limit: int = 1000,
               now: datetime) -> list[dict[str, Any]]:
    """The access log, oldest first, of one target or one person's reads; reading it is itself
    logged (the log names people), in the same transaction."""
    with store() as uow:
        rows = uow.access_log.lines(target=target, person=person, limit=limit)
        who.log(uow, "access-log", [f"access-log:{target or person or 'all'}"], now)
        uow.commit()
    return rows


# ----- tasks ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TaskFilter:
    """What a task listing asks for (every filter that is set must match)."""

    person: str | None = None
    """Assigned to this member of staff."""
    subject: str | None = None
    """About this child or worker."""
    team: str | None = None
    """Assigned to a member of this team."""
    states: list[str] | None = None
    due_from: date | None = None
    due_to: date | None = None


def refused_filter(scope: Scope | None, asked: TaskFilter) -> str | None:
    """The filter a scoped reader may not ask for, as an access-log target."""
    if scope is None or scope.everything:
        return None
    if asked.person is not None and not scope.sees_person(asked.person):
        return f"person:{asked.person}"
    if asked.team is not None and not scope.sees_team(asked.team):
        return f"team:{asked.team}"
    return None


def task_page(store: UnitOfWorkFactory, who: Reader, asked: TaskFilter, *, limit: int,
              offset: int, now: datetime) -> tuple[list[TaskRow], int]:
    """One page of the tasks ``who`` may read that match ``asked``, by due date, and how many
    match in all; each listed task's entity is logged (``tasks``), or the refusal."""
    with store() as uow:
        scope = who.scope(uow)
        refused = refused_filter(scope, asked)
        if scope is None or refused:
            who.log(uow, "tasks", [refused or "tasks"], now, outcome="refused")
            uow.commit()
            raise ReadRefused(f"{who.role} may not list these tasks")
        rows = uow.tasks.search(assignee=asked.person, subject=asked.subject, team=asked.team,
                                states=asked.states, due_from=asked.due_from,
                                due_to=asked.due_to)
        seen = [task for task, entity in rows if scope.sees_task(task, entity)]
        page = seen[offset:offset + limit]
        who.log(uow, "tasks", [f"{task['entity_kind']}:{task['entity_id']}"
                               for task in page] or ["tasks"], now)
        uow.commit()
    return page, len(seen)


def task(store: UnitOfWorkFactory, who: Reader, task_id: str, now: datetime) -> TaskRow:
    """One task if ``who`` may read it (its entity logged as ``task``); otherwise the refusal,
    logged, and :class:`ReadRefused` (:class:`UnknownEntity` for a reader of everything when
    there is no such task)."""
    with store() as uow:
        scope = who.scope(uow)
        found = uow.tasks.with_entity(task_id)
        if found is not None and scope is not None and scope.sees_task(*found):
            row, _ = found
            who.log(uow, "task", [f"{row['entity_kind']}:{row['entity_id']}"], now)
            uow.commit()
            return row
        if found is None and scope is not None and scope.everything:
            raise UnknownEntity("No such task.")
        who.log(uow, "task", [f"task:{task_id}"], now, outcome="refused")
        uow.commit()
    raise ReadRefused(f"{who.role} may not read task {task_id}")


__all__ = ["Reader", "TaskFilter", "access_log", "entity", "history", "log_shown", "person_read",
           "read_entity", "refused_filter", "staff_read", "task", "task_page", "tasks", "timers",
           "visible_entity"]
