"""``oversight token create|rotate|revoke|list``: API bearer tokens and their lifecycle.

Only a token's SHA-256 is stored; the token is printed once. Every token expires (90 days by
default; ``--days`` or ``OVERSIGHT_TOKEN_DAYS``), can be rotated (a new token with the same role,
person and scope; the old one is revoked at once) and shows when it was last used. A service
token may act for a named member of staff only when created with ``--acts-for-staff``; its
writes are recorded as "system:… for sw1".
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

import typer

from oversight.adapters import clock
from oversight.adapters.cli.console import JsonFlag, fail, handled, out, print_json
from oversight.adapters.cli.operator_reads import log_read
from oversight.adapters.cli.runtime import open_store

token_app = typer.Typer(help="API bearer tokens: only their SHA-256 is stored; each expires.",
                        no_args_is_help=True)


def _lifetime(days: int | None) -> timedelta:
    if days is None:
        configured = os.environ.get("OVERSIGHT_TOKEN_DAYS", "").strip()
        if configured and not configured.isdigit():
            fail(f"OVERSIGHT_TOKEN_DAYS: {configured!r} is not a whole number of days")
        days = int(configured) if configured else 90
    if not 1 <= days <= 3650:
        fail("--days: a token lives 1 to 3650 days")
    return timedelta(days=days)


DaysOption = typer.Option(None, "--days", help="How long the token lives (default "
                                               "OVERSIGHT_TOKEN_DAYS or 90).")


@token_app.command("create")
def token_create(
    role: str = typer.Option(..., "--role", help="system, supervisee, supervisor, manager, "
                                                 "workforce, auditor, admin or dpo."),
    person: str | None = typer.Option(None, "--person", help="The staff id the token acts "
                                         "as; required for supervisee, supervisor and manager."),
    days: int | None = DaysOption,
    acts_for_staff: bool = typer.Option(False, "--acts-for-staff", help="A system token that "
                                        "may record events done by a named member of staff "
                                        "(`actor`), recorded as acting for them."),
    as_json: bool = JsonFlag,
) -> None:
    """Create a bearer token and print it once: only its SHA-256 is kept."""
    from oversight.workflows.reads.access import PERSONAL_ROLES, ROLES

    if role not in ROLES:
        fail(f"--role: {role!r} is not a role; roles: {', '.join(ROLES)}")
    if role in PERSONAL_ROLES and not person:
        fail(f"--person: a {role} token acts as a staff member: give their id")
    if person is not None and not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", person):
        fail(f"--person: {person!r} is not an identifier (letters, digits, '_', '.', '-')")
    if acts_for_staff and role != "system":
        fail("--acts-for-staff: only a system token acts for others")
    lifetime = _lifetime(days)
    with handled():
        made = open_store().secrets.create_token(
            role=role, person=person, now=clock.now(), lifetime=lifetime,
            acts_for=acts_for_staff, on_staff=bool(person and role in PERSONAL_ROLES))
        if made is None:
            fail(f"--person: no staff member {person!r}; import staff first")
        record, secret = made
    if as_json:
        print_json({**record.to_json(), "token": secret})
        return
    out().print(f"Token {record.id} ({role}{f' for {person}' if person else ''}), expires "
                f"{record.expires_at:%Y-%m-%d %H:%M} UTC. Keep it now: it is not shown again.",
                markup=False, soft_wrap=True)
    typer.echo(secret)


@token_app.command("rotate")
def token_rotate(token_id: str = typer.Argument(..., help="The token's id (tok_…)."),
                 days: int | None = DaysOption, as_json: bool = JsonFlag) -> None:
    """Replace a live token by a new one with the same role, person and scope; the old one
    is revoked now. The new token is printed once."""
    lifetime = _lifetime(days)
    with handled():
        rotated = open_store().secrets.rotate_token(token_id, now=clock.now(),
                                                    lifetime=lifetime)
    if rotated is None:
        fail(f"no live token {token_id!r}; `oversight token list` shows them")
    record, secret = rotated
    if as_json:
        print_json({**record.to_json(), "token": secret, "replaces": token_id})
        return
    out().print(f"Token {token_id} revoked; its replacement {record.id} expires "
                f"{record.expires_at:%Y-%m-%d %H:%M} UTC. Keep it now: it is not shown again.",
                markup=False, soft_wrap=True)
    typer.echo(secret)


@token_app.command("revoke")
def token_revoke(token_id: str = typer.Argument(..., help="The token's id (tok_…), as "
                                                          "`oversight token list` shows."),
                 as_json: bool = JsonFlag) -> None:
    """Revoke a token: requests bearing it, and dashboard sessions opened with it, are refused
    from now on."""
    with handled():
        done = open_store().secrets.revoke_token(token_id, now=clock.now())
    if not done:
        fail(f"no live token {token_id!r}; `oversight token list` shows them")
    if as_json:
        print_json({"id": token_id, "revoked": True})
        return
    out().print(f"Token {token_id} revoked.", markup=False)


@token_app.command("list")
def token_list(as_json: bool = JsonFlag) -> None:
    """Tokens by id, role and person: created, expires, last used, revoked (never secrets)."""
    with handled():
        ready = open_store()
        found = ready.secrets.tokens()
        log_read(ready.store, "token-list", [f"person:{record.person}" if record.person
                                             else f"token:{record.id}" for record in found])
    rows = [record.to_json() for record in found]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        ended = f", revoked {row['revoked_at'][:16]}" if row["revoked_at"] else ""
        out().print(f"{row['id']}  {row['role']:<10}  {row['person'] or '-':<12}  created "
                    f"{row['created_at'][:16]}, expires {(row['expires_at'] or 'never')[:16]}, "
                    f"last used {(row['last_used_at'] or 'never')[:16]}{ended}", markup=False,
                    soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(token_app, name="token")


__all__ = ["register", "token_app"]
