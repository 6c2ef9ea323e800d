"""Reading over HTTP: an entity's state, timers, tasks and history; tasks by person, team, state
and due window; closing a task by hand; and the access log every read writes."""

from __future__ import annotations

from datetime import date

from oversight.workflows.bootstrap import App
from tests.e2e.api_server import (  # noqa: F401 - fixtures
    api_store,
    client,
    seeded,
    server,
    token,
)


def test_an_entitys_state_timers_tasks_and_history_read_back_as_the_store_holds_them(
        seeded: App, server) -> None:  # type: ignore[no-untyped-def]
    """The assessment of c1: in progress, its oversight timers and tasks, its audit trail."""
    with client(server, token(seeded, "admin")) as http:
        entity = http.get("/v1/entities/assessment/c1").json()
        timers = http.get("/v1/entities/assessment/c1/timers").json()
        tasks = http.get("/v1/entities/assessment/c1/tasks").json()
        history = http.get("/v1/entities/assessment/c1/history").json()
    assert (entity["kind"], entity["id"], entity["subject"], entity["party"]) == \
        ("assessment", "c1", "c1", "sw1")
    assert entity["started_on"] == "2026-02-02"
    assert {task["type"] for task in tasks} >= {"management_oversight", "complete_assessment"}
    completion = next(task for task in tasks if task["type"] == "complete_assessment")
    assert completion["due"] == "2026-03-23"  # day 35 in working days from Monday 2 February
    assert completion["rule"]["policy"] == "surrey"
    assert [timer["fires_on"] for timer in timers] == sorted(timer["fires_on"] for timer in timers)
    assert "task:complete" in {timer["name"] for timer in timers}
    assert history[0]["entity"] == "assessment:c1" and history[0]["on"] == "2026-02-02"


def test_an_unknown_entity_is_a_404_for_the_admin(seeded: App, server) -> None:  # type: ignore[no-untyped-def]
    """A caller who may read everything is told the record does not exist."""
    with client(server, token(seeded, "admin")) as http:
        answer = http.get("/v1/entities/assessment/c99")
        no_kind = http.get("/v1/entities/spaceship/c1")
    assert answer.status_code == 404 and no_kind.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"


def test_tasks_are_listed_by_person_team_state_and_due_window(
        seeded: App, server) -> None:  # type: ignore[no-untyped-def]
    """Each filter narrows the list to the tasks that match it, ordered by due date."""
    with client(server, token(seeded, "admin")) as http:
        everything = http.get("/v1/tasks", params={"limit": 1000}).json()
        for_tm2 = http.get("/v1/tasks", params={"person": "tm2"}).json()
        west = http.get("/v1/tasks", params={"team": "west"}).json()
        about_c2 = http.get("/v1/tasks", params={"subject": "c2"}).json()
        march = http.get("/v1/tasks", params={"due_from": "2026-03-01",
                                              "due_to": "2026-03-31", "state": "open"}).json()
        page = http.get("/v1/tasks", params={"limit": 2, "offset": 1}).json()
    dues = [task["due"] for task in everything["tasks"]]
    assert dues == sorted(dues) and everything["total"] == len(everything["tasks"])
    assert for_tm2["tasks"] and {task["for"] for task in for_tm2["tasks"]} == {"tm2"}
    assert {task["for"] for task in west["tasks"]} <= {"tm2", "sw3"} and west["tasks"]
    assert {task["subject"] for task in about_c2["tasks"]} == {"child:c2"}
    assert march["tasks"] and all("2026-03-01" <= task["due"] <= "2026-03-31"
                                  and task["state"] == "open" for task in march["tasks"])
    assert [task["id"] for task in page["tasks"]] == [task["id"]
                                                      for task in everything["tasks"][1:3]]


def test_closing_a_due_supervision_by_hand_records_the_session_and_opens_the_next(
        seeded: App, server) -> None:  # type: ignore[no-untyped-def]
    """Closing sw1's supervision task on 2 March records a session that day: the task is
    closed and the next one is due four weeks later (surrey §4.1)."""
    task_id = "relationship:tm1:sw1:supervision:2"
    with client(server, token(seeded, "supervisor", "tm1")) as http:
        closed = http.post(f"/v1/tasks/{task_id}/close", json={"on": "2026-03-02"})
        again = http.post(f"/v1/tasks/{task_id}/close", json={"on": "2026-03-02"})
        tasks = http.get("/v1/entities/relationship/tm1:sw1/tasks").json()
        history = http.get("/v1/entities/relationship/tm1:sw1/history").json()
    assert closed.status_code == 200, closed.text
    assert closed.json()["task"]["state"] == "closed"
    assert closed.json()["event_type"] == "supervision_held"
    assert again.status_code == 200 and again.json()["duplicate"] is True
    following = [task for task in tasks if task["type"] == "personal_supervision"
                 and task["state"] == "open"]
    assert [task["due"] for task in following] == [(date(2026, 3, 30)).isoformat()]
    assert history[-1]["cause"] == "event:supervision_held"


def test_a_task_no_single_event_fulfils_cannot_be_closed_by_hand(
        seeded: App, server) -> None:  # type: ignore[no-untyped-def]
    """An ASYE final assessment needs its outcome: without it the close is refused (422)."""
    with client(server, token(seeded, "admin")) as http:
        tasks = http.get("/v1/entities/asye/sw2/tasks").json()
        final = next(task for task in tasks if task["type"] == "asye_final_assessment")
        refused = http.post(f"/v1/tasks/{final['id']}/close", json={"on": "2026-03-02"})
        unchanged = http.get(f"/v1/tasks/{final['id']}").json()
    assert refused.status_code == 422
    assert "outcome" in refused.json()["detail"]
    assert unchanged["state"] == "open"


def test_every_read_of_a_record_is_in_the_access_log(seeded: App, server) -> None:  # type: ignore[no-untyped-def]
    """A supervisor's reads and a refused read are logged with who, role, what; the auditor
    reads the log."""
    with client(server, token(seeded, "supervisor", "tm1")) as http:
        http.get("/v1/entities/assessment/c1")
        http.get("/v1/entities/assessment/c2")
    with client(server, token(seeded, "auditor", "aud1")) as http:
        log = http.get("/v1/access-log", params={"person": "tm1"}).json()
    assert [(line["role"], line["resource"], line["target"], line["outcome"]) for line in log] == [
        ("supervisor", "entity", "assessment:c1", "allowed"),
        ("supervisor", "entity", "assessment:c2", "refused"),
    ]
    assert all(line["token_id"].startswith("tok_") for line in log)


def test_a_task_link_from_a_message_is_the_task_page_and_its_json_stays_under_v1(
        seeded: App, server) -> None:  # type: ignore[no-untyped-def]
    """Task messages link to ``/tasks/{id}``: the dashboard's task page (signed out, the
    sign-in form, then back); the task as JSON is ``/v1/tasks/{id}``
    (tests/e2e/test_task_page.py shows the page itself)."""
    with client(server, token(seeded, "admin")) as http:
        page = http.get("/tasks/assessment:c1:complete")
        json = http.get("/v1/tasks/assessment:c1:complete")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Ftasks%2Fassessment%3Ac1%3Acomplete"
    assert json.status_code == 200 and json.json()["id"] == "assessment:c1:complete"
