"""``oversight policy list|show|lint|diff|compare``: reading, checking and comparing policies.

A policy is named as ``surrey``, ``devon@2025-02`` (a version kept in ``config/policies/devon/``)
or by the path of a file. Registered on the app by :func:`register`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table
from rich.text import Text

from oversight.adapters.cli.console import JsonFlag, handled, out, print_json
from oversight.adapters.cli.runtime import settings
from oversight.states.errors import PolicyError

# The policy files and their models are imported by the commands that read them, not when
# `oversight` starts: they bring pydantic and the holiday calendars, most of `--help`'s wait.
if TYPE_CHECKING:
    from oversight.states.policy.index import IndexedRule
    from oversight.states.policy.lint import Finding

policy_app = typer.Typer(help="Read, check and compare policy files.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add ``policy`` and its commands to ``app``."""
    app.add_typer(policy_app, name="policy")


PolicyRef = typer.Argument(..., help="An authority (surrey), a version (devon@2025-02) or a file.")


def _directory() -> Path | None:
    return settings().policy_dir


@policy_app.command("list")
def list_policies(as_json: bool = JsonFlag) -> None:
    """Every authority's policy, its versions, and where it was found.

    Looked for in this order, the first folder with NAME.yaml winning: --policy-dir or
    OVERSIGHT_POLICY_DIR, ./config/policies, then the policies shipped with oversight.
    """
    from oversight.adapters.policy_files import (
        LOCAL_POLICY_DIR,
        SHIPPED_POLICY_DIR,
        available_policies,
        load_policy,
        load_policy_book,
        policy_place,
        policy_places,
    )

    directory = _directory()
    places = policy_places(directory)
    rows: list[dict[str, Any]] = []
    for name in available_policies(directory):
        place = policy_place(name, directory)
        assert place is not None  # available_policies lists only names some place has
        current, versions, problem = "", [], ""
        try:
            current = load_policy(name, directory).version
            versions = [p.version for p in load_policy_book(name, directory).versions]
        except PolicyError as error:  # a broken file is listed with its fault, not hidden
            problem = f"{error.key}: {error.reason}" if error.key else error.reason
        rows.append({"authority": name, "current": current, "versions": versions,
                     "origin": place.origin, "file": str(place.folder / f"{name}.yaml"),
                     "problem": problem})
    if as_json:
        print_json({"search_order": [{"origin": p.origin, "folder": str(p.folder)}
                                     for p in places], "policies": rows})
        return
    console = out()
    local = LOCAL_POLICY_DIR.resolve()
    console.print("Looked for in this order: 1. --policy-dir / OVERSIGHT_POLICY_DIR ("
                  + (str(directory) if directory else "not set") + "); 2. ./config/policies ("
                  + ("the shipped folder" if local == SHIPPED_POLICY_DIR.resolve()
                     else str(local) if local.is_dir() else "none here")
                  + f"); 3. shipped ({SHIPPED_POLICY_DIR}).", markup=False, soft_wrap=True)
    table = Table(title=f"Policies ({len(rows)})", title_justify="left")
    for column in ("Authority", "Current", "Versions", "From", "File"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(Text(row["authority"]), Text(row["current"]),
                      Text(", ".join(row["versions"]) or f"error: {row['problem']}"),
                      Text(row["origin"]), Text(row["file"]))
    console.print(table)


@policy_app.command("show")
def show(name: str = PolicyRef, as_json: bool = JsonFlag) -> None:
    """Every rule of a policy: section, rule path, what it times, and the policy's words."""
    from oversight.adapters.policy_files import load_policy_ref
    from oversight.states.policy.index import rule_index

    with handled():
        policy = load_policy_ref(name, _directory())
    entries = rule_index(policy)
    if as_json:
        print_json({"authority": policy.authority, "name": policy.name,
                    "version": policy.version, "effective_from": policy.effective_from,
                    "rules": [{"rule": e.path, "section": e.section, "times": e.description,
                               "intervals": {k: v.describe() for k, v in e.intervals.items()},
                               "cited": e.cited, "quote": e.cite.quote,
                               "source": e.cite.source,
                               "adopted_by": e.cite.adopted_by.model_dump()
                               if e.cite.adopted_by else None,
                               "note": e.cite.note} for e in entries]})
        return
    title = (f"{policy.name}: version {policy.version}, in effect from "
             f"{policy.effective_from.isoformat()} ({len(entries)} rules)")
    table = Table(title=title, title_justify="left", show_lines=True)
    table.add_column("Cited", overflow="fold")
    table.add_column("Rule", overflow="fold")
    table.add_column("What it times")
    table.add_column("Quote", style="italic")
    for entry in entries:
        quote = f"\u201c{entry.cite.quote}\u201d"
        table.add_row(Text(entry.cited), Text(entry.path), Text(entry.description), Text(quote))
    out().print(table)


@policy_app.command("lint")
def lint(name: str = PolicyRef, as_json: bool = JsonFlag) -> None:
    """Check a policy: schema errors, conflicting passages, contradictory intervals."""
    from oversight.adapters.policy_files import (
        lint_policy_file,
        load_policy_book,
        policy_ref_path,
        version_paths,
    )
    from oversight.states.policy.lint import Finding

    directory = _directory()
    with handled():
        paths = [policy_ref_path(name, directory)]
    plain = "@" not in name and "/" not in name and not name.endswith((".yaml", ".yml"))
    if plain:
        paths += version_paths(name, directory)  # every version of the authority
    found = [(path, lint_policy_file(path)) for path in paths]
    if plain and not any(f.severity == "error" for _, fs in found for f in fs):
        try:
            load_policy_book(name, directory)
        except PolicyError as error:
            found.append((Path(error.source), [Finding("error", error.key, error.reason)]))
    errors = sum(f.severity == "error" for _, fs in found for f in fs)
    warnings = sum(f.severity == "warning" for _, fs in found for f in fs)
    if as_json:
        print_json({"files": [str(path) for path in paths], "errors": errors,
                    "warnings": warnings,
                    "findings": [{"file": str(path), **f.to_json()} for path, fs in found
                                 for f in fs]})
    else:
        console = out()
        for path, findings in found:
            if findings:
                console.print(_findings_table(path, findings))
        console.print(f"{', '.join(str(p) for p in paths)}: {errors} error(s), "
                      f"{warnings} warning(s).", markup=False, soft_wrap=True)
    if errors:
        raise typer.Exit(1)


def _findings_table(path: Path, findings: list[Finding]) -> Table:
    table = Table(title=str(path), title_justify="left", show_lines=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Rule or key", overflow="fold")
    table.add_column("Finding")
    for finding in findings:
        style = "red" if finding.severity == "error" else "yellow"
        table.add_row(Text(finding.severity, style=style), Text(finding.rule or "(top level)"),
                      Text(finding.message))
    return table


@policy_app.command("diff")
def diff(a: str = typer.Argument(..., help="The first policy (surrey, devon@2025-02, a file)."),
         b: str = typer.Argument(..., help="The second policy."),
         timing: bool = typer.Option(False, "--timing", help="Only rules in one policy or "
                                     "timed differently (not those cited differently only)."),
         as_json: bool = JsonFlag) -> None:
    """Two policies (authorities or versions) rule by rule, side by side."""
    from oversight.adapters.policy_files import load_policy_ref
    from oversight.states.policy.diff import diff_policies

    with handled():
        left, right = load_policy_ref(a, _directory()), load_policy_ref(b, _directory())
    found = [d for d in diff_policies(left, right) if d.change != "same"
             and (not timing or d.change != "changed" or "timing" in d.differs)]
    if as_json:
        print_json({"a": {"authority": left.authority, "version": left.version},
                    "b": {"authority": right.authority, "version": right.version},
                    "rules": [d.to_json() for d in found]})
        return
    label_a, label_b = f"{left.authority}@{left.version}", f"{right.authority}@{right.version}"
    table = Table(title=f"{label_a} against {label_b}: {len(found)} rule(s) differ",
                  title_justify="left", show_lines=True)
    table.add_column("Rule", overflow="fold")
    table.add_column(f"A: {label_a}")
    table.add_column(f"B: {label_b}")
    table.add_column("Differs", no_wrap=True)
    for d in found:
        what = {"only_in_a": "only in A", "only_in_b": "only in B"}.get(
            d.change, ", ".join(d.differs))
        table.add_row(Text(d.path), _side(d.a), _side(d.b), Text(what))
    out().print(table)


def _side(entry: IndexedRule | None) -> Text:
    if entry is None:
        return Text("\u2014", style="dim")
    return Text(f"{entry.cited}: {entry.description}\n\u201c{entry.cite.quote}\u201d")


@policy_app.command("compare")
def compare(names: list[str] | None = typer.Argument(
        None, help="Policies to compare (default: every authority in the policy folder)."),
            markdown: bool = typer.Option(False, "--markdown", help="Print the Markdown table "
                                          "for the README (docs/policy-comparison.md)."),
            as_json: bool = JsonFlag) -> None:
    """Sessions each policy requires in a year: per ASYE, per qualified worker, per child."""
    from oversight.adapters.policy_files import available_policies, load_policy_ref
    from oversight.states.policy import comparison as policy_comparison

    directory = _directory()
    with handled():
        policies = [load_policy_ref(n, directory) for n in names or available_policies(directory)]
        rows = policy_comparison.compare(policies)
    if markdown:
        typer.echo(policy_comparison.markdown(policies, rows), nl=False)
        return
    if as_json:
        print_json({"start": policy_comparison.START,
                    "policies": {p.authority: p.version for p in policies},
                    "rows": [row.to_json() for row in rows]})
        return
    table = Table(title=f"Sessions required in a year from {policy_comparison.START}",
                  title_justify="left")
    table.add_column("")
    for policy in policies:
        table.add_column(f"{policy.authority}\n{policy.version}", justify="right")
    group = None
    for row in rows:
        if row.group != group:
            group = row.group
            table.add_row(Text(group, style="bold"), *[""] * len(policies))
        table.add_row(Text(row.label), *(Text(row.cells[p.authority]) for p in policies))
    console = out()
    console.print(table)
    console.print(f"{policy_comparison.COVERAGE}: from what each session must cover, not a case "
                  f"type (--markdown prints the notes).", markup=False)
