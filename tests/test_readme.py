"""The README and the docs it links show what the code does."""

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from oversight.states.diagrams import mermaid
from oversight.states.machines import KINDS

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
MACHINES = REPO / "docs" / "machines.md"
POLICY_FILES = REPO / "docs" / "policy-files.md"
EXAMPLE_FILE = REPO / "docs" / "late-records.md"
"""The file holding the worked example (the one place to change if it moves); it runs from the
repository root."""
MOST_LINES = 300  # issue 21: a README that fits on a page


def test_the_machines_page_shows_each_diagram_exactly_as_the_running_definition_draws_it():
    """A change to a machine's states or transitions must be redrawn in docs/machines.md."""
    text = MACHINES.read_text(encoding="utf-8")
    for kind, machine in KINDS.items():
        assert f"```mermaid\n{mermaid(machine)}```" in text, f"diagram of {kind} is stale"


def test_readme_names_the_two_commands_a_new_reader_runs():
    """`make demo` and `make test` are the README's promise to a fresh clone."""
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text


def test_readme_fits_on_a_page_and_every_page_it_links_exists():
    """At most 300 lines; each docs/ link resolves (a moved page must be relinked)."""
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MOST_LINES
    links = re.findall(r"\]\((docs/[^)#]+)", text)
    assert len(links) >= 10
    missing = [link for link in links if not (REPO / link).is_file()]
    assert missing == []


def test_the_policy_files_page_carries_the_comparison_as_generated_from_the_policy_files():
    """docs/policy-comparison.md is regenerated and tested; the policy page's copy must match."""
    text = POLICY_FILES.read_text(encoding="utf-8")
    generated = (REPO / "docs" / "policy-comparison.md").read_text(encoding="utf-8")
    rows = [line for line in generated.splitlines() if line.startswith("|")]
    assert rows and all(row in text for row in rows)


# The worked example: its commands are run as a reader would paste them, in one shell from the
# repository's root, and what they print is compared with what the page shows under them.

WORKED_EXAMPLE = "## A worked example"
RECORDED_AT = "2026-12-01T10:00:00+00:00"
"""The moment the worked example is run at, whatever the day (the product's test clock,
OVERSIGHT_CLOCK, on the example's scratch store: docs/clock.md). Late records carry its day,
Tue 1 Dec 2026; every due date of the example is before it."""
PROMPT = "$ "


@dataclass(frozen=True)
class Step:
    """One command of the worked example and the lines the README shows it printing."""

    command: str
    shown: tuple[str, ...]


def worked_example(text: str) -> str:
    """The worked example section, up to the next section."""
    start = text.index(WORKED_EXAMPLE)
    end = text.find("\n## ", start + len(WORKED_EXAMPLE))
    return text[start:] if end < 0 else text[start:end]


def steps(section: str) -> list[Step]:
    """Every ``$ command`` of the section's console blocks, with the lines shown under it (a
    here-document's lines belong to its command)."""
    found: list[Step] = []
    for block in re.findall(r"```console\n(.*?)```", section, flags=re.DOTALL):
        lines = block.splitlines()
        at = 0
        while at < len(lines):
            if not lines[at].startswith(PROMPT):
                raise AssertionError(f"output before any command: {lines[at]!r}")
            command = [lines[at][len(PROMPT):]]
            at += 1
            heredoc = re.search(r"<<-?'?(\w+)'?\s*$", command[0])
            if heredoc:
                while lines[at] != heredoc.group(1):
                    command.append(lines[at])
                    at += 1
                command.append(lines[at])
                at += 1
            shown = []
            while at < len(lines) and not lines[at].startswith(PROMPT):
                shown.append(lines[at])
                at += 1
            found.append(Step("\n".join(command), tuple(shown)))
    return found


def normalised(lines: Iterable[str]) -> list[str]:
    """Lines without what differs from run to run: the temporary folder, event ids and the
    instants of recording (they run on from RECORDED_AT); blank lines and trailing spaces
    dropped. Days are kept: the example runs at RECORDED_AT, so they are the same each run."""
    kept = []
    for line in lines:
        line = re.sub(r"(/[\w.+-]+)*/tmp\.\w+", "<temporary folder>", line.rstrip())
        line = re.sub(r"\bev-[0-9a-f]{24}\b", "ev-<id>", line)
        line = re.sub(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?( UTC|Z)?", "<instant>",
                      line)
        if line:
            kept.append(line)
    return kept


def run_in_one_shell(commands: list[str], folder: Path) -> list[tuple[int, list[str]]]:
    """Each command's exit status and output (stdout and stderr), run one after the other by
    bash in the repository's root, as pasted; OVERSIGHT_* unset but the clock (RECORDED_AT),
    temporary folders in ``folder``."""
    script = []
    for index, command in enumerate(commands):
        script += [f"printf '@@ step {index} @@\\n'", command,
                   f"printf '@@ rc {index} %d @@\\n' $?"]
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("OVERSIGHT_") and key != "COLUMNS"}
    environment["TMPDIR"] = str(folder)
    environment["OVERSIGHT_CLOCK"] = RECORDED_AT
    # sweep and dispatch start Prefect's temporary server: on a loaded machine it can take
    # longer than Prefect's default 20 s to answer (bench/figures.py allows the same).
    environment.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=REPO, env=environment,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=900, check=False)
    results: list[tuple[int, list[str]]] = []
    printed: list[str] = []
    for line in done.stdout.splitlines():
        if re.fullmatch(r"@@ step \d+ @@", line):
            printed = []
        elif status := re.fullmatch(r"@@ rc \d+ (\d+) @@", line):
            results.append((int(status.group(1)), printed))
        else:
            printed.append(line)
    assert len(results) == len(commands), done.stdout
    return results


def test_the_worked_example_shows_why_for_a_moved_deadline_a_met_late_task_and_a_withdrawal():
    """Issue 12 asks the README to show `oversight why` for each of the three."""
    shown = {step.command: "\n".join(step.shown)
             for step in steps(worked_example(EXAMPLE_FILE.read_text(encoding="utf-8")))}
    whys = [text for command, text in shown.items() if " why " in command]
    # Sat 7 Nov 2026 is a weekend: the session is due Mon 9 Nov.
    assert any("= Sat 7 Nov 2026, moved to Mon 9 Nov 2026 (weekend)" in text for text in whys)
    assert any("met, recorded late" in text for text in whys)
    assert any("State: withdrawn on" in text and "recorded late" in text for text in whys)


@pytest.mark.slow
def test_the_worked_example_prints_what_the_readme_shows_when_run_as_written():
    """Every command of the worked example succeeds and prints the lines shown under it, in
    order, on a store of its own."""
    if shutil.which("bash") is None or shutil.which("jq") is None:
        pytest.skip("the worked example needs bash and jq")
    if not (REPO / ".venv" / "bin" / "oversight").exists():
        pytest.skip("the worked example runs .venv/bin/oversight (make builds it)")
    example = steps(worked_example(EXAMPLE_FILE.read_text(encoding="utf-8")))
    # A short folder (not pytest's tmp_path): a long path would wrap the lines that name it.
    with tempfile.TemporaryDirectory(prefix="ov-") as folder:
        results = run_in_one_shell([step.command for step in example], Path(folder))
    for step, (status, printed) in zip(example, results, strict=True):
        assert status == 0, f"{step.command}\n" + "\n".join(printed)
        actual = normalised(printed)
        position = 0
        for line in normalised(step.shown):
            assert line in actual[position:], (
                f"`{step.command}` no longer prints, in this order:\n{line}\n"
                "it printed:\n" + "\n".join(actual) + "\n(`.venv/bin/python -m tests.test_readme`"
                " writes what the example prints now into docs/late-records.md)")
            position = actual.index(line, position) + 1


def rewrite_worked_example() -> bool:
    """Run the worked example and write what it prints now under each of its commands (the
    prose untouched; the temporary folder shown as `mktemp -d` names it). Read the diff: the
    prose may need to follow."""
    text = EXAMPLE_FILE.read_text(encoding="utf-8")
    section = worked_example(text)
    example = steps(section)
    with tempfile.TemporaryDirectory(prefix="ov-") as folder:
        results = iter(run_in_one_shell([step.command for step in example], Path(folder)))
        short = re.escape(folder)

    def block(match: re.Match[str]) -> str:
        lines = []
        for step in steps(f"```console\n{match.group(1)}```"):
            status, printed = next(results)
            assert status == 0, f"{step.command}\n" + "\n".join(printed)
            lines += [PROMPT + step.command,
                      *(re.sub(short + r"/tmp\.", "/tmp/tmp.", line.rstrip()) for line in printed)]
        return "```console\n" + "\n".join(lines) + "\n```"

    rewritten = re.sub(r"```console\n(.*?)```", block, section, flags=re.DOTALL)
    EXAMPLE_FILE.write_text(text.replace(section, rewritten), encoding="utf-8")
    return rewritten != section


if __name__ == "__main__":  # .venv/bin/python -m tests.test_readme
    print("README's worked example " + ("rewritten" if rewrite_worked_example() else "unchanged"))
