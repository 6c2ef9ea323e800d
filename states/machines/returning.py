"""Hull §3's returner cadence for a supervisee already in post: after "a major change of role"
(``role_changed``) or on returning from "a career break or other long term absence"
(``returned_to_work`` with ``absent_days`` at least the cadence's ``after_absence``), supervision
is "fortnightly for the first 3 months and then a minimum of monthly", counted from that day.

A mixin of :class:`~oversight.states.machines.relationship.SupervisoryRelationship`, whose
handlers name these methods; kept apart so that each module stays one concept.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from oversight.states.events import ReturnedToWork, RoleChanged


class ReturnerCadence:
    """The returner handlers of a relationship (``self`` is the relationship's machine)."""

    data: dict[str, Any]

    def record_role_change(self: Any, event: RoleChanged) -> None:
        """A major change of role: the returner cadence from that day, where the policy has it
        (or the new role's cadence, if the event names one and there is none)."""
        self._become_returner(event.on, event.role)

    def record_return_to_work(self: Any, event: ReturnedToWork) -> None:
        """Back after an absence: a returner if it lasted as long as the policy's threshold."""
        returner = self.policy.cadence_for("returner")
        threshold = returner.after_absence if returner else None
        away = event.on - timedelta(days=event.absent_days or 0)
        if event.absent_days is None or threshold is None \
                or threshold.after(away, self.calendar) > event.on:
            self.step_to("note_staff_change")
            return
        self._become_returner(event.on, None)

    def _become_returner(self: Any, on: date, role: str | None) -> None:
        returner = self.policy.cadence_for("returner")
        if self.data["role"] == "asye" or (returner is None and role is None):
            self.step_to("note_staff_change")
            self.note("no returner cadence in this policy (or the ASYE keeps the cadence)")
            return
        new_role = "returner" if returner is not None else role
        cadence = self.policy.cadence_for(new_role or "")
        self.step_to("note_staff_change", self.cite(f"personal_supervision.roles.{new_role}",
                                                    cadence.cite) if cadence else None)
        self.data.update(role=new_role, phase_from=on.isoformat())
        # What was already missed stands; what falls due under the old cadence is replaced.
        self.withdraw_tasks(key for key in self.tasks_where(type="personal_supervision",
                                                            state="open")
                            if date.fromisoformat(self.data["tasks"][key]["due"]) >= on)
        self._open_next_supervision(on)


__all__ = ["ReturnerCadence"]
