"""``oversight audit verify``: walk the hash chains of the audit trail and the access log.

Exit code 0 when both chains hold; 1 with the first broken link named (table, row id, place in
the chain, why) when one does not, so a scheduled job can alarm on it.
"""

from __future__ import annotations

import typer

from oversight.adapters.cli.console import JsonFlag, fail, handled, out, print_json
from oversight.adapters.cli.runtime import open_store

audit_app = typer.Typer(help="The audit trail and the access log: tamper-evidence.",
                        no_args_is_help=True)


@audit_app.command("verify")
def verify(as_json: bool = JsonFlag) -> None:
    """Check every row of the audit trail and the access log against its hash chain; name the
    first broken link."""
    from oversight.adapters.store import chain

    with handled():
        ready = open_store()
        with ready.engine.connect() as connection:
            verdicts = [chain.verify(connection, name) for name in chain.TABLES]
    broken = [v for v in verdicts if not v.intact]
    if as_json:
        print_json({"intact": not broken, "tables": [v.to_json() for v in verdicts]})
        if broken:
            raise typer.Exit(1)
        return
    for v in verdicts:
        if v.intact:
            out().print(f"{v.table}: {v.rows} row(s) chained, intact ({v.erased} erased, "
                        f"{v.unsealed} not yet sealed).", markup=False, soft_wrap=True)
    if broken:
        fail("\n".join(f"{v.table}: broken at row id {v.broken_at} (place {v.broken_seq} in "
                       f"the chain): {v.reason}" if v.broken_at is not None else
                       f"{v.table}: {v.reason}" for v in broken))


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")


__all__ = ["register"]
