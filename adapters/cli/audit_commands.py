"""``oversight audit verify``, ``anchor`` and ``rotate-key``: the audit trail's tamper-evidence.

``verify`` walks the hash chains of the audit trail and the access log under their keys, then
checks the anchor file against them: exit code 0 when everything holds; 1 with the first fault
of each named (table, row id, place in the chain, why; or which anchor), so a scheduled job can
alarm on it. ``anchor`` appends the chains' heads to the anchor file (run it from a timer);
``rotate-key`` starts a new key, keeping the old ones (``docs/audit-chain.md``).
"""

from __future__ import annotations

import typer

from oversight.adapters import clock
from oversight.adapters.cli.console import JsonFlag, fail, handled, out, print_json
from oversight.adapters.cli.runtime import open_store

audit_app = typer.Typer(help="The audit trail and the access log: tamper-evidence.",
                        no_args_is_help=True)


@audit_app.command("verify")
def verify(as_json: bool = JsonFlag) -> None:
    """Check every row of the audit trail and the access log against its hash chain and the
    last anchor; name the first fault."""
    with handled():
        verdicts, anchors = open_store().custody.verify()
    broken = [v for v in verdicts if not v.intact]
    if as_json:
        print_json({"intact": not broken and anchors.intact,
                    "tables": [v.to_json() for v in verdicts], "anchors": anchors.to_json()})
        if broken or not anchors.intact:
            raise typer.Exit(1)
        return
    for v in verdicts:
        if v.intact:
            keyed = f"key {v.key}" if v.key else "no key: plain SHA-256 links"
            out().print(f"{v.table}: {v.rows} row(s) chained, intact ({v.erased} erased; "
                        f"{keyed}).", markup=False, soft_wrap=True)
    if anchors.intact:
        last = anchors.last
        out().print(f"anchors: {anchors.anchors} in {anchors.path}, the chains reach the last"
                    f" ({last['at']})." if last else f"anchors: none yet in {anchors.path} "
                    f"(`oversight audit anchor` takes one).", markup=False, soft_wrap=True)
    faults = [f"{v.table}: broken at row id {v.broken_at} (place {v.broken_seq} in the chain):"
              f" {v.reason}" if v.broken_at is not None else f"{v.table}: {v.reason}"
              for v in broken]
    if not anchors.intact:
        faults.append(f"anchors: {anchors.reason}")
    if faults:
        fail("\n".join(faults))


@audit_app.command("anchor")
def anchor(as_json: bool = JsonFlag) -> None:
    """Append the chains' heads (place, link, time) to the anchor file, outside the store."""
    from oversight.adapters.cli.operator_reads import operator

    with handled():
        ready = open_store()
        path = ready.settings.audit_anchor_path
        line = ready.custody.anchor(now=clock.now(), reader=operator())
    if as_json:
        print_json({"path": str(path), **line})
        return
    heads = ", ".join(f"{name} at row {head['seq']}" for name, head in line["heads"].items())
    out().print(f"Anchor {line['n']} appended to {path}: {heads}.", markup=False,
                soft_wrap=True)


@audit_app.command("rotate-key")
def rotate_key(as_json: bool = JsonFlag) -> None:
    """Seal from now on with a new key; the old keys stay in the key file, so the rows they
    sealed still verify."""
    with handled():
        turn = open_store().custody.rotate_key(now=clock.now())
    if as_json:
        print_json({"key_file": turn.key_file, "old": turn.old, "new": turn.new,
                    "from": turn.starts})
        return
    out().print(f"Key {turn.new} seals the chains from now on (audit from row "
                f"{turn.starts['audit']}, access log from row {turn.starts['access_log']}); "
                f"{turn.old} is kept in {turn.key_file}. Back the file up.", markup=False,
                soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")


__all__ = ["register"]
