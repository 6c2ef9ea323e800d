"""``GET /v1/subject-access/{person}``: everything held about a person, for the data protection
officer (UK GDPR Article 15), as ``oversight subject-access`` gives it: JSON with a manifest.

Only the ``dpo`` role may ask; the export is written to the access log under its token, and
any other role's refusal too. A person
the store holds nothing about is a 404 (the DPO may know of anyone: no oracle to guard here).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from oversight.adapters.api.auth import Caller, Clock, caller, the_app, the_clock
from oversight.adapters.api.problems import Problem
from oversight.adapters.api.schemas import ProblemOut
from oversight.workflows.bootstrap import App
from oversight.workflows.reads.access import DATA_PROTECTION, principal

api = APIRouter(tags=["personal data"], responses={
    401: {"model": ProblemOut, "description": "No live bearer token."},
    403: {"model": ProblemOut, "description": "The data protection officer's role only."},
})

PersonPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$",
                                 description="A staff id or a child's id, e.g. sw1.")]


@api.get("/subject-access/{person}", summary="Everything held about a person (Article 15)",
         responses={404: {"model": ProblemOut,
                          "description": "The store holds nothing about this id."}})
def get_subject_access(person: PersonPath, who: Caller = Depends(caller),
                       app: App = Depends(the_app),
                       clock: Clock = Depends(the_clock)) -> dict[str, Any]:
    """Every row naming the person, by table, with a manifest (rows and SHA-256 per table)."""
    if who.role not in DATA_PROTECTION:  # refused, and the refusal logged
        raise who.refuse(app, "subject-access", [f"person:{person}"], now=clock())
    found = app.credentials.subject_access(
        person, now=clock(), requested_by=principal(who.role, who.token.id, who.person),
        token=who.token, role=who.role)
    if not found["records"]:
        raise Problem(404, "not-found", "The store holds nothing about this id.")
    return found


__all__ = ["api"]
