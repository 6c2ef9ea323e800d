"""The command line's principal: the operating-system user, as reader and as actor.

A command that shows a person's or a child's records calls :func:`log_read` with what it showed;
the row names the reader as ``os:<user>`` with the role ``operator`` and the purpose given in
``OVERSIGHT_PURPOSE``, if any, and joins the access log's hash chain.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from oversight.adapters import clock

if TYPE_CHECKING:  # imported when a read is logged, not when `oversight` starts
    from oversight.workflows.ports.store import UnitOfWorkFactory


def operator() -> str:
    """``os:<user>``: who ran the command, as the operating system says."""
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name at all (a container): say so
        user = f"uid{os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return f"os:{user}"[:200]


def operator_actor(asked: str | None = None) -> str:
    """The actor of a write made at the command line: the operator, acting for ``asked`` when
    the event names someone ("os:alice for hos1")."""
    return f"{operator()} for {asked}"[:200] if asked else operator()


def log_read(store: UnitOfWorkFactory, resource: str, targets: Iterable[str], *,
             outcome: str = "allowed") -> None:
    """One access-log row per record shown, in a transaction of its own."""
    from oversight.workflows.reads.record_reads import Reader, log_shown

    who = Reader("operator", purpose=os.environ.get("OVERSIGHT_PURPOSE") or None,
                 reader=operator())
    log_shown(store, who, resource, list(targets) or [resource], clock.now(),
              outcome=outcome)


__all__ = ["log_read", "operator", "operator_actor"]
