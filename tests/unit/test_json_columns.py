"""The store's JSON columns keep what ``json`` kept: the same values read back, the same
refusals, and stored text that ``json.loads`` (older code) reads as before."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from oversight.adapters.store.json_columns import dumps, loads

ENTITY_DATA = {
    "tasks": {"mo:day10": {"state": "open", "due": "2026-04-10", "assignee": "tm1",
                           "rule": {"authority": "surrey", "section": "4.1",
                                    "quote": "a manager’s oversight — “within 10 days”"}}},
    "held": ["2026-03-25", "2026-04-22"],
    "count": 3,
    "hours": 1.5,
    "paused": None,
    "flags": [True, False],
}
"""A machine's data as it is shaped: identifiers, dates as text, counts, nested rules, and the
curly quotes and dashes the policies' own words carry."""


def test_entity_data_reads_back_as_the_same_values_json_reads_back() -> None:
    """What is written and read again equals what json.dumps then json.loads gave, keys in order."""
    assert loads(dumps(ENTITY_DATA)) == json.loads(json.dumps(ENTITY_DATA))
    assert list(loads(dumps(ENTITY_DATA))) == ["tasks", "held", "count", "hours", "paused", "flags"]


def test_text_written_now_is_read_by_the_standard_library_as_before() -> None:
    """Older code reading with json.loads finds the same values, non-ASCII text included."""
    assert json.loads(dumps(ENTITY_DATA)) == ENTITY_DATA


def test_text_written_by_json_dumps_is_read_as_json_loads_reads_it() -> None:
    """Rows stored before (spaces, \\u escapes) read back unchanged."""
    stored = json.dumps(ENTITY_DATA)
    assert "\\u2019" in stored  # json.dumps escaped the curly apostrophe
    assert loads(stored) == ENTITY_DATA


def test_keys_that_are_not_text_become_text_as_json_makes_them() -> None:
    """Integer, float and None keys are written as json.dumps writes them ("7", "2.5", "null")."""
    value = {7: "a", 2.5: "b", None: "c"}
    assert loads(dumps(value)) == json.loads(json.dumps(value)) == {"7": "a", "2.5": "b",
                                                                     "null": "c"}


@pytest.mark.parametrize("value", [date(2026, 6, 1), datetime(2026, 6, 1, 5, tzinfo=UTC)],
                         ids=["date", "datetime"])
def test_a_date_in_a_json_column_is_refused_as_json_refuses_it(value: object) -> None:
    """A date object in data is a bug, as it was: refused, never silently made a string."""
    with pytest.raises(TypeError, match="is not JSON serializable"):
        dumps({"on": value})


def test_a_dataclass_in_a_json_column_is_refused_as_json_refuses_it() -> None:
    """A value object must be turned into its stored form first, as before."""

    @dataclass
    class Rule:
        section: str

    with pytest.raises(TypeError, match="is not JSON serializable"):
        dumps({"rule": Rule("4.1")})


def test_an_integer_beyond_64_bits_is_written_as_json_writes_it() -> None:
    """orjson cannot write it; the standard library's text is stored instead."""
    assert dumps({"n": 2**70}) == json.dumps({"n": 2**70})


def test_a_stored_nan_that_json_wrote_is_still_read() -> None:
    """json.dumps wrote NaN (not JSON); reading falls back to json.loads, which reads it."""
    value = loads('{"x": NaN, "y": 1}')
    assert value["y"] == 1 and value["x"] != value["x"]


def test_bytes_and_memoryviews_from_a_driver_are_read() -> None:
    """PostgreSQL's driver may hand the text over as bytes or a memoryview."""
    assert loads(b'{"a": [1]}') == {"a": [1]}
    assert loads(memoryview(b'{"a": NaN}'))["a"] != 0
