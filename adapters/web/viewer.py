"""Who is looking: a token's role and person, and the people whose records they may see.

The roles are those of the API (``oversight.workflows.reads.access``): ``supervisee`` sees only
their own journey and tasks; ``supervisor`` also those of the people they supervise; ``manager``
everyone below them in the line-management chain, and their team's compliance figures;
``workforce`` every ASYE journey and nothing else; ``auditor`` and ``admin`` everything;
``system`` posts events and reads no pages.

A viewer comes from a live token (the API's ``Authorization: Bearer``) or from a dashboard
session opened with one (:mod:`oversight.adapters.web.sessions`); it carries the token so that
every read can be written to the access log under it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oversight.workflows.ports.credentials import Credentials, TokenRecord
from oversight.workflows.ports.store import UnitOfWorkFactory
from oversight.workflows.reads.compliance import team_members

READERS = ("supervisee", "supervisor", "manager", "workforce", "auditor", "admin")


@dataclass(frozen=True)
class Viewer:
    role: str
    person: str | None
    people: frozenset[str] | None
    """Staff whose journeys and tasks this viewer may see; None for everyone."""
    asye_only: bool = False
    """workforce: ASYE journeys and their tasks only."""
    token: TokenRecord | None = None
    """The token behind the request: the access log names it."""
    csrf: str | None = None
    """The dashboard session's CSRF secret, for the forms a page carries."""

    @property
    def everything(self) -> bool:
        return self.people is None

    @property
    def sees_compliance(self) -> bool:
        return self.role in ("manager", "auditor", "admin")

    def sees(self, person: str) -> bool:
        return self.people is None or person in self.people

    def sees_task(self, task: dict[str, Any]) -> bool:
        if self.asye_only and not task["entity"].startswith("asye:"):
            return False
        subject = task["subject"].partition(":")[2]
        return self.people is None or task["for"] in self.people or subject in self.people

    def may_report_on(self, team: str | None) -> bool:
        """Whole authority for auditors and admins; a manager their own chain or part of it."""
        if not self.sees_compliance:
            return False
        return self.people is None or (team is not None and team in self.people)

    def log(self, gate: Credentials, resource: str, targets: Iterable[str], *, now: datetime,
            outcome: str = "allowed", purpose: str | None = None) -> None:
        """Write this read to the access log, in a transaction of its own."""
        gate.log_access(self.token, role=self.role, resource=resource,
                        targets=list(targets) or [resource], outcome=outcome, now=now,
                        purpose=purpose)


def viewer_for(store: UnitOfWorkFactory, token: TokenRecord, csrf: str | None = None
               ) -> Viewer | None:
    """The viewer of a token, worked out from the store as it is now; None for ``system``."""
    role, person = token.role, token.person
    if role in ("auditor", "admin"):
        return Viewer(role, person, None, token=token, csrf=csrf)
    if role == "workforce":
        with store() as uow:
            workers = [e.subject for e in uow.entities.listing(["asye"])]
        return Viewer(role, person, frozenset(workers), asye_only=True, token=token, csrf=csrf)
    if role not in ("supervisee", "supervisor", "manager") or person is None:
        return None
    people = {person}
    if role in ("supervisor", "manager"):
        with store() as uow:
            people |= {e.subject for e in uow.entities.listing(["relationship"], party=person)
                       if e.state != "ended"}
    if role == "manager":
        people |= set(team_members(store, person))
    return Viewer(role, person, frozenset(people), token=token, csrf=csrf)


def bearer_viewer(gate: Credentials, store: UnitOfWorkFactory, secret: str, now: datetime
                  ) -> Viewer | TokenRecord | None:
    """The viewer of a bearer token: live, unexpired, its last use recorded. None for a token
    that is not live; the token itself for a live one whose role sees no page (system, dpo),
    so that the refusal can be logged under it."""
    record = gate.token_for(secret, now=now)
    if record is None:
        return None
    return viewer_for(store, record) or record


__all__ = ["READERS", "Viewer", "bearer_viewer", "viewer_for"]
