"""The benchmark table of docs/benchmarks.md is the one ``python -m bench.readme`` writes; the
generated authorities are valid scenarios."""

from pathlib import Path

from bench.authority import describe, generate
from bench.figures import HEADERS, Figure, Report, cells
from bench.readme import BEGIN, END, markdown, regenerate, table_rows

PAGE = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def test_readme_benchmark_table_has_the_columns_the_generator_writes():
    """Header, rule and every row of the benchmarks page's table have the generator's columns."""
    rows = table_rows(PAGE.read_text(encoding="utf-8"))
    assert rows[0] == list(HEADERS)
    assert len(rows) >= 3, "the table has no figures: run `make bench`, then bench.readme"
    assert all(len(row) == len(HEADERS) for row in rows)


def test_a_figure_reads_with_its_target_floor_and_ratio():
    """1,500 timers/s against a 4,500/s floor is 3.0× the floor: over the 2× target."""
    figure = Figure("sweep", "sweep, 10% due: flow", 1500.0, "timers/s", target=3000,
                    floor=4500.0, floor_name="plain-batched", ratio_target=2,
                    peak_rss_mb=140.4)
    assert cells(figure) == ("sweep", "sweep, 10% due: flow", "1,500 timers/s",
                             "≥ 3,000 timers/s; ≤ 2× floor", "4,500 timers/s (plain-batched)",
                             "3.0", "140", "MISSED")


def test_a_time_under_its_ceiling_is_met():
    """0.25 s against a 0.4 s ceiling and a 0.05 s floor: met, 5.0× the floor."""
    figure = Figure("cli", "`oversight --help`", 0.25, "s", higher_is_better=False,
                    target=0.4, floor=0.05, floor_name="python -c pass")
    assert cells(figure)[3:] == ("< 0.40 s", "0.05 s (python -c pass)", "5.0", "", "met")


def test_regenerating_replaces_only_the_block_between_the_markers():
    """The text before and after the markers stays; the table has one row per figure."""
    report = Report(size="tiny", machine={"arch": "x86_64", "cores": 2, "memory_gib": 24,
                                          "python": "3.11.7", "sqlite": "3.40.1",
                                          "date": "2026-12-01T14:00:00+00:00",
                                          "load_average_1min": 1.5},
                    figures=[Figure("api", "a | b", 120.0, "events/s", target=300)])
    text = f"# before\n{BEGIN}\nstale figures\n{END}\nafter\n"
    new = regenerate(text, report)
    assert new.startswith(f"# before\n{BEGIN}\n") and new.endswith(f"{END}\nafter\n")
    assert "stale figures" not in new
    assert "2 cores, 24 GiB, Python 3.11.7, SQLite 3.40.1, 2026-12-01" in new
    assert table_rows(new)[2] == ["api", "a | b", "120 events/s", "≥ 300 events/s", "", "", "",
                                  "MISSED"]
    assert markdown(report) in new


def test_the_tiny_generated_authority_is_a_valid_scenario_and_the_same_for_a_seed(tmp_path):
    """Seed 15 twice gives one file; it loads; 14 workers under 2 managers and a head."""
    from oversight.adapters.scenario import load_scenario

    text = generate("tiny", seed=15)
    assert text == generate("tiny", seed=15) and text != generate("tiny", seed=16)
    path = tmp_path / "tiny.yaml"
    path.write_text(text, encoding="utf-8")
    scenario = load_scenario(path)
    assert len(scenario.staff) == 14 + 2 + 1  # ceil(14 / 7) managers, ceil(2 / 8) heads
    assert describe(text)["assessments"] == len(scenario.assessments) == 40
    assert describe(text)["events"] == len(scenario.events) > 100
