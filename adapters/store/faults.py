"""The store's library errors as the application's: what an edge shows a person when the
database fails under it, without naming SQLAlchemy (``oversight`` prints the line, exit 1).

A connection that could not be made to a database server is :class:`StoreUnreachable`, naming
the host and what to check (``oversight init`` would meet the same wall, so it is not advised);
any other error of the database is :class:`StoreUnusable`, with the driver's own line.
"""

from __future__ import annotations

import re

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from oversight.states.errors import StoreUnreachable, StoreUnusable


def store_fault(error: BaseException, url: str | None) -> StoreUnusable | None:
    """``error`` as the application's error, for the store at ``url`` (None when the settings
    naming it could not be read); None when ``error`` is not the database's."""
    if not isinstance(error, SQLAlchemyError):
        return None
    cause = getattr(error, "orig", None)  # the driver's own error, where there is one
    unreachable = _unreachable(error, cause, url)
    if unreachable:
        return StoreUnreachable(unreachable)
    return StoreUnusable(f"the store could not be used ({type(error).__name__}: "
                         f"{cause or error}); check OVERSIGHT_HOME / OVERSIGHT_DATABASE_URL, "
                         f"then run `oversight init`")


def _unreachable(error: SQLAlchemyError, cause: object, url: str | None) -> str | None:
    """One line for a database server that could not be reached (a connection refused, a host
    that does not resolve, a timeout): the host and what to check. None for any other error."""
    # A failed connect has no statement; an error of a statement is the store's, not the wire's.
    if not isinstance(error, OperationalError) or error.statement is not None or url is None:
        return None
    try:
        where_to = make_url(url)
    except Exception:  # noqa: BLE001 - a URL that does not parse is said by the next command
        return None
    if where_to.get_backend_name() == "sqlite" or not where_to.host:
        return None
    first = str(cause or error).strip().splitlines()[0] if str(cause or error).strip() else ""
    reason = re.sub(r"^\[Errno -?\d+\] ", "", first.rpartition(": ")[2]).strip() or "no answer"
    where = f"{where_to.host}:{where_to.port or 5432}"
    return (f"the store's database server at {where} could not be reached ({reason}): check "
            f"that the server runs and takes connections from this machine, and that "
            f"OVERSIGHT_DATABASE_URL names its host, port and database")


__all__ = ["store_fault"]
