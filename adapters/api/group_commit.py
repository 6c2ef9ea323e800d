"""Group commit: one writer thread applies the events the API's requests queue, and commits
what was queued together.

A request to ``POST /v1/events`` hands its event (with the moment it was received) to the
queue and waits, on the event loop, holding no worker thread. The writer takes every event
queued since its last commit, up to :data:`GROUP_MOST`, applies them in queue order with
:meth:`~oversight.workflows.recording.service.OversightService.record_each` (one transaction, each
event in its own savepoint), commits once, and only then answers each waiting request with its own
outcome, or with the refusal that rolled back its event alone. Each request so gets the answer
it would have had on its own, while one commit (and one seal of the audit chain) serves the
whole group; a store with one writer at a time (SQLite) no longer makes eight requests queue on
its lock, each paying a commit.

A ``POST /v1/events/batch`` request is queued whole and applied alone, in its place in the
queue, with ``record_all`` (all or none, as before): the API process writes events through one
thread, in the order the requests arrived.

If a group fails for an unexpected reason (a bug, the store going away), no request of the
group is failed by another's event: each event is applied again on its own with
``record``, and gets its own answer. On PostgreSQL each API process has its own writer; the
service retries a group that collided with another process's writes on the new state.

The writer is started and stopped with the application's lifespan; when no lifespan runs (an
app served with ``lifespan="off"``), each request records its event directly, as the CLI does.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from starlette.concurrency import run_in_threadpool

from oversight.adapters.api.problems import Problem
from oversight.states.errors import OversightError
from oversight.states.events.registry import DomainEvent
from oversight.workflows.recording.service import OversightService
from oversight.workflows.recording.stepping import Outcome

GROUP_MOST = 256
"""The most events one group commits: a bound on the transaction, never a wait for more (the
writer takes what is queued when it is free, however few)."""

log = logging.getLogger("oversight.api")


@dataclass(frozen=True)
class _Single:
    """One request's event, waiting for the group it is committed with."""

    event: DomainEvent
    now: datetime
    token: str | None = None
    """The id of the token that posted it, checked live at the group's write."""
    answer: Future[Outcome] = field(default_factory=Future)


@dataclass(frozen=True)
class _Batch:
    """One batch request's events: applied alone, all or none."""

    events: Sequence[DomainEvent]
    now: datetime
    dry_run: bool
    token: str | None = None
    answer: Future[Outcome] = field(default_factory=Future)


async def _answer(answer: Future[Outcome]) -> Outcome:
    # Shielded: a request cancelled while it waits (its client went away) leaves its event in
    # the group, written as if the client had stayed, as a request already in a worker thread
    # always was; a retry with the same event_id is then a duplicate (200).
    return await asyncio.shield(asyncio.wrap_future(answer))


LiveTokens = Callable[[set[str], datetime], set[str]]
"""Which of these token ids are live at this instant (one read of the store)."""

REVOKED = Problem(401, "unauthenticated", "The token is unknown, expired or revoked.",
                  headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
"""The answer to an event whose token stopped being live before its group was written."""


_STOP = object()
"""Put last on the queue by :meth:`GroupCommit.stop`: what was queued before it is written."""


class GroupCommit:
    """The API process's one writer of events."""

    def __init__(self, service: OversightService, *, most: int = GROUP_MOST,
                 one_writer_lock: bool = False, live_tokens: LiveTokens | None = None):
        self.service = service
        # The API takes a token it has seen live from memory (auth.event_poster): the writer
        # checks the tokens of each group in the store before writing it, so a token revoked
        # (or expired) since is refused at once, with one read per group instead of per request.
        self.live_tokens = live_tokens
        self.most = most
        self._turn = threading.Lock()
        # A store with one write lock for everyone (SQLite: every transaction takes it): the
        # API's own short transactions wait for the writer on this lock, in the process.
        self._turns = one_writer_lock
        self.groups = 0
        """Groups committed so far (a batch request counts as one)."""
        self.largest = 0
        """The most events a group of single requests has held."""
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        # Held while a request is queued and while the writer is started or stopped: nothing
        # can be queued after the stop mark, where no writer would ever take it.
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._thread is not None

    def waiting(self) -> int:
        """How many requests are queued and not yet taken by the writer."""
        return self._queue.qsize()

    def turn(self) -> AbstractContextManager[object]:
        """Held while the writer's transaction is open. On a store with one write lock (SQLite),
        the API's own short transactions (the token check) take it too: in this process they
        wait here and are woken the moment the writer commits, instead of polling the store's
        lock, whose busy handler sleeps up to 100 ms between tries (and keeps the writer's next
        group waiting behind them as well). Elsewhere (PostgreSQL) nothing waits."""
        return self._turn if self._turns and self.running else nullcontext()

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._write, daemon=True,
                                                name="oversight-group-commit")
                self._thread.start()

    def stop(self) -> None:
        """Write what is queued, then end the writer; later requests record directly."""
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is not None:
                self._queue.put(_STOP)
        if thread is not None:
            thread.join()

    # ----- what a request calls ---------------------------------------------------------------

    async def record(self, event: DomainEvent, *, now: datetime,
                     token: str | None = None) -> Outcome:
        """``service.record(event, now=now)``, answered after the commit of its group; refused
        (401) if ``token`` is no longer live when the group is written."""
        answer = self.submit(event, now=now, token=token)
        if answer is None:
            return await run_in_threadpool(self.service.record, event, now=now)
        return await _answer(answer)

    async def record_all(self, events: Sequence[DomainEvent], *, now: datetime,
                         dry_run: bool = False, token: str | None = None) -> Outcome:
        """``service.record_all(events, …)``, in its place among the writer's groups."""
        answer = self._queued(_Batch(events, now, dry_run, token))
        if answer is None:
            return await run_in_threadpool(self.service.record_all, events, now=now,
                                           dry_run=dry_run)
        return await _answer(answer)

    def submit(self, event: DomainEvent, *, now: datetime,
               token: str | None = None) -> Future[Outcome] | None:
        """Queue ``event`` for the next group: its answer (an :class:`Outcome`, or the refusal
        it raises), set after the group's commit; None when no writer runs."""
        return self._queued(_Single(event, now, token))

    def _queued(self, pending: _Single | _Batch) -> Future[Outcome] | None:
        with self._lock:
            if self._thread is None:
                return None
            self._queue.put(pending)
            return pending.answer

    # ----- the writer thread ------------------------------------------------------------------

    def _write(self) -> None:
        held: object = None  # taken from the queue while gathering a group, written next
        while True:
            item = held if held is not None else self._queue.get()
            held = None
            if item is _STOP:
                return
            if isinstance(item, _Batch):
                with self._turn:
                    self._write_batch(item)
                continue
            assert isinstance(item, _Single)
            group = [item]
            while len(group) < self.most:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if not isinstance(more, _Single):
                    held = more
                    break
                group.append(more)
            with self._turn:
                self._write_group(group)

    def _refused(self, pendings: Sequence[_Single | _Batch]) -> set[int]:
        """The positions of ``pendings`` whose token is no longer live (answered 401 here)."""
        tokens = {p.token for p in pendings if p.token is not None}
        if not tokens or self.live_tokens is None:
            return set()
        try:
            live = self.live_tokens(tokens, max(p.now for p in pendings))
        except Exception as error:  # the store away: each request gets the error (a 503)
            for pending in pendings:
                pending.answer.set_exception(error)
            return set(range(len(pendings)))
        refused = {n for n, p in enumerate(pendings) if p.token is not None
                   and p.token not in live}
        for n in refused:
            pendings[n].answer.set_exception(REVOKED)
        return refused

    def _write_group(self, group: list[_Single]) -> None:
        refused = self._refused(group)
        group = [pending for n, pending in enumerate(group) if n not in refused]
        if not group:
            return
        try:
            results = self.service.record_each([(p.event, p.now) for p in group])
        except Exception:
            log.exception("a group of %d event(s) failed; writing each on its own", len(group))
            for pending in group:
                self._write_alone(pending)
            return
        self.groups += 1
        self.largest = max(self.largest, len(group))
        for pending, result in zip(group, results, strict=True):
            if isinstance(result, OversightError):
                pending.answer.set_exception(result)
            else:
                pending.answer.set_result(result)

    def _write_alone(self, pending: _Single) -> None:
        try:
            pending.answer.set_result(self.service.record(pending.event, now=pending.now))
        except Exception as error:  # the request's own answer: a problem, a 503, a 500
            pending.answer.set_exception(error)

    def _write_batch(self, pending: _Batch) -> None:
        if self._refused([pending]):
            return
        try:
            pending.answer.set_result(self.service.record_all(
                pending.events, now=pending.now, dry_run=pending.dry_run))
        except Exception as error:
            pending.answer.set_exception(error)
        self.groups += 1


__all__ = ["GROUP_MOST", "REVOKED", "GroupCommit", "LiveTokens"]
