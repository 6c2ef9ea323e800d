"""Mermaid state diagrams drawn from the same state and transition lists the machines run."""

from __future__ import annotations

from oversight.states.machines.lifecycle import Lifecycle


def mermaid(kind: type[Lifecycle]) -> str:
    """A ``stateDiagram-v2`` of one lifecycle; internal transitions (no state change) left out."""
    lines = ["stateDiagram-v2", f"    [*] --> {kind.initial}"]
    seen: set[tuple[str, str, str]] = set()
    for transition in kind.transitions:
        dest = transition["dest"]
        if dest is None:
            continue
        sources = transition["source"]
        for source in [sources] if isinstance(sources, str) else sources:
            edge = (source, dest, transition["trigger"])
            if edge not in seen:
                seen.add(edge)
                lines.append(f"    {source} --> {dest}: {transition['trigger']}")
    for final in sorted(kind.final_states):
        lines.append(f"    {final} --> [*]")
    return "\n".join(lines) + "\n"
