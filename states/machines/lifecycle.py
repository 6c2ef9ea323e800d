"""What every lifecycle shares: one ``transitions.Machine`` per kind and policy, whose events
step a model without attaching it, and the bookkeeping of timers and tasks.

A lifecycle is loaded from its stored ``state`` and ``data``, given one event or one due timer,
and returns a :class:`~oversight.states.values.Step`. It never reads the clock: the date comes
with the event or the timer. Tasks follow one pattern everywhere: opened with a due date when
the obligation becomes known, each with a timer ``task:<key>`` that fires the day after it is
due; closed by the event that fulfils it; if the timer fires first the task is breached and an
escalation task goes to the next person in the policy's chain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any, ClassVar

from transitions import MachineError

from oversight.states.directory import Directory
from oversight.states.errors import EventRejected
from oversight.states.events.declaration import Declarations
from oversight.states.events.registry import DECLARATIONS, DomainEvent
from oversight.states.machines.shared_machine import RETRACTED, check_state, copy_data, event_of
from oversight.states.machines.shared_machine import machine_for as machine_for  # re-exported
from oversight.states.policy.model import Citation, Policy
from oversight.states.values import (
    Basis,
    EntityRef,
    RuleRef,
    Step,
    Task,
    TaskChange,
    Timer,
    TransitionRecord,
    rule_from_dict,
    rule_to_dict,
)

TASK_TIMER = "task:"


class Lifecycle:
    """Base of the machines. Subclasses declare states and transitions as plain data."""

    kind: ClassVar[str]
    states: ClassVar[list[str]]
    initial: ClassVar[str]
    final_states: ClassVar[frozenset[str]] = frozenset()
    transitions: ClassVar[list[dict[str, Any]]]
    creates_on: ClassVar[str]
    """The event type that starts a new entity of this kind."""
    declarations: ClassVar[Declarations] = DECLARATIONS
    """The event types declared; the two below are derived from those reaching this kind."""
    handlers: ClassVar[dict[str, str]]
    """Event type → name of the method that handles it."""
    also_starts_on: ClassVar[frozenset[str]] = frozenset()
    """Other event types :meth:`start` takes when the store holds none (a session held)."""

    state: str  # set by transitions while attached; by __init__ otherwise

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if hasattr(cls, "kind"):  # what the declared events ask of this machine, derived once
            cls.handlers, cls.also_starts_on = cls.declarations.of_machine(
                cls.__name__, cls.kind, getattr(cls, "creates_on", None), set(dir(cls)))

    def __init__(self, entity_id: str, *, policy: Policy, directory: Directory,
                 state: str | None = None, data: dict[str, Any] | None = None):
        self.id = entity_id
        self.policy = policy
        self.calendar = policy.working_calendar()
        self.directory = directory
        self.state = state or self.initial
        # Never changed in place: each step works on its own copy (see _run).
        self.data: dict[str, Any] = data if data else {}
        if "tasks" not in self.data:
            self.data = {**self.data, "tasks": {}}
        self._today: date | None = None
        self._cause = ""
        self._actor: str | None = None
        self._rule: RuleRef | None = None
        self._records: list[TransitionRecord] = []
        self._arm: dict[str, Timer] = {}
        self._disarm: list[str] = []
        self._opened: list[Task] = []
        self._changed: list[TaskChange] = []
        self._notes: list[str] = []

    @classmethod
    def ended(cls, state: str) -> bool:
        """Whether an entity in ``state`` is over: a final state, or retracted."""
        return state in cls.final_states or state == RETRACTED

    @classmethod
    def people(cls, data: dict[str, Any]) -> tuple[str, str | None]:
        """The subject (a child or worker) and the other party: how later events find the entity."""
        raise NotImplementedError

    @classmethod
    def starts_under(cls, policy: Policy, event: DomainEvent) -> bool:
        """Whether ``event`` starts an entity of this kind under ``policy``.

        A route may offer an event that only some policies time (a session held without being
        planned, a relationship's file where no retention rule applies); when this says no, the
        service creates nothing and the event's other entities go ahead.
        """
        return True

    # ----- the three ways in ------------------------------------------------------------------

    @classmethod
    def begin(cls, entity_id: str, event: DomainEvent, *, policy: Policy,
              directory: Directory) -> Step:
        """Create the entity from the event that starts it."""
        if event.type != cls.creates_on and event.type not in cls.also_starts_on:
            raise EventRejected(f"{cls.kind}:{entity_id}", "(none)", event.type,
                                f"does not start a {cls.kind}: record {cls.creates_on} first")
        model = cls(entity_id, policy=policy, directory=directory)
        return model._run(event.on, f"event:{event.type}", event.actor,
                          lambda: model.start(event), created=True)

    def apply(self, event: DomainEvent) -> Step:
        """Apply one event; refuse it, changing nothing, if the state does not accept it."""
        handler_name = self.handlers.get(event.type)
        if handler_name is None:
            raise EventRejected(str(self.ref), self.state, event.type, "not an event of this kind")
        handler = getattr(self, handler_name)
        return self._run(event.on, f"event:{event.type}", event.actor, lambda: handler(event))

    def fire(self, timer_name: str, on: date) -> Step:
        """Fire one due timer. Firing a timer whose work is already done changes nothing."""
        if timer_name.startswith(TASK_TIMER):
            key = timer_name[len(TASK_TIMER):]
            return self._run(on, f"timer:{timer_name}", None, lambda: self._breach(key))
        return self._run(on, f"timer:{timer_name}", None, lambda: self.on_timer(timer_name))

    # ----- hooks for subclasses ---------------------------------------------------------------

    def start(self, event: DomainEvent) -> None:
        raise NotImplementedError

    def on_timer(self, name: str) -> None:
        """A state timer (not a task deadline) fell due."""

    def on_task_breached(self, key: str, task: dict[str, Any]) -> None:
        """A task's due date passed before it was met."""

    # ----- helpers for subclasses -------------------------------------------------------------

    @property
    def ref(self) -> EntityRef:
        return EntityRef(self.kind, self.id)

    @property
    def today(self) -> date:
        assert self._today is not None, "only inside a step"
        return self._today

    def step_to(self, trigger: str, rule: RuleRef | None = None) -> None:
        """Fire a transition of the machine and record it in the audit trail."""
        before = self.state
        if rule is not None:
            self._rule = rule
        event = event_of(type(self), self.policy, trigger)
        try:
            event.trigger(self)  # sets self.state: the model need not be attached
        except MachineError:
            raise EventRejected(str(self.ref), before, self._cause.partition(":")[2] or trigger,
                                f"no transition '{trigger}' from '{before}'") from None
        self._records.append(TransitionRecord(before, self.state, trigger, self._cause,
                                              self.today, self._rule, self._actor))

    def may(self, trigger: str) -> bool:
        """Whether ``trigger`` leaves the current state (moves are plain: no conditions)."""
        return self.state in event_of(type(self), self.policy, trigger).transitions

    def record(self, what: str, rule: RuleRef | None = None) -> None:
        """An audit line for an event or timer that changed no state (e.g. a session held)."""
        self._records.append(TransitionRecord(self.state, self.state, what, self._cause,
                                              self.today, rule or self._rule, self._actor))

    def cite(self, rule: str, citation: Citation) -> RuleRef:
        return self.policy.cite(rule, citation)

    def arm(self, name: str, fires_on: date, rule: RuleRef, basis: Basis | None = None) -> None:
        self._arm[name] = Timer(name, fires_on, rule, basis)
        if name in self._disarm:
            self._disarm.remove(name)

    def disarm(self, name: str) -> None:
        self._arm.pop(name, None)
        if name not in self._disarm:
            self._disarm.append(name)

    def open_task(self, key: str, type: str, *, assignee: str, role: str, basis: Basis,
                  rule: RuleRef, subject: str, escalates: str | None = None,
                  level: int = 0) -> None:
        """Open an obligation; its timer fires the day after it is due."""
        if key in self.data["tasks"]:
            return  # already known: reopening would duplicate the obligation
        task = Task(key=key, type=type, assignee=assignee, assignee_role=role, subject=subject,
                    raised_on=self.today, due=basis.result, rule=rule, basis=basis,
                    escalates=escalates, level=level)
        self._opened.append(task)
        self.data["tasks"][key] = {
            "type": type, "due": basis.result.isoformat(), "assignee": assignee, "role": role,
            "subject": subject, "state": "open", "level": level, "escalates": escalates,
            "rule": rule_to_dict(rule),
        }
        self.arm(TASK_TIMER + key, basis.result + timedelta(days=1), rule, basis)

    def tasks_where(self, **match: Any) -> list[str]:
        """Keys of the tasks still held (open, breached or escalated) that match every field."""
        return [key for key, task in self.data["tasks"].items()
                if all(task.get(field) == value for field, value in match.items())]

    def close_tasks(self, keys: Iterable[str]) -> None:
        self._end_tasks(keys, "closed")

    def withdraw_tasks(self, keys: Iterable[str]) -> None:
        self._end_tasks(keys, "withdrawn")

    def reschedule_task(self, key: str, due: date, basis: Basis | None = None) -> None:
        """A task's new due date; ``basis``, when given, is the arithmetic that gave it."""
        task = self.data["tasks"][key]
        task["due"] = due.isoformat()
        self._changed.append(TaskChange(key, "rescheduled", self.today, due, basis))
        if task["state"] == "open":
            self.arm(TASK_TIMER + key, due + timedelta(days=1), rule_from_dict(task["rule"]),
                     basis)

    def note(self, text: str) -> None:
        self._notes.append(text)

    # ----- internals ---------------------------------------------------------------------------

    def _end_tasks(self, keys: Iterable[str], change: str) -> None:
        for key in list(keys):
            task = self.data["tasks"].pop(key, None)
            if task is None:
                continue
            self._changed.append(TaskChange(key, change, self.today))  # type: ignore[arg-type]
            self.disarm(TASK_TIMER + key)
            # An escalation exists only because its task was missed: it ends with it.
            self._end_tasks(self.tasks_where(escalates=key), change)

    def _breach(self, key: str) -> None:
        task = self.data["tasks"].get(key)
        if task is None or task["state"] != "open":
            return  # met, withdrawn or already breached: firing again changes nothing
        rule = rule_from_dict(task["rule"])
        escalation = self.policy.escalation
        level = task["level"]
        target = self.directory.line_manager_of(task["assignee"])
        if level < len(escalation.chain) and target is not None:
            task["state"] = "escalated"
            self._changed.append(TaskChange(key, "escalated", self.today))
            basis = escalation.respond_within.basis(self.today, self.calendar)
            # The deadline and the chain come from the escalation rule, so that is what it cites.
            self.open_task(f"{key}^", "escalation", assignee=target, role=escalation.chain[level],
                           basis=basis, rule=self.cite("escalation", escalation.cite),
                           subject=task["subject"], escalates=key, level=level + 1)
        else:
            task["state"] = "breached"
            self._changed.append(TaskChange(key, "breached", self.today))
        self.record(f"breach {task['type']}", rule)
        self.on_task_breached(key, task)

    def _run(self, on: date, cause: str, actor: str | None, action: Callable[[], None],
             created: bool = False) -> Step:
        self._reset(on, cause, actor)
        check_state(type(self), self.policy, self.state)
        # The step changes a copy: the loaded data (the caller's) stays as it was, for a refused
        # event to leave the entity exactly as it was loaded, and for the caller.
        saved_state, saved_data = self.state, self.data
        self.data = copy_data(saved_data)
        try:
            action()
        except Exception:
            self.state, self.data = saved_state, saved_data
            raise
        return Step(
            entity=self.ref, state=self.state, data=self.data, created=created,
            transitions=tuple(self._records), arm=tuple(self._arm.values()),
            disarm=tuple(self._disarm), opened=tuple(self._opened),
            changed=tuple(self._changed), notes=tuple(self._notes),
        )

    def _reset(self, on: date, cause: str, actor: str | None) -> None:
        self._today, self._cause, self._actor, self._rule = on, cause, actor, None
        self._records, self._arm, self._disarm = [], {}, []
        self._opened, self._changed, self._notes = [], [], []
