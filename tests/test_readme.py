"""The README shows what the code does."""

from pathlib import Path

from oversight.states.diagrams import mermaid
from oversight.states.machines import KINDS

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_shows_each_machine_diagram_exactly_as_the_running_definition_draws_it():
    """A change to a machine's states or transitions must be redrawn in the README."""
    text = README.read_text(encoding="utf-8")
    for kind, machine in KINDS.items():
        assert f"```mermaid\n{mermaid(machine)}```" in text, f"README diagram of {kind} is stale"


def test_readme_names_the_two_commands_a_new_reader_runs():
    """`make demo` and `make test` are the README's promise to a fresh clone."""
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text


def test_readme_carries_the_policy_comparison_as_generated_from_the_policy_files():
    """docs/policy-comparison.md is regenerated and tested; the README's copy must match it."""
    text = README.read_text(encoding="utf-8")
    generated = (README.parent / "docs" / "policy-comparison.md").read_text(encoding="utf-8")
    rows = [line for line in generated.splitlines() if line.startswith("|")]
    assert rows and all(row in text for row in rows)
