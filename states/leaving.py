"""A leaver's obligations end on the leaving day: the step ``staff_left`` makes in a lifecycle.

The lifecycles that hold a person's obligations have no handler of their own for a leaving; this
is the one step each takes, dated the leaving day (the supervision file has its own, hull §3):

- **their supervision** (a relationship, as supervisee or supervisor): ended as ``left``, every
  task withdrawn. A supervisor's leaving leaves the supervisee still owed supervision: the
  supervisor's line manager gets a task to arrange it, citing the supervisee's cadence rule.
- **children allocated to them** (assessments, child supervision, oversight): the child's
  obligations stand; the manager gets a task to reallocate the child, citing the policy's
  management oversight at allocation (where it has one).
- **anything else** (their ASYE, sessions, team duties): open tasks due from the leaving day on
  withdrawn (all of them when the lifecycle is about the leaver, else those assigned to them)
  and, when it is about them, its timers disarmed; what was already missed stands.

Pure, like every step: the replay of a re-derivation takes the same step.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from oversight.states.events import RelationshipEnded, StaffLeft
from oversight.states.machines.lifecycle import TASK_TIMER, Lifecycle
from oversight.states.values import Basis, Step

CHILDREN = ("assessment", "child_supervision", "oversight")
"""Lifecycles about a child: their obligations outlive the worker's leaving."""
OWN_HANDLER = ("supervision_file",)
"""Lifecycles that handle the leaving themselves."""


def leaving_step(machine: Lifecycle, event: StaffLeft, *, timers: Iterable[str]) -> Step:
    """The step ``event`` makes in ``machine`` (loaded with its state); ``timers``: the names
    armed for it now."""
    person, names = event.person, list(timers)

    def action() -> None:
        data = machine.data
        subject, _ = machine.people(data)
        if machine.kind == "relationship":
            # A relationship's lifecycle has record_end; the Lifecycle base does not.
            machine.record_end(RelationshipEnded(  # type: ignore[attr-defined]
                on=event.on, supervisor=data["supervisor"], supervisee=data["supervisee"],
                reason="left", actor=event.actor))
            if data["supervisor"] == person:
                _arrange_supervision(machine, person)
        elif machine.kind in CHILDREN:
            _reallocate(machine, person)
        else:
            # What was already missed by the leaving day stands (the sweep judges it); what
            # falls due from that day on is no longer owed.
            missed = {key for key, task in data["tasks"].items() if task["state"] != "open"
                      or date.fromisoformat(task["due"]) < event.on}
            machine.withdraw_tasks([key for key, task in data["tasks"].items()
                                    if key not in missed
                                    and (subject == person or task["assignee"] == person)])
            if subject == person:
                for name in names:
                    if not (name.startswith(TASK_TIMER) and name[len(TASK_TIMER):] in missed):
                        machine.disarm(name)
        machine.record(f"staff left: {person}'s obligations end")

    # A step the machine has no handler for, run the way its own steps are run.
    return machine._run(event.on, f"event:{event.type}", event.actor, action)  # noqa: SLF001


def _arrange_supervision(machine: Lifecycle, person: str) -> None:
    role = machine.data["role"]
    cadence = machine.policy.cadence_for(role)
    if cadence is None:
        return
    manager = machine.directory.line_manager_of(person) or person
    machine.data["seq"] = machine.data.get("seq", 0) + 1
    machine.open_task(f"new_supervisor:{machine.data['seq']}", "arrange_supervision",
                      assignee=manager, role="line_manager",
                      basis=Basis(machine.today, "at the supervisor's leaving", machine.today),
                      rule=machine.cite(f"personal_supervision.roles.{role}", cadence.cite),
                      subject=f"supervisee:{machine.data['supervisee']}")


def _reallocate(machine: Lifecycle, person: str) -> None:
    rules = machine.policy.management_oversight
    trigger = next((t for t in rules.triggers if "allocat" in t.trigger), None) if rules else None
    manager = machine.data.get("manager") or machine.directory.line_manager_of(person)
    if rules is None or trigger is None or manager is None:
        machine.note("no allocation oversight rule or no manager: nobody to ask to reallocate")
        return
    within = trigger.within or rules.within
    machine.open_task(f"reallocate:{person}", "reallocate_child", assignee=manager,
                      role="manager", basis=within.basis(machine.today, machine.calendar),
                      rule=machine.cite(f"management_oversight.triggers.{trigger.trigger}",
                                        trigger.cite),
                      subject=f"child:{machine.data['child']}")


__all__ = ["CHILDREN", "OWN_HANDLER", "leaving_step"]
