"""No existence oracle: a record outside the token's scope gets the very answer a record that
does not exist gets, and a refusal names only what the token may already see."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.security.conftest import LEAKS, bearer

TASK = "relationship:tm1:sw1:supervision:2"
"""tm1's own open task: sw1's supervision due Mon 2 Mar 2026."""


def _same(first, second) -> None:  # type: ignore[no-untyped-def]
    assert (first.status_code, first.json()) == (second.status_code, second.json())
    assert not [word for word in LEAKS if word in first.text], first.text


def test_closing_with_another_teams_session_is_answered_as_a_session_that_is_not_there(
        api: TestClient, secrets: dict[str, str]) -> None:
    """tm1 names west's booked session ``west-s1``, then one nobody booked: the same 409,
    naming neither tm2 nor sw3; west's session is untouched."""
    for_east = bearer(secrets["supervisor"])
    west = api.post(f"/v1/tasks/{TASK}/close", headers=for_east,
                    json={"on": "2026-03-02", "fields": {"session": "west-s1"}})
    nowhere = api.post(f"/v1/tasks/{TASK}/close", headers=for_east,
                       json={"on": "2026-03-02", "fields": {"session": "nowhere-s9"}})
    assert west.status_code == 409, west.text
    _same(west, nowhere)
    session = api.get("/v1/entities/session/west-s1", headers=bearer(secrets["admin"]))
    assert session.json()["state"] == "planned"


def test_another_teams_child_discussed_is_answered_as_a_child_that_is_not_there(
        api: TestClient, secrets: dict[str, str]) -> None:
    """``children_discussed: [c2]`` (west's child) and ``[c9]`` (nobody's): the same answer."""
    for_east = bearer(secrets["supervisor"])
    west = api.post(f"/v1/tasks/{TASK}/close", headers=for_east,
                    json={"on": "2026-03-02", "fields": {"children_discussed": ["c2"]}})
    nowhere = api.post(f"/v1/tasks/{TASK}/close", headers=for_east,
                       json={"on": "2026-03-02", "fields": {"children_discussed": ["c9"]}})
    _same(west, nowhere)


def test_reading_another_teams_records_is_answered_as_reading_records_that_are_not_there(
        api: TestClient, secrets: dict[str, str]) -> None:
    """Entity, task, ASYE journey and calendar of west, against ids that exist nowhere."""
    for_east = bearer(secrets["supervisor"])
    pairs = [("/v1/entities/relationship/tm2:sw3", "/v1/entities/relationship/tm9:sw9"),
             ("/v1/entities/assessment/c2/history", "/v1/entities/assessment/c9/history"),
             ("/v1/tasks/relationship:tm2:sw3:agreement", "/v1/tasks/relationship:tm9:sw9:x"),
             ("/v1/asye/sw3", "/v1/asye/sw9"),
             ("/v1/people/sw3/calendar.ics", "/v1/people/sw9/calendar.ics")]
    for inside, nowhere in pairs:
        _same(api.get(inside, headers=for_east), api.get(nowhere, headers=for_east))


def test_closing_another_teams_task_is_answered_as_closing_a_task_that_is_not_there(
        api: TestClient, secrets: dict[str, str]) -> None:
    """tm1 closing tm2's task and a task id that exists nowhere: the same 403."""
    for_east = bearer(secrets["supervisor"])
    west = api.post("/v1/tasks/relationship:tm2:sw3:agreement/close", headers=for_east,
                    json={"on": "2026-03-02"})
    nowhere = api.post("/v1/tasks/relationship:tm9:sw9:agreement/close", headers=for_east,
                       json={"on": "2026-03-02"})
    assert west.status_code == 403
    _same(west, nowhere)


def test_a_filter_on_another_team_is_answered_as_a_filter_on_nobody(
        api: TestClient, secrets: dict[str, str]) -> None:
    """``/v1/tasks?person=sw3`` and ``?person=sw9`` for tm1: the same answer."""
    for_east = bearer(secrets["supervisor"])
    _same(api.get("/v1/tasks", params={"person": "sw3"}, headers=for_east),
          api.get("/v1/tasks", params={"person": "sw9"}, headers=for_east))
