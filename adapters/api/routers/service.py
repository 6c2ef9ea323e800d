"""``GET /v1/health`` (no token) and ``GET /v1/access-log`` (auditor and admin)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from oversight.adapters.api.auth import Caller, Clock, caller, the_app, the_clock
from oversight.adapters.api.problems import Problem
from oversight.adapters.api.routers.entities import reader_of
from oversight.adapters.api.schemas import ID_PATTERN, REF_PATTERN, AccessOut, Health, ProblemOut
from oversight.states.errors import StoreNotReady
from oversight.workflows.bootstrap import App
from oversight.workflows.reads import delivery_reads, record_reads
from oversight.workflows.reads.access import OVERSEERS

api = APIRouter()


@api.get("/health", response_model=Health, tags=["service"], summary="Liveness and store",
         responses={503: {"model": ProblemOut, "description": "The store does not answer, "
                                                              "or is not at the newest "
                                                              "migration."}})
def health(app: App = Depends(the_app), clock: Clock = Depends(the_clock)) -> dict[str, Any]:
    """``ok`` when the store is ready (it answers and is at the newest migration: the one
    readiness check the CLI and the flows make too); ``degraded`` when it is but a message is a
    dead letter or a receiver is paused (``deliveries`` says which); the policy the store runs."""
    try:
        app.require_ready()
    except StoreNotReady:  # its line names the store's URL, which a public probe is not told
        raise Problem(503, "store-not-ready", "The store is not initialised or is out of "
                                              "date: run `oversight init`.") from None
    except Exception:  # noqa: BLE001 - any failure means the same to a probe
        raise Problem(503, "store-unavailable", "The store does not answer.") from None
    try:
        trouble = delivery_reads.trouble(app.deliveries, clock())
    except Exception:  # noqa: BLE001 - any failure means the same to a probe
        raise Problem(503, "store-unavailable", "The store does not answer.") from None
    status = "degraded" if trouble["dead"] or trouble["paused"] else "ok"
    return {"status": status, "policy": app.policy.authority,
            "policy_version": app.policy.version, "deliveries": trouble}


@api.get("/access-log", response_model=list[AccessOut], tags=["audit"],
         summary="Who read which record, when",
         responses={401: {"model": ProblemOut, "description": "No live bearer token."},
                    403: {"model": ProblemOut, "description": "Auditor, admin and the data "
                                                              "protection officer only."}})
def access_log(target: str | None = Query(None, max_length=200, pattern=REF_PATTERN,
                                          description="e.g. assessment:c1 or person:sw1"),
               person: str | None = Query(None, max_length=64, pattern=ID_PATTERN,
                                          description="Read by this "
                                                                           "staff id."),
               limit: int = Query(1000, ge=1, le=10000),
               who: Caller = Depends(caller), app: App = Depends(the_app),
               clock: Clock = Depends(the_clock)) -> list[Any]:
    """The access log, oldest first: who (token, person), role, what, when, why, allowed or
    not. Reading it is itself logged (the log names people), and so is a refusal."""
    if who.role not in OVERSEERS:
        raise who.refuse(app, "access-log", [f"access-log:{target or person or 'all'}"],
                         now=clock())
    return record_reads.access_log(app.store, reader_of(who), target=target, person=person,
                                   limit=limit, now=clock())


__all__ = ["api"]
