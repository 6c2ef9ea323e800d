"""The role matrix of every route, generated from the OpenAPI document: a route without an access
rule below fails the first test, and every role is tried on every route.

A role the rule does not name gets the one refusal (403, a problem naming nothing); a role it
names is never refused for its role on a record in its own scope (it may still get a 404, 409
or 422 for the record or the body).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.security.conftest import LEAKS, ROLE_PEOPLE, bearer

READERS = {"supervisee", "supervisor", "manager", "workforce", "auditor", "admin"}
WRITERS = {"system", "admin"}
PUBLIC = "anyone"
FEED = "the feed's own secret"
"""A calendar feed is opened by the secret in its URL, never by a bearer token's role."""

ACCESS: dict[tuple[str, str], set[str] | str] = {
    ("get", "/v1/health"): PUBLIC,
    ("get", "/v1/access-log"): {"auditor", "admin", "dpo"},
    ("post", "/v1/events"): WRITERS,
    ("post", "/v1/events/batch"): WRITERS,
    ("post", "/v1/events/{event_id}/retract"): WRITERS,
    ("post", "/v1/events/{event_id}/amend"): WRITERS,
    ("get", "/v1/entities/{kind}/{entity_id}"): READERS,
    ("get", "/v1/entities/{kind}/{entity_id}/timers"): READERS,
    ("get", "/v1/entities/{kind}/{entity_id}/tasks"): READERS,
    ("get", "/v1/entities/{kind}/{entity_id}/history"): READERS,
    ("get", "/v1/tasks"): READERS,
    ("get", "/v1/tasks/{task_id}"): READERS,
    ("post", "/v1/tasks/{task_id}/close"): WRITERS | {"supervisee", "supervisor", "manager"},
    ("get", "/v1/people/{person}/calendar.ics"): READERS,
    ("get", "/v1/feeds/{secret}.ics"): FEED,
    ("get", "/v1/subject-access/{person}"): {"dpo"},
    ("get", "/v1/asye"): READERS,
    ("get", "/v1/asye/{worker}"): READERS,
    ("get", "/v1/compliance"): {"manager", "auditor", "admin"},
}
"""(method, path) → the roles that may make the request (each within its scope)."""

EAST = {"kind": "relationship", "entity_id": "tm1:sw1", "task_id":
        "relationship:tm1:sw1:supervision:2", "person": "sw1", "worker": "sw2"}
SAMPLES: dict[str, dict[str, str]] = {
    "supervisee": {**EAST, "task_id": "assessment:c1:complete", "worker": "sw1"},
    "supervisor": EAST,
    "manager": {"kind": "relationship", "entity_id": "tm2:sw3",
                "task_id": "relationship:tm2:sw3:supervision:1", "person": "sw3",
                "worker": "sw3"},
    "workforce": {"kind": "asye", "entity_id": "sw2", "task_id": "asye:sw2:supervision:2",
                  "person": "sw2", "worker": "sw2"},
}
"""Path parameters naming a record in each role's own scope (EAST for the others)."""

EVENT = {"type": "supervision_held", "on": "2026-03-02", "supervisor": "tm1",
         "supervisee": "sw1"}
BODIES: dict[str, Any] = {"/v1/events": EVENT, "/v1/events/batch": {"events": [EVENT]},
                          "/v1/tasks/{task_id}/close": {"on": "2026-03-02"}}


def operations(api: TestClient) -> list[tuple[str, str]]:
    document = api.get("/openapi.json").json()
    return sorted((method, path) for path, item in document["paths"].items()
                  for method in item if method in ("get", "post", "put", "patch", "delete"))


def request(api: TestClient, method: str, path: str, role: str, secret: str) -> Any:
    values = {**EAST, **SAMPLES.get(role, {}), "event_id": "matrix-1"}
    url = path.format(**values)
    body = BODIES.get(path, {}) if method != "get" else None
    return api.request(method.upper(), url, json=body, headers=bearer(secret))


def test_every_route_in_the_openapi_document_has_an_access_rule(api: TestClient) -> None:
    """A new route needs a line in ACCESS before this suite passes (and a removed one goes)."""
    assert set(operations(api)) == set(ACCESS)


def test_every_role_gets_what_the_matrix_says_on_every_route(
        api: TestClient, secrets: dict[str, str]) -> None:
    """Refused roles get the one 403 naming nothing; allowed roles are never refused for their
    role on their own records; no request without a token gets past 401."""
    wrong = []
    for method, path in operations(api):
        rule = ACCESS[(method, path)]
        if rule == PUBLIC:
            continue
        if rule == FEED:  # a made-up secret opens nothing, whatever token comes with it
            for role in ROLE_PEOPLE:
                answer = api.get(path.format(secret="feed-guess-0123456789"),
                                 headers=bearer(secrets[role]))
                if answer.status_code == 200:
                    wrong.append((method, path, role, answer.status_code))
            continue
        anonymous = api.request(method.upper(), path.format(**EAST, event_id="matrix-1"),
                                json=BODIES.get(path) if method != "get" else None)
        if anonymous.status_code != 401:
            wrong.append((method, path, None, anonymous.status_code))
        for role in ROLE_PEOPLE:
            answer = request(api, method, path, role, secrets[role])
            if role in rule:
                if answer.status_code in (401, 403):
                    wrong.append((method, path, role, answer.status_code, answer.text[:120]))
                continue
            body = answer.json() if answer.headers.get("content-type", "").startswith(
                "application/problem+json") else {}
            if answer.status_code != 403 or body.get("type") != \
                    "urn:oversight:problem:forbidden" or any(w in answer.text for w in LEAKS):
                wrong.append((method, path, role, answer.status_code, answer.text[:120]))
    assert wrong == []


@pytest.mark.parametrize("role", sorted(ROLE_PEOPLE))
def test_each_role_reads_its_own_sample_record_or_is_refused_it(
        api: TestClient, secrets: dict[str, str], role: str) -> None:
    """The entity route, role by role: the readers see their sample (200), the others 403."""
    answer = request(api, "get", "/v1/entities/{kind}/{entity_id}", role, secrets[role])
    assert answer.status_code == (200 if role in READERS else 403), answer.text
