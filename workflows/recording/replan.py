"""``oversight replan``: move the open tasks of a store onto a new version of its policy.

:func:`preview` only reads. :func:`apply` moves every task in one transaction: the task's due
date, rule and arithmetic, its ``task:<key>`` timer, one audit line per task citing the new
version's rule, the entity's recorded version, and a ``rescheduled`` message for the receivers.
No Prefect: it is one transaction on the store.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from itertools import groupby

from oversight.states.errors import OversightError
from oversight.states.policy.book import PolicyBook
from oversight.states.policy.index import rule_at
from oversight.states.policy.model import Policy
from oversight.states.values import EntityRef, Step, TransitionRecord, rule_to_dict
from oversight.states.views.replan import Move, Replan, plan_replan
from oversight.workflows.ports.store import SavedStep, UnitOfWork, UnitOfWorkFactory, task_id
from oversight.workflows.recording.messages import task_message


def preview(store: UnitOfWorkFactory, book: PolicyBook, target: Policy) -> Replan:
    """What :func:`apply` would move; nothing changes."""
    with store() as uow:
        return plan_replan(book, target, uow.tasks.open_of(book.authority))


def apply(store: UnitOfWorkFactory, book: PolicyBook, target: Policy, *, on: date, now: datetime,
          link_base: str = "http://localhost:8000") -> Replan:
    """Move the open tasks onto ``target``, all in one transaction, recorded on day ``on``."""
    if on < target.effective_from:
        raise OversightError(
            f"version {target.version} of the {book.authority} policy takes effect on "
            f"{target.effective_from.isoformat()}: replan can apply it from that day "
            f"(--dry-run shows the moves now)")
    with store() as uow:
        plan = plan_replan(book, target, uow.tasks.open_of(book.authority))
        by_entity = groupby(sorted(plan.moves, key=lambda m: (m.entity_kind, m.entity_id)),
                            key=lambda m: (m.entity_kind, m.entity_id))
        for (kind, entity_id), moves in by_entity:
            _move_entity(uow, target, kind, entity_id, list(moves), on, now, link_base)
        uow.commit()
    return plan


def _move_entity(uow: UnitOfWork, target: Policy, kind: str, entity_id: str,
                 moves: list[Move], on: date, now: datetime, link_base: str) -> None:
    stored = uow.entities.get(kind, entity_id)
    if stored is None:  # a task row without its entity: nothing to keep consistent
        raise OversightError(f"task {moves[0].task_id} belongs to {kind}:{entity_id}, "
                             f"which is not in the store")
    data = dict(stored.data)
    data["tasks"] = {key: dict(task) for key, task in stored.data["tasks"].items()}
    records = []
    for move in moves:
        indexed = rule_at(target, move.rule)
        assert indexed is not None, "plan_replan only moves tasks whose rule the version has"
        rule = target.cite(move.rule, indexed.cite)
        if move.key in data["tasks"]:
            data["tasks"][move.key].update(due=move.new_due.isoformat(), rule=rule_to_dict(rule))
        uow.tasks.retime(kind, entity_id, move.key, due=move.new_due, rule=rule, basis=move.basis)
        records.append(TransitionRecord(
            stored.state, stored.state, f"reschedule {move.type}",
            f"replan:{target.authority}@{target.version}", on, rule))
    step = Step(entity=EntityRef(kind, entity_id), state=stored.state, data=data,
                transitions=tuple(records))
    entity = dataclasses.replace(stored, version=stored.version + 1,
                                 policy_version=target.version, data=data,
                                 updated_on=max(stored.updated_on, on))
    uow.save_steps([SavedStep(step, entity)], recorded_at=now)
    rows = {row["id"]: row for row in uow.tasks.get_many([move.task_id for move in moves])}
    uow.outbox.add(task_message(rows[task_id(kind, entity_id, move.key)], "rescheduled", on,
                                now=now, authority=target.authority, link_base=link_base)
                   for move in moves)


__all__ = ["apply", "preview"]
