"""The store port's repositories: one per kind of row a unit of work hands out.

Each is a :class:`typing.Protocol`; ``adapters/store`` implements them in SQL and
``tests/fakes.py`` in memory. The values they take and return are in
:mod:`oversight.workflows.ports.rows`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from oversight.states.directory import StaffMember
from oversight.states.values import Basis, RuleRef
from oversight.workflows.ports.rows import DueTimer, StaffRecord, StoredEntity, TaskRow


class Entities(Protocol):
    """Lifecycles. Entities loaded in a unit of work stay locked against other writers until it
    ends where the database can (PostgreSQL's ``FOR UPDATE``)."""

    def get(self, kind: str, entity_id: str) -> StoredEntity | None: ...

    def get_many(self, keys: Sequence[tuple[str, str]]
                 ) -> dict[tuple[str, str], StoredEntity]: ...

    def find(self, kind: str, *, subject: str | None = None,
             party: str | None = None) -> list[StoredEntity]:
        """Entities of ``kind`` (about ``subject``, with ``party``), by start date then id."""
        ...

    def counts(self) -> list[tuple[str, str, int]]:
        """(kind, state, how many), sorted by kind then state."""
        ...

    def listing(self, kinds: Sequence[str], *, subjects: Iterable[str] | None = None,
                party: str | None = None, person: str | None = None) -> list[StoredEntity]:
        """Entities of ``kinds`` (about one of ``subjects``; with ``party``; with ``person`` as
        subject or party), by start date then id, without locking them: for read models."""
        ...

    def last_updated(self) -> date | None:
        """The latest day any entity changed on (None for an empty store)."""
        ...


class Timers(Protocol):
    """Durable timers, in firing order (fires_on, id)."""

    def get(self, timer_id: int) -> DueTimer | None: ...

    def due(self, as_of: date, limit: int, after: tuple[date, int] | None = None
            ) -> list[DueTimer]:
        """Timers due on or before ``as_of``, a page at a time after ``after``."""
        ...

    def claim_due(self, as_of: date, limit: int, skip: Sequence[int] = ()) -> list[DueTimer]:
        """Up to ``limit`` due timers, each the earliest of its entity, locked against other
        sweepers until the unit of work ends; ``skip``: timers this sweep saw fail."""
        ...

    def delete(self, timer_ids: Sequence[int]) -> None: ...

    def upcoming(self, limit: int) -> list[dict[str, Any]]:
        """The next ``limit`` timers of the store, every column."""
        ...

    def of_entity(self, kind: str, entity_id: str) -> list[dict[str, Any]]:
        """One entity's armed timers in firing order, every column."""
        ...

    def due_of(self, kind: str, entity_id: str, on: date) -> list[dict[str, Any]]:
        """One entity's armed timers due on or before ``on``, in firing order, every column:
        what an event dated ``on`` catches up first (a store may answer a group's events
        from one read of every timer due by then)."""
        ...


class Tasks(Protocol):
    """Obligations raised by rules."""

    def get_many(self, ids: Sequence[str]) -> list[TaskRow]: ...

    def listing(self, states: Iterable[str] | None = None) -> list[TaskRow]:
        """Every task (or those in ``states``) in the order raised: raised_on, due, id."""
        ...

    def each(self) -> Iterator[TaskRow]:
        """Every task in the order raised, read a page at a time: a large authority's year
        (88,000 tasks) is never held whole."""
        ...

    def of_entity(self, kind: str, entity_id: str) -> list[TaskRow]:
        """One entity's tasks by raised_on, due, id."""
        ...

    def open_of(self, authority: str) -> list[TaskRow]:
        """Every open task raised under ``authority``'s policy, by id."""
        ...

    def due_between(self, start: date, end: date, *,
                    assignees: Iterable[str] | None = None) -> list[TaskRow]:
        """Tasks due from ``start`` to ``end`` (both included), optionally only those assigned
        to one of ``assignees``, by id."""
        ...

    def last_changed(self) -> date | None:
        """The latest day a task was closed or breached on (None if none was)."""
        ...

    def with_entity(self, task_id: str) -> tuple[TaskRow, dict[str, Any]] | None:
        """One task and its entity's ``kind``, ``subject``, ``party`` and ``data`` (what an
        access scope judges), or None."""
        ...

    def search(self, *, assignee: str | None = None, subject: str | None = None,
               team: str | None = None, states: Iterable[str] | None = None,
               due_from: date | None = None, due_to: date | None = None
               ) -> list[tuple[TaskRow, dict[str, Any]]]:
        """Tasks matching every filter given (``subject``: the entity's; ``team``: assigned to a
        member of that team), each with its entity as :meth:`with_entity` gives it, by due
        date then id."""
        ...

    def retime(self, kind: str, entity_id: str, key: str, *, due: date, rule: RuleRef,
               basis: Basis) -> None:
        """A task's new due date, rule and arithmetic, and its ``task:<key>`` timer if armed
        (the timer fires the day after the due date)."""
        ...


class History(Protocol):
    """The audit trail, in the order it was written."""

    def lines(self, kind: str | None = None, entity_id: str | None = None
              ) -> list[dict[str, Any]]:
        """Every line (or one entity's), every column."""
        ...

    def each_line(self) -> Iterator[dict[str, Any]]:
        """Every line in the order written, every column, read a page at a time."""
        ...


class Outbox(Protocol):
    """Messages for the receivers."""

    def add(self, messages: Iterable[dict[str, Any]]) -> None:
        """Append messages in the order given (that order is the delivery order)."""
        ...

    def pending(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        """Undelivered messages whose next attempt is due, in the order added."""
        ...

    def counts(self) -> dict[str, int]:
        """Messages by status."""
        ...


class Staff(Protocol):
    """Members of staff."""

    def member(self, person: str) -> StaffMember | None: ...

    def members(self, people: Iterable[str]) -> dict[str, StaffMember]:
        """The members among ``people``, by id, read together (a batch's directory reads its
        people at once instead of a query each); an unknown id is left out."""
        ...

    def upsert(self, members: Iterable[StaffMember]) -> int:
        """Add or replace each member; how many were written."""
        ...

    def line_managers(self) -> dict[str, str | None]:
        """Every member of staff → their line manager (None at the top)."""
        ...

    def upsert_records(self, records: Iterable[StaffRecord]) -> dict[str, int]:
        """Insert new staff, update changed ones (HR flags too), leave identical ones alone:
        how many were ``added``, ``updated`` and ``unchanged``."""
        ...

    def teams_of(self, people: Iterable[str]) -> set[str]:
        """The teams these people belong to (those with one)."""
        ...


class Meta(Protocol):
    """The store's own settings, by key."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...


class Events(Protocol):
    """Events applied to the store."""

    def claim(self, event_id: str, type_: str, now: datetime) -> bool:
        """Record that ``event_id`` is applied; False if it already was."""
        ...

    def applied(self, event_id: str) -> bool:
        """Whether ``event_id`` was applied."""
        ...

    def live_from(self, prefix: str) -> list[str]:
        """The ids applied that begin with ``prefix`` and were not retracted, in id order
        (an import's own events: ``ssd:``)."""

    def expect(self, event_ids: Sequence[str]) -> None:
        """The ids a group of events is about to claim, in this unit of work: a store may read
        at once which were applied before (the claims then answer without a statement each).
        Nothing else changes: each :meth:`claim` still answers for its own id."""
        ...


class AccessLog(Protocol):
    """Who read which record, when and why: written in the transaction that reads, so a read
    and its line commit together (and a refusal is logged too)."""

    def record(self, *, role: str, resource: str, targets: Iterable[str], outcome: str,
               now: datetime, token_id: str | None = None, person: str | None = None,
               purpose: str | None = None, reader: str | None = None) -> int:
        """One line per target read (or refused), de-duplicated: the token and its person, or
        ``reader`` when there is no token (``os:alice`` at the command line); how many."""
        ...

    def lines(self, *, target: str | None = None, person: str | None = None,
              limit: int = 1000) -> list[dict[str, Any]]:
        """The log oldest first (every column), of one target or one reader's person."""
        ...


class CalendarEvents(Protocol):
    """Each calendar event's SEQUENCE: how many times its session's date moved, as published
    (issue 20). Keyed by the obligation a UID names, never by a date."""

    def published(self, dated: Mapping[str, date]) -> dict[str, int]:
        """Each obligation's SEQUENCE once ``dated`` (obligation to date now given) is
        published: 0 the first time, one more each time its date differs from the one kept."""
        ...

    def known(self, obligations: Iterable[str]) -> dict[str, int]:
        """The SEQUENCE of each of ``obligations`` published before, without recording."""
        ...


__all__ = ["AccessLog", "CalendarEvents", "Entities", "Events", "History", "Meta", "Outbox",
           "Staff", "Tasks", "Timers"]
